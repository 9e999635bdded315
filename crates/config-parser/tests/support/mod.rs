//! Runs Python code with the pinned AWS CLI's botocore (`ROLECTL_PYTHON`,
//! which scripts/test.sh sets): a missing Python fails the test.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `code` with `input` on stdin; its stdout as JSON.
pub fn python_json(code: &str, input: &serde_json::Value) -> serde_json::Value {
    let python = std::env::var("ROLECTL_PYTHON").unwrap_or_else(|_| {
        panic!("ROLECTL_PYTHON is not set: run the tests through ./scripts/test.sh, which sets it")
    });
    let mut child = Command::new(&python)
        .args(["-c", code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {python}: {err}"));
    let input = serde_json::to_vec(input).expect("JSON");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write to Python");
    let output = child.wait_with_output().expect("Python runs");
    assert!(
        output.status.success(),
        "{python} failed; is the AWS CLI installed?"
    );
    serde_json::from_slice(&output.stdout).expect("Python prints JSON")
}
