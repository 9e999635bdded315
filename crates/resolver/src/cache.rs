//! The credential cache shared with the AWS CLI: its file name (a SHA-1 of
//! the call's parameters as Python's `json.dumps` writes them) and its file
//! contents (the STS response as JSON). Reading and writing the files is the
//! front end's job; this module only computes keys and converts entries.

use rolectl_sigv4::Secret;
use rolectl_sts_client::{AssumeRoleOutput, TemporaryCredentials};
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::pyjson;

/// What a front end found under a cache key, in answer to
/// [`Effect::CacheGet`](crate::Effect::CacheGet).
#[derive(Clone, PartialEq, Eq)]
pub enum CacheLookup {
    /// No entry: a miss.
    Missing,
    /// The entry's text, which the resolver parses and checks.
    Found(String),
    /// An entry the front end would not read, and why (a full sentence
    /// after "because", such as "it is larger than 64 KiB"): a miss with a
    /// warning that says so.
    Unusable { reason: String },
}

impl CacheLookup {
    /// The entry's text, when there is one to read.
    pub fn text(&self) -> Option<&str> {
        match self {
            CacheLookup::Found(text) => Some(text),
            _ => None,
        }
    }

    pub fn into_text(self) -> Option<String> {
        match self {
            CacheLookup::Found(text) => Some(text),
            _ => None,
        }
    }
}

impl From<Option<String>> for CacheLookup {
    fn from(entry: Option<String>) -> Self {
        entry.map_or(CacheLookup::Missing, CacheLookup::Found)
    }
}

impl std::fmt::Debug for CacheLookup {
    // An entry holds a secret key and a session token: never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheLookup::Missing => f.write_str("Missing"),
            CacheLookup::Found(_) => f.write_str("Found(..)"),
            CacheLookup::Unusable { reason } => {
                f.debug_struct("Unusable").field("reason", reason).finish()
            }
        }
    }
}

/// Entries with less than this much time left are refreshed, as the AWS CLI does.
pub const EXPIRY_WINDOW: Duration = Duration::minutes(15);

/// The parameters of an AssumeRole or AssumeRoleWithWebIdentity call that
/// go into the cache key. `role_session_name` is `None` when the name was
/// generated (a generated name changes at every call).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheKeyParams {
    pub role_arn: String,
    pub role_session_name: Option<String>,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
    pub duration_seconds: Option<u32>,
    /// The session policy as sent (JSON text); hashed in its parsed form.
    pub policy: Option<String>,
    /// AssumeRoleWithWebIdentity only: the token as sent. The AWS CLI puts
    /// it in the key, so that a new token never reuses another's entry.
    pub web_identity_token: Option<Secret>,
}

/// Why a cache key could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CacheKeyError {
    #[error("The session policy is not valid JSON, so no cache key can be computed for it: {0}.")]
    InvalidPolicy(String),
}

impl CacheKeyParams {
    /// The parameters as the JSON object the AWS CLI hashes.
    pub fn to_json(&self) -> Result<Value, CacheKeyError> {
        let mut args = Map::new();
        args.insert("RoleArn".into(), Value::String(self.role_arn.clone()));
        if let Some(name) = &self.role_session_name {
            args.insert("RoleSessionName".into(), Value::String(name.clone()));
        }
        if let Some(id) = &self.external_id {
            args.insert("ExternalId".into(), Value::String(id.clone()));
        }
        if let Some(serial) = &self.serial_number {
            args.insert("SerialNumber".into(), Value::String(serial.clone()));
        }
        if let Some(seconds) = self.duration_seconds {
            args.insert("DurationSeconds".into(), Value::from(seconds));
        }
        if let Some(token) = &self.web_identity_token {
            args.insert(
                "WebIdentityToken".into(),
                Value::String(token.expose().to_owned()),
            );
        }
        if let Some(policy) = &self.policy {
            let parsed: Value = serde_json::from_str(policy)
                .map_err(|e| CacheKeyError::InvalidPolicy(e.to_string()))?;
            args.insert("Policy".into(), parsed);
        }
        Ok(Value::Object(args))
    }

