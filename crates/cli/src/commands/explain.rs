//! `rolectl explain`: the resolution chain with `file:line` for each step
//! and what the cache holds for it. Reads files only: no network, no
//! prompt, no cache write, no lock.

use rolectl_resolver::explain;

use crate::args::ReportFormat;
use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::error::CliError;
use crate::resolve::resolve_error;

pub fn run(ctx: &Context, format: ReportFormat) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let mut explanation = explain(&snapshot).map_err(|e| resolve_error(ctx, &e))?;
    if ctx.cache {
        let mut cache = CacheDir::new(ctx.cache_dir.clone());
        explanation.read_cache(|key| cache.get(key), time::OffsetDateTime::now_utc());
    }
    let mut tokens = CacheDir::new(ctx.sso_cache_dir.clone());
    explanation.read_sso_token(
        |key| tokens.get(key).into_text(),
        time::OffsetDateTime::now_utc(),
    );
    match format {
        ReportFormat::Text => super::print(&explanation.text(&ctx.paths)),
        ReportFormat::Json => super::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&explanation.to_json(&ctx.paths))
                .expect("JSON values always serialize")
        )),
    }
}
