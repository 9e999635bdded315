//! Shared helpers for the end-to-end tests: where the vectors live and how
//! to reach the peers that `scripts/test.sh` starts.

use std::path::PathBuf;

/// The repository's `tests/vectors` folder.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// The URL of a peer that `scripts/test.sh` started, from `var`. A test that
/// needs a peer must fail, not skip, when the peer is not there.
pub fn peer_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{var} is not set: run the tests through ./scripts/test.sh, which starts the peers"
        ),
    }
}
