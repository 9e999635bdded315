//! Conformance tool: signs a test suite case and prints the signed request
//! in the suite's format.
//!
//! `cargo run -p rolectl-sigv4 --example sign -- CASE_DIR [--query]` reads
//! `CASE_DIR/context.json` and `CASE_DIR/request.txt` and prints what
//! `header-signed-request.txt` (or `query-signed-request.txt`) holds.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut query = false;
    for arg in std::env::args_os().skip(1) {
        if arg == "--query" {
            query = true;
        } else if dir.is_none() {
            dir = Some(PathBuf::from(arg));
        } else {
            eprintln!("usage: sign CASE_DIR [--query]");
            return ExitCode::from(2);
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: sign CASE_DIR [--query]");
        return ExitCode::from(2);
    };
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let result = read("context.json").and_then(|context| {
        let request = read("request.txt")?;
        support::sign_case(&context, &request, query).map_err(|e| e.to_string())
    });
    match result {
        Ok(bytes) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
