//! Arbitrary bytes as the body of an STS response to every operation: the
//! parser must return an output or an error, never panic, and the error
//! must render.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rolectl_sts_client::{
    parse_response, AssumeRoleInput, AssumeRoleWithWebIdentityInput, GetSessionTokenInput,
    HttpResponse, Operation,
};

fuzz_target!(|data: &[u8]| {
    // The first two bytes pick the status, so error paths for every status
    // class are reached; the rest is the body.
    let (status, body) = match data {
        [high, low, rest @ ..] => (100 + u16::from_be_bytes([*high, *low]) % 500, rest),
        _ => (200, data),
    };
    let operations = [
        Operation::AssumeRole(AssumeRoleInput::default()),
        Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput::default()),
        Operation::GetSessionToken(GetSessionTokenInput::default()),
        Operation::GetCallerIdentity,
    ];
    let response = HttpResponse {
        status,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: body.to_vec(),
    };
    for op in &operations {
        match parse_response(op, &response) {
            Ok(output) => {
                let _ = format!("{output:?}");
            }
            Err(error) => {
                let _ = error.to_string();
                let _ = error.is_retryable();
            }
        }
    }
});
