//! Puts the commit the binary was built from into `rolectl --version`:
//! `ROLECTL_COMMIT` when set (a build from a source archive), else git's
//! short hash of HEAD, else "unknown commit" (a crates.io download).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=ROLECTL_COMMIT");
    let commit = std::env::var("ROLECTL_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            // Rebuilt when HEAD moves: its file, and the branch it names.
            // (A file that does not exist would rebuild every time.)
            let branch = git(&["symbolic-ref", "-q", "HEAD"]);
            for file in ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref()) {
                if let Some(path) = git(&["rev-parse", "--git-path", file]) {
                    if std::path::Path::new(&path).exists() {
                        println!("cargo:rerun-if-changed={path}");
                    }
                }
            }
            git(&["rev-parse", "--short=12", "HEAD"])
        })
        .unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo:rustc-env=ROLECTL_COMMIT={commit}");
}
