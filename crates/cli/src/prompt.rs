//! The MFA prompt: `Enter MFA code for <serial>: ` on the controlling
//! terminal with echo off. Without a terminal nothing is asked (a tool
//! waiting on rolectl must never hang); the code is never echoed or logged.

use rolectl_sigv4::Secret;

/// Whether a person can be asked: the controlling terminal can be opened.
#[cfg(unix)]
pub fn terminal_available() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Whether a person can be asked: the console is a terminal.
#[cfg(not(unix))]
pub fn terminal_available() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}

/// Asks for the current code of `serial` on the terminal.
pub fn mfa_code(serial: &str) -> Result<Secret, String> {
    let prompt = format!("Enter MFA code for {serial}: ");
    rpassword::prompt_password(prompt)
        .map(|code| Secret::new(code.trim()))
        .map_err(|e| format!("the terminal could not be read: {e}"))
}
