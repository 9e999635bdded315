//! The command line: global options and one subcommand, as clap reads them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `rolectl --version`: the version and the commit it was built from.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ROLECTL_COMMIT"), ")");

/// Use AWS IAM roles from the command line, the way the AWS CLI resolves them.
#[derive(Debug, Parser)]
#[command(name = "rolectl", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The profile to use (else AWS_PROFILE, AWS_DEFAULT_PROFILE, `default`).
    #[arg(long, global = true, value_name = "P")]
    pub profile: Option<String>,
    /// The region of the STS calls (else AWS_REGION, AWS_DEFAULT_REGION, the profile's).
    #[arg(long, global = true, value_name = "R")]
    pub region: Option<String>,
    /// The config file (else AWS_CONFIG_FILE, ~/.aws/config).
    #[arg(long, global = true, value_name = "F")]
    pub config_file: Option<PathBuf>,
    /// The credentials file (else AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials).
    #[arg(long, global = true, value_name = "F")]
    pub credentials_file: Option<PathBuf>,
    /// The credential cache directory shared with the AWS CLI (else ~/.aws/cli/cache).
    #[arg(long, global = true, value_name = "D")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the credential cache.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// The MFA code to use instead of asking on the terminal.
    #[arg(long, global = true, value_name = "CODE")]
    pub mfa_code: Option<String>,
    /// One MFA code for many roles: GetSessionToken once, then assume each role of
    /// that serial with the cached session (also ROLECTL_MFA_SESSION=1 or
    /// rolectl_mfa_session = true).
    #[arg(long, global = true)]
    pub mfa_session: bool,
    /// Show each step and STS call on stderr (secrets masked).
    #[arg(long, global = true)]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the credentials as `aws configure export-credentials` does.
    Export {
        #[arg(long, value_enum, default_value_t = Format::Process)]
        format: Format,
    },
    /// Print the credentials for `credential_process = rolectl credential-process --profile P`.
    CredentialProcess,
    /// Run a command with the credentials in its environment.
    Exec {
        /// Serve the credentials on 127.0.0.1 while CMD runs, and give CMD the
        /// container endpoint's two variables instead of keys (SDKs refresh them).
        #[arg(long)]
        server: bool,
        /// The command and its arguments.
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "CMD"
        )]
        command: Vec<String>,
    },
    /// Call STS GetCallerIdentity with the credentials and print the answer as JSON.
    Whoami,
    /// Show how the profile's credentials would be resolved, step by step; no network.
    Explain {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Check every profile of the files; exit 1 when there is an error.
    Lint {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// List every profile with its kind.
    Profiles {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Serve the credentials on 127.0.0.1 as a container credentials endpoint, until killed.
    Serve {
        /// The port to listen on (else one the system picks).
        #[arg(long, value_name = "N", default_value_t = 0)]
        port: u16,
        /// The shell style of the two lines printed.
        #[arg(long, value_enum, default_value_t = ShellFormat::Env)]
        format: ShellFormat,
    },
    /// Print a kubectl ExecCredential with an EKS token, as `aws eks get-token`.
    EksToken {
        /// The EKS cluster's name.
        #[arg(long, value_name = "NAME")]
        cluster_name: String,
        /// Assume this role (session name EKSGetTokenAuth) to sign the token.
        #[arg(long, value_name = "ARN")]
        role_arn: Option<String>,
    },
    /// Sign in to the AWS console with the credentials (opens the browser).
    ///
    /// Role credentials go to the partition's federation endpoint
    /// (https://signin.aws.amazon.com/federation); long-term keys first get
    /// a federation token (STS GetFederationToken, one hour).
    /// ROLECTL_FEDERATION_ENDPOINT replaces the federation endpoint.
    Console {
        /// Where the console opens (else the console home of the region).
        #[arg(long, value_name = "URL")]
        destination: Option<String>,
        /// Print the sign-in URL (a secret: it signs in whoever opens it)
        /// instead of opening the browser.
        #[arg(long)]
        print: bool,
    },
    /// List or clear the cached credentials.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Every cached entry: key, role, session name, expiry, time left (never a secret).
    List {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Remove every entry, or with --profile only those of its chain.
    Clear,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Process,
    Env,
    EnvNoExport,
    Fish,
    Powershell,
    WindowsCmd,
}

impl Format {
    pub fn export_format(self) -> rolectl_resolver::export::ExportFormat {
        use rolectl_resolver::export::ExportFormat as E;
        match self {
            Format::Process => E::Process,
            Format::Env => E::Env,
            Format::EnvNoExport => E::EnvNoExport,
            Format::Fish => E::Fish,
            Format::Powershell => E::Powershell,
            Format::WindowsCmd => E::WindowsCmd,
        }
    }
}

/// The shell styles of `export --format` (without `process`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellFormat {
    Env,
    EnvNoExport,
    Fish,
    Powershell,
    WindowsCmd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}
