//! The loopback credential endpoint of `rolectl serve` and `rolectl exec
//! --server`: a deliberately small HTTP/1.1 server that answers one request
//! per connection, with hard limits, for the AWS SDKs' container
//! credentials provider (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`).
//!
//! Each request must, in this order of checks:
//! - send its headers within [`HEADER_TIMEOUT`] (else 408) and in at most
//!   [`MAX_HEADER_BYTES`] (else 431), with no body (else 413);
//! - name this server in `Host`: `127.0.0.1:<port>` or `localhost:<port>`
//!   (else 421, so that a web page cannot reach it by DNS rebinding);
//! - carry the token in `Authorization` (none: 401; another value: 403,
//!   compared in constant time);
//! - ask for `/` (else 404) with `GET` (else 405).
//!
//! Then the credentials source answers (the container JSON, or an error
//! message as 500). The server never writes a secret to stderr: only
//! statuses, and under `--debug` one line per request.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// The request line and headers must arrive within this time.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The request line and headers may be at most this long.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Connections served at the same time; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 64;
/// Headers per request (a container credentials request sends about 5).
const MAX_HEADERS: usize = 64;
/// Writing a response may take this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The bearer token clients send in `Authorization`: 32 bytes from the
/// operating system's random source, as hex. `Debug` hides it.
pub struct Token(String);

impl Token {
    pub fn generate() -> Result<Token, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| format!("The system's random source could not be read: {e}."))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token, to hand to the programs that may use the server.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is the token, in time that depends only on the
    /// lengths (the token's length is public).
    pub fn matches(&self, given: &[u8]) -> bool {
        let want = self.0.as_bytes();
        if given.len() != want.len() {
            return false;
        }
        let diff = want
            .iter()
            .zip(given)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(** redacted **)")
    }
}

/// Binds a listener on 127.0.0.1 (never another address); port 0 lets
/// the system choose. Returns the listener and its port.
pub async fn bind(port: u16) -> Result<(TcpListener, u16), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("The credential server could not listen on {addr}: {e}."))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("The credential server's address is unknown: {e}."))?
        .port();
    Ok((listener, port))
}

/// The URL clients use.
pub fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/")
}

/// What the credentials source answers: the JSON body, or a message
/// (without secrets) for a 500.
pub type Answer = Result<String, String>;

/// Serves `listener` until the task is dropped. `source` is called once
/// per accepted request.
pub async fn serve<S, F>(
    listener: TcpListener,
    port: u16,
    token: Arc<Token>,
    source: S,
    debug: bool,
) where
    S: Fn() -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Answer> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Out of descriptors or similar: wait a little, go on.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let token = token.clone();
        let source = source.clone();
        tokio::spawn(async move {
            handle(stream, port, &token, source, debug).await;
            drop(permit);
        });
    }
}

/// What the reader made of the bytes before the end of the headers.
#[derive(Debug, PartialEq, Eq)]
pub enum Head {
    Complete(Request),
    TooLarge,
    Malformed,
    /// The client closed the connection or it failed: nothing to answer.
    Gone,
}

/// The parts of a request that the checks look at.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub hosts: Vec<Vec<u8>>,
    pub authorizations: Vec<Vec<u8>>,
    /// A `Content-Length` other than 0, `Transfer-Encoding`, or bytes after the headers.
    pub has_body: bool,
}

/// A response status and its message.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn refuse(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

/// Parses what has arrived so far; `None` while the headers are incomplete.
fn parse(buf: &[u8]) -> Option<Head> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let end = match req.parse(buf) {
        Ok(httparse::Status::Complete(end)) => end,
        Ok(httparse::Status::Partial) => return None,
        Err(httparse::Error::TooManyHeaders) => return Some(Head::TooLarge),
        Err(_) => return Some(Head::Malformed),
    };
    let mut out = Request {
        method: req.method.unwrap_or("").to_owned(),
        target: req.path.unwrap_or("").to_owned(),
        hosts: Vec::new(),
        authorizations: Vec::new(),
        has_body: end < buf.len(),
    };
    for h in req.headers.iter() {
        let value = h.value.trim_ascii();
        if h.name.eq_ignore_ascii_case("host") {
            out.hosts.push(value.to_vec());
        } else if h.name.eq_ignore_ascii_case("authorization") {
            out.authorizations.push(value.to_vec());
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            || (h.name.eq_ignore_ascii_case("content-length") && value != b"0")
        {
            out.has_body = true;
        }
    }
    Some(Head::Complete(out))
}

/// Reads until the end of the headers, at most [`MAX_HEADER_BYTES`].
async fn read_head(stream: &mut TcpStream) -> Head {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Head::Gone,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(head) = parse(&buf) {
            return head;
        }
        if buf.len() >= MAX_HEADER_BYTES {
            return Head::TooLarge;
        }
    }
}

