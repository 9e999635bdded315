//! The two signing modes: an `Authorization` header ([`sign_headers`]) and
//! presigned query parameters ([`presign_query`]), each returning what to
//! add to the request plus the intermediate strings for tests and debugging.

use std::fmt;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::canonical::{is_never_signed, sort_headers, write_headers, write_path, QueryPairs};
use crate::encoding::{ascii_to_string, encode_query_component_into};
use crate::error::SigningError;
use crate::key::{SigningKey, SigningKeyCache};
use crate::request::{Payload, SignableRequest, SigningParams};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// SHA-256 of the empty string; most GET requests have no body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MAX_EXPIRY_SECS: u64 = 604_800;
const DEFAULT_EXPIRY: Duration = Duration::from_secs(3600);

/// Headers to add for header-mode signing, and the steps that led there.
/// `Debug` hides the session token.
#[derive(Clone)]
pub struct SignedOutput {
    headers: Vec<(&'static str, String)>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

impl SignedOutput {
    /// Headers to set on the request (lowercase names), in this order:
    /// `x-amz-security-token` (with a session token), `x-amz-date`,
    /// `x-amz-content-sha256` (with `sign_body`), `authorization`.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    pub fn into_headers(self) -> Vec<(&'static str, String)> {
        self.headers
    }

    /// The value of one output header, by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The canonical request exactly as signed. It holds the session token
    /// when one is signed: log [`Self::canonical_request_redacted`] instead.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The canonical request with the session token replaced, fit for
    /// `--debug` output and logs.
    pub fn canonical_request_redacted(&self) -> String {
        redact_token(&self.canonical_request)
    }

    /// Lowercase hex signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

impl fmt::Debug for SignedOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedOutput")
            .field("headers", &redacted(&self.headers, "x-amz-security-token"))
            .field("canonical_request", &self.canonical_request_redacted())
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

impl fmt::Debug for PresignedOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedOutput")
            .field("params", &redacted(&self.params, "X-Amz-Security-Token"))
            .field("canonical_request", &self.canonical_request_redacted())
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

const REDACTED: &str = "** redacted **";

/// Name/value pairs for `Debug`, with the value of `secret` replaced.
fn redacted<'a>(pairs: &'a [(&'a str, String)], secret: &str) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .map(|(n, v)| (*n, if *n == secret { REDACTED } else { v.as_str() }))
        .collect()
}

/// Replaces the session token in a canonical request: the value of the
/// `x-amz-security-token` header line or of the `X-Amz-Security-Token`
/// query parameter.
fn redact_token(creq: &str) -> String {
    let mut out = String::with_capacity(creq.len());
    for (i, line) in creq.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.starts_with("x-amz-security-token:") {
            out.push_str("x-amz-security-token:");
            out.push_str(REDACTED);
        } else if i == 2 && line.contains("X-Amz-Security-Token=") {
            // The query line: redact that one parameter's value.
            for (j, pair) in line.split('&').enumerate() {
                if j > 0 {
                    out.push('&');
                }
                if pair.starts_with("X-Amz-Security-Token=") {
                    out.push_str("X-Amz-Security-Token=");
                    out.push_str(REDACTED);
                } else {
                    out.push_str(pair);
                }
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Query parameters to append for a presigned request, and the steps that
/// led there. `Debug` hides the session token.
#[derive(Clone)]
pub struct PresignedOutput {
    params: Vec<(&'static str, String)>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

impl PresignedOutput {
    /// Parameters to append (raw, not yet percent-encoded), in the order the
    /// AWS SDKs append them: `X-Amz-Algorithm`, `X-Amz-Credential`,
    /// `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`,
    /// `X-Amz-Security-Token` (with a session token), `X-Amz-Signature`.
    pub fn params(&self) -> &[(&'static str, String)] {
        &self.params
    }

    /// The parameters encoded and joined with `&`, ready to append after
    /// `?` (or `&` when the URI already has a query).
    pub fn query_string(&self) -> String {
        let mut out = String::with_capacity(256);
        for (i, (k, v)) in self.params.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode_query_component_into(k, &mut out);
            out.push('=');
            encode_query_component_into(v, &mut out);
        }
        out
    }

    /// The canonical request exactly as signed. It holds the session token
    /// when one is signed: log [`Self::canonical_request_redacted`] instead.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The canonical request with the session token replaced.
    pub fn canonical_request_redacted(&self) -> String {
        redact_token(&self.canonical_request)
    }

    pub fn signature(&self) -> &str {
        &self.signature
    }
}

/// Signs `req` with an `Authorization` header, deriving the signing key.
/// Use [`SigningKeyCache::sign_headers`] to reuse keys across calls.
pub fn sign_headers(
    req: &SignableRequest,
    params: &SigningParams,
) -> Result<SignedOutput, SigningError> {
    sign_headers_with(req, params, |date, sts| derive(params, date).sign(sts))
}

/// Signs `req` as presigned query parameters, deriving the signing key.
pub fn presign_query(
    req: &SignableRequest,
    params: &SigningParams,
) -> Result<PresignedOutput, SigningError> {
    presign_query_with(req, params, |date, sts| derive(params, date).sign(sts))
}

impl SigningKeyCache {
    /// [`sign_headers`] with the signing key taken from (or put in) this cache.
    pub fn sign_headers(
        &self,
        req: &SignableRequest,
        params: &SigningParams,
    ) -> Result<SignedOutput, SigningError> {
        sign_headers_with(req, params, |date, sts| {
            self.with_key(
                &params.credentials.secret_access_key,
                date,
                params.region,
                params.service,
                |key| key.sign(sts),
            )
        })
    }

    /// [`presign_query`] with the signing key taken from (or put in) this cache.
    pub fn presign_query(
        &self,
        req: &SignableRequest,
        params: &SigningParams,
    ) -> Result<PresignedOutput, SigningError> {
        presign_query_with(req, params, |date, sts| {
            self.with_key(
                &params.credentials.secret_access_key,
                date,
                params.region,
                params.service,
                |key| key.sign(sts),
            )
        })
    }
}

fn derive(params: &SigningParams, date: &str) -> SigningKey {
    SigningKey::derive(
        &params.credentials.secret_access_key,
        date,
        params.region,
        params.service,
    )
}

/// What both modes share once the inputs are checked.
struct Prepared<'a> {
    amz_date: [u8; 16],
    path: &'a str,
    query: &'a str,
    payload_hash: PayloadHash<'a>,
    token: Option<&'a str>,
}

enum PayloadHash<'a> {
    Computed([u8; 64]),
    Given(&'a str),
}

impl PayloadHash<'_> {
    fn as_str(&self) -> &str {
        match self {
            PayloadHash::Computed(hex) => std::str::from_utf8(hex).unwrap_or(""),
            PayloadHash::Given(s) => s,
        }
    }
}

impl Prepared<'_> {
    fn amz_date(&self) -> &str {
        std::str::from_utf8(&self.amz_date).unwrap_or("")
    }

    fn date(&self) -> &str {
        &self.amz_date()[..8]
    }
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_scope_part(what: &'static str, value: &str) -> Result<(), SigningError> {
    if value.is_empty() || value.bytes().any(|b| b == b'/' || !b.is_ascii_graphic()) {
        return Err(SigningError::InvalidScope {
            what,
            value: value.to_owned(),
        });
    }
    Ok(())
}

fn prepare<'a>(
    req: &SignableRequest<'a>,
    params: &SigningParams<'a>,
) -> Result<Prepared<'a>, SigningError> {
    if req.method.is_empty() || !req.method.bytes().all(is_token_char) {
        return Err(SigningError::InvalidMethod);
    }
    let (path, query) = match req.uri.split_once('?') {
        Some((p, q)) => (p, q),
        None => (req.uri, ""),
    };
    // A fragment never goes on the wire, so it is not signed.
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let path = if path.is_empty() { "/" } else { path };
    if !path.starts_with('/') {
        return Err(SigningError::InvalidUri(req.uri.to_owned()));
    }
    let mut has_host = false;
    for (name, value) in req.headers {
        if name.is_empty() || !name.bytes().all(is_token_char) {
            return Err(SigningError::InvalidHeaderName((*name).to_owned()));
        }
        if value
            .bytes()
            .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f)
        {
            return Err(SigningError::InvalidHeaderValue((*name).to_owned()));
        }
        has_host |= name.eq_ignore_ascii_case("host");
    }
    if !has_host {
        return Err(SigningError::MissingHost);
    }
    let akid = &params.credentials.access_key_id;
    if akid.is_empty() || akid.bytes().any(|b| b == b'/' || !b.is_ascii_graphic()) {
        return Err(SigningError::InvalidAccessKeyId);
    }
    check_scope_part("region", params.region)?;
    check_scope_part("service", params.service)?;

    let payload_hash = match req.payload {
        Payload::Bytes([]) => PayloadHash::Given(EMPTY_SHA256),
        Payload::Bytes(body) => {
            let mut hex = [0u8; 64];
            let digest = Sha256::digest(body);
            hex::encode_to_slice(digest, &mut hex).map_err(|_| SigningError::InvalidPayloadHash)?;
            PayloadHash::Computed(hex)
        }
        Payload::Precomputed(h) => {
            if h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(SigningError::InvalidPayloadHash);
            }
            PayloadHash::Given(h)
        }
        Payload::Unsigned => PayloadHash::Given(UNSIGNED_PAYLOAD),
    };
    let token = params
        .credentials
        .session_token
        .as_ref()
        .map(|t| t.expose())
        .filter(|t| !t.is_empty());
    if let Some(t) = token {
        if t.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(SigningError::InvalidHeaderValue(
                "x-amz-security-token".into(),
            ));
        }
    }
    Ok(Prepared {
        amz_date: format_amz_date(params.time)?,
        path,
        query,
        payload_hash,
        token,
    })
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
pub(crate) fn format_amz_date(time: time::OffsetDateTime) -> Result<[u8; 16], SigningError> {
    let t = time.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return Err(SigningError::InvalidTime);
    }
    let mut out = *b"00000000T000000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u32);
    put(4, 2, u8::from(t.month()) as u32);
    put(6, 2, t.day() as u32);
    put(9, 2, t.hour() as u32);
    put(11, 2, t.minute() as u32);
    put(13, 2, t.second() as u32);
    Ok(out)
}

fn push_scope(out: &mut String, date: &str, params: &SigningParams) {
    out.push_str(date);
    out.push('/');
    out.push_str(params.region);
    out.push('/');
    out.push_str(params.service);
    out.push_str("/aws4_request");
}

/// Hashes the canonical request and builds the string to sign.
fn string_to_sign(creq: &str, prep: &Prepared, params: &SigningParams) -> String {
    let mut hex = [0u8; 64];
    // Both buffers are exactly 32 bytes -> 64 hex digits.
    let _ = hex::encode_to_slice(Sha256::digest(creq.as_bytes()), &mut hex);
    let mut sts = String::with_capacity(ALGORITHM.len() + 16 + 64 + 64 + 4);
    sts.push_str(ALGORITHM);
    sts.push('\n');
    sts.push_str(prep.amz_date());
    sts.push('\n');
    push_scope(&mut sts, prep.date(), params);
    sts.push('\n');
    sts.push_str(std::str::from_utf8(&hex).unwrap_or(""));
    sts
}

fn to_hex(mac: &[u8; 32]) -> String {
    let mut hex = [0u8; 64];
    let _ = hex::encode_to_slice(mac, &mut hex);
    std::str::from_utf8(&hex).unwrap_or("").to_owned()
}

fn write_method(method: &str, out: &mut Vec<u8>) {
    out.extend(method.bytes().map(|b| b.to_ascii_uppercase()));
    out.push(b'\n');
}

fn sign_headers_with(
    req: &SignableRequest,
    params: &SigningParams,
    sign: impl FnOnce(&str, &[u8]) -> [u8; 32],
) -> Result<SignedOutput, SigningError> {
    let settings = &params.settings;
    let prep = prepare(req, params)?;
    let amz_date = prep.amz_date();
    let payload_hash = prep.payload_hash.as_str();
    let sign_token = prep.token.filter(|_| !settings.omit_session_token);

    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(req.headers.len() + 3);
    headers.extend(req.headers.iter().copied().filter(|(name, _)| {
        !(is_never_signed(name)
            || name.eq_ignore_ascii_case("x-amz-date")
            || name.eq_ignore_ascii_case("x-amz-security-token")
            || (settings.sign_body && name.eq_ignore_ascii_case("x-amz-content-sha256")))
    }));
    headers.push(("x-amz-date", amz_date));
    if let Some(t) = sign_token {
        headers.push(("x-amz-security-token", t));
    }
    if settings.sign_body {
        headers.push(("x-amz-content-sha256", payload_hash));
    }
    let mut signed_headers = Vec::with_capacity(headers.len() * 16);
    sort_headers(&mut headers, &mut signed_headers);
    let signed_headers = ascii_to_string(signed_headers);

    let estimate = req.uri.len() * 2
        + headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum::<usize>()
        + signed_headers.len()
        + 96;
    let mut creq = Vec::with_capacity(estimate);
    write_method(req.method, &mut creq);
    write_path(
        prep.path,
        settings.normalize_path,
        settings.double_encode_path,
        &mut creq,
    );
    creq.push(b'\n');
    if !prep.query.is_empty() {
        let mut pairs = QueryPairs::new(prep.query, 0);
        pairs.add_wire_query(prep.query);
        pairs.write_sorted(&mut creq);
    }
    creq.push(b'\n');
    write_headers(&headers, &mut creq);
    creq.push(b'\n');
    creq.extend_from_slice(signed_headers.as_bytes());
    creq.push(b'\n');
    creq.extend_from_slice(payload_hash.as_bytes());
    let creq = ascii_to_string(creq);

    let sts = string_to_sign(&creq, &prep, params);
    let signature = to_hex(&sign(prep.date(), sts.as_bytes()));

    let akid = &params.credentials.access_key_id;
    let mut auth = String::with_capacity(ALGORITHM.len() + akid.len() + signed_headers.len() + 160);
    auth.push_str(ALGORITHM);
    auth.push_str(" Credential=");
    auth.push_str(akid);
    auth.push('/');
    push_scope(&mut auth, prep.date(), params);
    auth.push_str(", SignedHeaders=");
    auth.push_str(&signed_headers);
    auth.push_str(", Signature=");
    auth.push_str(&signature);

    let mut out = Vec::with_capacity(4);
    if let Some(t) = prep.token {
        out.push(("x-amz-security-token", t.to_owned()));
    }
    out.push(("x-amz-date", amz_date.to_owned()));
    if settings.sign_body {
        out.push(("x-amz-content-sha256", payload_hash.to_owned()));
    }
    out.push(("authorization", auth));
    Ok(SignedOutput {
        headers: out,
        canonical_request: creq,
        string_to_sign: sts,
        signature,
    })
}

fn presign_query_with(
    req: &SignableRequest,
    params: &SigningParams,
    sign: impl FnOnce(&str, &[u8]) -> [u8; 32],
) -> Result<PresignedOutput, SigningError> {
    let settings = &params.settings;
    let expires = settings.expires_in.unwrap_or(DEFAULT_EXPIRY).as_secs();
    if expires == 0 || expires > MAX_EXPIRY_SECS {
        return Err(SigningError::InvalidExpiry(expires));
    }
    let prep = prepare(req, params)?;
    let amz_date = prep.amz_date();

    // In query mode the signer sets no header, so none of these are signed.
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(req.headers.len());
    headers.extend(req.headers.iter().copied().filter(|(name, _)| {
        !(is_never_signed(name)
            || name.eq_ignore_ascii_case("x-amz-date")
            || name.eq_ignore_ascii_case("x-amz-security-token"))
    }));
    let mut signed_headers = Vec::with_capacity(headers.len() * 16);
    sort_headers(&mut headers, &mut signed_headers);
    let signed_headers = ascii_to_string(signed_headers);

    let mut credential = String::with_capacity(params.credentials.access_key_id.len() + 48);
    credential.push_str(&params.credentials.access_key_id);
    credential.push('/');
    push_scope(&mut credential, prep.date(), params);
    let expires = expires.to_string();

    let mut pairs = QueryPairs::new(prep.query, 6);
    pairs.add_wire_query(prep.query);
    pairs.add_raw("X-Amz-Algorithm", ALGORITHM);
    pairs.add_raw("X-Amz-Credential", &credential);
    pairs.add_raw("X-Amz-Date", amz_date);
    pairs.add_raw("X-Amz-Expires", &expires);
    if let Some(t) = prep.token.filter(|_| !settings.omit_session_token) {
        pairs.add_raw("X-Amz-Security-Token", t);
    }
    pairs.add_raw("X-Amz-SignedHeaders", &signed_headers);

    let mut creq = Vec::with_capacity(req.uri.len() * 2 + 512);
    write_method(req.method, &mut creq);
    write_path(
        prep.path,
        settings.normalize_path,
        settings.double_encode_path,
        &mut creq,
    );
    creq.push(b'\n');
    pairs.write_sorted(&mut creq);
    creq.push(b'\n');
    write_headers(&headers, &mut creq);
    creq.push(b'\n');
    creq.extend_from_slice(signed_headers.as_bytes());
    creq.push(b'\n');
    creq.extend_from_slice(prep.payload_hash.as_str().as_bytes());
    let creq = ascii_to_string(creq);

    let sts = string_to_sign(&creq, &prep, params);
    let signature = to_hex(&sign(prep.date(), sts.as_bytes()));

    let mut out = Vec::with_capacity(7);
    out.push(("X-Amz-Algorithm", ALGORITHM.to_owned()));
    out.push(("X-Amz-Credential", credential));
    out.push(("X-Amz-Date", amz_date.to_owned()));
    out.push(("X-Amz-SignedHeaders", signed_headers));
    out.push(("X-Amz-Expires", expires));
    if let Some(t) = prep.token {
        out.push(("X-Amz-Security-Token", t.to_owned()));
    }
    out.push(("X-Amz-Signature", signature.clone()));
    Ok(PresignedOutput {
        params: out,
        canonical_request: creq,
        string_to_sign: sts,
        signature,
    })
}
