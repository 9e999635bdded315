//! `lint`: every problem of the two files, each with a stable code (see
//! [`CODES`]), a severity and its place. Errors make a resolution fail;
//! warnings are lines other tools read differently, or keys nothing reads.

use rolectl_config_parser::aws_cli::{parse_file, parse_file_bytes};
use rolectl_config_parser::{
    merge, FileKind, Location, ParseError, ParsedFile, ProfileSet, Property, Section, Severity,
};
use serde_json::{json, Value};

use crate::chain::NamedSource;
use crate::error::ResolveError;
use crate::paths::FilePaths;
use crate::plan::{python_int, sso};

/// One problem found in the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable: one of [`CODES`].
    pub code: &'static str,
    pub severity: Severity,
    /// A full sentence.
    pub message: String,
    pub location: Location,
    /// The profile (or sso-session) it is about, when there is one.
    pub profile: Option<String>,
}

impl Finding {
    /// `path:line:col: error[code]: message`, without a line break.
    pub fn render(&self, paths: &FilePaths) -> String {
        format!(
            "{}: {}[{}]: {}",
            paths.locate(self.location),
            self.severity,
            self.code,
            self.message
        )
    }

    /// `{"file", "line", "column", "severity", "code", "message", "profile"}`.
    pub fn to_json(&self, paths: &FilePaths) -> Value {
        json!({
            "file": paths.path(self.location.file),
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity.as_str(),
            "code": self.code,
            "message": self.message,
            "profile": self.profile,
        })
    }
}

/// The file cannot be read as a profile file (or is not UTF-8).
pub const SYNTAX: &str = "syntax";
/// A profile's `source_profile` links come back to it.
pub const SOURCE_PROFILE_CYCLE: &str = "source-profile-cycle";
/// `source_profile` names a profile that does not exist.
pub const SOURCE_PROFILE_NOT_FOUND: &str = "source-profile-not-found";
/// `source_profile` names a profile that has no credentials: the chain ends nowhere.
pub const SOURCE_WITHOUT_CREDENTIALS: &str = "source-without-credentials";
/// `role_arn` with both `source_profile` and `credential_source`.
pub const SOURCE_AND_CREDENTIAL_SOURCE: &str = "source-and-credential-source";
/// `role_arn` with neither `source_profile` nor `credential_source`.
pub const ROLE_WITHOUT_SOURCE: &str = "role-without-source";
/// `credential_source` other than `Environment`, `Ec2InstanceMetadata`, `EcsContainer`.
pub const UNKNOWN_CREDENTIAL_SOURCE: &str = "unknown-credential-source";
/// `aws_access_key_id` without `aws_secret_access_key` in the same file, or
/// a source profile with a secret key alone.
pub const PARTIAL_CREDENTIALS: &str = "partial-credentials";
/// `aws_secret_access_key` without `aws_access_key_id`: ignored.
pub const SECRET_WITHOUT_KEY_ID: &str = "secret-without-key-id";
/// `web_identity_token_file` without `role_arn`.
pub const WEB_IDENTITY_WITHOUT_ROLE_ARN: &str = "web-identity-without-role-arn";
/// SSO settings the AWS CLI refuses (a missing key, a missing sso-session, ...).
pub const INVALID_SSO_CONFIG: &str = "invalid-sso-config";
/// `duration_seconds` not an integer from 900 to 43200.
pub const INVALID_DURATION_SECONDS: &str = "invalid-duration-seconds";
/// `role_arn` not an IAM role ARN.
pub const INVALID_ROLE_ARN: &str = "invalid-role-arn";
/// `mfa_serial` neither an MFA device ARN nor a hardware token serial.
pub const INVALID_MFA_SERIAL: &str = "invalid-mfa-serial";
/// `external_id` outside STS's 2 to 1224 characters.
pub const INVALID_EXTERNAL_ID: &str = "invalid-external-id";
/// `role_session_name` outside STS's 2 to 64 characters of `[A-Za-z0-9_+=,.@-]`.
pub const INVALID_ROLE_SESSION_NAME: &str = "invalid-role-session-name";
/// `rolectl_mfa_session` not `true` or `false`.
pub const INVALID_MFA_SESSION: &str = "invalid-mfa-session";
/// `rolectl_mfa_session_duration` not an integer from 900 to 129600.
pub const INVALID_MFA_SESSION_DURATION: &str = "invalid-mfa-session-duration";
/// A key neither the AWS CLI, the SDKs, rolectl nor a known tool reads.
pub const UNKNOWN_KEY: &str = "unknown-key";
/// A key of another tool (aws-vault, ...) that rolectl and the AWS CLI ignore.
pub const IGNORED_KEY: &str = "ignored-key";
/// A role setting in a profile where nothing reads it.
pub const UNUSED_KEY: &str = "unused-key";
/// An `[sso-session]` without `sso_registration_scopes`: `aws sso login`
/// gets no refresh token for it, so its token cannot be refreshed.
pub const SSO_TOKEN_NOT_REFRESHABLE: &str = "sso-token-not-refreshable";

