//! Warnings the parser returns as data: a section or key it ignored, or a
//! line the AWS CLI (botocore's `configparser`) reads differently from the
//! cross-SDK rules this parser follows.

use std::fmt;

use crate::model::Location;

/// How serious a finding is. The parser itself only produces warnings;
/// `lint` front ends may raise their own errors with the same type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about. [`DiagnosticCode::as_str`] is stable: tools may
/// match on it and users may see it in `warning[code]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiagnosticCode {
    /// `region = us-west-2 # x`: the AWS CLI keeps `us-west-2 # x`.
    InlineComment,
    /// The same section header twice in one file: the AWS CLI refuses the
    /// file; or two headers naming the same section: the CLI keeps the later.
    DuplicateSection,
    /// The same key twice in one section: the AWS CLI refuses the file.
    DuplicateKey,
    /// Both `[default]` and `[profile default]` in the config file.
    DefaultProfileConflict,
    /// A UTF-8 byte order mark: the AWS CLI refuses the file.
    ByteOrderMark,
    /// A `[DEFAULT]` section: the AWS CLI copies its keys into every profile.
    DefaultSection,
    /// An indented `#` or `;` line inside a value: the AWS CLI drops it.
    IndentedComment,
    /// A blank line inside a continued value: the AWS CLI keeps it.
    BlankLineInValue,
    /// `[ profile foo ]`: the AWS CLI does not see a profile there.
    PaddedSectionHeader,
    /// `a:b = c`: the AWS CLI splits at the `:`.
    ColonInKey,
    /// `[foo]` in the config file: profiles need the `profile` prefix.
    MissingProfilePrefix,
    /// `[profile foo]` in the credentials file.
    ProfilePrefixInCredentials,
    /// `[sso-session foo]` or another prefixed section in the credentials file.
    SectionInCredentials,
    /// `[sso-sesion foo]`: a prefix the config file does not know.
    UnknownSectionType,
    /// A section name with characters outside `A-Za-z0-9_-/.%@:+`.
    InvalidSectionName,
    /// A key with characters outside `A-Za-z0-9_-/.%@:+`.
    InvalidKey,
    /// An indented key or header: the AWS CLI reads it as one, the SDKs as
    /// part of the value above it.
    IndentedLine,
    /// Two different headers naming one section (`[profile a]` and
    /// `[profile  a]`): the AWS CLI keeps the later, the SDKs merge them.
    RepeatedSectionName,
}

impl DiagnosticCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticCode::InlineComment => "inline-comment",
            DiagnosticCode::DuplicateSection => "duplicate-section",
            DiagnosticCode::DuplicateKey => "duplicate-key",
            DiagnosticCode::DefaultProfileConflict => "default-profile-conflict",
            DiagnosticCode::ByteOrderMark => "byte-order-mark",
            DiagnosticCode::DefaultSection => "default-section",
            DiagnosticCode::IndentedComment => "indented-comment",
            DiagnosticCode::BlankLineInValue => "blank-line-in-value",
            DiagnosticCode::PaddedSectionHeader => "padded-section-header",
            DiagnosticCode::ColonInKey => "colon-in-key",
            DiagnosticCode::MissingProfilePrefix => "missing-profile-prefix",
            DiagnosticCode::ProfilePrefixInCredentials => "profile-prefix-in-credentials",
            DiagnosticCode::SectionInCredentials => "section-in-credentials",
            DiagnosticCode::UnknownSectionType => "unknown-section-type",
            DiagnosticCode::InvalidSectionName => "invalid-section-name",
            DiagnosticCode::InvalidKey => "invalid-key",
            DiagnosticCode::IndentedLine => "indented-line",
            DiagnosticCode::RepeatedSectionName => "repeated-section-name",
        }
    }

    /// Whether the AWS CLI refuses to read a file with this finding
    /// (botocore raises `ConfigParseError`): `lint` makes it an error, and
    /// every run warns about it.
    pub fn aws_cli_refuses(self) -> bool {
        matches!(
            self,
            DiagnosticCode::DuplicateSection
                | DiagnosticCode::DuplicateKey
                | DiagnosticCode::ByteOrderMark
        )
    }

    /// Every code, for documentation and tools that list them.
    pub const ALL: [DiagnosticCode; 18] = [
        DiagnosticCode::InlineComment,
        DiagnosticCode::DuplicateSection,
        DiagnosticCode::DuplicateKey,
        DiagnosticCode::DefaultProfileConflict,
        DiagnosticCode::ByteOrderMark,
        DiagnosticCode::DefaultSection,
        DiagnosticCode::IndentedComment,
        DiagnosticCode::BlankLineInValue,
        DiagnosticCode::PaddedSectionHeader,
        DiagnosticCode::ColonInKey,
        DiagnosticCode::MissingProfilePrefix,
        DiagnosticCode::ProfilePrefixInCredentials,
        DiagnosticCode::SectionInCredentials,
        DiagnosticCode::UnknownSectionType,
        DiagnosticCode::InvalidSectionName,
        DiagnosticCode::InvalidKey,
        DiagnosticCode::IndentedLine,
        DiagnosticCode::RepeatedSectionName,
    ];
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: a stable code, a full-sentence message and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
}

impl Diagnostic {
    pub(crate) fn warning(code: DiagnosticCode, location: Location, message: String) -> Self {
        Diagnostic {
            code,
            severity: Severity::Warning,
            message,
            location,
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `config:3:1: warning[inline-comment]: ...`; front ends that know the
    /// path print it in place of the file kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location, self.severity, self.code, self.message
        )
    }
}
