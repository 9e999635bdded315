//! `explain` as data: the plan's steps, each with the keys that decided it,
//! its MFA serial, its cache key and what the cache holds for it, rendered
//! as the text and JSON both front ends print. No secret is kept here.

use rolectl_config_parser::{FileKind, Location, Section};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::cache::{format_expiration, CacheEntry, CacheKeyParams, CacheLookup, EXPIRY_WINDOW};
use crate::chain::{
    Base, ContainerAuth, MfaSession, MfaSessionSwitch, NamedSource, Origin, Plan, Reason, RoleStep,
};
use crate::endpoint::endpoint_inputs;
use crate::error::ResolveError;
use crate::explain::{base_description, mfa_session_description, role_description};
use crate::input::Snapshot;
use crate::paths::FilePaths;
use crate::plan::plan_with_problems;

/// What a step of the chain does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    Environment,
    StaticKeys,
    WebIdentity,
    CredentialProcess,
    Sso,
    /// A console login session (`login_session`).
    Login,
    Container,
    InstanceMetadata,
    /// A `credential_source` this environment cannot serve.
    UnavailableSource,
    /// rolectl's MFA session: GetSessionToken with the long-term keys.
    MfaSession,
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
            StepKind::Login => "login",
            StepKind::Container => "container",
            StepKind::InstanceMetadata => "instance-metadata",
            StepKind::UnavailableSource => "unavailable-source",
            StepKind::MfaSession => "mfa-session",
            StepKind::AssumeRole => "assume-role",
        }
    }
}

/// A setting that decided a step: a key of a profile (with its place) or
/// an environment variable or option (no place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecidingKey {
    pub name: String,
    pub location: Option<Location>,
}

