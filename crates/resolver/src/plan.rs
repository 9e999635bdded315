//! The AWS CLI's rules for choosing credentials, walked without any I/O:
//! the result is the chain (a base source, then each role to assume) with
//! the profile and `file:line:column` of every step. `explain` and `lint`
//! print it; the state machine executes it.

use rolectl_config_parser::{FileKind, Location, ProfileSet, Section};
use rolectl_sigv4::Secret;

pub use crate::chain::{
    Base, ContainerAuth, ContainerRequest, ImdsRequest, LoginSource, MfaSession,
    MfaSessionFallback, MfaSessionSwitch, NamedSource, Origin, Plan, Reason, RolePlaces, RoleStep,
    SsoSource, StaticCredentials, WebIdentity,
};
use crate::endpoint;
use crate::error::{ResolveError, SsoProblem};
use crate::input::Snapshot;
use crate::profiles::ProfileKind;

/// Walks the AWS CLI's rules for `snapshot` without I/O. A role setting
/// that must stop the resolution before any call is the error (the
/// problem of the first role, from the selected profile down).
pub fn plan(snapshot: &Snapshot) -> Result<Plan, ResolveError> {
    plan_inner(snapshot, true)
}

/// As [`plan`], but a role setting that stops the resolution is left on
/// its step (`RoleStep::problem`), so that `explain` can show the chain.
pub fn plan_with_problems(snapshot: &Snapshot) -> Result<Plan, ResolveError> {
    plan_inner(snapshot, false)
}

/// `strict`: a role's problem is the error, as soon as its profile is
/// read (before its source is looked at, as botocore reads a role's
/// configuration first).
fn plan_inner(snapshot: &Snapshot, strict: bool) -> Result<Plan, ResolveError> {
    let selected = snapshot.selected_profile();
    let section = snapshot.profile(&selected.name);
    if section.is_none() && selected.named {
        return Err(ResolveError::ProfileNotFound {
            profile: selected.name,
        });
    }
    let region = endpoint::region(snapshot, section);
    let endpoint = endpoint::sts_endpoint(snapshot, section, region.as_deref());
    let (mut base, roles) = chain(snapshot, &selected.name, section, selected.explicit, strict)?;
    crate::sso::fill_endpoints(snapshot, section, &mut base);
    if let Base::Login { source, .. } = &mut base {
        source.region = region.clone();
    }
    crate::login::fill_endpoint(snapshot, section, &mut base);
    let (mfa_session, mfa_session_fallbacks) = mfa_session(snapshot, &base, &roles)?;
    Ok(Plan {
        profile: selected.name,
        profile_found: section.is_some(),
        region,
        endpoint,
        base,
        roles,
        mfa_session,
        mfa_session_fallbacks,
    })
}

/// `rolectl_mfa_session_duration` when not set.
pub const MFA_SESSION_DEFAULT_DURATION: u32 = 43_200;

