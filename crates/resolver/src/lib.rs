//! The AWS CLI's credential chain as a state machine without I/O: it is
//! given parsed files, an environment snapshot and options, and asks its
//! caller for every STS call, MFA code, file and cache entry; the time is
//! passed in. A generic async driver runs it against a set of handlers.

pub mod cache;
pub mod conformance;
mod driver;
mod endpoint;
mod error;
mod explain;
mod input;
mod machine;
mod plan;
mod pyjson;
mod sources;

pub use cache::{CacheEntry, CacheEntryError, CacheKeyError, CacheKeyParams};
pub use driver::{drive, Handlers};
pub use endpoint::{endpoint_inputs, region, sts_endpoint};
pub use error::{ResolveError, SsoProblem};
pub use input::{Options, SelectedProfile, Snapshot};
pub use machine::{
    generated_session_name, CredentialSource, Effect, ResolvedCredentials, Resolver, Step,
    UnexpectedResult, Warning,
};
pub use plan::{
    plan, Base, ContainerAuth, ContainerRequest, ImdsRequest, NamedSource, Origin, Plan, Reason,
    RoleStep, StaticCredentials, WebIdentity,
};
pub use pyjson::dumps_sorted as python_json_dumps_sorted;
pub use sources::{
    parse_container_response, parse_imds_response, parse_process_output, ProcessOutput,
    SourceCredentials,
};
