//! Why a request could not be signed: each variant names the part of the
//! request or of the signing parameters the caller has to fix.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SigningError {
    #[error("The request has no Host header; SigV4 signs the host, so set one before signing.")]
    MissingHost,
    #[error("The HTTP method is empty or contains characters other than letters.")]
    InvalidMethod,
    #[error("The request URI must start with '/' (got {0:?}).")]
    InvalidUri(String),
    #[error("The header name {0:?} is empty or contains characters not allowed in a header name.")]
    InvalidHeaderName(String),
    #[error("The value of header {0:?} contains control characters that cannot be signed.")]
    InvalidHeaderValue(String),
    #[error("The {what} {value:?} is empty or contains '/' or whitespace, so it cannot be part of a credential scope.")]
    InvalidScope { what: &'static str, value: String },
    #[error("The access key id is empty or contains characters that cannot appear in a credential scope.")]
    InvalidAccessKeyId,
    #[error("The signing time is outside the years 0 to 9999.")]
    InvalidTime,
    #[error(
        "A presigned request must expire within 1 to 604800 seconds (7 days); got {0} seconds."
    )]
    InvalidExpiry(u64),
    #[error(
        "The precomputed payload hash is empty or contains characters other than visible ASCII."
    )]
    InvalidPayloadHash,
}
