//! Pure response parsing: an HTTP response to an [`Operation`] becomes its
//! typed [`Output`] or an [`StsError`] worded as the AWS CLI words it.

use std::fmt;

use rolectl_sigv4::Secret;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::{body_snippet, StsError};
use crate::model::{
    AssumeRoleOutput, AssumedRoleUser, CallerIdentity, FederatedUser, GetFederationTokenOutput,
    Operation, Output, TemporaryCredentials,
};
use crate::request::{find_header, RedactedHeaders};
use crate::xml::{self, XmlDoc};

/// How many characters of an unexpected body an error shows.
const SNIPPET_CHARS: usize = 120;

/// A response as a [`crate::Transport`] returns it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for HttpResponse {
    // Bodies of successful calls hold secret keys and session tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Parses the answer to `op`.
pub fn parse_response(op: &Operation, response: &HttpResponse) -> Result<Output, StsError> {
    let operation = op.name();
    let unexpected = |problem: String| StsError::UnexpectedResponse {
        operation,
        status: response.status,
        content_type: response
            .header("content-type")
            .map(|value| body_snippet(value.as_bytes(), 80)),
        problem,
        body_start: body_snippet(
            &redact_secret_fields(&redact_secret_elements(&response.body)),
            SNIPPET_CHARS,
        ),
        retries_exhausted: None,
    };
    let doc = xml::parse(&response.body).map_err(unexpected)?;
    if let Some(error) = service_error(operation, response, &doc) {
        return Err(error);
    }
    if !(200..300).contains(&response.status) {
        return Err(unexpected(format!(
            "an HTTP error status with a <{}> document instead of an <ErrorResponse>",
            doc.root
        )));
    }
    let expected_root = format!("{operation}Response");
    if doc.root != expected_root {
        return Err(unexpected(format!(
            "a <{}> document instead of <{expected_root}>",
            doc.root
        )));
    }
    let result = Fields {
        doc: &doc,
        prefix: format!("{expected_root}/{operation}Result"),
    };
    match op {
        Operation::AssumeRole(_) => assume_role_output(&result)
            .map(Output::AssumeRole)
            .map_err(unexpected),
        Operation::AssumeRoleWithWebIdentity(_) => assume_role_output(&result)
            .map(Output::AssumeRoleWithWebIdentity)
            .map_err(unexpected),
        Operation::GetSessionToken(_) => credentials(&result)
            .map(Output::GetSessionToken)
            .map_err(unexpected),
        Operation::GetCallerIdentity => caller_identity(&result)
            .map(Output::GetCallerIdentity)
            .map_err(unexpected),
        Operation::GetFederationToken(_) => federation_token_output(&result)
            .map(Output::GetFederationToken)
            .map_err(unexpected),
    }
}

/// Elements whose text must not reach an error message, even when the
/// document around them is broken.
const SECRET_ELEMENTS: &[&[u8]] = &[b"SecretAccessKey", b"SessionToken"];

/// `body` with the text of every `SecretAccessKey` and `SessionToken`
/// element (prefixed or not, with attributes or not, closed or cut off)
/// replaced by `**`.
pub(crate) fn redact_secret_elements(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut index = 0;
    while index < body.len() {
        let opens_secret = if body[index] == b'<' {
            secret_tag_end(&body[index..])
        } else {
            None
        };
        match opens_secret {
            Some(tag_end) => {
                out.extend_from_slice(&body[index..=index + tag_end]);
                out.extend_from_slice(b"**");
                index += tag_end + 1;
                while index < body.len() && body[index] != b'<' {
                    index += 1;
                }
            }
            None => {
                out.push(body[index]);
                index += 1;
            }
        }
    }
    out
}

/// Field names whose values are secrets in the non-XML bodies a wrong
/// endpoint may return: JSON credentials (`"SecretAccessKey": "..."`, the
/// container endpoint's `"Token"`) or form-like `SessionToken=...`.
const SECRET_FIELDS: &[&[u8]] = &[b"SecretAccessKey", b"SessionToken", b"Token"];

/// `body` with the value after every `SecretAccessKey`, `SessionToken` or
/// `Token` name followed by `:` or `=` (quoted or not) replaced by `**`.
fn redact_secret_fields(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut index = 0;
    while index < body.len() {
        let value_start = SECRET_FIELDS
            .iter()
            .find(|name| body[index..].starts_with(name))
            .and_then(|name| secret_value_start(body, index + name.len()));
        match value_start {
            Some(start) => {
                out.extend_from_slice(&body[index..start]);
                out.extend_from_slice(b"**");
                index = start;
                while index < body.len()
                    && !matches!(body[index], b'"' | b'<' | b'&' | b',' | b'}')
                    && !body[index].is_ascii_whitespace()
                {
                    index += 1;
                }
            }
            None => {
                out.push(body[index]);
                index += 1;
            }
        }
    }
    out
}

