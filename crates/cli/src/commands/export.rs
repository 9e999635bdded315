//! `rolectl export` and `rolectl credential-process`: the credentials in
//! one of the AWS CLI's `export-credentials` formats.

use rolectl_resolver::export::{render, ExportFormat};

use crate::context::Context;
use crate::error::CliError;
use crate::resolve::resolve_selected;

pub fn run(ctx: &Context, format: ExportFormat) -> Result<(), CliError> {
    let resolution = resolve_selected(ctx)?;
    super::print(&render(&resolution.credentials, format))
}
