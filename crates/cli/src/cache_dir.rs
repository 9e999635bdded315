//! The credential cache directory shared with the AWS CLI: entries read
//! with a size bound and never through a link, written 0600 to a temporary
//! file and renamed into place, and one lock file per key so that
//! concurrent runs for the same cold profile make one STS call.
//!
//! On Windows the same, except modes: files and the directory get the ACL
//! they inherit (under `%USERPROFILE%` the user, SYSTEM and Administrators
//! only), as the AWS CLI's do there; links are reparse points, opened as
//! themselves and never followed.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
#[cfg(windows)]
use std::os::windows::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rolectl_resolver::CacheLookup;

/// A larger file is not a credential entry (real ones are about 2 KB).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// One cache directory, with the locks this run holds in it.
pub struct CacheDir {
    dir: PathBuf,
    /// `Err` once the directory turned out unusable: the run goes on without caching.
    state: Option<Result<(), String>>,
    locks: Vec<(String, File)>,
    warnings: Vec<String>,
}

impl CacheDir {
    pub fn new(dir: PathBuf) -> CacheDir {
        CacheDir {
            dir,
            state: None,
            locks: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Warnings about the directory itself, each given once.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Creates the directory (0700) on first use; an unusable one is
    /// reported once and the run goes on without the cache.
    fn ensure(&mut self) -> Result<(), String> {
        if let Some(state) = &self.state {
            return state.clone();
        }
        let result = match fs::symlink_metadata(&self.dir) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(format!(
                "The cache directory {} is not a directory; credentials are not cached.",
                self.dir.display()
            )),
            Err(_) => private_dir(fs::DirBuilder::new().recursive(true))
                .create(&self.dir)
                .map_err(|e| {
                    format!(
                        "The cache directory {} could not be created ({e}); credentials are not cached.",
                        self.dir.display()
                    )
                }),
        };
        if let Err(message) = &result {
            self.warnings.push(message.clone());
        }
        self.state = Some(result.clone());
        result
    }

    /// Waits for, then holds until the end of the run, the lock of `key`,
    /// so that one run at a time looks up, prompts, calls STS and stores
    /// for it. The kernel drops the lock of a process that dies.
    pub fn lock(&mut self, key: &str) {
        if self.locks.iter().any(|(k, _)| k == key) || self.ensure().is_err() {
            return;
        }
        let path = self.dir.join(lock_name(key));
        let file = private_file(no_follow(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        ))
        .open(&path);
        match file.and_then(|f| f.lock().map(|()| f)) {
            Ok(file) => self.locks.push((key.to_owned(), file)),
            Err(e) => self.warnings.push(format!(
                "The cache lock {} could not be taken ({e}); another rolectl may call STS at the same time.",
                path.display()
            )),
        }
    }

    /// The entry `<key>.json`. A link or a directory is never followed, and
    /// a file larger than 64 KiB is never read whole: both are unusable.
    pub fn get(&mut self, key: &str) -> CacheLookup {
        let path = self.entry_path(key);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) => return missing_or_unreadable(&e),
        };
        if !meta.file_type().is_file() {
            return not_regular();
        }
        let file = match no_follow(OpenOptions::new().read(true)).open(&path) {
            Ok(file) => file,
            Err(e) => return missing_or_unreadable(&e),
        };
        // Swapped for a link after the check above: on Windows the open
        // gives the link itself, which is not read either.
        match file.metadata() {
            Ok(meta) if meta.file_type().is_file() => {}
            Ok(_) => return not_regular(),
            Err(e) => return missing_or_unreadable(&e),
        }
        let mut bytes = Vec::new();
        if let Err(e) = file.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes) {
            return missing_or_unreadable(&e);
        }
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return CacheLookup::Unusable {
                reason: "it is larger than 64 KiB, which no credentials entry is".to_owned(),
            };
        }
        CacheLookup::Found(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes the entry atomically (0600 temporary file, then rename).
    pub fn put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        self.ensure()?;
        let path = self.entry_path(key);
        if let Ok(meta) = fs::symlink_metadata(&path) {
            if !meta.file_type().is_file() {
                return Err(format!(
                    "{} is not a regular file (a link or a directory), so it was left as it is",
                    path.display()
                ));
            }
        }
        let tmp = self.dir.join(format!(
            ".{key}.{}.{}.tmp",
            std::process::id(),
            fastrand::u64(..)
        ));
        let written = (|| {
            let mut file = private_file(no_follow(OpenOptions::new().write(true).create_new(true)))
                .open(&tmp)?;
            file.write_all(entry.as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        written.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            format!("{} could not be written: {e}", path.display())
        })
    }

    /// Every `<key>.json` entry of the directory, sorted by key.
    pub fn entries(&self) -> Result<Vec<(String, PathBuf)>, String> {
        let read = match fs::read_dir(&self.dir) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(format!(
                    "The cache directory {} could not be read: {e}.",
                    self.dir.display()
                ))
            }
        };
        let mut out: Vec<(String, PathBuf)> = read
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let key = name.strip_suffix(".json")?;
                (!key.starts_with('.')).then(|| (key.to_owned(), e.path()))
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// Removes the entry of `key` (and its lock file), under its lock.
    /// Returns whether there was an entry.
    pub fn remove(&mut self, key: &str) -> Result<bool, String> {
        self.lock(key);
        let path = self.entry_path(key);
        let existed = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                return Err(format!(
                    "{} is a directory, not a cache entry; remove it by hand.",
                    path.display()
                ))
            }
            Ok(_) => {
                fs::remove_file(&path)
                    .map_err(|e| format!("{} could not be removed: {e}.", path.display()))?;
                true
            }
            Err(_) => false,
        };
        let _ = fs::remove_file(self.dir.join(lock_name(key)));
        Ok(existed)
    }
}

