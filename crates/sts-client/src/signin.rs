//! AWS Sign-In's `CreateOAuth2Token` (the `refresh_token` grant of a console
//! login session, `aws login`) as pure data: the request with its RFC 9449
//! DPoP proof (an ES256 JWT over the session's P-256 key), and the answer
//! or the service's error, as botocore's `LoginCredentialFetcher` sends and
//! reads them.

use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use rolectl_sigv4::Secret;
use serde_json::Value;

use crate::error::{body_snippet, TransportError};
use crate::request::HttpRequest;
use crate::response::HttpResponse;

/// The refresh request of a login session.
#[derive(Clone, PartialEq, Eq)]
pub struct CreateOAuth2TokenInput {
    pub client_id: String,
    pub refresh_token: Secret,
    /// The DPoP proof for this request ([`dpop_proof`]).
    pub dpop: Secret,
}

impl fmt::Debug for CreateOAuth2TokenInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateOAuth2Token")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// `tokenOutput` of a CreateOAuth2Token answer (`Debug` hides the secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigninToken {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    /// Seconds from now.
    pub expires_in: i64,
    pub refresh_token: Secret,
}

/// Why a Sign-In call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SigninError {
    /// The service refused (`AccessDeniedException` with its OAuth `error`
    /// code, `ValidationException`, ...).
    #[error("An error occurred ({code}) when calling the CreateOAuth2Token operation: {message}")]
    Service {
        code: String,
        /// The body's `error` (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`, ...).
        error: Option<String>,
        message: String,
        status: u16,
    },
    #[error("An error occurred ({status}) when calling the CreateOAuth2Token operation: the response is not a valid answer ({problem}): {body_start}")]
    UnexpectedResponse {
        status: u16,
        problem: String,
        body_start: String,
    },
    #[error("{0} The CreateOAuth2Token call failed.")]
    Transport(TransportError),
}

/// Why no DPoP proof could be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    #[error("the dpopKey is not base64 between its PEM lines")]
    Base64,
    #[error("the dpopKey is not a P-256 private key (SEC1 or PKCS#8 DER)")]
    Key,
}

/// `https://<region>.signin.aws.amazon.com` (`.signin.amazonaws.cn` in China),
/// the regional host of botocore's endpoint rules.
pub fn signin_url(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("https://{region}.signin.amazonaws.cn")
    } else {
        format!("https://{region}.signin.aws.amazon.com")
    }
}

/// The URL of CreateOAuth2Token at `base_url` (the DPoP proof's `htu`).
pub fn create_oauth2_token_url(base_url: &str) -> String {
    format!("{}/v1/token", base_url.trim_end_matches('/'))
}

/// Reads the cached `dpopKey` as botocore does: the PEM armour lines
/// dropped, the rest base64, SEC1 (`EC PRIVATE KEY`) or PKCS#8 DER.
fn signing_key(pem: &str) -> Result<SigningKey, DpopError> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----BEGIN") && !l.starts_with("-----END"))
        .collect::<String>()
        .trim()
        .to_owned();
    let der = STANDARD.decode(body).map_err(|_| DpopError::Base64)?;
    if let Ok(key) = p256::SecretKey::from_sec1_der(&der) {
        return Ok(SigningKey::from(key));
    }
    SigningKey::from_pkcs8_der(&der).map_err(|_| DpopError::Key)
}

