//! The AWS CLI's credential chain as a state machine without I/O: it is
//! given parsed files, an environment snapshot and options, and asks its
//! caller for every STS call, MFA code, file, cache entry and clock reading.

pub mod cache;
pub mod conformance;
mod endpoint;
mod error;
mod input;
mod plan;
mod pyjson;

pub use cache::{CacheEntry, CacheEntryError, CacheKeyError, CacheKeyParams};
pub use endpoint::{region, sts_endpoint};
pub use error::{ResolveError, SsoProblem};
pub use input::{Options, SelectedProfile, Snapshot};
pub use plan::{
    plan, Base, ContainerAuth, ContainerRequest, ImdsRequest, NamedSource, Origin, Plan, Reason,
    RoleStep, StaticCredentials, WebIdentity,
};
pub use pyjson::dumps_sorted as python_json_dumps_sorted;
