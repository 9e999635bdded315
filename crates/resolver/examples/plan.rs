//! Conformance tool for the cross-SDK assume-role suite: reads one case
//! (or its `input` object) from FILE.json and prints the plan in the
//! suite's `output` format. A `credential_source` is printed as its
//! `NamedSource` step even when the case's (empty) environment could not
//! serve it: the suite describes the configured chain, and only resolving
//! fails there.
//!
//! `cargo run -p rolectl-resolver --example plan -- FILE.json`

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: plan FILE.json");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Could not read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{path} is not JSON: {e}");
            return ExitCode::from(2);
        }
    };
    match rolectl_resolver::conformance::snapshot_from_input(&value) {
        Ok(snapshot) => {
            println!("{}", rolectl_resolver::conformance::output_for(&snapshot));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