/// Every code `lint` reports, with its severity: the parser's warnings
/// (`rolectl_config_parser::DiagnosticCode`) and rolectl's own checks.
pub const CODES: &[(&str, Severity)] = &[
    (SYNTAX, Severity::Error),
    ("inline-comment", Severity::Warning),
    ("duplicate-section", Severity::Error),
    ("duplicate-key", Severity::Error),
    ("default-profile-conflict", Severity::Warning),
    ("byte-order-mark", Severity::Error),
    ("default-section", Severity::Warning),
    ("indented-comment", Severity::Warning),
    ("blank-line-in-value", Severity::Warning),
    ("padded-section-header", Severity::Warning),
    ("colon-in-key", Severity::Warning),
    ("missing-profile-prefix", Severity::Warning),
    ("profile-prefix-in-credentials", Severity::Warning),
    ("section-in-credentials", Severity::Warning),
    ("unknown-section-type", Severity::Warning),
    ("invalid-section-name", Severity::Warning),
    ("invalid-key", Severity::Warning),
    ("indented-line", Severity::Warning),
    ("repeated-section-name", Severity::Warning),
    (SOURCE_PROFILE_CYCLE, Severity::Error),
    (SOURCE_PROFILE_NOT_FOUND, Severity::Error),
    (SOURCE_WITHOUT_CREDENTIALS, Severity::Error),
    (SOURCE_AND_CREDENTIAL_SOURCE, Severity::Error),
    (ROLE_WITHOUT_SOURCE, Severity::Error),
    (UNKNOWN_CREDENTIAL_SOURCE, Severity::Error),
    (PARTIAL_CREDENTIALS, Severity::Error),
    (WEB_IDENTITY_WITHOUT_ROLE_ARN, Severity::Error),
    (INVALID_SSO_CONFIG, Severity::Error),
    (INVALID_DURATION_SECONDS, Severity::Error),
    (INVALID_ROLE_ARN, Severity::Error),
    (INVALID_MFA_SERIAL, Severity::Error),
    (INVALID_EXTERNAL_ID, Severity::Error),
    (INVALID_ROLE_SESSION_NAME, Severity::Error),
    (INVALID_MFA_SESSION, Severity::Error),
    (INVALID_MFA_SESSION_DURATION, Severity::Error),
    (SECRET_WITHOUT_KEY_ID, Severity::Warning),
    (UNKNOWN_KEY, Severity::Warning),
    (IGNORED_KEY, Severity::Warning),
    (UNUSED_KEY, Severity::Warning),
    (SSO_TOKEN_NOT_REFRESHABLE, Severity::Warning),
];

/// Every finding for both files, sorted by (file, line, column).
///
/// When a file does not parse, its only finding is a `syntax` error, and the
/// other file is checked alone for what needs nothing from the unreadable
/// one: the parser's warnings and each key and value on its own. The checks
/// across profiles (a missing or credential-less source profile, a loop,
/// partial keys, a role without a source, unused role keys) are skipped
/// then, since what they look for may be in the part that was not read.
pub fn lint(config: Option<&str>, credentials: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = config.and_then(|t| keep(parse_file(t, FileKind::Config), &mut findings));
    let credentials =
        credentials.and_then(|t| keep(parse_file(t, FileKind::Credentials), &mut findings));
    check(config, credentials, findings)
}

/// [`lint`] for raw bytes: a file that is not UTF-8 is a `syntax` error at
/// the first invalid byte.
pub fn lint_bytes(config: Option<&[u8]>, credentials: Option<&[u8]>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = config.and_then(|b| keep(parse_file_bytes(b, FileKind::Config), &mut findings));
    let credentials =
        credentials.and_then(|b| keep(parse_file_bytes(b, FileKind::Credentials), &mut findings));
    check(config, credentials, findings)
}

/// Whether any finding is an error (`rolectl lint` then exits with 1).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn keep<'a>(
    parsed: Result<ParsedFile<'a>, ParseError>,
    findings: &mut Vec<Finding>,
) -> Option<ParsedFile<'a>> {
    match parsed {
        Ok(file) => Some(file),
        Err(e) => {
            findings.push(Finding {
                code: SYNTAX,
                severity: Severity::Error,
                message: e.to_string(),
                location: e.location(),
                profile: None,
            });
            None
        }
    }
}

/// The checks follow the chain rules of `plan` for every profile at once,
/// in time linear in the size of the files: each key is classified by one
/// `match` into per-profile facts, each profile is looked at a fixed number
/// of times, and the `source_profile` graph is walked once with memoized
/// results.
fn check(
    config: Option<ParsedFile<'_>>,
    credentials: Option<ParsedFile<'_>>,
    mut findings: Vec<Finding>,
) -> Vec<Finding> {
    // A syntax error so far means a file is missing from the set.
    let whole = findings.is_empty();
    let parsed = merge(config, credentials);
    findings.extend(parsed.diagnostics.into_iter().map(|d| Finding {
        code: d.code.as_str(),
        // The AWS CLI will not start with such a file: an error for any
        // user of the CLI, though rolectl reads it.
        severity: if d.code.aws_cli_refuses() {
            Severity::Error
        } else {
            d.severity
        },
        message: d.message,
        location: d.location,
        profile: None,
    }));
    let set = &parsed.profiles;
    let names: Vec<&str> = set.profiles.keys().map(|k| k.as_ref()).collect();
    let sections: Vec<&Section<'_>> = set.profiles.values().collect();
    let mut linter = Linter {
        set,
        names,
        sections,
        facts: Vec::with_capacity(set.profiles.len()),
        findings,
        budget: SUGGESTION_BUDGET,
        whole,
    };
    linter.profiles();
    linter.sso_sessions();
    if whole {
        linter.cycles();
    }
    let mut findings = linter.findings;
    // Stable: findings at one place keep the order they were found in.
    findings.sort_by_key(|f| f.location);
    dedup_places(&mut findings);
    findings
}

/// Keeps the first of findings with the same code at the same place: a
/// source profile's problem is found once for each profile naming it.
fn dedup_places(findings: &mut Vec<Finding>) {
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    // Where the findings at the current place start in `kept`.
    let mut run = 0;
    for f in findings.drain(..) {
        if kept.last().is_some_and(|last| last.location != f.location) {
            run = kept.len();
        }
        if !kept[run..].iter().any(|k| k.code == f.code) {
            kept.push(f);
        }
    }
    *findings = kept;
}

type Prop<'s, 'a> = Option<&'s Property<'a>>;

