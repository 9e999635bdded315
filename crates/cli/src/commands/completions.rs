//! `rolectl completions SHELL`: the shell completion script, from clap.

use clap::CommandFactory;

use crate::args::Cli;

pub fn run(shell: clap_complete::Shell) {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "rolectl",
        &mut std::io::stdout(),
    );
}
