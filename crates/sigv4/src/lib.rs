//! AWS Signature Version 4, pure: request parts, credentials, region,
//! service and time in; canonical request, string to sign and signature
//! out, as an `Authorization` header or as presigned query parameters.

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
