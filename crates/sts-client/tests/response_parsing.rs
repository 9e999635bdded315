//! Response parsing: every operation's success document, both error
//! envelopes, timestamps, and bodies that are not STS documents at all.

use proptest::prelude::*;
use rolectl_sts_client::{
    parse_response, parse_timestamp, AssumeRoleInput, AssumeRoleWithWebIdentityInput,
    GetSessionTokenInput, HttpResponse, Operation, Output, StsError,
};
use time::macros::datetime;

fn assume_role() -> Operation {
    Operation::AssumeRole(AssumeRoleInput {
        role_arn: "arn:aws:iam::123456789012:role/demo".into(),
        role_session_name: "John".into(),
        ..Default::default()
    })
}

fn web_identity() -> Operation {
    Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput {
        role_arn: "arn:aws:iam::123456789012:role/FederatedWebIdentityRole".into(),
        role_session_name: "app1".into(),
        ..Default::default()
    })
}

fn session_token() -> Operation {
    Operation::GetSessionToken(GetSessionTokenInput::default())
}

fn all_operations() -> [Operation; 4] {
    [
        assume_role(),
        web_identity(),
        session_token(),
        Operation::GetCallerIdentity,
    ]
}

fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("x-amzn-requestid".into(), "c6104cbe".into()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

fn xml(body: &str) -> HttpResponse {
    response(200, "text/xml", body)
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

fn assume_role_document(expiration: &str) -> String {
    format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
  <SourceIdentity>DevUser123</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <SessionToken>
       {TOKEN}
      </SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#
    )
}

#[test]
fn assume_role_success() {
    let output = parse_response(
        &assume_role(),
        &xml(&assume_role_document("2019-11-09T13:34:41Z")),
    )
    .unwrap();
    let Output::AssumeRole(output) = output else {
        panic!("wrong output variant: {output:?}")
    };
    assert_eq!(output.credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(output.credentials.secret_access_key.expose(), SECRET);
    assert_eq!(output.credentials.session_token.expose(), TOKEN);
    assert_eq!(
        output.credentials.expiration,
        datetime!(2019-11-09 13:34:41 UTC)
    );
    let user = output.assumed_role_user.unwrap();
    assert_eq!(user.arn, "arn:aws:sts::123456789012:assumed-role/demo/John");
    assert_eq!(user.assumed_role_id, "ARO123EXAMPLE123:John");
    assert_eq!(output.packed_policy_size, Some(6));
    assert_eq!(output.source_identity.as_deref(), Some("DevUser123"));
    assert_eq!(output.provider, None);
}

#[test]
fn expiration_formats() {
    let cases = [
        ("2019-11-09T13:34:41Z", datetime!(2019-11-09 13:34:41 UTC)),
        (
            "2019-11-09T13:34:41.5Z",
            datetime!(2019-11-09 13:34:41.5 UTC),
        ),
        (
            "2019-11-09T13:34:41.123456Z",
            datetime!(2019-11-09 13:34:41.123456 UTC),
        ),
        (
            "2019-11-09T15:34:41+02:00",
            datetime!(2019-11-09 13:34:41 UTC),
        ),
        (
            "2019-11-09T08:34:41.250-05:00",
            datetime!(2019-11-09 13:34:41.25 UTC),
        ),
        ("2019-11-09T13:34:41", datetime!(2019-11-09 13:34:41 UTC)),
        (
            "2019-11-09T13:34:41.75",
            datetime!(2019-11-09 13:34:41.75 UTC),
        ),
        ("1573306481", datetime!(2019-11-09 13:34:41 UTC)),
        // Variants botocore 1.44's parse_timestamp reads the same way.
        (
            "2019-11-09T13:34:41+0000",
            datetime!(2019-11-09 13:34:41 UTC),
        ),
        (
            "2019-11-09T15:34:41+0200",
            datetime!(2019-11-09 13:34:41 UTC),
        ),
        ("2019-11-09T10:34:41-03", datetime!(2019-11-09 13:34:41 UTC)),
        ("2019-11-09t13:34:41z", datetime!(2019-11-09 13:34:41 UTC)),
        ("2019-11-09 13:34:41Z", datetime!(2019-11-09 13:34:41 UTC)),
        (
            "2019-11-09T15:34:41 +02:00",
            datetime!(2019-11-09 13:34:41 UTC),
        ),
        (
            "2019-11-09 13:34:41.25",
            datetime!(2019-11-09 13:34:41.25 UTC),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_timestamp(text), Some(expected), "{text}");
        let output = parse_response(&assume_role(), &xml(&assume_role_document(text)))
            .unwrap_or_else(|error| panic!("{text}: {error}"));
        let Output::AssumeRole(output) = output else {
            panic!("wrong variant")
        };
        assert_eq!(output.credentials.expiration, expected, "{text}");
    }
    for bad in [
        "",
        "tomorrow",
        "2019-13-09T13:34:41Z",
        "2019-11-09 13:34",
        "NaN",
        "inf",
        "1e400",
        "2019-11-09T13:34:41-24:00",
        "2019-11-09T13:34:41+25:00",
        "2019-11-09T13:34:41 PST",
        "2019-11-09T13:34:41Zjunk",
        "2019-11-09T13:34:41é",
        "2019-11-09é13:34:41Z",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad}");
    }
    let error =
        parse_response(&assume_role(), &xml(&assume_role_document("tomorrow"))).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Credentials/Expiration \"tomorrow\" is not a timestamp"),
        "{error}"
    );
}

