//! The classic AWS SigV4 test suite (`tests/vectors/sigv4-legacy`):
//! `.req` in, `.creq`, `.sts`, `.authz`, `.sreq` (and `.qpsreq`) out, with
//! AKIDEXAMPLE, region us-east-1 and service `service` unless the files say
//! otherwise.
//!
//! The two suites read the same folded header text differently:
//! `get-header-value-multiline` has `My-Header1:value1` followed by the
//! indented lines `value2` and `value3`. The CRT suite reads that as one
//! folded value (`value1 value2 value3`, as RFC 7230 obs-fold says); this
//! suite reads each indented line as another value of the same header
//! (`value1,value2,value3` in its .creq). The signer handles both; this
//! file's reader follows this suite ([`RawRequest::unfolded`]).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolectl_sigv4::{
    presign_query, sign_headers, Credentials, Secret, SigningKey, SigningParams, SigningSettings,
};
use support::{normalized_headers, parse_amz_date, RawRequest};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
/// Some signed requests of this copy were made with the AWS Rust SDK's
/// test credentials instead.
const TEST_ACCESS_KEY: &str = "ANOTREAL";
const TEST_SECRET: &str = "notrealrnrELgWzOk3IfjzDKtFBhDby";

/// Files of this suite that contradict themselves, so no signer can
/// produce them; each is asserted to differ in exactly these files, and the
/// tests below show why.
const ERRATA: &[(&str, &[&str])] = &[
    // The .creq lists content-type among the canonical headers but not in
    // the signed-header line; .sts and .authz were computed from the
    // consistent version (content-type signed), which we produce.
    ("post-x-www-form-urlencoded", &["creq"]),
    // The .creq moves the form body into the query string and hashes an
    // empty payload (the pre-SigV4 way); services hash the body, as the
    // CRT suite's case of the same name does, and so do we.
    (
        "post-x-www-form-urlencoded-parameters",
        &["creq", "sts", "authz", "sreq"],
    ),
];

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/sigv4-legacy/aws-sig-v4-test-suite")
}

