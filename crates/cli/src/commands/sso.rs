//! `rolectl sso login` and `rolectl sso logout`, as `aws sso login/logout`
//! do them: SSO OIDC's authorization code flow (PKCE, loopback redirect)
//! when the session has registration scopes, else its device authorization
//! flow (`slow_down` and the code's expiry honoured); the token written to
//! `~/.aws/sso/cache` in the CLI's format. Logout removes the tokens and
//! the SSO credentials cached from them.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rolectl_sigv4::encoding::encode_query_component;
use rolectl_sigv4::Secret;

use rolectl_resolver::sso::{
    login_token_text, oidc_url, portal_url, registration_cache_key, registration_text,
    CachedRegistration, SsoToken, TOKEN_REFRESH_WINDOW,
};
use rolectl_sts_client::{
    pkce_challenge, NewToken, Registration, SsoError, SsoOperation, SsoOutput,
};
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
    /// Whether `sso_registration_scopes` is set at all (the registration
    /// cache key tells `[]` from `null`).
    scopes_set: bool,
}

fn target(ctx: &Context, sso_session: Option<&str>) -> Result<Target, CliError> {
    target_of(ctx, sso_session, None)
}

/// The session `--sso-session` names, else the one of `profile` (else the
/// selected profile).
fn target_of(
    ctx: &Context,
    sso_session: Option<&str>,
    profile: Option<&str>,
) -> Result<Target, CliError> {
    // `--sso-session` names a section no profile of the chain may reach.
    let snapshot = ctx.snapshot_of_all()?;
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
            scopes_set: section.value("sso_registration_scopes").is_some(),
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
    let profile = profile.map_or_else(|| snapshot.selected_profile().name, str::to_owned);
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
            scopes_set: false,
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

pub fn login(
    ctx: &Context,
    sso_session: Option<&str>,
    use_device_code: bool,
    no_browser: bool,
) -> Result<(), CliError> {
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
    let mut tokens = CacheDir::new(ctx.sso_cache_dir.clone());
    let key = token_key(&target);
    // One login at a time per session: a run that waited for another's
    // login uses the token that one wrote.
    let before = tokens.get(&key).into_text();
    tokens.lock(&key);
    let flow = Flow {
        use_device_code,
        no_browser,
        say: |line: &str| println!("{line}"),
    };
    block_on(log_in(ctx, &target, &mut tokens, before, flow))
}

/// The login a resolution starts by itself when the SSO token of `profile`
/// is missing, expired or refused and a person can be asked. `tokens` is
/// the resolution's token cache: its lock on the token is still held (a
/// second lock on it from this process would wait for itself), so the
/// token there is the one the resolution could not use, and other runs of
/// the session wait for this login. The browser is opened and every line
/// goes to stderr: stdout is for the credentials.
pub async fn login_for_resolution(
    ctx: &Context,
    profile: &str,
    tokens: &mut CacheDir,
) -> Result<(), CliError> {
    let target = target_of(ctx, None, Some(profile))?;
    eprintln!(
        "rolectl: the SSO session of profile \"{profile}\" needs a login ({}); starting one.",
        target.start_url
    );
    let key = token_key(&target);
    tokens.lock(&key);
    let failed = tokens.get(&key).into_text();
    let flow = Flow {
        use_device_code: false,
        no_browser: false,
        say: |line: &str| eprintln!("{line}"),
    };
    log_in(ctx, &target, tokens, failed, flow).await
}

struct Flow<F: Fn(&str)> {
    use_device_code: bool,
    no_browser: bool,
    /// Where the outcome is said: stdout for `sso login`, stderr otherwise.
    say: F,
}

/// Logs in to `target` with its token's lock held in `tokens`, unless the
/// token file changed from `before` to a live token meanwhile (another
/// process logged in while this one waited for the lock).
async fn log_in<F: Fn(&str)>(
    ctx: &Context,
    target: &Target,
    tokens: &mut CacheDir,
    before: Option<String>,
    flow: Flow<F>,
) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let url = oidc_url(&snapshot, &target.region);
    let key = token_key(target);
    let now = OffsetDateTime::now_utc();
    if let Some(text) = tokens
        .get(&key)
        .into_text()
        .filter(|t| Some(t) != before.as_ref())
    {
        if SsoToken::parse(&text).is_ok_and(|t| t.expires_at - now > TOKEN_REFRESH_WINDOW) {
            (flow.say)(&format!(
                "Successfully logged into Start URL: {} (by another rolectl at the same time)",
                target.start_url
            ));
            return Ok(());
        }
    }
    let mut sso = Sso::default();
    let mut registrations = Registrations {
        cache: tokens,
        key: registration_cache_key(
            &target.start_url,
            &target.region,
            target.scopes_set.then_some(target.scopes.as_slice()),
            target.session.as_deref(),
        ),
    };
    let (client, token) = if flow.use_device_code || target.scopes.is_empty() {
        device_flow(
            &mut sso,
            &mut registrations,
            target,
            &url,
            flow.no_browser,
            now,
        )
        .await?
    } else {
        auth_code_flow(
            &mut sso,
            &mut registrations,
            target,
            &url,
            flow.no_browser,
            now,
        )
        .await?
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
    (flow.say)(&format!(
        "Successfully logged into Start URL: {}",
        target.start_url
    ));
    Ok(())
}

/// Removes every SSO token of `~/.aws/sso/cache` (client registrations
/// stay) and every credential entry cached from one (`ProviderType` sso),
/// as `aws sso logout`: a token with a `region` is first revoked with the
/// portal's Logout. The service refusing it (an expired or revoked token)
/// does not stop the logout; no answer at all does, with that token kept
/// (the CLI stops there too).
pub fn logout(ctx: &Context) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let mut removed = 0;
    let mut sso = Sso::default();
    let mut tokens = CacheDir::new(ctx.sso_cache_dir.clone());
    for (key, path) in tokens.entries().map_err(CliError::resolve)? {
        let Some(token) = tokens
            .get(&key)
            .into_text()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .filter(|v| v.get("accessToken").is_some())
        else {
            continue;
        };
        let region = token
            .get("region")
            .and_then(|r| r.as_str())
            .filter(|r| !r.is_empty());
        let access_token = token.get("accessToken").and_then(|t| t.as_str());
        if let (Some(region), Some(access_token)) = (region, access_token) {
            let url = portal_url(&snapshot, region);
            let answer = block_on(sso.call(
                &SsoOperation::Logout {
                    access_token: Secret::new(access_token),
                },
                &url,
            ));
            match answer {
                Ok(_) => {}
                Err(e) if e.is_service_error() => {
                    if ctx.debug {
                        eprintln!("rolectl: debug: the portal refused Logout ({e}); the token file is removed all the same.");
                    }
                }
                Err(e) => {
                    return Err(CliError::resolve(format!(
                        "The SSO logout stopped: {e} {} was kept (removed so far: {removed}); run `rolectl sso logout` again when the portal can be reached.",
                        path.display()
                    )))
                }
            }
        }
        if tokens.remove(&key).map_err(CliError::resolve)? {
            removed += 1;
        }
    }
    let mut credentials = CacheDir::new(ctx.cache_dir.clone());
    for (key, _) in credentials.entries().map_err(CliError::resolve)? {
        let parsed = credentials
            .get(&key)
            .into_text()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
        if parsed
            .as_ref()
            .is_some_and(|v| v.get("ProviderType").and_then(|p| p.as_str()) == Some("sso"))
            && credentials.remove(&key).map_err(CliError::resolve)?
        {
            removed += 1;
        }
    }
    eprintln!(
        "Removed {removed} SSO cache {}.",
        if removed == 1 { "file" } else { "files" }
    );
    println!("Successfully signed out of all SSO profiles.");
    Ok(())
}

