//! `rolectl`: use AWS IAM roles from the command line. A thin front end:
//! clap reads the command line, the resolver decides, and the modules here
//! do the I/O of each effect (terminal, cache directory, HTTP, processes).

mod args;
mod cache_dir;
mod cache_process;
mod child;
mod commands;
mod context;
mod error;
mod federation;
mod handlers;
mod http;
mod keychain;
mod metadata;
mod process;
mod prompt;
mod resolve;
mod server;
mod sso;
mod sts;

use std::process::ExitCode;

use clap::Parser;

use args::{CacheAction, Cli, Command, KeysAction, SsoAction};
use context::Context;
use error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Lives as long as the process: the credential server's threads use it.
    let ctx: &'static Context = Box::leak(Box::new(Context::new(&cli.global)));
    match run(ctx, &cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_status())
        }
    }
}

/// Runs the command; `Ok(false)` is a run that worked but found errors (`lint`).
fn run(ctx: &'static Context, command: &Command) -> Result<bool, CliError> {
    match command {
        Command::Export { format } => commands::export::run(ctx, format.export_format())?,
        Command::CredentialProcess => {
            commands::export::run(ctx, rolectl_resolver::export::ExportFormat::Process)?
        }
        Command::Exec {
            command,
            server: true,
        } => {
            let status = commands::serve::exec(ctx, command)?;
            std::process::exit(status);
        }
        Command::Exec { command, .. } => commands::exec::run(ctx, command)?,
        Command::Serve { port, format } => commands::serve::run(ctx, *port, *format)?,
        Command::EksToken {
            cluster_name,
            role_arn,
        } => commands::eks_token::run(ctx, cluster_name, role_arn.as_deref())?,
        Command::Console { destination, print } => {
            commands::console::run(ctx, destination.as_deref(), *print)?
        }
        Command::Whoami => commands::whoami::run(ctx)?,
        Command::Explain { format } => commands::explain::run(ctx, *format)?,
        Command::Lint { format } => return commands::lint::run(ctx, *format),
        Command::Profiles { format } => commands::profiles::run(ctx, *format)?,
        Command::Cache { action } => match action {
            CacheAction::List { format } => commands::cache::list(ctx, *format)?,
            CacheAction::Clear => commands::cache::clear(ctx)?,
        },
        Command::Keys { action } => match action {
            KeysAction::Add { name } => commands::keys::add(name)?,
            KeysAction::List => commands::keys::list()?,
            KeysAction::Remove { name } => commands::keys::remove(name)?,
            KeysAction::Import { name } => commands::keys::import(ctx, name)?,
            KeysAction::Rotate { name } => commands::keys::rotate(ctx, name)?,
        },
        Command::Warm { profiles } => commands::warm::run(ctx, profiles)?,
        Command::CacheProcess { command } => cache_process::run(ctx, command)?,
        Command::Login { remote, no_browser } => commands::login::run(ctx, *remote, *no_browser)?,
        Command::Logout { all } => commands::login::logout(ctx, *all)?,
        Command::Sso { action } => match action {
            SsoAction::Login {
                sso_session,
                use_device_code,
                no_browser,
            } => commands::sso::login(ctx, sso_session.as_deref(), *use_device_code, *no_browser)?,
            SsoAction::Logout => commands::sso::logout(ctx)?,
        },
        Command::Completions { shell } => commands::completions::run(*shell),
    }
    Ok(true)
}