/// The DPoP proof botocore's `_build_dpop_header` makes: header
/// `{"typ":"dpop+jwt","alg":"ES256","jwk":{kty,x,y,crv}}`, payload
/// `{"htm":"POST","htu":..,"iat":..,"jti":..}` (compact JSON, base64url
/// without padding), signed with ES256 (r || s).
pub fn dpop_proof(key_pem: &str, htu: &str, iat: i64, jti: &str) -> Result<Secret, DpopError> {
    let key = signing_key(key_pem)?;
    let point = key.verifying_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(DpopError::Key);
    };
    // Field order as botocore's dicts (serde_json would sort them).
    let header = format!(
        r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{{"kty":"EC","x":"{}","y":"{}","crv":"P-256"}}}}"#,
        URL_SAFE_NO_PAD.encode(x),
        URL_SAFE_NO_PAD.encode(y)
    );
    let payload = format!(
        r#"{{"htm":"POST","htu":{},"iat":{iat},"jti":{}}}"#,
        Value::String(htu.to_owned()),
        Value::String(jti.to_owned())
    );
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature: Signature = key.sign(input.as_bytes());
    Ok(Secret::new(format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )))
}

/// `POST <base>/v1/token`, the JSON body botocore sends, the `DPoP` header.
pub fn build_create_oauth2_token(input: &CreateOAuth2TokenInput, base_url: &str) -> HttpRequest {
    let body = format!(
        r#"{{"clientId": {}, "refreshToken": {}, "grantType": "refresh_token"}}"#,
        Value::String(input.client_id.clone()),
        Value::String(input.refresh_token.expose().to_owned())
    );
    HttpRequest {
        method: "POST".to_owned(),
        url: create_oauth2_token_url(base_url),
        headers: vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("DPoP".to_owned(), input.dpop.expose().to_owned()),
        ],
        body: body.into_bytes(),
    }
}

/// Parses a CreateOAuth2Token answer.
pub fn parse_create_oauth2_token(response: &HttpResponse) -> Result<SigninToken, SigninError> {
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let unexpected = |problem: &str| SigninError::UnexpectedResponse {
        status: response.status,
        problem: problem.to_owned(),
        body_start: body_snippet(
            if response.status == 200 {
                b"(not shown)"
            } else {
                &response.body
            },
            120,
        ),
    };
    let field = |key: &str| {
        body.as_ref()
            .and_then(|b| b.get(key))
            .and_then(Value::as_str)
    };
    if !(200..300).contains(&response.status) {
        let code = response
            .header("x-amzn-errortype")
            .map(|h| h.split(':').next().unwrap_or(h).to_owned())
            .or_else(|| field("__type").map(|t| t.rsplit('#').next().unwrap_or(t).to_owned()))
            .or_else(|| field("code").map(str::to_owned))
            .unwrap_or_else(|| response.status.to_string());
        return Err(SigninError::Service {
            code,
            error: field("error").map(str::to_owned),
            message: field("message")
                .or_else(|| field("Message"))
                .unwrap_or("Unknown")
                .to_owned(),
            status: response.status,
        });
    }
    // `tokenOutput` is the operation's payload: the body is that structure.
    let output = body
        .as_ref()
        .filter(|b| b.is_object())
        .ok_or_else(|| unexpected("the body is not a JSON object"))?;
    let access = output
        .get("accessToken")
        .ok_or_else(|| unexpected("no accessToken"))?;
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| unexpected(&format!("no {key}")))
    };
    Ok(SigninToken {
        access_key_id: text(access, "accessKeyId")?,
        secret_access_key: Secret::new(text(access, "secretAccessKey")?),
        session_token: Secret::new(text(access, "sessionToken")?),
        expires_in: output
            .get("expiresIn")
            .and_then(Value::as_i64)
            .ok_or_else(|| unexpected("no expiresIn"))?,
        refresh_token: Secret::new(text(output, "refreshToken")?),
    })
}

/// Sends one CreateOAuth2Token through `transport` (no retries: a refused
/// grant does not get better, and each proof may be used once).
pub async fn call_signin<T: crate::client::Transport>(
    transport: &T,
    input: &CreateOAuth2TokenInput,
    base_url: &str,
) -> Result<SigninToken, SigninError> {
    let response = transport
        .send(build_create_oauth2_token(input, base_url))
        .await
        .map_err(SigninError::Transport)?;
    parse_create_oauth2_token(&response)
}