fn read_str(path: &Path) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => Some(String::from_utf8(bytes).expect("suite files are UTF-8")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// Every directory holding a `<name>.req`, found recursively.
fn cases() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable directory")
            .map(|e| e.expect("readable entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned();
                if path.join(format!("{name}.req")).is_file() {
                    out.push((name, path.clone()));
                }
                walk(&path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&suite_dir(), &mut out);
    out
}

/// Expected files end with or without a final newline; the values do not.
fn strip_final_newline(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

struct Scope {
    region: String,
    service: String,
}

/// Region and service as named by the case's expected credential scope.
fn scope_of(dir: &Path, name: &str) -> Scope {
    let text = read_str(&dir.join(format!("{name}.sts")))
        .or_else(|| read_str(&dir.join(format!("{name}.authz"))))
        .unwrap_or_default();
    let scope = text
        .split(['\n', ' ', ','])
        .find_map(|w| w.strip_suffix("/aws4_request"))
        .unwrap_or("20150830/us-east-1/service");
    let parts: Vec<&str> = scope.rsplitn(3, '/').collect();
    Scope {
        service: parts.first().copied().unwrap_or("service").to_owned(),
        region: parts.get(1).copied().unwrap_or("us-east-1").to_owned(),
    }
}

fn credential_for(authz_or_sreq: &str, with_token: bool) -> Credentials {
    let token = with_token.then(|| Secret::new(TOKEN));
    if authz_or_sreq.contains(&format!("Credential={TEST_ACCESS_KEY}")) {
        Credentials::new(TEST_ACCESS_KEY, Secret::new(TEST_SECRET), token)
    } else {
        Credentials::new(ACCESS_KEY, Secret::new(SECRET), token)
    }
}

/// Signs one case and returns the suffixes of the expected files that differ.
fn check_case(name: &str, dir: &Path) -> Vec<&'static str> {
    let req_text = read_str(&dir.join(format!("{name}.req"))).expect("case has a .req");
    let req = RawRequest::parse(req_text.as_bytes())
        .expect(".req parses")
        .unfolded();
    let date_header = req
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date"))
        .map(|(_, v)| v.clone())
        // One .req of this copy lost its X-Amz-Date; the suite's time is
        // the one every case is signed at.
        .unwrap_or_else(|| "20150830T123600Z".to_owned());
    let time = parse_amz_date(&date_header).expect("X-Amz-Date parses");
    // The token cases: "before" signs the X-Amz-Security-Token header of the
    // .req, "after" adds it unsigned once the signature is computed.
    let has_token = req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
        || name == "post-sts-header-after";
    let settings = SigningSettings {
        omit_session_token: name == "post-sts-header-after",
        ..SigningSettings::default()
    };
    let scope = scope_of(dir, name);
    let headers = req.header_refs();
    let signable = req.signable(&headers);
    let sign = |creds: &Credentials, time| {
        let params = SigningParams {
            credentials: creds,
            region: &scope.region,
            service: &scope.service,
            time,
            settings,
        };
        sign_headers(&signable, &params).expect("signs")
    };
    let mut bad = Vec::new();

    let authz = read_str(&dir.join(format!("{name}.authz")));
    let main = sign(
        &credential_for(authz.as_deref().unwrap_or(""), has_token),
        time,
    );
    if let Some(creq) = read_str(&dir.join(format!("{name}.creq"))) {
        // The double-encode-path canonical request was recorded at another
        // time than its request's X-Amz-Date (see `legacy_double_encode_path`).
        if name != "double-encode-path" && strip_final_newline(&creq) != main.canonical_request() {
            bad.push("creq");
        }
    }
    if let Some(sts) = read_str(&dir.join(format!("{name}.sts"))) {
        if strip_final_newline(&sts) != main.string_to_sign() {
            bad.push("sts");
        }
    }
    if let Some(authz) = &authz {
        if Some(strip_final_newline(authz)) != main.header("authorization") {
            bad.push("authz");
        }
    }
    if let Some(sreq_text) = read_str(&dir.join(format!("{name}.sreq"))) {
        let sreq = RawRequest::parse(sreq_text.as_bytes())
            .expect(".sreq parses")
            .unfolded();
        let signed = sign(&credential_for(&sreq_text, has_token), time);
        let ours = RawRequest::parse(&req.render_header_signed(&signed))
            .expect("our output parses")
            .unfolded();
        // The .sreq files differ in header order, spacing after the colon
        // and (post-x-www-form-urlencoded) leave a header out, so every
        // header line they show must be in ours, Authorization included.
        let ours_headers = normalized_headers(&ours.headers);
        let subset = normalized_headers(&sreq.headers)
            .iter()
            .all(|h| ours_headers.contains(h));
        let has_auth = sreq
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
        if sreq.method != ours.method
            || sreq.uri != ours.uri
            || !subset
            || !has_auth
            || sreq.body != ours.body
        {
            bad.push("sreq");
        }
    }
    if let Some(qpsreq_text) = read_str(&dir.join(format!("{name}.qpsreq"))) {
        if !qpsreq_matches(&req, &qpsreq_text, time, &scope) {
            bad.push("qpsreq");
        }
    }
    bad
}

/// Presigned request check: same path and the same query parameters (the
/// file lists X-Amz-Expires before X-Amz-SignedHeaders, the order does not
/// enter the signature).
fn qpsreq_matches(
    req: &RawRequest,
    expected_text: &str,
    time: time::OffsetDateTime,
    scope: &Scope,
) -> bool {
    let expected = RawRequest::parse(expected_text.as_bytes()).expect(".qpsreq parses");
    let expires = expected
        .uri
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("X-Amz-Expires="))
        .and_then(|v| v.parse::<u64>().ok())
        .expect(".qpsreq has X-Amz-Expires");
    let creds = credential_for(expected_text, false);
    // A presigned request does not sign the X-Amz-Date header of the .req.
    let headers: Vec<(&str, &str)> = req
        .header_refs()
        .into_iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("x-amz-date"))
        .collect();
    let params = SigningParams {
        credentials: &creds,
        region: &scope.region,
        service: &scope.service,
        time,
        settings: SigningSettings {
            expires_in: Some(std::time::Duration::from_secs(expires)),
            ..SigningSettings::default()
        },
    };
    let out = presign_query(&req.signable(&headers), &params).expect("presigns");
    let ours = RawRequest::parse(&req.render_query_signed(&out)).expect("our output parses");
    let split = |uri: &str| {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut params: Vec<String> = query.split('&').map(str::to_owned).collect();
        params.sort();
        (path.to_owned(), params)
    };
    split(&ours.uri) == split(&expected.uri)
        && normalized_headers(&ours.headers) == normalized_headers(&expected.headers)
}

