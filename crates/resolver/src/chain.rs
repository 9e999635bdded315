//! The chain a plan describes, as data: a base source, then the roles to
//! assume, every step with the profile and place it came from.

use rolectl_config_parser::Location;
use rolectl_sigv4::Secret;
use rolectl_sts_client::Endpoint;

/// Where a step of the chain was configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub profile: String,
    pub location: Location,
}

/// Why a base source is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The default chain reached it: nothing earlier gave credentials.
    DefaultChain,
    /// A profile's `credential_source` names it.
    CredentialSource(Origin),
}

/// The three values `credential_source` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

impl NamedSource {
    pub fn parse(value: &str) -> Option<NamedSource> {
        match value {
            "Environment" => Some(NamedSource::Environment),
            "Ec2InstanceMetadata" => Some(NamedSource::Ec2InstanceMetadata),
            "EcsContainer" => Some(NamedSource::EcsContainer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NamedSource::Environment => "Environment",
            NamedSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            NamedSource::EcsContainer => "EcsContainer",
        }
    }
}

/// Long-lived or externally supplied keys (the secrets are [`Secret`]s, so
/// `Debug` shows no secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    /// `AWS_CREDENTIAL_EXPIRATION`, as given.
    pub expiration: Option<String>,
    pub account_id: Option<String>,
}

/// An AssumeRoleWithWebIdentity call (the token file is read at each call).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentity {
    pub role_arn: String,
    pub token_file: String,
    /// `None`: a name is generated and left out of the cache key.
    pub role_session_name: Option<String>,
    /// The profile that configured it; `None` when every setting came from
    /// the environment.
    pub origin: Option<Origin>,
}

/// How to ask the container credentials endpoint (ECS, EKS Pod Identity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRequest {
    pub url: String,
    pub authorization: Option<ContainerAuth>,
}

/// The `Authorization` header value for the container endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerAuth {
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    Token(Secret),
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`: read before each request.
    TokenFile(String),
}

/// How to ask the EC2 instance metadata service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImdsRequest {
    /// Base URL, `http://169.254.169.254/` unless configured.
    pub endpoint: String,
    /// `metadata_service_num_attempts` (default 1, as in the AWS CLI).
    pub attempts: u32,
    /// `metadata_service_timeout` in seconds (default 1).
    pub timeout_seconds: u32,
}

/// The first credentials of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `AWS_ACCESS_KEY_ID` and friends.
    Environment {
        credentials: StaticCredentials,
        reason: Reason,
    },
    /// `aws_access_key_id` / `aws_secret_access_key` in a profile.
    StaticKeys {
        origin: Origin,
        credentials: StaticCredentials,
    },
    WebIdentity(WebIdentity),
    /// Long-term keys kept in the OS keychain (`rolectl keys add`), read
    /// when resolving ([`crate::Effect::KeychainKeys`]).
    Keychain {
        /// The profile, at its `rolectl_keychain` key, else its section.
        origin: Origin,
        /// The access key id the front end's keychain index gives.
        access_key_id: String,
        /// `rolectl_keychain = true`; else the files hold no keys for it.
        explicit: bool,
    },
    /// `credential_process`.
    Process {
        origin: Origin,
        command: String,
        /// `aws_account_id`, used when the process does not print one.
        account_id: Option<String>,
        /// `rolectl_process_cache = true`: its output is cached under this
        /// key (`rolectl-process-<sha1>`) until shortly before it expires.
        cache_key: Option<String>,
    },
    /// IAM Identity Center: the cached token, then GetRoleCredentials.
    Sso {
        origin: Origin,
        /// The SSO settings, the session's merged in, sorted by name.
        settings: Vec<(String, String)>,
        /// `None` for a profile with token settings only (no
        /// `sso_account_id` / `sso_role_name`): the AWS CLI gets no
        /// credentials from it.
        source: Option<SsoSource>,
    },
    /// A console login session (`login_session`, `aws login`).
    Login {
        origin: Origin,
        source: LoginSource,
    },
    Container {
        reason: Reason,
        request: ContainerRequest,
    },
    Imds {
        reason: Reason,
        request: ImdsRequest,
    },
    /// A `credential_source` this environment cannot serve: `Environment`
    /// without keys, `EcsContainer` without the container variables,
    /// `Ec2InstanceMetadata` with instance metadata disabled. The plan
    /// still shows the chain; the machine stops with
    /// `ResolveError::CredentialSourceEmpty` when it reaches this source
    /// (a fresh cached role in front of it is used without reaching it).
    UnavailableSource {
        source: NamedSource,
        /// The profile and place of its `credential_source`.
        origin: Origin,
    },
}