#[test]
fn web_identity_success() {
    let body = format!(
        r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
    <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>{TOKEN}</SessionToken>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23.000Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <SourceIdentity>SourceIdentityValue</SourceIdentity>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#
    );
    let Output::AssumeRoleWithWebIdentity(output) =
        parse_response(&web_identity(), &xml(&body)).unwrap()
    else {
        panic!("wrong variant")
    };
    assert_eq!(
        output.subject_from_web_identity_token.as_deref(),
        Some("amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A")
    );
    assert_eq!(
        output.audience.as_deref(),
        Some("client.5498841531868486423.1548@apps.example.com")
    );
    assert_eq!(output.provider.as_deref(), Some("www.amazon.com"));
    assert_eq!(
        output.source_identity.as_deref(),
        Some("SourceIdentityValue")
    );
    assert_eq!(output.packed_policy_size, None);
    assert_eq!(output.credentials.access_key_id, "ASgeIAIOSFODNN7EXAMPLE");
    assert_eq!(
        output.credentials.expiration,
        datetime!(2014-10-24 23:00:23 UTC)
    );
    // The same document is not an answer to AssumeRole.
    let error = parse_response(&assume_role(), &xml(&body)).unwrap_err();
    assert!(
        error.to_string().contains(
            "a <AssumeRoleWithWebIdentityResponse> document instead of <AssumeRoleResponse>"
        ),
        "{error}"
    );
}

#[test]
fn session_token_success() {
    let body = format!(
        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult>\
         <Credentials><SessionToken>{TOKEN}</SessionToken><SecretAccessKey>{SECRET}</SecretAccessKey>\
         <Expiration>2011-07-11T19:55:29.611Z</Expiration><AccessKeyId>ASIAEXAMPLE</AccessKeyId>\
         </Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>58c5dbae</RequestId>\
         </ResponseMetadata></GetSessionTokenResponse>"
    );
    let Output::GetSessionToken(credentials) =
        parse_response(&session_token(), &xml(&body)).unwrap()
    else {
        panic!("wrong variant")
    };
    assert_eq!(credentials.access_key_id, "ASIAEXAMPLE");
    assert_eq!(credentials.session_token.expose(), TOKEN);
    assert_eq!(
        credentials.expiration,
        datetime!(2011-07-11 19:55:29.611 UTC)
    );
}

#[test]
fn caller_identity_success_with_prefixes_and_entities() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<sts:GetCallerIdentityResponse xmlns:sts="https://sts.amazonaws.com/doc/2011-06-15/">
  <!-- a comment -->
  <sts:GetCallerIdentityResult>
    <sts:Arn>arn:aws:iam::123456789012:user/a&amp;b&#x2F;c</sts:Arn>
    <sts:UserId>AIDAEXAMPLE</sts:UserId>
    <sts:Account><![CDATA[123456789012]]></sts:Account>
  </sts:GetCallerIdentityResult>
</sts:GetCallerIdentityResponse>"#;
    let output = parse_response(&Operation::GetCallerIdentity, &xml(body)).unwrap();
    let Output::GetCallerIdentity(identity) = output else {
        panic!("wrong variant")
    };
    assert_eq!(identity.arn, "arn:aws:iam::123456789012:user/a&b/c");
    assert_eq!(identity.user_id, "AIDAEXAMPLE");
    assert_eq!(identity.account, "123456789012");
}

