//! AWS Sign-In's `CreateOAuth2Token` (the `refresh_token` grant of a console
//! login session, `aws login`) as pure data: the request with its RFC 9449
//! DPoP proof (an ES256 JWT over the session's P-256 key), and the answer
//! or the service's error, as botocore's `LoginCredentialFetcher` sends and
//! reads them; and the first `authorization_code` grant of `aws login`.

use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use rolectl_sigv4::encoding::encode_query_component;
use rolectl_sigv4::Secret;
use serde_json::Value;
use sha2::{Digest, Sha256};

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
    parse_token_output(response).map(|(token, _)| token)
}

/// The token and the JSON object it was read from.
fn parse_token_output(response: &HttpResponse) -> Result<(SigninToken, Value), SigninError> {
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
    let token = SigninToken {
        access_key_id: text(access, "accessKeyId")?,
        secret_access_key: Secret::new(text(access, "secretAccessKey")?),
        session_token: Secret::new(text(access, "sessionToken")?),
        expires_in: output
            .get("expiresIn")
            .and_then(Value::as_i64)
            .ok_or_else(|| unexpected("no expiresIn"))?,
        refresh_token: Secret::new(text(output, "refreshToken")?),
    };
    Ok((token, output.clone()))
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

/// The client id of `aws login` on the machine with the browser (loopback
/// redirect).
pub const CLIENT_ID_SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
/// The client id of `aws login --remote` (the code pasted back by hand).
pub const CLIENT_ID_CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";

/// The characters of the CLI's PKCE code verifier (RFC 7636 unreserved).
const VERIFIER_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
/// The length of the CLI's code verifier.
pub const VERIFIER_LEN: usize = 64;

/// A PKCE code verifier of [`VERIFIER_LEN`] characters drawn from `random`
/// without bias (bytes past the last whole multiple of the alphabet are
/// skipped); `None` if `random` ran out first (ask for more bytes).
pub fn pkce_verifier(random: &[u8]) -> Option<Secret> {
    let n = VERIFIER_ALPHABET.len();
    let limit = 256 - 256 % n;
    let verifier: String = random
        .iter()
        .filter(|b| usize::from(**b) < limit)
        .take(VERIFIER_LEN)
        .map(|b| char::from(VERIFIER_ALPHABET[usize::from(*b) % n]))
        .collect();
    (verifier.len() == VERIFIER_LEN).then(|| Secret::new(verifier))
}

/// The PKCE `S256` challenge of `verifier` (base64url, no padding: the CLI
/// cuts the one `=` off).
pub fn pkce_challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

/// The browser's URL, `<base>/v1/authorize?...`, with the CLI's parameters
/// in its order (`code_challenge_method` is `SHA-256`, the challenge last).
pub fn authorize_url(
    base_url: &str,
    client_id: &str,
    state: &str,
    code_challenge: &str,
    redirect_uri: Option<&str>,
) -> String {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("state", state),
        ("code_challenge_method", "SHA-256"),
        ("scope", "openid"),
    ];
    if let Some(uri) = redirect_uri {
        pairs.push(("redirect_uri", uri));
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            // botocore's `percent_encode`: RFC 3986's unreserved kept, as SigV4's.
            format!(
                "{}={}",
                encode_query_component(k),
                encode_query_component(v)
            )
        })
        .collect();
    format!(
        "{}/v1/authorize?{}&code_challenge={code_challenge}",
        base_url.trim_end_matches('/'),
        query.join("&")
    )
}

/// Where the service shows the code to paste back in the cross-device flow.
pub fn cross_device_redirect_uri(base_url: &str) -> String {
    format!(
        "{}/v1/sessions/confirmation",
        base_url.trim_end_matches('/')
    )
}

