//! Signing speed against the `aws-sigv4` crate on the same requests in the
//! same run: an STS AssumeRole POST (form body, 3 headers) and a GET with
//! 10 query parameters.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use rolectl_sigv4::{
    sign_headers, Credentials, Payload, Secret, SignableRequest, SigningKeyCache, SigningParams,
    SigningSettings,
};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const EPOCH: u64 = 1_440_938_160; // 2015-08-30T12:36:00Z

const STS_HOST: &str = "sts.us-east-1.amazonaws.com";
const STS_HEADERS: &[(&str, &str)] = &[
    ("host", STS_HOST),
    (
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    ),
    ("content-length", "160"),
];
const STS_BODY: &[u8] = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy&RoleSessionName=rolectl-1440938160&DurationSeconds=3600";

const GET_HOST: &str = "example.amazonaws.com";
const GET_HEADERS: &[(&str, &str)] = &[("host", GET_HOST)];
const GET_URI: &str = "/path/to/resource?list-type=2&prefix=photos%2F2015&delimiter=%2F&max-keys=100&encoding-type=url&fetch-owner=true&start-after=photos%2F2015%2F08&continuation-token=abc123&x-id=ListObjectsV2&Param-10=value%20ten";

struct Case {
    name: &'static str,
    method: &'static str,
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
    host: &'static str,
    service: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "sts_assume_role",
        method: "POST",
        uri: "/",
        headers: STS_HEADERS,
        body: STS_BODY,
        host: STS_HOST,
        service: "sts",
    },
    Case {
        name: "get_10_query_params",
        method: "GET",
        uri: GET_URI,
        headers: GET_HEADERS,
        body: b"",
        host: GET_HOST,
        service: "s3",
    },
];

fn bench(c: &mut Criterion) {
    let creds = Credentials::new(ACCESS_KEY, Secret::new(SECRET), None);
    let aws_identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET, None, None, "bench").into();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH);
    for case in CASES {
        let params = SigningParams {
            credentials: &creds,
            region: "us-east-1",
            service: case.service,
            time: time::OffsetDateTime::from(time),
            settings: SigningSettings::default(),
        };
        let aws_params: aws_sigv4::http_request::SigningParams =
            aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&aws_identity)
                .region("us-east-1")
                .name(case.service)
                .time(UNIX_EPOCH + Duration::from_secs(EPOCH))
                .settings(aws_sigv4::http_request::SigningSettings::default())
                .build()
                .expect("valid aws-sigv4 params")
                .into();
        let aws_uri = format!("https://{}{}", case.host, case.uri);

        // Both sign the same request to the same signature.
        let ours = sign_headers(&request(case), &params).expect("signs");
        let theirs = aws_sign(case, &aws_uri, &aws_params);
        assert_eq!(ours.signature(), theirs, "{}", case.name);

        let mut group = c.benchmark_group(case.name);
        group.bench_function("rolectl", |b| {
            b.iter(|| sign_headers(black_box(&request(case)), black_box(&params)).expect("signs"))
        });
        let cache = SigningKeyCache::default();
        group.bench_function("rolectl_cached_key", |b| {
            b.iter(|| {
                cache
                    .sign_headers(black_box(&request(case)), black_box(&params))
                    .expect("signs")
            })
        });
        group.bench_function("aws_sigv4", |b| {
            b.iter(|| aws_sign(black_box(case), black_box(&aws_uri), black_box(&aws_params)))
        });
        group.finish();
    }
}

fn request(case: &Case) -> SignableRequest<'static> {
    SignableRequest {
        method: case.method,
        uri: case.uri,
        headers: case.headers,
        payload: Payload::Bytes(case.body),
    }
}

fn aws_sign(case: &Case, uri: &str, params: &aws_sigv4::http_request::SigningParams) -> String {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest};
    let req = SignableRequest::new(
        case.method,
        uri,
        case.headers.iter().copied(),
        SignableBody::Bytes(case.body),
    )
    .expect("valid request");
    let (instructions, signature) = sign(req, params).expect("signs").into_parts();
    black_box(instructions);
    signature
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = bench
}
criterion_main!(benches);
