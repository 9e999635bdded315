//! The cross-SDK assume-role test format (`assume-role-tests.json`): turns
//! a case's `input` into a [`Snapshot`] and a plan into its `output` JSON
//! (`{"ProfileChain": [...]}` or `{"Error": "..."}`), using that suite's
//! wording for each error.

use rolectl_config_parser::{
    FileKind, Location, ProfileSet, Properties, Property, Section, Sections,
};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::chain::{Base, Plan, Reason};
use crate::error::{ResolveError, SsoProblem};
use crate::input::{Options, Snapshot};
use crate::plan::plan;

/// Why a case's `input` could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("The case input is not a JSON object with `profiles` and `selected_profile`: {0}.")]
    Shape(&'static str),
}

/// Builds the profile set of a case: each section on its own line of a
/// synthetic config file, each property on the following lines.
pub fn snapshot_from_input(input: &Value) -> Result<Snapshot, CaseError> {
    let input = input.get("input").unwrap_or(input);
    let selected = input
        .get("selected_profile")
        .and_then(Value::as_str)
        .ok_or(CaseError::Shape("selected_profile"))?;
    let mut line = 1u32;
    let mut sections = |value: Option<&Value>| -> Result<_, CaseError> {
        let mut out = Sections::new();
        let Some(value) = value else {
            return Ok(out);
        };
        let map = value.as_object().ok_or(CaseError::Shape("profiles"))?;
        for (name, props) in map {
            let location = Location {
                file: FileKind::Config,
                line,
                column: 1,
            };
            line += 1;
            let mut properties = Properties::new();
            for (key, v) in props.as_object().ok_or(CaseError::Shape("profile"))? {
                let text = v
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string());
                properties.insert(
                    Cow::Owned(key.clone()),
                    Property {
                        value: Cow::Owned(text),
                        location: Location {
                            file: FileKind::Config,
                            line,
                            column: 1,
                        },
                        sub_properties: Properties::new(),
                    },
                );
                line += 1;
            }
            out.insert(
                Cow::Owned(name.clone()),
                Section {
                    name: Cow::Owned(name.clone()),
                    location,
                    properties,
                },
            );
            line += 1;
        }
        Ok(out)
    };
    let profiles = sections(input.get("profiles"))?;
    let sso_sessions = sections(input.get("sso_sessions"))?;
    Ok(Snapshot {
        profiles: ProfileSet {
            profiles,
            sso_sessions,
            services: Sections::new(),
        },
        env: BTreeMap::new(),
        options: Options {
            profile: Some(selected.to_owned()),
            region: None,
            cache: false,
            ..Default::default()
        },
    })
}

/// The case's expected `output` for a snapshot: plans it and renders it.
pub fn output_for(snapshot: &Snapshot) -> Value {
    match plan(snapshot) {
        Ok(p) => plan_output(&p),
        Err(e) => json!({ "Error": error_text(snapshot, &e) }),
    }
}

