//! Pure parsers for what the instance and process sources answer: the
//! `credential_process` JSON, the container endpoint's JSON and the
//! instance metadata service's JSON document.

use rolectl_sigv4::Secret;
use serde_json::Value;
use time::OffsetDateTime;

use crate::cache::{format_expiration, parse_expiration};

/// Credentials read from a source other than STS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<OffsetDateTime>,
    pub account_id: Option<String>,
}

/// What a `credential_process` command did.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessOutput {
    /// The exit code; `None` when it was killed by a signal.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // stdout carries the secret key.
        f.debug_struct("ProcessOutput")
            .field("status", &self.status)
            .field("stdout", &format_args!("<{} bytes>", self.stdout.len()))
            .field("stderr", &self.stderr)
            .finish()
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn required(v: &Value, key: &str) -> Result<String, String> {
    match v.get(key) {
        None => Err(format!("Missing required key in response: '{key}'")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("The key '{key}' in the response is not a string.")),
    }
}

/// How Python's `str()` shows a JSON value, for messages worded as the
/// AWS CLI words them.
fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    }
}

fn expiration(v: &Value) -> Result<Option<OffsetDateTime>, String> {
    match text(v, "Expiration") {
        None => Ok(None),
        Some(t) => parse_expiration(&t)
            .map(Some)
            .ok_or_else(|| format!("The Expiration '{t}' is not an ISO 8601 time.")),
    }
}

/// Parses `credential_process` output as the AWS CLI does (Version 1 only).
pub fn parse_process_output(
    output: &ProcessOutput,
    fallback_account_id: Option<&str>,
) -> Result<SourceCredentials, String> {
    if output.status != Some(0) {
        let code = output
            .status
            .map(|c| format!("exit code {c}"))
            .unwrap_or_else(|| "a signal".to_owned());
        let stderr = output.stderr.trim();
        return Err(if stderr.is_empty() {
            format!("the process ended with {code}")
        } else {
            format!("the process ended with {code}: {stderr}")
        });
    }
    let parsed: Value = serde_json::from_str(&output.stdout)
        .map_err(|e| format!("the output is not valid JSON ({e})"))?;
    match parsed.get("Version") {
        // Python's `version != 1` lets 1.0 and True through too.
        Some(v) if v.as_f64() == Some(1.0) || v.as_bool() == Some(true) => {}
        Some(v) => {
            return Err(format!(
                "Unsupported version '{}' for credential process provider, supported versions: 1",
                python_str(v)
            ))
        }
        None => {
            return Err("Unsupported version '<Version key not provided>' for credential process provider, supported versions: 1".to_owned())
        }
    }
    Ok(SourceCredentials {
        access_key_id: required(&parsed, "AccessKeyId")?,
        secret_access_key: Secret::new(required(&parsed, "SecretAccessKey")?),
        session_token: text(&parsed, "SessionToken").map(Secret::new),
        expiration: expiration(&parsed)?,
        // `AccountId or aws_account_id`: an empty one falls back too.
        account_id: text(&parsed, "AccountId")
            .filter(|a| !a.is_empty())
            .or_else(|| fallback_account_id.map(str::to_owned)),
    })
}

/// Refuses `credential_process` credentials that have already expired at
/// `now`. botocore runs the process once more and then fails the same way;
/// a second run gives nothing new to a one-shot resolution.
pub(crate) fn unexpired(
    creds: SourceCredentials,
    now: OffsetDateTime,
) -> Result<SourceCredentials, String> {
    match creds.expiration {
        Some(at) if at <= now => Err(format!(
            "the credentials it returned expired at {}",
            format_expiration(at)
        )),
        _ => Ok(creds),
    }
}

/// Parses the container credentials endpoint's answer.
pub fn parse_container_response(body: &str) -> Result<SourceCredentials, String> {
    let parsed: Value =
        serde_json::from_str(body).map_err(|e| format!("the response is not valid JSON ({e})"))?;
    Ok(SourceCredentials {
        access_key_id: required(&parsed, "AccessKeyId")?,
        secret_access_key: Secret::new(required(&parsed, "SecretAccessKey")?),
        session_token: Some(Secret::new(required(&parsed, "Token")?)),
        expiration: expiration(&parsed)?,
        account_id: text(&parsed, "AccountId"),
    })
}