/// The keys of one profile the checks look at, found in one pass over its
/// properties (one `match` per key) instead of a lookup per check.
#[derive(Clone, Copy, Default)]
struct Facts<'s, 'a> {
    role_arn: Prop<'s, 'a>,
    source_profile: Prop<'s, 'a>,
    credential_source: Prop<'s, 'a>,
    web_identity_token_file: Prop<'s, 'a>,
    access_key_id: Prop<'s, 'a>,
    secret_access_key: Prop<'s, 'a>,
    login_session: Prop<'s, 'a>,
    credential_process: Prop<'s, 'a>,
    duration_seconds: Prop<'s, 'a>,
    external_id: Prop<'s, 'a>,
    mfa_serial: Prop<'s, 'a>,
    role_session_name: Prop<'s, 'a>,
    mfa_session: Prop<'s, 'a>,
    mfa_session_duration: Prop<'s, 'a>,
    /// The first SSO key.
    sso: Option<Location>,
    /// The profile a role profile's chain goes on to (its index).
    next: Option<usize>,
}

impl Facts<'_, '_> {
    /// `plan::has_assume_role_vars`: `role_arn` without web identity.
    fn role(&self) -> bool {
        self.role_arn.is_some() && self.web_identity_token_file.is_none()
    }

    /// `plan::has_static_credentials`: either key.
    fn has_static(&self) -> bool {
        self.access_key_id.is_some() || self.secret_access_key.is_some()
    }

    /// A role profile without keys: as a source, it goes on to its own source.
    fn continuing(&self) -> bool {
        self.role() && !self.has_static()
    }

    fn token_file(&self) -> Prop<'_, '_> {
        self.web_identity_token_file.filter(|p| !p.value.is_empty())
    }

    fn process(&self) -> bool {
        self.credential_process.is_some_and(|p| !p.value.is_empty())
    }
}

struct Linter<'s, 'a> {
    set: &'s ProfileSet<'a>,
    /// The profile names and sections, in the set's order (for indices).
    names: Vec<&'s str>,
    sections: Vec<&'s Section<'a>>,
    facts: Vec<Facts<'s, 'a>>,
    findings: Vec<Finding>,
    /// What is left of [`SUGGESTION_BUDGET`].
    budget: usize,
    /// Both files were read: checks across profiles can run.
    whole: bool,
}

