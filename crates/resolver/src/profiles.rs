//! `profiles`: every profile of the files with what kind of credentials it
//! gives, decided by the precedence the chain itself uses.

use rolectl_config_parser::{Location, ProfileSet, Section};
use serde_json::{json, Value};

use crate::paths::FilePaths;
use crate::plan;

/// What a profile resolves to when it is selected with `--profile`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    StaticKeys,
    RoleSourceProfile,
    RoleCredentialSource,
    WebIdentity,
    CredentialProcess,
    Sso,
    /// Console sign-in (`login_session`).
    Login,
    /// Nothing of its own: the chain goes on to the container and
    /// instance metadata sources.
    Empty,
    /// `role_arn` with neither `source_profile` nor `credential_source`.
    Other,
}

impl ProfileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::StaticKeys => "static-keys",
            ProfileKind::RoleSourceProfile => "role-source-profile",
            ProfileKind::RoleCredentialSource => "role-credential-source",
            ProfileKind::WebIdentity => "web-identity",
            ProfileKind::CredentialProcess => "credential-process",
            ProfileKind::Sso => "sso",
            ProfileKind::Login => "login",
            ProfileKind::Empty => "empty",
            ProfileKind::Other => "other",
        }
    }
}

/// One profile of the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSummary {
    pub name: String,
    pub kind: ProfileKind,
    pub source_profile: Option<String>,
    pub credential_source: Option<String>,
    pub role_arn: Option<String>,
    /// Where the profile's section starts (config file first).
    pub location: Location,
}

/// Every profile, sorted by name.
pub fn profiles(set: &ProfileSet<'_>) -> Vec<ProfileSummary> {
    set.profiles
        .iter()
        .map(|(name, section)| ProfileSummary {
            name: name.to_string(),
            kind: kind(section),
            source_profile: section.value("source_profile").map(str::to_owned),
            credential_source: section.value("credential_source").map(str::to_owned),
            role_arn: section.value("role_arn").map(str::to_owned),
            location: section.location,
        })
        .collect()
}

/// The kind of a profile selected with `--profile` (environment variables
/// do not count then), as `plan` decides it.
pub fn kind(section: &Section<'_>) -> ProfileKind {
    plan::profile_kind(section)
}

/// One aligned line per profile: name, kind, what it names, place.
pub fn profiles_text(list: &[ProfileSummary], paths: &FilePaths) -> String {
    let width = |f: fn(&ProfileSummary) -> usize| list.iter().map(f).max().unwrap_or(0);
    let name_width = width(|p| p.name.chars().count());
    let kind_width = width(|p| p.kind.as_str().len());
    let mut out = String::with_capacity(list.len() * 80);
    for p in list {
        let detail = detail(p);
        let line = format!(
            "{:name_width$}  {:kind_width$}  {}",
            p.name,
            p.kind.as_str(),
            paths.locate(p.location),
        );
        out.push_str(line.trim_end());
        if !detail.is_empty() {
            out.push_str("  ");
            out.push_str(&detail);
        }
        out.push('\n');
    }
    out
}

fn detail(p: &ProfileSummary) -> String {
    let mut parts = Vec::new();
    if let Some(arn) = &p.role_arn {
        parts.push(format!("role_arn={arn}"));
    }
    if let Some(s) = &p.source_profile {
        parts.push(format!("source_profile={s}"));
    }
    if let Some(s) = &p.credential_source {
        parts.push(format!("credential_source={s}"));
    }
    parts.join(" ")
}

/// `[{"name", "kind", "source_profile", "credential_source", "role_arn", "file", "line", "column"}]`.
pub fn profiles_json(list: &[ProfileSummary], paths: &FilePaths) -> Value {
    Value::Array(
        list.iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "kind": p.kind.as_str(),
                    "source_profile": p.source_profile,
                    "credential_source": p.credential_source,
                    "role_arn": p.role_arn,
                    "file": paths.path(p.location.file),
                    "line": p.location.line,
                    "column": p.location.column,
                })
            })
            .collect(),
    )
}