/// An IAM Identity Center profile, its `[sso-session]` merged in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSource {
    /// `sso_session`; `None` for the legacy form (start URL in the profile).
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
    /// `sso_registration_scopes`, as written.
    pub registration_scopes: Option<String>,
    /// Where GetRoleCredentials goes (`AWS_ENDPOINT_URL_SSO`, ...).
    pub portal_url: String,
    /// Where a token refresh goes (`AWS_ENDPOINT_URL_SSO_OIDC`, ...).
    pub oidc_url: String,
}

/// A `login_session` profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginSource {
    /// The session's ARN, as `login_session` gives it.
    pub session: String,
    /// The session's region (the token's `signInRegion` wins over it).
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL`, ...; `None`: the
    /// regional Sign-In host.
    pub configured_url: Option<String>,
}

/// One AssumeRole call of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleStep {
    /// The profile and the place of its `role_arn`.
    pub origin: Origin,
    pub role_arn: String,
    pub role_session_name: Option<String>,
    pub external_id: Option<String>,
    pub mfa_serial: Option<String>,
    /// `mfa_process` (aws-vault's key): a command whose output is the code.
    pub mfa_process: Option<String>,
    pub duration_seconds: Option<u32>,
    /// Where `role_session_name`, `external_id` and `mfa_serial` are set.
    pub places: RolePlaces,
    /// A setting that stops the resolution before any call (a value out
    /// of range, a character STS refuses). `plan` returns it as its error;
    /// `explain` shows the chain with it as a note on this step.
    pub problem: Option<Box<crate::error::ResolveError>>,
}

/// The places of a role's optional settings, for errors that name them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RolePlaces {
    pub role_session_name: Option<Location>,
    pub external_id: Option<Location>,
    pub mfa_serial: Option<Location>,
}

/// What turned an MFA session on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MfaSessionSwitch {
    /// `--mfa-session` (or [`crate::Options::mfa_session`]).
    Option,
    /// `ROLECTL_MFA_SESSION` in the environment.
    Environment,
    /// `rolectl_mfa_session = true` in a profile, at that place.
    Profile(Origin),
}

/// rolectl's MFA session for the first role of a chain: one STS
/// GetSessionToken with the long-term keys of the base, the role's
/// `mfa_serial` and a code, cached under [`MfaSession::cache_key`]; the role
/// is then assumed with the session's credentials and no MFA parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaSession {
    pub serial: String,
    /// `rolectl_mfa_session_duration`, else 43200.
    pub duration_seconds: u32,
    /// The long-term access key id the session is asked with (never the secret).
    pub access_key_id: String,
    pub switch: MfaSessionSwitch,
    /// Where `rolectl_mfa_session_duration` was set, if it was.
    pub duration_origin: Option<Origin>,
    /// `rolectl-mfa-session-<sha1>`: cannot be one of the AWS CLI's keys.
    pub cache_key: String,
}

/// A role with `mfa_serial` for which an MFA session was asked but cannot
/// be had (its credentials do not come from long-term keys): its code is
/// asked for it alone, as in the AWS CLI, with a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaSessionFallback {
    /// The role's profile.
    pub profile: String,
    pub switch: MfaSessionSwitch,
    /// Why, as the end of a sentence (`its source is the role of profile "a"`).
    pub reason: String,
}

/// The whole chain for a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The selected profile (`default` when none was named).
    pub profile: String,
    /// Whether the selected profile exists in the files.
    pub profile_found: bool,
    pub region: Option<String>,
    /// Where every STS call of the chain goes.
    pub endpoint: Endpoint,
    pub base: Base,
    /// Roles to assume in order, each with the previous credentials.
    pub roles: Vec<RoleStep>,
    /// The MFA session of `roles[0]`, when one is asked for and possible.
    pub mfa_session: Option<MfaSession>,
    /// Roles that ask for their own code although an MFA session was asked.
    pub mfa_session_fallbacks: Vec<MfaSessionFallback>,
}
