//! The AWS CLI view used by the corpus differential (`tests/e2e/test_corpus.py`):
//! prints, from the AWS CLI's reading (`aws_cli`), the profiles, `sso-session` and
//! `services` sections of a config and a credentials file in the shape of
//! botocore's `Session().full_config` (see `tests/e2e/corpus_botocore.py`).
//!
//! `cargo run -p rolectl-config-parser --example aws_cli_view -- [--config FILE] [--credentials FILE]`
//!
//! Output: `{"ok": true, "profiles": {...}, "sso_sessions": {...}, "services": {...},
//! "warnings": [...]}` (each with `refused_by_aws_cli`), a value that
//! starts with an empty line (`s3 =` and indented lines) as a nested object; or `{"ok": false, "error": "<Display text>", "location":
//! "file:line:column"}` when the files cannot be read. Exit status 0 either
//! way, 2 on a usage error or an unreadable file.

use rolectl_config_parser::aws_cli::parse_file_bytes;
use rolectl_config_parser::{merge, FileKind, ParseError, ParsedFile, Sections};
use serde_json::{json, Map, Value};

const USAGE: &str = "usage: aws_cli_view [--config FILE] [--credentials FILE]";

/// Sections as `{"name": {"key": "value" | {"sub": "value"}}}`.
fn sections(map: &Sections<'_>) -> Value {
    let mut out = Map::new();
    for (name, section) in map {
        let mut properties = Map::new();
        for (key, property) in &section.properties {
            // botocore parses a value that starts with an empty line.
            let value = if !property.value.starts_with('\n') {
                Value::String(property.value.to_string())
            } else {
                Value::Object(
                    property
                        .sub_properties
                        .iter()
                        .map(|(k, p)| (k.to_string(), Value::String(p.value.to_string())))
                        .collect(),
                )
            };
            properties.insert(key.to_string(), value);
        }
        out.insert(name.to_string(), Value::Object(properties));
    }
    Value::Object(out)
}

fn parse(bytes: Option<&[u8]>, kind: FileKind) -> Result<Option<ParsedFile<'_>>, ParseError> {
    bytes.map(|bytes| parse_file_bytes(bytes, kind)).transpose()
}

fn usage(problem: &str) -> ! {
    eprintln!("aws_cli_view: {problem}\n{USAGE}");
    std::process::exit(2);
}

fn main() {
    let mut config = None;
    let mut credentials = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--config" => &mut config,
            "--credentials" => &mut credentials,
            _ => usage(&format!("unknown argument `{arg}`")),
        };
        match args.next() {
            Some(path) => *slot = Some(path),
            None => usage(&format!("`{arg}` needs a file")),
        }
    }
    let read = |path: &Option<String>| -> Option<Vec<u8>> {
        path.as_ref().map(|path| {
            std::fs::read(path).unwrap_or_else(|err| usage(&format!("cannot read {path}: {err}")))
        })
    };
    let config_bytes = read(&config);
    let credentials_bytes = read(&credentials);
    let parsed = parse(config_bytes.as_deref(), FileKind::Config).and_then(|config| {
        let credentials = parse(credentials_bytes.as_deref(), FileKind::Credentials)?;
        Ok(merge(config, credentials))
    });
    let output = match parsed {
        Ok(parsed) => {
            let warnings: Vec<Value> = parsed
                .diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "code": d.code.to_string(),
                        "severity": d.severity.to_string(),
                        "location": d.location.to_string(),
                        "refused_by_aws_cli": d.code.aws_cli_refuses(),
                    })
                })
                .collect();
            json!({
                "ok": true,
                "profiles": sections(&parsed.profiles.profiles),
                "sso_sessions": sections(&parsed.profiles.sso_sessions),
                "services": sections(&parsed.profiles.services),
                "warnings": warnings,
            })
        }
        Err(err) => json!({
            "ok": false,
            "error": err.to_string(),
            "location": err.location().to_string(),
        }),
    };
    println!("{output}");
}
