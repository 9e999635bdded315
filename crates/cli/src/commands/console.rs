//! `rolectl console [--destination URL] [--print]`: the AWS federation
//! flow, as aws-vault's `login` runs it (`cli/login.go`).
//!
//! - Session credentials (a role's: they carry a session token) go
//!   straight to `getSigninToken`, with `SessionDuration` = the time they
//!   have left, held to the 900..=43200 s that getSigninToken accepts.
//! - Long-term user keys first become a federated user's credentials:
//!   STS GetCallerIdentity for the user's name, then GetFederationToken with
//!   that name (cut to 32 characters), a policy that allows everything (the
//!   federated user's permissions are the intersection of it with the
//!   user's own, so: what the user may do) and one hour
//!   (aws-vault's default); no `SessionDuration` then, since getSigninToken
//!   refuses it for federation tokens: the console session lasts as long
//!   as the token.
//!
//! The partition of the region (else of the STS endpoint) picks the
//! sign-in and console hosts; `ROLECTL_FEDERATION_ENDPOINT` replaces the
//! federation endpoint. The login URL is a secret: it is printed with
//! `--print` only, else handed to `xdg-open` (`open` on macOS) as one
//! argument, never through a shell, with its output silenced (it would
//! quote the URL in its errors).

use std::process::Stdio;

use rolectl_resolver::plan;
use rolectl_sigv4::Secret;
use rolectl_sts_client::{GetFederationTokenInput, Operation, Output};
use time::OffsetDateTime;

use crate::context::Context;
use crate::error::CliError;
use crate::federation::{
    check_base, check_destination, get_signin_token, login_url, session_duration, Partition,
    SessionCredentials, ENDPOINT_VAR,
};
use crate::handlers::NativeHandlers;
use crate::resolve::{block_on, profile_chain, resolve, resolve_error};

/// The policy aws-vault passes to GetFederationToken.
pub const ALLOW_ALL_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// GetFederationToken's `DurationSeconds` (aws-vault's default).
pub const FEDERATION_SECONDS: u32 = 3600;
/// The federated user's name when the caller's ARN gives none.
const FALLBACK_NAME: &str = "rolectl";

/// The federated user's name for a caller: the IAM user's name (`root`
/// for the account's root user) in the characters and length
/// GetFederationToken accepts.
fn federated_name(caller_arn: &str) -> String {
    let resource = caller_arn.splitn(6, ':').nth(5).unwrap_or("");
    let name = match resource.split_once('/') {
        Some(("user", path_and_name)) => path_and_name.rsplit('/').next().unwrap_or(""),
        None if resource == "root" => "root",
        _ => "",
    };
    let name: String = name
        .chars()
        .filter(|&c| rolectl_sts_client::is_federation_name_char(c))
        .take(*rolectl_sts_client::FEDERATION_NAME_LENGTH.end())
        .collect();
    if name.chars().count() < *rolectl_sts_client::FEDERATION_NAME_LENGTH.start() {
        FALLBACK_NAME.to_owned()
    } else {
        name
    }
}

/// An STS error in the AWS CLI's words, then the profile, as `resolve_error` says it.
fn sts_error(message: String, profile: &str) -> CliError {
    CliError::resolve(format!("{message} (profile \"{profile}\")"))
}

/// Session credentials for getSigninToken and the `SessionDuration` to ask for.
struct Session {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Secret,
    duration: Option<i64>,
}

