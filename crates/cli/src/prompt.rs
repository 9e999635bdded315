//! The MFA prompt: `Enter MFA code for <serial>: ` on the controlling
//! terminal with echo off; without a terminal, one line from stdin. The code
//! is never echoed or logged.

use std::io::BufRead;

use rolectl_sigv4::Secret;

/// Asks for the current code of `serial`.
pub fn mfa_code(serial: &str) -> Result<Secret, String> {
    let prompt = format!("Enter MFA code for {serial}: ");
    match rpassword::prompt_password(&prompt) {
        Ok(code) => Ok(Secret::new(code.trim())),
        // No controlling terminal (a service, a pipe): read a line from
        // stdin, with the prompt on stderr so stdout stays clean.
        Err(_) => {
            eprint!("{prompt}");
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) => Err("there is no terminal and standard input is closed".to_owned()),
                Ok(_) => Ok(Secret::new(line.trim())),
                Err(e) => Err(format!("standard input could not be read: {e}")),
            }
        }
    }
}