/// Reads what the person pastes in the cross-device flow: base64 of
/// `state=..&code=..`. Returns (code, state).
pub fn parse_verification_code(pasted: &str) -> Result<(Secret, String), String> {
    let decoded = STANDARD
        .decode(pasted.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or("the verification code is not base64 text")?;
    let pairs = crate::form::decode_pairs(&decoded)
        .map_err(|_| "the verification code does not hold URL-encoded pairs")?;
    let value = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    match (value("code"), value("state")) {
        (Some(code), Some(state)) => Ok((Secret::new(code), state)),
        _ => Err("the verification code holds no code and state".to_owned()),
    }
}

/// A new P-256 key for one login, from 32 random bytes, as the PEM the CLI
/// stores as `dpopKey`: SEC1 `EC PRIVATE KEY`, base64 in 64-character lines.
/// Fails (ask for other bytes) in the rare case the bytes are no valid scalar.
pub fn new_dpop_key(random: &[u8; 32]) -> Result<Secret, DpopError> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::AssociatedOid;
    use sec1::der::Encode;
    let key = p256::SecretKey::from_bytes(random.into()).map_err(|_| DpopError::Key)?;
    let scalar = p256::elliptic_curve::zeroize::Zeroizing::new(key.to_bytes());
    let point = key.public_key().to_encoded_point(false);
    // With the curve's OID, as OpenSSL (the CLI's awscrt) writes it and
    // every reader of SEC1 accepts it.
    let der = p256::elliptic_curve::zeroize::Zeroizing::new(
        sec1::EcPrivateKey {
            private_key: &scalar,
            parameters: Some(sec1::EcParameters::NamedCurve(p256::NistP256::OID)),
            public_key: Some(point.as_bytes()),
        }
        .to_der()
        .map_err(|_| DpopError::Key)?,
    );
    let body = STANDARD.encode(der.as_slice());
    let body = p256::elliptic_curve::zeroize::Zeroizing::new(body);
    let mut pem = String::from("-----BEGIN EC PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END EC PRIVATE KEY-----\n");
    Ok(Secret::new(pem))
}

/// The `authorization_code` grant of a login (`Debug` hides the secrets).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationCodeInput {
    pub client_id: String,
    pub code: Secret,
    pub code_verifier: Secret,
    /// The loopback redirect, or the cross-device confirmation page.
    pub redirect_uri: Option<String>,
    /// The DPoP proof over the login's new key ([`dpop_proof`]).
    pub dpop: Secret,
}

impl fmt::Debug for AuthorizationCodeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateOAuth2Token")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// What a login's CreateOAuth2Token answers (`Debug` hides the secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigninLogin {
    pub token: SigninToken,
    pub token_type: String,
    pub id_token: Secret,
    /// The `sub` of the ID token: the session's ARN (`login_session`).
    pub session: String,
    /// The account of that ARN.
    pub account_id: String,
}

/// `POST <base>/v1/token` with the JSON body the CLI sends for the code.
pub fn build_create_oauth2_token_with_code(
    input: &AuthorizationCodeInput,
    base_url: &str,
) -> HttpRequest {
    let mut body = format!(
        r#"{{"clientId": {}, "grantType": "authorization_code", "code": {}, "codeVerifier": {}"#,
        Value::String(input.client_id.clone()),
        Value::String(input.code.expose().to_owned()),
        Value::String(input.code_verifier.expose().to_owned())
    );
    if let Some(uri) = &input.redirect_uri {
        body.push_str(&format!(
            r#", "redirectUri": {}"#,
            Value::String(uri.clone())
        ));
    }
    body.push('}');
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

/// The session ARN (`sub`) and its account from an ID token's payload, as
/// the CLI reads them (the signature is the service's to check, not ours).
pub fn session_of_id_token(id_token: &str) -> Result<(String, String), String> {
    let parts: Vec<&str> = id_token.split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err("the ID token is not a JWT".to_owned());
    };
    let payload: Value = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the ID token's payload is not base64url JSON")?;
    let sub = payload
        .get("sub")
        .and_then(Value::as_str)
        .ok_or("the ID token has no sub")?;
    let fields: Vec<&str> = sub.splitn(6, ':').collect();
    match fields.as_slice() {
        ["arn", _, _, _, account, _] if !account.is_empty() => {
            Ok((sub.to_owned(), (*account).to_owned()))
        }
        _ => Err(format!(
            "the ID token's sub \"{sub}\" is not an ARN with an account"
        )),
    }
}