/// The client registration file of `~/.aws/sso/cache`, as the CLI keeps it.
struct Registrations<'a> {
    cache: &'a mut CacheDir,
    key: String,
}

/// The registered redirect of the authorization code flow: the loopback
/// address without its port (RFC 8252 7.3: any port is then allowed), so
/// that one registration serves every login, as the CLI registers it.
const LOOPBACK_REDIRECT: &str = "http://127.0.0.1/oauth/callback";

/// The cached client registration for this kind of login while more than
/// 15 minutes of it are left, else SSO OIDC RegisterClient, cached for the
/// next login (as the CLI v2 does); with a redirect (the authorization-code
/// flow) the start URL is the issuer.
async fn register(
    sso: &mut Sso,
    registrations: &mut Registrations<'_>,
    target: &Target,
    url: &str,
    auth_code: bool,
    now: OffsetDateTime,
) -> Result<Registration, CliError> {
    if let Some(cached) = registrations
        .cache
        .get(&registrations.key)
        .into_text()
        .and_then(|text| CachedRegistration::parse(&text))
        .filter(|r| r.usable(auth_code, now))
    {
        return Ok(Registration {
            client_id: cached.client_id,
            client_secret: cached.client_secret,
            client_secret_expires_at: cached.expires_at.unix_timestamp(),
        });
    }
    let registered = sso
        .call(
            &SsoOperation::RegisterClient {
                client_name: format!("rolectl-{}", now.unix_timestamp()),
                scopes: target.scopes.clone(),
                redirect_uri: auth_code.then(|| LOOPBACK_REDIRECT.to_owned()),
                issuer_url: auth_code.then(|| target.start_url.clone()),
            },
            url,
        )
        .await
        .map_err(sso_error)?;
    let SsoOutput::Registration(client) = registered else {
        return Err(CliError::resolve(
            "SSO OIDC answered RegisterClient with the response of another operation.".to_owned(),
        ));
    };
    let expires_at =
        OffsetDateTime::from_unix_timestamp(client.client_secret_expires_at).unwrap_or(now);
    let text = registration_text(
        &client.client_id,
        &client.client_secret,
        expires_at,
        &target.scopes,
        auth_code,
    );
    // A registration that cannot be kept only costs the next login another.
    if let Err(e) = registrations.cache.put(&registrations.key, &text) {
        eprintln!("rolectl: warning: the SSO client registration could not be cached: {e}.");
    }
    Ok(client)
}