/// The checks of the module's description, in order; `Ok` when the
/// credentials may be served.
pub fn check(req: &Request, port: u16, token: &Token) -> Result<(), Refusal> {
    if req.has_body {
        return Err(refuse(
            413,
            "PayloadTooLarge",
            "A request to the credential server has no body.",
        ));
    }
    let host_ok = match req.hosts.as_slice() {
        [host] => {
            let host = String::from_utf8_lossy(host).to_ascii_lowercase();
            host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
        }
        _ => false,
    };
    if !host_ok {
        return Err(refuse(
            421,
            "MisdirectedRequest",
            format!("The Host header must be 127.0.0.1:{port} or localhost:{port}."),
        ));
    }
    match req.authorizations.as_slice() {
        [] => {
            return Err(refuse(
                401,
                "Unauthorized",
                "The request has no Authorization header; send AWS_CONTAINER_AUTHORIZATION_TOKEN.",
            ))
        }
        [given] if token.matches(given) => {}
        _ => {
            return Err(refuse(
                403,
                "Forbidden",
                "The Authorization header is not this server's token.",
            ))
        }
    }
    if req.target != "/" {
        return Err(refuse(
            404,
            "NotFound",
            "The credentials are served at / only.",
        ));
    }
    if req.method != "GET" {
        return Err(refuse(
            405,
            "MethodNotAllowed",
            "The credentials are served to GET only.",
        ));
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    }
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"Code": code, "Message": message}).to_string()
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    if status == 405 {
        out.push_str("Allow: GET\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    let write = async {
        stream.write_all(out.as_bytes()).await?;
        stream.flush().await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, write).await;
    // Read (and drop) a little of what the client may still be sending, so
    // that closing does not reset the connection before it reads the answer.
    let mut sink = [0u8; 4096];
    let drain = async {
        let mut left = 64 * 1024usize;
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
}

async fn handle<S, F>(mut stream: TcpStream, port: u16, token: &Token, source: S, debug: bool)
where
    S: Fn() -> F,
    F: Future<Output = Answer>,
{
    let log = |what: &str| {
        if debug {
            eprintln!("debug: credential server: {what}");
        }
    };
    let head = match tokio::time::timeout(HEADER_TIMEOUT, read_head(&mut stream)).await {
        Ok(head) => head,
        Err(_) => {
            log("408, the headers did not arrive in time");
            let message = format!(
                "The request headers did not arrive within {} seconds.",
                HEADER_TIMEOUT.as_secs()
            );
            respond(&mut stream, 408, &error_body("RequestTimeout", &message)).await;
            return;
        }
    };
    let req = match head {
        Head::Complete(req) => req,
        Head::Gone => return,
        Head::TooLarge => {
            log("431, the headers are too large");
            let message = format!("The request headers are larger than {MAX_HEADER_BYTES} bytes.");
            respond(
                &mut stream,
                431,
                &error_body("RequestHeaderFieldsTooLarge", &message),
            )
            .await;
            return;
        }
        Head::Malformed => {
            log("400, not an HTTP/1.1 request");
            respond(
                &mut stream,
                400,
                &error_body("BadRequest", "This is not an HTTP/1.1 request."),
            )
            .await;
            return;
        }
    };
    if let Err(refusal) = check(&req, port, token) {
        log(&format!(
            "{} {} -> {}",
            req.method, req.target, refusal.status
        ));
        respond(
            &mut stream,
            refusal.status,
            &error_body(refusal.code, &refusal.message),
        )
        .await;
        return;
    }
    match source().await {
        Ok(body) => {
            log("GET / -> 200");
            respond(&mut stream, 200, &body).await;
        }
        Err(message) => {
            log("GET / -> 500");
            eprintln!("rolectl: the credential server could not serve credentials: {message}");
            respond(
                &mut stream,
                500,
                &error_body("CredentialsUnavailable", &message),
            )
            .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(extra: &str) -> Vec<u8> {
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n{extra}\r\n").into_bytes()
    }

    fn checked(bytes: &[u8], token: &Token) -> Result<(), u16> {
        match parse(bytes) {
            Some(Head::Complete(req)) => check(&req, 8080, token).map_err(|r| r.status),
            other => panic!("not a complete request: {other:?}"),
        }
    }

    #[test]
    fn tokens_are_random_hex_and_compared_whole() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a.expose(), b.expose());
        assert!(a.matches(a.expose().as_bytes()));
        assert!(!a.matches(b.expose().as_bytes()));
        assert!(!a.matches(&a.expose().as_bytes()[..63]));
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn each_check_answers_its_status() {
        let t = Token::generate().unwrap();
        let auth = format!("Authorization: {}\r\n", t.expose());
        assert_eq!(checked(&request(&auth), &t), Ok(()));
        assert_eq!(checked(&request(""), &t), Err(401));
        assert_eq!(checked(&request("Authorization: nope\r\n"), &t), Err(403));
        let twice = format!("{auth}{auth}");
        assert_eq!(checked(&request(&twice), &t), Err(403));
        let other_host = format!("GET / HTTP/1.1\r\nHost: evil.example:8080\r\n{auth}\r\n");
        assert_eq!(checked(other_host.as_bytes(), &t), Err(421));
        let no_host = format!("GET / HTTP/1.1\r\n{auth}\r\n");
        assert_eq!(checked(no_host.as_bytes(), &t), Err(421));
        let localhost = format!("GET / HTTP/1.1\r\nHost: LOCALHOST:8080\r\n{auth}\r\n");
        assert_eq!(checked(localhost.as_bytes(), &t), Ok(()));
        let path = format!("GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n{auth}\r\n");
        assert_eq!(checked(path.as_bytes(), &t), Err(404));
        let post = format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n{auth}\r\n");
        assert_eq!(checked(post.as_bytes(), &t), Err(405));
        let body = format!("{auth}Content-Length: 3\r\n");
        assert_eq!(checked(&request(&body), &t), Err(413));
    }

    #[test]
    fn incomplete_and_odd_heads() {
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: x"), None);
        assert_eq!(parse(b"\x00\x01 nonsense\r\n\r\n"), Some(Head::Malformed));
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: y\r\n"))
            .collect();
        assert_eq!(
            parse(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
            Some(Head::TooLarge)
        );
    }
}