/// What the cache holds for a step's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheStatus {
    /// The step is never file-cached, or its key needs a token file's contents.
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
    /// Less than 15 minutes left: the entry would be refreshed.
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

    /// The status of a cache file's text (`None`: no such file) at `now`,
    /// by the machine's rule: at least 15 minutes left is a hit.
    pub fn of_entry(entry: Option<&str>, now: OffsetDateTime) -> CacheStatus {
        let Some(text) = entry else {
            return CacheStatus::Missing;
        };
        // A cached credential_process output is the process's own JSON.
        let expiration = CacheEntry::parse(text)
            .map(|entry| entry.expiration)
            .or_else(|e| process_output_expiration(text).ok_or(e));
        match expiration {
            Err(e) => CacheStatus::Corrupt {
                reason: e.to_string(),
            },
            Ok(expiration) => {
                let remaining = expiration - now;
                if remaining >= crate::cache::EXPIRY_WINDOW {
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

    fn is_fresh(&self) -> bool {
        matches!(self, CacheStatus::Fresh { .. })
    }

    /// One sentence for the text output.
    fn sentence(&self) -> String {
        match self {
            CacheStatus::NotCacheable => "not cached".to_owned(),
            CacheStatus::Disabled => "not looked up (the cache is turned off)".to_owned(),
            CacheStatus::Unknown => "not looked up".to_owned(),
            CacheStatus::Missing => "no entry, so STS is called".to_owned(),
            CacheStatus::Fresh {
                expiration,
                remaining,
            } => format!(
                "fresh, {} left (expires {}), so it is used",
                human(*remaining),
                format_expiration(*expiration)
            ),
            CacheStatus::Expiring {
                expiration,
                remaining,
            } => format!(
                "expiring, {} left (expires {}); less than {} minutes, so it is refreshed",
                human(*remaining),
                format_expiration(*expiration),
                EXPIRY_WINDOW.whole_minutes()
            ),
            CacheStatus::Expired { expiration } => format!(
                "expired at {}, so STS is called",
                format_expiration(*expiration)
            ),
            CacheStatus::Corrupt { reason } => {
                format!("unreadable ({reason}), so it is ignored and STS is called")
            }
        }
    }

    fn to_json(&self, key: Option<&str>) -> Value {
        let (expiration, seconds_left, reason) = match self {
            CacheStatus::Fresh {
                expiration,
                remaining,
            }
            | CacheStatus::Expiring {
                expiration,
                remaining,
            } => (
                Some(format_expiration(*expiration)),
                Some(remaining.whole_seconds()),
                None,
            ),
            CacheStatus::Expired { expiration } => {
                (Some(format_expiration(*expiration)), Some(0), None)
            }
            CacheStatus::Corrupt { reason } => (None, None, Some(reason.clone())),
            _ => (None, None, None),
        };
        json!({
            "key": key,
            "status": self.as_str(),
            "expiration": expiration,
            "seconds_left": seconds_left,
            "reason": reason,
        })
    }
}

/// `1 h 5 min`, `14 min`, `40 s`.
fn human(d: Duration) -> String {
    let seconds = d.whole_seconds().max(0);
    match (seconds / 3600, seconds % 3600 / 60) {
        (0, 0) => format!("{seconds} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
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
    /// The access key id of static or environment keys (never the secret).
    pub access_key_id: Option<String>,
    /// Where an MFA code will be asked (on a cache miss).
    pub mfa_serial: Option<String>,
    /// `None` when the step is not cached or its key needs a token file's contents.
    pub cache_key: Option<String>,
    pub cache: CacheStatus,
    /// Full sentences; places in them as `config:L:C` (see [`FilePaths::rewrite`]).
    pub notes: Vec<String>,
}

/// How the profile was chosen, and where the region came from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Selection {
    /// `--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE` or `default`.
    profile_from: &'static str,
    profile_location: Option<Location>,
    /// `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `region` (with its place).
    region_from: Option<DecidingKey>,
    endpoint_from: &'static str,
}

/// The plan of a snapshot, step by step (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    plan: Plan,
    selection: Selection,
    steps: Vec<ExplainedStep>,
    /// [`Explanation::served_from_cache`], kept up to date as entries are
    /// recorded, so that rendering a long chain stays linear.
    served: Option<usize>,
}

/// The `Expiration` of a cached `credential_process` output.
fn process_output_expiration(text: &str) -> Option<OffsetDateTime> {
    let output = crate::sources::ProcessOutput {
        status: Some(0),
        stdout: text.to_owned(),
        stderr: String::new(),
    };
    crate::sources::parse_process_output(&output, None)
        .ok()?
        .expiration
}

/// Plans `snapshot` and explains each step: no network, no prompt, no
/// cache access (the front end reads the entries named by
/// [`Explanation::cache_keys`] and hands them to
/// [`Explanation::set_cache_entry`]).
pub fn explain(snapshot: &Snapshot) -> Result<Explanation, ResolveError> {
    // A role setting that stops a resolution (a value out of range) is a
    // note on its step: the chain is still worth seeing.
    let plan = plan_with_problems(snapshot)?;
    let selection = selection(snapshot, &plan);
    let mut steps = vec![base_step(snapshot, &plan)];
    if let Some(session) = &plan.mfa_session {
        steps.push(mfa_session_step(snapshot, session));
    }
    steps.extend(
        plan.roles
            .iter()
            .enumerate()
            .map(|(i, r)| role_step(snapshot, &plan, i, r)),
    );
    for step in &mut steps {
        if step.cache_key.is_some() {
            step.cache = if snapshot.options.cache {
                CacheStatus::Unknown
            } else {
                CacheStatus::Disabled
            };
        }
    }
    Ok(Explanation {
        plan,
        selection,
        steps,
        served: None,
    })
}

/// The cache keys of every cacheable step of a plan, outermost role first
/// (the order the machine looks them up in); a web identity step is left
/// out, since its key needs the token.
/// An MFA session's key comes last.
pub fn chain_cache_keys(plan: &Plan) -> Vec<String> {
    let mut keys: Vec<String> = plan.roles.iter().rev().filter_map(role_cache_key).collect();
    keys.extend(plan.mfa_session.as_ref().map(|s| s.cache_key.clone()));
    if let Base::Sso {
        source: Some(source),
        ..
    } = &plan.base
    {
        keys.push(crate::sso::credentials_cache_key(source));
    }
    if let Base::Process {
        cache_key: Some(key),
        ..
    } = &plan.base
    {
        keys.push(key.clone());
    }
    keys
}

/// The machine's key for a role (`machine.rs`, `cache_key`).
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

    /// Records what the cache holds for `key` (`None`: no entry) at `now`.
    pub fn set_cache_entry(&mut self, key: &str, entry: Option<&str>, now: OffsetDateTime) {
        let status = CacheStatus::of_entry(entry, now);
        for step in &mut self.steps {
            if step.cache_key.as_deref() == Some(key) {
                step.cache = status.clone();
            }
        }
        self.update_served();
    }

    /// Reads the entry of every cacheable step once through `read` and
    /// records its status at `now`: one pass, however long the chain. An
    /// unusable entry is shown as corrupt, with the front end's reason.
    pub fn read_cache(&mut self, mut read: impl FnMut(&str) -> CacheLookup, now: OffsetDateTime) {
        for step in &mut self.steps {
            if let Some(key) = &step.cache_key {
                step.cache = match read(key) {
                    CacheLookup::Unusable { reason } => CacheStatus::Corrupt { reason },
                    found => CacheStatus::of_entry(found.text(), now),
                };
            }
        }
        self.update_served();
    }

    /// Notes on the SSO step what its token file holds: the time left and
    /// whether it can be refreshed (`read` gives `~/.aws/sso/cache/<key>.json`).
    pub fn read_sso_token(
        &mut self,
        mut read: impl FnMut(&str) -> Option<String>,
        now: OffsetDateTime,
    ) {
        let Base::Sso {
            source: Some(source),
            ..
        } = &self.plan.base
        else {
            return;
        };
        let key = crate::sso::token_cache_key(source);
        let note = match read(&key).as_deref().map(crate::sso::SsoToken::parse) {
            None => {
                "No SSO token: log in with `rolectl sso login` (or `aws sso login`).".to_owned()
            }
            Some(Err(reason)) => {
                format!("The SSO token cannot be used ({reason}): log in with `rolectl sso login`.")
            }
            Some(Ok(token)) => {
                let left = (token.expires_at - now).whole_minutes();
                let refreshable = source.session.is_some() && token.refresh_call(now).is_some();
                format!(
                    "The SSO token {}; it {} be refreshed.",
                    if left > 0 {
                        format!("has {}h{:02}m left", left / 60, left % 60)
                    } else {
                        format!("expired at {}", format_expiration(token.expires_at))
                    },
                    if refreshable { "can" } else { "cannot" }
                )
            }
        };
        if let Some(step) = self.steps.iter_mut().find(|s| s.kind == StepKind::Sso) {
            step.notes.push(note);
        }
    }

    /// The index of the step whose cached credentials serve the chain:
    /// lookups go from the outermost role inwards and stop at the first
    /// fresh entry, so the steps below it are not run at all.
    pub fn served_from_cache(&self) -> Option<usize> {
        self.served
    }

    fn update_served(&mut self) {
        self.served = self.steps.iter().rposition(|s| s.cache.is_fresh());
    }

    fn skipped(&self, index: usize) -> bool {
        self.served.is_some_and(|served| index < served)
    }

    fn mfa_sentence(&self, index: usize, serial: &str) -> String {
        let step = &self.steps[index];
        if self.skipped(index) || step.cache.is_fresh() {
            return format!("not asked for {serial}: the cache serves this step");
        }
        match step.cache {
            CacheStatus::Unknown => {
                format!("a code for {serial} is asked unless the cache serves this step")
            }
            _ => format!("a code for {serial} is asked on the terminal"),
        }
    }

    /// The `rolectl explain` text, ending with a line break.
    pub fn text(&self, paths: &FilePaths) -> String {
        let plan = &self.plan;
        let sel = &self.selection;
        let mut out = String::new();
        let place = match sel.profile_location {
            Some(l) => format!(" ({})", paths.locate(l)),
            None => " (not in the files: the default chain is used)".to_owned(),
        };
        out.push_str(&format!(
            "Profile \"{}\"{place}, selected by {}.\n",
            plan.profile, sel.profile_from
        ));
        match (&plan.region, &sel.region_from) {
            (Some(region), Some(from)) => out.push_str(&format!(
                "Region {region}, from {}.\n",
                key_text(from, paths)
            )),
            _ => out.push_str("No region is configured: STS calls are signed for us-east-1.\n"),
        }
        out.push_str(&format!(
            "STS calls go to {} (signed for {}), from {}.\n",
            plan.endpoint.url, plan.endpoint.signing_region, sel.endpoint_from
        ));
        out.push_str("Chain, from the first credentials to the last role:\n");
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, step.description));
            if let Some(location) = step.location {
                let whose = step
                    .profile
                    .as_ref()
                    .map(|p| format!(" (profile \"{p}\")"))
                    .unwrap_or_default();
                out.push_str(&format!("     at {}{whose}\n", paths.locate(location)));
            }
            if !step.keys.is_empty() {
                let keys: Vec<String> = step.keys.iter().map(|k| key_text(k, paths)).collect();
                out.push_str(&format!("     decided by {}\n", keys.join(", ")));
            }
            if let Some(serial) = &step.mfa_serial {
                out.push_str(&format!("     MFA: {}\n", self.mfa_sentence(i, serial)));
            }
            if step.cache_key.is_some() || step.cache != CacheStatus::NotCacheable {
                let key = step.cache_key.as_deref().unwrap_or("-");
                let mut sentence = step.cache.sentence();
                // Only role steps call STS: the SSO step calls the portal,
                // a cached process step runs its command.
                let instead = match step.kind {
                    StepKind::Sso => Some("so the portal is called"),
                    StepKind::CredentialProcess => Some("so the command is run"),
                    _ => None,
                };
                if let Some(instead) = instead {
                    sentence = sentence.replace("so STS is called", instead);
                }
                out.push_str(&format!("     cache {key}: {sentence}\n"));
            }
            if self.skipped(i) {
                let served = self.served_from_cache().map_or(0, |s| s + 1);
                out.push_str(&format!(
                    "     skipped: the cached credentials of step {served} are used instead\n"
                ));
            }
            for note in &step.notes {
                out.push_str(&format!("     note: {}\n", paths.rewrite(note)));
            }
        }
        out
    }

    /// The `rolectl explain --format json` document.
    pub fn to_json(&self, paths: &FilePaths) -> Value {
        let plan = &self.plan;
        let sel = &self.selection;
        let steps: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "step": i + 1,
                    "kind": s.kind.as_str(),
                    "description": s.description,
                    "profile": s.profile,
                    "location": s.location.map(|l| location_json(l, paths)),
                    "keys": s.keys.iter().map(|k| json!({
                        "name": k.name,
                        "location": k.location.map(|l| location_json(l, paths)),
                    })).collect::<Vec<_>>(),
                    "access_key_id": s.access_key_id,
                    "mfa_serial": s.mfa_serial,
                    "mfa": s.mfa_serial.as_ref().map(|serial| self.mfa_sentence(i, serial)),
                    "cache": s.cache.to_json(s.cache_key.as_deref()),
                    "skipped": self.skipped(i),
                    "notes": s.notes.iter().map(|n| paths.rewrite(n)).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "profile": plan.profile,
            "profile_found": plan.profile_found,
            "profile_location": sel.profile_location.map(|l| location_json(l, paths)),
            "selected_by": sel.profile_from,
            "region": plan.region,
            "region_from": sel.region_from.as_ref().map(|k| json!({
                "name": k.name,
                "location": k.location.map(|l| location_json(l, paths)),
            })),
            "endpoint": {
                "url": plan.endpoint.url,
                "signing_region": plan.endpoint.signing_region,
                "from": sel.endpoint_from,
            },
            "served_from_cache": self.served_from_cache().map(|i| i + 1),
            "steps": steps,
        })
    }
}

