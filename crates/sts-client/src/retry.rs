//! When to try an STS call again and how long to wait first: up to three
//! attempts with exponential backoff and full jitter, as botocore's
//! `standard` retry mode. Pure: the random number comes from the caller.

use std::time::Duration;

use crate::error::StsError;

/// How many attempts a call gets and how the wait between them grows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (at least 1).
    pub max_attempts: u32,
    /// The longest possible wait before the second attempt; doubled for
    /// each attempt after that.
    pub base_delay: Duration,
    /// No wait is longer than this.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// botocore `standard` mode: 3 attempts, base 1 s, cap 20 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then send the request again (signed afresh).
    RetryAfter(Duration),
    /// Stop and return the error; `retries_exhausted` is `Some(n)` when the
    /// failed attempt was the last one allowed, after `n` retries. As in
    /// botocore's standard mode this holds whether or not the error itself
    /// was retryable, so `AccessDenied` after two throttled attempts reads
    /// `(reached max retries: 2)` exactly as the AWS CLI prints it.
    GiveUp { retries_exhausted: Option<u32> },
}

impl RetryPolicy {
    /// No retries at all.
    pub fn no_retries() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The decision after attempt number `attempt` (1 for the first) failed
    /// with `error`; `random` is uniform in `[0, 1)` and picks the jitter.
    pub fn decide(&self, attempt: u32, error: &StsError, random: f64) -> RetryDecision {
        // botocore checks the attempt count before the error, so the last
        // attempt is marked even when its error is not retryable.
        let max_attempts = self.max_attempts.max(1);
        if attempt >= max_attempts {
            return RetryDecision::GiveUp {
                retries_exhausted: Some(max_attempts - 1),
            };
        }
        if !error.is_retryable() {
            return RetryDecision::GiveUp {
                retries_exhausted: None,
            };
        }
        RetryDecision::RetryAfter(self.backoff(attempt, random))
    }

    /// Full jitter: uniform in `[0, min(max_backoff, base_delay * 2^(attempt-1)))`.
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let exponent = attempt.saturating_sub(1).min(32);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent.min(31))
            .min(self.max_backoff);
        ceiling.mul_f64(random)
    }
}
