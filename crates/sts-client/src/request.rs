//! Pure request building: an [`Operation`] becomes the exact HTTP request
//! the AWS CLI would send (Query protocol, `POST /`, form body), signed with
//! SigV4 unless the operation is `AssumeRoleWithWebIdentity`.

use std::fmt;

use rolectl_sigv4::Credentials;
use time::OffsetDateTime;

use crate::error::StsError;
use crate::form;
use crate::model::{
    AssumeRoleInput, AssumeRoleWithWebIdentityInput, Endpoint, GetFederationTokenInput,
    GetSessionTokenInput, Operation,
};

/// The STS API version every request names.
pub const API_VERSION: &str = "2011-06-15";

/// The `Content-Type` of every STS request body.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// A request ready to hand to a [`crate::Transport`]. The `Host` header is
/// implied by `url` (the signature covers exactly that host), so transports
/// must not override it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Headers whose values are secret: they carry a signature over secrets or
/// a session token.
const SECRET_HEADERS: &[&str] = &["authorization", "x-amz-security-token"];

/// Writes headers with secret values replaced.
pub(crate) struct RedactedHeaders<'a>(pub &'a [(String, String)]);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.0 {
            if SECRET_HEADERS
                .iter()
                .any(|secret| name.eq_ignore_ascii_case(secret))
            {
                list.entry(&(name, "** redacted **"));
            } else {
                list.entry(&(name, value));
            }
        }
        list.finish()
    }
}

impl fmt::Debug for HttpRequest {
    // The body carries MFA codes and web identity tokens: only its length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// An endpoint URL taken apart for signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedEndpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// The `Host` header value: lower-case host, port only when not the
    /// scheme's default (as botocore writes it).
    pub host: String,
    /// The request path: the endpoint's path, ending in `/`.
    pub path: String,
}

impl ParsedEndpoint {
    /// The URL to send the request to.
    pub fn request_url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.path)
    }
}

/// Splits an endpoint URL into scheme, host and path.
pub fn parse_endpoint(url: &str) -> Result<ParsedEndpoint, StsError> {
    let invalid = |reason| StsError::InvalidEndpoint {
        url: url.to_owned(),
        reason,
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("it does not start with http:// or https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => "443",
        "http" => "80",
        _ => return Err(invalid("only http:// and https:// endpoints are supported")),
    };
    if rest.contains(['?', '#']) {
        return Err(invalid("an endpoint URL cannot have a query or a fragment"));
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(invalid(
            "an endpoint URL cannot carry a user name or password",
        ));
    }
    if authority
        .chars()
        .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        return Err(invalid(
            "the host contains white space or control characters",
        ));
    }
    let (host, port) = split_port(authority).ok_or_else(|| invalid("the port is not a number"))?;
    if host.is_empty() {
        return Err(invalid("it has no host name"));
    }
    let host = host.to_ascii_lowercase();
    let host = match port {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host,
    };
    let mut path = path.to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    Ok(ParsedEndpoint { scheme, host, path })
}

/// `host[:port]`, with IPv6 literals in brackets. `None` when the port is
/// not a number.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let port_start = if authority.starts_with('[') {
        let close = authority.find(']')?;
        match &authority[close + 1..] {
            "" => return Some((authority, None)),
            rest if rest.starts_with(':') => close + 1,
            _ => return None,
        }
    } else {
        match authority.rfind(':') {
            Some(colon) => colon,
            None => return Some((authority, None)),
        }
    };
    let (host, port) = authority.split_at(port_start);
    let port = &port[1..];
    if port.is_empty() {
        return Some((host, None));
    }
    port.parse::<u16>().ok().map(|_| (host, Some(port)))
}

/// The form fields of `op`, in the order the AWS CLI sends them:
/// `Action`, `Version`, then for `AssumeRole` the order botocore's
/// assume-role provider builds its arguments in (`RoleSessionName`,
/// `ExternalId`, `SerialNumber`, `DurationSeconds`, `RoleArn`, `TokenCode`)
/// followed by the fields only `aws sts assume-role` sends, in the API
/// model's order; for `AssumeRoleWithWebIdentity` the web identity
/// provider's order (`RoleSessionName`, `RoleArn`, `WebIdentityToken`) then
/// the model's; for `GetSessionToken` and `GetFederationToken` the model's
/// order.
pub fn form_fields(op: &Operation) -> Vec<(String, String)> {
    let mut fields = Fields(Vec::with_capacity(12));
    fields.push("Action", op.name());
    fields.push("Version", API_VERSION);
    match op {
        Operation::AssumeRole(input) => assume_role_fields(&mut fields, input),
        Operation::AssumeRoleWithWebIdentity(input) => web_identity_fields(&mut fields, input),
        Operation::GetSessionToken(input) => session_token_fields(&mut fields, input),
        Operation::GetCallerIdentity => {}
        Operation::GetFederationToken(input) => federation_token_fields(&mut fields, input),
    }
    fields.0
}

struct Fields(Vec<(String, String)>);

impl Fields {
    fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.push((key.into(), value.into()));
    }

    fn push_opt(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.push(key, value.to_string());
        }
    }

    fn push_policy_arns(&mut self, arns: &[String]) {
        for (index, arn) in arns.iter().enumerate() {
            self.push(format!("PolicyArns.member.{}.arn", index + 1), arn.as_str());
        }
    }
}

