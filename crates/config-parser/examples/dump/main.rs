//! Prints the profiles of a config and/or credentials file as one JSON
//! object in the cross-SDK profile parser tests' format; warnings go to
//! stderr as `file:line:col: warning[code]: message`. Exit status 1 on a
//! parse error, 2 on a usage error.
//!
//! `cargo run -p rolectl-config-parser --example dump -- [--config FILE] [--credentials FILE]`

mod format;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let output = format::run(&args);
    let _ = std::io::stdout().write_all(output.stdout.as_bytes());
    let _ = std::io::stderr().write_all(output.stderr.as_bytes());
    std::process::exit(output.status);
}