fn plan_output(p: &Plan) -> Value {
    let base = match &p.base {
        Base::StaticKeys { credentials, .. }
        | Base::Environment {
            credentials,
            reason: Reason::DefaultChain,
        } => {
            let mut keys = Map::new();
            keys.insert("access_key_id".into(), json!(credentials.access_key_id));
            keys.insert(
                "secret_access_key".into(),
                json!(credentials.secret_access_key.expose()),
            );
            if let Some(token) = &credentials.session_token {
                keys.insert("session_token".into(), json!(token.expose()));
            }
            if let Some(account) = &credentials.account_id {
                keys.insert("account_id".into(), json!(account));
            }
            json!({ "AccessKey": keys })
        }
        Base::Environment {
            reason: Reason::CredentialSource(_),
            ..
        } => json!({"NamedSource": "Environment"}),
        Base::Container {
            reason: Reason::CredentialSource(_),
            ..
        } => json!({"NamedSource": "EcsContainer"}),
        Base::Imds {
            reason: Reason::CredentialSource(_),
            ..
        } => json!({"NamedSource": "Ec2InstanceMetadata"}),
        // The suite describes the configured chain, whatever this
        // environment holds.
        Base::UnavailableSource { source, .. } => json!({"NamedSource": source.as_str()}),
        // The suite describes the profile provider alone: a profile that
        // leaves the default chain to go on to the instance sources has
        // no credential information of its own.
        Base::Container {
            reason: Reason::DefaultChain,
            ..
        }
        | Base::Imds {
            reason: Reason::DefaultChain,
            ..
        } => {
            return json!({
                "Error": format!("profile `{}` did not contain credential information", p.profile)
            })
        }
        Base::WebIdentity(w) => {
            let mut m = Map::new();
            m.insert("role_arn".into(), json!(w.role_arn));
            m.insert("web_identity_token_file".into(), json!(w.token_file));
            if let Some(n) = &w.role_session_name {
                m.insert("role_session_name".into(), json!(n));
            }
            json!({ "WebIdentityToken": m })
        }
        Base::Process { command, .. } => json!({ "CredentialProcess": command }),
        Base::Keychain { origin, .. } => json!({ "Keychain": origin.profile }),
        Base::Login { source, .. } => json!({ "LoginSession": source.session }),
        Base::Sso { settings, .. } => {
            let m: Map<String, Value> = settings
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            json!({ "Sso": m })
        }
    };
    let mut chain = vec![base];
    for role in &p.roles {
        let mut m = Map::new();
        m.insert("role_arn".into(), json!(role.role_arn));
        if let Some(v) = &role.external_id {
            m.insert("external_id".into(), json!(v));
        }
        if let Some(v) = &role.role_session_name {
            m.insert("role_session_name".into(), json!(v));
        }
        if let Some(v) = &role.mfa_serial {
            m.insert("mfa_serial".into(), json!(v));
        }
        if let Some(v) = role.duration_seconds {
            m.insert("duration_seconds".into(), json!(v));
        }
        chain.push(json!({ "AssumeRole": m }));
    }
    json!({ "ProfileChain": chain })
}

/// The suite's wording for an error.
pub fn error_text(snapshot: &Snapshot, error: &ResolveError) -> String {
    match error {
        ResolveError::ProfileNotFound { .. } if snapshot.profiles.profiles.is_empty() => {
            "No profiles were defined".to_owned()
        }
        ResolveError::RoleWithoutSource { .. } => "profile must contain `source_profile`".to_owned(),
        ResolveError::BothSourceProfileAndCredentialSource { .. } => {
            "profile contained both source_profile and credential_source".to_owned()
        }
        ResolveError::PartialCredentials { missing, .. } => format!("profile missing {missing}"),
        ResolveError::SourceProfileWithoutCredentials { source_profile, .. } => {
            format!("profile `{source_profile}` did not contain credential information")
        }
        ResolveError::NoCredentials | ResolveError::NoCredentialsInProfile { .. } => format!(
            "profile `{}` did not contain credential information",
            snapshot.selected_profile().name
        ),
        ResolveError::SourceProfileNotFound {
            profile,
            source_profile,
            ..
        } => format!("could not find source profile {source_profile} referenced from {profile}"),
        ResolveError::Cycle { .. } => "profile formed an infinite loop".to_owned(),
        ResolveError::WebIdentityWithoutRoleArn { .. } => "`role_arn` was missing".to_owned(),
        ResolveError::InvalidSsoConfig {
            profile, problem, ..
        } => match problem {
            SsoProblem::MissingAccountId => {
                "if `sso_role_name` is set, then `sso_account_id` must also be set".to_owned()
            }
            SsoProblem::MissingRoleName => {
                "if `sso_account_id` is set, then `sso_role_name` must also be set".to_owned()
            }
            SsoProblem::SettingOutsideSession(key) | SsoProblem::Inconsistent { key, .. } => format!(
                "`{key}` can only be specified in the [sso-session] config when a session name is given"
            ),
            SsoProblem::SessionNotFound(session) => format!(
                "sso-session named `{session}` (referenced by profile `{profile}`) was not found"
            ),
            SsoProblem::Missing(_) => error.to_string(),
        },
        other => other.to_string(),
    }
}
