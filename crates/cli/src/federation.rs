//! The AWS federation endpoint (`https://signin.aws.amazon.com/federation`
//! and its partitions' twins): pure URL building for `getSigninToken` and
//! the `login` URL, and the one HTTP exchange that turns session
//! credentials into a sign-in token.
//!
//! Every URL built here carries secrets (the `Session` JSON, the sign-in
//! token): they are [`Secret`]s, and no error or log line quotes them. A
//! failing exchange names the endpoint's base URL only.

use std::time::Duration;

use rolectl_sigv4::encoding::encode_query_component_into;
use rolectl_sigv4::Secret;

/// The variable that replaces the partition's federation endpoint (a base
/// URL such as `https://proxy.example.com/federation`).
pub const ENDPOINT_VAR: &str = "ROLECTL_FEDERATION_ENDPOINT";
/// `Issuer` of the login URL.
pub const ISSUER: &str = "rolectl";
/// What getSigninToken accepts as `SessionDuration`.
pub const SESSION_DURATION: std::ops::RangeInclusive<i64> = 900..=43200;
/// The answer is `{"SigninToken":"..."}`: a few hundred bytes.
const MAX_BODY: usize = 64 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const TIMEOUT: Duration = Duration::from_secs(10);

/// The AWS partitions, each with its own sign-in and console hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    /// The partition of `region`; without a region, the one the STS
    /// endpoint's host names (a China or GovCloud endpoint), else `aws`.
    pub fn of(region: Option<&str>, sts_url: &str) -> Partition {
        match region.filter(|r| !r.is_empty()) {
            Some(r) if r.starts_with("cn-") => Partition::AwsCn,
            Some(r) if r.starts_with("us-gov-") => Partition::AwsUsGov,
            Some(_) => Partition::Aws,
            None => {
                let host = sts_url
                    .split_once("://")
                    .map_or(sts_url, |(_, rest)| rest)
                    .split(['/', ':'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if host.ends_with(".amazonaws.com.cn") {
                    Partition::AwsCn
                } else if host.contains("us-gov-") {
                    Partition::AwsUsGov
                } else {
                    Partition::Aws
                }
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// The console's host without a region (`console.aws.amazon.com`).
    pub fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsCn => "console.amazonaws.cn",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
        }
    }

    /// The federation endpoint (`https://signin.aws.amazon.com/federation`).
    pub fn federation_url(self) -> &'static str {
        match self {
            Partition::Aws => "https://signin.aws.amazon.com/federation",
            Partition::AwsCn => "https://signin.amazonaws.cn/federation",
            Partition::AwsUsGov => "https://signin.amazonaws-us-gov.com/federation",
        }
    }

    /// The console home: the region's when there is one (as aws-vault
    /// builds it), else the partition's.
    pub fn console_home(self, region: Option<&str>) -> String {
        match region.filter(|r| !r.is_empty()) {
            Some(region) => format!(
                "https://{region}.{}/console/home?region={region}",
                self.console_host()
            ),
            None => format!("https://{}/", self.console_host()),
        }
    }
}

/// Checks a base URL (the `ROLECTL_FEDERATION_ENDPOINT` value): `http://`
/// or `https://`, a host, no query or fragment.
pub fn check_base(url: &str) -> Result<String, &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("it must start with https:// (or http://)")?;
    if rest.split('/').next().unwrap_or("").is_empty() {
        return Err("it has no host");
    }
    if url.contains(['?', '#']) {
        return Err("it cannot have a query or a fragment");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains white space or control characters");
    }
    Ok(url.to_owned())
}

/// Checks `--destination`: an absolute http(s) URL without white space.
pub fn check_destination(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("it must be an absolute https:// URL")?;
    if rest.split(['/', '?', '#']).next().unwrap_or("").is_empty() {
        return Err("it has no host");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains white space or control characters");
    }
    Ok(())
}

/// The session credentials handed to getSigninToken.
pub struct SessionCredentials<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a Secret,
    pub session_token: &'a Secret,
}

/// `{"sessionId":...,"sessionKey":...,"sessionToken":...}`.
fn session_json(c: &SessionCredentials<'_>) -> Secret {
    #[derive(serde::Serialize)]
    struct Session<'a> {
        #[serde(rename = "sessionId")]
        session_id: &'a str,
        #[serde(rename = "sessionKey")]
        session_key: &'a str,
        #[serde(rename = "sessionToken")]
        session_token: &'a str,
    }
    Secret::new(
        serde_json::to_string(&Session {
            session_id: c.access_key_id,
            session_key: c.secret_access_key.expose(),
            session_token: c.session_token.expose(),
        })
        .expect("JSON values always serialize"),
    )
}

/// `<base>?Action=getSigninToken[&SessionDuration=N]&Session=<JSON>`.
pub fn signin_token_url(
    base: &str,
    credentials: &SessionCredentials<'_>,
    session_duration: Option<i64>,
) -> Secret {
    let mut url = format!("{base}?Action=getSigninToken");
    if let Some(seconds) = session_duration {
        url.push_str(&format!("&SessionDuration={seconds}"));
    }
    url.push_str("&Session=");
    encode_query_component_into(session_json(credentials).expose(), &mut url);
    Secret::new(url)
}

