//! GetFederationToken: the request body in the model's order (expected
//! strings from botocore's Query serializer and `urlencode`), its signature
//! (botocore's `SigV4Auth` at the same time), the model's limits checked
//! before anything is sent, and the response with `Credentials` and
//! `FederatedUser` parsed (the layout moto and STS send).

use rolectl_sts_client::{
    build_request, form_body, parse_response, validate, Credentials, Endpoint,
    GetFederationTokenInput, HttpResponse, Operation, Output, StsError,
};
use time::macros::datetime;

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn op(name: &str, policy: Option<&str>, duration: Option<u32>) -> Operation {
    Operation::GetFederationToken(GetFederationTokenInput {
        name: name.into(),
        policy: policy.map(str::to_owned),
        duration_seconds: duration,
    })
}

fn endpoint() -> Endpoint {
    Endpoint {
        url: "https://sts.us-west-2.amazonaws.com".into(),
        signing_region: "us-west-2".into(),
    }
}

fn keys() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    )
}

#[test]
fn body_has_name_policy_duration_in_the_model_order() {
    assert_eq!(
        form_body(&op("alice@example.com", Some(ALLOW_ALL), Some(3600))),
        "Action=GetFederationToken&Version=2011-06-15&Name=alice%40example.com\
         &Policy=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22\
         %3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D\
         &DurationSeconds=3600"
    );
    assert_eq!(
        form_body(&op("bob", None, None)),
        "Action=GetFederationToken&Version=2011-06-15&Name=bob"
    );
}

#[test]
fn signed_request_matches_botocore() {
    let request = build_request(
        &op("alice@example.com", Some(ALLOW_ALL), Some(3600)),
        &endpoint(),
        Some(&keys()),
        datetime!(2026-01-02 03:04:05 UTC),
    )
    .unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "https://sts.us-west-2.amazonaws.com/");
    assert_eq!(
        request.header("authorization"),
        Some(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=9e3d2e551554e69493f8f78fa5a9a6603b0c81daaf743113dc9dd454289aeb26"
        )
    );
}

#[test]
fn the_models_limits_are_checked_before_sending() {
    let ok = [
        op("ab", None, None),
        op(&"n".repeat(32), Some(ALLOW_ALL), Some(900)),
        op("a_b+c=d,e.f@g-h", None, Some(129_600)),
    ];
    for op in ok {
        validate(&op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
    }
    let cases = [
        (
            op("a", None, None),
            "Invalid length for parameter Name, value: 1, valid min length: 2",
        ),
        (
            op(&"n".repeat(33), None, None),
            "Invalid length for parameter Name, value: 33, valid max length: 32",
        ),
        (
            op("al ice", None, None),
            "Invalid character ' ' in parameter Name: it must match [\\w+=,.@-]*",
        ),
        (
            op("alice/x", None, None),
            "Invalid character '/' in parameter Name: it must match [\\w+=,.@-]*",
        ),
        (
            op("alice", Some(""), None),
            "Invalid length for parameter Policy, value: 0, valid min length: 1",
        ),
        (
            op("alice", Some(&"x".repeat(2049)), None),
            "Invalid length for parameter Policy, value: 2049, valid max length: 2048",
        ),
        (
            op("alice", None, Some(899)),
            "Invalid value for parameter DurationSeconds, value: 899, valid min value: 900",
        ),
        (
            op("alice", None, Some(129_601)),
            "Invalid value for parameter DurationSeconds, value: 129601, valid max value: 129600",
        ),
    ];
    for (op, message) in cases {
        let error = build_request(
            &op,
            &endpoint(),
            Some(&keys()),
            datetime!(2026-01-02 03:04:05 UTC),
        )
        .unwrap_err();
        assert_eq!(
            error,
            StsError::InvalidParameter {
                operation: "GetFederationToken",
                message: message.into()
            }
        );
        assert_eq!(
            error.to_string(),
            format!("Parameter validation failed for the GetFederationToken operation: {message}.")
        );
        assert!(!error.is_retryable());
    }
    // Other operations have nothing to check here.
    validate(&Operation::GetCallerIdentity).unwrap();
}

fn xml(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: body.as_bytes().to_vec(),
    }
}

const SUCCESS: &str = "<GetFederationTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
    <GetFederationTokenResult><Credentials><SessionToken>fedToken/abc=</SessionToken>\
    <SecretAccessKey>fedSecret/xyz</SecretAccessKey><Expiration>2026-11-30T23:00:00Z</Expiration>\
    <AccessKeyId>ASIAFEDERATED0001</AccessKeyId></Credentials>\
    <FederatedUser><Arn>arn:aws:sts::123456789012:federated-user/alice</Arn>\
    <FederatedUserId>123456789012:alice</FederatedUserId></FederatedUser>\
    <PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult>\
    <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata></GetFederationTokenResponse>";

#[test]
fn success_has_credentials_and_the_federated_user() {
    let Output::GetFederationToken(out) =
        parse_response(&op("alice", None, None), &xml(SUCCESS)).unwrap()
    else {
        panic!("another output");
    };
    let c = &out.credentials;
    assert_eq!(c.access_key_id, "ASIAFEDERATED0001");
    assert_eq!(c.secret_access_key.expose(), "fedSecret/xyz");
    assert_eq!(c.session_token.expose(), "fedToken/abc=");
    assert_eq!(c.expiration, datetime!(2026-11-30 23:00:00 UTC));
    let user = out.federated_user.as_ref().unwrap();
    assert_eq!(user.arn, "arn:aws:sts::123456789012:federated-user/alice");
    assert_eq!(user.federated_user_id, "123456789012:alice");
    assert_eq!(out.packed_policy_size, Some(6));
    let debug = format!("{out:?}");
    assert!(
        !debug.contains("fedSecret") && !debug.contains("fedToken"),
        "{debug}"
    );
}

#[test]
fn broken_answers_are_named() {
    let op = op("alice", None, None);
    let half_user = SUCCESS.replace("<FederatedUserId>123456789012:alice</FederatedUserId>", "");
    let error = parse_response(&op, &xml(&half_user)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("its FederatedUser lacks Arn or FederatedUserId"),
        "{error}"
    );
    let no_token = SUCCESS.replace("<SessionToken>fedToken/abc=</SessionToken>", "");
    let error = parse_response(&op, &xml(&no_token)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("it has no Credentials/SessionToken"),
        "{error}"
    );
    let bad_size = SUCCESS.replace(">6<", ">six<");
    let error = parse_response(&op, &xml(&bad_size)).unwrap_err();
    assert!(error.to_string().contains("PackedPolicySize"), "{error}");
    // Another operation's document is not this one's answer.
    let other = SUCCESS.replace("GetFederationToken", "GetSessionToken");
    let error = parse_response(&op, &xml(&other)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("instead of <GetFederationTokenResponse>"),
        "{error}"
    );
    // STS's own error, worded as the AWS CLI words it.
    let denied = HttpResponse {
        status: 403,
        headers: vec![],
        body: b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
            <Message>Cannot call GetFederationToken with session credentials</Message></Error>\
            <RequestId>1</RequestId></ErrorResponse>"
            .to_vec(),
    };
    assert_eq!(
        parse_response(&op, &denied).unwrap_err().to_string(),
        "An error occurred (AccessDenied) when calling the GetFederationToken operation: \
         Cannot call GetFederationToken with session credentials"
    );
}
