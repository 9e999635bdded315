//! What can go wrong calling STS, worded the way the AWS CLI words it, so a
//! user who knows `aws` recognises every message.

use std::fmt;
use std::time::Duration;

/// A failure below HTTP: no response, or no complete one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// DNS, TCP or TLS failed before a request could be sent.
    #[error("Could not connect to the endpoint URL: \"{url}\" ({reason}).")]
    Connect { url: String, reason: String },
    /// The connection was not set up within the connect timeout.
    #[error("Connect timeout on endpoint URL: \"{url}\" (no connection within {timeout:?}).")]
    ConnectTimeout { url: String, timeout: Duration },
    /// No complete response arrived within the total timeout.
    #[error("Read timeout on endpoint URL: \"{url}\" (no complete response within {timeout:?}).")]
    Timeout { url: String, timeout: Duration },
    /// The connection broke while the request or response was in flight
    /// (for example a body shorter than its `Content-Length`).
    #[error("The connection to the endpoint URL \"{url}\" failed mid-request: {reason}.")]
    Broken { url: String, reason: String },
    /// The response body was larger than the transport accepts.
    #[error("The response from the endpoint URL \"{url}\" is larger than {limit} bytes; it cannot be an STS response.")]
    TooLarge { url: String, limit: usize },
    /// Anything else the transport reports (for example a browser `fetch` rejection).
    #[error("The request to the endpoint URL \"{url}\" failed: {reason}.")]
    Other { url: String, reason: String },
}

