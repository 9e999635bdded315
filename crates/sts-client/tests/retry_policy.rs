//! Retry decisions, and the client loop driven through a scripted
//! in-memory transport, sleeper and clock.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use rolectl_sts_client::{
    AssumeRoleInput, AssumeRoleWithWebIdentityInput, Credentials, Endpoint, HttpRequest,
    HttpResponse, Operation, Output, RetryDecision, RetryPolicy, Secret, Sleeper, StsClient,
    StsError, Transport, TransportError,
};
use time::macros::datetime;
use time::OffsetDateTime;

fn service_error(operation: &'static str, code: &str, status: u16) -> StsError {
    StsError::Service {
        operation,
        code: code.into(),
        message: "m".into(),
        kind: None,
        status,
        request_id: None,
        retries_exhausted: None,
    }
}

fn unexpected(status: u16) -> StsError {
    StsError::UnexpectedResponse {
        operation: "AssumeRole",
        status,
        content_type: None,
        problem: "p".into(),
        body_start: String::new(),
        retries_exhausted: None,
    }
}

fn transport_error() -> StsError {
    StsError::Transport {
        operation: "AssumeRole",
        source: TransportError::Timeout {
            url: "http://x/".into(),
            timeout: Duration::from_secs(1),
        },
        retries_exhausted: None,
    }
}

#[test]
fn retryable_errors() {
    for code in [
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    ] {
        assert!(
            service_error("AssumeRole", code, 400).is_retryable(),
            "{code}"
        );
    }
    assert!(
        service_error("AssumeRoleWithWebIdentity", "IDPCommunicationError", 400).is_retryable()
    );
    assert!(!service_error("AssumeRole", "IDPCommunicationError", 400).is_retryable());
    for status in [500, 502, 503, 504] {
        assert!(
            service_error("AssumeRole", "InternalFailure", status).is_retryable(),
            "{status}"
        );
        assert!(unexpected(status).is_retryable(), "{status}");
    }
    assert!(transport_error().is_retryable());
}

#[test]
fn errors_never_retried() {
    for code in [
        "AccessDenied",
        "ExpiredToken",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "ValidationError",
    ] {
        for status in [400, 403, 500, 503] {
            assert!(
                !service_error("AssumeRole", code, status).is_retryable(),
                "{code} {status}"
            );
        }
    }
    for status in [400, 403, 404, 501, 505] {
        assert!(!unexpected(status).is_retryable(), "{status}");
    }
    assert!(!StsError::MissingCredentials {
        operation: "AssumeRole"
    }
    .is_retryable());
}

#[test]
fn decisions_over_three_attempts() {
    let policy = RetryPolicy::default();
    let throttled = service_error("AssumeRole", "Throttling", 400);
    assert_eq!(
        policy.decide(1, &throttled, 0.5),
        RetryDecision::RetryAfter(Duration::from_millis(500))
    );
    assert_eq!(
        policy.decide(2, &throttled, 0.5),
        RetryDecision::RetryAfter(Duration::from_secs(1))
    );
    assert_eq!(
        policy.decide(3, &throttled, 0.5),
        RetryDecision::GiveUp {
            retries_exhausted: Some(2)
        }
    );
    let denied = service_error("AssumeRole", "AccessDenied", 403);
    assert_eq!(
        policy.decide(1, &denied, 0.5),
        RetryDecision::GiveUp {
            retries_exhausted: None
        }
    );
    assert_eq!(
        RetryPolicy::no_retries().decide(1, &throttled, 0.5),
        RetryDecision::GiveUp {
            retries_exhausted: Some(0)
        }
    );
    // botocore's standard mode counts attempts before it looks at the
    // error, so the last attempt is marked even when it is not retryable.
    assert_eq!(
        policy.decide(3, &denied, 0.5),
        RetryDecision::GiveUp {
            retries_exhausted: Some(2)
        }
    );
    assert_eq!(
        RetryPolicy::no_retries().decide(1, &denied, 0.5),
        RetryDecision::GiveUp {
            retries_exhausted: Some(0)
        }
    );
}