/// Where the value starts when a field name ending at `at` is followed by
/// an optional closing quote, `:` or `=`, and an optional opening quote.
fn secret_value_start(body: &[u8], mut at: usize) -> Option<usize> {
    let skip_spaces = |mut at: usize| {
        while body.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    if body.get(at) == Some(&b'"') {
        at += 1;
    }
    at = skip_spaces(at);
    if !matches!(body.get(at), Some(b':' | b'=')) {
        return None;
    }
    at = skip_spaces(at + 1);
    if body.get(at) == Some(&b'"') {
        at += 1;
    }
    Some(at)
}

/// If `rest` starts a `SecretAccessKey` or `SessionToken` start tag (with
/// or without a namespace prefix or attributes), the offset of its `>`, or
/// of the last byte when the body ends inside the tag.
fn secret_tag_end(rest: &[u8]) -> Option<usize> {
    // Names are short; looking at a bounded prefix keeps hostile bodies
    // linear. The scan for `>` below runs only for a secret's tag and the
    // caller skips past it.
    const MAX_NAME: usize = 64;
    let after_open = rest.get(1..)?;
    let name_len = after_open
        .iter()
        .take(MAX_NAME)
        .position(|&byte| byte.is_ascii_whitespace() || matches!(byte, b'>' | b'/'))
        .unwrap_or(after_open.len().min(MAX_NAME));
    let name = &after_open[..name_len];
    let local = name.rsplit(|&byte| byte == b':').next().unwrap_or(name);
    if !SECRET_ELEMENTS.contains(&local) {
        return None;
    }
    Some(
        rest.iter()
            .position(|&byte| byte == b'>')
            .unwrap_or(rest.len() - 1),
    )
}

/// The error in an `<ErrorResponse>` (STS: `Error` directly inside; IAM and
/// EC2 style: inside `Errors`), if the document is one.
fn service_error(
    operation: &'static str,
    response: &HttpResponse,
    doc: &XmlDoc,
) -> Option<StsError> {
    let prefix = [
        "ErrorResponse/Error",
        "ErrorResponse/Errors/Error",
        "Response/Errors/Error",
    ]
    .into_iter()
    .find(|prefix| doc.has(prefix))?;
    let field = |name: &str| {
        doc.get(&format!("{prefix}/{name}"))
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let request_id = [
        "ErrorResponse/RequestId",
        "Response/RequestID",
        "Response/RequestId",
    ]
    .into_iter()
    .find_map(|path| doc.get(path))
    .or_else(|| doc.get(&format!("{prefix}/RequestId")))
    .filter(|value| !value.is_empty())
    .map(str::to_owned);
    Some(StsError::Service {
        operation,
        code: field("Code").unwrap_or_else(|| "Unknown".to_owned()),
        message: field("Message").unwrap_or_else(|| "Unknown".to_owned()),
        kind: field("Type"),
        status: response.status,
        request_id,
        retries_exhausted: None,
    })
}

struct Fields<'a> {
    doc: &'a XmlDoc,
    prefix: String,
}

impl Fields<'_> {
    fn optional(&self, path: &str) -> Option<String> {
        self.doc
            .get(&format!("{}/{path}", self.prefix))
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    }

    fn required(&self, path: &str) -> Result<String, String> {
        self.optional(path)
            .ok_or_else(|| format!("it has no {path}"))
    }
}

fn credentials(result: &Fields<'_>) -> Result<TemporaryCredentials, String> {
    let expiration = result.required("Credentials/Expiration")?;
    Ok(TemporaryCredentials {
        access_key_id: result.required("Credentials/AccessKeyId")?,
        secret_access_key: Secret::new(result.required("Credentials/SecretAccessKey")?),
        session_token: Secret::new(result.required("Credentials/SessionToken")?),
        expiration: parse_timestamp(&expiration).ok_or_else(|| {
            format!(
                "its Credentials/Expiration \"{}\" is not a timestamp",
                body_snippet(expiration.as_bytes(), 40)
            )
        })?,
    })
}

