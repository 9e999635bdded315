//! `rolectl exec -- CMD ARGS...`: replaces rolectl with CMD, its
//! environment holding the resolved credentials and region and no profile
//! or other credentials that could shadow them.

use std::os::unix::process::CommandExt;

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
    // Only returns when the program could not be started; stdin, stdout,
    // signals and the exit status are the program's own from here on.
    let error = cmd.exec();
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
