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
    /// Never ask a person: a step that needs an MFA code or an SSO login fails at
    /// once with exit status 3 and the command that provides it (also
    /// ROLECTL_NO_PROMPT=1; the default when there is no terminal).
    #[arg(long, global = true)]
    pub no_prompt: bool,
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
    /// Run a credential_process command once and cache its output until it expires.
    ///
    /// The output is printed unchanged. With an Expiration at least 15 minutes
    /// away it is kept in the cache directory as rolectl-process-<sha1>.json
    /// (0600) and printed again by later calls until then; output without an
    /// Expiration is never cached. Parallel callers share one run. Use it as
    /// `credential_process = rolectl cache-process -- CMD ARGS...`.
    CacheProcess {
        /// The command and its arguments (run without a shell).
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "CMD"
        )]
        command: Vec<String>,
    },
    /// Fill the cache for several profiles in one go, one MFA code per device.
    ///
    /// Each profile is resolved with an MFA session where its chain allows
    /// one (rolectl_mfa_session); a code typed once is used for every role of
    /// that device in this run. Tools started afterwards need no prompt.
    Warm {
        /// The profiles to resolve.
        #[arg(required = true, value_name = "PROFILE")]
        profiles: Vec<String>,
    },
    /// Keep profiles' long-term keys in the OS keychain instead of ~/.aws/credentials.
    ///
    /// Secret Service on Linux, Keychain on macOS, Credential Manager on
    /// Windows. A profile with `rolectl_keychain = true`, or with no keys in
    /// the files and keys in the keychain, resolves with them. The AWS CLI
    /// reaches them through `credential_process = rolectl credential-process --profile P`.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// List or clear the cached credentials.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Log in with AWS Management Console credentials, as `aws login`: a new
    /// console login session for the profile, cached in ~/.aws/login/cache
    /// (AWS_LOGIN_CACHE_DIRECTORY) and named by the profile's `login_session`.
    Login {
        /// No loopback redirect: print the URL and read the authorization code
        /// the browser shows, to log in from another device (over SSH).
        #[arg(long)]
        remote: bool,
        /// Print the URL instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Remove the profile's cached console login session, as `aws logout`.
    Logout {
        /// Remove every cached login session (not SSO tokens or role credentials).
        #[arg(long)]
        all: bool,
    },
    /// Log in to IAM Identity Center (SSO), or log out, as `aws sso login/logout`.
    Sso {
        #[command(subcommand)]
        action: SsoAction,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Store a profile's keys: read without echo on the terminal, else two
    /// lines of stdin (the access key id, then the secret access key).
    Add {
        #[arg(value_name = "PROFILE")]
        name: String,
    },
    /// Every profile with keys in the keychain, and its key id (never the secret).
    List,
    /// Remove a profile's keys from the keychain.
    Remove {
        #[arg(value_name = "PROFILE")]
        name: String,
    },
    /// Move a profile's keys from the credentials file into the keychain
    /// (the file keeps everything else; a backup is left beside it).
    Import {
        #[arg(value_name = "PROFILE")]
        name: String,
    },
    /// Replace a profile's keys: IAM CreateAccessKey with the current keys,
    /// store the new pair, then DeleteAccessKey of the old one.
    Rotate {
        #[arg(value_name = "PROFILE")]
        name: String,
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

#[derive(Debug, Subcommand)]
pub enum SsoAction {
    /// Log in to SSO OIDC and cache the token in ~/.aws/sso/cache, for the
    /// profile's sso-session (or its legacy start URL), or for --sso-session:
    /// the authorization code flow (PKCE, loopback redirect) when the session
    /// has sso_registration_scopes, else the device code flow.
    Login {
        /// The [sso-session NAME] to log in to, instead of the profile's.
        #[arg(long, value_name = "NAME")]
        sso_session: Option<String>,
        /// Use the device code flow even when the session has registration scopes.
        #[arg(long)]
        use_device_code: bool,
        /// Print the URL and code instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Remove the cached SSO tokens and the credentials cached from them.
    Logout,
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