#[test]
fn too_many_requests_is_retried_unless_the_code_is_modeled() {
    // botocore's ThrottlingStatusCodeChecker: a 429 whose code the
    // operation does not model is throttling.
    assert!(service_error("GetCallerIdentity", "Whatever", 429).is_retryable());
    assert!(service_error("GetCallerIdentity", "ServiceOverloaded", 429).is_retryable());
    assert!(service_error("GetSessionToken", "Other", 429).is_retryable());
    assert!(!service_error("GetSessionToken", "RegionDisabledException", 429).is_retryable());
    assert!(!service_error("AssumeRole", "MalformedPolicyDocument", 429).is_retryable());
    assert!(!service_error("AssumeRole", "Whatever", 400).is_retryable());
    assert!(!service_error("AssumeRole", "AccessDenied", 429).is_retryable());
    assert!(unexpected(429).is_retryable());
}

#[test]
fn backoff_is_full_jitter_and_capped() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.backoff(1, 0.0), Duration::ZERO);
    assert_eq!(
        policy.backoff(1, 0.999),
        Duration::from_secs(1).mul_f64(0.999)
    );
    assert_eq!(policy.backoff(3, 1.0), Duration::from_secs(4));
    assert_eq!(
        policy.backoff(10, 1.0),
        Duration::from_secs(20),
        "capped at max_backoff"
    );
    assert_eq!(policy.backoff(1000, 0.5), Duration::from_secs(10));
    assert_eq!(policy.backoff(2, f64::NAN), Duration::ZERO);
    assert_eq!(
        policy.backoff(2, 7.0),
        Duration::from_secs(2),
        "random is clamped to 1"
    );
}

/// Replies from a script, records requests.
#[derive(Default)]
struct Scripted {
    replies: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    requests: RefCell<Vec<HttpRequest>>,
}

impl Scripted {
    fn new(replies: Vec<Result<HttpResponse, TransportError>>) -> Self {
        Scripted {
            replies: RefCell::new(replies.into()),
            requests: RefCell::default(),
        }
    }
}

impl Transport for Scripted {
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        self.requests.borrow_mut().push(request);
        let reply = self
            .replies
            .borrow_mut()
            .pop_front()
            .expect("no scripted reply left");
        async move { reply }
    }
}

#[derive(Default)]
struct RecordingSleeper(RefCell<Vec<Duration>>);

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        self.0.borrow_mut().push(duration);
        async {}
    }
}

impl Sleeper for &RecordingSleeper {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        (*self).sleep(duration)
    }
}

fn throttling() -> HttpResponse {
    HttpResponse {
        status: 400,
        headers: vec![],
        body: b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>".to_vec(),
    }
}

fn identity() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".to_vec(),
    }
}

fn endpoint() -> Endpoint {
    Endpoint {
        url: "http://127.0.0.1:1".into(),
        signing_region: "us-east-1".into(),
    }
}

fn keys() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "secret", None)
}

