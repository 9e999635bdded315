//! `lint`: every problem in the two files, each with a stable code, a
//! severity and its place: errors stop a resolution, warnings are lines
//! other tools read differently, or keys nothing reads.

use rolectl_config_parser::{
    merge, parse_file, parse_file_bytes, FileKind, Location, ParseError, ParsedFile, Severity,
};
use serde_json::{json, Value};

use crate::paths::FilePaths;

/// One problem found in the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable: one of [`CODES`].
    pub code: &'static str,
    pub severity: Severity,
    /// A full sentence.
    pub message: String,
    pub location: Location,
    /// The profile (or section) it is about, when there is one.
    pub profile: Option<String>,
}

impl Finding {
    /// `path:line:col: error[code]: message`, without a line break.
    pub fn render(&self, paths: &FilePaths) -> String {
        format!(
            "{}: {}[{}]: {}",
            paths.locate(self.location),
            self.severity,
            self.code,
            self.message
        )
    }

    /// `{"file", "line", "column", "severity", "code", "message", "profile"}`.
    pub fn to_json(&self, paths: &FilePaths) -> Value {
        json!({
            "file": paths.path(self.location.file),
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity.as_str(),
            "code": self.code,
            "message": self.message,
            "profile": self.profile,
        })
    }
}

/// Every code `lint` can report, with its severity.
pub const CODES: &[(&str, Severity)] = &[("syntax", Severity::Error)];

/// Every finding for both files, sorted by (file, line, column).
pub fn lint(config: Option<&str>, credentials: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = config.and_then(|t| keep(parse_file(t, FileKind::Config), &mut findings));
    let credentials =
        credentials.and_then(|t| keep(parse_file(t, FileKind::Credentials), &mut findings));
    check(config, credentials, findings)
}

/// [`lint`] for raw bytes: a file that is not UTF-8 is a `syntax` error at
/// the first invalid byte.
pub fn lint_bytes(config: Option<&[u8]>, credentials: Option<&[u8]>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = config.and_then(|b| keep(parse_file_bytes(b, FileKind::Config), &mut findings));
    let credentials = credentials
        .and_then(|b| keep(parse_file_bytes(b, FileKind::Credentials), &mut findings));
    check(config, credentials, findings)
}

/// Whether any finding is an error (`rolectl lint` then exits with 1).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn keep<'a>(
    parsed: Result<ParsedFile<'a>, ParseError>,
    findings: &mut Vec<Finding>,
) -> Option<ParsedFile<'a>> {
    match parsed {
        Ok(file) => Some(file),
        Err(e) => {
            findings.push(Finding {
                code: "syntax",
                severity: Severity::Error,
                message: e.to_string(),
                location: e.location(),
                profile: None,
            });
            None
        }
    }
}

fn check(
    config: Option<ParsedFile<'_>>,
    credentials: Option<ParsedFile<'_>>,
    mut findings: Vec<Finding>,
) -> Vec<Finding> {
    let parsed = merge(config, credentials);
    findings.extend(parsed.diagnostics.into_iter().map(|d| Finding {
        code: d.code.as_str(),
        severity: d.severity,
        message: d.message,
        location: d.location,
        profile: None,
    }));
    findings.sort_by_key(|f| f.location);
    findings
}
