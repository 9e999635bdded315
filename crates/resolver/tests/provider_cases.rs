//! The provider cases of the cross-SDK suite (`profile-provider/` and
//! `default-credential-provider-chain/`, SSO cases left out) run through
//! the async driver: `env.json` is the environment, `fs/` a virtual file
//! system mounted at `/`, and `http-traffic.json` is replayed, request by
//! request, as STS, IMDS and container endpoints. `credential_process`
//! commands really run (`sh -c`).
//!
//! `profile-provider/` cases run as `--profile <AWS_PROFILE or default>`
//! (the suite's profile provider never reads environment credentials);
//! `default-credential-provider-chain/` cases run as the default chain.

mod support;

use rolectl_config_parser::parse_files;
use rolectl_resolver::{
    drive, Handlers, ImdsRequest, Options, ProcessOutput, ResolvedCredentials, Resolver, Snapshot,
};
use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::form::decode_pairs;
use rolectl_sts_client::{
    build_request, build_sso_request, parse_response, parse_sso_response, Endpoint, HttpResponse,
    Operation, Output, SsoError, SsoOperation, SsoOutput,
};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use time::macros::datetime;
use time::OffsetDateTime;

const ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/aws-config"
);
const NOW: OffsetDateTime = datetime!(2021-08-05 18:00:00 UTC);

/// One recorded request and its response.
#[derive(Debug, Default)]
struct Exchange {
    method: String,
    uri: String,
    headers: BTreeMap<String, String>,
    body: String,
    status: u16,
    response: String,
}

fn load_traffic(path: &Path) -> VecDeque<Exchange> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("traffic"))
        .expect("traffic JSON");
    let mut order: Vec<u64> = Vec::new();
    let mut by_conn: BTreeMap<u64, Exchange> = BTreeMap::new();
    for event in v["events"].as_array().expect("events") {
        let conn = event["connection_id"].as_u64().expect("connection id");
        let action = &event["action"];
        let ex = by_conn.entry(conn).or_insert_with(|| {
            order.push(conn);
            Exchange::default()
        });
        if let Some(req) = action.get("Request") {
            let r = &req["request"];
            ex.method = r["method"].as_str().unwrap_or("").to_owned();
            ex.uri = r["uri"].as_str().unwrap_or("").to_owned();
            if let Some(h) = r["headers"].as_object() {
                for (k, vals) in h {
                    ex.headers.insert(
                        k.to_ascii_lowercase(),
                        vals[0].as_str().unwrap_or("").to_owned(),
                    );
                }
            }
        } else if let Some(resp) = action.get("Response") {
            ex.status = resp["response"]["Ok"]["status"].as_u64().unwrap_or(0) as u16;
        } else if let Some(data) = action.get("Data") {
            let text = data["data"]["Utf8"].as_str().unwrap_or("").to_owned();
            match data["direction"].as_str() {
                Some("Request") => ex.body.push_str(&text),
                _ => ex.response.push_str(&text),
            }
        }
    }
    order
        .into_iter()
        .filter_map(|c| by_conn.remove(&c))
        .collect()
}

fn load_fs(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let rel = path.strip_prefix(base).expect("under base");
                out.insert(format!("/{}", rel.to_string_lossy()), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&dir.join("fs"), &dir.join("fs"), &mut out);
    out
}

fn trim_slash(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// The form parameters to compare with a recording, sorted (the AWS CLI's
/// order differs from the SDK's). Left out: the session name when either
/// side generated it, the token's value (the AWS CLI sends the file as read,
/// trailing newline included; the recording's SDK trimmed it), and the
/// role ARN where the recording was made for another case.
fn comparable(
    pairs: &[(String, String)],
    role_arn_matches: bool,
    session_generated: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !(session_generated && k == "RoleSessionName"))
        .map(|(k, v)| {
            let hide = k == "WebIdentityToken" || (k == "RoleArn" && !role_arn_matches);
            (k.clone(), if hide { String::new() } else { v.clone() })
        })
        .collect();
    out.sort();
    out
}

