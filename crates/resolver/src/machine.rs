//! The resolution state machine. It executes a [`Plan`]: cache lookups from
//! the last role inwards, then the base source, then each remaining role
//! outwards (a web identity profile used directly reads its token before
//! its lookup: the AWS CLI's key holds the token). Every piece of I/O is an [`Effect`] the caller performs and
//! answers with the matching `handle_*` method; the clock is an argument of
//! [`Resolver::poll`]. The machine is plain data: clone it, inspect it, test it.

use rolectl_config_parser::Location;
use rolectl_sigv4::Secret;
use rolectl_sts_client::{
    AssumeRoleInput, AssumeRoleWithWebIdentityInput, Endpoint, GetSessionTokenInput, Operation,
    Output, SigninError, SigninToken, SsoError, SsoOutput,
};
use std::fmt;
use time::OffsetDateTime;

use crate::cache::{parse_expiration, CacheEntry, CacheKeyParams, CacheLookup};
use crate::chain::{Base, ContainerAuth, MfaSession, Plan, Reason, RoleStep, WebIdentity};
use crate::effect::{Effect, Kind};
use crate::error::ResolveError;
use crate::input::Snapshot;
use crate::outcome::{CredentialSource, ResolvedCredentials, Warning};
use crate::plan::plan;
use crate::sources::{
    parse_container_response, parse_imds_response, parse_process_output, unexpired, ProcessOutput,
};
use crate::{login, sso};

/// What [`Resolver::poll`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Perform this effect and feed its result back.
    Effect(Effect),
    /// The resolution is over.
    Done(Result<ResolvedCredentials, ResolveError>),
}

/// A handler was called for a result the machine did not ask for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The resolver was given a {given} result while it was waiting for {waiting}.")]
pub struct UnexpectedResult {
    pub given: &'static str,
    pub waiting: String,
}

/// An STS call to make or a web identity role: the steps that can be cached.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Level {
    WebIdentity(WebIdentity),
    Role(RoleStep),
}

#[derive(Clone, PartialEq, Eq)]
enum Input {
    Sts(Result<Output, String>),
    Mfa(Result<Secret, String>),
    File(Result<String, String>),
    CacheEntry(Option<String>),
    CacheStored(Result<(), String>),
    Imds(Result<String, String>),
    Container(Result<String, String>),
    Process(Result<ProcessOutput, String>),
    Keychain(Result<Option<(String, Secret)>, String>),
    SsoToken(Option<String>),
    SsoTokenStored(Result<(), String>),
    Sso(Result<SsoOutput, SsoError>),
    LoginToken(Option<String>),
    LoginTokenStored(Result<(), String>),
    Random(Vec<u8>),
    Signin(Result<SigninToken, SigninError>),
}

impl fmt::Debug for Input {
    // Results carry tokens, keys and cache entries: show only their shape.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, ok) = match self {
            Input::Sts(r) => ("Sts", r.is_ok()),
            Input::Mfa(r) => ("Mfa", r.is_ok()),
            Input::File(r) => ("File", r.is_ok()),
            Input::CacheEntry(e) => ("CacheEntry", e.is_some()),
            Input::CacheStored(r) => ("CacheStored", r.is_ok()),
            Input::Imds(r) => ("Imds", r.is_ok()),
            Input::Container(r) => ("Container", r.is_ok()),
            Input::Process(r) => ("Process", r.is_ok()),
            Input::Keychain(r) => ("Keychain", r.is_ok()),
            Input::SsoToken(t) => ("SsoToken", t.is_some()),
            Input::SsoTokenStored(r) => ("SsoTokenStored", r.is_ok()),
            Input::Sso(r) => ("Sso", r.is_ok()),
            Input::LoginToken(t) => ("LoginToken", t.is_some()),
            Input::LoginTokenStored(r) => ("LoginTokenStored", r.is_ok()),
            Input::Random(_) => ("Random", true),
            Input::Signin(r) => ("Signin", r.is_ok()),
        };
        write!(f, "{kind}({})", if ok { "ok" } else { "failed" })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    AwaitingMfa,
    AwaitingToken,
    /// The web identity entry was asked for; the token read for its key is
    /// the one sent on a miss, so key and call always agree.
    AwaitingCachedWebIdentity {
        token: Secret,
    },
    AwaitingSts,
    AwaitingPut,
    /// The first role's MFA session (rolectl's own): its cache entry, the
    /// code, GetSessionToken, then storing the session.
    AwaitingSessionCache,
    AwaitingSessionMfa,
    AwaitingSessionToken,
    AwaitingSessionPut {
        session: CacheEntry,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Start,
    CacheLookup {
        level: usize,
    },
    BaseStart,
    /// The cached output of a `rolectl_process_cache` profile's command.
    AwaitingProcessCache,
    AwaitingProcess,
    /// The keys of a keychain profile.
    AwaitingKeychain,
    /// Storing the command's output under the process cache key.
    AwaitingProcessPut,
    AwaitingContainerToken,
    AwaitingContainer,
    AwaitingImds,
    /// The IAM Identity Center source (crate::sso).
    Sso(Box<sso::Flow>),
    /// The console login source (crate::login).
    Login(Box<login::Flow>),
    Level {
        level: usize,
        phase: Phase,
    },
    Finished(Result<ResolvedCredentials, ResolveError>),
}

/// The resolution state machine (see the module docs).
#[derive(Clone, Debug)]
pub struct Resolver {
    plan: Result<Plan, ResolveError>,
    cache: bool,
    levels: Vec<Level>,
    keys: Vec<Option<String>>,
    state: State,
    pending: Option<Effect>,
    input: Option<Input>,
    current: Option<ResolvedCredentials>,
    warnings: Vec<Warning>,
    effects: usize,
    /// The MFA session of level 0, if the plan has one.
    mfa_session: Option<MfaSession>,
}

impl Resolver {
    /// A machine for `snapshot`; the plan is computed (and checked) here.
    pub fn new(snapshot: &Snapshot) -> Resolver {
        let plan = plan(snapshot);
        let mut levels = Vec::new();
        if let Ok(p) = &plan {
            if let Base::WebIdentity(w) = &p.base {
                levels.push(Level::WebIdentity(w.clone()));
            }
            levels.extend(p.roles.iter().cloned().map(Level::Role));
        }
        let keys = levels.iter().map(cache_key).collect();
        let mfa_session = plan.as_ref().ok().and_then(|p| p.mfa_session.clone());
        Resolver {
            plan,
            cache: snapshot.options.cache,
            levels,
            keys,
            state: State::Start,
            pending: None,
            input: None,
            current: None,
            warnings: Vec::new(),
            effects: 0,
            mfa_session,
        }
    }

    /// The plan being executed, or why there is none.
    pub fn plan(&self) -> Result<&Plan, &ResolveError> {
        self.plan.as_ref()
    }

