//! One resolution, natively: a single-threaded runtime, the native
//! handlers, the resolver driven to its end, its warnings on stderr and its
//! errors worded with the real file paths.

use std::future::Future;

use rolectl_resolver::{drive, ResolveError, ResolvedCredentials, Resolver, Snapshot};
use rolectl_sts_client::Endpoint;

use crate::context::Context;
use crate::error::CliError;
use crate::handlers::NativeHandlers;
use crate::process::CHAIN_VAR;

/// A `credential_process` that calls rolectl may nest this deep, as in the
/// AWS CLI's `export-credentials`.
const MAX_NESTING: usize = 4;

/// Credentials and where further calls for them go.
pub struct Resolution {
    pub credentials: ResolvedCredentials,
    pub region: Option<String>,
    pub endpoint: Endpoint,
}

/// Runs `future` on a current-thread runtime: one resolution needs no more.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded runtime can always be built")
        .block_on(future)
}

/// The profile chain for child processes, or an error when `profile` is
/// already being resolved further up (a `credential_process` that runs
/// rolectl for its own profile).
pub fn profile_chain(ctx: &Context, profile: &str) -> Result<String, CliError> {
    let seen: Vec<&str> = ctx
        .env
        .get(CHAIN_VAR)
        .map(|v| v.split(',').filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    if seen.contains(&profile) {
        return Err(CliError::resolve(format!(
            "The profile \"{profile}\" is already being resolved by the rolectl that runs this one ({} -> {profile}): its credential_process calls rolectl for itself. Give credential_process a different profile.",
            seen.join(" -> ")
        )));
    }
    if seen.len() >= MAX_NESTING {
        return Err(CliError::resolve(format!(
            "Credential processes nest more than {MAX_NESTING} deep ({} -> {profile}); check the credential_process settings of these profiles.",
            seen.join(" -> ")
        )));
    }
    let mut chain = seen;
    chain.push(profile);
    Ok(chain.join(","))
}

/// Reads the files and resolves the selected profile: what `export`,
/// `credential-process` and `exec` need.
pub fn resolve_selected(ctx: &Context) -> Result<Resolution, CliError> {
    let snapshot = ctx.snapshot()?;
    let chain = profile_chain(ctx, &snapshot.selected_profile().name)?;
    block_on(async {
        let mut handlers = NativeHandlers::new(ctx, chain);
        resolve(ctx, &snapshot, &mut handlers).await
    })
}

/// Resolves `snapshot` with `handlers`, printing the warnings. When the
/// chain's SSO token is missing, expired or refused and a person can be
/// asked, logs in (as `rolectl sso login`) and resolves once more.
pub async fn resolve(
    ctx: &Context,
    snapshot: &Snapshot,
    handlers: &mut NativeHandlers<'_>,
) -> Result<Resolution, CliError> {
    match resolve_once(ctx, snapshot, handlers).await {
        Err(Failed::NeedsSsoLogin { profile, error }) => {
            if let Err(login) =
                crate::commands::sso::login_for_resolution(ctx, &profile, &mut handlers.sso_tokens)
                    .await
            {
                eprintln!("rolectl: {error}");
                return Err(login);
            }
            resolve_once(ctx, snapshot, handlers)
                .await
                .map_err(Failed::into_cli)
        }
        other => other.map_err(Failed::into_cli),
    }
}

/// Why a resolution failed: an error to show, or an SSO token that a
/// login would fix.
enum Failed {
    Cli(CliError),
    NeedsSsoLogin { profile: String, error: CliError },
}

impl Failed {
    fn into_cli(self) -> CliError {
        match self {
            Failed::Cli(e) | Failed::NeedsSsoLogin { error: e, .. } => e,
        }
    }
}

impl From<CliError> for Failed {
    fn from(e: CliError) -> Self {
        Failed::Cli(e)
    }
}

async fn resolve_once(
    ctx: &Context,
    snapshot: &Snapshot,
    handlers: &mut NativeHandlers<'_>,
) -> Result<Resolution, Failed> {
    let mut machine = Resolver::new(snapshot);
    let result = drive(&mut machine, handlers, time::OffsetDateTime::now_utc).await;
    let said: Vec<String> = machine
        .warnings()
        .iter()
        .map(|w| ctx.paths.rewrite(&w.to_string()))
        .collect();
    for warning in &said {
        eprintln!("warning: {warning}");
    }
    // A cache directory that cannot be used is said once, not again for
    // each entry that could not be written into it.
    let mut directory_warnings = handlers.cache.take_warnings();
    directory_warnings.extend(handlers.sso_tokens.take_warnings());
    directory_warnings.extend(handlers.login_tokens.take_warnings());
    for warning in directory_warnings {
        if !said.iter().any(|s| s.contains(&warning)) {
            eprintln!("warning: {warning}");
        }
    }
    if let (Err(_), Some(message)) = (&result, handlers.needs_person.take()) {
        return Err(CliError::NeedsPerson { message }.into());
    }
    let credentials = match result {
        Ok(credentials) => credentials,
        Err(e) => {
            let error = resolve_error(ctx, &e);
            return Err(match (sso_login_fixes(&e), ctx.cannot_prompt()) {
                (Some(profile), None) => Failed::NeedsSsoLogin {
                    profile: profile.to_owned(),
                    error,
                },
                _ => Failed::Cli(error),
            });
        }
    };
    let plan = machine.plan().map_err(|e| resolve_error(ctx, e))?;
    Ok(Resolution {
        credentials,
        region: plan.region.clone(),
        endpoint: plan.endpoint.clone(),
    })
}

/// The SSO profile whose token a login would replace, when that is what
/// stopped the resolution.
fn sso_login_fixes(error: &ResolveError) -> Option<&str> {
    match error {
        ResolveError::SsoTokenMissing { profile, .. }
        | ResolveError::SsoTokenInvalid { profile, .. }
        | ResolveError::SsoTokenExpired { profile, .. }
        | ResolveError::SsoUnauthorized { profile } => Some(profile),
        _ => None,
    }
}

/// The resolver's error with the real paths, and for a missing profile the
/// setting that named it.
pub fn resolve_error(ctx: &Context, error: &ResolveError) -> CliError {
    // A keychain that could not be read is the reason, not an empty one.
    if let (ResolveError::KeychainEmpty { .. }, Some(reason)) = (error, ctx.keychain_error.get()) {
        return CliError::resolve(reason.clone());
    }
    let mut message = ctx.paths.rewrite(&error.to_string());
    if let (
        ResolveError::NoCredentials | ResolveError::SourceProfileWithoutCredentials { .. },
        Some(reason),
    ) = (error, ctx.keychain_error.get())
    {
        message.push_str(&format!(
            " Its keys may be in the OS keychain, which could not be checked: {reason}"
        ));
    }
    // An SSO login is a person's step: without one to ask, exit 3.
    if matches!(
        error,
        ResolveError::SsoTokenMissing { .. }
            | ResolveError::SsoTokenInvalid { .. }
            | ResolveError::SsoTokenExpired { .. }
            | ResolveError::SsoUnauthorized { .. }
    ) {
        if let Some(why) = ctx.cannot_prompt() {
            message.push_str(&format!(" (No login can be started: {why}.)"));
            return CliError::NeedsPerson { message };
        }
    }
    // The AWS CLI's own text first, unchanged, so that scripts matching it
    // still match; then the profile the call was made for.
    if let ResolveError::Sts {
        profile: Some(profile),
        ..
    } = error
    {
        message.push_str(&format!(" (profile \"{profile}\")"));
    }
    if let ResolveError::ProfileNotFound { .. } = error {
        if let Some(origin) = ctx.profile_origin() {
            message.push_str(&format!(
                " (the profile was named by {origin}; the files read were {} and {}).",
                ctx.paths.config, ctx.paths.credentials
            ));
        }
    }
    CliError::resolve(message)
}
