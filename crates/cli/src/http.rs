//! What the small HTTP exchanges of the CLI share (instance metadata,
//! container credentials, the console's federation endpoint): a client that
//! follows no redirect, and a body read with a size bound.

use std::time::Duration;

/// A client for one kind of exchange; `proxies: false` for link-local and
/// loopback sources, which a proxy could only break.
pub fn client(
    connect: Duration,
    total: Duration,
    proxies: bool,
) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(total)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("rolectl/", env!("CARGO_PKG_VERSION")));
    if proxies { builder } else { builder.no_proxy() }.build()
}

/// The body, cut at `max` bytes, and whether it was longer.
pub async fn read_body(
    response: &mut reqwest::Response,
    max: usize,
) -> reqwest::Result<(Vec<u8>, bool)> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > max {
            body.extend_from_slice(&chunk[..max - body.len()]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}
