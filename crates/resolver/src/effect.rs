//! The I/O requests the resolver makes: one [`Effect`] at a time, each
//! answered by the matching `handle_*` method of [`crate::Resolver`].

use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::{CreateOAuth2TokenInput, Endpoint, Operation, SsoOperation};
use std::fmt;

use crate::chain::ImdsRequest;

/// Something the machine needs done before it can go on.
// A handful of effects per resolution: their size does not matter, and
// unboxed operations keep patterns on them simple.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq)]
pub enum Effect {
    /// Call STS. `credentials` is `None` for AssumeRoleWithWebIdentity,
    /// which is sent unsigned. Answer with [`Resolver::handle_sts`](crate::Resolver::handle_sts).
    Sts {
        operation: Operation,
        credentials: Option<Credentials>,
        endpoint: Endpoint,
        /// The profile the call is made for (for messages and prompts).
        profile: Option<String>,
    },
    /// Ask the user for the current code of an MFA device
    /// (`Enter MFA code for <serial>: `). Answer with [`Resolver::handle_mfa_code`](crate::Resolver::handle_mfa_code).
    MfaCode { serial: String, profile: String },
    /// Run the profile's `mfa_process` (split as a shell would, no shell,
    /// with a timeout): its trimmed output is the code for `serial`.
    /// Answer with [`Resolver::handle_mfa_code`](crate::Resolver::handle_mfa_code).
    MfaProcess {
        command: String,
        serial: String,
        profile: String,
    },
    /// Read a file whole (a web identity token, a container authorization
    /// token). Answer with [`Resolver::handle_file`](crate::Resolver::handle_file).
    ReadFile { path: String },
    /// Read `<cache dir>/<key>.json`. Answer with [`Resolver::handle_cache_entry`](crate::Resolver::handle_cache_entry).
    CacheGet { key: String },
    /// Write `entry` to `<cache dir>/<key>.json`. Answer with [`Resolver::handle_cache_stored`](crate::Resolver::handle_cache_stored).
    CachePut { key: String, entry: String },
    /// Fetch role credentials from the EC2 instance metadata service: an
    /// IMDSv2 token (`PUT latest/api/token`; on 403, 404 or 405 the AWS CLI
    /// goes on without one), the role name, then its credentials document.
    /// Answer with [`Resolver::handle_imds`](crate::Resolver::handle_imds).
    ImdsCredentials(ImdsRequest),
    /// GET the container credentials URL. Answer with [`Resolver::handle_container`](crate::Resolver::handle_container).
    ContainerCredentials {
        url: String,
        authorization: Option<Secret>,
    },
    /// Read the long-term keys of `profile` from the OS keychain. Answer with
    /// [`Resolver::handle_keychain`](crate::Resolver::handle_keychain).
    KeychainKeys { profile: String },
    /// Run a `credential_process` command line (split as a shell would).
    /// Answer with [`Resolver::handle_process`](crate::Resolver::handle_process).
    RunProcess { command: String, profile: String },
    /// Read `~/.aws/sso/cache/<key>.json`, an SSO token. Answer with
    /// [`Resolver::handle_sso_token`](crate::Resolver::handle_sso_token).
    SsoTokenGet { key: String },
    /// Write a refreshed SSO token to `~/.aws/sso/cache/<key>.json`. Answer
    /// with [`Resolver::handle_sso_token_stored`](crate::Resolver::handle_sso_token_stored).
    SsoTokenPut { key: String, entry: String },
    /// Call the SSO portal or SSO OIDC at `url`. Answer with
    /// [`Resolver::handle_sso`](crate::Resolver::handle_sso).
    Sso {
        operation: SsoOperation,
        url: String,
        profile: String,
    },
    /// Read `<login cache>/<key>.json` (`AWS_LOGIN_CACHE_DIRECTORY`, else
    /// `~/.aws/login/cache`). Answer with [`Resolver::handle_login_token`](crate::Resolver::handle_login_token).
    LoginTokenGet { key: String },
    /// Write a refreshed login session to `<login cache>/<key>.json`. Answer
    /// with [`Resolver::handle_login_token_stored`](crate::Resolver::handle_login_token_stored).
    LoginTokenPut { key: String, entry: String },
    /// `len` random bytes (a DPoP proof's `jti`). Answer with
    /// [`Resolver::handle_random`](crate::Resolver::handle_random).
    Random { len: usize },
    /// Call Sign-In's CreateOAuth2Token at `url`. Answer with
    /// [`Resolver::handle_signin`](crate::Resolver::handle_signin).
    Signin {
        input: CreateOAuth2TokenInput,
        url: String,
        profile: String,
    },
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Sts {
                operation,
                credentials,
                endpoint,
                profile,
            } => f
                .debug_struct("Sts")
                .field("operation", operation)
                .field("credentials", credentials)
                .field("endpoint", endpoint)
                .field("profile", profile)
                .finish(),
            Effect::MfaCode { serial, profile } => f
                .debug_struct("MfaCode")
                .field("serial", serial)
                .field("profile", profile)
                .finish(),
            Effect::MfaProcess {
                command,
                serial,
                profile,
            } => f
                .debug_struct("MfaProcess")
                .field("command", command)
                .field("serial", serial)
                .field("profile", profile)
                .finish(),
            Effect::ReadFile { path } => f.debug_struct("ReadFile").field("path", path).finish(),
            Effect::CacheGet { key } => f.debug_struct("CacheGet").field("key", key).finish(),
            Effect::CachePut { key, .. } => f
                .debug_struct("CachePut")
                .field("key", key)
                .field("entry", &"** redacted **")
                .finish(),
            Effect::ImdsCredentials(r) => f.debug_tuple("ImdsCredentials").field(r).finish(),
            Effect::ContainerCredentials { url, authorization } => f
                .debug_struct("ContainerCredentials")
                .field("url", url)
                .field("authorization", authorization)
                .finish(),
            Effect::KeychainKeys { profile } => f
                .debug_struct("KeychainKeys")
                .field("profile", profile)
                .finish(),
            Effect::RunProcess { command, profile } => f
                .debug_struct("RunProcess")
                .field("command", command)
                .field("profile", profile)
                .finish(),
            Effect::SsoTokenGet { key } => f.debug_struct("SsoTokenGet").field("key", key).finish(),
            Effect::SsoTokenPut { key, .. } => f
                .debug_struct("SsoTokenPut")
                .field("key", key)
                .field("entry", &"** redacted **")
                .finish(),
            Effect::LoginTokenGet { key } => {
                f.debug_struct("LoginTokenGet").field("key", key).finish()
            }
            Effect::LoginTokenPut { key, .. } => f
                .debug_struct("LoginTokenPut")
                .field("key", key)
                .field("entry", &"** redacted **")
                .finish(),
            Effect::Random { len } => f.debug_struct("Random").field("len", len).finish(),
            Effect::Signin {
                input,
                url,
                profile,
            } => f
                .debug_struct("Signin")
                .field("input", input)
                .field("url", url)
                .field("profile", profile)
                .finish(),
            Effect::Sso {
                operation,
                url,
                profile,
            } => f
                .debug_struct("Sso")
                .field("operation", operation)
                .field("url", url)
                .field("profile", profile)
                .finish(),
        }
    }
}