fn assume_role_fields(fields: &mut Fields, input: &AssumeRoleInput) {
    fields.push("RoleSessionName", input.role_session_name.as_str());
    fields.push_opt("ExternalId", input.external_id.as_deref());
    fields.push_opt("SerialNumber", input.serial_number.as_deref());
    fields.push_opt("DurationSeconds", input.duration_seconds);
    fields.push("RoleArn", input.role_arn.as_str());
    fields.push_opt(
        "TokenCode",
        input.token_code.as_ref().map(|code| code.expose()),
    );
    fields.push_policy_arns(&input.policy_arns);
    fields.push_opt("Policy", input.policy.as_deref());
    for (index, (key, value)) in input.tags.iter().enumerate() {
        fields.push(format!("Tags.member.{}.Key", index + 1), key.as_str());
        fields.push(format!("Tags.member.{}.Value", index + 1), value.as_str());
    }
    fields.push_opt("SourceIdentity", input.source_identity.as_deref());
}

fn web_identity_fields(fields: &mut Fields, input: &AssumeRoleWithWebIdentityInput) {
    fields.push("RoleSessionName", input.role_session_name.as_str());
    fields.push("RoleArn", input.role_arn.as_str());
    fields.push("WebIdentityToken", input.web_identity_token.expose());
    fields.push_opt("ProviderId", input.provider_id.as_deref());
    fields.push_policy_arns(&input.policy_arns);
    fields.push_opt("Policy", input.policy.as_deref());
    fields.push_opt("DurationSeconds", input.duration_seconds);
}

fn session_token_fields(fields: &mut Fields, input: &GetSessionTokenInput) {
    fields.push_opt("DurationSeconds", input.duration_seconds);
    fields.push_opt("SerialNumber", input.serial_number.as_deref());
    fields.push_opt(
        "TokenCode",
        input.token_code.as_ref().map(|code| code.expose()),
    );
}

fn federation_token_fields(fields: &mut Fields, input: &GetFederationTokenInput) {
    fields.push("Name", input.name.as_str());
    fields.push_opt("Policy", input.policy.as_deref());
    fields.push_opt("DurationSeconds", input.duration_seconds);
}

/// `GetFederationToken`'s limits in botocore's STS model
/// (`userNameType`, `sessionPolicyDocumentType`, `durationSecondsType`).
pub const FEDERATION_NAME_LENGTH: std::ops::RangeInclusive<usize> = 2..=32;
pub const FEDERATION_POLICY_LENGTH: std::ops::RangeInclusive<usize> = 1..=2048;
pub const FEDERATION_DURATION_SECONDS: std::ops::RangeInclusive<u32> = 900..=129600;

/// Whether `ch` may appear in a federated user's name (`[\w+=,.@-]`).
pub fn is_federation_name_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

/// Checks `op`'s parameters against the model's limits, as botocore's
/// parameter validation does before anything is sent (botocore checks
/// minimums only; the maximums and patterns here are the model's too, so
/// that STS's own ValidationError is never the first to say).
pub fn validate(op: &Operation) -> Result<(), StsError> {
    let Operation::GetFederationToken(input) = op else {
        return Ok(());
    };
    let invalid = |message: String| StsError::InvalidParameter {
        operation: op.name(),
        message,
    };
    let length = |name: &str, value: &str, range: std::ops::RangeInclusive<usize>| {
        let len = value.chars().count();
        if len < *range.start() {
            return Err(invalid(format!(
                "Invalid length for parameter {name}, value: {len}, valid min length: {}",
                range.start()
            )));
        }
        if len > *range.end() {
            return Err(invalid(format!(
                "Invalid length for parameter {name}, value: {len}, valid max length: {}",
                range.end()
            )));
        }
        Ok(())
    };
    length("Name", &input.name, FEDERATION_NAME_LENGTH)?;
    if let Some(bad) = input.name.chars().find(|&ch| !is_federation_name_char(ch)) {
        return Err(invalid(format!(
            "Invalid character {bad:?} in parameter Name: it must match [\\w+=,.@-]*"
        )));
    }
    if let Some(policy) = &input.policy {
        length("Policy", policy, FEDERATION_POLICY_LENGTH)?;
    }
    if let Some(seconds) = input.duration_seconds {
        let range = FEDERATION_DURATION_SECONDS;
        if !range.contains(&seconds) {
            let (which, bound) = if seconds < *range.start() {
                ("min", range.start())
            } else {
                ("max", range.end())
            };
            return Err(invalid(format!(
                "Invalid value for parameter DurationSeconds, value: {seconds}, valid {which} value: {bound}"
            )));
        }
    }
    Ok(())
}

/// The form body of `op`, encoded as the AWS CLI encodes it.
pub fn form_body(op: &Operation) -> String {
    form::encode_pairs(&form_fields(op))
}

/// Builds the HTTP request for `op` at `endpoint`, signed at `now` with
/// `credentials` (ignored for the unsigned `AssumeRoleWithWebIdentity`).
pub fn build_request(
    op: &Operation,
    endpoint: &Endpoint,
    credentials: Option<&Credentials>,
    now: OffsetDateTime,
) -> Result<HttpRequest, StsError> {
    validate(op)?;
    let parsed = parse_endpoint(&endpoint.url)?;
    let body = form_body(op).into_bytes();
    let mut headers = vec![("Content-Type".to_owned(), CONTENT_TYPE.to_owned())];
    if op.is_signed() {
        let credentials = credentials.ok_or(StsError::MissingCredentials {
            operation: op.name(),
        })?;
        let signed = crate::sign::sign(
            op.name(),
            &parsed,
            &body,
            credentials,
            &endpoint.signing_region,
            now,
        )?;
        headers.extend(signed);
    }
    Ok(HttpRequest {
        method: "POST".to_owned(),
        url: parsed.request_url(),
        headers,
        body,
    })
}