impl<'s, 'a> Linter<'s, 'a> {
    fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        location: Location,
        profile: &str,
        message: String,
    ) {
        self.findings.push(Finding {
            code,
            severity,
            message,
            location,
            profile: Some(profile.to_owned()),
        });
    }

    fn error(&mut self, code: &'static str, location: Location, profile: &str, message: String) {
        self.push(code, Severity::Error, location, profile, message);
    }

    fn warning(&mut self, code: &'static str, location: Location, profile: &str, message: String) {
        self.push(code, Severity::Warning, location, profile, message);
    }

    /// An `unknown-key` warning: `key` is not among `known`, with the
    /// closest of them as a did-you-mean.
    fn unknown_key(
        &mut self,
        key: &str,
        known: &'static [&'static str],
        why: &str,
        location: Location,
        profile: &str,
    ) {
        let hint = match suggest(key, known.iter().copied(), &mut self.budget) {
            Some(k) => format!("; did you mean \"{k}\"?"),
            None => ".".to_owned(),
        };
        let message = format!("The key \"{key}\" {why}, so it has no effect{hint}");
        self.warning(UNKNOWN_KEY, location, profile, message);
    }

    fn profiles(&mut self) {
        let set = self.set;
        // What needs only the profile itself, in the pass that reads it.
        for (name, section) in set.profiles.iter() {
            let mut f = self.keys(name, section);
            self.values(name, &f);
            if f.role() {
                if f.credential_source.is_none() {
                    if let Some(p) = f.source_profile {
                        f.next = self.names.binary_search(&p.value.as_ref()).ok();
                    }
                }
            } else {
                self.providers(name, section, &f);
            }
            self.facts.push(f);
        }
        // What needs the source profile's facts.
        if self.whole {
            for i in 0..self.facts.len() {
                let f = self.facts[i];
                if f.role() {
                    self.role_source(self.names[i], &f);
                }
            }
        }
    }

    /// Each key on its own (known, another tool's, or unknown), and the
    /// facts the other checks need.
    fn keys(&mut self, name: &str, section: &'s Section<'a>) -> Facts<'s, 'a> {
        let mut f = Facts::default();
        for (key, property) in section.properties.iter() {
            let key: &str = key;
            let slot = match classify(key) {
                Key::Known => continue,
                Key::Fact(fact) => match fact {
                    Fact::RoleArn => &mut f.role_arn,
                    Fact::SourceProfile => &mut f.source_profile,
                    Fact::CredentialSource => &mut f.credential_source,
                    Fact::WebIdentityTokenFile => &mut f.web_identity_token_file,
                    Fact::AccessKeyId => &mut f.access_key_id,
                    Fact::SecretAccessKey => &mut f.secret_access_key,
                    Fact::LoginSession => &mut f.login_session,
                    Fact::CredentialProcess => &mut f.credential_process,
                    Fact::DurationSeconds => &mut f.duration_seconds,
                    Fact::ExternalId => &mut f.external_id,
                    Fact::MfaSerial => &mut f.mfa_serial,
                    Fact::RoleSessionName => &mut f.role_session_name,
                    Fact::MfaSession => &mut f.mfa_session,
                    Fact::MfaSessionDuration => &mut f.mfa_session_duration,
                    Fact::Sso => {
                        f.sso = Some(
                            f.sso
                                .map_or(property.location, |l| l.min(property.location)),
                        );
                        continue;
                    }
                },
                Key::OtherTool(tool) => {
                    self.warning(
                        IGNORED_KEY,
                        property.location,
                        name,
                        format!(
                            "The key \"{key}\" belongs to {tool}; rolectl and the AWS CLI ignore it."
                        ),
                    );
                    continue;
                }
                Key::Unknown => {
                    self.unknown_key(
                        key,
                        KNOWN_KEYS,
                        "is not read by the AWS CLI, the SDKs or rolectl",
                        property.location,
                        name,
                    );
                    continue;
                }
            };
            *slot = Some(property);
        }
        // Whether a role reads them may depend on the file that was not read.
        if !f.role() && self.whole {
            let why = if f.role_arn.is_some() {
                "the profile assumes its role with web_identity_token_file, which takes no"
            } else {
                "the profile has no role_arn, and only a role profile reads"
            };
            let role_only = [
                ("source_profile", f.source_profile),
                ("credential_source", f.credential_source),
                ("external_id", f.external_id),
                ("mfa_serial", f.mfa_serial),
                ("duration_seconds", f.duration_seconds),
            ];
            for (key, property) in role_only {
                if let Some(p) = property {
                    self.warning(
                        UNUSED_KEY,
                        p.location,
                        name,
                        format!("The key \"{key}\" has no effect: {why} {key}."),
                    );
                }
            }
        }
        f
    }

    /// The values STS or rolectl would refuse, where they are read.
    fn values(&mut self, name: &str, f: &Facts<'_, '_>) {
        if let Some(p) = f.role_arn {
            if !is_role_arn(&p.value) {
                self.error(
                    INVALID_ROLE_ARN,
                    p.location,
                    name,
                    format!(
                        "The role_arn \"{}\" is not an IAM role ARN such as arn:aws:iam::123456789012:role/NAME.",
                        p.value
                    ),
                );
            }
            // Read by AssumeRole and by web identity alike.
            if let Some(p) = f.role_session_name {
                // Empty means a generated name.
                if !p.value.is_empty() && !is_session_name(&p.value) {
                    self.error(
                        INVALID_ROLE_SESSION_NAME,
                        p.location,
                        name,
                        format!(
                            "The role_session_name \"{}\" is not 2 to 64 characters of letters, digits and _+=,.@-, as STS requires.",
                            p.value
                        ),
                    );
                }
            }
        }
        if f.role() {
            self.role_values(name, f);
        }
        if let Some(p) = f.mfa_session {
            let v = p.value.trim();
            if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                self.error(
                    INVALID_MFA_SESSION,
                    p.location,
                    name,
                    format!(
                        "The rolectl_mfa_session \"{}\" is not true or false.",
                        p.value
                    ),
                );
            }
        }
        if let Some(p) = f.mfa_session_duration {
            if !python_int(&p.value).is_some_and(|d| (900..=129_600).contains(&d)) {
                self.error(
                    INVALID_MFA_SESSION_DURATION,
                    p.location,
                    name,
                    format!(
                        "The rolectl_mfa_session_duration \"{}\" is not a whole number of seconds from 900 to 129600.",
                        p.value
                    ),
                );
            }
        }
    }

    fn role_values(&mut self, name: &str, f: &Facts<'_, '_>) {
        if let Some(p) = f.duration_seconds {
            // Read as plan.rs reads it (Python's int()).
            if !python_int(&p.value).is_some_and(|d| (900..=43_200).contains(&d)) {
                let error = ResolveError::InvalidDurationSeconds {
                    profile: name.to_owned(),
                    value: p.value.to_string(),
                    location: p.location,
                };
                self.error(
                    INVALID_DURATION_SECONDS,
                    p.location,
                    name,
                    placeless(&error),
                );
            }
        }
        if let Some(p) = f.external_id {
            let length = p.value.chars().count();
            if !(2..=1224).contains(&length) {
                self.error(
                    INVALID_EXTERNAL_ID,
                    p.location,
                    name,
                    format!(
                        "The external_id is {length} characters long, but STS takes 2 to 1224."
                    ),
                );
            }
        }
        if let Some(p) = f.mfa_serial {
            if !is_mfa_serial(&p.value) {
                self.error(
                    INVALID_MFA_SERIAL,
                    p.location,
                    name,
                    format!(
                        "The mfa_serial \"{}\" is neither an MFA device ARN such as arn:aws:iam::123456789012:mfa/NAME nor a hardware token serial number such as GAHT12345678.",
                        p.value
                    ),
                );
            }
        }
    }

    /// What the profile gives when it is selected or used as a source, in
    /// the AWS CLI's provider order: web identity, SSO, credentials file
    /// keys, console sign-in, `credential_process`, config file keys.
    /// (Selected, a role profile assumes its role instead: its providers
    /// matter only where it is a source, see `source_profile`.)
    fn providers(&mut self, name: &str, section: &Section<'_>, f: &Facts<'_, '_>) {
        let whole = self.whole;
        if let Some(p) = f.token_file() {
            if whole && f.role_arn.is_none_or(|r| r.value.is_empty()) {
                self.error(
                    WEB_IDENTITY_WITHOUT_ROLE_ARN,
                    p.location,
                    name,
                    format!(
                        "The profile \"{name}\" sets web_identity_token_file but no role_arn; set role_arn (or AWS_ROLE_ARN in the environment)."
                    ),
                );
            }
            return;
        }
        if let Some(location) = f.sso {
            match sso(self.set, name, section) {
                Err(e @ ResolveError::InvalidSsoConfig { .. }) if whole => {
                    self.error(INVALID_SSO_CONFIG, location, name, placeless(&e))
                }
                _ => {}
            }
            return;
        }
        for file in [FileKind::Credentials, FileKind::Config] {
            if let Some(access) = f.access_key_id.filter(|p| p.location.file == file) {
                let secret_here = f.secret_access_key.is_some_and(|p| p.location.file == file);
                // The secret may be in the part of a file that was not read.
                if !secret_here && whole {
                    self.error(
                        PARTIAL_CREDENTIALS,
                        access.location,
                        name,
                        format!(
                            "Partial credentials found in profile \"{name}\", missing: aws_secret_access_key (each file must hold both keys)."
                        ),
                    );
                }
                return;
            }
            if file == FileKind::Config {
                break;
            }
            if f.login_session.is_some() {
                return;
            }
            if f.process() {
                return;
            }
        }
        if let Some(p) = f.secret_access_key {
            if whole {
                self.warning(
                    SECRET_WITHOUT_KEY_ID,
                    p.location,
                    name,
                    format!(
                        "The profile \"{name}\" has aws_secret_access_key but no aws_access_key_id, so the AWS CLI ignores its keys."
                    ),
                );
            }
        }
    }

    /// `role_arn`'s source: exactly one of `source_profile` and
    /// `credential_source`, a valid name, a source profile that exists and
    /// (when the chain ends there) has credentials.
    fn role_source(&mut self, name: &str, f: &Facts<'_, '_>) {
        match (f.source_profile, f.credential_source) {
            (Some(_), Some(c)) => {
                let e = ResolveError::BothSourceProfileAndCredentialSource {
                    profile: name.to_owned(),
                    location: c.location,
                };
                self.error(
                    SOURCE_AND_CREDENTIAL_SOURCE,
                    c.location,
                    name,
                    placeless(&e),
                );
            }
            (None, None) => {
                let Some(location) = f.role_arn.map(|p| p.location) else {
                    return;
                };
                let e = ResolveError::RoleWithoutSource {
                    profile: name.to_owned(),
                    location,
                };
                self.error(ROLE_WITHOUT_SOURCE, location, name, placeless(&e));
            }
            (None, Some(c)) => {
                if NamedSource::parse(&c.value).is_none() {
                    let e = ResolveError::UnknownCredentialSource {
                        profile: name.to_owned(),
                        value: c.value.to_string(),
                        location: c.location,
                    };
                    let names = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];
                    let hint = suggest(&c.value, names.into_iter(), &mut self.budget)
                        .map(|n| format!(" Did you mean \"{n}\"?"))
                        .unwrap_or_default();
                    let message = format!("{}{hint}", placeless(&e));
                    self.error(UNKNOWN_CREDENTIAL_SOURCE, c.location, name, message);
                }
            }
            (Some(s), None) => self.source_profile(name, s, f.next),
        }
    }

    fn source_profile(&mut self, name: &str, property: &Property<'_>, index: Option<usize>) {
        let source: &str = &property.value;
        let Some(index) = index else {
            let e = ResolveError::SourceProfileNotFound {
                profile: name.to_owned(),
                source_profile: source.to_owned(),
                location: property.location,
            };
            // Only on this (rare) path: compare with the profile names.
            let names = self.names.iter().copied();
            let hint = suggest(source, names, &mut self.budget)
                .map(|n| format!(" Did you mean \"{n}\"?"))
                .unwrap_or_default();
            let message = format!("{}{hint}", placeless(&e));
            self.error(SOURCE_PROFILE_NOT_FOUND, property.location, name, message);
            return;
        };
        let s = self.facts[index];
        // A role profile without keys goes on to its own source (walked in
        // `cycles`).
        if s.continuing() {
            return;
        }
        if s.role() {
            // A role profile with keys ends the chain with them.
            let section = self.sections[index];
            self.providers(source, section, &s);
        }
        let gives = s.token_file().is_some()
            || s.sso.is_some()
            || s.access_key_id.is_some()
            || s.login_session.is_some()
            || s.process();
        if gives {
            return;
        }
        if let Some(secret) = s.secret_access_key {
            let e = ResolveError::PartialCredentials {
                profile: source.to_owned(),
                missing: "aws_access_key_id",
                location: secret.location,
            };
            let message = format!("{} It is the source profile of \"{name}\".", placeless(&e));
            self.error(PARTIAL_CREDENTIALS, secret.location, source, message);
            return;
        }
        let e = ResolveError::SourceProfileWithoutCredentials {
            profile: name.to_owned(),
            source_profile: source.to_owned(),
            location: property.location,
        };
        self.error(
            SOURCE_WITHOUT_CREDENTIALS,
            property.location,
            name,
            format!(
                "{} It has no keys, web identity, SSO or credential_process of its own, so the chain ends nowhere.",
                placeless(&e)
            ),
        );
    }

    fn sso_sessions(&mut self) {
        let set = self.set;
        for (name, section) in set.sso_sessions.iter() {
            if section.get("sso_registration_scopes").is_none() {
                self.warning(
                    SSO_TOKEN_NOT_REFRESHABLE,
                    section.location,
                    name,
                    format!(
                        "The sso-session \"{name}\" has no sso_registration_scopes: `aws sso login` and `rolectl sso login` get no refresh token for it, so its token cannot be refreshed and you log in again when it ends; add sso_registration_scopes = sso:account:access."
                    ),
                );
            }
            for (key, property) in section.properties.iter() {
                let key: &str = key;
                if SSO_SESSION_KEYS.contains(&key) {
                    continue;
                }
                self.unknown_key(
                    key,
                    SSO_SESSION_KEYS,
                    "is not read in an [sso-session] section",
                    property.location,
                    name,
                );
            }
        }
    }

    /// Loops through `source_profile`, each reported once. A role profile
    /// without keys follows its source; the walk from each is memoized, so
    /// the whole graph costs one pass.
    fn cycles(&mut self) {
        // Where the chain through a continuing profile ends: a terminal
        // profile (its index), or nowhere (a loop, a missing source, ...).
        const UNSEEN: usize = usize::MAX;
        const ON_PATH: usize = usize::MAX - 1;
        const NOWHERE: usize = usize::MAX - 2;
        let count = self.facts.len();
        let mut end = vec![UNSEEN; count];
        let mut path: Vec<usize> = Vec::new();
        for start in 0..count {
            if end[start] != UNSEEN || !self.facts[start].continuing() {
                continue;
            }
            let mut node = start;
            let result = loop {
                end[node] = ON_PATH;
                path.push(node);
                let Some(n) = self.facts[node].next else {
                    break NOWHERE;
                };
                if !self.facts[n].continuing() {
                    break n;
                }
                match end[n] {
                    UNSEEN => node = n,
                    ON_PATH => {
                        let from = path.iter().position(|&p| p == n).unwrap_or(0);
                        let members = path[from..].to_vec();
                        self.report_cycle(&members);
                        break NOWHERE;
                    }
                    done => break done,
                }
            };
            for p in path.drain(..) {
                end[p] = result;
            }
        }

        // A role profile with keys is a source that ends chains, but when
        // it is selected its own chain starts with its role: if that chain
        // comes back to it, the AWS CLI calls it a loop.
        for b in 0..count {
            let f = self.facts[b];
            if !f.role() || f.continuing() {
                continue;
            }
            if let Some(y) = f.next {
                if y != b && self.facts[y].continuing() && end[y] == b {
                    let mut members = vec![b];
                    let mut n = y;
                    while n != b {
                        members.push(n);
                        n = self.facts[n].next.unwrap_or(b);
                    }
                    self.report_cycle(&members);
                }
            }
        }
    }

    /// One finding for a loop, at the earliest `source_profile` line of its
    /// members, the chain written from that member round to it again.
    fn report_cycle(&mut self, members: &[usize]) {
        let place = |i: usize| {
            self.facts[i]
                .source_profile
                .map_or(self.sections[i].location, |p| p.location)
        };
        let first = (0..members.len())
            .min_by_key(|&k| place(members[k]))
            .unwrap_or(0);
        let mut chain: Vec<String> = members[first..]
            .iter()
            .chain(&members[..first])
            .map(|&i| self.names[i].to_owned())
            .collect();
        chain.push(self.names[members[first]].to_owned());
        let location = place(members[first]);
        let e = ResolveError::Cycle { chain, location };
        let profile = self.names[members[first]];
        self.error(SOURCE_PROFILE_CYCLE, location, profile, placeless(&e));
    }
}

