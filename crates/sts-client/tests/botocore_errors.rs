//! Error messages against botocore: every document in
//! tests/data/botocore_errors.json (written by gen_botocore_errors.py with
//! botocore's own query parser and `ClientError`) must read exactly as the
//! AWS CLI prints it; the few places where rolectl chooses differently are
//! pinned below with the reason.

use rolectl_sts_client::{
    parse_response, AssumeRoleInput, AssumeRoleWithWebIdentityInput, GetSessionTokenInput,
    HttpResponse, Operation,
};
use serde_json::Value;

fn operation(name: &str) -> Operation {
    match name {
        "AssumeRole" => Operation::AssumeRole(AssumeRoleInput::default()),
        "AssumeRoleWithWebIdentity" => {
            Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput::default())
        }
        "GetSessionToken" => Operation::GetSessionToken(GetSessionTokenInput::default()),
        "GetCallerIdentity" => Operation::GetCallerIdentity,
        other => panic!("botocore_errors.json names an unknown operation {other}"),
    }
}

fn message(op: &str, status: u16, body: &str) -> String {
    let response = HttpResponse {
        status,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: body.as_bytes().to_vec(),
    };
    match parse_response(&operation(op), &response) {
        Ok(output) => panic!("an error document parsed as {output:?}: {body}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn every_error_document_reads_as_botocore_prints_it() {
    let table: Value = serde_json::from_str(include_str!("data/botocore_errors.json"))
        .expect("botocore_errors.json is JSON");
    let version = table["botocore"].as_str().unwrap_or_default();
    assert!(version.starts_with("1.44."), "{version}");
    let cases = table["cases"].as_array().expect("a list of cases");
    assert!(cases.len() >= 15);
    for case in cases {
        let field = |name: &str| case[name].as_str().expect(name).to_owned();
        let status = case["status"].as_u64().expect("status") as u16;
        let body = field("body");
        assert_eq!(
            message(&field("operation"), status, &body),
            field("message"),
            "body {body}"
        );
    }
}

#[test]
fn empty_code_or_message_reads_unknown_not_python_none() {
    // botocore prints `None` here (the element's missing text, formatted by
    // Python); `Unknown` is what it prints when the element is absent, and
    // says the same thing without leaking a Python artefact.
    assert_eq!(
        message(
            "AssumeRole",
            403,
            "<ErrorResponse><Error><Code>AccessDenied</Code><Message></Message></Error></ErrorResponse>"
        ),
        "An error occurred (AccessDenied) when calling the AssumeRole operation: Unknown"
    );
    assert_eq!(
        message(
            "AssumeRole",
            400,
            "<ErrorResponse><Error><Code/><Message>m</Message></Error></ErrorResponse>"
        ),
        "An error occurred (Unknown) when calling the AssumeRole operation: m"
    );
}

#[test]
fn white_space_around_code_and_message_is_trimmed() {
    // botocore keeps it verbatim; trimmed, a code still matches the retry
    // and never-retry lists.
    assert_eq!(
        message(
            "AssumeRole",
            400,
            "<ErrorResponse><Error><Code>\n  Throttling </Code><Message>  slow down\n</Message></Error></ErrorResponse>"
        ),
        "An error occurred (Throttling) when calling the AssumeRole operation: slow down"
    );
}

#[test]
fn document_type_entities_are_refused_not_expanded() {
    // expat (botocore) expands internal entities; a response that declares
    // its own is not from STS, and refusing keeps entity expansion attacks
    // out entirely.
    let text = message(
        "AssumeRole",
        400,
        "<!DOCTYPE r [<!ENTITY e \"boom\">]><ErrorResponse><Error><Code>X</Code><Message>&e;</Message></Error></ErrorResponse>",
    );
    assert!(
        text.contains("the XML uses an unknown entity &e;"),
        "{text}"
    );
    assert!(!text.contains("operation: boom"), "{text}");
}
