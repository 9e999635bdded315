//! `rolectl keys add|list|remove|import|rotate`: a profile's long-term keys
//! in the OS keychain instead of `~/.aws/credentials`. The secret key is
//! read without echo, never printed, and never passed as an argument.

use std::io::{BufRead, IsTerminal, Write};
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rolectl_config_parser::FileKind;
use rolectl_resolver::Handlers;
use rolectl_sigv4::Secret;
use rolectl_sts_client::{GetSessionTokenInput, Operation, Output};

use crate::context::Context;
use crate::error::CliError;
use crate::keychain::{self, KeychainError, BACKEND};

fn keychain_error(e: KeychainError) -> CliError {
    CliError::resolve(e.to_string())
}

/// STS access key ids: 16 to 128 letters and digits.
fn valid_key_id(id: &str) -> bool {
    (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The key id and secret: without echo on the terminal, else two lines of stdin.
fn read_keys(profile: &str) -> Result<(String, Secret), CliError> {
    let usage = |message: String| CliError::Usage { message };
    let (id, secret) = if std::io::stdin().is_terminal() {
        let id = rpassword::prompt_password(format!("Access key id for profile {profile}: "))
            .map_err(|e| usage(format!("The terminal could not be read: {e}.")))?;
        let secret =
            rpassword::prompt_password(format!("Secret access key for profile {profile}: "))
                .map_err(|e| usage(format!("The terminal could not be read: {e}.")))?;
        (id, secret)
    } else {
        let mut lines = std::io::stdin().lock().lines();
        let mut next = |what: &str| -> Result<String, CliError> {
            match lines.next() {
                Some(Ok(line)) => Ok(line),
                Some(Err(e)) => Err(usage(format!("Standard input could not be read: {e}."))),
                None => Err(usage(format!(
                    "Standard input ended before the {what}: give the access key id on the first line and the secret access key on the second."
                ))),
            }
        };
        let id = next("access key id")?;
        let secret = next("secret access key")?;
        (id, secret)
    };
    let id = id.trim().to_owned();
    let secret = Secret::new(secret.trim());
    if !valid_key_id(&id) {
        return Err(usage(format!(
            "\"{id}\" is not an access key id (16 to 128 letters and digits, such as AKIA...); nothing was stored."
        )));
    }
    if secret.expose().is_empty() {
        return Err(usage(
            "The secret access key is empty; nothing was stored.".to_owned(),
        ));
    }
    Ok((id, secret))
}

pub fn add(profile: &str) -> Result<(), CliError> {
    let (id, secret) = read_keys(profile)?;
    keychain::put(profile, &id, &secret).map_err(keychain_error)?;
    eprintln!(
        "Stored the keys of profile \"{profile}\" (key id {id}) in the OS keychain ({BACKEND})."
    );
    Ok(())
}

pub fn list() -> Result<(), CliError> {
    let index = keychain::index().map_err(keychain_error)?;
    let mut out = String::new();
    for (profile, id) in &index {
        out.push_str(&format!("{profile}  {id}\n"));
    }
    if index.is_empty() {
        eprintln!("The OS keychain ({BACKEND}) holds no keys of rolectl; add some with `rolectl keys add PROFILE`.");
    }
    super::print(&out)
}

pub fn remove(profile: &str) -> Result<(), CliError> {
    if !keychain::remove(profile).map_err(keychain_error)? {
        return Err(CliError::resolve(format!(
            "The OS keychain ({BACKEND}) holds no keys for profile \"{profile}\"; `rolectl keys list` shows the profiles it holds."
        )));
    }
    eprintln!("Removed the keys of profile \"{profile}\" from the OS keychain ({BACKEND}).");
    Ok(())
}

/// Moves the profile's keys from the credentials file into the keychain:
/// stored and read back first, then the file rewritten atomically without
/// the two key lines, a copy of the old file kept beside it.
pub fn import(ctx: &Context, profile: &str) -> Result<(), CliError> {
    let path = ctx.credentials_path.clone();
    let (profiles, _) = ctx.load()?;
    let section = profiles.profile(profile);
    let in_credentials = |key: &str| {
        section
            .and_then(|s| s.get(key))
            .filter(|p| p.location.file == FileKind::Credentials)
    };
    let (Some(id), Some(secret)) = (
        in_credentials("aws_access_key_id"),
        in_credentials("aws_secret_access_key"),
    ) else {
        return Err(CliError::resolve(format!(
            "The credentials file {} holds no aws_access_key_id and aws_secret_access_key for profile \"{profile}\"; nothing was imported.",
            path.display()
        )));
    };
    if in_credentials("aws_session_token").is_some()
        || in_credentials("aws_security_token").is_some()
    {
        return Err(CliError::resolve(format!(
            "The keys of profile \"{profile}\" in {} have a session token: they are temporary and do not belong in the keychain; nothing was imported.",
            path.display()
        )));
    }
    let access_key_id = id.value.to_string();
    let secret_key = Secret::new(secret.value.to_string());
    let lines = [id.location.line, secret.location.line];
    keychain::put(profile, &access_key_id, &secret_key).map_err(keychain_error)?;
    match keychain::get(profile).map_err(keychain_error)? {
        Some((read_id, read_secret))
            if read_id == access_key_id && read_secret.expose() == secret_key.expose() => {}
        _ => {
            return Err(CliError::resolve(format!(
                "The OS keychain ({BACKEND}) did not give back the keys just stored for profile \"{profile}\"; {} was left as it was.",
                path.display()
            )))
        }
    }
    let original = std::fs::read(&path)
        .map_err(|e| CliError::resolve(format!("{} could not be read: {e}.", path.display())))?;
    let kept: Vec<u8> = original
        .split_inclusive(|b| *b == b'\n')
        .enumerate()
        .filter(|(i, _)| !lines.contains(&(*i as u32 + 1)))
        .flat_map(|(_, line)| line.iter().copied())
        .collect();
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let backup = path.with_file_name(format!(
        "{}.rolectl-backup-{stamp}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("credentials")
    ));
    write_private(&backup, &original, true)?;
    replace_atomically(&path, &kept)?;
    eprintln!(
        "Moved the keys of profile \"{profile}\" (key id {access_key_id}) from {} into the OS keychain ({BACKEND}); the old file is kept as {}.",
        path.display(),
        backup.display()
    );
    Ok(())
}

/// Replaces `path` with `bytes` atomically: a new file beside it, renamed
/// over it (readers see the old file or the new one, never a part). The
/// file keeps its mode, as the AWS CLI's in-place rewrite does; a new one
/// is 0600. A link is followed, so its target is what changes.
pub(crate) fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let temp = path.with_file_name(format!(
        ".{}.rolectl-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&temp);
    write_private(&temp, bytes, true)?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(&path) {
        std::fs::set_permissions(&temp, meta.permissions()).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            CliError::resolve(format!(
                "{} could not be given the mode of {}: {e}.",
                temp.display(),
                path.display()
            ))
        })?;
    }
    std::fs::rename(&temp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::resolve(format!("{} could not be replaced: {e}.", path.display()))
    })
}