    /// Warnings so far (corrupt cache entries, failed cache writes, ...).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The effect waiting for its result, if any.
    pub fn pending(&self) -> Option<&Effect> {
        self.pending.as_ref()
    }

    /// How many effects have been asked for so far.
    pub fn effects_issued(&self) -> usize {
        self.effects
    }

    /// Whether [`Resolver::poll`] would return [`Step::Done`].
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Finished(_))
    }

    /// The next effect to perform, or the outcome. Polling again without
    /// feeding a result returns the same effect.
    pub fn poll(&mut self, now: OffsetDateTime) -> Step {
        loop {
            if let State::Finished(result) = &self.state {
                return Step::Done(result.clone());
            }
            if let Some(effect) = &self.pending {
                if self.input.is_none() {
                    return Step::Effect(effect.clone());
                }
            }
            let input = self.input.take();
            self.pending = None;
            let before = self.state.clone();
            match self.advance(input, now) {
                // A step that keeps asking (a role called again and again)
                // would never end either: no plan needs more effects than
                // its budget.
                Ok(Some(_)) if self.effects == self.effect_budget() => {
                    self.state = State::Finished(Err(ResolveError::Internal {
                        state: format!(
                            "{before:?} after {} effects, all its plan can need,",
                            self.effects
                        ),
                    }))
                }
                Ok(Some(effect)) => {
                    self.effects += 1;
                    self.pending = Some(effect);
                }
                // Every step without an effect must move on; standing still
                // would spin forever.
                Ok(None) if self.state == before => {
                    self.state = State::Finished(Err(ResolveError::Internal {
                        state: format!("{before:?}"),
                    }))
                }
                Ok(None) => {}
                Err(e) => self.state = State::Finished(Err(e)),
            }
        }
    }

    /// The most effects a resolution of this plan can ask for: two for the
    /// base source (a container's token file, then the container), four for
    /// each role or web identity step (a cache lookup, an MFA code or the
    /// token file, the STS call, the cache write; a web identity profile
    /// used directly reads its token before its lookup).
    /// An MFA session adds three (its cache lookup, GetSessionToken, its
    /// cache write; its code replaces the role's).
    fn effect_budget(&self) -> usize {
        let base = match self.plan.as_ref().map(|p| &p.base) {
            Ok(Base::Sso { .. }) => sso::EFFECT_BUDGET,
            // Its cache lookup, the command, its cache write.
            Ok(Base::Process {
                cache_key: Some(_), ..
            }) => 3,
            Ok(Base::Login { .. }) => login::EFFECT_BUDGET,
            _ => 2,
        };
        4 * self.levels.len() + base + if self.mfa_session.is_some() { 3 } else { 0 }
    }

    fn feed(
        &mut self,
        kind: Kind,
        given: &'static str,
        input: Input,
    ) -> Result<(), UnexpectedResult> {
        match &self.pending {
            Some(effect) if effect.kind() == kind && self.input.is_none() => {
                self.input = Some(input);
                Ok(())
            }
            other => Err(UnexpectedResult {
                given,
                waiting: match other {
                    Some(e) => format!("{:?}", e.kind()),
                    None => "nothing".to_owned(),
                },
            }),
        }
    }

    /// The result of an [`Effect::Sts`] call; the error text is shown as is
    /// (sts-client words it as the AWS CLI does).
    pub fn handle_sts<E: fmt::Display>(
        &mut self,
        result: Result<Output, E>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(
            Kind::Sts,
            "STS",
            Input::Sts(result.map_err(|e| e.to_string())),
        )
    }

    /// The code typed for an [`Effect::MfaCode`], or why none could be read.
    pub fn handle_mfa_code(
        &mut self,
        code: Result<Secret, String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Mfa, "MFA code", Input::Mfa(code))
    }

    /// The contents of the file asked for by [`Effect::ReadFile`].
    pub fn handle_file(
        &mut self,
        contents: Result<String, String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::File, "file", Input::File(contents))
    }

    /// What the cache holds under the key of [`Effect::CacheGet`]: a
    /// missing or unusable entry is a miss (the latter with a warning).
    /// `Option<String>` converts: `None` is missing.
    pub fn handle_cache_entry(
        &mut self,
        entry: impl Into<CacheLookup>,
    ) -> Result<(), UnexpectedResult> {
        let (entry, unusable) = split_lookup(entry.into());
        self.feed(Kind::CacheGet, "cache entry", Input::CacheEntry(entry))?;
        self.warn_unusable(unusable);
        Ok(())
    }

    /// A cache read the front end would not do is a miss, said once.
    fn warn_unusable(&mut self, unusable: Option<String>) {
        let key = match &self.pending {
            Some(
                Effect::CacheGet { key }
                | Effect::SsoTokenGet { key }
                | Effect::LoginTokenGet { key },
            ) => key.clone(),
            _ => return,
        };
        if let Some(reason) = unusable {
            self.warnings
                .push(Warning::UnusableCacheEntry { key, reason });
        }
    }

    /// Whether the [`Effect::CachePut`] worked; a failure is only a warning.
    pub fn handle_cache_stored(
        &mut self,
        result: Result<(), String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::CachePut, "cache write", Input::CacheStored(result))
    }

    /// The instance metadata credentials document (JSON), or why it could not be had.
    pub fn handle_imds(
        &mut self,
        document: Result<String, String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Imds, "instance metadata", Input::Imds(document))
    }

    /// The container endpoint's response body (JSON), or why it could not be had.
    pub fn handle_container(
        &mut self,
        body: Result<String, String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Container, "container", Input::Container(body))
    }

    /// What the `credential_process` command did, or why it could not be started.
    pub fn handle_process(
        &mut self,
        output: Result<ProcessOutput, String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Process, "process", Input::Process(output))
    }

    /// The keys asked for by [`Effect::KeychainKeys`]: `Ok(None)` when the
    /// keychain holds none for the profile, `Err` when it cannot be used.
    pub fn handle_keychain(
        &mut self,
        keys: Result<Option<(String, Secret)>, String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Keychain, "keychain", Input::Keychain(keys))
    }

    /// The SSO token file asked for by [`Effect::SsoTokenGet`]; `None`
    /// when there is none (or it could not be read).
    pub fn handle_sso_token(
        &mut self,
        token: impl Into<CacheLookup>,
    ) -> Result<(), UnexpectedResult> {
        let (token, unusable) = split_lookup(token.into());
        self.feed(Kind::SsoTokenGet, "SSO token", Input::SsoToken(token))?;
        self.warn_unusable(unusable);
        Ok(())
    }

    /// Whether the [`Effect::SsoTokenPut`] worked; a failure is only a warning.
    pub fn handle_sso_token_stored(
        &mut self,
        result: Result<(), String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(
            Kind::SsoTokenPut,
            "SSO token write",
            Input::SsoTokenStored(result),
        )
    }

    /// The login session file asked for by [`Effect::LoginTokenGet`]; `None`
    /// when there is none (or it could not be read).
    pub fn handle_login_token(
        &mut self,
        token: impl Into<CacheLookup>,
    ) -> Result<(), UnexpectedResult> {
        let (token, unusable) = split_lookup(token.into());
        self.feed(Kind::LoginTokenGet, "login token", Input::LoginToken(token))?;
        self.warn_unusable(unusable);
        Ok(())
    }

    /// Whether the [`Effect::LoginTokenPut`] worked; a failure is only a warning.
    pub fn handle_login_token_stored(
        &mut self,
        result: Result<(), String>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(
            Kind::LoginTokenPut,
            "login token write",
            Input::LoginTokenStored(result),
        )
    }

    /// The bytes asked for by [`Effect::Random`].
    pub fn handle_random(&mut self, bytes: Vec<u8>) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Random, "random bytes", Input::Random(bytes))
    }

    /// The result of an [`Effect::Signin`] call.
    pub fn handle_signin(
        &mut self,
        result: Result<SigninToken, SigninError>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Signin, "Sign-In", Input::Signin(result))
    }

    /// The result of an [`Effect::Sso`] call.
    pub fn handle_sso(
        &mut self,
        result: Result<SsoOutput, SsoError>,
    ) -> Result<(), UnexpectedResult> {
        self.feed(Kind::Sso, "SSO", Input::Sso(result))
    }

    fn plan_ref(&self) -> Result<&Plan, ResolveError> {
        self.plan.as_ref().map_err(Clone::clone)
    }

    fn cache_get(&mut self, level: usize) -> Option<Effect> {
        let key = self.keys.get(level).cloned().flatten()?;
        self.state = State::CacheLookup { level };
        Some(Effect::CacheGet { key })
    }

    /// The cache lookup for `level` and below, innermost last; `None` when
    /// the lookups are over and the base source is next.
    fn lookup_from(&mut self, level: usize) -> Option<Effect> {
        if !self.cache {
            return None;
        }
        (0..=level).rev().find_map(|l| self.cache_get(l))
    }

    fn advance(
        &mut self,
        input: Option<Input>,
        now: OffsetDateTime,
    ) -> Result<Option<Effect>, ResolveError> {
        match self.state.clone() {
            State::Finished(_) => Ok(None),
            State::Start => {
                self.plan_ref()?;
                if let Some(last) = self.levels.len().checked_sub(1) {
                    if let Some(effect) = self.lookup_from(last) {
                        return Ok(Some(effect));
                    }
                }
                self.state = State::BaseStart;
                Ok(None)
            }
            State::CacheLookup { level } => {
                let Some(Input::CacheEntry(entry)) = input else {
                    return Ok(None);
                };
                if self.use_cached(level, entry, now) {
                    return Ok(None);
                }
                if let Some(below) = level.checked_sub(1) {
                    if let Some(effect) = self.lookup_from(below) {
                        return Ok(Some(effect));
                    }
                }
                self.state = State::BaseStart;
                Ok(None)
            }
            State::BaseStart => self.base_start(now),
            State::AwaitingProcessCache => {
                let Some(Input::CacheEntry(entry)) = input else {
                    return Ok(None);
                };
                let plan = self.plan_ref()?;
                let Base::Process {
                    origin,
                    command,
                    account_id,
                    ..
                } = &plan.base
                else {
                    return Ok(None);
                };
                let cached = entry
                    .filter(|text| crate::cache::process_output_keepable(text, now).is_some())
                    .and_then(|stdout| {
                        let output = ProcessOutput {
                            status: Some(0),
                            stdout,
                            stderr: String::new(),
                        };
                        parse_process_output(&output, account_id.as_deref()).ok()
                    });
                let source = CredentialSource::Process {
                    profile: origin.profile.clone(),
                };
                match cached {
                    Some(creds) => {
                        let mut resolved = ResolvedCredentials::from_source(creds, source);
                        resolved.from_cache = true;
                        self.current = Some(resolved);
                        self.state = State::Level {
                            level: 0,
                            phase: Phase::Start,
                        };
                        Ok(None)
                    }
                    None => {
                        let effect = Effect::RunProcess {
                            command: command.clone(),
                            profile: origin.profile.clone(),
                        };
                        self.state = State::AwaitingProcess;
                        Ok(Some(effect))
                    }
                }
            }
            State::AwaitingKeychain => {
                let Some(Input::Keychain(result)) = input else {
                    return Ok(None);
                };
                let Base::Keychain { origin, .. } = &self.plan_ref()?.base else {
                    return Ok(None);
                };
                let profile = origin.profile.clone();
                let (access_key_id, secret_access_key) = match result {
                    Ok(Some(keys)) => keys,
                    Ok(None) => {
                        return Err(ResolveError::KeychainEmpty {
                            profile,
                            location: origin.location,
                        })
                    }
                    Err(message) => return Err(ResolveError::Keychain { profile, message }),
                };
                self.current = Some(ResolvedCredentials {
                    access_key_id,
                    secret_access_key,
                    session_token: None,
                    expiration: None,
                    account_id: None,
                    source: CredentialSource::Profile { profile },
                    from_cache: false,
                });
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            State::AwaitingProcessPut => {
                let Some(Input::CacheStored(result)) = input else {
                    return Ok(None);
                };
                if let Err(message) = result {
                    let key = match &self.plan_ref()?.base {
                        Base::Process { cache_key, .. } => cache_key.clone().unwrap_or_default(),
                        _ => String::new(),
                    };
                    self.warnings
                        .push(Warning::CacheWriteFailed { key, message });
                }
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            State::AwaitingProcess => {
                let Some(Input::Process(result)) = input else {
                    return Ok(None);
                };
                let plan = self.plan_ref()?;
                let Base::Process {
                    origin,
                    account_id,
                    cache_key,
                    ..
                } = &plan.base
                else {
                    return Ok(None);
                };
                let cache_key = cache_key.clone();
                let failed = |message: String| ResolveError::Process {
                    profile: origin.profile.clone(),
                    location: origin.location,
                    message,
                };
                let output = result.map_err(&failed)?;
                let creds = parse_process_output(&output, account_id.as_deref())
                    .and_then(|c| unexpired(c, now))
                    .map_err(failed)?;
                let source = CredentialSource::Process {
                    profile: origin.profile.clone(),
                };
                self.current = Some(ResolvedCredentials::from_source(creds, source));
                // Output without an Expiration (or about to expire) is used
                // once and never kept.
                if let (true, Some(key)) = (self.cache, cache_key) {
                    if crate::cache::process_output_keepable(&output.stdout, now).is_some() {
                        self.state = State::AwaitingProcessPut;
                        return Ok(Some(Effect::CachePut {
                            key,
                            entry: output.stdout,
                        }));
                    }
                }
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            State::AwaitingContainerToken => {
                let Some(Input::File(result)) = input else {
                    return Ok(None);
                };
                let plan = self.plan_ref()?;
                let Base::Container { request, .. } = &plan.base else {
                    return Ok(None);
                };
                let path = match &request.authorization {
                    Some(ContainerAuth::TokenFile(p)) => p.clone(),
                    _ => String::new(),
                };
                let token = result.map_err(|message| ResolveError::ReadFile {
                    path,
                    purpose: "container authorization token",
                    profile: None,
                    message,
                })?;
                // Sent exactly as read, as the AWS CLI does; a line break
                // cannot go into a header.
                if token.contains(['\r', '\n']) {
                    return Err(ResolveError::ContainerAuthToken {
                        source_name: path_label(&request.authorization),
                    });
                }
                let url = request.url.clone();
                self.state = State::AwaitingContainer;
                Ok(Some(Effect::ContainerCredentials {
                    url,
                    authorization: Some(Secret::new(token)),
                }))
            }
            State::AwaitingContainer => {
                let Some(Input::Container(result)) = input else {
                    return Ok(None);
                };
                let plan = self.plan_ref()?;
                let Base::Container { request, reason } = &plan.base else {
                    return Ok(None);
                };
                let creds = result
                    .and_then(|body| parse_container_response(&body))
                    .map_err(|message| match reason {
                        Reason::CredentialSource(origin) => ResolveError::CredentialSourceEmpty {
                            profile: origin.profile.clone(),
                            source_name: "EcsContainer",
                            location: origin.location,
                            detail: Some(message),
                        },
                        Reason::DefaultChain => ResolveError::Container {
                            url: request.url.clone(),
                            message,
                        },
                    })?;
                self.current = Some(ResolvedCredentials::from_source(
                    creds,
                    CredentialSource::Container,
                ));
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            State::AwaitingImds => {
                let Some(Input::Imds(result)) = input else {
                    return Ok(None);
                };
                let plan = self.plan_ref()?;
                let Base::Imds { reason, .. } = &plan.base else {
                    return Ok(None);
                };
                let creds =
                    result
                        .and_then(|body| parse_imds_response(&body))
                        .map_err(|message| match reason {
                            Reason::CredentialSource(origin) => {
                                ResolveError::CredentialSourceEmpty {
                                    profile: origin.profile.clone(),
                                    source_name: "Ec2InstanceMetadata",
                                    location: origin.location,
                                    detail: Some(message),
                                }
                            }
                            // The AWS CLI treats an unreachable or roleless
                            // instance metadata service as "no credentials".
                            Reason::DefaultChain => ResolveError::NoCredentials,
                        })?;
                self.current = Some(ResolvedCredentials::from_source(
                    creds,
                    CredentialSource::Imds,
                ));
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            State::Sso(mut flow) => {
                let input = match input {
                    Some(Input::CacheEntry(e)) => Some(sso::Input::CacheEntry(e)),
                    Some(Input::CacheStored(r)) => Some(sso::Input::CacheStored(r)),
                    Some(Input::SsoToken(t)) => Some(sso::Input::Token(t)),
                    Some(Input::SsoTokenStored(r)) => Some(sso::Input::TokenStored(r)),
                    Some(Input::Sso(r)) => Some(sso::Input::Call(r)),
                    _ => None,
                };
                let next = flow.step(input, now, &mut self.warnings)?;
                self.sso_next(flow, next)
            }
            State::Login(mut flow) => {
                let input = match input {
                    Some(Input::LoginToken(t)) => Some(login::Input::Token(t)),
                    Some(Input::LoginTokenStored(r)) => Some(login::Input::TokenStored(r)),
                    Some(Input::Random(b)) => Some(login::Input::Random(b)),
                    Some(Input::Signin(r)) => Some(login::Input::Signin(r)),
                    _ => None,
                };
                let next = flow.step(input, now, &mut self.warnings)?;
                self.login_next(flow, next)
            }
            State::Level { level, phase } => self.level(level, phase, input, now),
        }
    }

    fn login_next(
        &mut self,
        flow: Box<login::Flow>,
        next: Option<login::Next>,
    ) -> Result<Option<Effect>, ResolveError> {
        match next {
            Some(login::Next::Effect(effect)) => {
                self.state = State::Login(flow);
                Ok(Some(effect))
            }
            Some(login::Next::Done(credentials)) => {
                self.current = Some(credentials);
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            None => Ok(None),
        }
    }

    fn sso_next(
        &mut self,
        flow: Box<sso::Flow>,
        next: Option<sso::Next>,
    ) -> Result<Option<Effect>, ResolveError> {
        match next {
            Some(sso::Next::Effect(effect)) => {
                self.state = State::Sso(flow);
                Ok(Some(effect))
            }
            Some(sso::Next::Done(credentials)) => {
                self.current = Some(credentials);
                self.state = State::Level {
                    level: 0,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            None => Ok(None),
        }
    }

    fn base_start(&mut self, now: OffsetDateTime) -> Result<Option<Effect>, ResolveError> {
        let base = self.plan_ref()?.base.clone();
        let next_level = State::Level {
            level: 0,
            phase: Phase::Start,
        };
        match &base {
            Base::Environment { credentials, .. } => {
                let mut expiration = None;
                if let Some(text) = &credentials.expiration {
                    expiration = parse_expiration(text);
                    if expiration.is_none() {
                        self.warnings.push(Warning::InvalidEnvironmentExpiration {
                            value: text.clone(),
                        });
                    }
                }
                self.current = Some(ResolvedCredentials {
                    access_key_id: credentials.access_key_id.clone(),
                    secret_access_key: credentials.secret_access_key.clone(),
                    session_token: credentials.session_token.clone(),
                    expiration,
                    account_id: credentials.account_id.clone(),
                    source: CredentialSource::Environment,
                    from_cache: false,
                });
                self.state = next_level;
                Ok(None)
            }
            Base::StaticKeys {
                origin,
                credentials,
            } => {
                self.current = Some(ResolvedCredentials {
                    access_key_id: credentials.access_key_id.clone(),
                    secret_access_key: credentials.secret_access_key.clone(),
                    session_token: credentials.session_token.clone(),
                    expiration: None,
                    account_id: credentials.account_id.clone(),
                    source: CredentialSource::Profile {
                        profile: origin.profile.clone(),
                    },
                    from_cache: false,
                });
                self.state = next_level;
                Ok(None)
            }
            Base::Keychain { origin, .. } => {
                self.state = State::AwaitingKeychain;
                Ok(Some(Effect::KeychainKeys {
                    profile: origin.profile.clone(),
                }))
            }
            // Level 0 is the web identity call itself.
            Base::WebIdentity(_) => {
                self.state = next_level;
                Ok(None)
            }
            Base::Process {
                cache_key: Some(key),
                ..
            } if self.cache => {
                self.state = State::AwaitingProcessCache;
                Ok(Some(Effect::CacheGet { key: key.clone() }))
            }
            Base::Process {
                origin, command, ..
            } => {
                let effect = Effect::RunProcess {
                    command: command.clone(),
                    profile: origin.profile.clone(),
                };
                self.state = State::AwaitingProcess;
                Ok(Some(effect))
            }
            Base::Container { request, .. } => match &request.authorization {
                Some(ContainerAuth::TokenFile(path)) => {
                    let effect = Effect::ReadFile { path: path.clone() };
                    self.state = State::AwaitingContainerToken;
                    Ok(Some(effect))
                }
                other => {
                    let authorization = match other {
                        Some(ContainerAuth::Token(t)) => Some(t.clone()),
                        _ => None,
                    };
                    if authorization
                        .as_ref()
                        .is_some_and(|t| t.expose().contains(['\r', '\n']))
                    {
                        return Err(ResolveError::ContainerAuthToken {
                            source_name: path_label(other),
                        });
                    }
                    let effect = Effect::ContainerCredentials {
                        url: request.url.clone(),
                        authorization,
                    };
                    self.state = State::AwaitingContainer;
                    Ok(Some(effect))
                }
            },
            Base::Imds { request, .. } => {
                let effect = Effect::ImdsCredentials(request.clone());
                self.state = State::AwaitingImds;
                Ok(Some(effect))
            }
            Base::Sso {
                origin,
                source: Some(source),
                ..
            } => {
                let mut flow = Box::new(sso::Flow::new(source.clone(), origin.clone(), self.cache));
                let next = flow.step(None, now, &mut self.warnings)?;
                self.sso_next(flow, next)
            }
            Base::Login { origin, source } => {
                let mut flow = Box::new(login::Flow::new(source.clone(), origin.clone()));
                let next = flow.step(None, now, &mut self.warnings)?;
                self.login_next(flow, next)
            }
            Base::Sso {
                origin,
                source: None,
                ..
            } => Err(ResolveError::SsoWithoutRole {
                profile: origin.profile.clone(),
                location: origin.location,
            }),
            // Planned so that `explain` can show the chain; reaching it
            // fails as the AWS CLI fails.
            Base::UnavailableSource { source, origin } => {
                Err(ResolveError::CredentialSourceEmpty {
                    profile: origin.profile.clone(),
                    source_name: source.as_str(),
                    location: origin.location,
                    detail: None,
                })
            }
        }
    }

    /// Takes a fresh cache entry for `level` and moves past it; anything
    /// else is a miss (a corrupt entry with a warning, as the AWS CLI would
    /// crash on it).
    fn use_cached(&mut self, level: usize, entry: Option<String>, now: OffsetDateTime) -> bool {
        let Some(text) = entry else {
            return false;
        };
        match CacheEntry::parse(&text) {
            Ok(entry) if entry.is_fresh(now) => {
                let source = self.level_source(level);
                self.current = Some(ResolvedCredentials::from_entry(&entry, source, true));
                self.state = State::Level {
                    level: level + 1,
                    phase: Phase::Start,
                };
                true
            }
            Ok(_) => false,
            Err(e) => {
                let key = self.keys.get(level).cloned().flatten().unwrap_or_default();
                self.warnings.push(Warning::CorruptCacheEntry {
                    key,
                    reason: e.to_string(),
                });
                false
            }
        }
    }

    fn level_source(&self, level: usize) -> CredentialSource {
        match self.levels.get(level) {
            Some(Level::WebIdentity(w)) => CredentialSource::WebIdentity {
                role_arn: w.role_arn.clone(),
            },
            Some(Level::Role(r)) => CredentialSource::AssumeRole {
                profile: r.origin.profile.clone(),
                role_arn: r.role_arn.clone(),
            },
            None => CredentialSource::Environment,
        }
    }

    fn level(
        &mut self,
        level: usize,
        phase: Phase,
        input: Option<Input>,
        now: OffsetDateTime,
    ) -> Result<Option<Effect>, ResolveError> {
        let Some(step) = self.levels.get(level).cloned() else {
            let current = self.current.clone().ok_or(ResolveError::NoCredentials)?;
            self.state = State::Finished(Ok(current));
            return Ok(None);
        };
        let endpoint = self.plan_ref()?.endpoint.clone();
        let set = |this: &mut Self, phase| this.state = State::Level { level, phase };
        match (step, phase, input) {
            (Level::Role(role), Phase::Start, _) => {
                let profile = Some(role.origin.profile.as_str());
                let at = |place: Option<Location>| (profile, place);
                let arn = Some(role.role_arn.as_str());
                let arn_at = at(Some(role.origin.location));
                check_length("RoleArn", "role_arn", arn_at, arn, 20, 2048)?;
                let name = role.role_session_name.as_deref();
                let name_at = at(role.places.role_session_name);
                check_length("RoleSessionName", "role_session_name", name_at, name, 2, 64)?;
                let id = role.external_id.as_deref();
                let id_at = at(role.places.external_id);
                check_length("ExternalId", "external_id", id_at, id, 2, 1224)?;
                let serial = role.mfa_serial.as_deref();
                let serial_at = at(role.places.mfa_serial);
                check_length("SerialNumber", "mfa_serial", serial_at, serial, 9, 256)?;
                if let (0, Some(session)) = (level, self.mfa_session.clone()) {
                    if self.cache {
                        let key = session.cache_key.clone();
                        set(self, Phase::AwaitingSessionCache);
                        return Ok(Some(Effect::CacheGet { key }));
                    }
                    set(self, Phase::AwaitingSessionMfa);
                    return Ok(Some(mfa_effect(&role, session.serial)));
                }
                if let Some(serial) = &role.mfa_serial {
                    let fallback = self
                        .plan_ref()?
                        .mfa_session_fallbacks
                        .iter()
                        .find(|f| f.profile == role.origin.profile)
                        .cloned();
                    if let Some(f) = fallback {
                        self.warnings.push(Warning::MfaSessionUnavailable {
                            profile: f.profile,
                            reason: f.reason,
                        });
                    }
                    set(self, Phase::AwaitingMfa);
                    return Ok(Some(mfa_effect(&role, serial.clone())));
                }
                set(self, Phase::AwaitingSts);
                Ok(Some(self.assume_role(&role, None, endpoint, now)))
            }
            (Level::Role(role), Phase::AwaitingMfa, Some(Input::Mfa(code))) => {
                let code = checked_code(&role, code)?;
                set(self, Phase::AwaitingSts);
                Ok(Some(self.assume_role(&role, Some(code), endpoint, now)))
            }
            (Level::Role(role), Phase::AwaitingSessionCache, Some(Input::CacheEntry(entry))) => {
                let Some(session) = self.mfa_session.clone() else {
                    return Ok(None);
                };
                match entry.as_deref().map(CacheEntry::parse) {
                    Some(Ok(entry)) if entry.is_fresh(now) => {
                        set(self, Phase::AwaitingSts);
                        return Ok(Some(
                            self.assume_role_in_session(&role, &entry, endpoint, now),
                        ));
                    }
                    Some(Err(e)) => self.warnings.push(Warning::CorruptCacheEntry {
                        key: session.cache_key.clone(),
                        reason: e.to_string(),
                    }),
                    _ => {}
                }
                set(self, Phase::AwaitingSessionMfa);
                Ok(Some(mfa_effect(&role, session.serial)))
            }
            (Level::Role(role), Phase::AwaitingSessionMfa, Some(Input::Mfa(code))) => {
                let Some(session) = self.mfa_session.clone() else {
                    return Ok(None);
                };
                let code = checked_code(&role, code)?;
                set(self, Phase::AwaitingSessionToken);
                Ok(Some(Effect::Sts {
                    operation: Operation::GetSessionToken(GetSessionTokenInput {
                        duration_seconds: Some(session.duration_seconds),
                        serial_number: Some(session.serial),
                        token_code: Some(code),
                    }),
                    credentials: self.current.as_ref().map(ResolvedCredentials::to_signing),
                    endpoint,
                    profile: Some(role.origin.profile.clone()),
                }))
            }
            (Level::Role(role), Phase::AwaitingSessionToken, Some(Input::Sts(result))) => {
                let Some(session) = self.mfa_session.clone() else {
                    return Ok(None);
                };
                let failed = |message: String| ResolveError::Sts {
                    operation: "GetSessionToken",
                    profile: Some(role.origin.profile.clone()),
                    message,
                };
                let credentials =
                    match result {
                        Ok(Output::GetSessionToken(c)) => c,
                        Ok(_) => return Err(failed(
                            "STS answered GetSessionToken with the response of another operation."
                                .to_owned(),
                        )),
                        Err(message) => return Err(failed(message)),
                    };
                if credentials.expiration <= now {
                    return Err(failed(format!(
                        "STS answered GetSessionToken with credentials that expired at {}, before this call ended; check this machine's clock.",
                        crate::cache::format_expiration(credentials.expiration)
                    )));
                }
                let entry = CacheEntry {
                    access_key_id: credentials.access_key_id.clone(),
                    secret_access_key: credentials.secret_access_key.clone(),
                    session_token: credentials.session_token.clone(),
                    expiration: credentials.expiration,
                    account_id: None,
                    assumed_role_id: None,
                    arn: None,
                };
                if self.cache {
                    set(self, Phase::AwaitingSessionPut { session: entry });
                    return Ok(Some(Effect::CachePut {
                        key: session.cache_key.clone(),
                        entry: crate::cache::mfa_session_entry(
                            &credentials,
                            &session.serial,
                            &session.access_key_id,
                            session.duration_seconds,
                        ),
                    }));
                }
                set(self, Phase::AwaitingSts);
                Ok(Some(
                    self.assume_role_in_session(&role, &entry, endpoint, now),
                ))
            }
            (
                Level::Role(role),
                Phase::AwaitingSessionPut { session },
                Some(Input::CacheStored(result)),
            ) => {
                if let Err(message) = result {
                    let key = self
                        .mfa_session
                        .as_ref()
                        .map(|s| s.cache_key.clone())
                        .unwrap_or_default();
                    self.warnings
                        .push(Warning::CacheWriteFailed { key, message });
                }
                set(self, Phase::AwaitingSts);
                Ok(Some(
                    self.assume_role_in_session(&role, &session, endpoint, now),
                ))
            }
            (Level::WebIdentity(w), Phase::Start, _) => {
                set(self, Phase::AwaitingToken);
                Ok(Some(Effect::ReadFile {
                    path: w.token_file.clone(),
                }))
            }
            (Level::WebIdentity(w), Phase::AwaitingToken, Some(Input::File(token))) => {
                let token = token.map_err(|message| ResolveError::ReadFile {
                    path: w.token_file.clone(),
                    purpose: "web identity token",
                    profile: w.origin.as_ref().map(|o| o.profile.clone()),
                    message,
                })?;
                let token = Secret::new(python_text(token));
                let at = (w.origin.as_ref().map(|o| o.profile.as_str()), None);
                check_length("RoleArn", "role_arn", at, Some(&w.role_arn), 20, 2048)?;
                let name = w.role_session_name.as_deref();
                check_length("RoleSessionName", "role_session_name", at, name, 2, 64)?;
                let text = Some(token.expose());
                // The file, not the profile, is what to look at.
                let setting = format!("web identity token in {}", w.token_file);
                check_length("WebIdentityToken", &setting, at, text, 4, 20000)?;
                // The AWS CLI file-caches only a web identity profile used
                // directly (as a source profile it gets an in-memory cache),
                // under a key made with the token.
                if self.cache && self.levels.len() == 1 {
                    let key = CacheKeyParams {
                        role_arn: w.role_arn.clone(),
                        role_session_name: w.role_session_name.clone(),
                        web_identity_token: Some(token.clone()),
                        ..Default::default()
                    }
                    .key()
                    .ok();
                    if let (Some(key), Some(slot)) = (key, self.keys.get_mut(level)) {
                        *slot = Some(key.clone());
                        set(self, Phase::AwaitingCachedWebIdentity { token });
                        return Ok(Some(Effect::CacheGet { key }));
                    }
                }
                set(self, Phase::AwaitingSts);
                Ok(Some(web_identity_call(&w, token, endpoint, now)))
            }
            (
                Level::WebIdentity(w),
                Phase::AwaitingCachedWebIdentity { token },
                Some(Input::CacheEntry(entry)),
            ) => {
                if self.use_cached(level, entry, now) {
                    return Ok(None);
                }
                set(self, Phase::AwaitingSts);
                Ok(Some(web_identity_call(&w, token, endpoint, now)))
            }
            (step, Phase::AwaitingSts, Some(Input::Sts(result))) => {
                let (operation, profile) = match &step {
                    Level::WebIdentity(w) => (
                        "AssumeRoleWithWebIdentity",
                        w.origin.as_ref().map(|o| o.profile.clone()),
                    ),
                    Level::Role(r) => ("AssumeRole", Some(r.origin.profile.clone())),
                };
                let output = match result {
                    Ok(Output::AssumeRole(o)) | Ok(Output::AssumeRoleWithWebIdentity(o)) => o,
                    Ok(_) => {
                        return Err(ResolveError::Sts {
                            operation,
                            profile,
                            message: format!(
                                "STS answered {operation} with the response of another operation."
                            ),
                        })
                    }
                    Err(message) => {
                        return Err(ResolveError::Sts {
                            operation,
                            profile,
                            message,
                        })
                    }
                };
                // Credentials that are over on arrival would fail every call
                // made with them, and must never reach the cache.
                if output.credentials.expiration <= now {
                    return Err(ResolveError::Sts {
                        operation,
                        profile,
                        message: format!(
                            "STS answered {operation} with credentials that expired at {}, before this call ended; check this machine's clock.",
                            crate::cache::format_expiration(output.credentials.expiration)
                        ),
                    });
                }
                let entry = CacheEntry::from_output(&output);
                self.current = Some(ResolvedCredentials::from_entry(
                    &entry,
                    self.level_source(level),
                    false,
                ));
                match (self.cache, self.keys.get(level).cloned().flatten()) {
                    (true, Some(key)) => {
                        set(self, Phase::AwaitingPut);
                        Ok(Some(Effect::CachePut {
                            key,
                            entry: entry.to_json(),
                        }))
                    }
                    _ => {
                        self.state = State::Level {
                            level: level + 1,
                            phase: Phase::Start,
                        };
                        Ok(None)
                    }
                }
            }
            (_, Phase::AwaitingPut, Some(Input::CacheStored(result))) => {
                if let Err(message) = result {
                    let key = self.keys.get(level).cloned().flatten().unwrap_or_default();
                    self.warnings
                        .push(Warning::CacheWriteFailed { key, message });
                }
                self.state = State::Level {
                    level: level + 1,
                    phase: Phase::Start,
                };
                Ok(None)
            }
            // No input yet (cannot happen through `poll`): nothing to do.
            _ => Ok(None),
        }
    }

    /// AssumeRole with the MFA session's credentials and no MFA
    /// parameters: the session carries the MFA context.
    fn assume_role_in_session(
        &self,
        role: &RoleStep,
        session: &CacheEntry,
        endpoint: Endpoint,
        now: OffsetDateTime,
    ) -> Effect {
        let mut effect = self.assume_role(role, None, endpoint, now);
        if let Effect::Sts {
            operation: Operation::AssumeRole(input),
            credentials,
            ..
        } = &mut effect
        {
            input.serial_number = None;
            *credentials = Some(rolectl_sigv4::Credentials::new(
                session.access_key_id.clone(),
                session.secret_access_key.clone(),
                Some(session.session_token.clone()),
            ));
        }
        effect
    }

    fn assume_role(
        &self,
        role: &RoleStep,
        token_code: Option<Secret>,
        endpoint: Endpoint,
        now: OffsetDateTime,
    ) -> Effect {
        let operation = Operation::AssumeRole(AssumeRoleInput {
            role_arn: role.role_arn.clone(),
            role_session_name: role
                .role_session_name
                .clone()
                .unwrap_or_else(|| generated_session_name(now)),
            external_id: role.external_id.clone(),
            serial_number: role.mfa_serial.clone(),
            token_code,
            duration_seconds: role.duration_seconds,
            ..Default::default()
        });
        Effect::Sts {
            operation,
            credentials: self.current.as_ref().map(ResolvedCredentials::to_signing),
            endpoint,
            profile: Some(role.origin.profile.clone()),
        }
    }
}

/// The code for `serial`: from the role's `mfa_process` when it has one
/// (aws-vault's key), else asked of the user.
fn mfa_effect(role: &RoleStep, serial: String) -> Effect {
    let profile = role.origin.profile.clone();
    match &role.mfa_process {
        Some(command) => Effect::MfaProcess {
            command: command.clone(),
            serial,
            profile,
        },
        None => Effect::MfaCode { serial, profile },
    }
}

/// The code typed for `role`'s serial: 6 digits, else an error.
fn checked_code(role: &RoleStep, code: Result<Secret, String>) -> Result<Secret, ResolveError> {
    let serial = role.mfa_serial.clone().unwrap_or_default();
    let code = code.map_err(|message| ResolveError::MfaUnavailable {
        serial: serial.clone(),
        profile: role.origin.profile.clone(),
        message,
    })?;
    let digits = code.expose();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ResolveError::InvalidMfaCode {
            serial,
            profile: role.origin.profile.clone(),
        });
    }
    Ok(code)
}

/// The length limits of STS's model: botocore refuses a value shorter than
/// the minimum before sending anything; STS refuses one longer than the
/// maximum. Lengths count characters, as Python's `len` does.
fn check_length(
    parameter: &'static str,
    setting: &str,
    (profile, location): (Option<&str>, Option<Location>),
    value: Option<&str>,
    min: usize,
    max: usize,
) -> Result<(), ResolveError> {
    let Some(length) = value.map(|v| v.chars().count()) else {
        return Ok(());
    };
    if (min..=max).contains(&length) {
        return Ok(());
    }
    Err(ResolveError::ParameterLength {
        parameter,
        setting: setting.to_owned(),
        profile: profile.map(str::to_owned),
        location,
        length,
        min,
        max,
    })
}

fn web_identity_call(
    w: &WebIdentity,
    token: Secret,
    endpoint: Endpoint,
    now: OffsetDateTime,
) -> Effect {
    let operation = Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput {
        role_arn: w.role_arn.clone(),
        role_session_name: w
            .role_session_name
            .clone()
            .unwrap_or_else(|| generated_session_name(now)),
        web_identity_token: token,
        ..Default::default()
    });
    Effect::Sts {
        operation,
        credentials: None,
        endpoint,
        profile: w.origin.as_ref().map(|o| o.profile.clone()),
    }
}

/// A file's text as Python's `open(path).read()` gives it, which is how the
/// AWS CLI reads token files: universal newlines turn `\r\n` and a lone `\r`
/// into `\n`. Nothing else is touched (no trimming).
pub(crate) fn python_text(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn path_label(auth: &Option<ContainerAuth>) -> String {
    match auth {
        Some(ContainerAuth::TokenFile(path)) => path.clone(),
        _ => "AWS_CONTAINER_AUTHORIZATION_TOKEN".to_owned(),
    }
}

/// `rolectl-<unix time>`: 18 characters of `[\w+=,.@-]`, within STS's 2..=64.
pub fn generated_session_name(now: OffsetDateTime) -> String {
    format!("rolectl-{}", now.unix_timestamp().max(0))
}

/// The key of a role's entry. A web identity key needs the token, so it is
/// made once the token is read.
fn cache_key(level: &Level) -> Option<String> {
    let params = match level {
        Level::WebIdentity(_) => return None,
        Level::Role(r) => CacheKeyParams {
            role_arn: r.role_arn.clone(),
            role_session_name: r.role_session_name.clone(),
            external_id: r.external_id.clone(),
            serial_number: r.mfa_serial.clone(),
            duration_seconds: r.duration_seconds,
            ..Default::default()
        },
    };
    params.key().ok()
}

/// The text the machine reads, and why an entry was not handed on.
fn split_lookup(lookup: CacheLookup) -> (Option<String>, Option<String>) {
    match lookup {
        CacheLookup::Found(text) => (Some(text), None),
        CacheLookup::Missing => (None, None),
        CacheLookup::Unusable { reason } => (None, Some(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Options;

    fn static_keys() -> Resolver {
        let files = rolectl_config_parser::parse_files(
            None,
            Some("[p]\naws_access_key_id = AKID\naws_secret_access_key = secret\n"),
        )
        .expect("parses");
        Resolver::new(&Snapshot {
            profiles: files.profiles.into_owned(),
            env: Default::default(),
            options: Options {
                profile: Some("p".into()),
                region: None,
                cache: true,
                ..Default::default()
            },
        })
    }

    /// Polls on another thread: a machine that stands still would spin
    /// forever, and the test must fail rather than hang.
    fn poll_within_seconds(mut machine: Resolver, seconds: u64) -> Step {
        let (sent, step) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sent.send(machine.poll(OffsetDateTime::UNIX_EPOCH));
        });
        step.recv_timeout(std::time::Duration::from_secs(seconds))
            .expect("poll returned")
    }

    #[test]
    fn a_step_that_neither_moves_on_nor_asks_for_anything_is_an_internal_error() {
        // A state whose input does not fit the plan (it cannot come about
        // through the handlers): the step leaves the state as it was.
        let mut machine = static_keys();
        machine.state = State::AwaitingProcess;
        machine.pending = Some(Effect::RunProcess {
            command: "true".into(),
            profile: "p".into(),
        });
        machine.input = Some(Input::Process(Err("not run".into())));
        assert!(!machine.is_done());
        let step = poll_within_seconds(machine, 10);
        assert_eq!(
            step,
            Step::Done(Err(ResolveError::Internal {
                state: "AwaitingProcess".into()
            }))
        );
    }

    /// A container source with a token file, then a role with an MFA
    /// serial and the cache on: every effect a level and a base can need.
    fn widest_chain() -> Resolver {
        let files = rolectl_config_parser::parse_files(
            Some("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = EcsContainer\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n"),
            None,
        )
        .expect("parses");
        let env = [
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/token"),
        ];
        Resolver::new(&Snapshot {
            profiles: files.profiles.into_owned(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            options: Options {
                profile: Some("r".into()),
                region: None,
                cache: true,
                ..Default::default()
            },
        })
    }

    /// Answers `effect` as a working front end would.
    fn answer(machine: &mut Resolver, effect: &Effect) {
        let fed = match effect {
            Effect::CacheGet { .. } => machine.handle_cache_entry(None),
            Effect::ReadFile { .. } => machine.handle_file(Ok("token".into())),
            Effect::ContainerCredentials { .. } => machine.handle_container(Ok(
                r#"{"AccessKeyId":"ECS","SecretAccessKey":"s","Token":"t","Expiration":"2100-01-01T00:00:00Z"}"#.into(),
            )),
            Effect::MfaCode { .. } => machine.handle_mfa_code(Ok(Secret::new("123456"))),
            Effect::Sts { .. } => machine.handle_sts(Ok::<_, String>(Output::AssumeRole(
                rolectl_sts_client::AssumeRoleOutput {
                    credentials: rolectl_sts_client::TemporaryCredentials {
                        access_key_id: "ASIA".into(),
                        secret_access_key: Secret::new("s"),
                        session_token: Secret::new("t"),
                        expiration: OffsetDateTime::UNIX_EPOCH + time::Duration::days(1),
                    },
                    assumed_role_user: None,
                    packed_policy_size: None,
                    source_identity: None,
                    subject_from_web_identity_token: None,
                    provider: None,
                    audience: None,
                },
            ))),
            Effect::CachePut { .. } => machine.handle_cache_stored(Ok(())),
            other => panic!("not in this chain: {other:?}"),
        };
        fed.expect("fed");
    }

    #[test]
    fn the_effect_budget_is_what_the_widest_chain_needs_and_no_more() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut machine = widest_chain();
        let mut kinds = Vec::new();
        // Bounded, unlike drive: a machine that drops a result must fail
        // this test, not hang it.
        let mut outcome = None;
        for _ in 0..20 {
            match machine.poll(now) {
                Step::Effect(effect) => {
                    kinds.push(effect.kind());
                    answer(&mut machine, &effect);
                }
                Step::Done(done) => {
                    outcome = Some(done);
                    break;
                }
            }
        }
        let outcome = outcome.unwrap_or_else(|| panic!("no end after {kinds:?}"));
        assert_eq!(outcome.expect("resolves").access_key_id, "ASIA");
        use Kind::*;
        assert_eq!(
            kinds,
            [CacheGet, File, Container, Mfa, Sts, CachePut],
            "one effect of each kind a chain of one role can ask for"
        );
        assert_eq!(machine.effects_issued(), machine.effect_budget());

        // One more would be a step repeating itself: the run ends there.
        let mut machine = widest_chain();
        let Step::Effect(first) = machine.poll(now) else {
            panic!("a cache lookup")
        };
        machine.effects = machine.effect_budget();
        answer(&mut machine, &first);
        match machine.poll(now) {
            Step::Done(Err(ResolveError::Internal { state })) => {
                assert_eq!(state, "BaseStart after 6 effects, all its plan can need,")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn inputs_show_their_kind_and_outcome_only() {
        for (input, shown) in [
            (Input::Sts(Err("denied".into())), "Sts(failed)"),
            (Input::Mfa(Ok(Secret::new("123456"))), "Mfa(ok)"),
            (Input::File(Ok("TOKEN".into())), "File(ok)"),
            (Input::CacheEntry(Some("{}".into())), "CacheEntry(ok)"),
            (Input::CacheEntry(None), "CacheEntry(failed)"),
            (Input::CacheStored(Ok(())), "CacheStored(ok)"),
            (Input::Imds(Ok("{}".into())), "Imds(ok)"),
            (Input::Container(Err("refused".into())), "Container(failed)"),
            (
                Input::Process(Ok(ProcessOutput {
                    status: Some(0),
                    stdout: "SECRET".into(),
                    stderr: String::new(),
                })),
                "Process(ok)",
            ),
        ] {
            assert_eq!(format!("{input:?}"), shown);
        }
    }

    #[test]
    fn token_files_read_as_python_text_mode_reads_them() {
        for (raw, read) in [
            ("a.b.c", "a.b.c"),
            (" a.b.c \n", " a.b.c \n"),
            ("a\r\nb\r\n", "a\nb\n"),
            ("a\rb", "a\nb"),
            ("a\r\r\n", "a\n\n"),
        ] {
            assert_eq!(python_text(raw.to_owned()), read, "{raw:?}");
        }
    }
}