#[test]
fn every_case_matches_except_listed_errata() {
    let cases = cases();
    assert_eq!(cases.len(), 33, "the suite has 33 .req cases");
    let errata: BTreeMap<&str, &[&str]> = ERRATA.iter().copied().collect();
    let mut failures = Vec::new();
    for (name, dir) in &cases {
        let bad = check_case(name, dir);
        let expected: &[&str] = errata.get(name.as_str()).copied().unwrap_or(&[]);
        if bad != expected {
            failures.push(format!("{name}: differs in {bad:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn form_urlencoded_creq_erratum_is_only_the_signed_header_line() {
    let dir = suite_dir().join("post-x-www-form-urlencoded");
    let name = "post-x-www-form-urlencoded";
    let req = RawRequest::parse(
        read_str(&dir.join(format!("{name}.req")))
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let creds = Credentials::new(ACCESS_KEY, Secret::new(SECRET), None);
    let headers = req.header_refs();
    let params = SigningParams {
        credentials: &creds,
        region: "us-east-1",
        service: "service",
        time: parse_amz_date("20150830T123600Z").unwrap(),
        settings: SigningSettings::default(),
    };
    let out = sign_headers(&req.signable(&headers), &params).unwrap();
    let fixed = read_str(&dir.join(format!("{name}.creq")))
        .unwrap()
        .replace("\nhost;x-amz-date\n", "\ncontent-type;host;x-amz-date\n");
    assert_eq!(out.canonical_request(), fixed);
    assert_eq!(
        out.string_to_sign(),
        read_str(&dir.join(format!("{name}.sts"))).unwrap()
    );
}

#[test]
fn form_parameters_erratum_is_the_body_moved_into_the_query() {
    let dir = suite_dir().join("post-x-www-form-urlencoded-parameters");
    let name = "post-x-www-form-urlencoded-parameters";
    let req = RawRequest::parse(
        read_str(&dir.join(format!("{name}.req")))
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(req.body, b"Param1=value1");
    // Re-stating the request the way that .creq reads it (body as query,
    // no payload) reproduces every expected file, so the rest of the
    // signer agrees with the case.
    let creds = Credentials::new(ACCESS_KEY, Secret::new(SECRET), None);
    let headers = req.header_refs();
    let params = SigningParams {
        credentials: &creds,
        region: "us-east-1",
        service: "service",
        time: parse_amz_date("20150830T123600Z").unwrap(),
        settings: SigningSettings::default(),
    };
    let as_query = rolectl_sigv4::SignableRequest {
        method: "POST",
        uri: "/?Param1=value1",
        headers: &headers,
        payload: rolectl_sigv4::Payload::Bytes(b""),
    };
    let out = sign_headers(&as_query, &params).unwrap();
    assert_eq!(
        out.canonical_request(),
        read_str(&dir.join(format!("{name}.creq"))).unwrap()
    );
    assert_eq!(
        out.string_to_sign(),
        read_str(&dir.join(format!("{name}.sts"))).unwrap()
    );
    assert_eq!(
        out.header("authorization"),
        read_str(&dir.join(format!("{name}.authz"))).as_deref()
    );
}

#[test]
fn legacy_double_encode_path() {
    // Its .creq was recorded at 20210511T154045Z; its .sreq at the
    // request's own X-Amz-Date with the Rust SDK test credentials.
    let dir = suite_dir().join("double-encode-path");
    let req = RawRequest::parse(
        read_str(&dir.join("double-encode-path.req"))
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let creds = Credentials::new(TEST_ACCESS_KEY, Secret::new(TEST_SECRET), None);
    let headers = req.header_refs();
    let params = SigningParams {
        credentials: &creds,
        region: "us-east-1",
        service: "service",
        time: parse_amz_date("20210511T154045Z").unwrap(),
        settings: SigningSettings::default(),
    };
    let out = sign_headers(&req.signable(&headers), &params).unwrap();
    assert_eq!(
        out.canonical_request(),
        read_str(&dir.join("double-encode-path.creq")).unwrap()
    );
}

#[test]
fn iam_string_to_sign_gives_documented_signature() {
    // iam.creq holds a string to sign; its signature is the one in the AWS
    // documentation's IAM example.
    let sts = read_str(&suite_dir().join("iam/iam.creq")).unwrap();
    let key = SigningKey::derive(&Secret::new(SECRET), "20150830", "us-east-1", "iam");
    assert_eq!(
        hex::encode(key.sign(strip_final_newline(&sts).as_bytes())),
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    );
}
