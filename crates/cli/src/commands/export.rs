//! `rolectl export` and `rolectl credential-process`: the credentials in
//! one of the AWS CLI's `export-credentials` formats.

use rolectl_resolver::export::{render, ExportFormat};

use crate::context::Context;
use crate::error::CliError;
use crate::handlers::NativeHandlers;
use crate::resolve::{block_on, profile_chain, resolve};

pub fn run(ctx: &Context, format: ExportFormat) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let chain = profile_chain(ctx, &snapshot.selected_profile().name)?;
    let resolution = block_on(async {
        let mut handlers = NativeHandlers::new(ctx, chain);
        resolve(ctx, &snapshot, &mut handlers).await
    })?;
    super::print(&render(&resolution.credentials, format))
}
