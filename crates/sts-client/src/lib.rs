//! AWS STS over the Query protocol: pure request builders and response
//! parsers, endpoint resolution, and a `Transport` trait with a native
//! reqwest transport behind the `native` feature.

mod model;

pub use model::{
    AssumeRoleInput, AssumeRoleOutput, AssumeRoleWithWebIdentityInput, AssumedRoleUser,
    CallerIdentity, Endpoint, GetSessionTokenInput, Operation, Output, TemporaryCredentials,
};
pub use rolectl_sigv4::{Credentials, Secret};
