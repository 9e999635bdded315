//! The STS operations rolectl calls and what they return, as plain data.
//! The resolver names these in its effects; builders and parsers turn them
//! into and out of HTTP messages.

use std::fmt;

use rolectl_sigv4::Secret;
use time::OffsetDateTime;

/// `AssumeRole` parameters, in the AWS CLI's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumeRoleInput {
    pub role_arn: String,
    pub role_session_name: String,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
    /// The MFA code; never logged, never part of a cache key.
    pub token_code: Option<Secret>,
    pub duration_seconds: Option<u32>,
    /// An inline session policy (JSON text).
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub source_identity: Option<String>,
}

/// `AssumeRoleWithWebIdentity` parameters (the call is unsigned).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumeRoleWithWebIdentityInput {
    pub role_arn: String,
    pub role_session_name: String,
    /// The token exactly as read from the token file.
    pub web_identity_token: Secret,
    pub provider_id: Option<String>,
    pub duration_seconds: Option<u32>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
}

/// `GetSessionToken` parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetSessionTokenInput {
    pub duration_seconds: Option<u32>,
    pub serial_number: Option<String>,
    pub token_code: Option<Secret>,
}

/// `GetFederationToken` parameters (botocore's STS model: `Name` 2 to 32
/// characters of `[\w+=,.@-]`, `Policy` up to 2048 characters,
/// `DurationSeconds` 900 to 129600). [`crate::build_request`] checks them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetFederationTokenInput {
    /// The federated user's name.
    pub name: String,
    /// An inline session policy (JSON text).
    pub policy: Option<String>,
    pub duration_seconds: Option<u32>,
}

/// One STS call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    AssumeRole(AssumeRoleInput),
    AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput),
    GetSessionToken(GetSessionTokenInput),
    GetCallerIdentity,
    GetFederationToken(GetFederationTokenInput),
}

impl Operation {
    /// The `Action` name, as it appears in the request and in error texts.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::AssumeRole(_) => "AssumeRole",
            Operation::AssumeRoleWithWebIdentity(_) => "AssumeRoleWithWebIdentity",
            Operation::GetSessionToken(_) => "GetSessionToken",
            Operation::GetCallerIdentity => "GetCallerIdentity",
            Operation::GetFederationToken(_) => "GetFederationToken",
        }
    }

    /// Whether the request carries a SigV4 signature.
    pub fn is_signed(&self) -> bool {
        !matches!(self, Operation::AssumeRoleWithWebIdentity(_))
    }
}

/// Temporary credentials as STS returns them.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: OffsetDateTime,
}

impl fmt::Debug for TemporaryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration)
            .finish()
    }
}

impl TemporaryCredentials {
    /// The credentials to sign the next call with.
    pub fn to_signing(&self) -> rolectl_sigv4::Credentials {
        rolectl_sigv4::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            Some(self.session_token.clone()),
        )
    }
}

/// `AssumedRoleUser` of an AssumeRole response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedRoleUser {
    pub assumed_role_id: String,
    pub arn: String,
}

/// The result of `AssumeRole` or `AssumeRoleWithWebIdentity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRoleOutput {
    pub credentials: TemporaryCredentials,
    pub assumed_role_user: Option<AssumedRoleUser>,
    pub packed_policy_size: Option<u32>,
    pub source_identity: Option<String>,
    /// Web identity only.
    pub subject_from_web_identity_token: Option<String>,
    /// Web identity only.
    pub provider: Option<String>,
    /// Web identity only.
    pub audience: Option<String>,
}

/// The result of `GetCallerIdentity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub user_id: String,
    pub account: String,
    pub arn: String,
}

/// `FederatedUser` of a GetFederationToken response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FederatedUser {
    /// `account:name`.
    pub federated_user_id: String,
    pub arn: String,
}

/// The result of `GetFederationToken`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetFederationTokenOutput {
    pub credentials: TemporaryCredentials,
    pub federated_user: Option<FederatedUser>,
    pub packed_policy_size: Option<u32>,
}

/// A successful STS response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    AssumeRole(AssumeRoleOutput),
    AssumeRoleWithWebIdentity(AssumeRoleOutput),
    GetSessionToken(TemporaryCredentials),
    GetCallerIdentity(CallerIdentity),
    GetFederationToken(GetFederationTokenOutput),
}

/// Where to send an STS call and how to sign it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Scheme, host and optional port and path, e.g. `https://sts.us-east-1.amazonaws.com`.
    pub url: String,
    /// The region in the SigV4 credential scope.
    pub signing_region: String,
}
