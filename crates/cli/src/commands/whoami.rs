//! `rolectl whoami`: STS GetCallerIdentity with the resolved credentials,
//! printed as the AWS CLI prints `aws sts get-caller-identity`.

use rolectl_sts_client::{Operation, Output};

use crate::context::Context;
use crate::error::CliError;
use crate::handlers::NativeHandlers;
use crate::resolve::{block_on, profile_chain, resolve};

pub fn run(ctx: &Context) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let chain = profile_chain(ctx, &snapshot.selected_profile().name)?;
    let identity = block_on(async {
        let mut handlers = NativeHandlers::new(ctx, chain);
        let resolution = resolve(ctx, &snapshot, &mut handlers).await?;
        let signing = resolution.credentials.to_signing();
        handlers
            .call(
                &Operation::GetCallerIdentity,
                Some(&signing),
                &resolution.endpoint,
            )
            .await
            .map_err(CliError::resolve)
    })?;
    let Output::GetCallerIdentity(id) = identity else {
        return Err(CliError::resolve(
            "STS answered GetCallerIdentity with another operation's result.",
        ));
    };
    let json = Identity {
        user_id: &id.user_id,
        account: &id.account,
        arn: &id.arn,
    };
    super::print(&format!("{}\n", pretty4(&json)))
}

/// The AWS CLI's member order: UserId, Account, Arn.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Identity<'a> {
    user_id: &'a str,
    account: &'a str,
    arn: &'a str,
}

/// JSON with 4-space indents, as the AWS CLI's `--output json`.
fn pretty4(value: &impl serde::Serialize) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(value, &mut ser).expect("JSON values always serialize");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
