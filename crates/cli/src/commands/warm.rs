//! `rolectl warm PROFILE...`: resolve several profiles in one run so that
//! their credentials are cached, asking each MFA device's code once (an MFA
//! session where the chain allows one), for the tools started after it.

use std::collections::BTreeMap;

use crate::context::Context;
use crate::error::CliError;
use crate::handlers::NativeHandlers;
use crate::resolve::{block_on, profile_chain, resolve};

pub fn run(ctx: &Context, profiles: &[String]) -> Result<(), CliError> {
    let mut codes = BTreeMap::new();
    let mut first_error: Option<CliError> = None;
    let mut warmed = 0;
    for name in profiles {
        let outcome = ctx.snapshot_for(name).and_then(|mut snapshot| {
            // One GetSessionToken serves every role of a device whose chain
            // starts from long-term keys: a code is good for one call only.
            snapshot.options.mfa_session = true;
            profile_chain(ctx, name).map(|chain| (snapshot, chain))
        });
        let outcome = outcome.and_then(|(snapshot, chain)| {
            block_on(async {
                let mut handlers = NativeHandlers::new(ctx, chain);
                handlers.codes = Some(std::mem::take(&mut codes));
                let result = resolve(ctx, &snapshot, &mut handlers).await;
                codes = handlers.codes.take().unwrap_or_default();
                result
            })
        });
        match outcome {
            Ok(resolution) => {
                warmed += 1;
                let until = resolution
                    .credentials
                    .expiration
                    .map(|t| format!("until {}", rolectl_resolver::export::python_isoformat(t)))
                    .unwrap_or_else(|| "(long-term keys, nothing to cache)".to_owned());
                let how = if resolution.credentials.from_cache {
                    "already cached"
                } else {
                    "cached"
                };
                eprintln!("Profile \"{name}\": credentials {how} {until}.");
            }
            Err(e) => {
                eprintln!("error: profile \"{name}\": {e}");
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        None => Ok(()),
        Some(e) => {
            let message = format!(
                "{warmed} of {} profiles warmed; the first failure was: {e}",
                profiles.len()
            );
            Err(match e {
                CliError::NeedsPerson { .. } => CliError::NeedsPerson { message },
                _ => CliError::resolve(message),
            })
        }
    }
}