/// Writes a new 0600 file (never through an existing one).
fn write_private(path: &Path, bytes: &[u8], new: bool) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    // Windows: the file takes the ACL of its folder (crates/cli/COMPATIBILITY.md).
    #[cfg(unix)]
    options.mode(0o600);
    if new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| CliError::resolve(format!("{} could not be written: {e}.", path.display())))
}

/// Where IAM calls go: `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL`, else
/// IAM's global endpoint (signed for us-east-1), as the SDKs find it.
fn iam_endpoint(ctx: &Context) -> String {
    ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|v| ctx.env.get(*v).filter(|u| !u.is_empty()).cloned())
        .unwrap_or_else(|| "https://iam.amazonaws.com".to_owned())
}

/// The text of the first `<name>` element of an IAM answer.
fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// One IAM Query call signed with `keys`; the answer's body, or the error
/// worded as the AWS CLI words it.
async fn iam_call(
    client: &reqwest::Client,
    url: &str,
    keys: &rolectl_sigv4::Credentials,
    action: &str,
    params: &[(&str, &str)],
) -> Result<String, String> {
    let mut pairs = vec![("Action", action), ("Version", "2010-05-08")];
    pairs.extend_from_slice(params);
    let body = rolectl_sts_client::form::encode_pairs(&pairs);
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("the IAM endpoint {url} is not a URL: {e}"))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => return Err(format!("the IAM endpoint {url} has no host")),
    };
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let path = match parsed.path() {
        "" => "/",
        p => p,
    };
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let signed = rolectl_sigv4::sign_headers(
        &rolectl_sigv4::SignableRequest {
            method: "POST",
            uri: path,
            headers: &headers,
            payload: rolectl_sigv4::Payload::Bytes(body.as_bytes()),
        },
        &rolectl_sigv4::SigningParams {
            credentials: keys,
            region: "us-east-1",
            service: "iam",
            time: time::OffsetDateTime::now_utc(),
            settings: Default::default(),
        },
    )
    .map_err(|e| e.to_string())?;
    let mut request = client
        .post(parsed)
        .header("content-type", content_type)
        .body(body);
    for (name, value) in signed.headers() {
        request = request.header(*name, value);
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| format!("Could not connect to the endpoint URL: \"{url}\" ({e})"))?;
    let status = response.status();
    let (bytes, _) = crate::http::read_body(&mut response, 1 << 20)
        .await
        .map_err(|e| format!("the IAM answer could not be read: {e}"))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if !status.is_success() {
        return Err(format!(
            "An error occurred ({}) when calling the {action} operation: {}",
            tag(&text, "Code").unwrap_or("Unknown"),
            tag(&text, "Message").unwrap_or("(no message)")
        ));
    }
    Ok(text)
}

