//! Long-term keys in the OS keychain (the `keyring` crate): Secret Service
//! on Linux, Keychain on macOS, Credential Manager on Windows. One entry per
//! profile plus an index of profiles and key ids; never a plain-file fallback.

use std::collections::BTreeMap;

use rolectl_sigv4::Secret;
use serde::{Deserialize, Serialize};

/// The service name of every rolectl entry.
const SERVICE: &str = "rolectl";
/// The index entry: profile names and access key ids, no secret.
const INDEX_SERVICE: &str = "rolectl-index";
const INDEX_USER: &str = "profiles";

/// The backend this build uses, for messages.
pub const BACKEND: &str = if cfg!(target_os = "macos") {
    "macOS Keychain"
} else if cfg!(windows) {
    "Windows Credential Manager"
} else {
    "Secret Service over D-Bus"
};

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("The OS keychain ({BACKEND}) is locked, so rolectl cannot read or store keys in it; unlock it (log in to the desktop session, or unlock the login keyring with your password) and run the command again.")]
    Locked,
    #[error("The OS keychain ({BACKEND}) cannot be reached: {detail}. {hint}")]
    Unavailable { detail: String, hint: &'static str },
    #[error("The OS keychain entry of profile \"{profile}\" does not hold keys written by rolectl; remove it with `rolectl keys remove {profile}` and add the keys again.")]
    Corrupt { profile: String },
    // Constructed only on systems without a backend in this build.
    #[allow(dead_code)]
    #[error("This rolectl was built without an OS keychain backend for this system (macOS needs the `apple-keychain` feature); keys cannot be kept in the keychain here.")]
    NoBackend,
}

/// What to do when the keychain cannot be reached, per system.
const HINT: &str = if cfg!(target_os = "linux") {
    "Run rolectl in a desktop session (or under `dbus-run-session`) with a Secret Service running, such as gnome-keyring or KeePassXC."
} else {
    "Check that the system keychain service is running for this user."
};

/// The stored form of a profile's keys.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(rename = "AccessKeyId")]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: String,
}

fn classify(error: keyring::Error) -> KeychainError {
    let detail = error.to_string();
    let lower = detail.to_ascii_lowercase();
    if lower.contains("locked") || lower.contains("dismissed") || lower.contains("prompt") {
        return KeychainError::Locked;
    }
    KeychainError::Unavailable { detail, hint: HINT }
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    windows,
    all(target_os = "macos", feature = "apple-keychain")
))]
fn entry(service: &str, user: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(service, user).map_err(classify)
}

// keyring falls back to an in-memory mock store where it has no backend:
// refuse instead, so keys never land anywhere but a real keychain.
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    windows,
    all(target_os = "macos", feature = "apple-keychain")
)))]
fn entry(_service: &str, _user: &str) -> Result<keyring::Entry, KeychainError> {
    Err(KeychainError::NoBackend)
}

fn read(service: &str, user: &str) -> Result<Option<String>, KeychainError> {
    match entry(service, user)?.get_password() {
        Ok(text) => Ok(Some(text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(classify(e)),
    }
}

fn write(service: &str, user: &str, text: &str) -> Result<(), KeychainError> {
    entry(service, user)?.set_password(text).map_err(classify)
}

/// The index: profile -> access key id.
pub fn index() -> Result<BTreeMap<String, String>, KeychainError> {
    Ok(read(INDEX_SERVICE, INDEX_USER)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn set_index(index: &BTreeMap<String, String>) -> Result<(), KeychainError> {
    let text = serde_json::to_string(index).expect("a map of strings serializes");
    write(INDEX_SERVICE, INDEX_USER, &text)
}

/// The keys of `profile`, `None` when the keychain holds none.
pub fn get(profile: &str) -> Result<Option<(String, Secret)>, KeychainError> {
    let Some(text) = read(SERVICE, profile)? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&text).map_err(|_| KeychainError::Corrupt {
        profile: profile.to_owned(),
    })?;
    Ok(Some((
        stored.access_key_id,
        Secret::new(stored.secret_access_key),
    )))
}

/// Stores the keys of `profile` (replacing any) and lists it in the index.
pub fn put(profile: &str, access_key_id: &str, secret: &Secret) -> Result<(), KeychainError> {
    let stored = Stored {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: secret.expose().to_owned(),
    };
    let text = serde_json::to_string(&stored).expect("strings serialize");
    write(SERVICE, profile, &text)?;
    let mut index = index()?;
    index.insert(profile.to_owned(), access_key_id.to_owned());
    set_index(&index)
}

/// Removes the keys of `profile`; `false` when there were none.
pub fn remove(profile: &str) -> Result<bool, KeychainError> {
    let removed = match entry(SERVICE, profile)?.delete_credential() {
        Ok(()) => true,
        Err(keyring::Error::NoEntry) => false,
        Err(e) => return Err(classify(e)),
    };
    let mut index = index()?;
    if index.remove(profile).is_some() {
        set_index(&index)?;
    }
    Ok(removed)
}
