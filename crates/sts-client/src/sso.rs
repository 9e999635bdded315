//! IAM Identity Center calls as pure data: the portal's `GetRoleCredentials`
//! (a GET with the bearer token in `x-amz-sso_bearer_token`) and SSO OIDC's
//! `CreateToken` (a JSON POST), built into [`HttpRequest`]s and parsed out of
//! [`HttpResponse`]s, worded as botocore words their errors.

use std::fmt;

use rolectl_sigv4::Secret;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::error::{body_snippet, TransportError};
use crate::request::HttpRequest;
use crate::response::HttpResponse;

/// One call to the SSO portal or to SSO OIDC.
#[derive(Clone, PartialEq, Eq)]
pub enum SsoOperation {
    /// `GET /federation/credentials?account_id=..&role_name=..` on the portal.
    GetRoleCredentials {
        account_id: String,
        role_name: String,
        access_token: Secret,
    },
    /// `POST /logout` on the portal: the token is revoked (`sso logout`).
    Logout { access_token: Secret },
    /// `POST /token` on SSO OIDC with the `refresh_token` grant.
    CreateToken {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
    /// `POST /client/register` on SSO OIDC: a public client for a login.
    RegisterClient {
        client_name: String,
        /// `sso_registration_scopes`; none: no refresh token will be issued.
        scopes: Vec<String>,
        /// For the authorization code flow: the loopback redirect and the
        /// start URL as issuer (`grantTypes` authorization_code and
        /// refresh_token are then asked for).
        redirect_uri: Option<String>,
        issuer_url: Option<String>,
    },
    /// `POST /device_authorization` on SSO OIDC.
    StartDeviceAuthorization {
        client_id: String,
        client_secret: Secret,
        start_url: String,
    },
    /// `POST /token` with the authorization code grant and its PKCE verifier.
    CreateTokenWithAuthCode {
        client_id: String,
        client_secret: Secret,
        code: Secret,
        redirect_uri: String,
        code_verifier: Secret,
    },
    /// `POST /token` with the device code grant, polled until approved.
    CreateTokenWithDeviceCode {
        client_id: String,
        client_secret: Secret,
        device_code: Secret,
    },
}

impl fmt::Debug for SsoOperation {
    // The token, the client secret and the refresh token are secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SsoOperation::GetRoleCredentials {
                account_id,
                role_name,
                ..
            } => f
                .debug_struct("GetRoleCredentials")
                .field("account_id", account_id)
                .field("role_name", role_name)
                .finish_non_exhaustive(),
            SsoOperation::Logout { .. } => f.debug_struct("Logout").finish_non_exhaustive(),
            SsoOperation::CreateToken { client_id, .. }
            | SsoOperation::CreateTokenWithAuthCode { client_id, .. }
            | SsoOperation::CreateTokenWithDeviceCode { client_id, .. } => f
                .debug_struct("CreateToken")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
            SsoOperation::RegisterClient {
                client_name,
                scopes,
                ..
            } => f
                .debug_struct("RegisterClient")
                .field("client_name", client_name)
                .field("scopes", scopes)
                .finish(),
            SsoOperation::StartDeviceAuthorization {
                client_id,
                start_url,
                ..
            } => f
                .debug_struct("StartDeviceAuthorization")
                .field("client_id", client_id)
                .field("start_url", start_url)
                .finish_non_exhaustive(),
        }
    }
}

impl SsoOperation {
    /// The operation's name, as botocore's error texts give it.
    pub fn name(&self) -> &'static str {
        match self {
            SsoOperation::GetRoleCredentials { .. } => "GetRoleCredentials",
            SsoOperation::Logout { .. } => "Logout",
            SsoOperation::CreateToken { .. }
            | SsoOperation::CreateTokenWithAuthCode { .. }
            | SsoOperation::CreateTokenWithDeviceCode { .. } => "CreateToken",
            SsoOperation::RegisterClient { .. } => "RegisterClient",
            SsoOperation::StartDeviceAuthorization { .. } => "StartDeviceAuthorization",
        }
    }
}

