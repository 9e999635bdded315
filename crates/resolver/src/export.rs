//! The credential output shapes of `aws configure export-credentials`
//! (AWS CLI v2), byte for byte, so that `rolectl export` and the npm
//! package print exactly what scripts written for the AWS CLI expect.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::outcome::ResolvedCredentials;

/// One of the AWS CLI's `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// `credential_process` JSON (the default).
    Process,
    /// `export NAME=value` lines.
    Env,
    /// `NAME=value` lines.
    EnvNoExport,
    /// `set -gx NAME "value"` lines.
    Fish,
    /// `$Env:NAME="value"` lines.
    Powershell,
    /// `set NAME=value` lines.
    WindowsCmd,
}

impl ExportFormat {
    /// Every format, in the order the AWS CLI lists them.
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Process,
        ExportFormat::Env,
        ExportFormat::EnvNoExport,
        ExportFormat::Powershell,
        ExportFormat::WindowsCmd,
        ExportFormat::Fish,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Process => "process",
            ExportFormat::Env => "env",
            ExportFormat::EnvNoExport => "env-no-export",
            ExportFormat::Fish => "fish",
            ExportFormat::Powershell => "powershell",
            ExportFormat::WindowsCmd => "windows-cmd",
        }
    }

    /// How one variable is written in a per-line format.
    fn line(self, name: &str, value: &str) -> String {
        match self {
            ExportFormat::Process | ExportFormat::Env => format!("export {name}={value}\n"),
            ExportFormat::EnvNoExport => format!("{name}={value}\n"),
            ExportFormat::Fish => format!("set -gx {name} \"{value}\"\n"),
            ExportFormat::Powershell => format!("$Env:{name}=\"{value}\"\n"),
            ExportFormat::WindowsCmd => format!("set {name}={value}\n"),
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of the formats.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an export format; use process, env, env-no-export, fish, powershell or windows-cmd.")]
pub struct UnknownFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// The expiry as the AWS CLI prints it: Python's `datetime.isoformat()` of
/// an aware UTC time (`2026-11-27T18:57:16+00:00`, microseconds only when
/// there are some).
pub fn python_isoformat(at: OffsetDateTime) -> String {
    format!("{}+00:00", crate::cache::utc_with_micros(at))
}

/// A string as Python's `json.dumps` writes it (ASCII only, `\uXXXX` for
/// the rest), so that even odd values come out as the AWS CLI's.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    crate::pyjson::write_string(&mut out, s);
    out
}

/// The text `aws configure export-credentials --format FORMAT` prints for
/// `credentials`. It holds the secret key: print it only on purpose.
pub fn render(credentials: &ResolvedCredentials, format: ExportFormat) -> String {
    let expiration = credentials.expiration.map(python_isoformat);
    let token = credentials.session_token.as_ref().map(|t| t.expose());
    if format == ExportFormat::Process {
        let mut fields = vec![
            ("Version", "1".to_owned()),
            ("AccessKeyId", json_string(&credentials.access_key_id)),
            (
                "SecretAccessKey",
                json_string(credentials.secret_access_key.expose()),
            ),
        ];
        if let Some(token) = token {
            fields.push(("SessionToken", json_string(token)));
        }
        if let Some(expiration) = &expiration {
            fields.push(("Expiration", json_string(expiration)));
        }
        let body: Vec<String> = fields
            .into_iter()
            .map(|(name, value)| format!("  \"{name}\": {value}"))
            .collect();
        return format!("{{\n{}\n}}\n", body.join(",\n"));
    }
    let mut out = format.line("AWS_ACCESS_KEY_ID", &credentials.access_key_id);
    out.push_str(&format.line(
        "AWS_SECRET_ACCESS_KEY",
        credentials.secret_access_key.expose(),
    ));
    if let Some(token) = token {
        out.push_str(&format.line("AWS_SESSION_TOKEN", token));
    }
    if let Some(expiration) = &expiration {
        out.push_str(&format.line("AWS_CREDENTIAL_EXPIRATION", expiration));
    }
    out
}

/// The environment `rolectl exec` gives its command: the variables set
/// (name, value) and the ones removed, so that no other credentials or
/// profile can shadow the resolved ones.
pub fn exec_environment(
    credentials: &ResolvedCredentials,
    region: Option<&str>,
) -> (Vec<(&'static str, String)>, Vec<&'static str>) {
    let mut set = vec![
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key.expose().to_owned(),
        ),
    ];
    let mut removed = vec!["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];
    match &credentials.session_token {
        Some(token) => set.push(("AWS_SESSION_TOKEN", token.expose().to_owned())),
        None => removed.push("AWS_SESSION_TOKEN"),
    }
    match credentials.expiration {
        Some(at) => set.push(("AWS_CREDENTIAL_EXPIRATION", python_isoformat(at))),
        None => removed.push("AWS_CREDENTIAL_EXPIRATION"),
    }
    if let Some(region) = region {
        set.push(("AWS_REGION", region.to_owned()));
        set.push(("AWS_DEFAULT_REGION", region.to_owned()));
    }
    (set, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::CredentialSource;
    use rolectl_sigv4::Secret;
    use time::macros::datetime;

    fn creds(token: bool, expiry: bool) -> ResolvedCredentials {
        ResolvedCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("s/e+c"),
            session_token: token.then(|| Secret::new("tok==")),
            expiration: expiry.then_some(datetime!(2026-11-27 18:57:16 UTC)),
            account_id: None,
            source: CredentialSource::Environment,
            from_cache: false,
        }
    }

    #[test]
    fn isoformat_is_pythons() {
        assert_eq!(
            python_isoformat(datetime!(2026-11-27 18:57:16 UTC)),
            "2026-11-27T18:57:16+00:00"
        );
        assert_eq!(
            python_isoformat(datetime!(2026-11-27 20:57:16.5 +02:00)),
            "2026-11-27T18:57:16.500000+00:00"
        );
    }

    #[test]
    fn json_strings_escape_as_python_does() {
        assert_eq!(
            json_string("a\"b\\c\u{1}é😀"),
            "\"a\\\"b\\\\c\\u0001\\u00e9\\ud83d\\ude00\""
        );
    }

    #[test]
    fn lines_are_left_out_without_token_or_expiry() {
        let text = render(&creds(false, false), ExportFormat::Env);
        assert_eq!(
            text,
            "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=s/e+c\n"
        );
        let json = render(&creds(false, false), ExportFormat::Process);
        assert_eq!(
            json,
            "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIAEXAMPLE\",\n  \"SecretAccessKey\": \"s/e+c\"\n}\n"
        );
    }

    #[test]
    fn formats_parse_from_their_names() {
        for f in ExportFormat::ALL {
            assert_eq!(f.as_str().parse::<ExportFormat>(), Ok(f));
        }
        assert!("bash".parse::<ExportFormat>().is_err());
    }

    #[test]
    fn exec_environment_removes_what_could_shadow() {
        let (set, removed) = exec_environment(&creds(false, true), Some("eu-west-1"));
        let names: Vec<_> = set.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_CREDENTIAL_EXPIRATION",
                "AWS_REGION",
                "AWS_DEFAULT_REGION"
            ]
        );
        assert!(removed.contains(&"AWS_PROFILE"));
        assert!(removed.contains(&"AWS_SESSION_TOKEN"));
    }
}