/// Replays the recording; every request must be the next one recorded.
struct Replay {
    recorded_role_arn_matches: bool,
    traffic: VecDeque<Exchange>,
    /// Requests made after the recording ran out. Each is answered with an
    /// error so the run goes on, and fails the case afterwards: a default
    /// chain turns a failed IMDS request into "no credentials", which would
    /// otherwise hide a request that should never have been made.
    unrecorded: Vec<String>,
    fs: BTreeMap<String, String>,
    /// `$HOME`, where `.aws/sso/cache` is.
    home: String,
    cache: BTreeMap<String, String>,
    /// The operations STS answered with 200, in order.
    answered: Vec<&'static str>,
    log: Vec<String>,
}

impl Replay {
    fn next(&mut self, method: &str, url: &str) -> Result<Exchange, String> {
        let Some(ex) = self.traffic.pop_front() else {
            self.unrecorded.push(format!("{method} {url}"));
            return Err(format!("no recorded exchange left for {method} {url}"));
        };
        assert_eq!(
            (ex.method.as_str(), trim_slash(&ex.uri)),
            (method, trim_slash(url)),
            "request out of order"
        );
        self.log.push(format!("{method} {url} -> {}", ex.status));
        Ok(ex)
    }
}

impl Handlers for Replay {
    async fn sts(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        let request =
            build_request(operation, endpoint, credentials, NOW).map_err(|e| e.to_string())?;
        assert_eq!(
            request.header("authorization").is_some(),
            operation.is_signed()
        );
        let ours = decode_pairs(std::str::from_utf8(&request.body).expect("utf-8")).expect("form");
        // botocore retries 5xx answers (legacy mode: 5 attempts in all).
        for _ in 0..5 {
            let ex = self.next(&request.method, &request.url)?;
            let recorded = decode_pairs(&ex.body).expect("recorded form");
            let generated = ours
                .iter()
                .any(|(k, v)| k == "RoleSessionName" && v.starts_with("rolectl-"));
            let arn = self.recorded_role_arn_matches;
            assert_eq!(
                comparable(&ours, arn, generated),
                comparable(&recorded, arn, generated),
                "form parameters"
            );
            assert_eq!(
                ex.headers.contains_key("authorization"),
                request.header("authorization").is_some(),
                "signed or not"
            );
            if ex.status >= 500 {
                continue;
            }
            if ex.status == 200 {
                self.answered.push(operation.name());
            }
            let response = HttpResponse {
                status: ex.status,
                headers: vec![("content-type".into(), "text/xml".into())],
                body: ex.response.into_bytes(),
            };
            return parse_response(operation, &response).map_err(|e| e.to_string());
        }
        Err("STS kept failing".into())
    }

    async fn mfa_code(&mut self, serial: &str, _profile: &str) -> Result<Secret, String> {
        Err(format!("no terminal to ask for the MFA code of {serial}"))
    }