    /// The AWS CLI's cache key: lowercase hex SHA-1 of `json.dumps(args, sort_keys=True)`.
    pub fn key(&self) -> Result<String, CacheKeyError> {
        Ok(cache_key_of(&self.to_json()?))
    }
}

/// The prefix of rolectl's MFA session entries: the AWS CLI's keys are 40
/// hex digits, so no key of one tool can be a key of the other.
pub const MFA_SESSION_KEY_PREFIX: &str = "rolectl-mfa-session-";

/// The cache key of an MFA session: the prefix, then the SHA-1 of the
/// long-term access key id (never the secret), the serial and the duration.
pub fn mfa_session_key(access_key_id: &str, serial: &str, duration_seconds: u32) -> String {
    let args = json!({
        "AccessKeyId": access_key_id,
        "SerialNumber": serial,
        "DurationSeconds": duration_seconds,
    });
    format!("{MFA_SESSION_KEY_PREFIX}{}", cache_key_of(&args))
}

/// The prefix of rolectl's cached `credential_process` outputs
/// (`rolectl cache-process`, `rolectl_process_cache = true`).
pub const PROCESS_KEY_PREFIX: &str = "rolectl-process-";

/// The cache key of a `credential_process` command line: the prefix, then
/// the SHA-1 of the command as written (for `cache-process`, its arguments
/// joined with shell quoting, so both spellings of one command share it).
pub fn process_cache_key(command: &str) -> String {
    format!("{PROCESS_KEY_PREFIX}{}", cache_key_of_text(command))
}

/// When a cached or fresh `credential_process` output may be kept: it must
/// parse as the AWS CLI parses it and carry an `Expiration` at least
/// [`EXPIRY_WINDOW`] away. `None`: not cacheable (no `Expiration`, too
/// close to it, or not valid output).
pub fn process_output_keepable(stdout: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let output = crate::sources::ProcessOutput {
        status: Some(0),
        stdout: stdout.to_owned(),
        stderr: String::new(),
    };
    let expiration = crate::sources::parse_process_output(&output, None)
        .ok()?
        .expiration?;
    (expiration - now >= EXPIRY_WINDOW).then_some(expiration)
}

/// The file text of an MFA session: its credentials as a role entry holds
/// them (so [`CacheEntry::parse`] reads it), and under `MfaSession` what it
/// was asked with (serial, long-term access key id, duration) for `cache list`.
pub fn mfa_session_entry(
    credentials: &TemporaryCredentials,
    serial: &str,
    access_key_id: &str,
    duration_seconds: u32,
) -> String {
    json!({
        "Credentials": {
            "AccessKeyId": credentials.access_key_id,
            "SecretAccessKey": credentials.secret_access_key.expose(),
            "SessionToken": credentials.session_token.expose(),
            "Expiration": format_expiration(credentials.expiration),
        },
        "MfaSession": {
            "SerialNumber": serial,
            "AccessKeyId": access_key_id,
            "DurationSeconds": duration_seconds,
        },
    })
    .to_string()
}

/// The key for an arbitrary argument object (the SHA-1 of its Python JSON form).
pub fn cache_key_of(args: &Value) -> String {
    cache_key_of_text(&pyjson::dumps_sorted(args))
}

/// Lowercase hex SHA-1 of `text`.
pub(crate) fn cache_key_of_text(text: &str) -> String {
    hex::encode(Sha1::digest(text.as_bytes()))
}

/// A cached STS response: what the AWS CLI keeps in `~/.aws/cli/cache/<key>.json`
/// (`Debug` redacts the secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEntry {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: OffsetDateTime,
    pub account_id: Option<String>,
    pub assumed_role_id: Option<String>,
    pub arn: Option<String>,
}

/// Why a cache file's contents were not used (the caller treats it as a miss).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CacheEntryError {
    #[error("The cache entry is not valid JSON: {0}.")]
    Json(String),
    #[error("The cache entry has no `{0}` field.")]
    Missing(&'static str),
    #[error("The cache entry's Expiration `{0}` is not an ISO 8601 time with a UTC offset.")]
    Expiration(String),
}

