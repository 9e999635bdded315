//! `rolectl profiles`: every profile with its kind and source.

use rolectl_resolver::profiles::{profiles, profiles_json, profiles_text};

use crate::args::ReportFormat;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, format: ReportFormat) -> Result<(), CliError> {
    let (set, _) = ctx.load()?;
    let list = profiles(&set);
    match format {
        ReportFormat::Text => super::print(&profiles_text(&list, &ctx.paths)),
        ReportFormat::Json => super::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&profiles_json(&list, &ctx.paths))
                .expect("JSON values always serialize")
        )),
    }
}
