//! The same scenarios through the installed AWS CLI's own credential chain
//! (`data/cli_chain.py`, run with `ROLECTL_PYTHON` against a fake STS on
//! 127.0.0.1) and through the driver: the STS calls (operation, parameters,
//! signing key, region), the cache files written and the outcome must be
//! the same. Generated session names differ by design (`botocore-session-`
//! against `rolectl-`) and compare as `<generated>`.

mod support;

use rolectl_resolver::{drive, Handlers, ImdsRequest, ProcessOutput, ResolveError, Resolver};
use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::{Endpoint, Operation, Output};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use support::{role_output, snapshot, NOW};
use time::Duration;

const SCENARIOS: &str = include_str!("data/cli_scenarios.json");

fn aws_cli_results() -> Map<String, Value> {
    let python = std::env::var("ROLECTL_PYTHON").unwrap_or_else(|_| {
        panic!("ROLECTL_PYTHON is not set: run the tests through ./scripts/test.sh, which sets it")
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cli_chain.py");
    let mut child = std::process::Command::new(&python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(SCENARIOS.as_bytes())
            .expect("scenarios written");
    }
    let out = child.wait_with_output().expect("script ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

#[derive(Default)]
struct Recorder {
    files: BTreeMap<String, String>,
    calls: Vec<Value>,
    cache: BTreeMap<String, String>,
}

fn generated(name: &str) -> String {
    if name.starts_with("botocore-session-") || name.starts_with("rolectl-") {
        "<generated>".to_owned()
    } else {
        name.to_owned()
    }
}

impl Handlers for Recorder {
    async fn sts(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        let mut params = Map::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                params.insert(k.to_owned(), Value::String(v));
            }
        };
        let role_arn = match operation {
            Operation::AssumeRole(i) => {
                put("RoleArn", Some(i.role_arn.clone()));
                put("RoleSessionName", Some(generated(&i.role_session_name)));
                put("ExternalId", i.external_id.clone());
                put("SerialNumber", i.serial_number.clone());
                put(
                    "TokenCode",
                    i.token_code.as_ref().map(|t| t.expose().to_owned()),
                );
                put("DurationSeconds", i.duration_seconds.map(|d| d.to_string()));
                i.role_arn.clone()
            }
            Operation::AssumeRoleWithWebIdentity(i) => {
                put("RoleArn", Some(i.role_arn.clone()));
                put("RoleSessionName", Some(generated(&i.role_session_name)));
                put(
                    "WebIdentityToken",
                    Some(i.web_identity_token.expose().to_owned()),
                );
                i.role_arn.clone()
            }
            other => return Err(format!("unexpected {}", other.name())),
        };
        self.calls.push(json!({
            "operation": operation.name(),
            "params": params,
            "signed_with": credentials.map(|c| c.access_key_id.clone()),
            "region": credentials.map(|_| endpoint.signing_region.clone()),
        }));
        let account = role_arn.split(':').nth(4).unwrap_or("").to_owned();
        let out = role_output(
            &format!("ASIA{}", self.calls.len()),
            &account,
            NOW + Duration::hours(1),
        );
        Ok(match operation {
            Operation::AssumeRole(_) => Output::AssumeRole(out),
            _ => Output::AssumeRoleWithWebIdentity(out),
        })
    }
    async fn mfa_code(&mut self, _serial: &str, _profile: &str) -> Result<Secret, String> {
        Ok(Secret::new("123456"))
    }
    async fn read_file(&mut self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| format!("no file {path}"))
    }
    async fn cache_get(&mut self, key: &str) -> Option<String> {
        self.cache.get(key).cloned()
    }
    async fn cache_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        self.cache.insert(key.to_owned(), entry.to_owned());
        Ok(())
    }
    async fn imds(&mut self, _request: &ImdsRequest) -> Result<String, String> {
        Err("no instance metadata here".into())
    }
    async fn container(
        &mut self,
        _url: &str,
        _authorization: Option<&Secret>,
    ) -> Result<String, String> {
        Err("no container endpoint here".into())
    }
    async fn run_process(
        &mut self,
        _command: &str,
        _profile: &str,
    ) -> Result<ProcessOutput, String> {
        Err("no processes here".into())
    }
}

/// The AWS CLI's exception for each of our errors that a scenario reaches.
fn cli_error(e: &ResolveError) -> String {
    match e {
        ResolveError::ProfileNotFound { .. } => "ProfileNotFound".into(),
        ResolveError::Cycle { .. } => "InfiniteLoopConfigError".into(),
        ResolveError::ParameterLength { .. } => "ParamValidationError".into(),
        ResolveError::BothSourceProfileAndCredentialSource { .. }
        | ResolveError::UnknownCredentialSource { .. }
        | ResolveError::SourceProfileNotFound { .. }
        | ResolveError::SourceProfileWithoutCredentials { .. } => "InvalidConfigError".into(),
        ResolveError::RoleWithoutSource { .. } | ResolveError::PartialCredentials { .. } => {
            "PartialCredentialsError".into()
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn the_driver_does_what_the_installed_aws_cli_does() {
    let cli = aws_cli_results();
    let scenarios: Vec<Value> = serde_json::from_str(SCENARIOS).expect("scenarios");
    assert_eq!(cli.len(), scenarios.len());
    let mut failures = Vec::new();
    for s in &scenarios {
        let name = s["name"].as_str().expect("name");
        let text = |k: &str| s[k].as_str().unwrap_or("").to_owned();
        let mut env: Vec<(String, String)> = s["env"]
            .as_object()
            .expect("env")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
            .collect();
        env.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let snap = snapshot(
            &text("config"),
            &text("credentials"),
            &env,
            s["profile"].as_str(),
            true,
        );
        let mut handlers = Recorder {
            files: s["files"]
                .as_object()
                .expect("files")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect(),
            ..Default::default()
        };
        let mut machine = Resolver::new(&snap);
        let result = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(drive(&mut machine, &mut handlers, || NOW));
        let mut ours = Map::new();
        match result {
            Ok(c) => {
                ours.insert("access_key".into(), json!(c.access_key_id));
                ours.insert(
                    "token".into(),
                    json!(c.session_token.as_ref().map(Secret::expose)),
                );
            }
            // The CLI's chain ends with no credentials rather than an error.
            Err(ResolveError::NoCredentials) => {
                ours.insert("access_key".into(), Value::Null);
                ours.insert("token".into(), Value::Null);
            }
            Err(e) => {
                ours.insert("error".into(), json!(cli_error(&e)));
            }
        }
        ours.insert("calls".into(), Value::Array(handlers.calls));
        ours.insert(
            "cached".into(),
            json!(handlers.cache.keys().collect::<Vec<_>>()),
        );
        let mut theirs = cli[name].clone();
        for call in theirs["calls"].as_array_mut().into_iter().flatten() {
            if let Some(n) = call["params"].get_mut("RoleSessionName") {
                *n = json!(generated(n.as_str().unwrap_or("")));
            }
        }
        if Value::Object(ours.clone()) != theirs {
            failures.push(format!(
                "{name}\n  aws cli: {theirs}\n  rolectl: {}",
                Value::Object(ours)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