/// Each call to the clock is one second later.
fn ticking_clock() -> impl Fn() -> OffsetDateTime {
    let tick = std::cell::Cell::new(0);
    move || {
        tick.set(tick.get() + 1);
        datetime!(2026-01-02 03:04:00 UTC) + Duration::from_secs(tick.get())
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn client_retries_then_succeeds_and_re_signs_each_attempt() {
    let transport = Scripted::new(vec![
        Ok(HttpResponse {
            status: 503,
            headers: vec![],
            body: b"<html>busy</html>".to_vec(),
        }),
        Err(TransportError::Broken {
            url: "http://127.0.0.1:1/".into(),
            reason: "connection reset".into(),
        }),
        Ok(identity()),
    ]);
    let sleeper = RecordingSleeper::default();
    let client = StsClient::new(transport, &sleeper).with_jitter_seed(7);
    let output = block_on(client.call(
        &Operation::GetCallerIdentity,
        &endpoint(),
        Some(&keys()),
        &ticking_clock(),
    ))
    .unwrap();
    assert!(
        matches!(output, Output::GetCallerIdentity(ref id) if id.arn == "arn:aws:iam::1:user/u")
    );
    let requests = client.transport().requests.borrow();
    assert_eq!(requests.len(), 3);
    let dates: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-amz-date").unwrap().to_owned())
        .collect();
    assert_eq!(
        dates,
        ["20260102T030401Z", "20260102T030402Z", "20260102T030403Z"]
    );
    let sleeps = sleeper.0.borrow();
    assert_eq!(sleeps.len(), 2);
    assert!(
        sleeps[0] < Duration::from_secs(1) && sleeps[1] < Duration::from_secs(2),
        "{sleeps:?}"
    );
}

#[test]
fn jitter_is_reproducible_from_the_seed() {
    let run = |seed| {
        let sleeper = RecordingSleeper::default();
        let client = StsClient::new(
            Scripted::new(vec![Ok(throttling()), Ok(throttling()), Ok(throttling())]),
            &sleeper,
        )
        .with_jitter_seed(seed);
        let _ = block_on(client.call(
            &Operation::GetCallerIdentity,
            &endpoint(),
            Some(&keys()),
            &ticking_clock(),
        ));
        let sleeps = sleeper.0.borrow().clone();
        sleeps
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn client_gives_up_after_three_throttled_attempts() {
    let sleeper = RecordingSleeper::default();
    let client = StsClient::new(
        Scripted::new(vec![Ok(throttling()), Ok(throttling()), Ok(throttling())]),
        &sleeper,
    );
    let op = Operation::AssumeRole(AssumeRoleInput {
        role_arn: "arn:aws:iam::1:role/r".into(),
        role_session_name: "s1".into(),
        ..Default::default()
    });
    let error =
        block_on(client.call(&op, &endpoint(), Some(&keys()), &ticking_clock())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (Throttling) when calling the AssumeRole operation (reached max retries: 2): Rate exceeded"
    );
    assert_eq!(client.transport().requests.borrow().len(), 3);
    assert_eq!(sleeper.0.borrow().len(), 2);
}

#[test]
fn client_does_not_retry_access_denied() {
    let denied = HttpResponse {
        status: 403,
        headers: vec![],
        body: b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>".to_vec(),
    };
    let sleeper = RecordingSleeper::default();
    let client = StsClient::new(Scripted::new(vec![Ok(denied)]), &sleeper);
    let error = block_on(client.call(
        &Operation::GetCallerIdentity,
        &endpoint(),
        Some(&keys()),
        &ticking_clock(),
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (AccessDenied) when calling the GetCallerIdentity operation: no"
    );
    assert_eq!(client.transport().requests.borrow().len(), 1);
    assert!(sleeper.0.borrow().is_empty());
}

#[test]
fn last_attempt_names_the_retries_even_when_not_retryable() {
    // What botocore 1.44 (standard mode, 3 attempts) prints for
    // Throttling, Throttling, AccessDenied.
    let denied = HttpResponse {
        status: 403,
        headers: vec![],
        body: b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>msg</Message></Error></ErrorResponse>".to_vec(),
    };
    let sleeper = RecordingSleeper::default();
    let client = StsClient::new(
        Scripted::new(vec![Ok(throttling()), Ok(throttling()), Ok(denied)]),
        &sleeper,
    );
    let error = block_on(client.call(
        &Operation::GetCallerIdentity,
        &endpoint(),
        Some(&keys()),
        &ticking_clock(),
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (AccessDenied) when calling the GetCallerIdentity operation \
         (reached max retries: 2): msg"
    );
    assert_eq!(client.transport().requests.borrow().len(), 3);
    assert_eq!(sleeper.0.borrow().len(), 2);
}

#[test]
fn idp_communication_error_is_retried_for_web_identity() {
    let idp = HttpResponse {
        status: 400,
        headers: vec![],
        body: b"<ErrorResponse><Error><Code>IDPCommunicationError</Code><Message>try again</Message></Error></ErrorResponse>".to_vec(),
    };
    let sleeper = RecordingSleeper::default();
    let client = StsClient::new(
        Scripted::new(vec![Ok(idp.clone()), Ok(idp.clone()), Ok(idp)]),
        &sleeper,
    );
    let op = Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput {
        role_arn: "arn:aws:iam::1:role/r".into(),
        role_session_name: "s1".into(),
        web_identity_token: Secret::new("token"),
        ..Default::default()
    });
    let error = block_on(client.call(&op, &endpoint(), None, &ticking_clock())).unwrap_err();
    assert_eq!(error.retries_exhausted(), Some(2));
    let requests = client.transport().requests.borrow();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.header("authorization").is_none()));
}

#[test]
fn transport_failures_exhaust_with_the_retry_note() {
    let timeout = || {
        Err(TransportError::Timeout {
            url: "http://127.0.0.1:1/".into(),
            timeout: Duration::from_millis(300),
        })
    };
    let sleeper = RecordingSleeper::default();
    let client = StsClient::new(
        Scripted::new(vec![timeout(), timeout(), timeout()]),
        &sleeper,
    );
    let error = block_on(client.call(
        &Operation::GetCallerIdentity,
        &endpoint(),
        Some(&keys()),
        &ticking_clock(),
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Read timeout on endpoint URL: \"http://127.0.0.1:1/\" (no complete response within 300ms). \
         The GetCallerIdentity call failed (reached max retries: 2)."
    );
}