    async fn read_file(&mut self, path: &str) -> Result<String, String> {
        self.log.push(format!("read {path}"));
        // What reading a missing file gives a native front end.
        self.fs
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from_raw_os_error(2).to_string())
    }

    async fn cache_get(&mut self, key: &str) -> rolectl_resolver::CacheLookup {
        self.cache.get(key).cloned().into()
    }

    async fn cache_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        self.cache.insert(key.to_owned(), entry.to_owned());
        Ok(())
    }

    /// IMDSv2 as the AWS CLI does it, each request tried `attempts` times.
    async fn imds(&mut self, request: &ImdsRequest) -> Result<String, String> {
        let base = request.endpoint.trim_end_matches('/').to_owned();
        let call = |this: &mut Self, method: &str, path: &str| -> Result<Exchange, String> {
            let mut last = String::new();
            for _ in 0..request.attempts {
                let ex = this.next(method, &format!("{base}{path}"))?;
                if ex.status == 200 {
                    return Ok(ex);
                }
                last = format!("{method} {path} answered {}", ex.status);
                if ex.status < 500 {
                    break;
                }
            }
            Err(last)
        };
        let token = call(self, "PUT", "/latest/api/token")?.response;
        assert!(!token.is_empty());
        let role = call(self, "GET", "/latest/meta-data/iam/security-credentials/")?.response;
        let doc = call(
            self,
            "GET",
            &format!("/latest/meta-data/iam/security-credentials/{}", role.trim()),
        )?;
        Ok(doc.response)
    }

    async fn container(
        &mut self,
        url: &str,
        authorization: Option<&Secret>,
    ) -> Result<String, String> {
        let ex = self.next("GET", url)?;
        if let Some(recorded) = ex.headers.get("authorization") {
            assert_eq!(Some(recorded.as_str()), authorization.map(Secret::expose));
        }
        if ex.status != 200 {
            return Err(format!("the container endpoint answered {}", ex.status));
        }
        Ok(ex.response)
    }

    async fn sso_token_get(&mut self, key: &str) -> rolectl_resolver::CacheLookup {
        let path = format!("{}/.aws/sso/cache/{key}.json", self.home);
        self.log.push(format!("read {path}"));
        self.fs.get(&path).cloned().into()
    }

    /// The portal as recorded: the same URL, the same bearer token.
    async fn sso(&mut self, operation: &SsoOperation, url: &str) -> Result<SsoOutput, SsoError> {
        let request = build_sso_request(operation, url);
        // The query's order is the recording SDK's; the parameters must match.
        let sorted = |uri: &str| {
            let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
            let mut pairs: Vec<&str> = query.split('&').collect();
            pairs.sort();
            format!("{path}?{}", pairs.join("&"))
        };
        let url = match self.traffic.front() {
            Some(ex) if sorted(&ex.uri) == sorted(&request.url) => ex.uri.clone(),
            _ => request.url.clone(),
        };
        let ex = self
            .next(&request.method, &url)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ex.headers.get("x-amz-sso_bearer_token").map(String::as_str),
            request.header("x-amz-sso_bearer_token"),
            "bearer token"
        );
        if ex.status == 200 {
            self.answered.push(operation.name());
        }
        let response = HttpResponse {
            status: ex.status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: ex.response.into_bytes(),
        };
        parse_sso_response(operation, &response)
    }

    async fn run_process(
        &mut self,
        command: &str,
        _profile: &str,
    ) -> Result<ProcessOutput, String> {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .output()
            .map_err(|e| e.to_string())?;
        Ok(ProcessOutput {
            status: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// Cases whose recording was made with another role ARN than their config names.
const RECORDED_FOR_OTHER_ROLE: &[&str] = &[
    "web_identity_token_env",
    "web_identity_token_profile",
    "web_identity_token_source_profile",
];

struct Run {
    result: Result<ResolvedCredentials, String>,
    replay: Replay,
}

fn run(dir: &Path, profile_provider: bool) -> Run {
    let env: BTreeMap<String, String> = std::fs::read_to_string(dir.join("env.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let fs = load_fs(dir);
    let home = env
        .get("HOME")
        .cloned()
        .unwrap_or_else(|| "/nonexistent".into());
    let config = env
        .get("AWS_CONFIG_FILE")
        .cloned()
        .unwrap_or(format!("{home}/.aws/config"));
    let creds = env
        .get("AWS_SHARED_CREDENTIALS_FILE")
        .cloned()
        .unwrap_or(format!("{home}/.aws/credentials"));
    let mut replay = Replay {
        recorded_role_arn_matches: !RECORDED_FOR_OTHER_ROLE
            .contains(&dir.file_name().and_then(|n| n.to_str()).unwrap_or("")),
        traffic: load_traffic(&dir.join("http-traffic.json")),
        unrecorded: Vec::new(),
        fs,
        home: home.clone(),
        cache: BTreeMap::new(),
        answered: Vec::new(),
        log: Vec::new(),
    };
    let parsed = match parse_files(
        replay.fs.get(&config).map(String::as_str),
        replay.fs.get(&creds).map(String::as_str),
    ) {
        Ok(p) => p.profiles.into_owned(),
        // The parser's own words, placed as a front end prints them; the
        // case's reason is matched with them in `REASONS`.
        Err(e) => {
            return Run {
                result: Err(format!("{}: {e}", e.location())),
                replay,
            }
        }
    };
    let explicit = profile_provider.then(|| {
        env.get("AWS_PROFILE")
            .cloned()
            .unwrap_or_else(|| "default".into())
    });
    let snapshot = Snapshot {
        profiles: parsed,
        env,
        options: Options {
            profile: explicit,
            region: None,
            cache: true,
            ..Default::default()
        },
    };
    let mut machine = Resolver::new(&snapshot);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let result = rt.block_on(drive(&mut machine, &mut replay, || NOW));
    Run {
        result: result.map_err(|e| e.to_string()),
        replay,
    }
}

/// What a case must give.
enum Expect {
    /// The case's own `Ok` result, field by field.
    Vector,
    /// The case expects an error; ours must be exactly this text, and the
    /// case's `ErrorContains` must be in it or paired with it in `REASONS`.
    Error(&'static str),
    /// The AWS CLI behaves differently from the case: we follow the CLI.
    /// `ours` is `Ok(access key)` or `Err(text)`; `requests` is how many of
    /// the recorded requests the AWS CLI's way makes, in order.
    Divergence {
        ours: Result<&'static str, &'static str>,
        requests: usize,
        why: &'static str,
    },
}

/// The suite's reasons are the Rust SDK's words; rolectl words failures as
/// the AWS CLI does, naming the profile and the line. Each row pairs a
/// case's `ErrorContains` with rolectl's whole error for the same failure.
/// One SDK phrase ("not enabled") stands for several failures, so each row
/// also says which one it is.
const REASONS: &[(&str, &str)] = &[
    // A profile with SSO token settings only (botocore's SSOProvider is
    // not used for it).
    (
        "selected profile will resolve an access token instead of credentials",
        "The profile \"default\" (config:2:1) names an sso-session but has no sso_account_id and sso_role_name, so it gives no credentials (the AWS CLI uses it for SSO tokens only); add both to get role credentials.",
    ),
    // No token file for the legacy form's start URL.
    (
        "failed to read `/home/.aws/sso/cache/dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json`: No such file or directory (os error 2)",
        "Error loading SSO Token: Token for https://ssotest.awsapps.com/start does not exist (profile \"sso-test\", ~/.aws/sso/cache/dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json); run `rolectl sso login --profile sso-test` (or `aws sso login --profile sso-test`) to log in.",
    ),
    // The portal answered 503.
    (
        "an error occurred while loading credentials",
        "An error occurred (503) when calling the GetRoleCredentials operation: Service Unavailable (IAM Identity Center, profile \"sso-test\")",
    ),
    // The selected profile does not exist.
    (
        "the credential provider was not enabled",
        "The config profile (default) could not be found",
    ),
    // The default chain ran out: IMDS had no role, or was disabled.
    (
        "the credential provider was not enabled",
        "Unable to locate credentials. You can configure credentials by running \"aws configure\".",
    ),
    // IMDS gave a token, then no role: the role list step failed.
    (
        "the credential provider was not enabled",
        "No credentials found in credential_source Ec2InstanceMetadata referenced in profile \"default\" (config:4:1): GET /latest/meta-data/iam/security-credentials/ answered 404",
    ),
    // IMDS refused the token: the token step failed.
    (
        "request forbidden: IMDS is disabled",
        "No credentials found in credential_source Ec2InstanceMetadata referenced in profile \"default\" (config:4:1): PUT /latest/api/token answered 403",
    ),
    // credential_source = Environment with no keys in the environment.
    (
        "provider was not enabled",
        "No credentials found in credential_source Environment referenced in profile \"A\" (config:3:1).",
    ),
    (
        "an error occurred while loading credentials: Error retrieving credentials: external process exited with code exit status: 1",
        "Error when retrieving credentials from custom-process (profile \"default\", config:3:1): the process ended with exit code 1",
    ),
    (
        "Error retrieving credentials from external process, could not parse response: invalid JSON in response",
        "Error when retrieving credentials from custom-process (profile \"default\", config:3:1): the output is not valid JSON (expected value at line 1 column 1)",
    ),
    // The config parser's own error for a line that is only `= value`.
    (
        "could not parse profile file",
        "config:2:1: Property did not have a name; put a name before the '='.",
    ),
    (
        "`web_identity_token_file` was specified but `role_arn` was missing",
        "The profile \"B\" (config:6:1) is configured to assume a role with web identity (/token.jwt) but has no role ARN; set role_arn in the profile or AWS_ROLE_ARN in the environment.",
    ),
    // STS's error code and message, as botocore prints them.
    (
        "InvalidIdentityTokenException: No OpenIDConnect provider found in your account",
        "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://s3-us-west-2.amazonaws.com/oidc-test-tzzotbwmznwimurcbkebndpxaimixbkc",
    ),
];

fn check(group: &str, name: &str, expect: Expect) {
    let dir = PathBuf::from(ROOT).join(group).join(name);
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("test-case.json")).expect("case"))
            .expect("case JSON");
    let out = run(&dir, group == "profile-provider");
    let ctx = format!(
        "{group}/{name}: {:?}\n{:#?}",
        out.result.as_ref().map(|c| &c.access_key_id),
        out.replay.log
    );
    // Whatever the outcome, the requests made are the recorded ones: none
    // left out (all of them, or as many as a divergence says), none added.
    assert!(
        out.replay.unrecorded.is_empty(),
        "{ctx}: requests that were not recorded: {:?}",
        out.replay.unrecorded
    );
    let recorded = load_traffic(&dir.join("http-traffic.json")).len();
    let made = recorded - out.replay.traffic.len();
    let want_made = match &expect {
        Expect::Divergence { requests, .. } => *requests,
        _ => recorded,
    };
    assert_eq!(made, want_made, "{ctx}: recorded requests made");
    match expect {
        Expect::Vector => {
            let want = &case["result"]["Ok"];
            assert!(want.is_object(), "{ctx}: the case expects an error");
            let got = out.result.unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_eq!(
                got.access_key_id,
                want["access_key_id"].as_str().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                got.secret_access_key.expose(),
                want["secret_access_key"].as_str().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                got.session_token.as_ref().map(Secret::expose),
                want["session_token"].as_str(),
                "{ctx}"
            );
            assert_eq!(
                got.account_id.as_deref(),
                want["account_id"].as_str(),
                "{ctx}"
            );
            assert_eq!(
                got.expiration.map(|e| e.unix_timestamp()),
                want["expiry"].as_i64(),
                "{ctx}"
            );
            // Every AssumeRole answer is cached under its own key, in the AWS
            // CLI's format; a web identity answer only when nothing was
            // assumed with it (the AWS CLI file-caches web identity only for
            // the profile used directly).
            let answered = &out.replay.answered;
            let cached = answered
                .iter()
                .enumerate()
                .filter(|(i, op)| {
                    matches!(**op, "AssumeRole" | "GetRoleCredentials") || *i + 1 == answered.len()
                })
                .count();
            assert_eq!(out.replay.cache.len(), cached, "{ctx}: {answered:?}");
            for entry in out.replay.cache.values() {
                rolectl_resolver::CacheEntry::parse(entry).expect("cache entry parses");
            }
        }
        Expect::Error(ours) => {
            let reason = case["result"]["ErrorContains"]
                .as_str()
                .unwrap_or_else(|| panic!("{ctx}: the case expects success"));
            assert!(
                ours.contains(reason) || REASONS.contains(&(reason, ours)),
                "{ctx}: the case's reason {reason:?} is neither in {ours:?} nor paired with it in REASONS"
            );
            let err = out
                .result
                .err()
                .unwrap_or_else(|| panic!("{ctx}: expected an error"));
            assert_eq!(err, ours, "{ctx}");
        }
        Expect::Divergence {
            ours,
            requests: _,
            why,
        } => {
            assert!(!why.is_empty());
            match (ours, out.result) {
                (Ok(key), Ok(c)) => assert_eq!(c.access_key_id, key, "{ctx}"),
                (Err(text), Err(e)) => assert_eq!(e, text, "{ctx}"),
                (want, got) => panic!(
                    "{ctx}: want {want:?}, got {:?}",
                    got.map(|c| c.access_key_id)
                ),
            }
        }
    }
}

const PP: &str = "profile-provider";
const DC: &str = "default-credential-provider-chain";

#[test]
fn assume_role_override_global_env_url() {
    check(PP, "assume_role_override_global_env_url", Expect::Vector)
}
#[test]
fn assume_role_override_global_profile_url() {
    check(
        PP,
        "assume_role_override_global_profile_url",
        Expect::Vector,
    )
}
#[test]
fn assume_role_override_service_env_url() {
    check(PP, "assume_role_override_service_env_url", Expect::Vector)
}
#[test]
fn assume_role_override_service_profile_url() {
    check(
        PP,
        "assume_role_override_service_profile_url",
        Expect::Vector,
    )
}
#[test]
fn credential_process() {
    check(PP, "credential_process", Expect::Vector)
}
#[test]
fn credential_process_account_id_fallback() {
    check(PP, "credential_process_account_id_fallback", Expect::Vector)
}
#[test]
fn credential_process_failure() {
    check(PP, "credential_process_failure", Expect::Error("Error when retrieving credentials from custom-process (profile \"default\", config:3:1): the process ended with exit code 1"))
}
#[test]
fn credential_process_invalid() {
    check(PP, "credential_process_invalid", Expect::Error("Error when retrieving credentials from custom-process (profile \"default\", config:3:1): the output is not valid JSON (expected value at line 1 column 1)"))
}
#[test]
fn e2e_assume_role() {
    check(PP, "e2e_assume_role", Expect::Vector)
}
#[test]
fn e2e_fips_and_dual_stack_sts() {
    check(PP, "e2e_fips_and_dual_stack_sts", Expect::Vector)
}
#[test]
fn empty_config() {
    check(
        PP,
        "empty_config",
        Expect::Error("The config profile (default) could not be found"),
    )
}
#[test]
fn invalid_config() {
    check(
        PP,
        "invalid_config",
        Expect::Error("config:2:1: Property did not have a name; put a name before the '='."),
    )
}
#[test]
fn region_override() {
    check(PP, "region_override", Expect::Vector)
}
#[test]
fn retry_on_error() {
    check(PP, "retry_on_error", Expect::Vector)
}

#[test]
fn ecs_assume_role() {
    check(DC, "ecs_assume_role", Expect::Vector)
}
#[test]
fn ecs_credentials() {
    check(DC, "ecs_credentials", Expect::Vector)
}
#[test]
fn ecs_credentials_invalid_profile() {
    check(DC, "ecs_credentials_invalid_profile", Expect::Vector)
}
#[test]
fn eks_pod_identity_credentials() {
    check(DC, "eks_pod_identity_credentials", Expect::Vector)
}
#[test]
fn eks_pod_identity_no_token_file() {
    check(DC, "eks_pod_identity_no_token_file", Expect::Error("Could not read /token.jwt (container authorization token): No such file or directory (os error 2)"))
}
#[test]
fn environment_variables() {
    check(DC, "environment_variables", Expect::Vector)
}
#[test]
fn environment_variables_blank() {
    check(DC, "environment_variables_blank", Expect::Divergence { ours: Ok(" "), requests: 0, why: "botocore's EnvProvider takes any non-empty AWS_ACCESS_KEY_ID, a single space included; only the empty string counts as unset" })
}
#[test]
fn imds_assume_role() {
    check(DC, "imds_assume_role", Expect::Vector)
}
#[test]
fn imds_config_with_no_creds() {
    check(DC, "imds_config_with_no_creds", Expect::Vector)
}
#[test]
fn imds_default_chain_error() {
    check(DC, "imds_default_chain_error", Expect::Error("Unable to locate credentials. You can configure credentials by running \"aws configure\"."))
}
#[test]
fn imds_default_chain_retries() {
    check(DC, "imds_default_chain_retries", Expect::Divergence { ours: Err("Unable to locate credentials. You can configure credentials by running \"aws configure\"."), requests: 1, why: "the AWS CLI makes metadata_service_num_attempts = 1 attempt per IMDS request by default, so the recorded 503 ends the chain; the SDK case retries" })
}
#[test]
fn imds_default_chain_success() {
    check(DC, "imds_default_chain_success", Expect::Vector)
}
#[test]
fn imds_disabled() {
    check(DC, "imds_disabled", Expect::Error("Unable to locate credentials. You can configure credentials by running \"aws configure\"."))
}
#[test]
fn imds_no_iam_role() {
    check(DC, "imds_no_iam_role", Expect::Error("No credentials found in credential_source Ec2InstanceMetadata referenced in profile \"default\" (config:4:1): GET /latest/meta-data/iam/security-credentials/ answered 404"))
}
#[test]
fn imds_token_fail() {
    check(DC, "imds_token_fail", Expect::Error("No credentials found in credential_source Ec2InstanceMetadata referenced in profile \"default\" (config:4:1): PUT /latest/api/token answered 403"))
}
#[test]
fn prefer_environment() {
    check(DC, "prefer_environment", Expect::Vector)
}
#[test]
fn profile_name() {
    check(DC, "profile_name", Expect::Vector)
}
#[test]
fn profile_overrides_web_identity() {
    check(DC, "profile_overrides_web_identity", Expect::Error("No credentials found in credential_source Environment referenced in profile \"A\" (config:3:1)."))
}
#[test]
fn profile_static_keys() {
    check(DC, "profile_static_keys", Expect::Vector)
}
#[test]
fn profile_static_keys_case_insensitive() {
    check(DC, "profile_static_keys_case_insensitive", Expect::Vector)
}
#[test]
fn web_identity_source_profile_no_env() {
    check(DC, "web_identity_source_profile_no_env", Expect::Error("The profile \"B\" (config:6:1) is configured to assume a role with web identity (/token.jwt) but has no role ARN; set role_arn in the profile or AWS_ROLE_ARN in the environment."))
}
#[test]
fn web_identity_token_env() {
    check(DC, "web_identity_token_env", Expect::Vector)
}
#[test]
fn web_identity_token_invalid_jwt() {
    check(DC, "web_identity_token_invalid_jwt", Expect::Error("An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://s3-us-west-2.amazonaws.com/oidc-test-tzzotbwmznwimurcbkebndpxaimixbkc"))
}
#[test]
fn web_identity_token_profile() {
    check(DC, "web_identity_token_profile", Expect::Vector)
}
#[test]
fn web_identity_token_source_profile() {
    check(DC, "web_identity_token_source_profile", Expect::Vector)
}

/// IAM Identity Center cases: all of them run (kept for the check below).
const SSO_CASES: &[&str] = &[];

#[test]
fn every_case_is_run_or_is_about_sso() {
    let this_file = include_str!("provider_cases.rs");
    for group in [PP, DC] {
        for entry in std::fs::read_dir(PathBuf::from(ROOT).join(group)).expect("case dir") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let run_here = this_file.contains(&format!("fn {name}()"));
            assert!(
                run_here ^ SSO_CASES.contains(&name.as_str()),
                "{group}/{name} is neither run nor listed as SSO"
            );
        }
    }
}

// IAM Identity Center: the token from `.aws/sso/cache` of the case's file
// system, GetRoleCredentials replayed (query order aside, request by request).
#[test]
fn sso_credentials() {
    check(PP, "sso_credentials", Expect::Vector)
}
#[test]
fn sso_override_global_env_url() {
    check(PP, "sso_override_global_env_url", Expect::Vector)
}
#[test]
fn sso_token() {
    check(PP, "sso_token", Expect::Error("The profile \"default\" (config:2:1) names an sso-session but has no sso_account_id and sso_role_name, so it gives no credentials (the AWS CLI uses it for SSO tokens only); add both to get role credentials."))
}
#[test]
fn invalid_sso_credentials_config() {
    check(PP, "invalid_sso_credentials_config", Expect::Error("The profile \"default\" (config:2:1) names an sso-session but has no sso_account_id and sso_role_name, so it gives no credentials (the AWS CLI uses it for SSO tokens only); add both to get role credentials."))
}
#[test]
fn sso_no_token_file() {
    check(DC, "sso_no_token_file", Expect::Error("Error loading SSO Token: Token for https://ssotest.awsapps.com/start does not exist (profile \"sso-test\", ~/.aws/sso/cache/dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json); run `rolectl sso login --profile sso-test` (or `aws sso login --profile sso-test`) to log in."))
}
#[test]
fn sso_server_error() {
    check(DC, "sso_server_error", Expect::Error("An error occurred (503) when calling the GetRoleCredentials operation: Service Unavailable (IAM Identity Center, profile \"sso-test\")"))
}
#[test]
fn sso_assume_role() {
    check(DC, "sso_assume_role", Expect::Divergence { ours: Err("The portal answered GetRoleCredentials with credentials that expired at 2009-02-13T23:31:30Z; check this machine's clock. (IAM Identity Center, profile \"sso-test\")"), requests: 1, why: "the recorded credentials expired in 2009: botocore refuses credentials that are still expired after a refresh, and rolectl refuses them on arrival" })
}
#[test]
fn e2e_fips_and_dual_stack_sso() {
    check(DC, "e2e_fips_and_dual_stack_sso", Expect::Divergence { ours: Err("The portal answered GetRoleCredentials with credentials that expired at 2009-02-13T23:31:30Z; check this machine's clock. (IAM Identity Center, profile \"sso-test\")"), requests: 1, why: "the recorded credentials expired in 2009: botocore refuses credentials that are still expired after a refresh, and rolectl refuses them on arrival" })
}
