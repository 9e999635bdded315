//! The AWS CLI's credential chain as a state machine without I/O: it is
//! given parsed files, an environment snapshot and options, and asks its
//! caller for every STS call, MFA code, file and cache entry; the time is
//! passed in. A generic async driver runs it against a set of handlers.
//!
//! - [`plan`] walks the rules and returns the chain (base source, then each
//!   role) with the `file:line:column` of every step; `Display` on a
//!   [`Plan`] is the `explain` text.
//! - [`Resolver`] executes a plan: [`Resolver::poll`] returns the next
//!   [`Effect`] or the outcome; each result goes back through a
//!   `handle_*` method.
//! - [`drive`] runs a resolver against an implementation of [`Handlers`].
//! - [`cache`] holds the AWS CLI's cache key and file format.
//! - [`explain`], [`lint`] and [`profiles`] are the reports both front ends
//!   print (text and JSON), with places as real paths through [`FilePaths`].
//!
//! `COMPATIBILITY.md`, next to this crate's manifest, lists each rule of the
//! AWS CLI followed here, the test that holds it, and each deliberate
//! difference.
//!
//! ```
//! use rolectl_resolver::{Effect, Options, Resolver, Snapshot, Step};
//!
//! let files = rolectl_config_parser::aws_cli::parse_files(
//!     Some("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n"),
//!     Some("[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n"),
//! )
//! .unwrap();
//! let snapshot = Snapshot {
//!     profiles: files.profiles.into_owned(),
//!     env: Default::default(),
//!     options: Options { profile: Some("dev".into()), region: None, cache: true, ..Default::default() },
//! };
//! println!("{}", rolectl_resolver::plan(&snapshot).unwrap());
//!
//! let mut machine = Resolver::new(&snapshot);
//! let now = time::OffsetDateTime::UNIX_EPOCH;
//! // The first thing asked for is the cached entry of the role.
//! let Step::Effect(Effect::CacheGet { key }) = machine.poll(now) else { panic!() };
//! assert_eq!(key.len(), 40);
//! machine.handle_cache_entry(None).unwrap();
//! // On a miss: AssumeRole, signed with the base profile's keys.
//! let Step::Effect(Effect::Sts { credentials, .. }) = machine.poll(now) else { panic!() };
//! assert_eq!(credentials.unwrap().access_key_id, "AKIDEXAMPLE");
//! ```

pub mod cache;
mod chain;
pub mod conformance;
mod driver;
mod effect;
mod endpoint;
mod error;
mod explain;
pub mod export;
mod input;
pub mod lint;
pub mod login;
mod machine;
mod outcome;
mod paths;
mod plan;
pub mod profiles;
mod pyjson;
mod report;
mod sources;
pub mod sso;

pub use cache::{
    mfa_session_entry, mfa_session_key, CacheEntry, CacheEntryError, CacheKeyError, CacheKeyParams,
    CacheLookup, MFA_SESSION_KEY_PREFIX,
};
pub use chain::{
    Base, ContainerAuth, ContainerRequest, ImdsRequest, LoginSource, MfaSession,
    MfaSessionFallback, MfaSessionSwitch, NamedSource, Origin, Plan, Reason, RolePlaces, RoleStep,
    SsoSource, StaticCredentials, WebIdentity,
};
pub use driver::{drive, Handlers};
pub use effect::Effect;
pub use endpoint::{endpoint_inputs, region, sts_endpoint};
pub use error::{ResolveError, SsoProblem};
pub use input::{Options, SelectedProfile, Snapshot};
pub use machine::{generated_session_name, Resolver, Step, UnexpectedResult};
pub use outcome::{CredentialSource, ResolvedCredentials, Warning};
pub use paths::FilePaths;
pub use plan::{plan, plan_with_problems, MFA_SESSION_DEFAULT_DURATION};
pub use pyjson::dumps_sorted as python_json_dumps_sorted;
pub use report::{
    chain_cache_keys, explain, CacheStatus, DecidingKey, ExplainedStep, Explanation, StepKind,
};
pub use sources::{
    parse_container_response, parse_imds_response, parse_process_output, ProcessOutput,
    SourceCredentials,
};
