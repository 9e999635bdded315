//! What every command starts from: the environment, the paths of the two
//! files and of the cache directory, and the files read and parsed into a
//! resolver snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolectl_config_parser::{merge, parse_file_bytes, Diagnostic, FileKind, ProfileSet};
use rolectl_resolver::{FilePaths, Options, Snapshot};

use crate::args::Global;
use crate::error::CliError;

/// The settings of one run.
pub struct Context {
    pub env: BTreeMap<String, String>,
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    pub cache_dir: PathBuf,
    pub paths: FilePaths,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub cache: bool,
    pub mfa_code: Option<String>,
    pub mfa_session: bool,
    pub debug: bool,
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
        Context {
            env,
            config_path,
            credentials_path,
            cache_dir,
            paths,
            profile: global.profile.clone(),
            region: global.region.clone(),
            cache: !global.no_cache,
            mfa_code: global.mfa_code.clone(),
            mfa_session: global.mfa_session,
            debug: global.debug,
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

    /// Reads and parses both files; a syntax error names `path:line:column`.
    pub fn load(&self) -> Result<(ProfileSet<'static>, Vec<Diagnostic>), CliError> {
        let files = self.read_files()?;
        let parse = |bytes: Option<&'static [u8]>, kind| {
            bytes
                .map(|b| parse_file_bytes(b, kind))
                .transpose()
                .map_err(|e| CliError::Config {
                    message: format!("{}: {e}", self.paths.locate(e.location())),
                })
        };
        let config = parse(files.config, FileKind::Config)?;
        let credentials = parse(files.credentials, FileKind::Credentials)?;
        let parsed = merge(config, credentials);
        Ok((parsed.profiles, parsed.diagnostics))
    }

    pub fn options(&self) -> Options {
        Options {
            profile: self.profile.clone(),
            region: self.region.clone(),
            cache: self.cache,
            mfa_session: self.mfa_session,
        }
    }

    pub fn snapshot(&self) -> Result<Snapshot, CliError> {
        let (profiles, _) = self.load()?;
        Ok(Snapshot::new(profiles, self.env.clone(), self.options()))
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
