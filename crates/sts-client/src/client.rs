//! The I/O boundary: a [`Transport`] moves bytes, a [`Sleeper`] waits, a
//! [`Clock`] tells the time, and [`StsClient`] builds, signs, sends, parses
//! and retries with whatever implementations the front end supplies.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use rolectl_sigv4::Credentials;
use time::OffsetDateTime;

use crate::error::{StsError, TransportError};
use crate::model::{Endpoint, Operation, Output};
use crate::request::{build_request, HttpRequest};
use crate::response::{parse_response, HttpResponse};
use crate::retry::{RetryDecision, RetryPolicy};

/// Sends one HTTP request and returns the response, whatever its status.
/// No `Send` bound, so a browser `fetch` transport can implement it.
pub trait Transport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>>;
}

/// Waits between attempts.
pub trait Sleeper {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
}

/// The time each attempt is signed at.
pub trait Clock {
    fn now(&self) -> OffsetDateTime;
}

impl<F: Fn() -> OffsetDateTime> Clock for F {
    fn now(&self) -> OffsetDateTime {
        self()
    }
}

/// Calls STS through a transport, with retries.
pub struct StsClient<T, S> {
    transport: T,
    sleeper: S,
    policy: RetryPolicy,
    rng: Mutex<fastrand::Rng>,
}

impl<T: Transport, S: Sleeper> StsClient<T, S> {
    /// A client with the default retry policy. Natively the jitter is
    /// seeded from the process; elsewhere call [`StsClient::with_jitter_seed`].
    pub fn new(transport: T, sleeper: S) -> Self {
        StsClient {
            transport,
            sleeper,
            policy: RetryPolicy::default(),
            rng: Mutex::new(default_rng()),
        }
    }

    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Seeds the jitter, for reproducible runs or where the platform has no
    /// seed of its own (WebAssembly).
    pub fn with_jitter_seed(self, seed: u64) -> Self {
        StsClient {
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            ..self
        }
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Calls `op` at `endpoint`: builds and signs the request (afresh for
    /// every attempt, at `clock.now()`), sends it, parses the answer, and
    /// retries what the policy says to retry.
    pub async fn call(
        &self,
        op: &Operation,
        endpoint: &Endpoint,
        credentials: Option<&Credentials>,
        clock: &impl Clock,
    ) -> Result<Output, StsError> {
        let mut attempt = 1;
        loop {
            let request = build_request(op, endpoint, credentials, clock.now())?;
            let error = match self.transport.send(request).await {
                Ok(response) => match parse_response(op, &response) {
                    Ok(output) => return Ok(output),
                    Err(error) => error,
                },
                Err(source) => StsError::Transport {
                    operation: op.name(),
                    source,
                    retries_exhausted: None,
                },
            };
            let random = self
                .rng
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .f64();
            match self.policy.decide(attempt, &error, random) {
                RetryDecision::RetryAfter(delay) => {
                    self.sleeper.sleep(delay).await;
                    attempt += 1;
                }
                RetryDecision::GiveUp {
                    retries_exhausted: Some(retries),
                } => return Err(error.with_retries_exhausted(retries)),
                RetryDecision::GiveUp {
                    retries_exhausted: None,
                } => return Err(error),
            }
        }
    }
}

#[cfg(feature = "native")]
fn default_rng() -> fastrand::Rng {
    fastrand::Rng::new()
}

#[cfg(not(feature = "native"))]
fn default_rng() -> fastrand::Rng {
    // No portable seed source without the native feature; front ends pass one.
    fastrand::Rng::with_seed(0x5eed_5175)
}
