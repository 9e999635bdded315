//! Conformance tool: signs a test suite case and prints the signed request
//! in the suite's format.
//!
//! `cargo run -p rolectl-sigv4 --example sign -- CASE_DIR [--query]` reads
//! `CASE_DIR/context.json` and `CASE_DIR/request.txt` and prints what
//! `header-signed-request.txt` (or `query-signed-request.txt`) holds, and
//! nothing else, on stdout. Errors go to stderr.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match support::run_cli(&args) {
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
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
