//! `explain`: a plan in words, one line per step, each with the profile and
//! `file:line:column` it came from. No secret appears: keys show their id only.

use std::fmt;

use crate::chain::{Base, ContainerAuth, Origin, Plan, Reason, RoleStep};

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

fn base_line(base: &Base) -> String {
    match base {
        Base::Environment {
            credentials,
            reason,
        } => format!(
            "environment credentials {} (AWS_ACCESS_KEY_ID), from {reason}",
            credentials.access_key_id
        ),
        Base::StaticKeys {
            origin,
            credentials,
        } => format!("static keys {} of {origin}", credentials.access_key_id),
        Base::WebIdentity(w) => format!(
            "AssumeRoleWithWebIdentity {} with the token in {}{}, from {}",
            w.role_arn,
            w.token_file,
            session(w.role_session_name.as_deref()),
            w.origin
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "the environment".to_owned())
        ),
        Base::Keychain {
            origin,
            access_key_id,
            ..
        } => format!(
            "keys of profile \"{}\" in the keychain, key id {access_key_id}, from {origin}",
            origin.profile
        ),
        Base::Process {
            origin,
            command,
            cache_key,
            ..
        } => match cache_key {
            Some(key) => format!("credential_process `{command}` of {origin}, cached as {key}"),
            None => format!("credential_process `{command}` of {origin}"),
        },
        Base::Login { origin, source } => {
            format!("console login session {} of {origin}", source.session)
        }
        Base::Sso { origin, source, .. } => format!(
            "{}, from {origin}",
            crate::report::sso_description(origin, source.as_ref())
        ),
        Base::Container { reason, request } => format!(
            "container credentials from {}{}, from {reason}",
            request.url,
            match &request.authorization {
                Some(ContainerAuth::TokenFile(p)) => format!(" with the token in {p}"),
                Some(ContainerAuth::Token(_)) =>
                    " with AWS_CONTAINER_AUTHORIZATION_TOKEN".to_owned(),
                None => String::new(),
            }
        ),
        Base::Imds { reason, request } => format!(
            "instance metadata credentials from {}, from {reason}",
            request.endpoint
        ),
        Base::UnavailableSource { source, origin } => format!(
            "credential_source {} of {origin}, not available here",
            source.as_str()
        ),
    }
}

fn session(name: Option<&str>) -> String {
    match name {
        Some(n) => format!(", session name {n}"),
        None => ", generated session name".to_owned(),
    }
}

fn role_line(role: &RoleStep) -> String {
    let mut line = format!(
        "AssumeRole {}{}",
        role.role_arn,
        session(role.role_session_name.as_deref())
    );
    if let Some(id) = &role.external_id {
        line.push_str(&format!(", external id {id}"));
    }
    if let Some(serial) = &role.mfa_serial {
        line.push_str(&format!(", MFA {serial}"));
    }
    if let Some(d) = role.duration_seconds {
        line.push_str(&format!(", {d} seconds"));
    }
    line.push_str(&format!(", from {}", role.origin));
    line
}

impl Plan {
    /// The steps in order: the base source, then each role.
    pub fn steps(&self) -> Vec<String> {
        let mut out = vec![base_line(&self.base)];
        if let Some(m) = &self.mfa_session {
            out.push(format!(
                "GetSessionToken with {} and MFA {}, {} seconds (rolectl MFA session; the first role is assumed with it)",
                m.access_key_id, m.serial, m.duration_seconds
            ));
        }
        out.extend(self.roles.iter().map(role_line));
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