/// rolectl's MFA session: asked for a role with `mfa_serial` by
/// `--mfa-session`, `ROLECTL_MFA_SESSION=1` (or `true`), or
/// `rolectl_mfa_session = true` in the role's profile or, for the first
/// role, in the profile holding the long-term keys (the role's key wins).
/// Only the first role of a chain with long-term keys (a profile's or the
/// environment's, without a session token) can use one; every other role
/// asked for falls back to its own code.
fn mfa_session(
    snapshot: &Snapshot,
    base: &Base,
    roles: &[RoleStep],
) -> Result<(Option<MfaSession>, Vec<MfaSessionFallback>), ResolveError> {
    let mut session = None;
    let mut fallbacks = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        let Some(serial) = &role.mfa_serial else {
            continue;
        };
        let role_section = snapshot.profile(&role.origin.profile);
        let keys_profile = match (i, base) {
            (0, Base::StaticKeys { origin, .. } | Base::Keychain { origin, .. }) => {
                Some(origin.profile.as_str())
            }
            _ => None,
        };
        let keys_section = keys_profile.and_then(|p| snapshot.profile(p));
        let sections = [
            role_section.map(|s| (role.origin.profile.as_str(), s)),
            keys_profile.zip(keys_section),
        ];
        let Some(switch) = mfa_session_switch(snapshot, &sections)? else {
            continue;
        };
        let long_term = match (i, base) {
            (0, Base::StaticKeys { credentials, .. } | Base::Environment { credentials, .. }) => {
                Some(credentials)
            }
            _ => None,
        };
        let keychain_keys = match (i, base) {
            (0, Base::Keychain { access_key_id, .. }) => Some(StaticCredentials {
                access_key_id: access_key_id.clone(),
                secret_access_key: Secret::new(""),
                session_token: None,
                expiration: None,
                account_id: None,
            }),
            _ => None,
        };
        let long_term = long_term.or(keychain_keys.as_ref());
        match long_term {
            Some(credentials) if credentials.session_token.is_none() => {
                let mut duration = (MFA_SESSION_DEFAULT_DURATION, None);
                for (name, section) in sections.into_iter().flatten() {
                    if let Some((value, location)) = get(section, "rolectl_mfa_session_duration") {
                        let seconds = python_int(value)
                            .and_then(|d| u32::try_from(d).ok())
                            .filter(|d| (900..=129_600).contains(d))
                            .ok_or_else(|| ResolveError::InvalidMfaSessionSetting {
                                profile: name.to_owned(),
                                key: "rolectl_mfa_session_duration",
                                value: value.to_owned(),
                                expected: "a whole number of seconds from 900 to 129600",
                                location,
                            })?;
                        duration = (seconds, Some(origin(name, location)));
                        break;
                    }
                }
                session = Some(MfaSession {
                    serial: serial.clone(),
                    duration_seconds: duration.0,
                    access_key_id: credentials.access_key_id.clone(),
                    switch,
                    duration_origin: duration.1,
                    cache_key: crate::cache::mfa_session_key(
                        &credentials.access_key_id,
                        serial,
                        duration.0,
                    ),
                });
            }
            _ => fallbacks.push(MfaSessionFallback {
                profile: role.origin.profile.clone(),
                switch,
                reason: no_long_term_keys(base, roles, i),
            }),
        }
    }
    Ok((session, fallbacks))
}