/// `roleCredentials` of a GetRoleCredentials answer (`Debug` hides the secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    /// The portal's `expiration`, milliseconds since the epoch.
    pub expiration: OffsetDateTime,
}

/// A CreateToken answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub access_token: Secret,
    /// Seconds from now.
    pub expires_in: i64,
    /// A new refresh token, when the service rotates it.
    pub refresh_token: Option<Secret>,
}

/// A RegisterClient answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    /// Seconds since the epoch.
    pub client_secret_expires_at: i64,
}

/// A StartDeviceAuthorization answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    /// Seconds the device code lasts.
    pub expires_in: i64,
    /// Seconds between polls (5 when not given).
    pub interval: i64,
}

/// What an SSO call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsoOutput {
    RoleCredentials(RoleCredentials),
    Token(NewToken),
    Registration(Registration),
    DeviceAuthorization(DeviceAuthorization),
    /// Logout's empty answer.
    LoggedOut,
}

/// Why an SSO call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    /// The service answered with an error (`UnauthorizedException`,
    /// `InvalidGrantException`, ...), as botocore's `ClientError` words it.
    #[error("An error occurred ({code}) when calling the {operation} operation: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
        status: u16,
    },
    /// An answer that is not the operation's JSON.
    #[error("An error occurred ({status}) when calling the {operation} operation: the response is not a valid answer ({problem}): {body_start}")]
    UnexpectedResponse {
        operation: &'static str,
        status: u16,
        problem: String,
        body_start: String,
    },
    /// No complete answer.
    #[error("{source} The {operation} call failed.")]
    Transport {
        operation: &'static str,
        source: TransportError,
    },
}

impl SsoError {
    /// Whether the service itself refused (botocore's `ClientError`), as
    /// opposed to no usable answer at all.
    pub fn is_service_error(&self) -> bool {
        matches!(self, SsoError::Service { .. })
    }

