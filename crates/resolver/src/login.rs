//! Console login sessions (`login_session`, `aws login`) as a base source, as
//! botocore's `LoginProvider` and `LoginCredentialFetcher` do it: the cached
//! credentials of `~/.aws/login/cache/<sha256>.json` while more than five
//! minutes are left, else Sign-In `CreateOAuth2Token` with a DPoP proof,
//! written back into the same file.

use std::fmt::Write as _;

use rolectl_config_parser::Section;
use rolectl_sigv4::Secret;
use rolectl_sts_client::{
    create_oauth2_token_url, dpop_proof, signin_url, CreateOAuth2TokenInput, EndpointSource,
    SigninError, SigninLogin, SigninToken,
};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::cache::{format_expiration, parse_expiration};
use crate::chain::{Base, LoginSource, Origin};
use crate::effect::Effect;
use crate::error::ResolveError;
use crate::input::Snapshot;
use crate::outcome::{CredentialSource, ResolvedCredentials, Warning};
use crate::pyjson::{dumps_sorted, write_string};

/// Cached credentials with more than this left are used as they are
/// (botocore's `_REFRESH_THRESHOLD`).
pub const REFRESH_THRESHOLD: Duration = Duration::minutes(5);

/// How many random bytes the proof's `jti` (a UUID 4) is made of.
pub const JTI_BYTES: usize = 16;

/// The token file's name: the SHA-256 of the session (the ARN), hex.
pub fn token_cache_key(session: &str) -> String {
    hex::encode(Sha256::digest(session.as_bytes()))
}

/// Fills in a configured Sign-In endpoint: `AWS_ENDPOINT_URL_SIGNIN`,
/// `AWS_ENDPOINT_URL`, the `[services]` section's `signin`, `endpoint_url`.
pub(crate) fn fill_endpoint(snapshot: &Snapshot, profile: Option<&Section<'_>>, base: &mut Base) {
    let Base::Login { source, .. } = base else {
        return;
    };
    let mut inputs = crate::endpoint::endpoint_inputs(snapshot, profile, source.region.as_deref());
    inputs.env_endpoint_url_sts = snapshot.env("AWS_ENDPOINT_URL_SIGNIN").map(str::to_owned);
    inputs.services_sts_endpoint_url = profile
        .and_then(|p| p.value("services"))
        .and_then(|name| snapshot.profiles.services(name))
        .and_then(|services| services.get("signin"))
        .and_then(|s| s.sub_properties.get("endpoint_url"))
        .map(|p| p.value.to_string());
    let (endpoint, from) = inputs.resolve_with_source();
    if !matches!(from, EndpointSource::Regional | EndpointSource::Global) {
        source.configured_url = Some(endpoint.url);
    }
}

/// Where Sign-In calls for `region` go under the snapshot's settings (the
/// selected profile's endpoint variables and `[services]`): what `rolectl
/// login` uses.
pub fn signin_base_url(snapshot: &Snapshot, region: &str) -> String {
    let name = snapshot.selected_profile().name;
    let profile = snapshot.profile(&name);
    let mut base = Base::Login {
        origin: Origin {
            profile: name,
            location: rolectl_config_parser::Location {
                file: rolectl_config_parser::FileKind::Config,
                line: 0,
                column: 0,
            },
        },
        source: LoginSource {
            session: String::new(),
            region: Some(region.to_owned()),
            configured_url: None,
        },
    };
    fill_endpoint(snapshot, profile, &mut base);
    match base {
        Base::Login {
            source:
                LoginSource {
                    configured_url: Some(url),
                    ..
                },
            ..
        } => url,
        _ => signin_url(region),
    }
}