/// Parses a login's CreateOAuth2Token answer.
pub fn parse_create_oauth2_token_with_code(
    response: &HttpResponse,
) -> Result<SigninLogin, SigninError> {
    let (token, output) = parse_token_output(response)?;
    let unexpected = |problem: String| SigninError::UnexpectedResponse {
        status: response.status,
        problem,
        body_start: "(not shown)".to_owned(),
    };
    let text = |key: &str| {
        output
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| unexpected(format!("no {key}")))
    };
    let token_type = text("tokenType")?;
    let id_token = text("idToken")?;
    let (session, account_id) = session_of_id_token(&id_token).map_err(unexpected)?;
    Ok(SigninLogin {
        token,
        token_type,
        id_token: Secret::new(id_token),
        session,
        account_id,
    })
}

/// Sends a login's CreateOAuth2Token through `transport` (once: a code is
/// good for one exchange).
pub async fn call_signin_with_code<T: crate::client::Transport>(
    transport: &T,
    input: &AuthorizationCodeInput,
    base_url: &str,
) -> Result<SigninLogin, SigninError> {
    let response = transport
        .send(build_create_oauth2_token_with_code(input, base_url))
        .await
        .map_err(SigninError::Transport)?;
    parse_create_oauth2_token_with_code(&response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_is_64_unreserved_characters_and_needs_enough_bytes() {
        let bytes: Vec<u8> = (0..=255).collect();
        let v = pkce_verifier(&bytes).unwrap();
        assert_eq!(v.expose().len(), VERIFIER_LEN);
        assert!(v.expose().bytes().all(|b| VERIFIER_ALPHABET.contains(&b)));
        // 198.. are skipped: 64 of them give nothing.
        assert!(pkce_verifier(&[250; 100]).is_none());
    }

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        let v = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce_challenge(&v),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorize_url_has_the_clis_parameters_in_order() {
        let url = authorize_url(
            "https://us-east-1.signin.aws.amazon.com/",
            CLIENT_ID_SAME_DEVICE,
            "0b8c",
            "abc-_",
            Some("http://127.0.0.1:5/oauth/callback"),
        );
        assert_eq!(url, "https://us-east-1.signin.aws.amazon.com/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=0b8c&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Foauth%2Fcallback&code_challenge=abc-_");
    }

    #[test]
    fn a_new_key_is_a_sec1_pem_that_signs_proofs() {
        let pem = new_dpop_key(&[7; 32]).unwrap();
        assert!(pem.expose().starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(pem.expose().lines().all(|l| l.len() <= 64));
        assert!(dpop_proof(pem.expose(), "https://x/v1/token", 1, "j").is_ok());
        assert!(new_dpop_key(&[0; 32]).is_err(), "zero is no scalar");
    }

    #[test]
    fn the_pasted_code_and_the_id_token() {
        let pasted = STANDARD.encode("state=s1&code=c%2B1");
        let (code, state) = parse_verification_code(&pasted).unwrap();
        assert_eq!((code.expose(), state.as_str()), ("c+1", "s1"));
        assert!(parse_verification_code("%%%").is_err());
        let jwt = format!(
            "h.{}.s",
            URL_SAFE_NO_PAD.encode(r#"{"sub":"arn:aws:iam::123456789012:user/a"}"#)
        );
        assert_eq!(
            session_of_id_token(&jwt).unwrap(),
            (
                "arn:aws:iam::123456789012:user/a".to_owned(),
                "123456789012".to_owned()
            )
        );
        assert!(session_of_id_token("a.b").is_err());
    }
}
