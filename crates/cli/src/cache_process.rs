//! `rolectl cache-process -- CMD ARGS...`: any `credential_process` run once
//! and its output kept in the cache directory (`rolectl-process-<sha1>.json`,
//! 0600) until 15 minutes before its `Expiration`, one run at a time per key.

use rolectl_resolver::cache::{process_cache_key, process_output_keepable, PROCESS_KEY_PREFIX};
use rolectl_resolver::ProcessOutput;
use time::OffsetDateTime;

use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::error::CliError;
use crate::process::{self, CHAIN_VAR, TIMEOUT};

/// The command line as one text, joined with shell quoting: the same text a
/// `credential_process` setting holds, so both share one key.
fn command_text(argv: &[String]) -> Result<String, CliError> {
    shlex::try_join(argv.iter().map(String::as_str)).map_err(|_| CliError::Usage {
        message: "The command given to cache-process contains a NUL byte; no process can be started with it.".to_owned(),
    })
}

/// Prints the cached output of `argv`, or runs it, prints its output and
/// caches it when it carries an `Expiration` far enough away.
pub fn run(ctx: &Context, argv: &[String]) -> Result<(), CliError> {
    let command = command_text(argv)?;
    let key = process_cache_key(&command);
    let mut cache = CacheDir::new(ctx.cache_dir.clone());
    if ctx.cache {
        // Held until this process ends: parallel cold callers wait here,
        // then find the entry the first one stored.
        cache.lock(&key);
        if let Some(text) = cache.get(&key).into_text() {
            if process_output_keepable(&text, OffsetDateTime::now_utc()).is_some() {
                flush_warnings(&mut cache);
                return crate::commands::print(&text);
            }
        }
    }
    let chain = ctx.env.get(CHAIN_VAR).cloned().unwrap_or_default();
    let output = crate::resolve::block_on(process::run_argv(argv, &chain, TIMEOUT))
        .map_err(|e| CliError::resolve(format!("cache-process: {e}; nothing was cached.")))?;
    let ProcessOutput {
        status,
        stdout,
        stderr,
    } = output;
    if status != Some(0) {
        let ended = status
            .map(|c| format!("exit code {c}"))
            .unwrap_or_else(|| "a signal".to_owned());
        let stderr = stderr.trim_end();
        let shown = if stderr.is_empty() {
            String::new()
        } else {
            format!(": {stderr}")
        };
        return Err(CliError::resolve(format!(
            "cache-process: `{}` ended with {ended}{shown}\nNothing was cached.",
            argv[0]
        )));
    }
    if !stderr.trim().is_empty() {
        eprint!("{stderr}");
    }
    if ctx.cache && process_output_keepable(&stdout, OffsetDateTime::now_utc()).is_some() {
        if let Err(e) = cache.put(&key, &stdout) {
            eprintln!("warning: {e}");
        }
    }
    flush_warnings(&mut cache);
    crate::commands::print(&stdout)
}

fn flush_warnings(cache: &mut CacheDir) {
    for warning in cache.take_warnings() {
        eprintln!("warning: {warning}");
    }
}

/// The command and profile a process key belongs to, from the profiles'
/// `credential_process` settings (plain, or through `rolectl cache-process --`).
fn owner(ctx: &Context, key: &str) -> (String, String) {
    let Ok((profiles, _)) = ctx.load() else {
        return Default::default();
    };
    for (name, section) in &profiles.profiles {
        let Some(value) = section.value("credential_process") else {
            continue;
        };
        if process_cache_key(value) == key {
            return (value.to_owned(), name.to_string());
        }
        if let Ok(argv) = process::split(value) {
            if let Some(at) = argv.iter().position(|a| a == "--") {
                let wrapped = &argv[at + 1..];
                let through = argv[..at].iter().any(|a| a == "cache-process");
                if through && !wrapped.is_empty() {
                    if let Ok(text) = command_text(wrapped) {
                        if process_cache_key(&text) == key {
                            return (text, name.to_string());
                        }
                    }
                }
            }
        }
    }
    Default::default()
}

/// The `cache list` row of a cached process output (never a secret).
pub fn list_row(
    ctx: &Context,
    key: &str,
    text: Option<&str>,
    now: OffsetDateTime,
) -> Option<serde_json::Value> {
    if !key.starts_with(PROCESS_KEY_PREFIX) {
        return None;
    }
    let output = ProcessOutput {
        status: Some(0),
        stdout: text.unwrap_or_default().to_owned(),
        stderr: String::new(),
    };
    let parsed = rolectl_resolver::parse_process_output(&output, None);
    let (command, profile) = owner(ctx, key);
    Some(match parsed {
        Ok(creds) => {
            let expiration = creds.expiration.unwrap_or(now);
            serde_json::json!({
                "key": key,
                "kind": "process",
                "command": command,
                "profile": profile,
                "access_key_id": creds.access_key_id,
                "expiration": rolectl_resolver::export::python_isoformat(expiration),
                "time_left": crate::commands::cache::time_left(expiration, now),
                "seconds_left": (expiration - now).whole_seconds().max(0),
            })
        }
        Err(e) => serde_json::json!({"key": key, "error": e}),
    })
}
