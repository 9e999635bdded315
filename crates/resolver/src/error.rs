//! Everything that can stop a resolution, each a case the user can act on.
//! Texts name the profile and the `file:line:column` the setting came from.

use rolectl_config_parser::Location;

/// Why no credentials could be produced.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("The config profile ({profile}) could not be found")]
    ProfileNotFound { profile: String },

    #[error("The profile \"{profile}\" ({location}) sets role_arn but neither source_profile nor credential_source; set one of them to say which credentials assume the role.")]
    RoleWithoutSource { profile: String, location: Location },

    #[error("The profile \"{profile}\" ({location}) contains both source_profile and credential_source; keep only one of them.")]
    BothSourceProfileAndCredentialSource { profile: String, location: Location },

    #[error("The credential_source \"{value}\" in profile \"{profile}\" ({location}) is not valid; valid values are Environment, Ec2InstanceMetadata and EcsContainer.")]
    UnknownCredentialSource {
        profile: String,
        value: String,
        location: Location,
    },

    #[error("The source_profile \"{source_profile}\" referenced in the profile \"{profile}\" ({location}) does not exist.")]
    SourceProfileNotFound {
        profile: String,
        source_profile: String,
        location: Location,
    },

    #[error("The source profile \"{source_profile}\" (referenced in the profile \"{profile}\" at {location}) must have credentials.")]
    SourceProfileWithoutCredentials {
        profile: String,
        source_profile: String,
        location: Location,
    },

    #[error("The profiles form a loop through source_profile: {} ({location}).", .chain.join(" -> "))]
    Cycle {
        chain: Vec<String>,
        location: Location,
    },

    #[error(
        "Partial credentials found in profile \"{profile}\" ({location}), missing: {missing}."
    )]
    PartialCredentials {
        profile: String,
        missing: &'static str,
        location: Location,
    },

    #[error("Partial credentials found in the environment, missing: {missing}{}.", .referenced_by.as_ref().map(|o| format!(" (the environment is the credential_source of profile \"{}\" at {}); set it, or unset the other AWS_ variables", o.profile, o.location)).unwrap_or_default())]
    PartialEnvironmentCredentials {
        missing: &'static str,
        /// The profile whose `credential_source = Environment` read them.
        referenced_by: Option<crate::chain::Origin>,
    },

    #[error("The {where_} is configured to assume a role with web identity ({token_file}) but has no role ARN; set role_arn in the profile or AWS_ROLE_ARN in the environment.")]
    WebIdentityWithoutRoleArn { where_: String, token_file: String },

    #[error("The duration_seconds \"{value}\" in profile \"{profile}\" ({location}) is not a whole number of seconds from 900 to 43200.")]
    InvalidDurationSeconds {
        profile: String,
        value: String,
        location: Location,
    },

    /// rolectl's own `rolectl_mfa_session` / `rolectl_mfa_session_duration`
    /// keys, read where they matter (lint checks them everywhere).
    #[error("The {key} \"{value}\" in profile \"{profile}\" ({location}) is not {expected}.")]
    InvalidMfaSessionSetting {
        profile: String,
        key: &'static str,
        value: String,
        expected: &'static str,
        location: Location,
    },

    /// A parameter botocore's validation refuses before the call (too short),
    /// or STS would refuse (too long).
    #[error("The {setting} {}{} is {length} characters long, but STS takes {min} to {max} for {parameter}.", whose(.profile.as_deref()), .location.map(|l| format!(" ({l})")).unwrap_or_default())]
    ParameterLength {
        parameter: &'static str,
        setting: String,
        profile: Option<String>,
        /// Where the setting is, when it is in a file.
        location: Option<Location>,
        length: usize,
        min: usize,
        max: usize,
    },

    #[error("The MFA code for {serial} (profile \"{profile}\") must be exactly 6 digits.")]
    InvalidMfaCode { serial: String, profile: String },

    #[error("The profile \"{profile}\" ({location}) sets rolectl_keychain = true, but the OS keychain holds no keys for it; add them with `rolectl keys add {profile}` (or `rolectl keys import {profile}`).")]
    KeychainEmpty { profile: String, location: Location },

    #[error("The keys of profile \"{profile}\" could not be read from the OS keychain: {message}")]
    Keychain { profile: String, message: String },

    #[error("No MFA code could be read for {serial} (profile \"{profile}\"): {message}")]
    MfaUnavailable {
        serial: String,
        profile: String,
        message: String,
    },

    #[error("No credentials found in credential_source {source_name} referenced in profile \"{profile}\" ({location}){}", .detail.as_ref().map(|d| format!(": {d}")).unwrap_or_else(|| ".".to_owned()))]
    CredentialSourceEmpty {
        profile: String,
        source_name: &'static str,
        location: Location,
        detail: Option<String>,
    },

    #[error(
        "Unable to locate credentials. You can configure credentials by running \"aws configure\"."
    )]
    NoCredentials,

    #[error("The profile \"{profile}\" ({location}) is configured to use SSO but {problem}.")]
    InvalidSsoConfig {
        profile: String,
        location: Location,
        problem: SsoProblem,
    },

    #[error("The profile \"{profile}\" ({location}) names an sso-session but has no sso_account_id and sso_role_name, so it gives no credentials (the AWS CLI uses it for SSO tokens only); add both to get role credentials.")]
    SsoWithoutRole { profile: String, location: Location },

    #[error("Error loading SSO Token: Token for {name} does not exist (profile \"{profile}\", ~/.aws/sso/cache/{key}.json); run `rolectl sso login --profile {profile}` (or `aws sso login --profile {profile}`) to log in.")]
    SsoTokenMissing {
        profile: String,
        name: String,
        key: String,
    },

    #[error("The SSO token of profile \"{profile}\" (~/.aws/sso/cache/{key}.json) cannot be used: {reason}; run `rolectl sso login --profile {profile}` (or `aws sso login --profile {profile}`) to log in again.")]
    SsoTokenInvalid {
        profile: String,
        key: String,
        reason: String,
    },

    #[error("The SSO session of profile \"{profile}\" has expired (its token expired at {expired_at}) and could not be refreshed: {refresh}. Run `rolectl sso login --profile {profile}` (or `aws sso login --profile {profile}`) to log in again.")]
    SsoTokenExpired {
        profile: String,
        expired_at: String,
        refresh: String,
    },

    #[error("The SSO session associated with profile \"{profile}\" has expired or is otherwise invalid (the portal refused its token). To refresh this SSO session run `rolectl sso login --profile {profile}` (or `aws sso login --profile {profile}`).")]
    SsoUnauthorized { profile: String },

    #[error("{message} (IAM Identity Center, profile \"{profile}\")")]
    SsoCall { profile: String, message: String },

    #[error("Error loading login session token: Unable to load a existing login session for session {session} (profile \"{profile}\", {key}.json in the login cache). Please reauthenticate with `rolectl login --profile {profile}` (or `aws login --profile {profile}`).")]
    LoginTokenMissing {
        profile: String,
        session: String,
        key: String,
    },

    #[error("Error loading login session token of profile \"{profile}\" ({key}.json in the login cache): {reason}. Please reauthenticate with `rolectl login --profile {profile}` (or `aws login --profile {profile}`).")]
    LoginTokenInvalid {
        profile: String,
        key: String,
        reason: String,
    },

    #[error("The login session of profile \"{profile}\" must be refreshed, but no region is known: its token has no signInRegion and no region is configured; set region in the profile or AWS_REGION.")]
    LoginNoRegion { profile: String },

    #[error("Your session has expired or credentials have changed (profile \"{profile}\"). Please reauthenticate using `rolectl login --profile {profile}` (or `aws login --profile {profile}`).")]
    LoginRefreshRequired { profile: String },

    #[error("Unable to create or refresh login credentials due to insufficient permissions (profile \"{profile}\"). You may be missing permission for the 'signin:CreateOAuth2Token' action.")]
    LoginInsufficientPermissions { profile: String },

    #[error("An unspecified error happened when refreshing the login session of profile \"{profile}\": {message}")]
    LoginRefresh { profile: String, message: String },

    #[error("The container credentials URL {url} in {variable} is not allowed: use https, a loopback address, or the ECS/EKS link-local addresses.")]
    ContainerHostNotAllowed { url: String, variable: &'static str },

    #[error("The {setting} of profile \"{profile}\" ({location}) holds the character U+{code_point:04X}, which STS refuses in {parameter}; remove it.")]
    ForbiddenCharacter {
        profile: String,
        setting: &'static str,
        parameter: &'static str,
        code_point: u32,
        location: Location,
    },

    #[error("Unable to locate credentials: the profile \"{profile}\" ({location}) sets no credentials (keys, role_arn, credential_process, web identity or SSO settings), and no container or instance metadata credentials were found; add them to the profile or choose another one.")]
    NoCredentialsInProfile { profile: String, location: Location },

    #[error("The container authorization token in {source_name} contains a line break, which cannot be sent in a header.")]
    ContainerAuthToken { source_name: String },

    #[error("Error when retrieving credentials from the container endpoint {url}: {message}")]
    Container { url: String, message: String },

    #[error("Error when retrieving credentials from custom-process (profile \"{profile}\", {location}): {message}")]
    Process {
        profile: String,
        location: Location,
        message: String,
    },

    #[error("Could not read {path} ({purpose}{}): {message}", whose_file(.profile.as_deref()))]
    ReadFile {
        path: String,
        purpose: &'static str,
        /// The profile that names the file; `None` when the environment does.
        profile: Option<String>,
        message: String,
    },

    /// An STS error, worded as the AWS CLI words it
    /// (`An error occurred (Code) when calling the AssumeRole operation: ...`).
    #[error("{message}")]
    Sts {
        operation: &'static str,
        profile: Option<String>,
        message: String,
    },

    #[error(
        "The resolver stopped in state {state} without a next step; this is a bug in rolectl."
    )]
    Internal { state: String },
}