fn assume_role_output(result: &Fields<'_>) -> Result<AssumeRoleOutput, String> {
    let assumed_role_user = match (
        result.optional("AssumedRoleUser/Arn"),
        result.optional("AssumedRoleUser/AssumedRoleId"),
    ) {
        (Some(arn), Some(assumed_role_id)) => Some(AssumedRoleUser {
            assumed_role_id,
            arn,
        }),
        (None, None) => None,
        _ => return Err("its AssumedRoleUser lacks Arn or AssumedRoleId".to_owned()),
    };
    Ok(AssumeRoleOutput {
        credentials: credentials(result)?,
        assumed_role_user,
        packed_policy_size: match result.optional("PackedPolicySize") {
            Some(size) => Some(
                size.parse()
                    .map_err(|_| "its PackedPolicySize is not a number".to_owned())?,
            ),
            None => None,
        },
        source_identity: result.optional("SourceIdentity"),
        subject_from_web_identity_token: result.optional("SubjectFromWebIdentityToken"),
        provider: result.optional("Provider"),
        audience: result.optional("Audience"),
    })
}

fn packed_policy_size(result: &Fields<'_>) -> Result<Option<u32>, String> {
    match result.optional("PackedPolicySize") {
        Some(size) => size
            .parse()
            .map(Some)
            .map_err(|_| "its PackedPolicySize is not a number".to_owned()),
        None => Ok(None),
    }
}

fn federation_token_output(result: &Fields<'_>) -> Result<GetFederationTokenOutput, String> {
    let federated_user = match (
        result.optional("FederatedUser/Arn"),
        result.optional("FederatedUser/FederatedUserId"),
    ) {
        (Some(arn), Some(federated_user_id)) => Some(FederatedUser {
            federated_user_id,
            arn,
        }),
        (None, None) => None,
        _ => return Err("its FederatedUser lacks Arn or FederatedUserId".to_owned()),
    };
    Ok(GetFederationTokenOutput {
        credentials: credentials(result)?,
        federated_user,
        packed_policy_size: packed_policy_size(result)?,
    })
}

fn caller_identity(result: &Fields<'_>) -> Result<CallerIdentity, String> {
    Ok(CallerIdentity {
        user_id: result.required("UserId")?,
        account: result.required("Account")?,
        arn: result.required("Arn")?,
    })
}

/// An ISO 8601 timestamp as STS writes `Expiration`: RFC 3339 with whole or
/// fractional seconds and `Z` or an offset; a timestamp without an offset is
/// taken as UTC, and a bare number as seconds since the epoch (botocore
/// accepts both). Like botocore's parser it also reads the variants other
/// writers produce: `t` or a space between date and time, `z`, offsets
/// without a colon (`+0200`) or minutes (`+02`), a space before the offset.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(parsed) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(parsed);
    }
    if let Some(parsed) = parse_iso_variant(text) {
        return Some(parsed);
    }
    let seconds: f64 = text.parse().ok()?;
    if !seconds.is_finite() {
        return None;
    }
    let nanos = (seconds * 1e9).round();
    if nanos.abs() > i128::MAX as f64 {
        return None;
    }
    OffsetDateTime::from_unix_timestamp_nanos(nanos as i128).ok()
}

/// Date and time as `YYYY-MM-DDTHH:MM:SS[.fraction]`, then an optional zone.
fn parse_iso_variant(text: &str) -> Option<OffsetDateTime> {
    let naive = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    let normalized;
    let text = match text.as_bytes().get(10) {
        // Byte 10 is ASCII, so 10 and 11 are character boundaries.
        Some(b' ' | b't') => {
            normalized = format!("{}T{}", &text[..10], &text[11..]);
            normalized.as_str()
        }
        _ => text,
    };
    // The zone starts at the first character after the seconds that is
    // neither a digit nor the fraction's dot.
    let zone_start = 19
        + text
            .get(19..)?
            .find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))
            .unwrap_or(text.len() - 19);
    let (local, zone) = text.split_at(zone_start);
    let local = PrimitiveDateTime::parse(local, naive).ok()?;
    let offset = match zone.trim_start() {
        "" | "Z" | "z" => UtcOffset::UTC,
        zone => parse_offset(zone)?,
    };
    Some(local.assume_offset(offset))
}

/// `+hh:mm`, `+hhmm` or `+hh` (or with `-`).
fn parse_offset(zone: &str) -> Option<UtcOffset> {
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].replacen(':', "", 1);
    if !matches!(digits.len(), 2 | 4) || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let hours: i8 = digits[..2].parse().ok()?;
    let minutes: i8 = match digits.get(2..) {
        Some(minutes) if !minutes.is_empty() => minutes.parse().ok()?,
        _ => 0,
    };
    // `time` allows offsets up to 25:59; ISO 8601 (and Python) stop at 23:59.
    if hours > 23 || minutes > 59 {
        return None;
    }
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}