/// `<base>?Action=login&Issuer=rolectl&Destination=<url>&SigninToken=<token>`.
pub fn login_url(base: &str, destination: &str, token: &Secret) -> Secret {
    let mut url = format!("{base}?Action=login&Issuer=");
    encode_query_component_into(ISSUER, &mut url);
    url.push_str("&Destination=");
    encode_query_component_into(destination, &mut url);
    url.push_str("&SigninToken=");
    encode_query_component_into(token.expose(), &mut url);
    Secret::new(url)
}

/// The console session length for credentials that expire in `seconds_left`
/// (getSigninToken's range: a shorter session is rounded up to 15 minutes,
/// a longer one cut to 12 hours).
pub fn session_duration(seconds_left: i64) -> i64 {
    seconds_left.clamp(*SESSION_DURATION.start(), *SESSION_DURATION.end())
}

/// What came back from the endpoint, worded for an error sentence:
/// `answered <what>`. Neither the URL nor any secret appears in it.
fn read_answer(
    status: u16,
    content_type: &str,
    body: &[u8],
    secrets: &[&str],
) -> Result<Secret, String> {
    let snippet = || {
        let mut text = String::from_utf8_lossy(body).into_owned();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            text = text.replace(secret, "**");
        }
        let snippet = rolectl_sts_client::body_snippet(text.trim().as_bytes(), 80);
        if snippet.is_empty() {
            "an empty body".to_owned()
        } else {
            format!("a body starting with \"{snippet}\"")
        }
    };
    let looks_html = content_type.to_ascii_lowercase().contains("html")
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    if status != 200 {
        return Err(format!("HTTP {status} with {}", snippet()));
    }
    if looks_html {
        return Err(format!(
            "an HTML page instead of getSigninToken's JSON ({})",
            snippet()
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| format!("something that is not JSON ({})", snippet()))?;
    match value.get("SigninToken").and_then(serde_json::Value::as_str) {
        Some(token) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(format!(
            "JSON without a SigninToken (members: {})",
            value
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "none".to_owned())
        )),
    }
}

/// The innermost cause of a reqwest error, without the URL (which holds
/// the session's secrets).
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return format!(
            "no answer within {} s (connect {} s)",
            TIMEOUT.as_secs(),
            CONNECT_TIMEOUT.as_secs()
        );
    }
    let connect = error.is_connect();
    let error = error.without_url();
    let mut cause: &dyn std::error::Error = &error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if connect {
        format!("it could not be reached ({cause})")
    } else {
        format!("the exchange failed ({cause})")
    }
}

