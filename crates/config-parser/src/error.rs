//! Errors: the text cannot be read as a profile file under the cross-SDK
//! rules. Display texts are full sentences without the place; front ends
//! print `path:line:column: ` (from [`ParseError::location`]) before them.

use thiserror::Error;

use crate::model::Location;

/// Whether a `key = value` line was a property or a sub-property (an
/// indented line under `s3 =`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineKind {
    Property,
    SubProperty,
}

/// Why a file cannot be read. Each variant names the line to fix.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("Profile definition must end with ']'; close the section header on this line.")]
    UnclosedSectionHeader { location: Location },

    #[error(
        "Expected a profile definition before this line, such as [profile NAME] or [default]."
    )]
    ExpectedProfile { location: Location },

    #[error("Expected a property definition, found continuation: this indented line follows a section header, not a `key = value` line.")]
    ContinuationWithoutProperty { location: Location },

    #[error("Expected an '=' sign defining a property; the AWS CLI would read this line as `{key} = {value}`, so write it with '='.")]
    ColonInsteadOfEquals {
        location: Location,
        key: String,
        value: String,
    },

    #[error("Expected an '=' sign defining a {}; write it as `name = value`.", kind_name(*.kind))]
    MissingEquals { location: Location, kind: LineKind },

    #[error("{} did not have a name; put a name before the '='.", kind_title(*.kind))]
    MissingName { location: Location, kind: LineKind },

    #[error("Line {} is not valid UTF-8 text (an invalid byte at column {}); save the file as UTF-8.", .location.line, .location.column)]
    InvalidUtf8 { location: Location },
}

fn kind_name(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Property => "property",
        LineKind::SubProperty => "sub-property",
    }
}

fn kind_title(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Property => "Property",
        LineKind::SubProperty => "Sub-property",
    }
}

impl ParseError {
    /// Where the problem is (file, 1-based line and column).
    pub fn location(&self) -> Location {
        match self {
            ParseError::UnclosedSectionHeader { location }
            | ParseError::ExpectedProfile { location }
            | ParseError::ContinuationWithoutProperty { location }
            | ParseError::ColonInsteadOfEquals { location, .. }
            | ParseError::MissingEquals { location, .. }
            | ParseError::MissingName { location, .. }
            | ParseError::InvalidUtf8 { location } => *location,
        }
    }
}
