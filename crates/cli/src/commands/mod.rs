//! One module per command; each turns the context into output.

pub mod cache;
pub mod completions;
pub mod console;
pub mod eks_token;
pub mod exec;
pub mod explain;
pub mod export;
pub mod keys;
pub mod lint;
pub mod login;
pub mod profiles;
pub mod serve;
pub mod sso;
pub mod warm;
pub mod whoami;

use std::io::Write;

use crate::error::CliError;

/// Writes the command's output to stdout at once; a closed pipe is not an
/// error worth a panic.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Io {
            message: format!("The output could not be written: {e}."),
            status: 1,
        })
}
