//! The SigV4 signing key, derived from the secret key, the date, the region
//! and the service by four HMACs, and a small cache so that repeated signing
//! within one day and scope derives it only once.

use std::fmt;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Secret;

type HmacSha256 = Hmac<Sha256>;

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// A derived signing key for one (secret, date, region, service). The HMAC
/// state is kept already keyed, so signing a string costs only the message
/// blocks. `Debug` never shows the key.
#[derive(Clone)]
pub struct SigningKey {
    mac: HmacSha256,
}

impl SigningKey {
    /// Derives the key; `date` is the `YYYYMMDD` of the signing time (UTC).
    pub fn derive(secret: &Secret, date: &str, region: &str, service: &str) -> Self {
        let mut k_secret = Vec::with_capacity(4 + secret.expose().len());
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret.expose().as_bytes());
        let k_date = hmac(&k_secret, date.as_bytes());
        k_secret.iter_mut().for_each(|b| *b = 0);
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        let k_signing = hmac(&k_service, b"aws4_request");
        let mac = match HmacSha256::new_from_slice(&k_signing) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
        };
        SigningKey { mac }
    }

    /// The raw 32-byte HMAC of `data` under this key.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key", &"** redacted **")
            .finish()
    }
}

struct Entry {
    secret: Secret,
    date: String,
    region: String,
    service: String,
    key: SigningKey,
}

/// Remembers the signing keys of the last few (secret, date, region,
/// service) scopes. Keep one per process (it is `Sync`) and pass it to
/// [`SigningKeyCache::sign_headers`] or [`SigningKeyCache::presign_query`].
pub struct SigningKeyCache {
    entries: Mutex<Vec<Entry>>,
    capacity: usize,
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        SigningKeyCache::new(8)
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.entries.lock().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("SigningKeyCache")
            .field("entries", &len)
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        SigningKeyCache {
            entries: Mutex::new(Vec::new()),
            capacity: capacity.max(1),
        }
    }

    /// The key for this scope, derived on a miss.
    pub fn get(&self, secret: &Secret, date: &str, region: &str, service: &str) -> SigningKey {
        self.with_key(secret, date, region, service, SigningKey::clone)
    }

    /// Runs `f` with the key for this scope (derived on a miss) without
    /// copying it out of the cache.
    pub fn with_key<T>(
        &self,
        secret: &Secret,
        date: &str,
        region: &str,
        service: &str,
        f: impl FnOnce(&SigningKey) -> T,
    ) -> T {
        // A poisoned lock only means another thread panicked mid-update of
        // a plain Vec; the entries are still whole, so keep using them.
        let mut entries = match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(pos) = entries.iter().position(|e| {
            e.date == date
                && e.region == region
                && e.service == service
                && e.secret.expose() == secret.expose()
        }) {
            if pos != 0 {
                // Most recently used first, so the common case hits at once.
                let hit = entries.remove(pos);
                entries.insert(0, hit);
            }
            return f(&entries[0].key);
        }
        let key = SigningKey::derive(secret, date, region, service);
        let out = f(&key);
        if entries.len() >= self.capacity {
            entries.pop();
        }
        entries.insert(
            0,
            Entry {
                secret: secret.clone(),
                date: date.to_owned(),
                region: region.to_owned(),
                service: service.to_owned(),
                key,
            },
        );
        out
    }

    /// How many keys are cached now.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The key derivation example from the AWS SigV4 documentation.
    #[test]
    fn derives_documented_key() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let key = SigningKey::derive(&secret, "20120215", "us-east-1", "iam");
        let k_date = hmac(b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", b"20120215");
        let k_signing = hmac(&hmac(&hmac(&k_date, b"us-east-1"), b"iam"), b"aws4_request");
        assert_eq!(
            hex::encode(k_signing),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
        assert_eq!(key.sign(b"x"), hmac(&k_signing, b"x"));
        assert!(!format!("{key:?}").contains("f4780e"));
    }

    #[test]
    fn cache_reuses_and_separates_scopes() {
        let cache = SigningKeyCache::new(2);
        let a = Secret::new("a");
        let b = Secret::new("b");
        let k1 = cache.get(&a, "20150830", "us-east-1", "sts");
        assert_eq!(cache.len(), 1);
        let k2 = cache.get(&a, "20150830", "us-east-1", "sts");
        assert_eq!(cache.len(), 1);
        assert_eq!(k1.sign(b"m"), k2.sign(b"m"));
        let k3 = cache.get(&b, "20150830", "us-east-1", "sts");
        assert_ne!(k1.sign(b"m"), k3.sign(b"m"));
        let k4 = cache.get(&a, "20150831", "us-east-1", "sts");
        assert_ne!(k1.sign(b"m"), k4.sign(b"m"));
        assert_eq!(cache.len(), 2);
        let k5 = cache.get(&a, "20150830", "eu-west-1", "sts");
        assert_eq!(
            k5.sign(b"m"),
            SigningKey::derive(&a, "20150830", "eu-west-1", "sts").sign(b"m")
        );
    }
}
