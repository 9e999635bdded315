//! `rolectl login` and `rolectl logout`, as `aws login/logout` do them: a new
//! P-256 key per login, Sign-In's authorization code flow with PKCE (a loopback
//! redirect, or with `--remote` the code pasted back), the code exchanged with
//! a DPoP proof, the session written to `~/.aws/login/cache` and
//! `login_session` into the profile; logout removes the session file.

use std::io::{BufRead, Write};
use std::time::Duration;

use rolectl_resolver::login::{new_token_text, signin_base_url, token_cache_key, uuid4};
use rolectl_sigv4::Secret;
use rolectl_sts_client::{
    authorize_url, create_oauth2_token_url, cross_device_redirect_uri, dpop_proof, new_dpop_key,
    parse_verification_code, pkce_challenge, pkce_verifier, AuthorizationCodeInput, SigninError,
    CLIENT_ID_CROSS_DEVICE, CLIENT_ID_SAME_DEVICE,
};
use time::OffsetDateTime;

use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::error::CliError;
use crate::resolve::block_on;
use crate::sso::Sso;

/// The region `aws login` offers when none is configured.
const DEFAULT_REGION: &str = "us-east-1";

fn random(len: usize) -> Result<Vec<u8>, CliError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| {
        CliError::resolve(format!("No randomness for the login could be had: {e}."))
    })?;
    Ok(bytes)
}

/// One line of stdin after `prompt` on stderr (the CLI's `input()`).
fn ask(prompt: &str) -> Result<String, CliError> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::resolve(format!("stdin could not be read: {e}.")))?;
    Ok(line.trim().to_owned())
}

/// The credential style a profile already has, which would win over a
/// login session (the CLI's order of checks and names).
fn existing_style(section: &rolectl_config_parser::Section<'_>) -> Option<&'static str> {
    let has = |k: &str| section.value(k).is_some();
    if has("web_identity_token_file") {
        Some("Web Identity")
    } else if has("sso_role_name") || has("sso_account_id") {
        Some("SSO")
    } else if has("aws_access_key_id") {
        Some("Access Key")
    } else if has("role_arn") {
        Some("Assume Role")
    } else if has("credential_process") {
        Some("Credential Process")
    } else {
        None
    }
}

fn login_error(error: SigninError) -> CliError {
    let message = match &error {
        SigninError::Service {
            code,
            error: Some(kind),
            ..
        } if code == "AccessDeniedException" && kind == "AUTHCODE_EXPIRED" => {
            "Unable to complete the login process due to an expired authorization code. Please reauthenticate using `rolectl login` (or `aws login`).".to_owned()
        }
        SigninError::Service {
            code,
            error: Some(kind),
            ..
        } if code == "AccessDeniedException" && kind == "INSUFFICIENT_PERMISSIONS" => {
            "Unable to create or refresh login credentials due to insufficient permissions. You may be missing permission for the 'signin:CreateOAuth2Token' action.".to_owned()
        }
        _ => format!("The login failed: {error}"),
    };
    CliError::resolve(message)
}

pub fn run(ctx: &Context, remote: bool, no_browser: bool) -> Result<(), CliError> {
    // A login waits for a person in the browser: never under --no-prompt.
    if let Some(why) = ctx.no_prompt {
        return Err(CliError::NeedsPerson {
            message: format!(
                "A console login needs a person in a browser, and no one may be asked ({why}); run `rolectl login` without it, in a terminal."
            ),
        });
    }
    let snapshot = ctx.snapshot_of_all()?;
    let profile = snapshot.selected_profile().name;
    let section = snapshot.profiles.profile(&profile);
    if let Some(style) = section.and_then(existing_style) {
        return Err(CliError::resolve(format!(
            "Profile '{profile}' is already configured with {style} credentials. You may run `rolectl login --profile new-profile-name` to create a new profile with that name; otherwise first remove the existing credentials from '{profile}'."
        )));
    }
    let (region, prompted) = match rolectl_resolver::region(&snapshot, section) {
        Some(region) => (region, false),
        None => {
            eprintln!("No AWS region has been configured. The login's region is where its session lives; the profile keeps it.");
            let answer = ask(&format!("AWS Region [{DEFAULT_REGION}]: "))?;
            let region = if answer.is_empty() {
                DEFAULT_REGION.to_owned()
            } else {
                answer
            };
            (region, true)
        }
    };
    let base = signin_base_url(&snapshot, &region);

    // A key of its own for each login: the session is bound to it.
    let key = loop {
        let bytes: [u8; 32] = random(32)?.try_into().expect("32 bytes");
        if let Ok(key) = new_dpop_key(&bytes) {
            break key;
        }
    };
    let verifier = loop {
        if let Some(v) = pkce_verifier(&random(256)?) {
            break v;
        }
    };
    let challenge = pkce_challenge(&verifier);
    let state = uuid4(&random(16)?);

    let login = block_on(async {
        let (client_id, code, redirect_uri) = if remote {
            let redirect = cross_device_redirect_uri(&base);
            let url = authorize_url(
                &base,
                CLIENT_ID_CROSS_DEVICE,
                &state,
                &challenge,
                Some(&redirect),
            );
            eprintln!("Browser will not be automatically opened.\nPlease visit the following URL:\n\n{url}");
            let pasted = ask("\nEnter the authorization code displayed in your browser: ")?;
            if pasted.is_empty() {
                return Err(CliError::resolve(
                    "No authorization code was entered; run `rolectl login --remote` again.",
                ));
            }
            let (code, got_state) = parse_verification_code(&pasted).map_err(|e| {
                CliError::resolve(format!(
                    "The login failed: {e}; run `rolectl login --remote` again."
                ))
            })?;
            if got_state != state {
                return Err(CliError::resolve(
                    "The pasted code does not carry this login's state, so it was refused; run `rolectl login --remote` again.",
                ));
            }
            (CLIENT_ID_CROSS_DEVICE, code, redirect)
        } else {
            let (listener, redirect) = crate::commands::sso::loopback_listener().await?;
            let url = authorize_url(
                &base,
                CLIENT_ID_SAME_DEVICE,
                &state,
                &challenge,
                Some(&redirect),
            );
            // The CLI's texts (PrintOnlyHandler, OpenBrowserHandler).
            if no_browser {
                eprintln!("Browser will not be automatically opened.\nPlease visit the following URL:\n\n{url}");
            } else {
                eprintln!("Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--remote' option.\n\n{url}\n");
                let _ = crate::commands::console::open_url(&url);
            }
            let code = tokio::time::timeout(
                Duration::from_secs(600),
                crate::commands::sso::callback(&listener, &state, "rolectl login"),
            )
            .await
            .map_err(|_| {
                CliError::resolve(
                    "The login was not completed in the browser within 10 minutes; run `rolectl login` again.",
                )
            })??;
            (CLIENT_ID_SAME_DEVICE, Secret::new(code), redirect)
        };
        let dpop = dpop_proof(
            key.expose(),
            &create_oauth2_token_url(&base),
            OffsetDateTime::now_utc().unix_timestamp(),
            &uuid4(&random(16)?),
        )
        .map_err(|e| CliError::resolve(format!("No DPoP proof could be made: {e}.")))?;
        let input = AuthorizationCodeInput {
            client_id: client_id.to_owned(),
            code,
            code_verifier: verifier.clone(),
            redirect_uri: Some(redirect_uri),
            dpop,
        };
        let login = Sso::default()
            .signin_with_code(&input, &base)
            .await
            .map_err(login_error)?;
        Ok::<_, CliError>((client_id, login))
    })?;
    let (client_id, login) = login;
    let session = login.session.clone();

    if let Some(existing) = section
        .and_then(|s| s.value("login_session"))
        .filter(|e| *e != session)
    {
        let answer = ask(&format!(
            "\nProfile {profile} is already configured to use session {existing}. Do you want to overwrite it to use {session} instead? (y/n): "
        ))?;
        if !answer.eq_ignore_ascii_case("y") && !answer.eq_ignore_ascii_case("yes") {
            return Ok(());
        }
    }

    let text = new_token_text(&login, client_id, &key, OffsetDateTime::now_utc());
    CacheDir::new(ctx.login_cache_dir.clone())
        .put(&token_cache_key(&session), &text)
        .map_err(|e| CliError::resolve(format!("The login session could not be saved: {e}.")))?;

    let section_name = if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    };
    let mut values = vec![("login_session", session.as_str())];
    if prompted {
        values.push(("region", region.as_str()));
    }
    let path = &ctx.config_path;
    let original = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            CliError::resolve(format!(
                "{} is not UTF-8 text, so login_session was not written into it.",
                path.display()
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(CliError::resolve(format!(
                "{} could not be read: {e}.",
                path.display()
            )))
        }
    };
    let updated = rolectl_config_parser::update_section(&original, &section_name, &values)
        .map_err(|e| CliError::resolve(e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::resolve(format!("{} could not be created: {e}.", dir.display()))
        })?;
    }
    crate::commands::keys::replace_atomically(path, updated.as_bytes())?;

    println!("\nUpdated profile {profile} to use {session} credentials.");
    if profile != "default" {
        println!(
            "Use \"--profile {profile}\" to use the new credentials, such as \"rolectl --profile {profile} whoami\""
        );
    }
    Ok(())
}

