//! The AWS CLI's credential chain as a state machine without I/O: it is
//! given parsed files, an environment snapshot and options, and asks its
//! caller for every STS call, MFA code, file, cache entry and clock reading.

pub mod cache;
mod pyjson;

pub use cache::{CacheEntry, CacheEntryError, CacheKeyError, CacheKeyParams};
pub use pyjson::dumps_sorted as python_json_dumps_sorted;
