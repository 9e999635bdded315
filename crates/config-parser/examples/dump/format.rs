//! The dump tool's output, in the cross-SDK profile parser tests' format:
//! `{"profiles": {...}, "sso_sessions": {...}}`, or `{"errorContaining": ...}`.
//! Shared with the crate's tests, which check the format against the vectors.

use std::collections::BTreeMap;

use rolectl_config_parser::{
    merge, parse_file_bytes, Diagnostic, FileKind, ParseError, ParsedFile, ProfileSet, Sections,
};
use serde_json::{json, Map, Value};

/// What one run of the tool prints, and its exit status.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

/// Sections as `{"name": {"key": "value"}}`; sub-property blocks as their raw text.
fn sections(map: &Sections<'_>) -> Value {
    let mut out = Map::new();
    for (name, section) in map {
        let properties: Map<String, Value> = section
            .properties
            .iter()
            .map(|(key, property)| (key.to_string(), Value::String(property.value.to_string())))
            .collect();
        out.insert(name.to_string(), Value::Object(properties));
    }
    Value::Object(out)
}

pub fn profile_set_json(set: &ProfileSet<'_>) -> Value {
    json!({
        "profiles": sections(&set.profiles),
        "sso_sessions": sections(&set.sso_sessions),
    })
}

/// `path:line:col: warning[code]: message`.
pub fn warning_line(path: &str, diagnostic: &Diagnostic) -> String {
    let location = diagnostic.location;
    format!(
        "{path}:{}:{}: {}[{}]: {}",
        location.line, location.column, diagnostic.severity, diagnostic.code, diagnostic.message
    )
}

const USAGE: &str = "usage: dump [--config FILE] [--credentials FILE]";

/// Runs the tool on its arguments (without the program name).
pub fn run(args: &[String]) -> Output {
    let mut config = None;
    let mut credentials = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--config" => &mut config,
            "--credentials" => &mut credentials,
            _ => return usage(&format!("unknown argument `{arg}`")),
        };
        match args.next() {
            Some(path) => *slot = Some(path.clone()),
            None => return usage(&format!("`{arg}` needs a file")),
        }
    }
    let read = |path: &Option<String>| -> Result<Option<(String, Vec<u8>)>, String> {
        match path {
            None => Ok(None),
            Some(path) => std::fs::read(path)
                .map(|bytes| Some((path.clone(), bytes)))
                .map_err(|err| format!("cannot read {path}: {err}")),
        }
    };
    let (config, credentials) = match (read(&config), read(&credentials)) {
        (Ok(config), Ok(credentials)) => (config, credentials),
        (Err(err), _) | (_, Err(err)) => return usage(&err),
    };
    let mut paths = BTreeMap::new();
    for (file, kind) in [
        (&config, FileKind::Config),
        (&credentials, FileKind::Credentials),
    ] {
        if let Some((path, _)) = file {
            paths.insert(kind, path.clone());
        }
    }
    let parsed = parse(&config, FileKind::Config)
        .and_then(|config| Ok((config, parse(&credentials, FileKind::Credentials)?)));
    match parsed {
        Ok((config, credentials)) => {
            let parsed = merge(config, credentials);
            let stderr: String = parsed
                .diagnostics
                .iter()
                .map(|d| {
                    let path = paths
                        .get(&d.location.file)
                        .map_or(d.location.file.as_str(), String::as_str);
                    warning_line(path, d) + "\n"
                })
                .collect();
            Output {
                stdout: profile_set_json(&parsed.profiles).to_string() + "\n",
                stderr,
                status: 0,
            }
        }
        Err((path, err)) => {
            let location = err.location();
            Output {
                stdout: json!({ "errorContaining": err.to_string() }).to_string() + "\n",
                stderr: format!(
                    "{path}:{}:{}: error: {err}\n",
                    location.line, location.column
                ),
                status: 1,
            }
        }
    }
}

type Failure = (String, ParseError);

fn parse(
    file: &Option<(String, Vec<u8>)>,
    kind: FileKind,
) -> Result<Option<ParsedFile<'_>>, Failure> {
    let Some((path, bytes)) = file else {
        return Ok(None);
    };
    parse_file_bytes(bytes, kind)
        .map(Some)
        .map_err(|err| (path.clone(), err))
}

fn usage(problem: &str) -> Output {
    Output {
        stdout: String::new(),
        stderr: format!("dump: {problem}\n{USAGE}\n"),
        status: 2,
    }
}