/// Hidden, so that listings of the AWS CLI's cache show its entries only.
fn lock_name(key: &str) -> String {
    format!(".{key}.lock")
}

/// Opening a link fails (Unix) or opens the reparse point itself
/// (Windows) instead of following it.
fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    options.custom_flags(libc::O_NOFOLLOW);
    #[cfg(windows)]
    options.custom_flags(windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OPEN_REPARSE_POINT);
    options
}

/// 0600 where files have modes; Windows files inherit the directory's ACL.
fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    options.mode(0o600);
    options
}

/// 0700 where directories have modes; on Windows the inherited ACL.
fn private_dir(builder: &mut fs::DirBuilder) -> &mut fs::DirBuilder {
    #[cfg(unix)]
    builder.mode(0o700);
    builder
}

fn not_regular() -> CacheLookup {
    CacheLookup::Unusable {
        reason: "it is not a regular file (a link or a directory), so it was not read".to_owned(),
    }
}

/// No entry (or no directory: warned about once, by `ensure`) is a miss;
/// anything else, such as a permission refused, is worth a warning.
fn missing_or_unreadable(e: &std::io::Error) -> CacheLookup {
    match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => CacheLookup::Missing,
        _ => CacheLookup::Unusable {
            reason: format!("it could not be read ({e})"),
        },
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode_of(path: &Path) -> Option<u32> {
        fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn entries_are_written_0600_atomically_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = CacheDir::new(dir.path().join("a/b"));
        cache.put("k", "{}").unwrap();
        assert_eq!(cache.get("k").text(), Some("{}"));
        assert_eq!(mode_of(&dir.path().join("a/b/k.json")), Some(0o600));
        assert_eq!(mode_of(&dir.path().join("a/b")), Some(0o700));
        let names: Vec<_> = fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["k.json"], "no temporary file is left behind");
    }

    #[test]
    fn links_and_directories_are_never_read_or_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, "secret").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("l.json")).unwrap();
        fs::create_dir(dir.path().join("d.json")).unwrap();
        let mut cache = CacheDir::new(dir.path().to_path_buf());
        assert!(matches!(cache.get("l"), CacheLookup::Unusable { .. }));
        assert!(matches!(cache.get("d"), CacheLookup::Unusable { .. }));
        assert!(cache.put("l", "{}").is_err());
        assert!(cache.put("d", "{}").is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "secret");
    }

    #[test]
    fn a_file_in_place_of_the_directory_is_one_warning() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache");
        fs::write(&file, "").unwrap();
        let mut cache = CacheDir::new(file.clone());
        assert!(cache.put("k", "{}").is_err());
        cache.lock("k");
        assert_eq!(cache.get("k"), CacheLookup::Missing);
        let warnings = cache.take_warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains(&file.display().to_string()));
    }

    #[test]
    fn oversized_entries_are_not_credentials() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("big.json"),
            vec![b' '; MAX_ENTRY_BYTES as usize + 1],
        )
        .unwrap();
        let mut cache = CacheDir::new(dir.path().to_path_buf());
        let CacheLookup::Unusable { reason } = cache.get("big") else {
            panic!("an oversized entry is unusable");
        };
        assert!(reason.contains("64 KiB"), "{reason}");
        assert_eq!(cache.get("absent"), CacheLookup::Missing);
    }
}
