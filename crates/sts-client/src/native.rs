//! The native transport (reqwest with rustls) and a tokio sleeper, behind
//! the default `native` feature.

use std::error::Error as _;
use std::future::Future;
use std::time::Duration;

use crate::client::{Sleeper, Transport};
use crate::error::TransportError;
use crate::request::HttpRequest;
use crate::response::HttpResponse;

/// Timeouts and limits of [`ReqwestTransport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportConfig {
    /// Time allowed to set up TCP and TLS.
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, body included.
    pub timeout: Duration,
    /// A larger response body is not an STS response; reading stops there.
    pub max_body_bytes: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(10),
            max_body_bytes: 1 << 20,
        }
    }
}

/// HTTPS (rustls, no OpenSSL) or plain HTTP through reqwest. Follows no
/// redirects: STS never sends one, and a signed request must not wander.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    config: TransportConfig,
}

impl ReqwestTransport {
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("rolectl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| TransportError::Other {
                url: String::new(),
                reason: format!("the HTTP client could not be set up: {}", describe(&error)),
            })?;
        Ok(ReqwestTransport { client, config })
    }

    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = request.url.clone();
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            TransportError::Other {
                url: url.clone(),
                reason: format!("\"{}\" is not an HTTP method", request.method),
            }
        })?;
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder
            .body(request.body)
            .send()
            .await
            .map_err(|error| self.classify(&url, &error))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.classify(&url, &error))?
        {
            if body.len() + chunk.len() > self.config.max_body_bytes {
                return Err(TransportError::TooLarge {
                    url,
                    limit: self.config.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    fn classify(&self, url: &str, error: &reqwest::Error) -> TransportError {
        let url = url.to_owned();
        if error.is_timeout() {
            if error.is_connect() {
                TransportError::ConnectTimeout {
                    url,
                    timeout: self.config.connect_timeout,
                }
            } else {
                TransportError::Timeout {
                    url,
                    timeout: self.config.timeout,
                }
            }
        } else if error.is_connect() {
            TransportError::Connect {
                url,
                reason: describe(error),
            }
        } else if error.is_body() || error.is_decode() || error.is_request() {
            TransportError::Broken {
                url,
                reason: describe(error),
            }
        } else {
            TransportError::Other {
                url,
                reason: describe(error),
            }
        }
    }
}

impl Transport for ReqwestTransport {
    #[allow(refining_impl_trait)]
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        self.exchange(request)
    }
}

/// The innermost causes of a reqwest error, which say what happened
/// (`connection refused`, `unexpected end of file`), without the URL that
/// the outer error repeats.
fn describe(error: &reqwest::Error) -> String {
    let mut reason = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !reason.contains(&text) {
            if !reason.is_empty() {
                reason.push_str(": ");
            }
            reason.push_str(&text);
        }
        source = cause.source();
    }
    if reason.is_empty() {
        reason = error.to_string();
    }
    reason
}

/// Waits with `tokio::time::sleep` (needs a runtime with the time driver).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    #[allow(refining_impl_trait)]
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// The system clock, for native front ends.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl crate::client::Clock for SystemClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}