fn whose_file(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!(" of profile \"{p}\""),
        None => String::new(),
    }
}

fn whose(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("of profile \"{p}\""),
        None => "from the environment".to_owned(),
    }
}

/// What is wrong with an SSO profile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SsoProblem {
    #[error("is missing required configuration: sso_account_id")]
    MissingAccountId,
    #[error("is missing required configuration: sso_role_name")]
    MissingRoleName,
    #[error("the specified sso-session does not exist: \"{0}\"")]
    SessionNotFound(String),
    #[error("it sets {0}, which belongs in its [sso-session] section")]
    SettingOutsideSession(&'static str),
    #[error("the value for {key} is inconsistent between profile ({profile_value}) and sso-session ({session_value})")]
    Inconsistent {
        key: &'static str,
        profile_value: String,
        session_value: String,
    },
    #[error("is missing required configuration: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
}

impl ResolveError {
    /// Where in the files the problem is, for front ends that print the
    /// real path instead of `config` / `credentials`.
    pub fn location(&self) -> Option<Location> {
        match self {
            ResolveError::RoleWithoutSource { location, .. }
            | ResolveError::BothSourceProfileAndCredentialSource { location, .. }
            | ResolveError::UnknownCredentialSource { location, .. }
            | ResolveError::SourceProfileNotFound { location, .. }
            | ResolveError::SourceProfileWithoutCredentials { location, .. }
            | ResolveError::Cycle { location, .. }
            | ResolveError::PartialCredentials { location, .. }
            | ResolveError::InvalidDurationSeconds { location, .. }
            | ResolveError::InvalidMfaSessionSetting { location, .. }
            | ResolveError::CredentialSourceEmpty { location, .. }
            | ResolveError::InvalidSsoConfig { location, .. }
            | ResolveError::ForbiddenCharacter { location, .. }
            | ResolveError::NoCredentialsInProfile { location, .. }
            | ResolveError::SsoWithoutRole { location, .. }
            | ResolveError::Process { location, .. } => Some(*location),
            ResolveError::ParameterLength { location, .. } => *location,
            _ => None,
        }
    }
}