/// aws-vault's rotation: a new key made with the current one, stored, then
/// the old key deleted with the new one (which shows the new key works).
pub fn rotate(ctx: &Context, profile: &str) -> Result<(), CliError> {
    let Some((old_id, old_secret)) = keychain::get(profile).map_err(keychain_error)? else {
        return Err(CliError::resolve(format!(
            "The OS keychain ({BACKEND}) holds no keys for profile \"{profile}\"; `keys rotate` replaces keys kept there (add them with `rolectl keys add {profile}` or `rolectl keys import {profile}`)."
        )));
    };
    let url = iam_endpoint(ctx);
    let old = rolectl_sigv4::Credentials::new(old_id.clone(), old_secret, None);
    let failed = |step: &str, e: String| {
        CliError::resolve(format!(
            "keys rotate for profile \"{profile}\": {step}: {e}"
        ))
    };
    // As aws-vault does: with an mfa_serial, one GetSessionToken with the
    // old key and a code, and both IAM calls signed with that session, so
    // that policies asking for MFA allow them.
    let snapshot = {
        let parsed = ctx.sections_for(profile)?;
        let mut options = ctx.options();
        options.profile = Some(profile.to_owned());
        rolectl_resolver::Snapshot::new(parsed.profiles, ctx.env.clone(), options)
    };
    let section = snapshot.profiles.profile(profile);
    let serial = section
        .and_then(|s| s.value("mfa_serial"))
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    crate::resolve::block_on(async {
        let old = match serial {
            None => old,
            Some(serial) => {
                let region = rolectl_resolver::region(&snapshot, section);
                let endpoint =
                    rolectl_resolver::sts_endpoint(&snapshot, section, region.as_deref());
                let chain = crate::resolve::profile_chain(ctx, profile)?;
                let mut handlers = crate::handlers::NativeHandlers::new(ctx, chain);
                let code = match handlers.mfa_code(&serial, profile).await {
                    Ok(code) => code,
                    Err(message) => {
                        return Err(match handlers.needs_person.take() {
                            Some(message) => CliError::NeedsPerson { message },
                            None => failed("no MFA code", message),
                        })
                    }
                };
                let operation = Operation::GetSessionToken(GetSessionTokenInput {
                    duration_seconds: Some(900),
                    serial_number: Some(serial),
                    token_code: Some(code),
                });
                match handlers.sts(&operation, Some(&old), &endpoint).await {
                    Ok(Output::GetSessionToken(session)) => rolectl_sigv4::Credentials::new(
                        session.access_key_id,
                        session.secret_access_key,
                        Some(session.session_token),
                    ),
                    Ok(_) => {
                        return Err(failed("GetSessionToken", "an unexpected answer".to_owned()))
                    }
                    Err(e) => {
                        return Err(failed(
                            "the MFA session could not be had (the old key is unchanged)",
                            e,
                        ))
                    }
                }
            }
        };
        let client = crate::http::client(
            std::time::Duration::from_secs(10),
            std::time::Duration::from_secs(60),
            true,
        )
        .map_err(|e| failed("no HTTP client", e.to_string()))?;
        let created = iam_call(&client, &url, &old, "CreateAccessKey", &[])
            .await
            .map_err(|e| {
                failed(
                    "the new key could not be made (the old one is unchanged)",
                    e,
                )
            })?;
        let (Some(new_id), Some(new_secret)) = (
            tag(&created, "AccessKeyId"),
            tag(&created, "SecretAccessKey"),
        ) else {
            return Err(failed(
                "the CreateAccessKey answer",
                "it holds no AccessKeyId and SecretAccessKey".to_owned(),
            ));
        };
        let new_secret = Secret::new(new_secret);
        keychain::put(profile, new_id, &new_secret).map_err(|e| {
            failed(
                &format!("the new key {new_id} could not be stored, so it is unused and the old key {old_id} stays in the keychain; delete {new_id} in IAM"),
                e.to_string(),
            )
        })?;
        // Without MFA the new key deletes the old one; with it, the session.
        let new = match &old.session_token {
            Some(_) => old.clone(),
            None => rolectl_sigv4::Credentials::new(new_id.to_owned(), new_secret, None),
        };
        iam_call(&client, &url, &new, "DeleteAccessKey", &[("AccessKeyId", &old_id)])
            .await
            .map_err(|e| {
                failed(
                    &format!("the new key {new_id} is stored, but the old key {old_id} could not be deleted; delete it in IAM"),
                    e,
                )
            })?;
        eprintln!(
            "Rotated the keys of profile \"{profile}\": new key id {new_id} stored in the OS keychain ({BACKEND}), old key {old_id} deleted."
        );
        Ok(())
    })
}