fn location_json(location: Location, paths: &FilePaths) -> Value {
    json!({
        "file": paths.path(location.file),
        "line": location.line,
        "column": location.column,
    })
}

fn key_text(key: &DecidingKey, paths: &FilePaths) -> String {
    match key.location {
        Some(l) => format!("{} ({})", key.name, paths.locate(l)),
        None => key.name.clone(),
    }
}

fn selection(snapshot: &Snapshot, plan: &Plan) -> Selection {
    let selected = snapshot.selected_profile();
    let profile_from = if snapshot.options.profile.is_some() {
        "--profile"
    } else if snapshot.env("AWS_PROFILE").is_some() {
        "AWS_PROFILE"
    } else if snapshot.env("AWS_DEFAULT_PROFILE").is_some() {
        "AWS_DEFAULT_PROFILE"
    } else {
        "default"
    };
    let section = snapshot.profiles.profile(&selected.name);
    // The order of `endpoint::region`.
    let region_from = if snapshot
        .options
        .region
        .as_deref()
        .is_some_and(|r| !r.is_empty())
    {
        Some(named("--region"))
    } else if let Some(var) = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find(|v| snapshot.env(v).is_some_and(|r| !r.is_empty()))
    {
        Some(named(var))
    } else {
        section
            .and_then(|s| s.get("region"))
            .filter(|p| !p.value.is_empty())
            .map(|p| placed("region", p.location))
    };
    let (_, source) =
        endpoint_inputs(snapshot, section, plan.region.as_deref()).resolve_with_source();
    Selection {
        profile_from,
        profile_location: section.map(|s| s.location),
        region_from,
        endpoint_from: source.describe(),
    }
}