/// What asks for an MFA session, if anything: the option, the environment,
/// then the first of `sections` that sets `rolectl_mfa_session`.
fn mfa_session_switch(
    snapshot: &Snapshot,
    sections: &[Option<(&str, &Section<'static>)>],
) -> Result<Option<MfaSessionSwitch>, ResolveError> {
    if snapshot.options.mfa_session {
        return Ok(Some(MfaSessionSwitch::Option));
    }
    if snapshot
        .env("ROLECTL_MFA_SESSION")
        .is_some_and(|v| v.trim() == "1" || v.trim().eq_ignore_ascii_case("true"))
    {
        return Ok(Some(MfaSessionSwitch::Environment));
    }
    for (name, section) in sections.iter().flatten() {
        if let Some((value, location)) = get(section, "rolectl_mfa_session") {
            let v = value.trim();
            if v.eq_ignore_ascii_case("true") {
                return Ok(Some(MfaSessionSwitch::Profile(origin(name, location))));
            }
            if v.eq_ignore_ascii_case("false") {
                return Ok(None);
            }
            return Err(ResolveError::InvalidMfaSessionSetting {
                profile: (*name).to_owned(),
                key: "rolectl_mfa_session",
                value: value.to_owned(),
                expected: "true or false",
                location,
            });
        }
    }
    Ok(None)
}

/// Why role `i` cannot use an MFA session (the end of a sentence).
fn no_long_term_keys(base: &Base, roles: &[RoleStep], i: usize) -> String {
    if let Some(previous) = i.checked_sub(1).and_then(|p| roles.get(p)) {
        return format!(
            "its source is the role of profile \"{}\" (role chaining), not long-term keys",
            previous.origin.profile
        );
    }
    match base {
        Base::StaticKeys { origin, .. } => format!(
            "the keys of profile \"{}\" have a session token, and temporary credentials cannot call GetSessionToken",
            origin.profile
        ),
        Base::Environment { .. } => "the environment keys have a session token, and temporary credentials cannot call GetSessionToken".to_owned(),
        Base::WebIdentity(_) => "its source is a web identity role, not long-term keys".to_owned(),
        Base::Keychain { .. } => String::new(),
        Base::Process { origin, .. } => format!(
            "its source is the credential_process of profile \"{}\", not long-term keys",
            origin.profile
        ),
        Base::Sso { .. } => "its source is IAM Identity Center (SSO), not long-term keys".to_owned(),
        Base::Login { .. } => "its source is a console login session, not long-term keys".to_owned(),
        Base::Container { .. } => "its source is the container credentials endpoint, not long-term keys".to_owned(),
        Base::Imds { .. } => "its source is instance metadata, not long-term keys".to_owned(),
        Base::UnavailableSource { source, .. } => format!(
            "its source is the credential_source {}, not long-term keys",
            source.as_str()
        ),
    }
}

fn chain(
    snapshot: &Snapshot,
    name: &str,
    section: Option<&Section<'static>>,
    explicit: bool,
    strict: bool,
) -> Result<(Base, Vec<RoleStep>), ResolveError> {
    if !explicit {
        if let Some(credentials) = environment_credentials(snapshot)? {
            return Ok((
                Base::Environment {
                    credentials,
                    reason: Reason::DefaultChain,
                },
                Vec::new(),
            ));
        }
    }
    if let Some(section) = section {
        if has_assume_role_vars(section) {
            return assume_role_chain(snapshot, name, strict);
        }
    }
    if let Some(base) = profile_providers(snapshot, name, section, explicit)? {
        return Ok((base, Vec::new()));
    }
    if let Some(request) = container_request(snapshot)? {
        return Ok((
            Base::Container {
                reason: Reason::DefaultChain,
                request,
            },
            Vec::new(),
        ));
    }
    if let Some(request) = imds_request(snapshot, section) {
        return Ok((
            Base::Imds {
                reason: Reason::DefaultChain,
                request,
            },
            Vec::new(),
        ));
    }
    match section {
        Some(section) => Err(ResolveError::NoCredentialsInProfile {
            profile: name.to_owned(),
            location: section.location,
        }),
        _ => Err(ResolveError::NoCredentials),
    }
}

fn get<'s>(section: &'s Section<'static>, key: &str) -> Option<(&'s str, Location)> {
    section.get(key).map(|p| (p.value.as_ref(), p.location))
}

fn origin(name: &str, location: Location) -> Origin {
    Origin {
        profile: name.to_owned(),
        location,
    }
}

/// botocore's `_has_static_credentials`.
pub(crate) fn has_static_credentials(section: &Section<'_>) -> bool {
    section.get("aws_access_key_id").is_some() || section.get("aws_secret_access_key").is_some()
}

/// botocore's `_has_assume_role_config_vars`: a web identity profile is
/// left to the web identity provider.
pub(crate) fn has_assume_role_vars(section: &Section<'_>) -> bool {
    section.get("role_arn").is_some() && section.get("web_identity_token_file").is_none()
}

fn environment_credentials(snapshot: &Snapshot) -> Result<Option<StaticCredentials>, ResolveError> {
    let Some(access_key_id) = snapshot.env_nonempty("AWS_ACCESS_KEY_ID") else {
        return Ok(None);
    };
    let secret = snapshot.env_nonempty("AWS_SECRET_ACCESS_KEY").ok_or(
        ResolveError::PartialEnvironmentCredentials {
            missing: "AWS_SECRET_ACCESS_KEY",
            referenced_by: None,
        },
    )?;
    // botocore looks at AWS_SECURITY_TOKEN first; the first non-empty one wins.
    let session_token = snapshot
        .env_nonempty("AWS_SECURITY_TOKEN")
        .or_else(|| snapshot.env_nonempty("AWS_SESSION_TOKEN"))
        .map(Secret::new);
    Ok(Some(StaticCredentials {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token,
        expiration: snapshot
            .env_nonempty("AWS_CREDENTIAL_EXPIRATION")
            .map(str::to_owned),
        account_id: snapshot.env_nonempty("AWS_ACCOUNT_ID").map(str::to_owned),
    }))
}

/// The profile provider chain of the AWS CLI: web identity, SSO, static
/// keys from the credentials file, console login (`login_session`),
/// `credential_process`, static keys from the config file.
fn profile_providers(
    snapshot: &Snapshot,
    name: &str,
    section: Option<&Section<'static>>,
    disable_env: bool,
) -> Result<Option<Base>, ResolveError> {
    if let Some(web) = web_identity(snapshot, name, section, disable_env)? {
        return Ok(Some(Base::WebIdentity(web)));
    }
    let Some(section) = section else {
        return Ok(None);
    };
    if let Some((value, location)) = get(section, "rolectl_keychain") {
        if value.trim().eq_ignore_ascii_case("true") {
            return match snapshot.options.keychain.get(name) {
                Some(id) => Ok(Some(Base::Keychain {
                    origin: origin(name, location),
                    access_key_id: id.clone(),
                    explicit: true,
                })),
                None => Err(ResolveError::KeychainEmpty {
                    profile: name.to_owned(),
                    location,
                }),
            };
        }
    }
    if let Some(sso) = sso(&snapshot.profiles, name, section)? {
        return Ok(Some(sso));
    }
    if let Some(keys) = static_keys(name, section, FileKind::Credentials)? {
        return Ok(Some(keys));
    }
    if let Some((session, location)) = get(section, "login_session") {
        return Ok(Some(Base::Login {
            origin: origin(name, location),
            source: LoginSource {
                session: session.to_owned(),
                region: None,
                configured_url: None,
            },
        }));
    }
    if let Some((command, location)) = get(section, "credential_process") {
        if !command.is_empty() {
            let cached = section
                .value("rolectl_process_cache")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            return Ok(Some(Base::Process {
                origin: origin(name, location),
                command: command.to_owned(),
                account_id: section.value("aws_account_id").map(str::to_owned),
                cache_key: cached.then(|| crate::cache::process_cache_key(command)),
            }));
        }
    }
    if let Some(keys) = static_keys(name, section, FileKind::Config)? {
        return Ok(Some(keys));
    }
    // No keys in the files: the keychain's, if it holds some.
    Ok(snapshot
        .options
        .keychain
        .get(name)
        .map(|id| Base::Keychain {
            origin: origin(name, section.location),
            access_key_id: id.clone(),
            explicit: false,
        }))
}

fn static_keys(
    name: &str,
    section: &Section<'static>,
    file: FileKind,
) -> Result<Option<Base>, ResolveError> {
    // Each file is its own provider in botocore: every key comes from the
    // same file as the access key id.
    let in_file = |key: &str| get(section, key).filter(|(_, loc)| loc.file == file);
    // botocore only looks further when the access key id is there; a lone
    // secret key is ignored.
    let Some((access, location)) = in_file("aws_access_key_id") else {
        return Ok(None);
    };
    let Some((secret, _)) = in_file("aws_secret_access_key") else {
        return Err(ResolveError::PartialCredentials {
            profile: name.to_owned(),
            missing: "aws_secret_access_key",
            location,
        });
    };
    // The first of the two names present wins, even when empty (an empty
    // token is no token).
    let session_token = in_file("aws_security_token")
        .or_else(|| in_file("aws_session_token"))
        .map(|(token, _)| token)
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    Ok(Some(Base::StaticKeys {
        origin: origin(name, location),
        credentials: StaticCredentials {
            access_key_id: access.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token,
            expiration: None,
            account_id: in_file("aws_account_id").map(|(id, _)| id.to_owned()),
        },
    }))
}

/// Web identity settings, environment first per key unless `--profile`.
fn web_identity(
    snapshot: &Snapshot,
    name: &str,
    section: Option<&Section<'static>>,
    disable_env: bool,
) -> Result<Option<WebIdentity>, ResolveError> {
    let mut from_profile: Option<Location> = None;
    let mut setting = |env: &str, key: &str| -> Option<String> {
        if !disable_env {
            if let Some(v) = snapshot.env(env) {
                return Some(v.to_owned());
            }
        }
        let (value, location) = section.and_then(|s| get(s, key))?;
        from_profile.get_or_insert(location);
        Some(value.to_owned())
    };
    let Some(token_file) =
        setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file").filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let role_arn = setting("AWS_ROLE_ARN", "role_arn").filter(|r| !r.is_empty());
    let role_session_name =
        setting("AWS_ROLE_SESSION_NAME", "role_session_name").filter(|n| !n.is_empty());
    let Some(role_arn) = role_arn else {
        let where_ = match from_profile {
            Some(location) => format!("profile \"{name}\" ({location})"),
            None => "environment".to_owned(),
        };
        return Err(ResolveError::WebIdentityWithoutRoleArn { where_, token_file });
    };
    Ok(Some(WebIdentity {
        role_arn,
        token_file,
        role_session_name,
        origin: from_profile.map(|location| origin(name, location)),
    }))
}

pub(crate) const SSO_KEYS: [&str; 5] = [
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
];

/// The SSO settings of a profile, checked as the AWS CLI checks them
/// (`lint` runs the same checks on every profile). A profile with
/// `sso_account_id` and `sso_role_name` gets credentials through botocore's
/// `SSOProvider`; one with only SSO token settings is planned (the cross-SDK
/// suite's token profile) but gives no credentials.
pub(crate) fn sso(
    set: &ProfileSet<'_>,
    name: &str,
    section: &Section<'_>,
) -> Result<Option<Base>, ResolveError> {
    let Some(location) = SSO_KEYS
        .iter()
        .filter_map(|k| section.get(k).map(|p| p.location))
        .min()
    else {
        return Ok(None);
    };
    let invalid = |problem| ResolveError::InvalidSsoConfig {
        profile: name.to_owned(),
        location,
        problem,
    };
    let mut settings: Vec<(String, String)> = Vec::new();
    let has = |k: &str| section.get(k).is_some();
    // botocore's SSOProvider is used when either of these is set.
    let credentials = has("sso_account_id") || has("sso_role_name");
    let merged = |key: &str, session: Option<&Section<'_>>| {
        session
            .and_then(|s| s.value(key))
            .or_else(|| section.value(key))
            .map(str::to_owned)
    };
    let session_name = section.value("sso_session");
    let mut session_section = None;
    if let Some(session_name) = session_name {
        let session = set
            .sso_session(session_name)
            .ok_or_else(|| invalid(SsoProblem::SessionNotFound(session_name.to_owned())))?;
        session_section = Some(session);
        for key in ["sso_region", "sso_start_url"] {
            let in_profile = section.value(key);
            let in_session = session.value(key);
            match (in_profile, in_session) {
                (Some(p), Some(s)) if p != s => {
                    return Err(invalid(SsoProblem::Inconsistent {
                        key,
                        profile_value: p.to_owned(),
                        session_value: s.to_owned(),
                    }))
                }
                // botocore takes the profile's value when the session has
                // none; the cross-SDK suite refuses it for a token profile.
                (Some(_), None) if !credentials => {
                    return Err(invalid(SsoProblem::SettingOutsideSession(key)))
                }
                _ => {}
            }
            if let Some(v) = in_session {
                settings.push((key.to_owned(), v.to_owned()));
            }
        }
    }
    let session = session_section;
    let mut missing = Vec::new();
    for key in [
        "sso_role_name",
        "sso_account_id",
        "sso_start_url",
        "sso_region",
    ] {
        let needed = credentials || matches!(key, "sso_start_url" | "sso_region");
        if needed && merged(key, session).is_none() {
            missing.push(key);
        }
    }
    match (has("sso_account_id"), has("sso_role_name")) {
        (false, true) if missing == ["sso_account_id"] => {
            return Err(invalid(SsoProblem::MissingAccountId))
        }
        (true, false) if missing == ["sso_role_name"] => {
            return Err(invalid(SsoProblem::MissingRoleName))
        }
        _ if !missing.is_empty() => return Err(invalid(SsoProblem::Missing(missing))),
        _ => {}
    }
    for key in SSO_KEYS {
        if let Some(v) = section.value(key) {
            if !settings.iter().any(|(k, _)| k == key) {
                settings.push((key.to_owned(), v.to_owned()));
            }
        }
    }
    settings.sort();
    let source = credentials.then(|| SsoSource {
        session: session_name.map(str::to_owned),
        start_url: merged("sso_start_url", session).unwrap_or_default(),
        region: merged("sso_region", session).unwrap_or_default(),
        account_id: merged("sso_account_id", None).unwrap_or_default(),
        role_name: merged("sso_role_name", None).unwrap_or_default(),
        registration_scopes: merged("sso_registration_scopes", session),
        portal_url: String::new(),
        oidc_url: String::new(),
    });
    Ok(Some(Base::Sso {
        origin: origin(name, location),
        settings,
        source,
    }))
}

