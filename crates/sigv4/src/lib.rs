//! AWS Signature Version 4, pure: request parts, credentials, region,
//! service and time in; canonical request, string to sign and signature
//! out, as an `Authorization` header or as presigned query parameters.
//!
//! ```
//! use rolectl_sigv4::{
//!     sign_headers, Credentials, Payload, Secret, SignableRequest, SigningKeyCache,
//!     SigningParams, SigningSettings,
//! };
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), None);
//! let body = b"Action=GetCallerIdentity&Version=2011-06-15";
//! let headers = [
//!     ("host", "sts.us-east-1.amazonaws.com"),
//!     ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
//! ];
//! let request = SignableRequest { method: "POST", uri: "/", headers: &headers, payload: Payload::Bytes(body) };
//! let params = SigningParams {
//!     credentials: &credentials,
//!     region: "us-east-1",
//!     service: "sts",
//!     time: time::macros::datetime!(2015-08-30 12:36:00 UTC),
//!     settings: SigningSettings::default(),
//! };
//! let signed = sign_headers(&request, &params)?;
//! assert_eq!(signed.header("x-amz-date"), Some("20150830T123600Z"));
//! assert!(signed.header("authorization").unwrap().contains("SignedHeaders=content-type;host;x-amz-date,"));
//!
//! // A long-lived cache derives the signing key once per day and scope.
//! let cache = SigningKeyCache::default();
//! assert_eq!(cache.sign_headers(&request, &params)?.signature(), signed.signature());
//! # Ok::<(), rolectl_sigv4::SigningError>(())
//! ```
//!
//! Choices where the AWS suites and SDKs leave room:
//! - The URI is taken as sent on the wire. By default its path is encoded
//!   once more (`%3A` is signed as `%253A`), as every service but S3
//!   expects; [`SigningSettings::s3`] signs it as sent.
//! - Path normalization removes `.`/`..` segments as RFC 3986 does and
//!   collapses repeated slashes; a path ending in a dot segment keeps a
//!   trailing slash.
//! - Query names and values are decoded (`%XX`, and `+` as a space, as
//!   servers read forms) and encoded once; an escape that is not UTF-8 is
//!   signed as the byte it stands for.
//! - `authorization`, `user-agent`, `x-amzn-trace-id`, `expect` and
//!   `transfer-encoding` are never signed (proxies change them); input
//!   headers the signer sets itself are replaced, not signed twice.

mod canonical;
mod credentials;
pub mod encoding;
mod error;
mod key;
mod request;
mod sign;

pub use credentials::{Credentials, Secret};
pub use error::SigningError;
pub use key::{SigningKey, SigningKeyCache};
pub use request::{Payload, SignableRequest, SigningParams, SigningSettings};
pub use sign::{
    presign_query, sign_headers, PresignedOutput, SignedOutput, ALGORITHM, UNSIGNED_PAYLOAD,
};
