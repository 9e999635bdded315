//! Arbitrary bytes as the body of an STS response to every operation: the
//! parser must return an output or an error, never panic, and the error
//! must render. The same bytes go through the other parsers of hostile
//! text: timestamps, form bodies, and the retry decision on the error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rolectl_sts_client::{
    form, parse_response, parse_timestamp, AssumeRoleInput, AssumeRoleWithWebIdentityInput,
    GetSessionTokenInput, HttpResponse, Operation, RetryPolicy,
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
                let _ = RetryPolicy::default().decide(1, &error, 0.5);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = parse_timestamp(text);
        let _ = form::decode_pairs(text);
    }
});