/// Parses the instance metadata credentials document.
pub fn parse_imds_response(body: &str) -> Result<SourceCredentials, String> {
    let parsed: Value =
        serde_json::from_str(body).map_err(|e| format!("the document is not valid JSON ({e})"))?;
    if let Some(code) = text(&parsed, "Code") {
        if code != "Success" {
            return Err(format!(
                "the instance metadata service answered Code {code}"
            ));
        }
    }
    Ok(SourceCredentials {
        access_key_id: required(&parsed, "AccessKeyId")?,
        secret_access_key: Secret::new(required(&parsed, "SecretAccessKey")?),
        session_token: Some(Secret::new(required(&parsed, "Token")?)),
        expiration: expiration(&parsed)?,
        account_id: text(&parsed, "AccountId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(status: i32, stdout: &str) -> ProcessOutput {
        ProcessOutput {
            status: Some(status),
            stdout: stdout.into(),
            stderr: "boom".into(),
        }
    }

    #[test]
    fn process_rules() {
        let ok = r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2022-05-02T18:36:00+00:00"}"#;
        let c = parse_process_output(&out(0, ok), Some("1")).unwrap();
        assert_eq!(c.access_key_id, "A");
        assert_eq!(c.account_id.as_deref(), Some("1"));
        assert!(c.expiration.is_some());
        assert!(parse_process_output(&out(1, ok), None)
            .unwrap_err()
            .contains("exit code 1: boom"));
        assert!(parse_process_output(&out(0, "{"), None)
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(parse_process_output(&out(0, r#"{"Version": 2}"#), None)
            .unwrap_err()
            .contains("Unsupported version '2'"));
        assert!(
            parse_process_output(&out(0, r#"{"Version": 1, "AccessKeyId": "A"}"#), None)
                .unwrap_err()
                .contains("'SecretAccessKey'")
        );
    }

    #[test]
    fn process_output_as_python_compares_and_prints_it() {
        for version in ["1.0", "true"] {
            let doc = format!(
                r#"{{"Version": {version}, "AccessKeyId": "A", "SecretAccessKey": "S", "AccountId": ""}}"#
            );
            let c = parse_process_output(&out(0, &doc), Some("fallback")).unwrap();
            assert_eq!(c.account_id.as_deref(), Some("fallback"), "{version}");
        }
        for (version, shown) in [(r#""1""#, "'1'"), ("false", "'False'"), ("2.5", "'2.5'")] {
            let doc = format!(r#"{{"Version": {version}}}"#);
            let err = parse_process_output(&out(0, &doc), None).unwrap_err();
            assert!(
                err.contains(&format!("Unsupported version {shown}")),
                "{err}"
            );
        }
        let err = parse_process_output(
            &out(
                0,
                r#"{"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "S"}"#,
            ),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "The key 'AccessKeyId' in the response is not a string."
        );
    }

    #[test]
    fn expired_credentials_are_refused() {
        let doc = r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "2026-11-27T18:00:00Z"}"#;
        let c = parse_process_output(&out(0, doc), None).unwrap();
        let at = c.expiration.unwrap();
        assert!(unexpired(c.clone(), at - time::Duration::seconds(1)).is_ok());
        assert_eq!(
            unexpired(c.clone(), at).unwrap_err(),
            "the credentials it returned expired at 2026-11-27T18:00:00Z"
        );
        let mut forever = c;
        forever.expiration = None;
        assert!(unexpired(forever, at).is_ok());
    }

    #[test]
    fn imds_and_container() {
        let doc = r#"{"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2021-09-21T04:16:53Z"}"#;
        assert_eq!(parse_imds_response(doc).unwrap().access_key_id, "A");
        assert!(parse_imds_response(r#"{"Code":"Failed"}"#).is_err());
        assert_eq!(parse_container_response(doc).unwrap().access_key_id, "A");
        assert!(parse_container_response("<html>").is_err());
    }
}