/// GET `signin_token_url(...)` and the `SigninToken` of its answer. The
/// error is the end of a sentence: "answered ..." or "failed: ...".
pub async fn get_signin_token(
    base: &str,
    credentials: &SessionCredentials<'_>,
    session_duration: Option<i64>,
) -> Result<Secret, String> {
    let client = crate::http::client(CONNECT_TIMEOUT, TIMEOUT, true)
        .map_err(|e| format!("failed: the HTTP client could not be set up ({e})"))?;
    let url = signin_token_url(base, credentials, session_duration);
    let mut response = client
        .get(url.expose())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("failed: {}", describe(e)))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match crate::http::read_body(&mut response, MAX_BODY).await {
        Ok((_, true)) => {
            return Err(format!(
                "answered more than {} KiB, which cannot be getSigninToken's JSON",
                MAX_BODY / 1024
            ))
        }
        Ok((body, false)) => body,
        Err(e) => return Err(format!("failed while answering: {}", describe(e))),
    };
    let secrets = [
        credentials.secret_access_key.expose(),
        credentials.session_token.expose(),
    ];
    read_answer(status, &content_type, &body, &secrets).map_err(|what| format!("answered {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_give_their_hosts() {
        let cases = [
            (
                Some("eu-west-1"),
                "https://sts.eu-west-1.amazonaws.com",
                Partition::Aws,
            ),
            (
                Some("cn-north-1"),
                "https://sts.cn-north-1.amazonaws.com.cn",
                Partition::AwsCn,
            ),
            (
                Some("us-gov-west-1"),
                "https://sts.us-gov-west-1.amazonaws.com",
                Partition::AwsUsGov,
            ),
            // The region decides, whatever endpoint the STS calls go to.
            (
                Some("cn-northwest-1"),
                "http://127.0.0.1:5000",
                Partition::AwsCn,
            ),
            (
                Some("us-gov-east-1"),
                "http://127.0.0.1:5000",
                Partition::AwsUsGov,
            ),
            // Without a region, the STS endpoint's host.
            (None, "https://sts.amazonaws.com", Partition::Aws),
            (
                None,
                "https://sts.cn-north-1.amazonaws.com.cn/",
                Partition::AwsCn,
            ),
            (
                None,
                "https://sts.us-gov-west-1.amazonaws.com",
                Partition::AwsUsGov,
            ),
            (Some(""), "http://127.0.0.1:5000", Partition::Aws),
        ];
        for (region, sts, want) in cases {
            assert_eq!(Partition::of(region, sts), want, "{region:?} {sts}");
        }
        assert_eq!(
            Partition::Aws.federation_url(),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            Partition::AwsCn.federation_url(),
            "https://signin.amazonaws.cn/federation"
        );
        assert_eq!(
            Partition::AwsUsGov.federation_url(),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            Partition::Aws.console_home(Some("eu-west-1")),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            Partition::AwsCn.console_home(Some("cn-north-1")),
            "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1"
        );
        assert_eq!(
            Partition::AwsUsGov.console_home(Some("us-gov-west-1")),
            "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
        assert_eq!(
            Partition::Aws.console_home(None),
            "https://console.aws.amazon.com/"
        );
        assert_eq!(
            Partition::AwsCn.console_home(None),
            "https://console.amazonaws.cn/"
        );
        assert_eq!(
            Partition::AwsUsGov.console_home(None),
            "https://console.amazonaws-us-gov.com/"
        );
    }

    fn creds<'a>(secret: &'a Secret, token: &'a Secret) -> SessionCredentials<'a> {
        SessionCredentials {
            access_key_id: "ASIAEXAMPLE",
            secret_access_key: secret,
            session_token: token,
        }
    }

    #[test]
    fn urls_are_encoded_and_secret() {
        let (secret, token) = (Secret::new("s/k+y"), Secret::new("t=o&k"));
        let url = signin_token_url(
            "https://signin.aws.amazon.com/federation",
            &creds(&secret, &token),
            Some(3600),
        );
        assert_eq!(
            url.expose(),
            "https://signin.aws.amazon.com/federation?Action=getSigninToken&SessionDuration=3600\
             &Session=%7B%22sessionId%22%3A%22ASIAEXAMPLE%22%2C%22sessionKey%22%3A%22s%2Fk%2By%22\
             %2C%22sessionToken%22%3A%22t%3Do%26k%22%7D"
        );
        assert_eq!(format!("{url:?}"), "** redacted **");
        let url = signin_token_url("http://127.0.0.1:1/f", &creds(&secret, &token), None);
        assert!(url
            .expose()
            .starts_with("http://127.0.0.1:1/f?Action=getSigninToken&Session=%7B"));
        let login = login_url(
            "https://signin.aws.amazon.com/federation",
            "https://console.aws.amazon.com/s3/home?region=eu-west-1",
            &Secret::new("tok+/=en"),
        );
        assert_eq!(
            login.expose(),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=rolectl\
             &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1\
             &SigninToken=tok%2B%2F%3Den"
        );
        assert_eq!(format!("{login:?}"), "** redacted **");
    }

    #[test]
    fn session_durations_stay_in_getsignintokens_range() {
        assert_eq!(session_duration(10), 900);
        assert_eq!(session_duration(3599), 3599);
        assert_eq!(session_duration(100_000), 43200);
    }

    #[test]
    fn answers_are_read_and_worded() {
        let ok = read_answer(200, "application/json", br#"{"SigninToken":"abc"}"#, &[]);
        assert_eq!(ok.unwrap().expose(), "abc");
        let e = read_answer(500, "text/plain", b"boom with sekrit", &["sekrit"]).unwrap_err();
        assert_eq!(e, "HTTP 500 with a body starting with \"boom with **\"");
        let e =
            read_answer(200, "text/html", b"<html><title>Wi-Fi</title></html>", &[]).unwrap_err();
        assert!(
            e.starts_with("an HTML page instead of getSigninToken's JSON"),
            "{e}"
        );
        let e = read_answer(200, "application/json", b"  <p>x", &[]).unwrap_err();
        assert!(e.starts_with("an HTML page"), "{e}");
        let e = read_answer(200, "application/json", br#"{"Other":"x"}"#, &[]).unwrap_err();
        assert_eq!(e, "JSON without a SigninToken (members: Other)");
        let e = read_answer(200, "application/json", br#"{"SigninToken":""}"#, &[]).unwrap_err();
        assert_eq!(e, "JSON without a SigninToken (members: SigninToken)");
        let e = read_answer(200, "application/json", b"nope", &[]).unwrap_err();
        assert!(e.starts_with("something that is not JSON"), "{e}");
        let e = read_answer(502, "", b"", &[]).unwrap_err();
        assert_eq!(e, "HTTP 502 with an empty body");
    }

    #[test]
    fn bases_and_destinations_are_checked() {
        assert!(check_base("https://signin.example.com/federation").is_ok());
        assert!(check_base("http://127.0.0.1:8080").is_ok());
        assert!(check_base("signin.example.com").is_err());
        assert!(check_base("https:///federation").is_err());
        assert!(check_base("https://h/f?x=1").is_err());
        assert!(check_destination("https://console.aws.amazon.com/s3/home").is_ok());
        assert!(check_destination("s3").is_err());
        assert!(check_destination("https://").is_err());
        assert!(check_destination("https://a b").is_err());
    }
}
