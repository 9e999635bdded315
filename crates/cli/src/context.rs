//! What every command starts from: the environment, the paths of the two
//! files and of the cache directory, and the files read and parsed into a
//! resolver snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolectl_config_parser::aws_cli::{decode, parse_file_bytes, parse_files_for};
use rolectl_config_parser::{merge, Diagnostic, FileKind, ParseError, Parsed, ProfileSet};
use rolectl_resolver::{FilePaths, Options, Snapshot};

use crate::args::Global;
use crate::error::CliError;

/// The settings of one run.
pub struct Context {
    pub env: BTreeMap<String, String>,
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    pub cache_dir: PathBuf,
    /// `~/.aws/sso/cache`: SSO tokens, as botocore finds them.
    pub sso_cache_dir: PathBuf,
    /// `AWS_LOGIN_CACHE_DIRECTORY` (variables and `~` expanded), else
    /// `~/.aws/login/cache`: console login sessions, as botocore finds them.
    pub login_cache_dir: PathBuf,
    pub paths: FilePaths,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub cache: bool,
    pub mfa_code: Option<String>,
    pub mfa_session: bool,
    pub debug: bool,
    /// Why no person may be asked (`--no-prompt`, `ROLECTL_NO_PROMPT`), if so.
    pub no_prompt: Option<&'static str>,
    /// Why the keychain's index could not be read, when it was needed.
    pub keychain_error: std::sync::OnceLock<String>,
}

/// Both files' bytes; `None` for a file that does not exist (the AWS CLI
/// reads a missing file as an empty one).
pub struct Files {
    pub config: Option<&'static [u8]>,
    pub credentials: Option<&'static [u8]>,
}

impl Context {
    pub fn new(global: &Global) -> Context {
        let env: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            // Windows names are case-insensitive; Python's os.environ (so
            // botocore) sees them upper-cased there.
            .map(|(k, v)| (if cfg!(windows) { k.to_uppercase() } else { k }, v))
            .collect();
        let home = home_dir(&env);
        let file = |flag: &Option<PathBuf>, var: &str, default: &str| -> PathBuf {
            flag.clone()
                .or_else(|| {
                    env.get(var)
                        .filter(|v| !v.is_empty())
                        .map(|v| expand_user(v, &home))
                })
                .unwrap_or_else(|| home.join(".aws").join(default))
        };
        let config_path = file(&global.config_file, "AWS_CONFIG_FILE", "config");
        let credentials_path = file(
            &global.credentials_file,
            "AWS_SHARED_CREDENTIALS_FILE",
            "credentials",
        );
        let cache_dir = global
            .cache_dir
            .clone()
            .unwrap_or_else(|| home.join(".aws").join("cli").join("cache"));
        let paths = FilePaths {
            config: config_path.display().to_string(),
            credentials: credentials_path.display().to_string(),
        };
        let no_prompt = if global.no_prompt {
            Some("--no-prompt")
        } else if env
            .get("ROLECTL_NO_PROMPT")
            .is_some_and(|v| v.trim() == "1" || v.trim().eq_ignore_ascii_case("true"))
        {
            Some("ROLECTL_NO_PROMPT")
        } else {
            None
        };
        let login_cache_dir = match env.get("AWS_LOGIN_CACHE_DIRECTORY") {
            Some(dir) => expand_user(&expand_vars(dir, &env), &home),
            None => home.join(".aws").join("login").join("cache"),
        };
        Context {
            env,
            config_path,
            credentials_path,
            cache_dir,
            sso_cache_dir: home.join(".aws").join("sso").join("cache"),
            login_cache_dir,
            paths,
            profile: global.profile.clone(),
            region: global.region.clone(),
            cache: !global.no_cache,
            mfa_code: global.mfa_code.clone(),
            mfa_session: global.mfa_session,
            debug: global.debug,
            no_prompt,
            keychain_error: std::sync::OnceLock::new(),
        }
    }

