//! The HTTP credential sources: the EC2 instance metadata service (IMDSv2
//! with the v1 fallback) and the container credentials endpoint. Short
//! timeouts and a size bound, so a laptop gets an error in about a second.

use std::time::Duration;

use rolectl_resolver::ImdsRequest;
use rolectl_sigv4::Secret;

use crate::http;

/// A credentials document is a few hundred bytes.
const MAX_BODY: usize = 64 * 1024;
/// botocore's container fetcher: 2 s per attempt, 3 attempts.
const CONTAINER_TIMEOUT: Duration = Duration::from_secs(2);
const CONTAINER_ATTEMPTS: u32 = 3;

fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    http::client(timeout, timeout, false)
        .map_err(|e| format!("the HTTP client could not be set up: {e}"))
}

/// Status and body (cut at [`MAX_BODY`]) of one request.
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, String), reqwest::Error> {
    let mut response = request.send().await?;
    let status = response.status().as_u16();
    let (body, _) = http::read_body(&mut response, MAX_BODY).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn describe(url: &str, error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!("{url} did not answer within {} s", timeout.as_secs())
    } else if error.is_connect() {
        format!("{url} could not be reached")
    } else {
        format!("{url} failed: {error}")
    }
}

/// IMDS credentials: a session token (`PUT latest/api/token`), the role
/// name, then its document. On 403, 404, 405 or a timeout of the token
/// request it goes on without a token (IMDSv1) unless `v1_disabled`.
pub async fn imds(request: &ImdsRequest, v1_disabled: bool) -> Result<String, String> {
    let timeout = Duration::from_secs(u64::from(request.timeout_seconds.max(1)));
    let client = client(timeout)?;
    let base = if request.endpoint.ends_with('/') {
        request.endpoint.clone()
    } else {
        format!("{}/", request.endpoint)
    };
    let attempts = request.attempts.max(1);
    let token_url = format!("{base}latest/api/token");
    let mut token: Option<String> = None;
    let mut last = String::new();
    for _ in 0..attempts {
        let put = client
            .put(&token_url)
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600");
        match send(put).await {
            Ok((200, body)) => {
                token = Some(body);
                break;
            }
            Ok((status @ 403..=405, _)) => {
                last = format!("{token_url} answered {status}");
                break;
            }
            // botocore's BadIMDSRequestError: no IMDSv1 fallback.
            Ok((400, _)) => return Err(format!("{token_url} answered 400 (a bad request)")),
            Ok((status, _)) => last = format!("{token_url} answered {status}"),
            Err(e) if e.is_timeout() => {
                last = describe(&token_url, &e, timeout);
                break;
            }
            Err(e) => return Err(describe(&token_url, &e, timeout)),
        }
    }
    if token.is_none() && v1_disabled {
        return Err(format!(
            "no IMDSv2 token could be had ({last}) and AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1"
        ));
    }
    let get = |url: String| {
        let mut req = client.get(url);
        if let Some(t) = &token {
            req = req.header("x-aws-ec2-metadata-token", t.as_str());
        }
        req
    };
    let roles_url = format!("{base}latest/meta-data/iam/security-credentials/");
    let fetch = |url: String| {
        let get = &get;
        async move {
            let mut last = String::new();
            for _ in 0..attempts {
                match send(get(url.clone())).await {
                    Ok((200, body)) => return Ok(body),
                    Ok((404, _)) => return Err(format!("{url} answered 404")),
                    Ok((status, _)) => last = format!("{url} answered {status}"),
                    Err(e) => last = describe(&url, &e, timeout),
                }
            }
            Err(last)
        }
    };
    let roles = fetch(roles_url.clone())
        .await
        .map_err(|e| format!("no instance role could be read: {e}"))?;
    let role = roles.lines().next().unwrap_or("").trim().to_owned();
    if role.is_empty() {
        return Err(format!("{roles_url} names no instance role"));
    }
    fetch(format!("{roles_url}{role}"))
        .await
        .map_err(|e| format!("the credentials of instance role {role} could not be read: {e}"))
}

/// The container endpoint's response body, retried on errors and 5xx.
pub async fn container(url: &str, authorization: Option<&Secret>) -> Result<String, String> {
    let client = client(CONTAINER_TIMEOUT)?;
    let mut last = String::new();
    for _ in 0..CONTAINER_ATTEMPTS {
        let mut req = client.get(url).header("Accept", "application/json");
        if let Some(token) = authorization {
            req = req.header("Authorization", token.expose());
        }
        match send(req).await {
            Ok((200, body)) => return Ok(body),
            Ok((status, body)) if status < 500 => {
                return Err(format!(
                    "it answered {status}: {}",
                    body.chars().take(200).collect::<String>()
                ))
            }
            Ok((status, _)) => last = format!("it answered {status}"),
            Err(e) => last = describe(url, &e, CONTAINER_TIMEOUT),
        }
    }
    Err(last)
}