pub fn run(ctx: &Context, destination: Option<&str>, print: bool) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let planned = plan(&snapshot).map_err(|e| resolve_error(ctx, &e))?;
    let profile = planned.profile.clone();
    let region = planned.region.as_deref();
    let partition = Partition::of(region, &planned.endpoint.url);
    let base = match ctx.env.get(ENDPOINT_VAR).filter(|v| !v.is_empty()) {
        Some(value) => check_base(value).map_err(|why| CliError::Config {
            message: format!(
                "{ENDPOINT_VAR}=\"{value}\" cannot be used as the federation endpoint: {why}."
            ),
        })?,
        None => partition.federation_url().to_owned(),
    };
    let destination = match destination {
        Some(url) => {
            check_destination(url).map_err(|why| CliError::Usage {
                message: format!(
                    "--destination \"{url}\" cannot be used: {why}, such as https://{}/s3/home.",
                    partition.console_host()
                ),
            })?;
            url.to_owned()
        }
        None => partition.console_home(region),
    };
    if ctx.debug {
        eprintln!(
            "debug: console: partition {}, federation endpoint {base}, destination {destination}",
            partition.name()
        );
    }
    let chain = profile_chain(ctx, &profile)?;
    let url = block_on(async {
        let mut handlers = NativeHandlers::new(ctx, chain);
        let resolution = resolve(ctx, &snapshot, &mut handlers).await?;
        let c = resolution.credentials;
        let session = match c.session_token.clone() {
            Some(token) => Session {
                duration: c
                    .expiration
                    .map(|at| session_duration((at - OffsetDateTime::now_utc()).whole_seconds())),
                access_key_id: c.access_key_id.clone(),
                secret_access_key: c.secret_access_key.clone(),
                session_token: token,
            },
            None => {
                let signing = c.to_signing();
                let endpoint = &resolution.endpoint;
                let identity = handlers
                    .call(&Operation::GetCallerIdentity, Some(&signing), endpoint)
                    .await
                    .map_err(|e| sts_error(e, &profile))?;
                let Output::GetCallerIdentity(identity) = identity else {
                    return Err(CliError::resolve(
                        "STS answered GetCallerIdentity with another operation's result.",
                    ));
                };
                let operation = Operation::GetFederationToken(GetFederationTokenInput {
                    name: federated_name(&identity.arn),
                    policy: Some(ALLOW_ALL_POLICY.to_owned()),
                    duration_seconds: Some(FEDERATION_SECONDS),
                });
                let output = handlers
                    .call(&operation, Some(&signing), endpoint)
                    .await
                    .map_err(|e| sts_error(e, &profile))?;
                let Output::GetFederationToken(federated) = output else {
                    return Err(CliError::resolve(
                        "STS answered GetFederationToken with another operation's result.",
                    ));
                };
                let f = federated.credentials;
                Session {
                    access_key_id: f.access_key_id,
                    secret_access_key: f.secret_access_key,
                    session_token: f.session_token,
                    duration: None,
                }
            }
        };
        if ctx.debug {
            eprintln!(
                "debug: console: getSigninToken at {base} for {} ({})",
                session.access_key_id,
                match session.duration {
                    Some(seconds) => format!("SessionDuration {seconds}"),
                    None => "no SessionDuration".to_owned(),
                }
            );
        }
        let credentials = SessionCredentials {
            access_key_id: &session.access_key_id,
            secret_access_key: &session.secret_access_key,
            session_token: &session.session_token,
        };
        let token = get_signin_token(&base, &credentials, session.duration)
            .await
            .map_err(|what| {
                CliError::resolve(format!(
                    "The federation endpoint {base} (getSigninToken for profile \"{profile}\") {what}; no console sign-in URL was made."
                ))
            })?;
        Ok::<_, CliError>(login_url(&base, &destination, &token))
    })?;
    if print {
        return super::print(&format!("{}\n", url.expose()));
    }
    open_browser(&url).map_err(|why| CliError::Io {
        message: format!(
            "The browser could not be opened for profile \"{profile}\" ({why}); run rolectl console --print to get the sign-in URL instead."
        ),
        status: 1,
    })
}

/// Opens a URL that is not a secret (the SSO device authorization page).
pub fn open_url(url: &str) -> Result<(), String> {
    open_browser(&Secret::new(url))
}

/// Hands `url` to the desktop's opener as one argument (no shell); its
/// output is dropped, since openers quote the URL in their messages.
fn open_browser(url: &Secret) -> Result<(), String> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let status = std::process::Command::new(program)
        .arg(url.expose())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{program} could not be run: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} ended with {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federated_names_come_from_the_callers_arn() {
        let cases = [
            ("arn:aws:iam::123456789012:user/alice", "alice"),
            (
                "arn:aws:iam::123456789012:user/div/team/bob@example.com",
                "bob@example.com",
            ),
            ("arn:aws-cn:iam::123456789012:user/carol", "carol"),
            ("arn:aws:iam::123456789012:root", "root"),
            (
                "arn:aws:iam::123456789012:user/a-very-long-user-name-of-more-than-32-chars",
                "a-very-long-user-name-of-more-th",
            ),
            ("arn:aws:iam::123456789012:user/x", FALLBACK_NAME),
            ("arn:aws:sts::123456789012:assumed-role/r/s", FALLBACK_NAME),
            ("nonsense", FALLBACK_NAME),
        ];
        for (arn, name) in cases {
            assert_eq!(federated_name(arn), name, "{arn}");
            let op = Operation::GetFederationToken(GetFederationTokenInput {
                name: federated_name(arn),
                policy: Some(ALLOW_ALL_POLICY.to_owned()),
                duration_seconds: Some(FEDERATION_SECONDS),
            });
            rolectl_sts_client::validate(&op).unwrap();
        }
    }
}