/// `rolectl logout [--all]`, as `aws logout`: removes the profile's login
/// session file (with `--all`, every file of the login cache that holds
/// login credentials). The session itself is not revoked: the CLI calls no
/// service either.
pub fn logout(ctx: &Context, all: bool) -> Result<(), CliError> {
    let mut cache = CacheDir::new(ctx.login_cache_dir.clone());
    if all {
        let mut removed = 0;
        for (key, _) in cache.entries().map_err(CliError::resolve)? {
            let holds_credentials = cache
                .get(&key)
                .into_text()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|v| {
                    v.get("accessToken")
                        .is_some_and(|a| a.is_object() && a.get("accessKeyId").is_some())
                });
            if holds_credentials && cache.remove(&key).map_err(CliError::resolve)? {
                removed += 1;
            }
        }
        if removed > 0 {
            println!(
                "Removed {removed} cached login credential{}. Note, any local developer tools that have already loaded access tokens may continue to use them until their expiration. Access tokens expire in 15 minutes.",
                if removed == 1 { "" } else { "s" }
            );
        } else {
            println!("No cached login session tokens found.");
        }
        return Ok(());
    }
    let snapshot = ctx.snapshot()?;
    let profile = snapshot.selected_profile().name;
    let Some(session) = snapshot
        .profiles
        .profile(&profile)
        .and_then(|s| s.value("login_session"))
    else {
        eprintln!("warning: no login session found for profile '{profile}'");
        return Ok(());
    };
    cache
        .remove(&token_cache_key(session))
        .map_err(CliError::resolve)?;
    println!(
        "Removed cached login credentials for profile '{profile}'. Note, any local developer tools that have already loaded the access token may continue to use it until its expiration. Access tokens expire in 15 minutes."
    );
    Ok(())
}