impl CacheEntry {
    /// The entry for an AssumeRole or AssumeRoleWithWebIdentity response.
    pub fn from_output(output: &AssumeRoleOutput) -> CacheEntry {
        let arn = output.assumed_role_user.as_ref().map(|u| u.arn.clone());
        CacheEntry {
            access_key_id: output.credentials.access_key_id.clone(),
            secret_access_key: output.credentials.secret_access_key.clone(),
            session_token: output.credentials.session_token.clone(),
            expiration: output.credentials.expiration,
            account_id: arn.as_deref().and_then(account_id_from_arn),
            assumed_role_id: output
                .assumed_role_user
                .as_ref()
                .map(|u| u.assumed_role_id.clone()),
            arn,
        }
    }

    /// The temporary credentials held by the entry.
    pub fn credentials(&self) -> TemporaryCredentials {
        TemporaryCredentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: self.session_token.clone(),
            expiration: self.expiration,
        }
    }

    /// Whether the entry still has at least [`EXPIRY_WINDOW`] left at `now`.
    pub fn is_fresh(&self, now: OffsetDateTime) -> bool {
        self.expiration - now >= EXPIRY_WINDOW
    }

    /// The JSON text the AWS CLI writes (and reads back).
    pub fn to_json(&self) -> String {
        let mut creds = Map::new();
        creds.insert("AccessKeyId".into(), json!(self.access_key_id));
        creds.insert(
            "SecretAccessKey".into(),
            json!(self.secret_access_key.expose()),
        );
        creds.insert("SessionToken".into(), json!(self.session_token.expose()));
        creds.insert(
            "Expiration".into(),
            json!(format_expiration(self.expiration)),
        );
        if let Some(account) = &self.account_id {
            creds.insert("AccountId".into(), json!(account));
        }
        let mut root = Map::new();
        root.insert("Credentials".into(), Value::Object(creds));
        if let (Some(id), Some(arn)) = (&self.assumed_role_id, &self.arn) {
            root.insert(
                "AssumedRoleUser".into(),
                json!({"AssumedRoleId": id, "Arn": arn}),
            );
        }
        Value::Object(root).to_string()
    }

    /// Reads an entry written by rolectl, the AWS CLI or boto3.
    pub fn parse(text: &str) -> Result<CacheEntry, CacheEntryError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| CacheEntryError::Json(e.to_string()))?;
        let creds = root
            .get("Credentials")
            .ok_or(CacheEntryError::Missing("Credentials"))?;
        let field = |name: &'static str| -> Result<String, CacheEntryError> {
            creds
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(CacheEntryError::Missing(name))
        };
        let expiration_text = field("Expiration")?;
        let expiration = parse_expiration(&expiration_text)
            .ok_or(CacheEntryError::Expiration(expiration_text))?;
        let user = root.get("AssumedRoleUser");
        let arn = user
            .and_then(|u| u.get("Arn"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let account_id = creds
            .get("AccountId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| arn.as_deref().and_then(account_id_from_arn));
        Ok(CacheEntry {
            access_key_id: field("AccessKeyId")?,
            secret_access_key: Secret::new(field("SecretAccessKey")?),
            session_token: Secret::new(field("SessionToken")?),
            expiration,
            account_id,
            assumed_role_id: user
                .and_then(|u| u.get("AssumedRoleId"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            arn,
        })
    }
}

/// The account id in an ARN (`arn:aws:sts::123456789012:assumed-role/...`).
pub fn account_id_from_arn(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

/// `2026-11-27T18:57:16Z`, with the microseconds when there are any
/// (`2026-11-27T18:57:16.250000Z`): the AWS CLI stores STS's own text, and an
/// entry read back must give the same expiry as the answer it was made from.
pub fn format_expiration(t: OffsetDateTime) -> String {
    format!("{}Z", utc_with_micros(t))
}

/// `2026-11-27T18:57:16` in UTC, then `.250000` when there are microseconds:
/// the part that the cache's and Python's `isoformat()` forms share.
pub(crate) fn utc_with_micros(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let seconds = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    match t.microsecond() {
        0 => seconds,
        micros => format!("{seconds}.{micros:06}"),
    }
}

/// Reads `Z`, `+00:00` (any offset), fractional seconds, and boto3's `UTC` suffix.
pub fn parse_expiration(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let normalized = match text.strip_suffix("UTC") {
        Some(rest) => format!("{}Z", rest.trim_end()),
        None => text.to_owned(),
    };
    OffsetDateTime::parse(&normalized, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn check_values_from_the_issue() {
        let one = CacheKeyParams {
            role_arn: "arn:aws:iam::123456789012:role/role1".into(),
            ..Default::default()
        };
        assert_eq!(
            one.key().unwrap(),
            "eee3a7fa3444c671255822b956313cdb0525924c"
        );
        let two = CacheKeyParams {
            role_arn: "arn:aws:iam::222222222222:role/role2".into(),
            role_session_name: Some("my-session".into()),
            external_id: Some("ext-123".into()),
            duration_seconds: Some(1800),
            ..Default::default()
        };
        assert_eq!(
            two.key().unwrap(),
            "5761646284da4b11b24dc78dba82b2aca069524a"
        );
    }

    #[test]
    fn expiration_forms() {
        let want = datetime!(2026-11-27 18:57:16 UTC);
        for text in [
            "2026-11-27T18:57:16Z",
            "2026-11-27T18:57:16+00:00",
            "2026-11-27T18:57:16UTC",
            "2026-11-27T20:57:16+02:00",
        ] {
            assert_eq!(parse_expiration(text), Some(want), "{text}");
        }
        assert_eq!(
            parse_expiration("2026-11-27T18:57:16.250Z"),
            Some(want + Duration::milliseconds(250))
        );
        assert_eq!(parse_expiration("2026-11-27T18:57:16"), None);
        assert_eq!(parse_expiration("tomorrow"), None);
        assert_eq!(format_expiration(want), "2026-11-27T18:57:16Z");
        let fraction = datetime!(2026-11-27 18:57:16.25 UTC);
        assert_eq!(format_expiration(fraction), "2026-11-27T18:57:16.250000Z");
        assert_eq!(
            parse_expiration(&format_expiration(fraction)),
            Some(fraction)
        );
    }

    #[test]
    fn entry_round_trip_and_freshness() {
        let entry = CacheEntry {
            access_key_id: "ASIAX".into(),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration: datetime!(2026-11-27 18:57:16 UTC),
            account_id: Some("123456789012".into()),
            assumed_role_id: Some("AROA:x".into()),
            arn: Some("arn:aws:sts::123456789012:assumed-role/r/x".into()),
        };
        let text = entry.to_json();
        assert!(text.contains(r#""Expiration":"2026-11-27T18:57:16Z""#));
        assert_eq!(CacheEntry::parse(&text).unwrap(), entry);
        assert!(entry.is_fresh(datetime!(2026-11-27 18:42:16 UTC)));
        assert!(!entry.is_fresh(datetime!(2026-11-27 18:42:17 UTC)));
        assert!(!format!("{entry:?}").contains("\"s\""));
    }

    #[test]
    fn entries_written_by_boto3_are_read() {
        let text = r#"{"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "sk", "SessionToken": "tok", "Expiration": "2026-11-27T18:57:16UTC"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:s", "Arn": "arn:aws:sts::111122223333:assumed-role/r/s"}, "ResponseMetadata": {"RequestId": "x"}}"#;
        let entry = CacheEntry::parse(text).unwrap();
        assert_eq!(entry.account_id.as_deref(), Some("111122223333"));
        assert_eq!(entry.expiration, datetime!(2026-11-27 18:57:16 UTC));
    }

    #[test]
    fn partial_entries_are_refused() {
        assert_eq!(
            CacheEntry::parse(r#"{"Credentials": {"AccessKeyId": "A"}}"#),
            Err(CacheEntryError::Missing("Expiration"))
        );
        assert!(matches!(
            CacheEntry::parse("{"),
            Err(CacheEntryError::Json(_))
        ));
        assert_eq!(
            CacheEntry::parse("[]"),
            Err(CacheEntryError::Missing("Credentials"))
        );
    }
}
