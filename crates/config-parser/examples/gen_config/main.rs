//! Writes the benchmark's generated `config`, `credentials` and
//! `sso-profiles` files into a directory, so that other tools (botocore,
//! scripts/bench.sh) can be timed on the same bytes.
//!
//! `cargo run -p rolectl-config-parser --example gen_config -- DIR`

mod generate;

use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_config DIR");
        std::process::exit(2);
    };
    for (name, text) in [
        ("config", generate::config()),
        ("credentials", generate::credentials()),
        ("sso-profiles", generate::sso_profiles()),
    ] {
        let path = dir.join(name);
        if let Err(err) = std::fs::write(&path, text) {
            eprintln!("gen_config: cannot write {}: {err}", path.display());
            std::process::exit(1);
        }
    }
}
