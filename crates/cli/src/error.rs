//! What ends a run, and its exit status: 1 for a resolution, file or STS
//! problem, 2 for a usage error (clap's own usage errors also exit 2), 3
//! for a step that needs a person when none may be asked.

/// An error shown as one sentence on stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read or parsed (the text names path:line:column).
    #[error("{message}")]
    Config { message: String },
    /// Resolution or STS failed (the text names the profile).
    #[error("{message}")]
    Resolve { message: String },
    /// The command line asks for something that cannot be done.
    #[error("{message}")]
    Usage { message: String },
    /// A step needs a person (an MFA code, an SSO login) and none may be
    /// asked: exit status 3.
    #[error("{message}")]
    NeedsPerson { message: String },
    /// Output or a child process failed.
    #[error("{message}")]
    Io { message: String, status: u8 },
}

impl CliError {
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::Config { .. } | CliError::Resolve { .. } => 1,
            CliError::Usage { .. } => 2,
            CliError::NeedsPerson { .. } => 3,
            CliError::Io { status, .. } => *status,
        }
    }

    pub fn resolve(message: impl Into<String>) -> CliError {
        CliError::Resolve {
            message: message.into(),
        }
    }
}