/// The token file `aws login` writes (`json.dumps` of the CLI's dict, in
/// its key order) for a login answered at `now`.
pub fn new_token_text(
    login: &SigninLogin,
    client_id: &str,
    dpop_key: &Secret,
    now: OffsetDateTime,
) -> String {
    let expires_at = (now + Duration::seconds(login.token.expires_in))
        .replace_nanosecond(0)
        .unwrap_or(now);
    let object = |fields: &[(&str, &str)], out: &mut String| {
        out.push('{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_string(out, key);
            out.push_str(": ");
            write_string(out, value);
        }
        out.push('}');
    };
    let mut out = String::from("{\"accessToken\": ");
    object(
        &[
            ("accessKeyId", &login.token.access_key_id),
            ("secretAccessKey", login.token.secret_access_key.expose()),
            ("sessionToken", login.token.session_token.expose()),
            ("accountId", &login.account_id),
            ("expiresAt", &format_expiration(expires_at)),
        ],
        &mut out,
    );
    let mut rest = String::new();
    object(
        &[
            ("tokenType", &login.token_type),
            ("clientId", client_id),
            ("refreshToken", login.token.refresh_token.expose()),
            ("idToken", login.id_token.expose()),
            ("dpopKey", dpop_key.expose()),
        ],
        &mut rest,
    );
    out.push_str(", ");
    out.push_str(&rest[1..]);
    out
}

