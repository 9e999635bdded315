//! Request building: exact bodies (expected strings computed with
//! botocore's Query serializer and `urlencode`), headers, and signatures
//! (expected `Authorization` values computed with botocore's `SigV4Auth`).

use rolectl_sts_client::{
    build_request, form_body, parse_endpoint, AssumeRoleInput, AssumeRoleWithWebIdentityInput,
    Credentials, Endpoint, GetSessionTokenInput, Operation, Secret, StsError, CONTENT_TYPE,
};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-01-02 03:04:05 UTC);

fn full_assume_role() -> Operation {
    Operation::AssumeRole(AssumeRoleInput {
        role_arn: "arn:aws:iam::123456789012:role/my-role".into(),
        role_session_name: "my session".into(),
        external_id: Some("ext/id:1".into()),
        serial_number: Some("arn:aws:iam::123456789012:mfa/user".into()),
        token_code: Some(Secret::new("123456")),
        duration_seconds: Some(900),
        policy: Some(r#"{"Version": "2012-10-17"}"#.into()),
        policy_arns: vec![
            "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            "arn:aws:iam::123456789012:policy/p b".into(),
        ],
        tags: vec![
            ("team".into(), "a&b".into()),
            ("env".into(), "dev ü".into()),
        ],
        source_identity: Some("alice@example.com".into()),
    })
}

fn minimal_assume_role() -> Operation {
    Operation::AssumeRole(AssumeRoleInput {
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        role_session_name: "s1".into(),
        ..Default::default()
    })
}

fn web_identity() -> Operation {
    Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput {
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        role_session_name: "web".into(),
        web_identity_token: Secret::new("eyJ0.eyJz+/="),
        provider_id: Some("www.amazon.com".into()),
        duration_seconds: Some(3600),
        policy: Some("{}".into()),
        policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
    })
}

fn keys() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    )
}

fn endpoint(url: &str, region: &str) -> Endpoint {
    Endpoint {
        url: url.into(),
        signing_region: region.into(),
    }
}

#[test]
fn assume_role_body_has_every_field_in_the_cli_order() {
    assert_eq!(
        form_body(&full_assume_role()),
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=my+session&ExternalId=ext%2Fid%3A1\
         &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fuser&DurationSeconds=900\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fmy-role&TokenCode=123456\
         &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess\
         &PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fp+b\
         &Policy=%7B%22Version%22%3A+%222012-10-17%22%7D&Tags.member.1.Key=team\
         &Tags.member.1.Value=a%26b&Tags.member.2.Key=env&Tags.member.2.Value=dev+%C3%BC\
         &SourceIdentity=alice%40example.com"
    );
}

#[test]
fn minimal_assume_role_body() {
    assert_eq!(
        form_body(&minimal_assume_role()),
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr"
    );
}

#[test]
fn web_identity_body() {
    assert_eq!(
        form_body(&web_identity()),
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=web\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&WebIdentityToken=eyJ0.eyJz%2B%2F%3D\
         &ProviderId=www.amazon.com\
         &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess\
         &Policy=%7B%7D&DurationSeconds=3600"
    );
}

#[test]
fn get_session_token_bodies() {
    let with_mfa = Operation::GetSessionToken(GetSessionTokenInput {
        duration_seconds: Some(43200),
        serial_number: Some("arn:aws:iam::123456789012:mfa/user".into()),
        token_code: Some(Secret::new("654321")),
    });
    assert_eq!(
        form_body(&with_mfa),
        "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200\
         &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fuser&TokenCode=654321"
    );
    let bare = Operation::GetSessionToken(GetSessionTokenInput::default());
    assert_eq!(
        form_body(&bare),
        "Action=GetSessionToken&Version=2011-06-15"
    );
}

#[test]
fn get_caller_identity_body() {
    assert_eq!(
        form_body(&Operation::GetCallerIdentity),
        "Action=GetCallerIdentity&Version=2011-06-15"
    );
}

#[test]
fn signed_request_matches_botocore() {
    let request = build_request(
        &Operation::GetCallerIdentity,
        &endpoint("https://sts.us-west-2.amazonaws.com", "us-west-2"),
        Some(&keys()),
        NOW,
    )
    .unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "https://sts.us-west-2.amazonaws.com/");
    assert_eq!(request.body, b"Action=GetCallerIdentity&Version=2011-06-15");
    assert_eq!(request.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(request.header("x-amz-date"), Some("20260102T030405Z"));
    assert_eq!(request.header("x-amz-security-token"), None);
    assert_eq!(
        request.header("authorization"),
        Some(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=746791eeb13ecd8d5fcea708e607783136562ba6c3f903f171c3f787690744a8"
        )
    );
}

