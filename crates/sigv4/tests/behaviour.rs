//! Signer behaviour beyond the suites: key cache, output headers, session
//! token handling, ignored headers, S3 settings, errors and redaction.

use std::time::Duration;

use rolectl_sigv4::{
    presign_query, sign_headers, Credentials, Payload, Secret, SignableRequest, SigningError,
    SigningKeyCache, SigningParams, SigningSettings,
};
use time::macros::datetime;

const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN/with+chars==";

fn creds(token: bool) -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        token.then(|| Secret::new(TOKEN)),
    )
}

fn params(creds: &Credentials, settings: SigningSettings) -> SigningParams<'_> {
    SigningParams {
        credentials: creds,
        region: "us-east-1",
        service: "sts",
        time: datetime!(2015-08-30 12:36:00 UTC),
        settings,
    }
}

const STS_HEADERS: &[(&str, &str)] = &[
    ("Host", "sts.us-east-1.amazonaws.com"),
    (
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    ),
];
const STS_BODY: &[u8] = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=s";

fn sts_request(headers: &'static [(&'static str, &'static str)]) -> SignableRequest<'static> {
    SignableRequest {
        method: "POST",
        uri: "/",
        headers,
        payload: Payload::Bytes(STS_BODY),
    }
}

#[test]
fn cache_gives_the_same_signature_and_derives_once_per_scope() {
    let c = creds(false);
    let p = params(&c, SigningSettings::default());
    let req = sts_request(STS_HEADERS);
    let fresh = sign_headers(&req, &p).unwrap();
    let cache = SigningKeyCache::default();
    assert!(cache.is_empty());
    let cached = cache.sign_headers(&req, &p).unwrap();
    assert_eq!(cached.signature(), fresh.signature());
    let again = cache.sign_headers(&req, &p).unwrap();
    assert_eq!(again.signature(), fresh.signature());
    assert_eq!(cache.len(), 1);
    let next_day = SigningParams {
        time: datetime!(2015-08-31 00:00:01 UTC),
        ..p
    };
    let other = cache.sign_headers(&req, &next_day).unwrap();
    assert_eq!(
        other.signature(),
        sign_headers(&req, &next_day).unwrap().signature()
    );
    assert_eq!(cache.len(), 2);
    let presigned = cache.presign_query(&req, &p).unwrap();
    assert_eq!(
        presigned.signature(),
        presign_query(&req, &p).unwrap().signature()
    );
    assert_eq!(cache.len(), 2);

    // Every other part of the scope gets its own key: region, service, a
    // rotated secret under the same access key id, and a local time whose
    // UTC date is the next day.
    let rotated = Credentials::new(c.access_key_id.clone(), Secret::new("rotated"), None);
    let variants = [
        SigningParams {
            region: "eu-west-1",
            ..p
        },
        SigningParams {
            service: "iam",
            ..p
        },
        SigningParams {
            credentials: &rotated,
            ..p
        },
        SigningParams {
            time: datetime!(2015-08-30 23:30:00 -02:00),
            ..p
        },
    ];
    for variant in &variants {
        assert_eq!(
            cache.sign_headers(&req, variant).unwrap().signature(),
            sign_headers(&req, variant).unwrap().signature(),
            "{variant:?}"
        );
        assert_ne!(
            cache.sign_headers(&req, variant).unwrap().signature(),
            fresh.signature()
        );
    }
    // The last one is the next day's key, already cached.
    assert_eq!(cache.len(), 5);
}

#[test]
fn output_headers_come_in_a_fixed_order() {
    let c = creds(true);
    let settings = SigningSettings {
        sign_body: true,
        ..SigningSettings::default()
    };
    let out = sign_headers(&sts_request(STS_HEADERS), &params(&c, settings)).unwrap();
    let names: Vec<&str> = out.headers().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "x-amz-security-token",
            "x-amz-date",
            "x-amz-content-sha256",
            "authorization"
        ]
    );
    assert_eq!(out.header("x-amz-security-token"), Some(TOKEN));
    assert_eq!(out.header("x-amz-date"), Some("20150830T123600Z"));
    let auth = out.header("authorization").unwrap();
    assert!(auth.starts_with(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, \
         SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, \
         Signature="
    ));
    assert!(auth.ends_with(out.signature()));
    assert_eq!(out.signature().len(), 64);
}

#[test]
fn omitted_session_token_is_sent_but_not_signed() {
    let c = creds(true);
    let signed = sign_headers(
        &sts_request(STS_HEADERS),
        &params(&c, SigningSettings::default()),
    )
    .unwrap();
    let omitted = sign_headers(
        &sts_request(STS_HEADERS),
        &params(
            &c,
            SigningSettings {
                omit_session_token: true,
                ..SigningSettings::default()
            },
        ),
    )
    .unwrap();
    assert!(signed.canonical_request().contains("x-amz-security-token:"));
    assert!(!omitted.canonical_request().contains("x-amz-security-token"));
    assert_eq!(omitted.header("x-amz-security-token"), Some(TOKEN));
    // Without the token in the canonical request, the signature is the one
    // of a request signed with no token at all.
    let plain = creds(false);
    let no_token = sign_headers(
        &sts_request(STS_HEADERS),
        &params(&plain, SigningSettings::default()),
    )
    .unwrap();
    assert_eq!(omitted.signature(), no_token.signature());
}