    /// Reads both files. They live as long as the process: leaking them
    /// lets the parsed profiles borrow their text instead of copying it.
    pub fn read_files(&self) -> Result<Files, CliError> {
        Ok(Files {
            config: read_file(
                &self.config_path,
                "config file",
                "--config-file or AWS_CONFIG_FILE",
            )?
            .map(|bytes| &*bytes.leak()),
            credentials: read_file(
                &self.credentials_path,
                "credentials file",
                "--credentials-file or AWS_SHARED_CREDENTIALS_FILE",
            )?
            .map(|bytes| &*bytes.leak()),
        })
    }

    /// Reads and parses both files as the AWS CLI reads them; a syntax
    /// error names `path:line:column`. A file the AWS CLI refuses to read
    /// (a repeated section or key, a byte order mark) is read as the SDKs
    /// read it, with a warning on stderr on every run.
    pub fn load(&self) -> Result<(ProfileSet<'static>, Vec<Diagnostic>), CliError> {
        let files = self.read_files()?;
        let parse = |bytes: Option<&'static [u8]>, kind| {
            bytes
                .map(|b| parse_file_bytes(b, kind))
                .transpose()
                .map_err(|e| self.config_error(&e))
        };
        let config = parse(files.config, FileKind::Config)?;
        let credentials = parse(files.credentials, FileKind::Credentials)?;
        let parsed = merge(config, credentials);
        self.warn_refused(&parsed.diagnostics);
        Ok((parsed.profiles, parsed.diagnostics))
    }

    pub fn options(&self) -> Options {
        Options {
            profile: self.profile.clone(),
            region: self.region.clone(),
            cache: self.cache,
            mfa_session: self.mfa_session,
            keychain: Default::default(),
        }
    }

    /// What a resolution of the selected profile needs: only the sections
    /// its chain reaches are read fully (a config with thousands of
    /// profiles costs little more than a scan of it).
    pub fn snapshot(&self) -> Result<Snapshot, CliError> {
        self.snapshot_with(self.options())
    }

    /// [`Self::snapshot`] for `profile`, as `--profile` names it.
    pub fn snapshot_for(&self, profile: &str) -> Result<Snapshot, CliError> {
        let mut options = self.options();
        options.profile = Some(profile.to_owned());
        self.snapshot_with(options)
    }

    /// Every profile of the files (for listings), as the AWS CLI reads them.
    pub fn snapshot_of_all(&self) -> Result<Snapshot, CliError> {
        let (profiles, _) = self.load()?;
        Ok(Snapshot::new(profiles, self.env.clone(), self.options()))
    }

    fn snapshot_with(&self, options: Options) -> Result<Snapshot, CliError> {
        let mut snapshot = Snapshot::new(ProfileSet::default(), self.env.clone(), options);
        let profile = snapshot.selected_profile().name;
        let parsed = self.sections_for(&profile)?;
        self.warn_refused(&parsed.diagnostics);
        snapshot.profiles = parsed.profiles;
        if needs_keychain(&snapshot) {
            match crate::keychain::index() {
                Ok(index) => snapshot.options.keychain = index,
                Err(e) => {
                    let _ = self.keychain_error.set(e.to_string());
                }
            }
        }
        Ok(snapshot)
    }

    /// The sections that resolving `profile` reads (see [`Self::snapshot`]).
    pub fn sections_for(&self, profile: &str) -> Result<Parsed<'static>, CliError> {
        let files = self.read_files()?;
        let text = |bytes: Option<&'static [u8]>, kind| {
            bytes
                .map(|b| decode(b, kind))
                .transpose()
                .map_err(|e| self.config_error(&e))
        };
        let config = text(files.config, FileKind::Config)?;
        let credentials = text(files.credentials, FileKind::Credentials)?;
        parse_files_for(config, credentials, profile).map_err(|e| self.config_error(&e))
    }

    fn config_error(&self, e: &ParseError) -> CliError {
        CliError::Config {
            message: format!("{}: {e}", self.paths.locate(e.location())),
        }
    }

    /// A file the AWS CLI refuses is read as the SDKs read it, with a
    /// warning on every run.
    fn warn_refused(&self, diagnostics: &[Diagnostic]) {
        for d in diagnostics.iter().filter(|d| d.code.aws_cli_refuses()) {
            eprintln!(
                "rolectl: {}: warning[{}]: {}",
                self.paths.locate(d.location),
                d.code,
                d.message
            );
        }
    }

    /// Why no person may be asked now, if so: the switch, else the lack of
    /// a terminal.
    pub fn cannot_prompt(&self) -> Option<&'static str> {
        self.no_prompt
            .or_else(|| (!crate::prompt::terminal_available()).then_some("there is no terminal"))
    }

    /// The profile a resolution starts from, and which setting named it
    /// (for errors about a profile that does not exist).
    pub fn profile_origin(&self) -> Option<&'static str> {
        if self.profile.is_some() {
            return Some("--profile");
        }
        ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
            .into_iter()
            .find(|var| self.env.contains_key(*var))
    }
}

