//! What the caller hands to the signer: the request parts, the credentials
//! and scope, and the settings that differ between services (S3 turns path
//! normalization and double encoding off).

use std::fmt;
use std::time::Duration;

use crate::Credentials;

/// The parts of an HTTP request that SigV4 covers. `Debug` shows neither
/// the body (it may carry an MFA code or a web identity token) nor the
/// values of `authorization` and `x-amz-security-token` headers.
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// Path and optional `?query`, as sent on the wire (already
    /// percent-encoded by the caller where needed).
    pub uri: &'a str,
    /// Header names and values in the order they will be sent. Must include
    /// `host`. Headers the signer sets itself (`authorization`,
    /// `x-amz-date`, `x-amz-security-token`, and `x-amz-content-sha256` when
    /// `sign_body` is on) are ignored here and replaced by the output.
    pub headers: &'a [(&'a str, &'a str)],
    pub payload: Payload<'a>,
}

/// Header names whose values are secrets or signatures over them.
const SECRET_HEADERS: [&str; 2] = ["authorization", "x-amz-security-token"];

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|&(name, value)| {
                let secret = SECRET_HEADERS
                    .iter()
                    .any(|secret| name.eq_ignore_ascii_case(secret));
                (name, if secret { "** redacted **" } else { value })
            })
            .collect();
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("headers", &headers)
            .field("payload", &self.payload)
            .finish()
    }
}

/// The request body, or what stands for it in the canonical request.
/// `Debug` shows only the body's length.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body itself; its SHA-256 is computed.
    Bytes(&'a [u8]),
    /// The hex SHA-256 of the body, computed by the caller (or a special
    /// value such as `STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(body) => write!(f, "Bytes({} bytes)", body.len()),
            Payload::Precomputed(hash) => f.debug_tuple("Precomputed").field(hash).finish(),
            Payload::Unsigned => f.write_str("Unsigned"),
        }
    }
}

/// Credentials, scope and time for one signature.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    pub service: &'a str,
    /// The signing time; any offset, converted to UTC.
    pub time: time::OffsetDateTime,
    pub settings: SigningSettings,
}

/// Per-service signing options. `Default` is what every AWS service except
/// S3 expects; [`SigningSettings::s3`] is S3's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningSettings {
    /// Remove `.` and `..` segments and repeated slashes from the path.
    pub normalize_path: bool,
    /// Percent-encode the (already encoded) wire path once more, so `%3A`
    /// is signed as `%253A`. When off, the path is decoded and encoded once.
    pub double_encode_path: bool,
    /// Add and sign an `x-amz-content-sha256` header (header mode).
    pub sign_body: bool,
    /// Send the session token without signing it (some services, e.g. IoT).
    pub omit_session_token: bool,
    /// How long a presigned request stays valid (`X-Amz-Expires`); 3600
    /// seconds when unset.
    pub expires_in: Option<Duration>,
}

impl Default for SigningSettings {
    fn default() -> Self {
        SigningSettings {
            normalize_path: true,
            double_encode_path: true,
            sign_body: false,
            omit_session_token: false,
            expires_in: None,
        }
    }
}

impl SigningSettings {
    /// S3: the path is signed as sent, and the body hash is a header.
    pub fn s3() -> Self {
        SigningSettings {
            normalize_path: false,
            double_encode_path: false,
            sign_body: true,
            ..SigningSettings::default()
        }
    }
}
