//! The same scenarios through the installed AWS CLI's own credential chain
//! (`data/cli_chain.py`, run with `ROLECTL_PYTHON` against a fake STS on
//! 127.0.0.1) and through the driver: the STS calls (operation, every form
//! parameter, signing key, region), the cache files written (their
//! contents), and the outcome (the whole credentials) must be the same.
//! Both sides are read off what would go on the wire: the CLI's fake STS
//! decodes the form body it receives, and rolectl's side decodes the body
//! and signature that sts-client's `build_request` makes, so a parameter
//! rolectl sends and the CLI does not cannot hide. Both fake STSs answer the
//! n-th call with the same document. Generated session names differ by
//! design (`botocore-session-` against `rolectl-`) and compare as
//! `<generated>`.
//!
//! A second test hands each tool the cache files the other wrote: each must
//! use them as they are, without a call.

mod support;

use rolectl_resolver::{drive, Handlers, ImdsRequest, ProcessOutput, ResolveError, Resolver};
use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::form::decode_pairs;
use rolectl_sts_client::{
    build_request, parse_response, Endpoint, HttpResponse, Operation, Output,
};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use support::{snapshot, NOW};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const SCENARIOS: &str = include_str!("data/cli_scenarios.json");

/// Runs `cli_chain.py` on `scenarios` and returns what it printed.
fn aws_cli_results(scenarios: &str) -> Map<String, Value> {
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
            .write_all(scenarios.as_bytes())
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
    /// Access keys handed out are `<prefix><n>`: `ASIA`, as the CLI's fake
    /// STS, unless a test needs to tell the two apart.
    key_prefix: &'static str,
}

fn generated(name: &str) -> String {
    if name.starts_with("botocore-session-") || name.starts_with("rolectl-") {
        "<generated>".to_owned()
    } else {
        name.to_owned()
    }
}

/// The answer of `cli_chain.py`'s fake STS to its n-th call, word for word.
fn sts_answer(action: &str, n: usize, prefix: &str, account: &str) -> String {
    format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>\
         <Credentials><AccessKeyId>{prefix}{n}</AccessKeyId><SecretAccessKey>s{n}</SecretAccessKey>\
         <SessionToken>token-of-ASIA{n}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROA{n}:x</AssumedRoleId>\
         <Arn>arn:aws:sts::{account}:assumed-role/r/x</Arn></AssumedRoleUser>\
         </{action}Result><ResponseMetadata><RequestId>r{n}</RequestId></ResponseMetadata></{action}Response>"
    )
}