/// Whether the keychain's index is worth reading for `snapshot`: a
/// profile says its keys are there, or the files give the selected chain
/// no keys of its own. Other runs never touch the keychain.
fn needs_keychain(snapshot: &Snapshot) -> bool {
    use rolectl_resolver::{plan, Base, Reason, ResolveError};
    let explicit = snapshot.profiles.profiles.values().any(|s| {
        s.value("rolectl_keychain")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    });
    explicit
        || match plan(snapshot) {
            Err(
                ResolveError::NoCredentials
                | ResolveError::NoCredentialsInProfile { .. }
                | ResolveError::SourceProfileWithoutCredentials { .. },
            ) => true,
            Ok(p) => {
                p.profile_found
                    && matches!(
                        p.base,
                        Base::Imds {
                            reason: Reason::DefaultChain,
                            ..
                        } | Base::Container {
                            reason: Reason::DefaultChain,
                            ..
                        }
                    )
            }
            Err(_) => false,
        }
}

/// The home directory as the AWS CLI's Python finds it: `HOME` on Unix;
/// on Windows `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH` (Python's
/// `os.path.expanduser`), then `HOME` where Python would find none.
fn home_dir(env: &BTreeMap<String, String>) -> PathBuf {
    let var = |name: &str| env.get(name).filter(|v| !v.is_empty());
    if cfg!(windows) {
        if let Some(profile) = var("USERPROFILE") {
            return PathBuf::from(profile);
        }
        if let (Some(drive), Some(path)) = (var("HOMEDRIVE"), var("HOMEPATH")) {
            return PathBuf::from(format!("{drive}{path}"));
        }
    }
    var("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(if cfg!(windows) { "C:\\" } else { "/" }))
}

/// `~/x` as Python's `os.path.expanduser` reads it (botocore expands the
/// file variables that way); on Windows `~\x` too.
fn expand_user(value: &str, home: &Path) -> PathBuf {
    match value.strip_prefix('~') {
        Some("") => home.to_path_buf(),
        Some(rest) if rest.starts_with('/') || (cfg!(windows) && rest.starts_with('\\')) => {
            home.join(&rest[1..])
        }
        _ => PathBuf::from(value),
    }
}

/// `$NAME` and `${NAME}` replaced by their values, as Python's
/// `os.path.expandvars` does (unknown names are left as they are).
fn expand_vars(value: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match env.get(name).filter(|_| !name.is_empty()) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[i..i + 1 + len]),
        }
        rest = &rest[i + 1 + len..];
    }
    out.push_str(rest);
    out
}

fn read_file(path: &Path, what: &str, setting: &str) -> Result<Option<Vec<u8>>, CliError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) if path.is_dir() => Err(CliError::Config {
            message: format!(
                "The {what} {} is a directory, not a file; point {setting} at a file.",
                path.display()
            ),
        }),
        Err(e) => Err(CliError::Config {
            message: format!("The {what} {} could not be read: {e}.", path.display()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_expands_like_python() {
        let home = Path::new("/home/u");
        assert_eq!(expand_user("~/c", home), PathBuf::from("/home/u/c"));
        assert_eq!(expand_user("~", home), PathBuf::from("/home/u"));
        assert_eq!(expand_user("~x/c", home), PathBuf::from("~x/c"));
        assert_eq!(expand_user("/etc/c", home), PathBuf::from("/etc/c"));
    }
}
