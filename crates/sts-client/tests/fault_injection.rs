//! The native transport and the retry loop against a small HTTP server of
//! the test's own on 127.0.0.1 that misbehaves on purpose: error statuses,
//! throttling, HTML, empty and cut-off bodies, silence.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rolectl_sts_client::{
    AssumeRoleInput, Credentials, Endpoint, Operation, Output, ReqwestTransport, RetryPolicy,
    StsClient, StsError, SystemClock, TokioSleeper, TransportConfig, TransportError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one connection.
#[derive(Clone)]
enum Reply {
    /// A complete response with `Content-Length`.
    Respond {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Announces `declared` body bytes, sends `body` (fewer), and hangs up.
    ShortBody { declared: usize, body: Vec<u8> },
    /// No `Content-Length`: the body ends when the connection closes.
    UntilClose { status: u16, body: Vec<u8> },
    /// Reads the request and never answers.
    Silence,
    /// Sends the status line, headers and the start of the body, then
    /// stalls without closing.
    StallMidBody,
}

struct FaultServer {
    url: String,
    /// One verdict per request the server read, sent before it answers:
    /// `Err` says what was wrong with the request. A panic in the server's
    /// own task would only drop the connection, which some tests expect.
    verdicts: mpsc::Receiver<Result<(), String>>,
    seen: Cell<usize>,
}

impl FaultServer {
    /// How many requests the server has read so far; fails the test if one
    /// of them was not an STS call. Each verdict is sent before the answer,
    /// so once the client has its result every verdict is here.
    fn requests(&self) -> usize {
        let mut seen = self.seen.get();
        while let Ok(verdict) = self.verdicts.try_recv() {
            if let Err(problem) = verdict {
                panic!("the server failed: {problem}");
            }
            seen += 1;
        }
        self.seen.set(seen);
        seen
    }
}

/// Serves `replies` in order, one per connection; the last one repeats.
async fn serve(replies: Vec<Reply>) -> FaultServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (verdict, verdicts) = mpsc::channel();
    let counter = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let index = counter.fetch_add(1, Ordering::SeqCst);
            let reply = replies[index.min(replies.len() - 1)].clone();
            tokio::spawn(answer(stream, reply, verdict.clone()));
        }
    });
    FaultServer {
        url,
        verdicts,
        seen: Cell::new(0),
    }
}

async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return data;
            }
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return data,
            Ok(read) => data.extend_from_slice(&buffer[..read]),
        }
    }
}

/// What is wrong with `request` as an STS call sent by the client, if anything.
fn check_request(request: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(request);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Err(format!("an incomplete request: {text:?}"));
    };
    let lower = head.to_ascii_lowercase();
    let wanted = [
        (
            head.starts_with("POST / HTTP/1.1\r\n"),
            "the request line POST / HTTP/1.1",
        ),
        (
            lower
                .contains("\r\ncontent-type: application/x-www-form-urlencoded; charset=utf-8\r\n"),
            "the form Content-Type",
        ),
        (
            lower.contains("\r\nauthorization: aws4-hmac-sha256 credential=akidexample/"),
            "a SigV4 Authorization with the test's key",
        ),
        (body.starts_with("Action="), "a form body naming its Action"),
    ];
    match wanted.iter().find(|(ok, _)| !ok) {
        Some((_, what)) => Err(format!("missing {what}: {text:?}")),
        None => Ok(()),
    }
}

async fn answer(mut stream: TcpStream, reply: Reply, verdict: mpsc::Sender<Result<(), String>>) {
    let request = read_request(&mut stream).await;
    let checked = check_request(&request);
    let bad = checked.is_err();
    // The test may be over already (its receiver gone): nothing to tell then.
    let _ = verdict.send(checked);
    if bad {
        return;
    }
    let response = match reply {
        Reply::Respond {
            status,
            content_type,
            body,
        } => [
            format!(
                "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes(),
            body,
        ]
        .concat(),
        Reply::ShortBody { declared, body } => [
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {declared}\r\n\r\n")
                .into_bytes(),
            body,
        ]
        .concat(),
        Reply::UntilClose { status, body } => [
            format!("HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n").into_bytes(),
            body,
        ]
        .concat(),
        Reply::Silence => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            return;
        }
        Reply::StallMidBody => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
                IDENTITY.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&IDENTITY.as_bytes()[..40]).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            return;
        }
    };
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

const IDENTITY: &str =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
    <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId>\
    <Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

const THROTTLING: &str =
    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
    <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
    <RequestId>1f2d</RequestId></ErrorResponse>";

const HTML: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n\
    <body><h1>Internal Server Error</h1></body></html>";

fn xml(status: u16, body: &str) -> Reply {
    Reply::Respond {
        status,
        content_type: "text/xml",
        body: body.as_bytes().to_vec(),
    }
}

fn html(status: u16) -> Reply {
    Reply::Respond {
        status,
        content_type: "text/html",
        body: HTML.as_bytes().to_vec(),
    }
}

/// Short timeouts and backoff so failures come quickly.
fn client() -> StsClient<ReqwestTransport, TokioSleeper> {
    let transport = ReqwestTransport::new(TransportConfig {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_millis(700),
        ..TransportConfig::default()
    })
    .unwrap();
    StsClient::new(transport, TokioSleeper).with_retry_policy(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
    })
}

fn keys() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "secret", None)
}

async fn call_at(server_url: &str, op: &Operation) -> Result<Output, StsError> {
    let endpoint = Endpoint {
        url: server_url.to_owned(),
        signing_region: "us-east-1".into(),
    };
    client()
        .call(op, &endpoint, Some(&keys()), &SystemClock)
        .await
}