impl Handlers for Recorder {
    async fn sts(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        // The request the STS client would send: its body and signature are
        // what is compared, not the operation's fields.
        let request =
            build_request(operation, endpoint, credentials, NOW).map_err(|e| e.to_string())?;
        let body = std::str::from_utf8(&request.body).expect("the body is UTF-8");
        let mut params = Map::new();
        let mut action = None;
        for (k, v) in decode_pairs(body).expect("the body is a form") {
            match k.as_str() {
                "Action" => action = Some(v),
                "Version" => {}
                "RoleSessionName" => {
                    params.insert(k, json!(generated(&v)));
                }
                _ => {
                    params.insert(k, json!(v));
                }
            }
        }
        let action = action.expect("the body names its Action");
        // `Credential=<key>/<date>/<region>/sts/aws4_request`, as the CLI's
        // fake STS reads it.
        let scope: Option<Vec<String>> = request.header("authorization").map(|auth| {
            let credential = auth.split("Credential=").nth(1).expect("a credential");
            let credential = credential.split(',').next().unwrap_or("");
            credential.split('/').map(str::to_owned).collect()
        });
        self.calls.push(json!({
            "operation": action,
            "params": params,
            "signed_with": scope.as_ref().map(|s| s[0].clone()),
            "region": scope.as_ref().map(|s| s[2].clone()),
        }));
        let role_arn = params["RoleArn"].as_str().unwrap_or("");
        let account = role_arn.split(':').nth(4).unwrap_or("");
        let answer = sts_answer(&action, self.calls.len(), self.key_prefix, account);
        let response = HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: answer.into_bytes(),
        };
        parse_response(operation, &response).map_err(|e| e.to_string())
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
    async fn cache_get(&mut self, key: &str) -> rolectl_resolver::CacheLookup {
        self.cache.get(key).cloned().into()
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

/// A cache file of ours as `cli_chain.py` shows the CLI's: parsed as plain
/// JSON (not with rolectl's reader), Expiration in Unix seconds.
fn comparable_entry(text: &str) -> Value {
    let mut entry: Value = serde_json::from_str(text).expect("our cache entry is JSON");
    let expiration = &mut entry["Credentials"]["Expiration"];
    let parsed = OffsetDateTime::parse(expiration.as_str().expect("an Expiration"), &Rfc3339)
        .expect("an RFC 3339 Expiration");
    *expiration = json!(parsed.unix_timestamp());
    entry
}

/// Runs one scenario through the driver, with `cache` as the cache files
/// already there.
fn run_rolectl(
    s: &Value,
    cache: BTreeMap<String, String>,
    key_prefix: &'static str,
) -> (
    Result<rolectl_resolver::ResolvedCredentials, ResolveError>,
    Recorder,
) {
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
        cache,
        key_prefix,
        ..Default::default()
    };
    let mut machine = Resolver::new(&snap);
    let result = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(drive(&mut machine, &mut handlers, || NOW));
    (result, handlers)
}

#[test]
fn the_driver_does_what_the_installed_aws_cli_does() {
    let cli = aws_cli_results(SCENARIOS);
    let scenarios: Vec<Value> = serde_json::from_str(SCENARIOS).expect("scenarios");
    assert_eq!(cli.len(), scenarios.len());
    let mut failures = Vec::new();
    for s in &scenarios {
        let name = s["name"].as_str().expect("name");
        let (result, handlers) = run_rolectl(s, BTreeMap::new(), "ASIA");
        let mut ours = Map::new();
        match result {
            Ok(c) => {
                ours.insert("access_key".into(), json!(c.access_key_id));
                ours.insert("secret".into(), json!(c.secret_access_key.expose()));
                ours.insert(
                    "token".into(),
                    json!(c.session_token.as_ref().map(Secret::expose)),
                );
                ours.insert(
                    "expiration".into(),
                    json!(c.expiration.map(|e| e.unix_timestamp())),
                );
            }
            // The CLI's chain ends with no credentials rather than an error.
            Err(ResolveError::NoCredentials | ResolveError::NoCredentialsInProfile { .. }) => {
                for k in ["access_key", "secret", "token", "expiration"] {
                    ours.insert(k.into(), Value::Null);
                }
            }
            Err(e) => {
                ours.insert("error".into(), json!(cli_error(&e)));
            }
        }
        ours.insert("calls".into(), Value::Array(handlers.calls));
        let cache: Map<String, Value> = handlers
            .cache
            .iter()
            .map(|(k, text)| (k.clone(), comparable_entry(text)))
            .collect();
        ours.insert("cache".into(), Value::Object(cache));
        let mut theirs = cli[name].clone();
        // The file text differs on purpose (`Z` against `UTC`, no
        // ResponseMetadata); the second test has each tool read the other's.
        theirs
            .as_object_mut()
            .expect("an object")
            .remove("cache_text");
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

#[test]
fn each_tool_uses_the_cache_entries_the_other_wrote() {
    let scenarios: Vec<Value> = serde_json::from_str(SCENARIOS).expect("scenarios");
    // rolectl writes first; its keys start with ASIAROLECTL so that a key
    // the CLI returns can only come from rolectl's file.
    let mut written = BTreeMap::new();
    let mut with_our_cache = Vec::new();
    for s in &scenarios {
        let (result, handlers) = run_rolectl(s, BTreeMap::new(), "ASIAROLECTL");
        let Ok(ours) = result else { continue };
        if handlers.cache.is_empty() {
            continue;
        }
        let name = s["name"].as_str().expect("name");
        let mut s = s.clone();
        s["name"] = json!(format!("{name} (rolectl's cache)"));
        s["cache"] = json!(handlers.cache);
        with_our_cache.push(s);
        written.insert(name.to_owned(), ours);
    }
    assert!(
        written.len() >= 8,
        "too few scenarios write the cache: {written:?}"
    );
    // One run of the CLI: each scenario with rolectl's files, and each
    // without, for the files the CLI writes itself.
    let mut input: Vec<Value> = scenarios
        .iter()
        .filter(|s| written.contains_key(s["name"].as_str().expect("name")))
        .cloned()
        .collect();
    input.extend(with_our_cache);
    let cli = aws_cli_results(&Value::Array(input).to_string());

    let mut failures = Vec::new();
    for (name, ours) in &written {
        // The CLI with rolectl's files: no call, rolectl's credentials.
        let theirs = &cli[&format!("{name} (rolectl's cache)")];
        let want = json!({
            "access_key": ours.access_key_id,
            "secret": ours.secret_access_key.expose(),
            "token": ours.session_token.as_ref().map(Secret::expose),
            "expiration": ours.expiration.map(|e| e.unix_timestamp()),
            "calls": [],
        });
        let got = json!({
            "access_key": theirs["access_key"],
            "secret": theirs["secret"],
            "token": theirs["token"],
            "expiration": theirs["expiration"],
            "calls": theirs["calls"],
        });
        if got != want {
            failures.push(format!(
                "{name}: the AWS CLI did not use rolectl's entry\n  want {want}\n  got  {got}"
            ));
        }
        // rolectl with the CLI's files: no call, the CLI's credentials.
        let theirs = &cli[name.as_str()];
        let files: BTreeMap<String, String> = theirs["cache_text"]
            .as_object()
            .expect("cache_text")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("text").to_owned()))
            .collect();
        assert!(!files.is_empty(), "{name}: the AWS CLI wrote no cache file");
        let s = scenarios
            .iter()
            .find(|s| s["name"] == name.as_str())
            .expect("scenario");
        let (result, handlers) = run_rolectl(s, files, "ASIAROLECTL");
        match result {
            Ok(c)
                if c.from_cache
                    && handlers.calls.is_empty()
                    && json!(c.access_key_id) == theirs["access_key"]
                    && json!(c.secret_access_key.expose()) == theirs["secret"]
                    && json!(c.session_token.as_ref().map(Secret::expose)) == theirs["token"]
                    && json!(c.expiration.map(|e| e.unix_timestamp())) == theirs["expiration"] => {}
            other => failures.push(format!(
                "{name}: rolectl did not use the AWS CLI's entry: {:?}, calls {:?}",
                other.map(|c| (c.access_key_id, c.from_cache)),
                handlers.calls
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