/// The device authorization flow (RFC 8628): the CLI v2's flow for a
/// session without registration scopes, or with `--use-device-code`.
async fn device_flow(
    sso: &mut Sso,
    registrations: &mut Registrations<'_>,
    target: &Target,
    url: &str,
    no_browser: bool,
    now: OffsetDateTime,
) -> Result<(Registration, NewToken), CliError> {
    let client = register(sso, registrations, target, url, false, now).await?;
    let started = sso
        .call(
            &SsoOperation::StartDeviceAuthorization {
                client_id: client.client_id.clone(),
                client_secret: client.client_secret.clone(),
                start_url: target.start_url.clone(),
            },
            url,
        )
        .await
        .map_err(sso_error)?;
    let SsoOutput::DeviceAuthorization(device) = started else {
        return Err(CliError::resolve(
            "SSO OIDC answered StartDeviceAuthorization with the response of another operation."
                .to_owned(),
        ));
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
                url,
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
    Ok((client, token))
}

fn random_b64url(len: usize) -> Result<String, CliError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| {
        CliError::resolve(format!("No randomness for the login could be had: {e}."))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The authorization code flow with PKCE (RFC 7636) and a loopback
/// redirect (RFC 8252): the CLI v2's default when the session has
/// registration scopes.
async fn auth_code_flow(
    sso: &mut Sso,
    registrations: &mut Registrations<'_>,
    target: &Target,
    url: &str,
    no_browser: bool,
    now: OffsetDateTime,
) -> Result<(Registration, NewToken), CliError> {
    let (listener, redirect_uri) = loopback_listener().await?;
    let client = register(sso, registrations, target, url, true, now).await?;
    let verifier = random_b64url(32)?;
    let challenge = pkce_challenge(&Secret::new(verifier.as_str()));
    let state = random_b64url(16)?;
    let authorize = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge_method=S256&scopes={}&code_challenge={}",
        url.trim_end_matches('/'),
        encode_query_component(&client.client_id),
        encode_query_component(&redirect_uri),
        encode_query_component(&state),
        encode_query_component(&target.scopes.join(" ")),
        encode_query_component(&challenge)
    );
    if no_browser || crate::commands::console::open_url(&authorize).is_err() {
        eprintln!(
            "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{authorize}\n"
        );
    } else {
        eprintln!(
            "Attempting to automatically open the SSO authorization page in your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n{authorize}\n"
        );
    }
    let code = tokio::time::timeout(
        Duration::from_secs(600),
        callback(&listener, &state, "rolectl sso login"),
    )
        .await
        .map_err(|_| {
            CliError::resolve(
                "The login was not approved in the browser within 10 minutes; run `rolectl sso login` again.".to_owned(),
            )
        })??;
    let answered = sso
        .call(
            &SsoOperation::CreateTokenWithAuthCode {
                client_id: client.client_id.clone(),
                client_secret: client.client_secret.clone(),
                code: Secret::new(code),
                redirect_uri,
                code_verifier: Secret::new(verifier),
            },
            url,
        )
        .await
        .map_err(sso_error)?;
    let SsoOutput::Token(token) = answered else {
        return Err(CliError::resolve(
            "SSO OIDC answered CreateToken with the response of another operation.".to_owned(),
        ));
    };
    Ok((client, token))
}

/// Waits for the browser's `GET /oauth/callback?code=..&state=..` on the
/// loopback listener; other requests (a favicon) get a 404. The state must
/// be the one sent; `again` is the command an error says to run again.
/// A listener on a free loopback port and the redirect URI that reaches
/// it (RFC 8252), for the browser's callback of a login.
pub(crate) async fn loopback_listener() -> Result<(tokio::net::TcpListener, String), CliError> {
    let io = |e: std::io::Error| {
        CliError::resolve(format!("The login's loopback listener failed: {e}."))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(io)?;
    let port = listener.local_addr().map_err(io)?.port();
    Ok((listener, format!("http://127.0.0.1:{port}/oauth/callback")))
}

pub(crate) async fn callback(
    listener: &tokio::net::TcpListener,
    state: &str,
    again: &str,
) -> Result<String, CliError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let mut buf = vec![0u8; 8192];
        let mut len = 0;
        let path = loop {
            let Ok(n) = stream.read(&mut buf[len..]).await else {
                break None;
            };
            if n == 0 {
                break None;
            }
            len += n;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&buf[..len]) {
                Ok(httparse::Status::Complete(_)) => break request.path.map(str::to_owned),
                Ok(httparse::Status::Partial) if len < buf.len() => continue,
                _ => break None,
            }
        };
        let Some(path) = path.filter(|p| p.starts_with("/oauth/callback?")) else {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            continue;
        };
        let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
        let pairs = rolectl_sts_client::form::decode_pairs(query).unwrap_or_default();
        let value = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let (status, page, result) = match (value("state"), value("code"), value("error")) {
            (Some(s), Some(code), None) if s == state => (
                "200 OK",
                "Request approved: rolectl is logged in. You can close this window.",
                Ok(code),
            ),
            (_, _, Some(error)) => (
                "400 Bad Request",
                "The login was refused.",
                Err(CliError::resolve(format!(
                    "The login was refused in the browser ({error}); run `{again}` again."
                ))),
            ),
            _ => (
                "400 Bad Request",
                "This answer does not belong to this login.",
                Err(CliError::resolve(format!(
                    "The browser's answer did not carry this login's state, so it was refused; run `{again}` again."
                ))),
            ),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        return result;
    }
}
