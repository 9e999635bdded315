//! Running a `credential_process` command: split as botocore splits it (a
//! POSIX shell's words, on Windows the C runtime's arguments), run without
//! a shell, stdout and stderr captured, stopped after a timeout.

use std::process::Stdio;
use std::time::Duration;

use rolectl_resolver::ProcessOutput;
use rolectl_sigv4::Secret;

/// How long a credential process may take; it may prompt for an MFA code.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// Output beyond this is not a credentials document.
const MAX_OUTPUT: usize = 1 << 20;

/// The environment variable that carries the profiles being resolved by
/// rolectl processes up the call stack, to stop a profile from calling
/// itself through `credential_process`.
pub const CHAIN_VAR: &str = "ROLECTL_PROFILE_CHAIN";

/// Runs `command` for `profile`; `chain` is the value of [`CHAIN_VAR`] for the child.
pub async fn run(command: &str, chain: &str) -> Result<ProcessOutput, String> {
    run_argv(&split(command)?, chain, TIMEOUT).await
}

/// `command` split as botocore splits it on this platform, without
/// running a shell.
pub fn split(command: &str) -> Result<Vec<String>, String> {
    words(command).filter(|a| !a.is_empty()).ok_or_else(|| {
        format!("the command `{command}` is not valid shell syntax (check its quotes)")
    })
}

/// Runs `argv` (not empty) with stdout and stderr captured, stopped after `timeout`.
pub async fn run_argv(
    argv: &[String],
    chain: &str,
    timeout: Duration,
) -> Result<ProcessOutput, String> {
    let mut child = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        .env(CHAIN_VAR, chain)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("`{}` could not be started: {e}", argv[0]))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let read = async {
        use tokio::io::AsyncReadExt;
        let mut out = Vec::new();
        let mut err = Vec::new();
        let o = async {
            if let Some(s) = stdout {
                let _ = s.take(MAX_OUTPUT as u64).read_to_end(&mut out).await;
            }
        };
        let e = async {
            if let Some(s) = stderr {
                let _ = s.take(MAX_OUTPUT as u64).read_to_end(&mut err).await;
            }
        };
        tokio::join!(o, e);
        let status = child.wait().await;
        (status, out, err)
    };
    let (status, out, err) = tokio::time::timeout(timeout, read).await.map_err(|_| {
        format!(
            "`{}` did not finish within {} s and was stopped",
            argv[0],
            timeout.as_secs()
        )
    })?;
    let status = status.map_err(|e| format!("`{}` could not be waited for: {e}", argv[0]))?;
    Ok(ProcessOutput {
        status: status.code(),
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    })
}

/// How long an `mfa_process` may take (`ROLECTL_MFA_PROCESS_TIMEOUT`
/// seconds, else 60): it answers without a person, so it is quick or broken.
fn mfa_timeout() -> Duration {
    std::env::var("ROLECTL_MFA_PROCESS_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// Runs `mfa_process`: its trimmed output is the code; a failure says why
/// with the process's stderr.
pub async fn mfa_code(command: &str, chain: &str) -> Result<Secret, String> {
    let argv = split(command)?;
    let output = run_argv(&argv, chain, mfa_timeout())
        .await
        .map_err(|e| format!("mfa_process: {e}"))?;
    if output.status != Some(0) {
        let ended = output
            .status
            .map(|c| format!("exit code {c}"))
            .unwrap_or_else(|| "a signal".to_owned());
        let stderr = output.stderr.trim();
        return Err(if stderr.is_empty() {
            format!("mfa_process `{}` ended with {ended}", argv[0])
        } else {
            format!("mfa_process `{}` ended with {ended}: {stderr}", argv[0])
        });
    }
    let code = output.stdout.trim();
    if code.is_empty() {
        return Err(format!("mfa_process `{}` printed no code", argv[0]));
    }
    Ok(Secret::new(code))
}

/// The command's words as botocore's `compat_shell_split` gives them on
/// this platform; `None` for an unclosed quote.
fn words(command: &str) -> Option<Vec<String>> {
    if cfg!(windows) {
        windows_split(command)
    } else {
        shlex::split(command)
    }
}

/// Windows: the C runtime's rules, as botocore's `_windows_shell_split`
/// reads them: space and tab separate, only `"` quotes, and backslashes are
/// literal unless they run up to a `"` (then they escape each other, and
/// an odd one escapes the quote). `""` is an empty argument.
fn windows_split(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    // `None` until the word has a character or a quote.
    let mut word: Option<String> = None;
    let mut quoted = false;
    let mut backslashes = 0usize;
    for c in command.chars() {
        if c == '\\' {
            backslashes += 1;
            continue;
        }
        if c == '"' {
            let current = word.get_or_insert_with(String::new);
            current.extend(std::iter::repeat_n('\\', backslashes / 2));
            let escaped = backslashes % 2 == 1;
            backslashes = 0;
            if escaped {
                current.push('"');
            } else {
                quoted = !quoted;
            }
            continue;
        }
        if backslashes > 0 {
            word.get_or_insert_with(String::new)
                .extend(std::iter::repeat_n('\\', backslashes));
            backslashes = 0;
        }
        if (c == ' ' || c == '\t') && !quoted {
            words.extend(word.take());
        } else {
            word.get_or_insert_with(String::new).push(c);
        }
    }
    if quoted {
        return None;
    }
    if backslashes > 0 {
        word.get_or_insert_with(String::new)
            .extend(std::iter::repeat_n('\\', backslashes));
    }
    words.extend(word);
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::windows_split;

    /// Each command with the words botocore's `_windows_shell_split` gives
    /// for it (botocore 1.42, the pinned AWS CLI's).
    #[test]
    fn windows_commands_split_as_botocore_splits_them() {
        let cases: [(&str, &[&str]); 13] = [
            (
                r"C:\Program Files\x.exe a",
                &[r"C:\Program", r"Files\x.exe", "a"],
            ),
            (
                r#""C:\Program Files\x.exe" --profile "a b""#,
                &[r"C:\Program Files\x.exe", "--profile", "a b"],
            ),
            (r#"a\\"b c""#, &[r"a\b c"]),
            (r#"a\\\"b"#, &[r#"a\"b"#]),
            (r#""" x"#, &["", "x"]),
            (r#"x """#, &["x", ""]),
            ("a\t\tb  ", &["a", "b"]),
            (r"a\\", &[r"a\\"]),
            (r#""a\"b""#, &[r#"a"b"#]),
            (r#"a"b c"d"#, &["ab cd"]),
            (r"\\server\share\x.exe", &[r"\\server\share\x.exe"]),
            (r#"a\\\\"b""#, &[r"a\\b"]),
            (r#""""#, &[""]),
        ];
        for (command, words) in cases {
            assert_eq!(
                windows_split(command).as_deref(),
                Some(
                    words
                        .iter()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .as_slice()
                ),
                "{command}"
            );
        }
        assert_eq!(windows_split(r#""abc"#), None);
        assert_eq!(windows_split(""), Some(vec![]));
    }
}
