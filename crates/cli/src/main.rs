//! `rolectl`: use AWS IAM roles from the command line.

fn main() {
    eprintln!(
        "rolectl {}: the command line arrives with its own issue.",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