/// A UUID 4 made of 16 random bytes.
pub fn uuid4(bytes: &[u8]) -> String {
    let mut b = [0u8; 16];
    for (slot, byte) in b.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The members of a JSON object in file order (serde_json's map sorts).
fn ordered_object(text: &str) -> Result<Vec<(String, Value)>, String> {
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = Vec<(String, Value)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<(String, Value)> = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, Value>()? {
                // A repeated key keeps its first place and its last value,
                // as a Python dict does.
                match out.iter_mut().find(|(key, _)| *key == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = de.deserialize_map(Ordered).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// A login token file, as read.
#[derive(Clone, PartialEq, Eq)]
struct LoginToken {
    members: Vec<(String, Value)>,
    /// A refreshed `accessToken`, written in botocore's key order.
    access_text: Option<String>,
}

impl std::fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.members.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("LoginToken").field("keys", &keys).finish()
    }
}

impl LoginToken {
    fn get(&self, key: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    fn access(&self, key: &str) -> Option<&str> {
        self.get("accessToken")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// The token after a refresh: `accessToken` and `refreshToken`
    /// replaced in place, as botocore's `token.update(...)`.
    fn refreshed(&self, new: &SigninToken, expires_at: OffsetDateTime) -> LoginToken {
        let mut access = String::from("{");
        let account = self.access("accountId").unwrap_or_default().to_owned();
        for (i, (key, value)) in [
            ("accessKeyId", new.access_key_id.clone()),
            ("secretAccessKey", new.secret_access_key.expose().to_owned()),
            ("sessionToken", new.session_token.expose().to_owned()),
            ("accountId", account),
            ("expiresAt", format_expiration(expires_at)),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                access.push_str(", ");
            }
            write_string(&mut access, key);
            access.push_str(": ");
            write_string(&mut access, &value);
        }
        access.push('}');
        let mut members = self.members.clone();
        let mut set = |key: &str, value: Value| match members.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => members.push((key.to_owned(), value)),
        };
        set(
            "accessToken",
            serde_json::from_str(&access).unwrap_or_default(),
        );
        set(
            "refreshToken",
            Value::String(new.refresh_token.expose().to_owned()),
        );
        LoginToken {
            members,
            access_text: Some(access),
        }
    }

    /// `json.dumps(token)`: Python's separators, file order at the top.
    fn to_text(&self) -> String {
        let mut out = String::from("{");
        for (i, (key, value)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_string(&mut out, key);
            out.push_str(": ");
            match (&self.access_text, key.as_str()) {
                (Some(access), "accessToken") => out.push_str(access),
                _ => {
                    let _ = write!(out, "{}", dumps_sorted(value));
                }
            }
        }
        out.push('}');
        out
    }
}

/// A result fed back to the login flow.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Input {
    Token(Option<String>),
    TokenStored(Result<(), String>),
    Random(Vec<u8>),
    Signin(Result<SigninToken, SigninError>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    AwaitingToken,
    AwaitingRandom {
        token: LoginToken,
    },
    AwaitingSignin {
        token: LoginToken,
    },
    AwaitingPut {
        credentials: Box<ResolvedCredentials>,
    },
}

pub(crate) enum Next {
    Effect(Effect),
    Done(ResolvedCredentials),
}

/// The most effects one login source asks for: the token, the random
/// bytes of the proof, CreateOAuth2Token, the write-back.
pub(crate) const EFFECT_BUDGET: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Flow {
    source: LoginSource,
    origin: Origin,
    phase: Phase,
}

impl Flow {
    pub(crate) fn new(source: LoginSource, origin: Origin) -> Flow {
        Flow {
            source,
            origin,
            phase: Phase::Start,
        }
    }

    fn profile(&self) -> String {
        self.origin.profile.clone()
    }

    fn key(&self) -> String {
        token_cache_key(&self.source.session)
    }

    fn credentials(&self, token: &LoginToken) -> Result<ResolvedCredentials, ResolveError> {
        let invalid = |reason: String| ResolveError::LoginTokenInvalid {
            profile: self.profile(),
            key: self.key(),
            reason,
        };
        let field = |key: &str| {
            token
                .access(key)
                .map(str::to_owned)
                .ok_or_else(|| invalid(format!("its accessToken has no {key}")))
        };
        let expires_text = field("expiresAt")?;
        let expiration = parse_expiration(&expires_text).ok_or_else(|| {
            invalid(format!(
                "its expiresAt \"{expires_text}\" is not an ISO 8601 time"
            ))
        })?;
        Ok(ResolvedCredentials {
            access_key_id: field("accessKeyId")?,
            secret_access_key: Secret::new(field("secretAccessKey")?),
            session_token: Some(Secret::new(field("sessionToken")?)),
            expiration: Some(expiration),
            account_id: token.access("accountId").map(str::to_owned),
            source: CredentialSource::Login {
                profile: self.profile(),
                session: self.source.session.clone(),
            },
            from_cache: true,
        })
    }

    pub(crate) fn step(
        &mut self,
        input: Option<Input>,
        now: OffsetDateTime,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Next>, ResolveError> {
        match (self.phase.clone(), input) {
            (Phase::Start, _) => {
                self.phase = Phase::AwaitingToken;
                Ok(Some(Next::Effect(Effect::LoginTokenGet {
                    key: self.key(),
                })))
            }
            (Phase::AwaitingToken, Some(Input::Token(text))) => {
                let Some(text) = text else {
                    return Err(ResolveError::LoginTokenMissing {
                        profile: self.profile(),
                        session: self.source.session.clone(),
                        key: self.key(),
                    });
                };
                let members =
                    ordered_object(&text).map_err(|e| ResolveError::LoginTokenInvalid {
                        profile: self.profile(),
                        key: self.key(),
                        reason: format!("it is not a JSON object ({e})"),
                    })?;
                let token = LoginToken {
                    members,
                    access_text: None,
                };
                let missing: Vec<&str> = ["accessToken", "refreshToken", "dpopKey", "clientId"]
                    .into_iter()
                    .filter(|k| token.get(k).is_none())
                    .collect();
                if !missing.is_empty() {
                    return Err(ResolveError::LoginTokenInvalid {
                        profile: self.profile(),
                        key: self.key(),
                        reason: format!("missing required fields: {}", missing.join(", ")),
                    });
                }
                let credentials = self.credentials(&token)?;
                if credentials
                    .expiration
                    .is_some_and(|e| e - now > REFRESH_THRESHOLD)
                {
                    return Ok(Some(Next::Done(credentials)));
                }
                self.phase = Phase::AwaitingRandom { token };
                Ok(Some(Next::Effect(Effect::Random { len: JTI_BYTES })))
            }
            (Phase::AwaitingRandom { token }, Some(Input::Random(bytes))) => {
                // The token's signInRegion wins over the configured region.
                let region = token
                    .text("signInRegion")
                    .map(str::to_owned)
                    .or_else(|| self.source.region.clone());
                let url = match (&self.source.configured_url, region) {
                    (Some(url), _) => url.clone(),
                    (None, Some(region)) => signin_url(&region),
                    (None, None) => {
                        return Err(ResolveError::LoginNoRegion {
                            profile: self.profile(),
                        })
                    }
                };
                let key_pem = token.text("dpopKey").unwrap_or_default();
                let dpop = dpop_proof(
                    key_pem,
                    &create_oauth2_token_url(&url),
                    now.unix_timestamp(),
                    &uuid4(&bytes),
                )
                .map_err(|e| ResolveError::LoginTokenInvalid {
                    profile: self.profile(),
                    key: self.key(),
                    reason: e.to_string(),
                })?;
                let input = CreateOAuth2TokenInput {
                    client_id: token.text("clientId").unwrap_or_default().to_owned(),
                    refresh_token: Secret::new(token.text("refreshToken").unwrap_or_default()),
                    dpop,
                };
                self.phase = Phase::AwaitingSignin { token };
                Ok(Some(Next::Effect(Effect::Signin {
                    input,
                    url,
                    profile: self.profile(),
                })))
            }
            (Phase::AwaitingSignin { token }, Some(Input::Signin(result))) => {
                let new = result.map_err(|e| self.refused(e))?;
                let expires_at = (now + Duration::seconds(new.expires_in))
                    .replace_nanosecond(0)
                    .unwrap_or(now);
                let token = token.refreshed(&new, expires_at);
                let mut credentials = self.credentials(&token)?;
                credentials.from_cache = false;
                self.phase = Phase::AwaitingPut {
                    credentials: Box::new(credentials),
                };
                Ok(Some(Next::Effect(Effect::LoginTokenPut {
                    key: self.key(),
                    entry: token.to_text(),
                })))
            }
            (Phase::AwaitingPut { credentials }, Some(Input::TokenStored(result))) => {
                if let Err(message) = result {
                    warnings.push(Warning::LoginTokenWriteFailed {
                        key: self.key(),
                        message,
                    });
                }
                Ok(Some(Next::Done(*credentials)))
            }
            _ => Ok(None),
        }
    }

    /// The service's refusal in the AWS CLI's words.
    fn refused(&self, error: SigninError) -> ResolveError {
        let profile = self.profile();
        match &error {
            SigninError::Service {
                code,
                error: Some(kind),
                ..
            } if code == "AccessDeniedException" => match kind.as_str() {
                "TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED" => {
                    ResolveError::LoginRefreshRequired { profile }
                }
                "INSUFFICIENT_PERMISSIONS" => {
                    ResolveError::LoginInsufficientPermissions { profile }
                }
                _ => ResolveError::LoginRefresh {
                    profile,
                    message: error.to_string(),
                },
            },
            _ => ResolveError::LoginRefresh {
                profile,
                message: error.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_4_from_random_bytes() {
        assert_eq!(uuid4(&[0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid4(&[0; 16]), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn a_new_token_file_has_the_clis_keys_in_order() {
        let login = SigninLogin {
            token: SigninToken {
                access_key_id: "ASIA1".to_owned(),
                secret_access_key: Secret::new("s"),
                session_token: Secret::new("t"),
                expires_in: 900,
                refresh_token: Secret::new("r"),
            },
            token_type: "aws_sigv4".to_owned(),
            id_token: Secret::new("a.b.c"),
            session: "arn:aws:iam::1:user/a".to_owned(),
            account_id: "1".to_owned(),
        };
        let now = OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert_eq!(
            new_token_text(&login, "cid", &Secret::new("K\n"), now),
            r#"{"accessToken": {"accessKeyId": "ASIA1", "secretAccessKey": "s", "sessionToken": "t", "accountId": "1", "expiresAt": "1970-01-01T00:15:00Z"}, "tokenType": "aws_sigv4", "clientId": "cid", "refreshToken": "r", "idToken": "a.b.c", "dpopKey": "K\n"}"#
        );
    }

    #[test]
    fn members_keep_their_order() {
        let t = LoginToken {
            members: ordered_object(r#"{"z": 1, "a": {"y": "b", "x": 2}, "m": "é"}"#).unwrap(),
            access_text: None,
        };
        assert_eq!(
            t.to_text(),
            r#"{"z": 1, "a": {"x": 2, "y": "b"}, "m": "\u00e9"}"#
        );
    }
}
