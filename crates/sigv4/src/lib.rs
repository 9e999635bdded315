//! AWS Signature Version 4, pure: request parts, credentials, region,
//! service and time in; canonical request, string to sign and signature out.

mod credentials;

pub use credentials::{Credentials, Secret};