#[test]
fn session_token_is_sent_and_signed_like_botocore() {
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(Secret::new("FQoGZXIvYXdzEXAMPLETOKEN")),
    );
    let request = build_request(
        &minimal_assume_role(),
        &endpoint("http://127.0.0.1:5000", "us-west-2"),
        Some(&credentials),
        NOW,
    )
    .unwrap();
    assert_eq!(request.url, "http://127.0.0.1:5000/");
    assert_eq!(
        request.header("x-amz-security-token"),
        Some("FQoGZXIvYXdzEXAMPLETOKEN")
    );
    assert_eq!(
        request.header("authorization"),
        Some(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, \
             Signature=b2fa51c99b8a30c8cb85d3a8d4d3c8c8afa6af089186523fe169597837da7633"
        )
    );
}

#[test]
fn web_identity_is_not_signed_even_with_credentials() {
    let request = build_request(
        &web_identity(),
        &endpoint("https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
        Some(&keys()),
        NOW,
    )
    .unwrap();
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("x-amz-date"), None);
    assert_eq!(request.header("x-amz-security-token"), None);
    assert_eq!(request.header("content-type"), Some(CONTENT_TYPE));
    let unsigned = build_request(
        &web_identity(),
        &endpoint("https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
        None,
        NOW,
    )
    .unwrap();
    assert_eq!(unsigned, request);
}

#[test]
fn signed_operation_without_credentials_is_an_error() {
    let error = build_request(
        &Operation::GetCallerIdentity,
        &endpoint("https://sts.amazonaws.com", "us-east-1"),
        None,
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        error,
        StsError::MissingCredentials {
            operation: "GetCallerIdentity"
        }
    );
    assert_eq!(
        error.to_string(),
        "The GetCallerIdentity operation must be signed, but no credentials were given to sign it."
    );
}

#[test]
fn endpoint_urls_are_split_like_botocore_does() {
    let cases = [
        ("https://sts.amazonaws.com", "sts.amazonaws.com", "/"),
        ("https://STS.Example.COM:443/", "sts.example.com", "/"),
        ("http://localhost:80", "localhost", "/"),
        ("http://127.0.0.1:5000", "127.0.0.1:5000", "/"),
        ("https://127.0.0.1:8443/base", "127.0.0.1:8443", "/base/"),
        ("http://[::1]:9000/", "[::1]:9000", "/"),
        ("HTTPS://host:", "host", "/"),
    ];
    for (url, host, path) in cases {
        let parsed = parse_endpoint(url).unwrap_or_else(|error| panic!("{url}: {error}"));
        assert_eq!(parsed.host, host, "{url}");
        assert_eq!(parsed.path, path, "{url}");
    }
}

#[test]
fn unusable_endpoint_urls_are_rejected_with_a_reason() {
    for url in [
        "sts.amazonaws.com",
        "ftp://sts.amazonaws.com",
        "https://",
        "https://:443",
        "https://host:port",
        "https://host:99999",
        "https://user:pw@host",
        "https://host/?a=b",
        "https://ho st",
        "http://[::1",
    ] {
        match parse_endpoint(url) {
            Err(StsError::InvalidEndpoint { url: got, .. }) => assert_eq!(got, url),
            other => panic!("{url}: expected InvalidEndpoint, got {other:?}"),
        }
    }
    let error = build_request(
        &Operation::GetCallerIdentity,
        &endpoint("sts.amazonaws.com", "us-east-1"),
        Some(&keys()),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "The STS endpoint URL \"sts.amazonaws.com\" cannot be used: it does not start with http:// or https://."
    );
}

#[test]
fn request_debug_hides_signature_token_and_body() {
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(Secret::new("FQoGZXIvYXdzEXAMPLETOKEN")),
    );
    let request = build_request(
        &full_assume_role(),
        &endpoint("https://sts.us-west-2.amazonaws.com", "us-west-2"),
        Some(&credentials),
        NOW,
    )
    .unwrap();
    let debug = format!("{request:?}");
    for secret in [
        "FQoGZXIvYXdzEXAMPLETOKEN",
        "Signature=",
        "TokenCode",
        "123456",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(debug.contains("x-amz-date"), "{debug}");
    assert!(debug.contains("body_len"), "{debug}");
}