fn container_request(snapshot: &Snapshot) -> Result<Option<ContainerRequest>, ResolveError> {
    // botocore tests whether the variables are set, not whether they are empty.
    let url = if let Some(relative) = snapshot.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        format!("http://169.254.170.2{relative}")
    } else if let Some(full) = snapshot.env("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
        if !container_url_allowed(full) {
            return Err(ResolveError::ContainerHostNotAllowed {
                url: full.to_owned(),
                variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            });
        }
        full.to_owned()
    } else {
        return Ok(None);
    };
    let authorization = if let Some(file) = snapshot.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(ContainerAuth::TokenFile(file.to_owned()))
    } else {
        snapshot
            .env_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            .map(|t| ContainerAuth::Token(Secret::new(t)))
    };
    Ok(Some(ContainerRequest { url, authorization }))
}

/// botocore allows https anywhere, and plain http only to loopback and to
/// the ECS and EKS link-local addresses. Like Python's `urlparse`, the
/// scheme and host compare without case and user info is not the host.
fn container_url_allowed(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    if !scheme.eq_ignore_ascii_case("http") {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host == "169.254.170.2"
        || host == "169.254.170.23"
        || host.eq_ignore_ascii_case("fd00:ec2::23")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

fn imds_request(snapshot: &Snapshot, section: Option<&Section<'static>>) -> Option<ImdsRequest> {
    if snapshot.env_flag("AWS_EC2_METADATA_DISABLED") == Some(true) {
        return None;
    }
    let setting = |env: &str, key: &str| -> Option<String> {
        snapshot
            .env_nonempty(env)
            .map(str::to_owned)
            .or_else(|| section.and_then(|s| s.value(key)).map(str::to_owned))
    };
    let endpoint = setting(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "ec2_metadata_service_endpoint",
    )
    .unwrap_or_else(|| {
        let mode = setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            "ec2_metadata_service_endpoint_mode",
        );
        if mode.is_some_and(|m| m.eq_ignore_ascii_case("ipv6")) {
            "http://[fd00:ec2::254]/".to_owned()
        } else {
            "http://169.254.169.254/".to_owned()
        }
    });
    let number = |env, key, default| {
        setting(env, key)
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    Some(ImdsRequest {
        endpoint,
        attempts: number(
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
            "metadata_service_num_attempts",
            1,
        ),
        timeout_seconds: number(
            "AWS_METADATA_SERVICE_TIMEOUT",
            "metadata_service_timeout",
            1,
        ),
    })
}

/// The role configuration of `name`, validated before anything else of
/// the chain, as botocore's `_get_role_config` does. A value that must
/// stop the resolution is kept as the step's `problem`.
fn role_step(name: &str, section: &Section<'static>) -> RoleStep {
    let (role_arn, location) = get(section, "role_arn").unwrap_or(("", section.location));
    let mut problem = None;
    // botocore reads the value with Python's int() (and silently drops what
    // int() refuses); rolectl refuses both that and values STS would refuse.
    let duration_seconds = get(section, "duration_seconds").and_then(|(value, location)| {
        let seconds = python_int(value)
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| (900..=43200).contains(d));
        if seconds.is_none() {
            problem = Some(ResolveError::InvalidDurationSeconds {
                profile: name.to_owned(),
                value: value.to_owned(),
                location,
            });
        }
        seconds
    });
    // The AWS CLI sends these as they are and STS refuses the request;
    // rolectl stops before any call and names the line.
    for (setting, parameter) in [
        ("role_arn", "RoleArn"),
        ("role_session_name", "RoleSessionName"),
        ("external_id", "ExternalId"),
        ("mfa_serial", "SerialNumber"),
    ] {
        let Some((value, location)) = get(section, setting) else {
            continue;
        };
        if let Some(c) = value.chars().find(|&c| !sts_text_char(c)) {
            problem.get_or_insert(ResolveError::ForbiddenCharacter {
                profile: name.to_owned(),
                setting,
                parameter,
                code_point: u32::from(c),
                location,
            });
        }
    }
    let text = |key| section.value(key).map(str::to_owned);
    let place = |key| section.get(key).map(|p| p.location);
    RoleStep {
        origin: origin(name, location),
        role_arn: role_arn.to_owned(),
        // An empty name means a generated one, as in botocore; an empty
        // external_id or mfa_serial is sent as is, and refused before the
        // call as botocore's parameter validation refuses it.
        role_session_name: text("role_session_name").filter(|n| !n.is_empty()),
        external_id: text("external_id"),
        mfa_serial: text("mfa_serial"),
        mfa_process: text("mfa_process").filter(|c| !c.trim().is_empty()),
        duration_seconds,
        places: RolePlaces {
            role_session_name: place("role_session_name"),
            external_id: place("external_id"),
            mfa_serial: place("mfa_serial"),
        },
        problem: problem.map(Box::new),
    }
}

/// The characters STS's model allows in its text parameters (the pattern
/// of `arnType` and the other strings of AssumeRole).
fn sts_text_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Python's `int(text)` for a decimal string: surrounding white space, an
/// optional sign, digits with single underscores between them.
pub(crate) fn python_int(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let value: i64 = digits.replace('_', "").parse().ok()?;
    Some(if negative { -value } else { value })
}

/// AssumeRole from `top`, following `source_profile` to a base source.
/// Iterative so that a long chain cannot exhaust the stack.
fn assume_role_chain(
    snapshot: &Snapshot,
    top: &str,
    strict: bool,
) -> Result<(Base, Vec<RoleStep>), ResolveError> {
    let mut visited: Vec<String> = vec![top.to_owned()];
    // The same names as a set: a chain thousands of profiles deep must not
    // cost a scan of every earlier name at each step.
    let mut seen: std::collections::HashSet<String> =
        std::collections::HashSet::from([top.to_owned()]);
    let mut roles: Vec<RoleStep> = Vec::new();
    let mut name = top.to_owned();
    let base = loop {
        let Some(section) = snapshot.profile(&name) else {
            return Err(ResolveError::ProfileNotFound { profile: name });
        };
        let step = role_step(&name, section);
        if let (true, Some(problem)) = (strict, &step.problem) {
            return Err((**problem).clone());
        }
        roles.push(step);
        let source_profile = get(section, "source_profile");
        let credential_source = get(section, "credential_source");
        match (source_profile, credential_source) {
            (Some(_), Some((_, location))) => {
                return Err(ResolveError::BothSourceProfileAndCredentialSource {
                    profile: name,
                    location,
                })
            }
            (None, None) => {
                let location = roles.last().map(|r| r.origin.location);
                return Err(ResolveError::RoleWithoutSource {
                    profile: name,
                    location: location.unwrap_or(section.location),
                });
            }
            (None, Some((value, location))) => {
                break named_source(snapshot, &name, value, location)?;
            }
            (Some((source, location)), None) => {
                let Some(source_section) = snapshot.profile(source) else {
                    return Err(ResolveError::SourceProfileNotFound {
                        profile: name,
                        source_profile: source.to_owned(),
                        location,
                    });
                };
                if seen.contains(source)
                    && (source != name || !has_static_credentials(source_section))
                {
                    let mut chain = visited.clone();
                    chain.push(source.to_owned());
                    return Err(ResolveError::Cycle { chain, location });
                }
                visited.push(source.to_owned());
                seen.insert(source.to_owned());
                if has_static_credentials(source_section) || !has_assume_role_vars(source_section) {
                    match profile_providers(snapshot, source, Some(source_section), true)? {
                        Some(base) => break base,
                        // A lone secret key: botocore says the source has
                        // no credentials; the cross-SDK suite names the
                        // missing key, which says more.
                        None if source_section.get("aws_secret_access_key").is_some() => {
                            return Err(ResolveError::PartialCredentials {
                                profile: source.to_owned(),
                                missing: "aws_access_key_id",
                                location: source_section
                                    .get("aws_secret_access_key")
                                    .map_or(location, |p| p.location),
                            })
                        }
                        None => {
                            return Err(ResolveError::SourceProfileWithoutCredentials {
                                profile: name,
                                source_profile: source.to_owned(),
                                location,
                            })
                        }
                    }
                }
                name = source.to_owned();
            }
        }
    };
    roles.reverse();
    Ok((base, roles))
}

fn named_source(
    snapshot: &Snapshot,
    name: &str,
    value: &str,
    location: Location,
) -> Result<Base, ResolveError> {
    let source =
        NamedSource::parse(value).ok_or_else(|| ResolveError::UnknownCredentialSource {
            profile: name.to_owned(),
            value: value.to_owned(),
            location,
        })?;
    let reason = Reason::CredentialSource(origin(name, location));
    // A source this environment lacks still ends the chain: `explain`
    // shows the chain with a note, and the machine fails when it gets there.
    let unavailable = || Base::UnavailableSource {
        source,
        origin: origin(name, location),
    };
    Ok(match source {
        NamedSource::Environment => {
            match environment_credentials(snapshot).map_err(|e| match e {
                ResolveError::PartialEnvironmentCredentials { missing, .. } => {
                    ResolveError::PartialEnvironmentCredentials {
                        missing,
                        referenced_by: Some(origin(name, location)),
                    }
                }
                other => other,
            })? {
                Some(credentials) => Base::Environment {
                    credentials,
                    reason,
                },
                None => unavailable(),
            }
        }
        NamedSource::EcsContainer => match container_request(snapshot)? {
            Some(request) => Base::Container { reason, request },
            None => unavailable(),
        },
        NamedSource::Ec2InstanceMetadata => {
            // The instance metadata settings are the session's: the
            // selected profile's, not those of the profile naming the source.
            let selected = snapshot.profile(&snapshot.selected_profile().name);
            match imds_request(snapshot, selected) {
                Some(request) => Base::Imds { reason, request },
                None => unavailable(),
            }
        }
    })
}

/// What a profile selected with `--profile` resolves to, by the order of
/// [`chain`] and the profile providers (the environment does not count).
pub(crate) fn profile_kind(section: &Section<'_>) -> ProfileKind {
    if has_assume_role_vars(section) {
        return if section.get("source_profile").is_some() {
            ProfileKind::RoleSourceProfile
        } else if section.get("credential_source").is_some() {
            ProfileKind::RoleCredentialSource
        } else {
            ProfileKind::Other
        };
    }
    if section
        .value("web_identity_token_file")
        .is_some_and(|t| !t.is_empty())
    {
        return ProfileKind::WebIdentity;
    }
    if SSO_KEYS.iter().any(|k| section.get(k).is_some()) {
        return ProfileKind::Sso;
    }
    let access_key_in = |file| {
        section
            .get("aws_access_key_id")
            .is_some_and(|p| p.location.file == file)
    };
    if access_key_in(FileKind::Credentials) {
        return ProfileKind::StaticKeys;
    }
    if section.get("login_session").is_some() {
        return ProfileKind::Login;
    }
    if section
        .value("credential_process")
        .is_some_and(|c| !c.is_empty())
    {
        return ProfileKind::CredentialProcess;
    }
    if access_key_in(FileKind::Config) {
        return ProfileKind::StaticKeys;
    }
    ProfileKind::Empty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_python_reads_them() {
        for (text, want) in [
            ("900", Some(900)),
            (" 900 ", Some(900)),
            ("+900", Some(900)),
            ("0900", Some(900)),
            ("1_800", Some(1800)),
            ("-5", Some(-5)),
            ("1__800", None),
            ("_1800", None),
            ("1800_", None),
            ("", None),
            ("+", None),
            ("9e2", None),
            ("900.0", None),
            ("99999999999999999999", None),
        ] {
            assert_eq!(python_int(text), want, "{text:?}");
        }
    }

    #[test]
    fn container_hosts() {
        for ok in [
            "https://example.com/creds",
            "http://127.0.0.1:8080/creds",
            "http://localhost/x",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1",
            "http://[::1]:9/x",
            "HTTP://LOCALHOST/x",
            "http://user:pw@127.0.0.1:8/x",
            "HTTPS://example.com/",
        ] {
            assert!(container_url_allowed(ok), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "ftp://127.0.0.1/",
            "http://169.254.169.254/",
            "http://127.0.0.1@example.com/",
            "",
        ] {
            assert!(!container_url_allowed(bad), "{bad}");
        }
    }
}
