//! Parser for the AWS shared config and credentials files.
//!
//! Text in, data out: no file or environment access. Follows the cross-SDK
//! profile file rules and reports, as data, where the AWS CLI reads a file
//! differently.
//!
//! ```
//! use rolectl_config_parser::parse_files;
//!
//! let config = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n";
//! let credentials = "[base]\naws_access_key_id = AKIDEXAMPLE\n";
//! let parsed = parse_files(Some(config), Some(credentials)).unwrap();
//! let dev = parsed.profiles.profile("dev").unwrap();
//! assert_eq!(dev.value("source_profile"), Some("base"));
//! assert_eq!(dev.get("role_arn").unwrap().location.to_string(), "config:2:1");
//! assert!(parsed.diagnostics.is_empty());
//! ```

pub mod aws_cli;
mod diagnostic;
mod error;
mod line;
mod merge;
mod model;
mod name_map;
mod parse;
mod render;
mod writer;

pub use diagnostic::{Diagnostic, DiagnosticCode, Severity};
pub use error::{LineKind, ParseError};
pub use merge::{merge, parse_files, Parsed};
pub use model::{FileKind, Location, ProfileSet, Property, Section};
pub use name_map::{NameMap, NameMapIter, Properties, Sections};
pub use parse::{parse_file, parse_file_bytes, FileSection, ParsedFile, SectionKind};
pub use render::RenderError;
pub use writer::{update_section, UpdateError};
