//! How a path with dot segments is signed: RFC 3986's remove_dot_segments,
//! so a path ending in `.` or `..` keeps its trailing slash (`/a/.` is
//! signed as `/a/`), as aws-sigv4 (the Rust SDK's signer) does. botocore
//! and `@smithy/signature-v4` sign `/a` there; `COMPATIBILITY.md` beside
//! this crate records all three, and the npm package's Node tests run the
//! JS SDK's signer on the same paths.

use rolectl_sigv4::{
    sign_headers, Credentials, Payload, Secret, SignableRequest, SigningParams, SigningSettings,
};
use std::time::{Duration, UNIX_EPOCH};

/// Path as sent, path as rolectl signs it, path as botocore and
/// @smithy/signature-v4 sign it (the last for the table in COMPATIBILITY.md).
const CASES: &[(&str, &str, &str)] = &[
    ("/a/.", "/a/", "/a"),
    ("/a/..", "/", "/"),
    ("/a/b/..", "/a/", "/a"),
    ("/./a", "/a", "/a"),
    ("/a//b", "/a/b", "/a/b"),
    ("/a/./b/", "/a/b/", "/a/b/"),
];

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn ours(path: &str) -> (String, String) {
    let credentials = Credentials::new("AKIDEXAMPLE", Secret::new(SECRET), None);
    let headers = [("host", "example.amazonaws.com")];
    let request = SignableRequest {
        method: "GET",
        uri: path,
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let params = SigningParams {
        credentials: &credentials,
        region: "us-east-1",
        service: "service",
        time: time::macros::datetime!(2015-08-30 12:36:00 UTC),
        settings: SigningSettings::default(),
    };
    let signed = sign_headers(&request, &params).expect("signs");
    let canonical_path = signed
        .canonical_request()
        .split('\n')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (canonical_path, signed.signature().to_owned())
}

fn aws_sigv4_signature(path: &str) -> String {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let identity =
        aws_credential_types::Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("service")
        .time(UNIX_EPOCH + Duration::from_secs(1_440_938_160))
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let request = SignableRequest::new(
        "GET",
        format!("https://example.amazonaws.com{path}"),
        [("host", "example.amazonaws.com")].into_iter(),
        SignableBody::Bytes(b""),
    )
    .expect("request");
    let (_, signature) = sign(request, &params)
        .expect("aws-sigv4 signs")
        .into_parts();
    signature
}

#[test]
fn a_trailing_dot_segment_keeps_its_slash_as_rfc_3986_says() {
    for &(path, want, _) in CASES {
        assert_eq!(ours(path).0, want, "{path}");
    }
}

#[test]
fn aws_sigv4_signs_every_dot_segment_path_as_rolectl_does() {
    for &(path, _, _) in CASES {
        assert_eq!(ours(path).1, aws_sigv4_signature(path), "{path}");
    }
}

#[test]
fn where_botocore_differs_the_signatures_differ() {
    // For `/a/.` botocore signs `/a`: the same request with path `/a`
    // gives another signature than rolectl's for `/a/.`.
    for &(path, want, botocore) in CASES {
        let differs = want != botocore;
        assert_eq!(ours(path).1 != ours(botocore).1, differs, "{path}");
    }
}