#[test]
fn signer_owned_and_proxy_headers_are_not_signed_from_the_input() {
    let c = creds(false);
    let p = params(&c, SigningSettings::default());
    let base = sign_headers(&sts_request(STS_HEADERS), &p).unwrap();
    const NOISY: &[(&str, &str)] = &[
        ("Host", "sts.us-east-1.amazonaws.com"),
        ("Authorization", "stale"),
        ("X-Amz-Date", "19990101T000000Z"),
        ("User-Agent", "rolectl/0.1"),
        (
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("X-Amzn-Trace-Id", "Root=1"),
        ("X-Amz-Security-Token", "stale-token"),
    ];
    let noisy = sign_headers(&sts_request(NOISY), &p).unwrap();
    assert_eq!(noisy.canonical_request(), base.canonical_request());
    assert_eq!(noisy.signature(), base.signature());
}

#[test]
fn payload_variants() {
    let c = creds(false);
    let p = params(&c, SigningSettings::default());
    let mut req = sts_request(STS_HEADERS);
    req.payload = Payload::Unsigned;
    let unsigned = sign_headers(&req, &p).unwrap();
    assert!(unsigned.canonical_request().ends_with("\nUNSIGNED-PAYLOAD"));
    let hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
    req.payload = Payload::Precomputed(hash);
    let pre = sign_headers(&req, &p).unwrap();
    req.payload = Payload::Bytes(b"Param1=value1");
    let bytes = sign_headers(&req, &p).unwrap();
    assert!(bytes.canonical_request().ends_with(hash));
    assert_eq!(pre.signature(), bytes.signature());
}

#[test]
fn s3_settings_keep_the_path_as_sent() {
    let c = creds(false);
    const HOST: &[(&str, &str)] = &[("host", "bucket.s3.amazonaws.com")];
    let req = SignableRequest {
        method: "GET",
        uri: "/my-object//example//photo.user%2Bx",
        headers: HOST,
        payload: Payload::Unsigned,
    };
    let s3 = sign_headers(&req, &params(&c, SigningSettings::s3())).unwrap();
    assert!(s3
        .canonical_request()
        .starts_with("GET\n/my-object//example//photo.user%2Bx\n"));
    assert!(s3
        .canonical_request()
        .contains("x-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
    let default = sign_headers(&req, &params(&c, SigningSettings::default())).unwrap();
    assert!(default
        .canonical_request()
        .starts_with("GET\n/my-object/example/photo.user%252Bx\n"));
}

#[test]
fn time_with_offset_is_converted_to_utc() {
    let c = creds(false);
    let utc = sign_headers(
        &sts_request(STS_HEADERS),
        &params(&c, SigningSettings::default()),
    )
    .unwrap();
    let shifted = SigningParams {
        time: datetime!(2015-08-30 14:36:00 +02:00),
        ..params(&c, SigningSettings::default())
    };
    let offset = sign_headers(&sts_request(STS_HEADERS), &shifted).unwrap();
    assert_eq!(utc.signature(), offset.signature());
}

#[test]
fn presigned_parameters_and_query_string() {
    let c = creds(true);
    const HOST: &[(&str, &str)] = &[("Host", "example.amazonaws.com")];
    let req = SignableRequest {
        method: "GET",
        uri: "/?b=2&a=1",
        headers: HOST,
        payload: Payload::Unsigned,
    };
    let settings = SigningSettings {
        expires_in: Some(Duration::from_secs(900)),
        ..SigningSettings::default()
    };
    let out = presign_query(&req, &params(&c, settings)).unwrap();
    let names: Vec<&str> = out.params().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-SignedHeaders",
            "X-Amz-Expires",
            "X-Amz-Security-Token",
            "X-Amz-Signature"
        ]
    );
    let qs = out.query_string();
    assert!(qs.starts_with(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLETOKEN%2Fwith%2Bchars%3D%3D&X-Amz-Signature="
    ));
    assert!(qs.ends_with(out.signature()));
    let query_line = out.canonical_request().lines().nth(2).unwrap();
    assert!(query_line.starts_with("X-Amz-Algorithm="));
    assert!(
        query_line.ends_with("&a=1&b=2")
            || query_line.contains("&X-Amz-SignedHeaders=host&a=1&b=2")
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let c = creds(true);
    let p = params(&c, SigningSettings::default());
    let out = sign_headers(&sts_request(STS_HEADERS), &p).unwrap();
    let pre = presign_query(&sts_request(STS_HEADERS), &p).unwrap();
    assert!(out.canonical_request().contains(TOKEN));
    for text in [
        format!("{out:?}"),
        format!("{pre:?}"),
        format!("{p:?}"),
        out.canonical_request_redacted(),
        pre.canonical_request_redacted(),
    ] {
        assert!(!text.contains("FQoGZXIvYXdz"), "token leaked: {text}");
        assert!(!text.contains("wJalrXUtnFEMI"), "secret leaked: {text}");
    }
    assert!(out
        .canonical_request_redacted()
        .contains("x-amz-security-token:** redacted **"));
    assert!(pre
        .canonical_request_redacted()
        .contains("X-Amz-Security-Token=** redacted **"));
    assert!(format!("{:?}", SigningKeyCache::default()).contains("entries: 0"));
}

#[test]
fn debug_of_a_request_hides_body_and_token_headers() {
    // The form body of an AssumeRole call carries the MFA code.
    let body = b"Action=AssumeRole&TokenCode=493817&Version=2011-06-15";
    let headers = [
        ("host", "sts.amazonaws.com"),
        ("X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLE"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abc",
        ),
    ];
    let request = SignableRequest {
        method: "POST",
        uri: "/",
        headers: &headers,
        payload: Payload::Bytes(body),
    };
    let text = format!("{request:?}");
    assert!(!text.contains("493817"), "{text}");
    // ... nor as the numbers a derived Debug of the bytes would print.
    assert!(!text.contains("52, 57, 51, 56, 49, 55"), "{text}");
    assert!(!text.contains("FQoGZXIvYXdz"), "{text}");
    assert!(!text.contains("Signature=abc"), "{text}");
    assert!(text.contains("sts.amazonaws.com"), "{text}");
    assert!(
        text.contains(&format!("Bytes({} bytes)", body.len())),
        "{text}"
    );
}

#[test]
fn invalid_inputs_are_errors() {
    let c = creds(false);
    let p = params(&c, SigningSettings::default());
    let sign = |method: &str, uri: &str, headers: &[(&str, &str)], p: &SigningParams| {
        sign_headers(
            &SignableRequest {
                method,
                uri,
                headers,
                payload: Payload::Bytes(b""),
            },
            p,
        )
        .map(|o| o.signature().to_owned())
    };
    let host = [("Host", "example.com")];
    assert_eq!(sign("GET", "/", &[], &p), Err(SigningError::MissingHost));
    assert_eq!(sign("", "/", &host, &p), Err(SigningError::InvalidMethod));
    assert_eq!(
        sign("G T", "/", &host, &p),
        Err(SigningError::InvalidMethod)
    );
    assert!(matches!(
        sign("GET", "x/y", &host, &p),
        Err(SigningError::InvalidUri(_))
    ));
    assert!(matches!(
        sign("GET", "/", &[("Host", "h"), ("Bad Name", "v")], &p),
        Err(SigningError::InvalidHeaderName(_))
    ));
    assert!(matches!(
        sign("GET", "/", &[("Host", "h"), ("X-A", "v\u{0}")], &p),
        Err(SigningError::InvalidHeaderValue(_))
    ));
    let bad_region = SigningParams {
        region: "us/east",
        ..p
    };
    assert!(matches!(
        sign("GET", "/", &host, &bad_region),
        Err(SigningError::InvalidScope { what: "region", .. })
    ));
    let bad_service = SigningParams { service: "", ..p };
    assert!(matches!(
        sign("GET", "/", &host, &bad_service),
        Err(SigningError::InvalidScope {
            what: "service",
            ..
        })
    ));
    let no_key = Credentials::new("", Secret::new("s"), None);
    assert_eq!(
        sign(
            "GET",
            "/",
            &host,
            &params(&no_key, SigningSettings::default())
        ),
        Err(SigningError::InvalidAccessKeyId)
    );
    let far = SigningParams {
        time: datetime!(-0001-12-31 00:00:00 UTC),
        ..p
    };
    assert_eq!(
        sign("GET", "/", &host, &far),
        Err(SigningError::InvalidTime)
    );
    let req = SignableRequest {
        method: "GET",
        uri: "/",
        headers: &host,
        payload: Payload::Precomputed(""),
    };
    assert_eq!(
        sign_headers(&req, &p).map(|_| ()),
        Err(SigningError::InvalidPayloadHash)
    );
    for secs in [0, 604_801] {
        let settings = SigningSettings {
            expires_in: Some(Duration::from_secs(secs)),
            ..SigningSettings::default()
        };
        let req = SignableRequest {
            payload: Payload::Unsigned,
            ..req
        };
        assert_eq!(
            presign_query(&req, &params(&c, settings)).map(|_| ()),
            Err(SigningError::InvalidExpiry(secs))
        );
    }
    // Display texts are sentences.
    assert!(SigningError::MissingHost.to_string().ends_with('.'));
}
