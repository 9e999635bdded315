//! Parser for the AWS shared config and credentials files.
//!
//! Text in, data out: no file or environment access. Follows the cross-SDK
//! profile file rules and reports, as data, where the AWS CLI reads a file
//! differently.

mod model;

pub use model::{FileKind, Location, Property, ProfileSet, Section};
