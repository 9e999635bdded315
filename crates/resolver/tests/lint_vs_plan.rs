//! `lint` against `plan` on random profile graphs: every configuration
//! error `plan` stops at for some selected profile is a lint error of the
//! matching code at the same place, and every chain error lint reports is
//! one that `plan` stops at for some profile. Without lint errors, every
//! profile plans.

use proptest::prelude::*;
use rolectl_config_parser::aws_cli::parse_files;
use rolectl_resolver::lint::{has_errors, lint, Finding};
use rolectl_resolver::{plan, plan_with_problems, Options, ResolveError, Snapshot};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
struct Profile {
    /// 0 none, 1 both keys, 2 the key id alone, 3 the secret alone.
    keys: u8,
    keys_in_credentials: bool,
    role: bool,
    /// An index past the last profile names a missing one.
    source: Option<usize>,
    /// 0..=2 the valid names, 3 an invalid one.
    credential_source: Option<u8>,
    web_identity: bool,
    process: bool,
    /// Some(false): a duration STS refuses.
    duration: Option<bool>,
}

fn profile(n: usize) -> impl Strategy<Value = Profile> {
    (
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        proptest::option::weighted(0.7, 0..=n),
        proptest::option::weighted(0.2, 0u8..4),
        proptest::bool::weighted(0.15),
        proptest::bool::weighted(0.15),
        proptest::option::weighted(0.2, proptest::bool::weighted(0.7)),
    )
        .prop_map(
            |(
                keys,
                keys_in_credentials,
                role,
                source,
                credential_source,
                web_identity,
                process,
                duration,
            )| {
                Profile {
                    keys,
                    keys_in_credentials,
                    role,
                    source,
                    credential_source,
                    web_identity,
                    process,
                    duration,
                }
            },
        )
}

fn graph() -> impl Strategy<Value = Vec<Profile>> {
    (1usize..6).prop_flat_map(|n| proptest::collection::vec(profile(n), n))
}

fn files(profiles: &[Profile]) -> (String, String) {
    let mut config = String::new();
    let mut credentials = String::new();
    for (i, p) in profiles.iter().enumerate() {
        config.push_str(&format!("[profile p{i}]\n"));
        if p.role {
            config.push_str(&format!("role_arn = arn:aws:iam::123456789012:role/r{i}\n"));
        }
        if let Some(s) = p.source {
            config.push_str(&format!("source_profile = p{s}\n"));
        }
        if let Some(c) = p.credential_source {
            let name = [
                "Environment",
                "Ec2InstanceMetadata",
                "EcsContainer",
                "Bogus",
            ][c as usize];
            config.push_str(&format!("credential_source = {name}\n"));
        }
        if p.web_identity {
            config.push_str("web_identity_token_file = /token\n");
        }
        if p.process {
            config.push_str("credential_process = /bin/creds\n");
        }
        if let Some(valid) = p.duration {
            let value = if valid { "3600" } else { "60" };
            config.push_str(&format!("duration_seconds = {value}\n"));
        }
        let keys = match p.keys {
            1 => "aws_access_key_id = AKID\naws_secret_access_key = s\n",
            2 => "aws_access_key_id = AKID\n",
            3 => "aws_secret_access_key = s\n",
            _ => "",
        };
        if !keys.is_empty() {
            if p.keys_in_credentials {
                credentials.push_str(&format!("[p{i}]\n{keys}"));
            } else {
                config.push_str(keys);
            }
        }
    }
    (config, credentials)
}

/// The lint code for a configuration error of `plan`, if it is one.
fn code_of(error: &ResolveError) -> Option<&'static str> {
    Some(match error {
        ResolveError::Cycle { .. } => "source-profile-cycle",
        ResolveError::SourceProfileNotFound { .. } => "source-profile-not-found",
        ResolveError::SourceProfileWithoutCredentials { .. } => "source-without-credentials",
        ResolveError::BothSourceProfileAndCredentialSource { .. } => "source-and-credential-source",
        ResolveError::RoleWithoutSource { .. } => "role-without-source",
        ResolveError::UnknownCredentialSource { .. } => "unknown-credential-source",
        ResolveError::PartialCredentials { .. } => "partial-credentials",
        ResolveError::InvalidDurationSeconds { .. } => "invalid-duration-seconds",
        ResolveError::WebIdentityWithoutRoleArn { .. } => "web-identity-without-role-arn",
        _ => return None,
    })
}

/// Lint codes that stand for a `plan` error.
const CHAIN_CODES: [&str; 9] = [
    "source-profile-cycle",
    "source-profile-not-found",
    "source-without-credentials",
    "source-and-credential-source",
    "role-without-source",
    "unknown-credential-source",
    "partial-credentials",
    "invalid-duration-seconds",
    "web-identity-without-role-arn",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn lint_reports_what_plan_stops_at(profiles in graph()) {
        let (config, credentials) = files(&profiles);
        let findings = lint(Some(&config), Some(&credentials));
        let parsed = parse_files(Some(&config), Some(&credentials)).expect("generated files parse");
        // Every credential_source is available, so only the files can fail.
        let env: BTreeMap<String, String> = [
            ("AWS_ACCESS_KEY_ID", "ENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let mut errors: Vec<ResolveError> = Vec::new();
        // What plan meets past a role setting it stops at first (a loop
        // behind an invalid duration_seconds, say).
        let mut behind: Vec<ResolveError> = Vec::new();
        let mut failing: Vec<String> = Vec::new();
        for i in 0..profiles.len() {
            let snapshot = Snapshot {
                profiles: parsed.profiles.clone().into_owned(),
                env: env.clone(),
                options: Options { profile: Some(format!("p{i}")), region: None, cache: false, ..Default::default() },
            };
            if let Err(e) = plan(&snapshot) {
                errors.push(e);
                failing.push(format!("p{i}"));
            }
            if let Err(e) = plan_with_problems(&snapshot) {
                behind.push(e);
            }
        }
        let context = || format!("{config}---\n{credentials}---\n{findings:#?}\n{errors:#?}");
        if !has_errors(&findings) {
            prop_assert!(errors.is_empty(), "lint is clean but plan fails:\n{}", context());
        }
        for e in &errors {
            let Some(code) = code_of(e) else {
                prop_assert!(false, "unexpected plan error {e:?}\n{}", context());
                continue;
            };
            // A loop is reported once, at its earliest line; plan reports it
            // where the selected profile's walk closes it.
            // (The web identity error names its place in its text only.)
            let found = findings.iter().any(|f: &Finding| {
                f.code == code
                    && (code == "source-profile-cycle"
                        || e.location().is_none_or(|l| l == f.location))
            });
            prop_assert!(found, "plan's {code} not in lint:\n{}", context());
        }
        // Lint reports every problem, plan stops at the first: a lint error
        // is one plan stops at, or lies behind another that plan stops at
        // first, for its profile or a profile naming it as source.
        for f in findings.iter().filter(|f| CHAIN_CODES.contains(&f.code)) {
            let found = errors.iter().chain(&behind).any(|e| {
                code_of(e) == Some(f.code)
                    && (f.code == "source-profile-cycle"
                        || e.location().is_none_or(|l| l == f.location))
            });
            let masked = f.profile.as_ref().is_some_and(|p| {
                failing.contains(p)
                    || profiles.iter().enumerate().any(|(i, q)| {
                        q.source.is_some_and(|s| format!("p{s}") == *p)
                            && failing.contains(&format!("p{i}"))
                    })
            });
            prop_assert!(found || masked, "lint's {} is no plan error:\n{}", f.code, context());
        }
    }
}
