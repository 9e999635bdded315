//! The chain in words: one description per step, the only wording of a step.
//! `explain`'s report (report.rs) prints it with the keys that decided the
//! step; `Plan`'s `Display` prints it on one line with where it came from.

use std::fmt;

use crate::chain::{Base, ContainerAuth, MfaSession, Origin, Plan, Reason, RoleStep, SsoSource};

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile \"{}\" ({})", self.profile, self.location)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::DefaultChain => f.write_str("the default chain"),
            Reason::CredentialSource(origin) => write!(f, "credential_source of {origin}"),
        }
    }
}

/// What the first step of the chain is. No secret: keys show their id only.
pub(crate) fn base_description(base: &Base) -> String {
    match base {
        Base::Environment { credentials, .. } => format!(
            "Environment keys {} (AWS_ACCESS_KEY_ID)",
            credentials.access_key_id
        ),
        Base::StaticKeys {
            origin,
            credentials,
        } => format!(
            "Static keys {} of profile \"{}\"",
            credentials.access_key_id, origin.profile
        ),
        Base::WebIdentity(w) => format!(
            "AssumeRoleWithWebIdentity {} with the token in {}, {}",
            w.role_arn,
            w.token_file,
            session_words(w.role_session_name.as_deref())
        ),
        Base::Keychain {
            origin,
            access_key_id,
            ..
        } => format!(
            "Keys of profile \"{}\" in the keychain, key id {access_key_id}",
            origin.profile
        ),
        Base::Process {
            origin, command, ..
        } => format!(
            "credential_process `{command}` of profile \"{}\"",
            origin.profile
        ),
        Base::Login { origin, source } => format!(
            "Console login session {} of profile \"{}\"",
            source.session, origin.profile
        ),
        Base::Sso { origin, source, .. } => sso_description(origin, source.as_ref()),
        Base::Container { request, .. } => format!(
            "Container credentials from {}{}",
            request.url,
            match &request.authorization {
                Some(ContainerAuth::TokenFile(path)) => format!(", with the token in {path}"),
                Some(ContainerAuth::Token(_)) =>
                    ", with the token in AWS_CONTAINER_AUTHORIZATION_TOKEN".to_owned(),
                None => String::new(),
            }
        ),
        Base::Imds { request, .. } => format!(
            "Instance metadata credentials from {} ({} attempt(s), {} s timeout)",
            request.endpoint, request.attempts, request.timeout_seconds
        ),
        Base::UnavailableSource { source, origin } => format!(
            "credential_source {} of profile \"{}\", not available here",
            source.as_str(),
            origin.profile
        ),
    }
}

/// The one line of an SSO step: the role, the account, the session.
pub(crate) fn sso_description(origin: &Origin, source: Option<&SsoSource>) -> String {
    let Some(source) = source else {
        return format!(
            "IAM Identity Center (SSO) token settings of profile \"{}\"",
            origin.profile
        );
    };
    let session = match &source.session {
        Some(name) => format!("sso-session \"{name}\""),
        None => "legacy form".to_owned(),
    };
    format!(
        "IAM Identity Center (SSO) role {} in account {} of profile \"{}\" ({session}, start URL {}, region {})",
        source.role_name, source.account_id, origin.profile, source.start_url, source.region
    )
}

pub(crate) fn mfa_session_description(session: &MfaSession) -> String {
    format!(
        "GetSessionToken with keys {} and MFA device {}, {} seconds (rolectl MFA session)",
        session.access_key_id, session.serial, session.duration_seconds
    )
}

/// The call a role step makes; its MFA device is said apart (explain gives
/// it a line of its own).
pub(crate) fn role_description(role: &RoleStep) -> String {
    let mut description = format!(
        "AssumeRole {}, {}",
        role.role_arn,
        session_words(role.role_session_name.as_deref())
    );
    if let Some(id) = &role.external_id {
        description.push_str(&format!(", external id {id}"));
    }
    if let Some(d) = role.duration_seconds {
        description.push_str(&format!(", {d} seconds"));
    }
    description
}

fn session_words(name: Option<&str>) -> String {
    match name {
        Some(n) => format!("session name {n}"),
        None => "a generated session name".to_owned(),
    }
}

/// Where the base step came from: its profile, or why it was chosen.
fn base_whence(base: &Base) -> String {
    match base {
        Base::Environment { reason, .. }
        | Base::Container { reason, .. }
        | Base::Imds { reason, .. } => reason.to_string(),
        Base::WebIdentity(w) => w
            .origin
            .as_ref()
            .map_or_else(|| "the environment".to_owned(), ToString::to_string),
        Base::StaticKeys { origin, .. }
        | Base::Keychain { origin, .. }
        | Base::Process { origin, .. }
        | Base::Login { origin, .. }
        | Base::Sso { origin, .. }
        | Base::UnavailableSource { origin, .. } => origin.to_string(),
    }
}

impl Plan {
    /// The steps in order, one line each: the base source, rolectl's MFA
    /// session when there is one, then each role.
    pub fn steps(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{}, from {}",
            base_description(&self.base),
            base_whence(&self.base)
        )];
        if let Some(m) = &self.mfa_session {
            out.push(format!(
                "{}; the first role is assumed with it",
                mfa_session_description(m)
            ));
        }
        out.extend(self.roles.iter().map(|role| {
            let mfa = role
                .mfa_serial
                .as_deref()
                .map(|serial| format!(", MFA device {serial}"))
                .unwrap_or_default();
            format!("{}{mfa}, from {}", role_description(role), role.origin)
        }));
        out
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "profile \"{}\"{}; STS calls go to {} (region {})",
            self.profile,
            if self.profile_found {
                ""
            } else {
                " (not in the files)"
            },
            self.endpoint.url,
            self.region
                .as_deref()
                .unwrap_or("none; signed for us-east-1")
        )?;
        for (i, step) in self.steps().iter().enumerate() {
            writeln!(f, "  {}. {step}", i + 1)?;
        }
        Ok(())
    }
}