#[test]
fn missing_fields_are_named() {
    let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn><UserId>u</UserId>\
                </GetCallerIdentityResult></GetCallerIdentityResponse>";
    let error = parse_response(&Operation::GetCallerIdentity, &xml(body)).unwrap_err();
    assert!(matches!(error, StsError::UnexpectedResponse { .. }));
    assert!(error.to_string().contains("(it has no Account)"), "{error}");

    let no_token = assume_role_document("2019-11-09T13:34:41Z").replace(TOKEN, "");
    let error = parse_response(&assume_role(), &xml(&no_token)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("it has no Credentials/SessionToken"),
        "{error}"
    );
}

#[test]
fn sts_error_envelope_displays_like_the_aws_cli() {
    let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin</Message>
  </Error>
  <RequestId>4c5f2d1e-8f6b-4e4f-9b5c-EXAMPLE</RequestId>
</ErrorResponse>"#;
    let error = parse_response(&assume_role(), &response(403, "text/xml", body)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: \
         arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on \
         resource: arn:aws:iam::123456789012:role/admin"
    );
    assert_eq!(error.code(), Some("AccessDenied"));
    assert_eq!(error.status(), Some(403));
    assert!(!error.is_retryable());
    match error {
        StsError::Service {
            kind, request_id, ..
        } => {
            assert_eq!(kind.as_deref(), Some("Sender"));
            assert_eq!(
                request_id.as_deref(),
                Some("4c5f2d1e-8f6b-4e4f-9b5c-EXAMPLE")
            );
        }
        other => panic!("not a service error: {other:?}"),
    }
}

