//! `rolectl sso login` and `rolectl sso logout`, as `aws sso login/logout`
//! do them: the device authorization flow of SSO OIDC (register a public
//! client, start a device authorization, poll CreateToken honouring
//! `slow_down` and the code's expiry), the token written to
//! `~/.aws/sso/cache` in the CLI's format; logout removes the tokens and
//! the SSO credentials cached from them.

use std::time::Duration;

use rolectl_resolver::sso::{login_token_text, oidc_url, SsoToken, TOKEN_REFRESH_WINDOW};
use rolectl_sts_client::{SsoError, SsoOperation, SsoOutput};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::error::CliError;
use crate::resolve::block_on;
use crate::sso::Sso;

/// What a login is for: an `[sso-session]`, or a legacy profile's start URL.
struct Target {
    session: Option<String>,
    start_url: String,
    region: String,
    scopes: Vec<String>,
}

fn target(ctx: &Context, sso_session: Option<&str>) -> Result<Target, CliError> {
    let snapshot = ctx.snapshot()?;
    let from_session = |name: &str| -> Result<Target, CliError> {
        let section = snapshot.profiles.sso_session(name).ok_or_else(|| {
            CliError::resolve(format!(
                "The sso-session \"{name}\" does not exist in {}.",
                ctx.paths.config
            ))
        })?;
        let value = |key: &str| {
            section.value(key).map(str::to_owned).ok_or_else(|| {
                CliError::resolve(format!(
                    "The sso-session \"{name}\" in {} has no {key}; add it to log in.",
                    ctx.paths.config
                ))
            })
        };
        Ok(Target {
            session: Some(name.to_owned()),
            start_url: value("sso_start_url")?,
            region: value("sso_region")?,
            scopes: section
                .value("sso_registration_scopes")
                .map(|s| {
                    s.split(',')
                        .map(|p| p.trim().to_owned())
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        })
    };
    if let Some(name) = sso_session {
        return from_session(name);
    }
    let profile = snapshot.selected_profile().name;
    let section = snapshot.profiles.profile(&profile).ok_or_else(|| {
        CliError::resolve(format!("The config profile ({profile}) could not be found"))
    })?;
    if let Some(name) = section.value("sso_session") {
        return from_session(name);
    }
    match (section.value("sso_start_url"), section.value("sso_region")) {
        (Some(start_url), Some(region)) => Ok(Target {
            session: None,
            start_url: start_url.to_owned(),
            region: region.to_owned(),
            scopes: Vec::new(),
        }),
        _ => Err(CliError::resolve(format!(
            "The profile \"{profile}\" has neither sso_session nor sso_start_url and sso_region, so there is nothing to log in to; name an sso-session with --sso-session."
        ))),
    }
}

fn token_key(target: &Target) -> String {
    let name = target.session.as_deref().unwrap_or(&target.start_url);
    hex::encode(Sha1::digest(name.as_bytes()))
}

fn sso_error(error: SsoError) -> CliError {
    CliError::resolve(format!("The SSO login failed: {error}"))
}

pub fn login(ctx: &Context, sso_session: Option<&str>, no_browser: bool) -> Result<(), CliError> {
    let target = target(ctx, sso_session)?;
    // A login waits for a person in the browser: never under --no-prompt.
    if let Some(why) = ctx.no_prompt {
        return Err(CliError::NeedsPerson {
            message: format!(
                "An SSO login for {} needs a person in a browser, and no one may be asked ({why}); run `rolectl sso login` without it, in a terminal.",
                target.start_url
            ),
        });
    }
    let snapshot = ctx.snapshot()?;
    let url = oidc_url(&snapshot, &target.region);
    let key = token_key(&target);
    let mut tokens = CacheDir::new(ctx.sso_cache_dir.clone());
    // One login at a time per session: a run that waited for another's
    // login uses the token that one wrote.
    let before = tokens.get(&key);
    tokens.lock(&key);
    let now = OffsetDateTime::now_utc();
    if let Some(text) = tokens.get(&key).filter(|t| Some(t) != before.as_ref()) {
        if SsoToken::parse(&text).is_ok_and(|t| t.expires_at - now > TOKEN_REFRESH_WINDOW) {
            println!(
                "Successfully logged into Start URL: {} (by another rolectl at the same time)",
                target.start_url
            );
            return Ok(());
        }
    }
    block_on(async {
        let mut sso = Sso::default();
        let registered = sso
            .call(
                &SsoOperation::RegisterClient {
                    client_name: format!("rolectl-{}", now.unix_timestamp()),
                    scopes: target.scopes.clone(),
                },
                &url,
            )
            .await
            .map_err(sso_error)?;
        let SsoOutput::Registration(client) = registered else {
            return Err(CliError::resolve(
                "SSO OIDC answered RegisterClient with the response of another operation."
                    .to_owned(),
            ));
        };
        let started = sso
            .call(
                &SsoOperation::StartDeviceAuthorization {
                    client_id: client.client_id.clone(),
                    client_secret: client.client_secret.clone(),
                    start_url: target.start_url.clone(),
                },
                &url,
            )
            .await
            .map_err(sso_error)?;
        let SsoOutput::DeviceAuthorization(device) = started else {
            return Err(CliError::resolve("SSO OIDC answered StartDeviceAuthorization with the response of another operation.".to_owned()));
        };
        let complete = device
            .verification_uri_complete
            .clone()
            .unwrap_or_else(|| device.verification_uri.clone());
        if no_browser || crate::commands::console::open_url(&complete).is_err() {
            eprintln!(
                "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{}\n\nThen enter the code:\n\n{}\n",
                device.verification_uri, device.user_code
            );
        } else {
            eprintln!(
                "Attempting to automatically open the SSO authorization page in your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n{}\n\nThen enter the code:\n\n{}\n",
                device.verification_uri, device.user_code
            );
        }
        let started_at = OffsetDateTime::now_utc();
        let deadline = started_at + time::Duration::seconds(device.expires_in);
        let mut interval = device.interval.max(1);
        let expired = || {
            CliError::resolve(
                "The device code expired before the login was approved in the browser; run `rolectl sso login` again.".to_owned(),
            )
        };
        let token = loop {
            tokio::time::sleep(Duration::from_secs(interval.unsigned_abs())).await;
            if OffsetDateTime::now_utc() >= deadline {
                return Err(expired());
            }
            let polled = sso
                .call(
                    &SsoOperation::CreateTokenWithDeviceCode {
                        client_id: client.client_id.clone(),
                        client_secret: client.client_secret.clone(),
                        device_code: device.device_code.clone(),
                    },
                    &url,
                )
                .await;
            match polled {
                Ok(SsoOutput::Token(token)) => break token,
                Ok(_) => {
                    return Err(CliError::resolve(
                        "SSO OIDC answered CreateToken with the response of another operation."
                            .to_owned(),
                    ))
                }
                Err(e) => match e.code() {
                    Some("AuthorizationPendingException" | "authorization_pending") => {}
                    // RFC 8628: each slow_down adds five seconds.
                    Some("SlowDownException" | "slow_down") => interval += 5,
                    Some("ExpiredTokenException" | "expired_token") => return Err(expired()),
                    _ => return Err(sso_error(e)),
                },
            }
        };
        let now = OffsetDateTime::now_utc();
        let registration_expires_at =
            OffsetDateTime::from_unix_timestamp(client.client_secret_expires_at).unwrap_or(now);
        let text = login_token_text(
            &target.start_url,
            &target.region,
            &token,
            &client.client_id,
            &client.client_secret,
            registration_expires_at,
            now,
        );
        tokens
            .put(&key, &text)
            .map_err(|e| CliError::resolve(format!("The SSO token could not be written: {e}.")))?;
        println!("Successfully logged into Start URL: {}", target.start_url);
        Ok(())
    })
}

/// Removes every SSO token of `~/.aws/sso/cache` (client registrations
/// stay) and every credential entry cached from one (`ProviderType` sso).
pub fn logout(ctx: &Context) -> Result<(), CliError> {
    let mut removed = 0;
    for (dir, is_sso_file) in [
        (
            ctx.sso_cache_dir.clone(),
            (|v: &serde_json::Value| v.get("accessToken").is_some())
                as fn(&serde_json::Value) -> bool,
        ),
        (ctx.cache_dir.clone(), |v: &serde_json::Value| {
            v.get("ProviderType").and_then(|p| p.as_str()) == Some("sso")
        }),
    ] {
        let mut cache = CacheDir::new(dir);
        for (key, _) in cache.entries().map_err(CliError::resolve)? {
            let parsed = cache
                .get(&key)
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
            if parsed.as_ref().is_some_and(is_sso_file)
                && cache.remove(&key).map_err(CliError::resolve)?
            {
                removed += 1;
            }
        }
    }
    eprintln!(
        "Removed {removed} SSO cache {}.",
        if removed == 1 { "file" } else { "files" }
    );
    println!("Successfully signed out of all SSO profiles.");
    Ok(())
}
