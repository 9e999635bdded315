//! `rolectl exec -- CMD ARGS...`: runs CMD with the resolved credentials
//! and region in its environment and no profile or other credentials that
//! could shadow them. On Unix rolectl becomes CMD (`exec`); on Windows CMD
//! is a child and rolectl ends with its exit status.

use rolectl_resolver::export::exec_environment;

use crate::context::Context;
use crate::error::CliError;
use crate::resolve::resolve_selected;

pub fn run(ctx: &Context, command: &[String]) -> Result<(), CliError> {
    let Some((program, args)) = command.split_first() else {
        return Err(CliError::Usage {
            message: "exec needs a command to run: rolectl exec -- CMD [ARGS...]".to_owned(),
        });
    };
    let resolution = resolve_selected(ctx)?;
    let (set, removed) = exec_environment(&resolution.credentials, resolution.region.as_deref());
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    for name in removed {
        cmd.env_remove(name);
    }
    cmd.envs(set);
    let error = replace_with(cmd);
    let status = if error.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    Err(CliError::Io {
        message: format!("The command `{program}` could not be run: {error}."),
        status,
    })
}

/// Only returns when the program could not be started; stdin, stdout,
/// signals and the exit status are the program's own from here on.
#[cfg(unix)]
fn replace_with(mut cmd: std::process::Command) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    cmd.exec()
}

/// The program runs as a child on the same console (stdin, stdout and
/// Ctrl-C are its own); rolectl waits and ends with its exit status.
#[cfg(windows)]
fn replace_with(mut cmd: std::process::Command) -> std::io::Error {
    if let Err(e) = crate::child::outlive_console_interrupts() {
        return std::io::Error::other(format!("Ctrl-C could not be passed on ({e})"));
    }
    match cmd.spawn().and_then(|mut child| child.wait()) {
        Ok(status) => std::process::exit(crate::child::exit_code(status)),
        Err(e) => e,
    }
}
