//! SigV4 for STS requests: the signed headers are `content-type`, `host`,
//! `x-amz-date` and, with temporary credentials, `x-amz-security-token`,
//! exactly the set botocore signs.

use rolectl_sigv4::{
    sign_headers, Credentials, Payload, SignableRequest, SigningParams, SigningSettings,
};
use time::OffsetDateTime;

use crate::error::StsError;
use crate::request::{ParsedEndpoint, CONTENT_TYPE};

/// The headers to add to the request: `x-amz-security-token` (if any),
/// `x-amz-date` and `authorization`.
pub(crate) fn sign(
    operation: &'static str,
    endpoint: &ParsedEndpoint,
    body: &[u8],
    credentials: &Credentials,
    region: &str,
    now: OffsetDateTime,
) -> Result<Vec<(String, String)>, StsError> {
    let headers = [
        ("content-type", CONTENT_TYPE),
        ("host", endpoint.host.as_str()),
    ];
    let request = SignableRequest {
        method: "POST",
        uri: &endpoint.path,
        headers: &headers,
        payload: Payload::Bytes(body),
    };
    let params = SigningParams {
        credentials,
        region,
        service: "sts",
        time: now,
        settings: SigningSettings::default(),
    };
    let signed = sign_headers(&request, &params).map_err(|error| StsError::Signing {
        operation,
        reason: error.to_string(),
    })?;
    Ok(signed
        .into_headers()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect())
}
