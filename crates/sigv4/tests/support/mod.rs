//! Reading the signing test suites' files (`request.txt` in HTTP/1.1 text
//! form, `context.json`) and printing a signed request in the suites'
//! `*-signed-request.txt` format. Shared by the suite tests and the `sign`
//! example; every malformed input is an error, never a panic.
#![allow(dead_code)]

use std::fmt;
use std::time::Duration;

use rolectl_sigv4::{
    Credentials, Payload, PresignedOutput, Secret, SignableRequest, SignedOutput, SigningSettings,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(msg.into()))
}

/// A request as written in a suite's `request.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRequest {
    pub method: String,
    /// Path and query exactly as written on the request line.
    pub uri: String,
    /// `HTTP/1.1`, or `None` when the request line has no version.
    pub version: Option<String>,
    /// Header lines as written: name, and the value after the colon with
    /// folded continuation lines joined by `\n`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn parse(input: &[u8]) -> Result<RawRequest, ParseError> {
        // Split the head from the body at the first empty line.
        let (head, body) = split_head(input);
        let head = match std::str::from_utf8(head) {
            Ok(h) => h,
            Err(_) => return err("the request head is not valid UTF-8"),
        };
        let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let request_line = match lines.next() {
            Some(l) if !l.trim().is_empty() => l,
            _ => return err("the request has no request line"),
        };
        let (method, rest) = match request_line.split_once(' ') {
            Some(parts) => parts,
            None => return err(format!("request line {request_line:?} has no URI")),
        };
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return err(format!("request line {request_line:?} has no valid method"));
        }
        // The URI may itself contain spaces; the version is the last word.
        let (uri, version) = match rest.rsplit_once(' ') {
            Some((uri, v)) if v.starts_with("HTTP/") => (uri, Some(v.to_owned())),
            _ => (rest, None),
        };
        if !uri.starts_with('/') {
            return err(format!(
                "request line {request_line:?} has no URI starting with '/'"
            ));
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                match headers.last_mut() {
                    Some((_, value)) => {
                        value.push('\n');
                        value.push_str(line);
                    }
                    None => return err("a continuation line comes before any header"),
                }
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) if !name.is_empty() && !name.contains([' ', '\t']) => {
                    headers.push((name.to_owned(), value.to_owned()))
                }
                _ => return err(format!("header line {line:?} is not 'Name:value'")),
            }
        }
        Ok(RawRequest {
            method: method.to_owned(),
            uri: uri.to_owned(),
            version,
            headers,
            body: body.to_vec(),
        })
    }

    /// The classic suite's reading of folded lines: each indented line is
    /// one more value of the header above it.
    pub fn unfolded(mut self) -> RawRequest {
        let mut headers = Vec::with_capacity(self.headers.len());
        for (name, value) in self.headers.drain(..) {
            let mut lines = value.split('\n');
            if let Some(first) = lines.next() {
                headers.push((name.clone(), first.to_owned()));
            }
            for line in lines {
                headers.push((name.clone(), line.trim().to_owned()));
            }
        }
        self.headers = headers;
        self
    }

    pub fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    pub fn signable<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> SignableRequest<'a> {
        SignableRequest {
            method: &self.method,
            uri: &self.uri,
            headers,
            payload: Payload::Bytes(&self.body),
        }
    }

    fn request_line(&self, uri: &str) -> String {
        match &self.version {
            Some(v) => format!("{} {} {}\n", self.method, uri, v),
            None => format!("{} {}\n", self.method, uri),
        }
    }

    fn push_headers(&self, out: &mut Vec<u8>, skip: &[&str]) {
        for (name, value) in &self.headers {
            if skip.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                continue;
            }
            out.extend_from_slice(name.as_bytes());
            out.push(b':');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
    }

    /// The request with the signer's headers added, as the suites print
    /// `header-signed-request.txt`.
    pub fn render_header_signed(&self, signed: &SignedOutput) -> Vec<u8> {
        let mut out = self.request_line(&self.uri).into_bytes();
        let added: Vec<&str> = signed.headers().iter().map(|(n, _)| *n).collect();
        self.push_headers(&mut out, &added);
        for (name, value) in signed.headers() {
            let shown = match *name {
                "x-amz-security-token" => "X-Amz-Security-Token",
                "x-amz-date" => "X-Amz-Date",
                "authorization" => "Authorization",
                other => other,
            };
            out.extend_from_slice(shown.as_bytes());
            out.push(b':');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }

    /// The request with the presigned parameters appended, as the suites
    /// print `query-signed-request.txt`.
    pub fn render_query_signed(&self, presigned: &PresignedOutput) -> Vec<u8> {
        let sep = if self.uri.contains('?') { '&' } else { '?' };
        let uri = format!("{}{}{}", self.uri, sep, presigned.query_string());
        let mut out = self.request_line(&uri).into_bytes();
        self.push_headers(&mut out, &[]);
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }
}