fn named(name: &str) -> DecidingKey {
    DecidingKey {
        name: name.to_owned(),
        location: None,
    }
}

fn placed(name: &str, location: Location) -> DecidingKey {
    DecidingKey {
        name: name.to_owned(),
        location: Some(location),
    }
}

/// The keys of `section` among `names` that are set, with their places.
fn keys_of(section: Option<&Section<'_>>, names: &[&str]) -> Vec<DecidingKey> {
    let Some(section) = section else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|n| section.get(n).map(|p| placed(n, p.location)))
        .collect()
}

/// Where the token is and whether it can be refreshed.
fn sso_notes(source: &crate::chain::SsoSource) -> Vec<String> {
    let key = crate::sso::token_cache_key(source);
    let refresh = match (&source.session, &source.registration_scopes) {
        (None, _) => "the legacy form's token is never refreshed: when it ends, log in again".to_owned(),
        (Some(_), None) => "the session has no sso_registration_scopes, so `aws sso login` registers no refresh token: when the token ends, log in again".to_owned(),
        (Some(_), Some(_)) => format!(
            "it is refreshed through SSO OIDC ({}) when less than 15 minutes are left",
            source.oidc_url
        ),
    };
    vec![
        format!(
            "The SSO token is read from ~/.aws/sso/cache/{key}.json; {refresh}. Log in with `rolectl sso login` or `aws sso login`."
        ),
        format!(
            "GetRoleCredentials goes to {}; its credentials are cached in the CLI cache as botocore caches them.",
            source.portal_url
        ),
    ]
}