    /// The service's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            SsoError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// `https://portal.sso.<region>.<dns suffix>`, the portal's regional host.
pub fn sso_portal_url(region: &str) -> String {
    format!(
        "https://portal.sso.{region}.{}",
        crate::endpoint::dns_suffix(region)
    )
}

/// `https://oidc.<region>.<dns suffix>`, SSO OIDC's regional host.
pub fn sso_oidc_url(region: &str) -> String {
    format!(
        "https://oidc.{region}.{}",
        crate::endpoint::dns_suffix(region)
    )
}

/// Query values as botocore's rest-json serializer percent-encodes them
/// (RFC 3986 unreserved characters kept).
fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request for `op` at `base_url` (the portal's for GetRoleCredentials,
/// SSO OIDC's for CreateToken); a path in `base_url` is kept as a prefix.
pub fn build_sso_request(op: &SsoOperation, base_url: &str) -> HttpRequest {
    let base = base_url.trim_end_matches('/');
    match op {
        SsoOperation::GetRoleCredentials {
            account_id,
            role_name,
            access_token,
        } => HttpRequest {
            method: "GET".to_owned(),
            url: format!(
                // botocore's order: the members of GetRoleCredentialsRequest.
                "{base}/federation/credentials?role_name={}&account_id={}",
                query_value(role_name),
                query_value(account_id)
            ),
            headers: vec![(
                "x-amz-sso_bearer_token".to_owned(),
                access_token.expose().to_owned(),
            )],
            body: Vec::new(),
        },
        SsoOperation::Logout { access_token } => HttpRequest {
            method: "POST".to_owned(),
            url: format!("{base}/logout"),
            headers: vec![(
                "x-amz-sso_bearer_token".to_owned(),
                access_token.expose().to_owned(),
            )],
            body: Vec::new(),
        },
        SsoOperation::CreateToken {
            client_id,
            client_secret,
            refresh_token,
        } => HttpRequest {
            method: "POST".to_owned(),
            url: format!("{base}/token"),
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: json!({
                "clientId": client_id,
                "clientSecret": client_secret.expose(),
                "grantType": "refresh_token",
                "refreshToken": refresh_token.expose(),
            })
            .to_string()
            .into_bytes(),
        },
        SsoOperation::RegisterClient {
            client_name,
            scopes,
            redirect_uri,
            issuer_url,
        } => {
            let mut body = json!({"clientName": client_name, "clientType": "public"});
            if !scopes.is_empty() {
                body["scopes"] = json!(scopes);
            }
            if let Some(uri) = redirect_uri {
                body["grantTypes"] = json!(["authorization_code", "refresh_token"]);
                body["redirectUris"] = json!([uri]);
            }
            if let Some(issuer) = issuer_url {
                body["issuerUrl"] = json!(issuer);
            }
            json_post(format!("{base}/client/register"), body)
        }
        SsoOperation::StartDeviceAuthorization {
            client_id,
            client_secret,
            start_url,
        } => json_post(
            format!("{base}/device_authorization"),
            json!({
                "clientId": client_id,
                "clientSecret": client_secret.expose(),
                "startUrl": start_url,
            }),
        ),
        SsoOperation::CreateTokenWithAuthCode {
            client_id,
            client_secret,
            code,
            redirect_uri,
            code_verifier,
        } => json_post(
            format!("{base}/token"),
            json!({
                "clientId": client_id,
                "clientSecret": client_secret.expose(),
                "grantType": "authorization_code",
                "code": code.expose(),
                "redirectUri": redirect_uri,
                "codeVerifier": code_verifier.expose(),
            }),
        ),
        SsoOperation::CreateTokenWithDeviceCode {
            client_id,
            client_secret,
            device_code,
        } => json_post(
            format!("{base}/token"),
            json!({
                "clientId": client_id,
                "clientSecret": client_secret.expose(),
                "grantType": "urn:ietf:params:oauth:grant-type:device_code",
                "deviceCode": device_code.expose(),
            }),
        ),
    }
}

fn json_post(url: String, body: Value) -> HttpRequest {
    HttpRequest {
        method: "POST".to_owned(),
        url,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.to_string().into_bytes(),
    }
}

/// Parses the answer to `op`.
pub fn parse_sso_response(
    op: &SsoOperation,
    response: &HttpResponse,
) -> Result<SsoOutput, SsoError> {
    let operation = op.name();
    let unexpected = |problem: &str| SsoError::UnexpectedResponse {
        operation,
        status: response.status,
        problem: problem.to_owned(),
        body_start: body_snippet(&redacted(&response.body), 120),
    };
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    if !(200..300).contains(&response.status) {
        // Without a code botocore names the status and its reason phrase.
        return Err(
            service_error(operation, response, body.as_ref()).unwrap_or_else(|| {
                SsoError::Service {
                    operation,
                    code: response.status.to_string(),
                    message: reason_phrase(response.status).to_owned(),
                    status: response.status,
                }
            }),
        );
    }
    // Logout answers with no body.
    let body = match (op, body) {
        (SsoOperation::Logout { .. }, _) => return Ok(SsoOutput::LoggedOut),
        (_, body) => body.ok_or_else(|| unexpected("the body is not JSON"))?,
    };
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    match op {
        SsoOperation::Logout { .. } => Ok(SsoOutput::LoggedOut),
        SsoOperation::GetRoleCredentials { .. } => {
            let creds = body
                .get("roleCredentials")
                .ok_or_else(|| unexpected("no roleCredentials"))?;
            let field = |key: &str| {
                text(creds, key).ok_or_else(|| unexpected(&format!("no roleCredentials.{key}")))
            };
            let millis = creds
                .get("expiration")
                .and_then(Value::as_i64)
                .ok_or_else(|| unexpected("no roleCredentials.expiration"))?;
            let expiration =
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
                    .map_err(|_| unexpected("roleCredentials.expiration is out of range"))?;
            Ok(SsoOutput::RoleCredentials(RoleCredentials {
                access_key_id: field("accessKeyId")?,
                secret_access_key: Secret::new(field("secretAccessKey")?),
                session_token: Secret::new(field("sessionToken")?),
                expiration,
            }))
        }
        SsoOperation::RegisterClient { .. } => Ok(SsoOutput::Registration(Registration {
            client_id: text(&body, "clientId").ok_or_else(|| unexpected("no clientId"))?,
            client_secret: Secret::new(
                text(&body, "clientSecret").ok_or_else(|| unexpected("no clientSecret"))?,
            ),
            client_secret_expires_at: body
                .get("clientSecretExpiresAt")
                .and_then(Value::as_i64)
                .ok_or_else(|| unexpected("no clientSecretExpiresAt"))?,
        })),
        SsoOperation::StartDeviceAuthorization { .. } => {
            Ok(SsoOutput::DeviceAuthorization(DeviceAuthorization {
                device_code: Secret::new(
                    text(&body, "deviceCode").ok_or_else(|| unexpected("no deviceCode"))?,
                ),
                user_code: text(&body, "userCode").ok_or_else(|| unexpected("no userCode"))?,
                verification_uri: text(&body, "verificationUri")
                    .ok_or_else(|| unexpected("no verificationUri"))?,
                verification_uri_complete: text(&body, "verificationUriComplete"),
                expires_in: body
                    .get("expiresIn")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| unexpected("no expiresIn"))?,
                interval: body.get("interval").and_then(Value::as_i64).unwrap_or(5),
            }))
        }
        SsoOperation::CreateToken { .. }
        | SsoOperation::CreateTokenWithAuthCode { .. }
        | SsoOperation::CreateTokenWithDeviceCode { .. } => {
            let access_token =
                text(&body, "accessToken").ok_or_else(|| unexpected("no accessToken"))?;
            let expires_in = body
                .get("expiresIn")
                .and_then(Value::as_i64)
                .ok_or_else(|| unexpected("no expiresIn"))?;
            Ok(SsoOutput::Token(NewToken {
                access_token: Secret::new(access_token),
                expires_in,
                refresh_token: text(&body, "refreshToken").map(Secret::new),
            }))
        }
    }
}

/// botocore's rest-json error code: `x-amzn-ErrorType` up to its first `:`,
/// else the body's `__type` (after any `#`), `code` or `error` (OIDC's
/// OAuth-style errors); the message from `message`, `Message` or
/// `error_description`.
fn service_error(
    operation: &'static str,
    response: &HttpResponse,
    body: Option<&Value>,
) -> Option<SsoError> {
    let from_body = |key: &str| body.and_then(|b| b.get(key)).and_then(Value::as_str);
    let code = response
        .header("x-amzn-errortype")
        .map(|h| h.split(':').next().unwrap_or(h).to_owned())
        .or_else(|| from_body("__type").map(|t| t.rsplit('#').next().unwrap_or(t).to_owned()))
        .or_else(|| from_body("code").map(str::to_owned))
        .or_else(|| from_body("error").map(str::to_owned))
        .filter(|c| !c.is_empty())?;
    let message = from_body("message")
        .or_else(|| from_body("Message"))
        .or_else(|| from_body("error_description"))
        .unwrap_or("Unknown")
        .to_owned();
    Some(SsoError::Service {
        operation,
        code,
        message,
        status: response.status,
    })
}

/// The reason phrase of an HTTP status, as Python's `http.client` gives it.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// A body with the values of secret JSON fields blanked, for error texts.
fn redacted(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    fn blank(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    let k = key.to_ascii_lowercase();
                    if k.contains("secret") || k.contains("token") {
                        *inner = Value::String("** redacted **".into());
                    } else {
                        blank(inner);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(blank),
            _ => {}
        }
    }
    blank(&mut value);
    value.to_string().into_bytes()
}

/// Sends `op` through `transport` once and parses the answer (no retries:
/// a refused token or grant does not get better by asking again).
pub async fn call_sso<T: crate::client::Transport>(
    transport: &T,
    op: &SsoOperation,
    base_url: &str,
) -> Result<SsoOutput, SsoError> {
    let response = transport
        .send(build_sso_request(op, base_url))
        .await
        .map_err(|source| SsoError::Transport {
            operation: op.name(),
            source,
        })?;
    parse_sso_response(op, &response)
}