fn split_head(input: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'\n' {
            let rest = &input[i + 1..];
            if rest.first() == Some(&b'\n') {
                return (&input[..i], &rest[1..]);
            }
            if rest.starts_with(b"\r\n") {
                let head = &input[..i];
                return (head.strip_suffix(b"\r").unwrap_or(head), &rest[2..]);
            }
        }
        i += 1;
    }
    // No empty line: everything is head, and a final newline ends the last
    // header rather than starting a body.
    let head = input.strip_suffix(b"\n").unwrap_or(input);
    (head.strip_suffix(b"\r").unwrap_or(head), &[])
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ContextCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub token: Option<String>,
}

/// A suite case's `context.json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Context {
    pub credentials: ContextCredentials,
    pub expiration_in_seconds: Option<u64>,
    #[serde(default = "yes")]
    pub normalize: bool,
    pub region: String,
    pub service: String,
    #[serde(default)]
    pub sign_body: bool,
    #[serde(default)]
    pub omit_session_token: bool,
    pub timestamp: String,
}

fn yes() -> bool {
    true
}

impl Context {
    pub fn parse(input: &[u8]) -> Result<Context, ParseError> {
        serde_json::from_slice(input).map_err(|e| ParseError(format!("context.json: {e}")))
    }

    pub fn credentials(&self) -> Credentials {
        Credentials::new(
            self.credentials.access_key_id.clone(),
            Secret::new(self.credentials.secret_access_key.clone()),
            self.credentials.token.clone().map(Secret::new),
        )
    }

    pub fn time(&self) -> Result<time::OffsetDateTime, ParseError> {
        time::OffsetDateTime::parse(
            &self.timestamp,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| ParseError(format!("context.json timestamp {:?}: {e}", self.timestamp)))
    }

    pub fn settings(&self) -> SigningSettings {
        SigningSettings {
            normalize_path: self.normalize,
            sign_body: self.sign_body,
            omit_session_token: self.omit_session_token,
            expires_in: self.expiration_in_seconds.map(Duration::from_secs),
            ..SigningSettings::default()
        }
    }
}

/// Signs a case (its `context.json` and `request.txt` contents) and
/// returns the signed request in the suite's format.
pub fn sign_case(
    context: &[u8],
    request: &[u8],
    query: bool,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let ctx = Context::parse(context)?;
    let req = RawRequest::parse(request)?;
    let creds = ctx.credentials();
    let params = rolectl_sigv4::SigningParams {
        credentials: &creds,
        region: &ctx.region,
        service: &ctx.service,
        time: ctx.time()?,
        settings: ctx.settings(),
    };
    let headers = req.header_refs();
    let signable = req.signable(&headers);
    if query {
        let out = rolectl_sigv4::presign_query(&signable, &params)?;
        Ok(req.render_query_signed(&out))
    } else {
        let out = rolectl_sigv4::sign_headers(&signable, &params)?;
        Ok(req.render_header_signed(&out))
    }
}

/// Parses a `YYYYMMDDTHHMMSSZ` timestamp.
pub fn parse_amz_date(s: &str) -> Result<time::OffsetDateTime, ParseError> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(s.trim(), &format)
        .map(|t| t.assume_utc())
        .map_err(|e| ParseError(format!("timestamp {s:?}: {e}")))
}

/// Header lines as a sorted list of (lowercase name, value with
/// whitespace runs collapsed), for comparing requests whose files differ
/// only in header order, name case or spacing after the colon.
pub fn normalized_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    out.sort();
    out
}

/// Why the `sign` example stops: the message for stderr and the exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

/// The `sign` example without its I/O on stdout: arguments in, the bytes
/// to print out.
pub fn run_cli(args: &[std::ffi::OsString]) -> Result<Vec<u8>, CliError> {
    let usage = || CliError {
        code: 2,
        message: "usage: sign CASE_DIR [--query]".to_owned(),
    };
    let mut dir: Option<std::path::PathBuf> = None;
    let mut query = false;
    for arg in args {
        if arg == "--query" {
            query = true;
        } else if dir.is_none() {
            dir = Some(std::path::PathBuf::from(arg));
        } else {
            return Err(usage());
        }
    }
    let dir = dir.ok_or_else(usage)?;
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| CliError {
            code: 1,
            message: format!("cannot read {}: {e}", path.display()),
        })
    };
    let context = read("context.json")?;
    let request = read("request.txt")?;
    sign_case(&context, &request, query).map_err(|e| CliError {
        code: 1,
        message: e.to_string(),
    })
}