#[test]
fn iam_style_error_envelope() {
    let body = "<ErrorResponse><Errors><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
                <Message>The security token included in the request is invalid.</Message></Error>\
                </Errors><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>";
    let error = parse_response(
        &Operation::GetCallerIdentity,
        &response(403, "text/xml", body),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: \
         The security token included in the request is invalid."
    );
    assert_eq!(error.code(), Some("InvalidClientTokenId"));
    assert!(!error.is_retryable());
    let StsError::Service { request_id, .. } = error else {
        panic!("not a service error")
    };
    assert_eq!(
        request_id.as_deref(),
        Some("7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
    );
}

#[test]
fn error_without_code_or_message_reads_unknown_like_botocore() {
    let error = parse_response(
        &assume_role(),
        &response(400, "text/xml", "<ErrorResponse><Error/></ErrorResponse>"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (Unknown) when calling the AssumeRole operation: Unknown"
    );
}

#[test]
fn retried_out_error_names_the_retries() {
    let body = "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
    let error = parse_response(&assume_role(), &response(400, "text/xml", body)).unwrap_err();
    assert!(error.is_retryable());
    assert_eq!(
        error.with_retries_exhausted(2).to_string(),
        "An error occurred (Throttling) when calling the AssumeRole operation (reached max retries: 2): Rate exceeded"
    );
}

#[test]
fn html_error_page_says_what_came_back() {
    let body = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\x1b[31m</body></html>";
    let error = parse_response(
        &assume_role(),
        &response(503, "text/html; charset=utf-8", body),
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(matches!(
        error,
        StsError::UnexpectedResponse { status: 503, .. }
    ));
    assert!(error.is_retryable());
    assert_eq!(error.code(), None);
    assert!(text.starts_with("An error occurred (503) when calling the AssumeRole operation: the response is not a valid STS answer ("), "{text}");
    assert!(
        text.contains("HTTP 503, Content-Type text/html; charset=utf-8"),
        "{text}"
    );
    assert!(
        text.contains(r#"body starts with "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\u{1b}[31m</body></html>""#),
        "{text}"
    );
    assert!(
        !text.contains('\x1b') && !text.contains('\n'),
        "control characters must be escaped: {text}"
    );
}

#[test]
fn empty_body_is_reported_as_empty() {
    for status in [200, 500] {
        let error = parse_response(
            &Operation::GetCallerIdentity,
            &response(status, "text/xml", ""),
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("the body is empty"), "{text}");
        assert!(
            text.contains(&format!("HTTP {status}, Content-Type text/xml, empty body")),
            "{text}"
        );
        assert_eq!(error.is_retryable(), status == 500);
    }
    let no_type = HttpResponse {
        status: 200,
        headers: vec![],
        body: b"   \n".to_vec(),
    };
    let text = parse_response(&Operation::GetCallerIdentity, &no_type)
        .unwrap_err()
        .to_string();
    assert!(text.contains("Content-Type (none)"), "{text}");
}

#[test]
fn truncated_document_is_reported_as_cut_off() {
    let full = assume_role_document("2019-11-09T13:34:41Z");
    for cut in [40, full.len() / 2, full.len() - 5] {
        let error = parse_response(&assume_role(), &xml(&full[..cut])).unwrap_err();
        let text = error.to_string();
        assert!(
            matches!(error, StsError::UnexpectedResponse { .. }),
            "{cut}: {text}"
        );
        assert!(
            text.contains("cut off") || text.contains("malformed"),
            "{cut}: {text}"
        );
    }
}

#[test]
fn long_bodies_are_shortened_in_errors() {
    let body = "x".repeat(10_000);
    let text = parse_response(&assume_role(), &response(502, "text/plain", &body))
        .unwrap_err()
        .to_string();
    assert!(text.len() < 600, "{}", text.len());
    assert!(text.ends_with("...\""), "{text}");
}

#[test]
fn other_malformed_documents() {
    let cases = [
        ("not utf-8", &b"\xff\xfe<a/>"[..]),
        ("two roots", b"<a></a><b></b>"),
        ("text outside", b"hello"),
        ("mismatched", b"<a><b></a></b>"),
        (
            "unknown entity",
            b"<GetCallerIdentityResponse>&foo;</GetCallerIdentityResponse>",
        ),
        ("deep", &"<a>".repeat(100).into_bytes()),
    ];
    for (name, body) in cases {
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: body.to_vec(),
        };
        match parse_response(&Operation::GetCallerIdentity, &response) {
            Err(StsError::UnexpectedResponse { .. }) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn hostile_documents_are_refused_for_what_they_are() {
    let closed_deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let wide = format!("<a>{}</a>", "<b>x</b>".repeat(100_000));
    let external = "<!DOCTYPE r SYSTEM \"http://169.254.169.254/\"><GetCallerIdentityResponse>\
                    <GetCallerIdentityResult><Arn>&xxe;</Arn></GetCallerIdentityResult>\
                    </GetCallerIdentityResponse>";
    let cases = [
        (
            closed_deep.as_str(),
            "the XML is nested too deeply or too large",
        ),
        (wide.as_str(), "the XML is nested too deeply or too large"),
        (external, "the XML uses an unknown entity &xxe;"),
    ];
    for (body, problem) in cases {
        let error = parse_response(&Operation::GetCallerIdentity, &xml(body)).unwrap_err();
        match &error {
            StsError::UnexpectedResponse { problem: got, .. } => {
                assert_eq!(got, problem, "{}", &body[..40])
            }
            other => panic!("{other:?}"),
        }
    }
    // A document type without entities is harmless and ignored.
    let plain =
        "<!DOCTYPE GetCallerIdentityResponse><GetCallerIdentityResponse><GetCallerIdentityResult>\
                 <Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account>\
                 </GetCallerIdentityResult></GetCallerIdentityResponse>";
    assert!(parse_response(&Operation::GetCallerIdentity, &xml(plain)).is_ok());
}

#[test]
fn success_status_with_error_document_is_an_error() {
    let body = "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error></ErrorResponse>";
    let error = parse_response(&Operation::GetCallerIdentity, &xml(body)).unwrap_err();
    assert_eq!(error.code(), Some("ExpiredToken"));
}

#[test]
fn debug_of_outputs_hides_secrets() {
    let output = parse_response(
        &assume_role(),
        &xml(&assume_role_document("2019-11-09T13:34:41Z")),
    )
    .unwrap();
    let debug = format!("{output:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains(&TOKEN[..20]), "{debug}");
    assert!(debug.contains("ASIAIOSFODNN7EXAMPLE"), "{debug}");
    let response = xml(&assume_role_document("2019-11-09T13:34:41Z"));
    let debug = format!("{response:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains(&TOKEN[..20]),
        "{debug}"
    );
}

proptest! {
    #[test]
    fn timestamps_never_panic(
        near in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt é][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?( ?([Zz]|[+-][0-9:é]{0,6}))?",
        any_text in any::<String>(),
    ) {
        let _ = parse_timestamp(&near);
        let _ = parse_timestamp(&any_text);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        for op in all_operations() {
            let response = HttpResponse { status, headers: vec![], body: body.clone() };
            let _ = parse_response(&op, &response);
        }
    }

    #[test]
    fn parsers_never_panic_on_xml_like_text(body in "(<[/!?]?[A-Za-z:]{0,12}( [a-z]+=\"[^\"]{0,5}\")?/?>|&[a-z#0-9x]{0,6};|<!\\[CDATA\\[|\\]\\]>|[^<&]{0,10}){0,40}", status in prop_oneof![Just(200u16), Just(400u16), Just(503u16)]) {
        for op in all_operations() {
            let response = HttpResponse { status, headers: vec![("content-type".into(), "text/xml".into())], body: body.clone().into_bytes() };
            if let Err(error) = parse_response(&op, &response) {
                let _ = error.to_string();
            }
        }
    }

    #[test]
    fn parsers_never_panic_on_mutated_documents(cut in 0usize..1200, flip in 0usize..1200, byte in any::<u8>()) {
        let mut body = assume_role_document("2019-11-09T13:34:41.5+01:00").into_bytes();
        if flip < body.len() { body[flip] = byte; }
        body.truncate(cut);
        for op in all_operations() {
            let response = HttpResponse { status: 200, headers: vec![], body: body.clone() };
            let _ = parse_response(&op, &response);
        }
    }
}

#[test]
fn error_snippets_never_show_secret_keys_or_tokens() {
    // A well-formed document with a bad field, a prefixed one, and one cut
    // off in the middle of the token: the snippet must not show either secret.
    let bad_expiration = format!(
        "<GetSessionTokenResponse><GetSessionTokenResult><Credentials><SessionToken>{TOKEN}</SessionToken>\
         <SecretAccessKey>{SECRET}</SecretAccessKey><Expiration>never</Expiration>\
         <AccessKeyId>ASIAEXAMPLE</AccessKeyId></Credentials></GetSessionTokenResult></GetSessionTokenResponse>"
    );
    let prefixed = format!(
        "<a:GetSessionTokenResponse xmlns:a=\"x\"><a:GetSessionTokenResult><a:Credentials>\
         <a:SecretAccessKey>{SECRET}</a:SecretAccessKey><a:Expiration>never</a:Expiration>\
         </a:Credentials></a:GetSessionTokenResult></a:GetSessionTokenResponse>"
    );
    let cut = format!(
        "<GetSessionTokenResponse><GetSessionTokenResult><Credentials><SessionToken>{TOKEN}"
    );
    // Attributes longer than a tag name, and white space in the tag.
    let attributes = format!(
        "<X><SecretAccessKey note=\"{}\">{SECRET}</SecretAccessKey></X>",
        "n".repeat(66)
    );
    let spaced = format!("<X><SessionToken >{TOKEN}</SessionToken ></X>");
    for body in [bad_expiration, prefixed, cut, attributes, spaced] {
        let error = parse_response(&session_token(), &xml(&body)).unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains(&TOKEN[..12]), "token leaked: {text}");
        assert!(!text.contains(&SECRET[..12]), "secret leaked: {text}");
        assert!(text.contains(">**"), "{text}");
    }
}

#[test]
fn snippets_of_non_xml_bodies_hide_credential_fields() {
    // A wrong endpoint URL may point at something that answers with
    // credentials in JSON (the container endpoint) or form fields.
    let json = format!(
        "{{\"AccessKeyId\":\"ASIAEXAMPLE\",\"SecretAccessKey\" : \"{SECRET}\",\
         \"Token\":\"{TOKEN}\",\"Expiration\":\"2030-01-01T00:00:00Z\"}}"
    );
    let form = format!("SessionToken={TOKEN}&SecretAccessKey={SECRET}");
    for body in [json, form] {
        let error = parse_response(&session_token(), &response(200, "application/json", &body))
            .unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains(&TOKEN[..12]), "token leaked: {text}");
        assert!(!text.contains(&SECRET[..12]), "secret leaked: {text}");
        assert!(text.contains("**"), "{text}");
    }
    let error = parse_response(
        &session_token(),
        &response(500, "application/json", "{\"AccessKeyId\":\"ASIAEXAMPLE\"}"),
    )
    .unwrap_err();
    assert!(error.to_string().contains("ASIAEXAMPLE"), "{error}");
}
