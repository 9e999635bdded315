//! What a resolution ends with: the credentials and where they came from,
//! and the warnings gathered on the way.

use rolectl_sigv4::{Credentials, Secret};
use std::fmt;
use time::OffsetDateTime;

use crate::cache::CacheEntry;
use crate::sources::SourceCredentials;

/// Where the final credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    Environment,
    /// Static keys of a profile.
    Profile {
        profile: String,
    },
    Process {
        profile: String,
    },
    Container,
    Imds,
    WebIdentity {
        role_arn: String,
    },
    AssumeRole {
        profile: String,
        role_arn: String,
    },
    /// A console login session's credentials.
    Login {
        profile: String,
        session: String,
    },
    /// IAM Identity Center's GetRoleCredentials for a profile.
    Sso {
        profile: String,
        account_id: String,
        role_name: String,
    },
}

/// The credentials a resolution ends with (`Debug` redacts the secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<OffsetDateTime>,
    pub account_id: Option<String>,
    pub source: CredentialSource,
    /// Whether the last step was answered from the cache.
    pub from_cache: bool,
}

impl ResolvedCredentials {
    /// The credentials to sign a request with.
    pub fn to_signing(&self) -> Credentials {
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
        )
    }

    pub(crate) fn from_source(c: SourceCredentials, source: CredentialSource) -> Self {
        ResolvedCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            expiration: c.expiration,
            account_id: c.account_id,
            source,
            from_cache: false,
        }
    }

    pub(crate) fn from_entry(
        entry: &CacheEntry,
        source: CredentialSource,
        from_cache: bool,
    ) -> Self {
        ResolvedCredentials {
            access_key_id: entry.access_key_id.clone(),
            secret_access_key: entry.secret_access_key.clone(),
            session_token: Some(entry.session_token.clone()),
            expiration: Some(entry.expiration),
            account_id: entry.account_id.clone(),
            source,
            from_cache,
        }
    }
}

/// Something worth telling the user that did not stop the resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A cache file could not be used; it was treated as a miss.
    CorruptCacheEntry { key: String, reason: String },
    /// The front end would not read a cache file (too large, not a regular
    /// file, unreadable); it was treated as a miss.
    UnusableCacheEntry { key: String, reason: String },
    /// A cache file could not be written.
    CacheWriteFailed { key: String, message: String },
    /// `AWS_CREDENTIAL_EXPIRATION` is not an ISO 8601 time; it was ignored.
    InvalidEnvironmentExpiration { value: String },
    /// An MFA session was asked for a role whose source has no long-term
    /// keys: its code was asked for the role alone.
    MfaSessionUnavailable { profile: String, reason: String },
    /// SSO OIDC refused to refresh a token; the cached one was used.
    SsoRefreshFailed { profile: String, message: String },
    /// A refreshed login session could not be written back.
    LoginTokenWriteFailed { key: String, message: String },
    /// A refreshed SSO token could not be written back.
    SsoTokenWriteFailed { key: String, message: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::CorruptCacheEntry { key, reason } => write!(
                f,
                "The cached credentials {key}.json could not be used and were refreshed: {reason}"
            ),
            Warning::UnusableCacheEntry { key, reason } => write!(
                f,
                "The cache entry {key}.json is unusable, because {reason}; it was treated as missing."
            ),
            Warning::CacheWriteFailed { key, message } => {
                write!(
                    f,
                    "The credentials could not be cached as {key}.json: {message}"
                )
            }
            Warning::InvalidEnvironmentExpiration { value } => write!(
                f,
                "AWS_CREDENTIAL_EXPIRATION \"{value}\" is not an ISO 8601 time and was ignored."
            ),
            Warning::MfaSessionUnavailable { profile, reason } => write!(
                f,
                "No MFA session for profile \"{profile}\": {reason}, so its MFA code is asked for this role alone."
            ),
            Warning::SsoRefreshFailed { profile, message } => write!(
                f,
                "The SSO token of profile \"{profile}\" could not be refreshed ({message}); the cached token is used while it lasts."
            ),
            Warning::LoginTokenWriteFailed { key, message } => write!(
                f,
                "The refreshed login session could not be written back as {key}.json: {message}"
            ),
            Warning::SsoTokenWriteFailed { key, message } => write!(
                f,
                "The refreshed SSO token could not be written back as {key}.json: {message}"
            ),
        }
    }
}
