//! Helpers for the tests that talk to moto: where the peers are, IAM setup
//! calls, the auth window and the request recording.

#![allow(dead_code)]

use rolectl_sigv4::{sign_headers, Payload, SignableRequest, SigningParams, SigningSettings};
use rolectl_sts_client::{
    form, parse_endpoint, Credentials, HttpRequest, HttpResponse, ReqwestTransport, Transport,
    TransportConfig,
};

/// The URL of a peer that `scripts/test.sh` started. Missing peers fail the
/// test: they are never skipped.
pub fn peer_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
        _ => panic!(
            "{var} is not set: run the tests through ./scripts/test.sh, which starts the moto peers \
             (or eval \"$(scripts/peers.sh start)\" first)"
        ),
    }
}

/// A suffix that keeps this run's IAM names apart from every other run's
/// on the shared moto instances.
pub fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    format!("{}-{nanos:x}", std::process::id())
}

pub fn transport() -> ReqwestTransport {
    ReqwestTransport::new(TransportConfig::default()).expect("the HTTP client builds")
}

pub async fn send(request: HttpRequest) -> HttpResponse {
    let url = request.url.clone();
    transport()
        .send(request)
        .await
        .unwrap_or_else(|error| panic!("{url}: {error}"))
}

/// Opens (`inf`) or closes (`0`) moto's unauthenticated window.
pub async fn reset_auth(base: &str, count: &str) {
    let response = send(HttpRequest {
        method: "POST".into(),
        url: format!("{base}/moto-api/reset-auth"),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: count.as_bytes().to_vec(),
    })
    .await;
    assert_eq!(
        response.status,
        200,
        "reset-auth {count}: {:?}",
        String::from_utf8_lossy(&response.body)
    );
}

/// One IAM Query call, signed for `iam` with setup credentials (moto routes
/// by the credential scope; inside the auth window it checks nothing else).
pub async fn iam(base: &str, action: &str, params: &[(&str, &str)]) -> String {
    let mut fields = vec![("Action", action), ("Version", "2010-05-08")];
    fields.extend_from_slice(params);
    let body = form::encode_pairs(&fields).into_bytes();
    let endpoint = parse_endpoint(base).expect("moto URL parses");
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let headers = [
        ("content-type", content_type),
        ("host", endpoint.host.as_str()),
    ];
    let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "setup-secret", None);
    let signed = sign_headers(
        &SignableRequest {
            method: "POST",
            uri: "/",
            headers: &headers,
            payload: Payload::Bytes(&body),
        },
        &SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "iam",
            time: time::OffsetDateTime::now_utc(),
            settings: SigningSettings::default(),
        },
    )
    .expect("IAM setup request signs");
    let mut request_headers = vec![("Content-Type".to_owned(), content_type.to_owned())];
    request_headers.extend(
        signed
            .into_headers()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
    );
    let response = send(HttpRequest {
        method: "POST".into(),
        url: endpoint.request_url(),
        headers: request_headers,
        body,
    })
    .await;
    let text = String::from_utf8_lossy(&response.body).into_owned();
    assert_eq!(response.status, 200, "IAM {action} failed: {text}");
    text
}

/// The text of the first `<tag>` in `xml` (test setup only).
pub fn tag(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"))
        + open.len();
    let end = xml[start..]
        .find(&format!("</{tag}>"))
        .expect("closing tag")
        + start;
    xml[start..end].to_owned()
}

/// A policy document allowing every STS action.
pub const ALLOW_STS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}"#;

/// A trust policy letting `principal` call `action` on the role.
pub fn trust(principal: &str, action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"{action}"}}]}}"#
    )
}

/// A recorded request: headers (as moto saw them) and the decoded body.
#[derive(Debug)]
pub struct Recorded {
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_str())
    }
}

/// Every request moto recorded (`MOTO_ENABLE_RECORDING=1`).
pub async fn recording(base: &str) -> Vec<Recorded> {
    let response = send(HttpRequest {
        method: "GET".into(),
        url: format!("{base}/moto-api/recorder/download-recording"),
        headers: vec![],
        body: vec![],
    })
    .await;
    assert_eq!(response.status, 200, "download-recording");
    String::from_utf8_lossy(&response.body)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|entry| {
            let raw = entry["body"].as_str().unwrap_or_default();
            let body = if entry["body_encoded"].as_bool() == Some(true) {
                String::from_utf8_lossy(&base64_decode(raw)).into_owned()
            } else {
                raw.to_owned()
            };
            Recorded {
                headers: entry["headers"].as_object().cloned().unwrap_or_default(),
                body,
            }
        })
        .collect()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |byte: u8| match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for sextet in text.bytes().filter_map(value) {
        buffer = buffer << 6 | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}