/// A resolver error's text without its `(config:L:C)` part: the finding
/// carries the place, and front ends print it in front.
fn placeless(error: &ResolveError) -> String {
    let text = error.to_string();
    match error.location() {
        Some(location) => text
            .replace(&format!(" ({location})"), "")
            .replace(&format!(" at {location}"), ""),
        None => text,
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, within STS's 20 to 2048
/// characters; names and paths of `[A-Za-z0-9_+=,.@-]`.
pub fn is_role_arn(value: &str) -> bool {
    (20..=2048).contains(&value.len()) && iam_arn(value, "role/")
}

/// An MFA device ARN (`arn:PARTITION:iam::ACCOUNT:mfa/[PATH/]NAME`) or a
/// hardware token serial (letters and digits, such as `GAHT12345678`),
/// within STS's 9 to 256 characters.
pub fn is_mfa_serial(value: &str) -> bool {
    if !(9..=256).contains(&value.len()) {
        return false;
    }
    if value.starts_with("arn:") {
        return iam_arn(value, "mfa/");
    }
    value.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn iam_arn(value: &str, resource_type: &str) -> bool {
    // `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, split in one scan
    // (this runs for every role_arn and mfa_serial of the files).
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (i, b) in value.bytes().enumerate() {
        if b == b':' {
            colons[found] = i;
            found += 1;
            if found == colons.len() {
                break;
            }
        }
    }
    if found < colons.len() {
        return false;
    }
    let field = |k: usize| &value[if k == 0 { 0 } else { colons[k - 1] + 1 }..colons[k]];
    let (partition, account, resource) = (field(1), field(4), &value[colons[4] + 1..]);
    // IAM is global: the region is empty.
    if field(0) != "arn" || field(2) != "iam" || !field(3).is_empty() {
        return false;
    }
    // `aws`, or `aws-` and lowercase words joined by single dashes.
    let partition_ok = partition.strip_prefix("aws").is_some_and(|rest| {
        rest.is_empty()
            || rest.strip_prefix('-').is_some_and(|words| {
                words
                    .split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
            })
    });
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let Some(path_and_name) = resource.strip_prefix(resource_type) else {
        return false;
    };
    partition_ok
        && account_ok
        && !path_and_name.is_empty()
        && !path_and_name.ends_with('/')
        && path_and_name.bytes().all(|b| b == b'/' || name_byte(b))
}

/// `[A-Za-z0-9_+=,.@-]`: IAM names and STS session names.
fn name_byte(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
}

fn is_session_name(value: &str) -> bool {
    (2..=64).contains(&value.len()) && value.bytes().all(name_byte)
}

/// How many edit distances one lint may compute for "did you mean" hints:
/// a file full of unknown keys or missing source profiles must not turn a
/// linear lint into a quadratic one. Past it, messages go without a hint.
const SUGGESTION_BUDGET: usize = 20_000;

/// The closest candidate to `word` by edit distance, if it is close enough
/// to be a typo (one edit, and one more for every five characters); each
/// distance computed is taken from `budget`.
fn suggest<'c>(
    word: &str,
    candidates: impl Iterator<Item = &'c str>,
    budget: &mut usize,
) -> Option<&'c str> {
    let word = word.to_ascii_lowercase();
    let length = word.chars().count();
    let limit = 1 + length / 5;
    let mut best: Option<(usize, &'c str)> = None;
    for c in candidates {
        // Lengths further apart than the limit cannot be within it.
        if c.chars().count().abs_diff(length) > limit {
            continue;
        }
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let d = distance(&word, &c.to_ascii_lowercase());
        if d <= limit && d < length && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance, with a swap of two neighbours counting as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

enum Key {
    /// Read by the AWS CLI, an SDK or rolectl; no check looks at it.
    Known,
    /// Read, and looked at by the checks.
    Fact(Fact),
    /// Another tool's key.
    OtherTool(&'static str),
    Unknown,
}

/// The keys [`Facts`] keeps.
enum Fact {
    RoleArn,
    SourceProfile,
    CredentialSource,
    WebIdentityTokenFile,
    AccessKeyId,
    SecretAccessKey,
    LoginSession,
    CredentialProcess,
    DurationSeconds,
    ExternalId,
    MfaSerial,
    RoleSessionName,
    MfaSession,
    MfaSessionDuration,
    Sso,
}

/// The keys of a profile section: what botocore's session variables and
/// credential providers read (`configprovider.py`, `credentials.py`), what
/// the AWS CLI v2 adds (`cli_*`, `output`), what the SDKs' shared settings
/// reference adds, and rolectl's own.
const KNOWN_KEYS: &[&str] = &[
    // Credentials and their providers.
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "aws_account_id",
    "role_arn",
    "source_profile",
    "credential_source",
    "external_id",
    "mfa_serial",
    "role_session_name",
    "duration_seconds",
    "web_identity_token_file",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_registration_scopes",
    "login_session",
    // Session settings (botocore's configprovider and the SDKs' reference).
    "region",
    "output",
    "ca_bundle",
    "api_versions",
    "data_path",
    "endpoint_url",
    "services",
    "ignore_configured_endpoint_urls",
    "metadata_service_timeout",
    "metadata_service_num_attempts",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "ec2_metadata_v1_disabled",
    "imds_use_ipv6",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
    "parameter_validation",
    "csm_enabled",
    "csm_host",
    "csm_port",
    "csm_client_id",
    "endpoint_discovery_enabled",
    "sts_regional_endpoints",
    "retry_mode",
    "max_attempts",
    "defaults_mode",
    "connect_timeout",
    "read_timeout",
    "sdk_ua_app_id",
    "request_min_compression_size_bytes",
    "disable_request_compression",
    "sigv4a_signing_region_set",
    "request_checksum_calculation",
    "response_checksum_validation",
    "account_id_endpoint_mode",
    "disable_host_prefix_injection",
    "auth_scheme_preference",
    "tcp_keepalive",
    "proxy_ca_bundle",
    "proxy_client_cert",
    "proxy_use_forwarding_for_https",
    "s3",
    "s3_use_arn_region",
    "s3_disable_multiregion_access_points",
    "s3_disable_express_session_auth",
    // The AWS CLI's own.
    "cli_pager",
    "cli_binary_format",
    "cli_timestamp_format",
    "cli_auto_prompt",
    "cli_history",
    "cli_follow_urlparam",
    "cli_help_output",
    // rolectl's own (read by a later feature).
    "rolectl_mfa_session",
    "rolectl_mfa_session_duration",
    "rolectl_process_cache",
    "rolectl_keychain",
    // aws-vault's, read by rolectl too.
    "mfa_process",
];

/// The keys of an `[sso-session]` section.
const SSO_SESSION_KEYS: &[&str] = &["sso_start_url", "sso_region", "sso_registration_scopes"];

/// One `match`: no hashing, no allocation, per key of every profile.
fn classify(key: &str) -> Key {
    match key {
        "role_arn" => Key::Fact(Fact::RoleArn),
        "source_profile" => Key::Fact(Fact::SourceProfile),
        "credential_source" => Key::Fact(Fact::CredentialSource),
        "web_identity_token_file" => Key::Fact(Fact::WebIdentityTokenFile),
        "aws_access_key_id" => Key::Fact(Fact::AccessKeyId),
        "aws_secret_access_key" => Key::Fact(Fact::SecretAccessKey),
        "login_session" => Key::Fact(Fact::LoginSession),
        "credential_process" => Key::Fact(Fact::CredentialProcess),
        "duration_seconds" => Key::Fact(Fact::DurationSeconds),
        "external_id" => Key::Fact(Fact::ExternalId),
        "mfa_serial" => Key::Fact(Fact::MfaSerial),
        "role_session_name" => Key::Fact(Fact::RoleSessionName),
        "rolectl_mfa_session" => Key::Fact(Fact::MfaSession),
        "rolectl_mfa_session_duration" => Key::Fact(Fact::MfaSessionDuration),
        // The SSO keys `plan` looks for.
        "sso_session" | "sso_start_url" | "sso_region" | "sso_account_id" | "sso_role_name" => {
            Key::Fact(Fact::Sso)
        }
        "aws_session_token"
        | "aws_security_token"
        | "aws_account_id"
        | "sso_registration_scopes"
        | "region"
        | "output"
        | "ca_bundle"
        | "api_versions"
        | "data_path"
        | "endpoint_url"
        | "services"
        | "ignore_configured_endpoint_urls"
        | "metadata_service_timeout"
        | "metadata_service_num_attempts"
        | "ec2_metadata_service_endpoint"
        | "ec2_metadata_service_endpoint_mode"
        | "ec2_metadata_v1_disabled"
        | "imds_use_ipv6"
        | "use_dualstack_endpoint"
        | "use_fips_endpoint"
        | "parameter_validation"
        | "csm_enabled"
        | "csm_host"
        | "csm_port"
        | "csm_client_id"
        | "endpoint_discovery_enabled"
        | "sts_regional_endpoints"
        | "retry_mode"
        | "max_attempts"
        | "defaults_mode"
        | "connect_timeout"
        | "read_timeout"
        | "sdk_ua_app_id"
        | "request_min_compression_size_bytes"
        | "disable_request_compression"
        | "sigv4a_signing_region_set"
        | "request_checksum_calculation"
        | "response_checksum_validation"
        | "account_id_endpoint_mode"
        | "disable_host_prefix_injection"
        | "auth_scheme_preference"
        | "tcp_keepalive"
        | "proxy_ca_bundle"
        | "proxy_client_cert"
        | "proxy_use_forwarding_for_https"
        | "s3"
        | "s3_use_arn_region"
        | "s3_disable_multiregion_access_points"
        | "s3_disable_express_session_auth"
        | "cli_pager"
        | "cli_binary_format"
        | "cli_timestamp_format"
        | "cli_auto_prompt"
        | "cli_history"
        | "cli_follow_urlparam"
        | "cli_help_output"
        | "rolectl_process_cache"
        | "rolectl_keychain"
        | "mfa_process" => Key::Known,
        "include_profile"
        | "parent_profile"
        | "session_tags"
        | "transitive_session_tags"
        | "source_identity"
        | "sso_use_stdout" => Key::OtherTool("aws-vault"),
        _ => other_tool(key).map_or(Key::Unknown, Key::OtherTool),
    }
}

/// Keys that well-known tools write into the shared files, by exact name
/// or by prefix, with the tool that reads them: not typos, so `lint` names
/// the tool instead of suggesting a key.
const OTHER_TOOLS: &[(&str, &str)] = &[
    ("granted_", "granted"),
    ("common_fate_", "granted"),
    ("azure_", "aws-azure-login"),
    ("google_config.", "aws-google-auth"),
    ("x_principal_arn", "saml2aws"),
    ("x_security_token_expires", "saml2aws"),
    ("sso_auto_populated", "aws-sso-util"),
    ("sso_account_name", "aws-sso-util"),
    ("saml_auth_url", "aws-runas"),
    ("saml_username", "aws-runas"),
    ("saml_provider", "aws-runas"),
    ("jump_role_arn", "aws-runas"),
    ("web_identity_auth_url", "aws-runas"),
    ("web_identity_client_id", "aws-runas"),
    ("web_identity_username", "aws-runas"),
    ("web_identity_redirect_uri", "aws-runas"),
    ("web_identity_provider", "aws-runas"),
    ("federated_username", "aws-runas"),
    ("credentials_duration", "aws-runas"),
    ("session_token_duration", "aws-runas"),
    ("aws_saml_url", "aws-okta"),
    ("mfa_provider", "aws-okta"),
    ("mfa_factor_type", "aws-okta"),
    ("assume_role_ttl", "aws-okta"),
    ("session_ttl", "aws-okta"),
    ("web_identity_token_process", "aws-vault"),
    ("s3api", "awscli-plugin-endpoint"),
];

/// The tool that reads `key`, when it is one of [`OTHER_TOOLS`].
fn other_tool(key: &str) -> Option<&'static str> {
    OTHER_TOOLS.iter().find_map(|&(name, tool)| {
        let hit = if name.ends_with(['_', '.']) {
            key.starts_with(name)
        } else {
            key == name
        };
        hit.then_some(tool)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_and_classify_agree() {
        for key in KNOWN_KEYS {
            assert!(
                matches!(classify(key), Key::Known | Key::Fact(_)),
                "{key} is listed but not classified"
            );
        }
        let mut sorted = KNOWN_KEYS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), KNOWN_KEYS.len(), "a key is listed twice");
    }

    #[test]
    fn the_sso_keys_are_those_plan_looks_for() {
        for key in crate::plan::SSO_KEYS {
            assert!(matches!(classify(key), Key::Fact(Fact::Sso)), "{key}");
        }
    }

    #[test]
    fn other_tools_keys_name_their_tool() {
        for (key, tool) in [
            ("granted_sso_start_url", "granted"),
            ("azure_tenant_id", "aws-azure-login"),
            ("x_principal_arn", "saml2aws"),
            ("sso_auto_populated", "aws-sso-util"),
            ("saml_auth_url", "aws-runas"),
            ("include_profile", "aws-vault"),
        ] {
            assert!(
                matches!(classify(key), Key::OtherTool(t) if t == tool),
                "{key}"
            );
        }
        // A prefix entry matches prefixes only; an exact entry, the key only.
        assert!(matches!(classify("granted"), Key::Unknown));
        assert!(matches!(classify("x_principal_arns"), Key::Unknown));
        for key in KNOWN_KEYS {
            assert!(other_tool(key).is_none(), "{key}");
        }
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut codes: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len());
        for code in rolectl_config_parser::DiagnosticCode::ALL {
            let severity = if code.aws_cli_refuses() {
                Severity::Error
            } else {
                Severity::Warning
            };
            assert!(CODES.contains(&(code.as_str(), severity)), "{code}");
        }
    }

    #[test]
    fn distances() {
        assert_eq!(distance("role_arn", "role_arn"), 0);
        assert_eq!(distance("role_ar", "role_arn"), 1);
        assert_eq!(distance("rloe_arn", "role_arn"), 1);
        assert_eq!(distance("", "abc"), 3);
        let mut budget = 1000;
        let known = || KNOWN_KEYS.iter().copied();
        assert_eq!(
            suggest("sourceprofile", known(), &mut budget),
            Some("source_profile")
        );
        assert_eq!(suggest("zzzzzz", known(), &mut budget), None);
        let mut none_left = 0;
        assert_eq!(suggest("role_ar", known(), &mut none_left), None);
    }

    #[test]
    fn arns_and_serials() {
        for ok in [
            "arn:aws:iam::123456789012:role/dev",
            "arn:aws-cn:iam::123456789012:role/path/to/dev",
            "arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g_h",
        ] {
            assert!(is_role_arn(ok), "{ok}");
        }
        for bad in [
            "arn:aws:iam::12345678901:role/dev",
            "arn:aws:iam::123456789012:user/dev",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:sts::123456789012:role/dev",
            "arn:aws:iam:us-east-1:123456789012:role/dev",
            "arn:gcp:iam::123456789012:role/dev",
            "arn:aws:iam::123456789012:role/d v",
            "123456789012:role/dev",
            "",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
        for ok in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws:iam::123456789012:mfa/path/alice",
            "GAHT12345678",
        ] {
            assert!(is_mfa_serial(ok), "{ok}");
        }
        for bad in [
            "arn:aws:iam::123456789012:role/alice",
            "arn:aws:iam::123456789012:mfa/",
            "GAHT-1234",
            "GAHT1234",
            "",
        ] {
            assert!(!is_mfa_serial(bad), "{bad}");
        }
    }
}
