//! `rolectl lint`: every finding over both files, one line each; exit 1
//! when any is an error.

use rolectl_resolver::lint::{has_errors, lint_bytes};

use crate::args::ReportFormat;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, format: ReportFormat) -> Result<bool, CliError> {
    let files = ctx.read_files()?;
    let findings = lint_bytes(files.config, files.credentials);
    let mut out = String::with_capacity(findings.len() * 120);
    match format {
        ReportFormat::Text => {
            for finding in &findings {
                out.push_str(&finding.render(&ctx.paths));
                out.push('\n');
            }
        }
        ReportFormat::Json => {
            let list: Vec<_> = findings.iter().map(|f| f.to_json(&ctx.paths)).collect();
            out = serde_json::to_string_pretty(&list).expect("JSON values always serialize");
            out.push('\n');
        }
    }
    super::print(&out)?;
    Ok(!has_errors(&findings))
}
