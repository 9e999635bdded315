//! The 65 cross-SDK profile parser cases, checked through the library and
//! through the dump tool's own code (files on disk, JSON on stdout).

#[allow(dead_code)]
#[path = "../examples/dump/format.rs"]
mod format;

use rolectl_config_parser::parse_files;
use serde_json::{json, Value};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/env-config/profile-parser-tests.json"
);

struct Case {
    name: String,
    config: Option<String>,
    credentials: Option<String>,
    output: Value,
}

fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(VECTORS).expect("the profile parser vectors are in tests/vectors");
    let doc: Value = serde_json::from_str(&text).expect("the vectors file is JSON");
    let tests = doc["tests"].as_array().expect("a `tests` array");
    tests
        .iter()
        .map(|t| Case {
            name: t["name"].as_str().expect("a name").to_owned(),
            config: t["input"]["configFile"].as_str().map(str::to_owned),
            credentials: t["input"]["credentialsFile"].as_str().map(str::to_owned),
            output: t["output"].clone(),
        })
        .collect()
}

/// The expected `{"profiles", "sso_sessions"}` object; cases that leave out
/// `sso_sessions` expect none.
fn expected_config(output: &Value) -> Option<Value> {
    let config = output.get("config")?;
    Some(json!({
        "profiles": config["profiles"].clone(),
        "sso_sessions": config.get("sso_sessions").cloned().unwrap_or_else(|| json!({})),
    }))
}

#[test]
fn all_65_cases_pass_through_the_library() {
    let cases = cases();
    assert_eq!(cases.len(), 65);
    let mut failures = Vec::new();
    for case in &cases {
        let result = parse_files(case.config.as_deref(), case.credentials.as_deref());
        match (expected_config(&case.output), result) {
            (Some(expected), Ok(parsed)) => {
                let actual = format::profile_set_json(&parsed.profiles);
                if actual != expected {
                    failures.push(format!("{}: expected {expected}, got {actual}", case.name));
                }
            }
            (Some(_), Err(err)) => failures.push(format!("{}: unexpected error {err}", case.name)),
            (None, Ok(parsed)) => failures.push(format!(
                "{}: expected an error, got {}",
                case.name,
                format::profile_set_json(&parsed.profiles)
            )),
            (None, Err(err)) => {
                let wanted = case.output["errorContaining"]
                    .as_str()
                    .expect("errorContaining");
                if !err.to_string().contains(wanted) {
                    failures.push(format!("{}: error `{err}` lacks `{wanted}`", case.name));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn dump_tool_prints_the_vectors_format_for_every_case() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (index, case) in cases().iter().enumerate() {
        let mut args = Vec::new();
        for (flag, text) in [
            ("--config", &case.config),
            ("--credentials", &case.credentials),
        ] {
            if let Some(text) = text {
                let path = dir.path().join(format!("{index}{flag}"));
                std::fs::write(&path, text).expect("write a case file");
                args.push(flag.to_owned());
                args.push(path.to_string_lossy().into_owned());
            }
        }
        let output = format::run(&args);
        let printed: Value = serde_json::from_str(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "{}: stdout is not one JSON object ({err}): {}",
                case.name, output.stdout
            )
        });
        match expected_config(&case.output) {
            Some(expected) => {
                assert_eq!(printed, expected, "{}", case.name);
                assert_eq!(output.status, 0, "{}", case.name);
            }
            None => {
                let wanted = case.output["errorContaining"]
                    .as_str()
                    .expect("errorContaining");
                let message = printed["errorContaining"]
                    .as_str()
                    .expect("an errorContaining string");
                assert!(message.contains(wanted), "{}: {message}", case.name);
                assert_eq!(
                    printed.as_object().map(|o| o.len()),
                    Some(1),
                    "{}",
                    case.name
                );
                assert_eq!(output.status, 1, "{}", case.name);
            }
        }
    }
}

#[test]
fn dump_tool_prints_warnings_with_path_line_and_column() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("config");
    std::fs::write(&path, "[profile a]\nregion = us-west-2 # x\n[foo]\n").expect("write config");
    let path = path.to_string_lossy().into_owned();
    let output = format::run(&["--config".to_owned(), path.clone()]);
    assert_eq!(output.status, 0);
    assert_eq!(
        output.stdout,
        "{\"profiles\":{\"a\":{\"region\":\"us-west-2\"}},\"sso_sessions\":{}}\n"
    );
    let lines: Vec<&str> = output.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", output.stderr);
    assert!(
        lines[0].starts_with(&format!("{path}:2:20: warning[inline-comment]: ")),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!("{path}:3:1: warning[missing-profile-prefix]: ")),
        "{}",
        lines[1]
    );
}

#[test]
fn dump_tool_reports_a_non_utf8_file_and_usage_errors() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("credentials");
    std::fs::write(&path, b"[a]\nkey = caf\xe9\n").expect("write credentials");
    let output = format::run(&[
        "--credentials".to_owned(),
        path.to_string_lossy().into_owned(),
    ]);
    assert_eq!(output.status, 1);
    let printed: Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert!(printed["errorContaining"]
        .as_str()
        .expect("a message")
        .contains("Line 2 is not valid UTF-8"));

    assert_eq!(format::run(&["--bogus".to_owned()]).status, 2);
    assert_eq!(format::run(&["--config".to_owned()]).status, 2);
    let missing = dir.path().join("missing").to_string_lossy().into_owned();
    assert_eq!(format::run(&["--config".to_owned(), missing]).status, 2);
}