/// Calls `server`; a request the server found wrong fails the test here,
/// before the test looks at what the client made of the dropped connection.
async fn call(server: &FaultServer, op: &Operation) -> Result<Output, StsError> {
    let result = call_at(&server.url, op).await;
    server.requests();
    result
}

async fn caller_identity(server: &FaultServer) -> Result<Output, StsError> {
    call(server, &Operation::GetCallerIdentity).await
}

#[tokio::test]
async fn service_unavailable_then_success_is_retried() {
    let server = serve(vec![html(503), xml(200, IDENTITY)]).await;
    let output = caller_identity(&server).await.unwrap();
    let Output::GetCallerIdentity(identity) = output else {
        panic!("wrong variant")
    };
    assert_eq!(identity.arn, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn throttling_three_times_gives_up_like_the_aws_cli() {
    let server = serve(vec![xml(400, THROTTLING)]).await;
    let op = Operation::AssumeRole(AssumeRoleInput {
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        role_session_name: "s1".into(),
        ..Default::default()
    });
    let error = call(&server, &op).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (Throttling) when calling the AssumeRole operation (reached max retries: 2): Rate exceeded"
    );
    assert_eq!(error.code(), Some("Throttling"));
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn access_denied_is_not_retried() {
    let denied = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>";
    let server = serve(vec![xml(403, denied), xml(200, IDENTITY)]).await;
    let error = caller_identity(&server).await.unwrap_err();
    assert_eq!(error.code(), Some("AccessDenied"));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn html_error_page_is_reported_with_what_came_back() {
    let server = serve(vec![html(500)]).await;
    let error = caller_identity(&server).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("An error occurred (500) when calling the GetCallerIdentity operation (reached max retries: 2): the response is not a valid STS answer"),
        "{text}"
    );
    assert!(text.contains("HTTP 500, Content-Type text/html"), "{text}");
    assert!(
        text.contains(
            r#"body starts with "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error"#
        ),
        "{text}"
    );
    assert_eq!(server.requests(), 3);

    // A 200 with HTML is not an STS answer either, and not worth retrying.
    let server = serve(vec![html(200)]).await;
    let text = caller_identity(&server).await.unwrap_err().to_string();
    assert!(
        text.contains("a <html> document instead of <GetCallerIdentityResponse>"),
        "{text}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn empty_body_is_reported() {
    let server = serve(vec![xml(200, "")]).await;
    let text = caller_identity(&server).await.unwrap_err().to_string();
    assert!(text.contains("(the body is empty)"), "{text}");
    assert!(
        text.contains("HTTP 200, Content-Type text/xml, empty body"),
        "{text}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn body_shorter_than_its_length_is_a_broken_connection() {
    let server = serve(vec![Reply::ShortBody {
        declared: 400,
        body: IDENTITY.as_bytes()[..60].to_vec(),
    }])
    .await;
    let error = caller_identity(&server).await.unwrap_err();
    match &error {
        StsError::Transport {
            source: TransportError::Broken { url, .. },
            retries_exhausted: Some(2),
            ..
        } => assert_eq!(url, &format!("{}/", server.url)),
        other => panic!("expected a broken connection, got {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "The connection to the endpoint URL \"{}/\" failed mid-request:",
            server.url
        )),
        "{text}"
    );
    assert!(
        text.ends_with("The GetCallerIdentity call failed (reached max retries: 2)."),
        "{text}"
    );
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn document_cut_off_at_connection_close_is_reported() {
    let server = serve(vec![Reply::UntilClose {
        status: 200,
        body: IDENTITY.as_bytes()[..120].to_vec(),
    }])
    .await;
    let text = caller_identity(&server).await.unwrap_err().to_string();
    assert!(
        text.contains("(the XML document is cut off before its end)"),
        "{text}"
    );
    assert!(
        text.contains(r#"body starts with "<GetCallerIdentityResponse xmlns="#),
        "{text}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn silent_server_times_out_within_the_timeout() {
    let server = serve(vec![Reply::Silence]).await;
    let started = Instant::now();
    let error = caller_identity(&server).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(
        error.to_string(),
        format!(
            "Read timeout on endpoint URL: \"{}/\" (no complete response within 700ms). \
             The GetCallerIdentity call failed (reached max retries: 2).",
            server.url
        )
    );
    // Three attempts of 0.7 s each (no attempt gives up early) plus two
    // short waits; far below the defaults.
    assert!(elapsed >= Duration::from_millis(2100), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn body_that_stalls_times_out_within_the_total_timeout() {
    // The total timeout covers reading the body, not just the headers.
    let server = serve(vec![Reply::StallMidBody]).await;
    let started = Instant::now();
    let error = caller_identity(&server).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            error,
            StsError::Transport {
                source: TransportError::Timeout { .. },
                retries_exhausted: Some(2),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(elapsed >= Duration::from_millis(2100), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    // Bind, learn the port, close: nothing listens there any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let error = call_at(&url, &Operation::GetCallerIdentity)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "Could not connect to the endpoint URL: \"{url}/\""
        )),
        "{text}"
    );
    assert_eq!(error.retries_exhausted(), Some(2));
}

#[tokio::test]
async fn native_call_future_is_send() {
    let server = serve(vec![xml(200, IDENTITY)]).await;
    let url = server.url.clone();
    // tokio::spawn requires a Send future.
    let output = tokio::spawn(async move { call_at(&url, &Operation::GetCallerIdentity).await })
        .await
        .unwrap();
    assert_eq!(server.requests(), 1);
    assert!(matches!(output, Ok(Output::GetCallerIdentity(_))));
}