fn step(kind: StepKind, description: String) -> ExplainedStep {
    ExplainedStep {
        kind,
        description,
        profile: None,
        location: None,
        keys: Vec::new(),
        access_key_id: None,
        mfa_serial: None,
        cache_key: None,
        cache: CacheStatus::NotCacheable,
        notes: Vec::new(),
    }
}

fn from_origin(s: &mut ExplainedStep, origin: &Origin) {
    s.profile = Some(origin.profile.clone());
    s.location = Some(origin.location);
}

/// The profile and `credential_source` key that named a source, if one did.
fn reason_keys(s: &mut ExplainedStep, reason: &Reason) {
    if let Reason::CredentialSource(origin) = reason {
        from_origin(s, origin);
        s.keys.push(placed("credential_source", origin.location));
    }
}

fn base_step(snapshot: &Snapshot, plan: &Plan) -> ExplainedStep {
    let env_set = |name: &str| snapshot.env(name).is_some_and(|v| !v.is_empty());
    match &plan.base {
        Base::Environment {
            credentials,
            reason,
        } => {
            let mut s = step(StepKind::Environment, base_description(&plan.base));
            s.access_key_id = Some(credentials.access_key_id.clone());
            reason_keys(&mut s, reason);
            for var in [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SECURITY_TOKEN",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
            ] {
                if env_set(var) {
                    s.keys.push(named(var));
                }
            }
            if let Reason::DefaultChain = reason {
                s.notes.push(
                    "Without --profile, keys in the environment come before any profile, as in the AWS CLI."
                        .to_owned(),
                );
            }
            s
        }
        Base::StaticKeys {
            origin,
            credentials,
        } => {
            let mut s = step(StepKind::StaticKeys, base_description(&plan.base));
            from_origin(&mut s, origin);
            s.access_key_id = Some(credentials.access_key_id.clone());
            let section = snapshot.profiles.profile(&origin.profile);
            // Every key comes from the file of the access key id.
            let file = origin.location.file;
            s.keys = keys_of(
                section,
                &[
                    "aws_access_key_id",
                    "aws_secret_access_key",
                    "aws_security_token",
                    "aws_session_token",
                    "aws_account_id",
                ],
            )
            .into_iter()
            .filter(|k| k.location.is_some_and(|l| l.file == file))
            .collect();
            if file == FileKind::Config {
                s.notes.push(format!(
                    "The keys are in the config file ({}); the credentials file is where the AWS CLI writes them.",
                    origin.location
                ));
            }
            s
        }
        Base::WebIdentity(w) => {
            let mut s = step(StepKind::WebIdentity, base_description(&plan.base));
            if let Some(origin) = &w.origin {
                from_origin(&mut s, origin);
            }
            let explicit = snapshot.options.profile.is_some();
            let section = w
                .origin
                .as_ref()
                .and_then(|o| snapshot.profiles.profile(&o.profile));
            for (var, key) in [
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file"),
                ("AWS_ROLE_ARN", "role_arn"),
                ("AWS_ROLE_SESSION_NAME", "role_session_name"),
            ] {
                // The environment first, per setting, unless --profile.
                if !explicit && snapshot.env(var).is_some() {
                    s.keys.push(named(var));
                } else {
                    s.keys.extend(keys_of(section, &[key]));
                }
            }
            if plan.roles.is_empty() {
                s.notes.push(
                    "The cache key includes the token, so it is known only once the token file is read when resolving."
                        .to_owned(),
                );
            } else {
                s.notes.push(
                    "Not cached on disk: as the first step of a chain the AWS CLI keeps it in memory only."
                        .to_owned(),
                );
            }
            s
        }
        Base::Keychain {
            origin,
            access_key_id,
            explicit,
        } => {
            let mut s = step(StepKind::StaticKeys, base_description(&plan.base));
            from_origin(&mut s, origin);
            s.access_key_id = Some(access_key_id.clone());
            let section = snapshot.profiles.profile(&origin.profile);
            s.keys = keys_of(section, &["rolectl_keychain"]);
            s.notes.push(if *explicit {
                "rolectl_keychain = true: the keys are read from the OS keychain when resolving (`rolectl keys list`).".to_owned()
            } else {
                "The files hold no keys for this profile and the OS keychain does: they are read from it when resolving (`rolectl keys list`).".to_owned()
            });
            s
        }
        Base::Process {
            origin, cache_key, ..
        } => {
            let mut s = step(StepKind::CredentialProcess, base_description(&plan.base));
            from_origin(&mut s, origin);
            let section = snapshot.profiles.profile(&origin.profile);
            s.keys = keys_of(
                section,
                &[
                    "credential_process",
                    "aws_account_id",
                    "rolectl_process_cache",
                ],
            );
            match cache_key {
                Some(key) => {
                    s.cache_key = Some(key.clone());
                    s.notes.push(
                        "rolectl_process_cache: the output is cached until 15 minutes before its Expiration; output without one is never cached.".to_owned(),
                    );
                }
                None => s.notes.push(
                    "The command runs when resolving; its output is not cached by rolectl."
                        .to_owned(),
                ),
            }
            s
        }
        Base::Login { origin, source } => {
            let mut s = step(StepKind::Login, base_description(&plan.base));
            from_origin(&mut s, origin);
            let section = snapshot.profiles.profile(&origin.profile);
            s.keys = keys_of(section, &["login_session"]);
            let url = match (&source.configured_url, &source.region) {
                (Some(url), _) => url.clone(),
                (None, Some(region)) => rolectl_sts_client::signin_url(region),
                (None, None) => "the token's signInRegion host".to_owned(),
            };
            s.notes.push(format!(
                "The session is read from {}.json in the login cache (AWS_LOGIN_CACHE_DIRECTORY, else ~/.aws/login/cache); its credentials are used while more than 5 minutes are left, then refreshed through Sign-In CreateOAuth2Token at {url} (the token's signInRegion wins) with a DPoP proof, and written back. Log in with `rolectl login` or `aws login`.",
                crate::login::token_cache_key(&source.session)
            ));
            s
        }
        Base::Sso { origin, source, .. } => {
            let mut s = step(StepKind::Sso, base_description(&plan.base));
            from_origin(&mut s, origin);
            let section = snapshot.profiles.profile(&origin.profile);
            s.keys = keys_of(section, &crate::plan::SSO_KEYS);
            match source {
                Some(source) => {
                    s.cache_key = Some(crate::sso::credentials_cache_key(source));
                    s.notes.extend(sso_notes(source));
                }
                None => s.notes.push(
                    "It has no sso_account_id and sso_role_name: the AWS CLI uses it for SSO tokens only, and resolving stops here."
                        .to_owned(),
                ),
            }
            s
        }
        Base::Container { reason, request } => {
            let mut s = step(StepKind::Container, base_description(&plan.base));
            reason_keys(&mut s, reason);
            for var in [
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            ] {
                if snapshot.env(var).is_some() {
                    s.keys.push(named(var));
                    break;
                }
            }
            match &request.authorization {
                Some(ContainerAuth::TokenFile(_)) => {
                    s.keys.push(named("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
                }
                Some(ContainerAuth::Token(_)) => {
                    s.keys.push(named("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
                }
                None => {}
            }
            if let Reason::DefaultChain = reason {
                s.notes.push(default_chain_note(plan));
            }
            s
        }
        Base::Imds { reason, .. } => {
            let mut s = step(StepKind::InstanceMetadata, base_description(&plan.base));
            reason_keys(&mut s, reason);
            let selected = snapshot.profiles.profile(&plan.profile);
            for (var, key) in [
                (
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                    "ec2_metadata_service_endpoint",
                ),
                (
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                    "ec2_metadata_service_endpoint_mode",
                ),
                (
                    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                    "metadata_service_num_attempts",
                ),
                ("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"),
            ] {
                if env_set(var) {
                    s.keys.push(named(var));
                } else {
                    s.keys.extend(keys_of(selected, &[key]));
                }
            }
            if let Reason::DefaultChain = reason {
                s.notes.push(default_chain_note(plan));
            }
            s
        }
        Base::UnavailableSource { source, origin } => {
            let mut s = step(StepKind::UnavailableSource, base_description(&plan.base));
            from_origin(&mut s, origin);
            s.keys.push(placed("credential_source", origin.location));
            let why = match source {
                NamedSource::Environment => {
                    "AWS_ACCESS_KEY_ID is not set (or empty) in this environment"
                }
                NamedSource::EcsContainer => {
                    "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set in this environment"
                }
                NamedSource::Ec2InstanceMetadata => {
                    s.keys.push(named("AWS_EC2_METADATA_DISABLED"));
                    "AWS_EC2_METADATA_DISABLED turns instance metadata off in this environment"
                }
            };
            s.notes.push(format!(
                "The credential_source {} ({}) has no credentials here: {why}. Resolving fails at this step unless a fresh cached role above it serves the chain.",
                source.as_str(),
                origin.location
            ));
            s
        }
    }
}

fn default_chain_note(plan: &Plan) -> String {
    if plan.profile_found {
        format!(
            "The profile \"{}\" has no credentials of its own, so the chain goes on to the container and instance metadata sources, as in the AWS CLI.",
            plan.profile
        )
    } else {
        "No profile gives credentials, so the chain goes on to the container and instance metadata sources, as in the AWS CLI."
            .to_owned()
    }
}

fn switch_key(switch: &MfaSessionSwitch) -> DecidingKey {
    match switch {
        MfaSessionSwitch::Option => named("--mfa-session"),
        MfaSessionSwitch::Environment => named("ROLECTL_MFA_SESSION"),
        MfaSessionSwitch::Profile(origin) => placed("rolectl_mfa_session", origin.location),
    }
}

fn mfa_session_step(snapshot: &Snapshot, session: &MfaSession) -> ExplainedStep {
    let mut s = step(StepKind::MfaSession, mfa_session_description(session));
    if let MfaSessionSwitch::Profile(origin) = &session.switch {
        from_origin(&mut s, origin);
    }
    s.keys.push(switch_key(&session.switch));
    if let Some(origin) = &session.duration_origin {
        s.keys
            .push(placed("rolectl_mfa_session_duration", origin.location));
    }
    s.access_key_id = Some(session.access_key_id.clone());
    s.mfa_serial = Some(session.serial.clone());
    s.cache_key = Some(session.cache_key.clone());
    s.cache = if snapshot.options.cache {
        CacheStatus::Unknown
    } else {
        CacheStatus::Disabled
    };
    s.notes.push(format!(
        "rolectl's own step (the AWS CLI asks a code for each role): one code for {} gives a session that assumes every role with this serial, without SerialNumber and TokenCode, until it has less than {} minutes left.",
        session.serial,
        EXPIRY_WINDOW.whole_minutes()
    ));
    s
}

fn role_step(snapshot: &Snapshot, plan: &Plan, index: usize, role: &RoleStep) -> ExplainedStep {
    let mut s = step(StepKind::AssumeRole, role_description(role));
    from_origin(&mut s, &role.origin);
    let section = snapshot.profiles.profile(&role.origin.profile);
    s.keys = keys_of(
        section,
        &[
            "role_arn",
            "source_profile",
            "credential_source",
            "role_session_name",
            "external_id",
            "mfa_serial",
            "mfa_process",
            "duration_seconds",
        ],
    );
    s.mfa_serial = role.mfa_serial.clone();
    if let (Some(_), Some(command)) = (&role.mfa_serial, &role.mfa_process) {
        s.notes.push(format!(
            "The MFA code comes from mfa_process `{command}` (its trimmed output), never from the terminal."
        ));
    }
    s.cache_key = role_cache_key(role);
    if let (0, Some(session)) = (index, &plan.mfa_session) {
        s.mfa_serial = None;
        s.notes.push(format!(
            "Assumed with the MFA session's credentials (step 2), without SerialNumber and TokenCode: the session carries the MFA context of {}. Cached under the AWS CLI's key, SerialNumber included.",
            session.serial
        ));
    }
    if let Some(f) = plan
        .mfa_session_fallbacks
        .iter()
        .find(|f| f.profile == role.origin.profile)
    {
        let by = match &f.switch {
            MfaSessionSwitch::Option => "--mfa-session".to_owned(),
            MfaSessionSwitch::Environment => "ROLECTL_MFA_SESSION".to_owned(),
            MfaSessionSwitch::Profile(origin) => {
                format!("rolectl_mfa_session ({})", origin.location)
            }
        };
        s.notes.push(format!(
            "{by} asks for an MFA session, but {}: the code is asked for this role alone, as the AWS CLI does, with a warning.",
            f.reason
        ));
    }
    if let Some(problem) = &role.problem {
        s.notes.push(format!(
            "{problem} A resolution stops here before any STS call; explain shows the chain anyway."
        ));
    }
    if role.role_session_name.is_none() {
        s.notes.push(
            "The session name is generated at each call (rolectl-<unix time>), so it is left out of the cache key."
                .to_owned(),
        );
    }
    s
}