impl Effect {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Effect::Sts { .. } => Kind::Sts,
            Effect::MfaCode { .. } | Effect::MfaProcess { .. } => Kind::Mfa,
            Effect::ReadFile { .. } => Kind::File,
            Effect::CacheGet { .. } => Kind::CacheGet,
            Effect::CachePut { .. } => Kind::CachePut,
            Effect::ImdsCredentials(_) => Kind::Imds,
            Effect::ContainerCredentials { .. } => Kind::Container,
            Effect::RunProcess { .. } => Kind::Process,
            Effect::KeychainKeys { .. } => Kind::Keychain,
            Effect::SsoTokenGet { .. } => Kind::SsoTokenGet,
            Effect::SsoTokenPut { .. } => Kind::SsoTokenPut,
            Effect::Sso { .. } => Kind::Sso,
            Effect::LoginTokenGet { .. } => Kind::LoginTokenGet,
            Effect::LoginTokenPut { .. } => Kind::LoginTokenPut,
            Effect::Random { .. } => Kind::Random,
            Effect::Signin { .. } => Kind::Signin,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Sts,
    Mfa,
    File,
    CacheGet,
    CachePut,
    Imds,
    Container,
    Process,
    Keychain,
    SsoTokenGet,
    SsoTokenPut,
    Sso,
    LoginTokenGet,
    LoginTokenPut,
    Random,
    Signin,
}