/// Why an STS call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    /// STS answered with an error document (`<ErrorResponse>`).
    #[error("An error occurred ({code}) when calling the {operation} operation{}: {message}", RetryNote(*.retries_exhausted))]
    Service {
        operation: &'static str,
        code: String,
        message: String,
        /// `Sender` or `Receiver`, when the envelope says.
        kind: Option<String>,
        status: u16,
        request_id: Option<String>,
        /// `Some(n)` when the call gave up after `n` retries.
        retries_exhausted: Option<u32>,
    },
    /// The peer answered with something that is not an STS document: an
    /// HTML error page, an empty or cut-off body, or XML without the fields
    /// the operation returns.
    #[error("An error occurred ({status}) when calling the {operation} operation{}: the response is not a valid STS answer ({problem}): HTTP {status}, Content-Type {}, {}", RetryNote(*.retries_exhausted), content_type.as_deref().unwrap_or("(none)"), BodyStart(body_start))]
    UnexpectedResponse {
        operation: &'static str,
        status: u16,
        content_type: Option<String>,
        /// What is wrong with the body, in a few words.
        problem: String,
        /// The first bytes of the body, control characters escaped.
        body_start: String,
        retries_exhausted: Option<u32>,
    },
    /// The request never got a complete response.
    #[error("{source} The {operation} call failed{}.", RetryNote(*.retries_exhausted))]
    Transport {
        operation: &'static str,
        source: TransportError,
        retries_exhausted: Option<u32>,
    },
    /// The endpoint URL cannot be used for a request.
    #[error("The STS endpoint URL \"{url}\" cannot be used: {reason}.")]
    InvalidEndpoint { url: String, reason: &'static str },
    /// A signed operation was asked for without credentials to sign it.
    #[error("The {operation} operation must be signed, but no credentials were given to sign it.")]
    MissingCredentials { operation: &'static str },
    /// A parameter breaks the API model's limits (length, range, pattern);
    /// nothing was sent.
    #[error("Parameter validation failed for the {operation} operation: {message}.")]
    InvalidParameter {
        operation: &'static str,
        message: String,
    },
    /// The signer refused the request.
    #[error("The {operation} request could not be signed: {reason}")]
    Signing {
        operation: &'static str,
        reason: String,
    },
}

impl StsError {
    /// The STS error code (`AccessDenied`, `Throttling`, ...), when STS sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            StsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            StsError::Service { status, .. } | StsError::UnexpectedResponse { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Whether trying the same call again may succeed: throttling and
    /// transient codes, HTTP 500/502/503/504, HTTP 429 with a code the
    /// operation does not model (botocore's standard mode), and transport
    /// failures. `IDPCommunicationError` counts only for
    /// `AssumeRoleWithWebIdentity`, the one operation that returns it; codes
    /// in [`NEVER_RETRY`] are never retried, whatever the status.
    pub fn is_retryable(&self) -> bool {
        match self {
            StsError::Service {
                code,
                status,
                operation,
                ..
            } => {
                if NEVER_RETRY.contains(&code.as_str()) {
                    return false;
                }
                THROTTLING_CODES.contains(&code.as_str())
                    || TRANSIENT_CODES.contains(&code.as_str())
                    || (code == "IDPCommunicationError"
                        && *operation == "AssumeRoleWithWebIdentity")
                    || is_retryable_status(*status)
                    || (*status == 429 && !is_modeled_error(operation, code))
            }
            StsError::UnexpectedResponse { status, .. } => {
                is_retryable_status(*status) || *status == 429
            }
            StsError::Transport { source, .. } => {
                !matches!(source, TransportError::TooLarge { .. })
            }
            StsError::InvalidEndpoint { .. }
            | StsError::MissingCredentials { .. }
            | StsError::InvalidParameter { .. }
            | StsError::Signing { .. } => false,
        }
    }

    /// The number of retries after which the call gave up, if it did.
    pub fn retries_exhausted(&self) -> Option<u32> {
        match self {
            StsError::Service {
                retries_exhausted, ..
            }
            | StsError::UnexpectedResponse {
                retries_exhausted, ..
            }
            | StsError::Transport {
                retries_exhausted, ..
            } => *retries_exhausted,
            _ => None,
        }
    }

    /// Marks the error as the last of `retries` retries, which adds
    /// ` (reached max retries: N)` to its message as the AWS CLI does.
    pub fn with_retries_exhausted(mut self, retries: u32) -> Self {
        match &mut self {
            StsError::Service {
                retries_exhausted, ..
            }
            | StsError::UnexpectedResponse {
                retries_exhausted, ..
            }
            | StsError::Transport {
                retries_exhausted, ..
            } => *retries_exhausted = Some(retries),
            _ => {}
        }
        self
    }
}

/// Codes botocore's `standard` retry mode treats as transient.
pub const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// Codes that mean "slow down" (botocore's `standard` retry mode list);
/// always worth another attempt.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Codes that retrying cannot fix, whatever the HTTP status.
pub const NEVER_RETRY: &[&str] = &[
    "AccessDenied",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ValidationError",
    "MalformedPolicyDocument",
    "PackedPolicyTooLarge",
    "RegionDisabledException",
    "InvalidIdentityToken",
    "IDPRejectedClaim",
];

/// Whether `code` is one of the errors the STS API model lists for
/// `operation`. botocore retries an HTTP 429 only when its code is not
/// modeled: a modeled error says what went wrong, a 429 alone says "slow
/// down".
fn is_modeled_error(operation: &str, code: &str) -> bool {
    let modeled: &[&str] = match operation {
        "AssumeRole" => &[
            "MalformedPolicyDocument",
            "PackedPolicyTooLarge",
            "RegionDisabledException",
            "ExpiredTokenException",
            "InvalidContextAssertion",
        ],
        "AssumeRoleWithWebIdentity" => &[
            "MalformedPolicyDocument",
            "PackedPolicyTooLarge",
            "IDPRejectedClaim",
            "IDPCommunicationError",
            "InvalidIdentityToken",
            "ExpiredTokenException",
            "RegionDisabledException",
        ],
        "GetSessionToken" => &["RegionDisabledException"],
        "GetFederationToken" => &[
            "MalformedPolicyDocument",
            "PackedPolicyTooLarge",
            "RegionDisabledException",
        ],
        _ => &[],
    };
    modeled.contains(&code)
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

struct RetryNote(Option<u32>);

impl fmt::Display for RetryNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(retries) => write!(f, " (reached max retries: {retries})"),
            None => Ok(()),
        }
    }
}

struct BodyStart<'a>(&'a str);

impl fmt::Display for BodyStart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("empty body")
        } else {
            write!(f, "body starts with \"{}\"", self.0)
        }
    }
}

/// The first `limit` characters of `body` as text, with control characters,
/// quotes and backslashes escaped so the snippet is safe to print on a
/// terminal; an ellipsis marks a cut.
pub fn body_snippet(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    for (count, ch) in text.chars().enumerate() {
        if count == limit {
            out.push_str("...");
            break;
        }
        if ch.is_control() || ch == '"' || ch == '\\' {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}
