//! `rolectl eks-token --cluster-name NAME [--role-arn ARN]`: the kubectl
//! `ExecCredential` that `aws eks get-token` prints (AWS CLI
//! `awscli/customizations/eks/get_token.py`), byte for byte in layout: a
//! presigned STS GetCallerIdentity URL (GET, `X-Amz-Expires=60`, the
//! signed header `x-k8s-aws-id: NAME`) as `k8s-aws-v1.` + unpadded
//! base64url, expiring 14 minutes after signing.
//!
//! The ExecCredential is cached in the cache directory under
//! `rolectl-eks-<sha1>.json` (a name the AWS CLI's SHA-1 keys never take)
//! and reused while more than [`REUSE_MARGIN`] is left, so that kubectl's
//! call before each command is one file read.

use base64::Engine;
use rolectl_resolver::cache::{format_expiration, parse_expiration};
use rolectl_resolver::{chain_cache_keys, plan, Plan};
use rolectl_sigv4::encoding::encode_query_component_into;
use rolectl_sigv4::{
    presign_query, Credentials, Payload, SignableRequest, SigningParams, SigningSettings,
};
use rolectl_sts_client::{AssumeRoleInput, Endpoint, Operation, Output};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use time::{Duration, OffsetDateTime};

use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::error::CliError;
use crate::handlers::NativeHandlers;
use crate::resolve::{block_on, profile_chain, resolve, resolve_error};

const ALPHA_API: &str = "client.authentication.k8s.io/v1alpha1";
const BETA_API: &str = "client.authentication.k8s.io/v1beta1";
const V1_API: &str = "client.authentication.k8s.io/v1";
/// How long the presigned URL says it is valid (EKS accepts it for 15 minutes).
const URL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// `expirationTimestamp` is this long after signing.
const TOKEN_LIFETIME: Duration = Duration::minutes(14);
/// A cached token is handed out while it has more than this left.
pub const REUSE_MARGIN: Duration = Duration::minutes(1);
/// The role session name of `--role-arn`, as the AWS CLI's.
const SESSION_NAME: &str = "EKSGetTokenAuth";
/// The prefix of this command's cache keys.
pub const CACHE_PREFIX: &str = "rolectl-eks-";
/// The member that marks a cache file as an EKS token.
const ENTRY_MEMBER: &str = "RolectlEksToken";

/// The apiVersion from `KUBERNETES_EXEC_INFO`, with the AWS CLI's messages
/// on stderr when it is not one of the supported versions.
fn api_version(exec_info: Option<&str>) -> (&'static str, Option<String>) {
    let raw = exec_info.unwrap_or("");
    if raw.is_empty() {
        return (BETA_API, None);
    }
    let Ok(info) = serde_json::from_str::<Value>(raw) else {
        return (
            BETA_API,
            Some(format!(
                "Error parsing KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely a bug in your Kubernetes client. Please update your Kubernetes client."
            )),
        );
    };
    match info.get("apiVersion").and_then(Value::as_str) {
        Some(V1_API) => (V1_API, None),
        Some(BETA_API) => (BETA_API, None),
        Some(ALPHA_API) => (
            ALPHA_API,
            Some(format!(
                "Kubeconfig user entry is using deprecated API version {ALPHA_API}. Run 'aws eks update-kubeconfig' to update."
            )),
        ),
        _ => (
            BETA_API,
            Some(format!(
                "Unrecognized API version in KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely due to an outdated AWS CLI. Please update your AWS CLI."
            )),
        ),
    }
}

/// `%Y-%m-%dT%H:%M:%SZ`: the cache's form of a whole second.
fn timestamp(at: OffsetDateTime) -> String {
    format_expiration(at.replace_nanosecond(0).unwrap_or(at))
}

/// The presigned GetCallerIdentity URL, its query in botocore's order.
fn presigned_url(
    credentials: &Credentials,
    endpoint: &Endpoint,
    cluster: &str,
    now: OffsetDateTime,
) -> Result<String, String> {
    let base = endpoint.url.trim_end_matches('/');
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let (host, path) = match after_scheme.find('/') {
        Some(i) => (&after_scheme[..i], &after_scheme[i..]),
        None => (after_scheme, ""),
    };
    let uri = format!("{path}/?Action=GetCallerIdentity&Version=2011-06-15");
    let headers = [("host", host), ("x-k8s-aws-id", cluster)];
    let request = SignableRequest {
        method: "GET",
        uri: &uri,
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let params = SigningParams {
        credentials,
        region: &endpoint.signing_region,
        service: "sts",
        time: now,
        settings: SigningSettings {
            expires_in: Some(URL_TIMEOUT),
            ..SigningSettings::default()
        },
    };
    let signed = presign_query(&request, &params).map_err(|e| e.to_string())?;
    let mut url = format!("{base}{uri}");
    const ORDER: [&str; 7] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
    ];
    for name in ORDER {
        if let Some((_, value)) = signed.params().iter().find(|(n, _)| *n == name) {
            url.push('&');
            url.push_str(name);
            url.push('=');
            encode_query_component_into(value, &mut url);
        }
    }
    Ok(url)
}

/// `k8s-aws-v1.` + unpadded base64url of the presigned URL.
fn token(
    credentials: &Credentials,
    endpoint: &Endpoint,
    cluster: &str,
    now: OffsetDateTime,
) -> Result<String, String> {
    let url = presigned_url(credentials, endpoint, cluster, now)?;
    Ok(format!(
        "k8s-aws-v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    ))
}

/// The cache key: what decides the token (profile and its chain, files,
/// cluster, role, endpoint) hashed, so that no two setups share one.
fn cache_key(ctx: &Context, plan: &Plan, cluster: &str, role_arn: Option<&str>) -> String {
    let material = json!({
        "profile": plan.profile,
        "config_file": ctx.paths.config,
        "credentials_file": ctx.paths.credentials,
        "cluster": cluster,
        "role_arn": role_arn,
        "region": plan.region,
        "endpoint": plan.endpoint.url,
        "signing_region": plan.endpoint.signing_region,
        "chain": chain_cache_keys(plan),
        // The chain's first credentials as the plan shows them (secrets
        // are redacted there): other keys, another token.
        "base": format!("{:?}", plan.base),
    });
    format!(
        "{CACHE_PREFIX}{:x}",
        Sha1::digest(material.to_string().as_bytes())
    )
}

/// A cached token and when it stops being handed out.
struct Cached {
    token: String,
    expiration: String,
    usable_until: OffsetDateTime,
}

fn parse_entry(text: &str) -> Option<(Cached, Value)> {
    let root: Value = serde_json::from_str(text).ok()?;
    let entry = root.get(ENTRY_MEMBER)?.clone();
    let s = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_owned);
    let cached = Cached {
        token: s("Token")?,
        expiration: s("ExpirationTimestamp")?,
        usable_until: parse_expiration(&s("UsableUntil")?)?,
    };
    Some((cached, entry))
}

/// The row of `rolectl cache list` for an EKS token entry (never the
/// token), or `None` when `key` is not one.
pub fn list_row(key: &str, text: Option<&str>, now: OffsetDateTime) -> Option<Value> {
    if !key.starts_with(CACHE_PREFIX) {
        return None;
    }
    let Some((cached, entry)) = text.and_then(parse_entry) else {
        return Some(json!({"key": key, "error": "The EKS token entry could not be read."}));
    };
    let left = (cached.usable_until - now).whole_seconds().max(0);
    let s = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    Some(json!({
        "key": key,
        "kind": "eks-token",
        "cluster": s("Cluster"),
        "profile": s("Profile"),
        "role_arn": s("RoleArn"),
        "expiration": cached.expiration,
        "time_left": if left == 0 { "expired".to_owned() } else { format!("{}h{:02}m", left / 3600, (left % 3600) / 60) },
        "seconds_left": left,
    }))
}

/// The keys of the cached EKS tokens of `profile` (for `cache clear --profile`).
pub fn keys_of_profile(cache: &mut CacheDir, profile: &str) -> Vec<String> {
    let keys: Vec<String> = cache
        .entries()
        .unwrap_or_default()
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| key.starts_with(CACHE_PREFIX))
        .collect();
    keys.into_iter()
        .filter(|key| {
            let text = cache.get(key).into_text();
            text.as_deref()
                .and_then(parse_entry)
                .is_some_and(|(_, entry)| {
                    entry.get("Profile").and_then(Value::as_str) == Some(profile)
                })
        })
        .collect()
}

/// The ExecCredential as the AWS CLI's json formatter prints it (4-space
/// indent, then the formatter's newline and get-token's own).
fn render(api_version: &str, expiration: &str, token: &str) -> String {
    #[derive(serde::Serialize)]
    struct Status<'a> {
        #[serde(rename = "expirationTimestamp")]
        expiration_timestamp: &'a str,
        token: &'a str,
    }
    #[derive(serde::Serialize)]
    struct ExecCredential<'a> {
        kind: &'a str,
        #[serde(rename = "apiVersion")]
        api_version: &'a str,
        spec: serde_json::Map<String, Value>,
        status: Status<'a>,
    }
    let value = ExecCredential {
        kind: "ExecCredential",
        api_version,
        spec: serde_json::Map::new(),
        status: Status {
            expiration_timestamp: expiration,
            token,
        },
    };
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&value, &mut ser).expect("JSON values always serialize");
    let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
    text.push_str("\n\n");
    text
}

pub fn run(ctx: &Context, cluster: &str, role_arn: Option<&str>) -> Result<(), CliError> {
    let (api, message) = api_version(ctx.env.get("KUBERNETES_EXEC_INFO").map(String::as_str));
    if let Some(message) = message {
        eprintln!("{message}");
    }
    let snapshot = ctx.snapshot()?;
    let planned = plan(&snapshot).map_err(|e| resolve_error(ctx, &e))?;
    let key = cache_key(ctx, &planned, cluster, role_arn);
    let mut cache = CacheDir::new(ctx.cache_dir.clone());
    if ctx.cache {
        // One rolectl at a time signs for this key; the others then read.
        cache.lock(&key);
        let now = OffsetDateTime::now_utc();
        if let Some((cached, _)) = cache.get(&key).text().and_then(parse_entry) {
            if cached.usable_until - now > REUSE_MARGIN {
                if ctx.debug {
                    eprintln!("debug: EKS token from the cache ({key})");
                }
                return super::print(&render(api, &cached.expiration, &cached.token));
            }
        }
    }
    let chain = profile_chain(ctx, &planned.profile)?;
    let (token, signed_at, credentials_expiration) = block_on(async {
        let mut handlers = NativeHandlers::new(ctx, chain);
        let resolution = resolve(ctx, &snapshot, &mut handlers).await?;
        let mut signing = resolution.credentials.to_signing();
        let mut expiration = resolution.credentials.expiration;
        if let Some(arn) = role_arn {
            let operation = Operation::AssumeRole(AssumeRoleInput {
                role_arn: arn.to_owned(),
                role_session_name: SESSION_NAME.to_owned(),
                ..AssumeRoleInput::default()
            });
            let output = handlers
                .call(&operation, Some(&signing), &resolution.endpoint)
                .await
                .map_err(CliError::resolve)?;
            let Output::AssumeRole(assumed) = output else {
                return Err(CliError::resolve(
                    "STS answered AssumeRole with another operation's result.",
                ));
            };
            let c = assumed.credentials;
            expiration = Some(c.expiration);
            signing = Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token));
        }
        let now = OffsetDateTime::now_utc();
        let token = token(&signing, &resolution.endpoint, cluster, now)
            .map_err(|e| CliError::resolve(format!("The EKS token could not be signed: {e}.")))?;
        Ok::<_, CliError>((token, now, expiration))
    })?;
    let expires = signed_at + TOKEN_LIFETIME;
    let expiration = timestamp(expires);
    if ctx.cache {
        // The URL is valid only while the credentials that signed it are.
        let usable_until = credentials_expiration.map_or(expires, |c| c.min(expires));
        let entry = json!({ENTRY_MEMBER: {
            "Cluster": cluster,
            "Profile": planned.profile,
            "RoleArn": role_arn,
            "Token": token,
            "ExpirationTimestamp": expiration,
            "UsableUntil": timestamp(usable_until),
        }});
        if let Err(e) = cache.put(&key, &entry.to_string()) {
            eprintln!("warning: The EKS token was not cached: {e}.");
        }
        for warning in cache.take_warnings() {
            eprintln!("warning: {warning}");
        }
    }
    super::print(&render(api, &expiration, &token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolectl_sigv4::Secret;
    use time::macros::datetime;

    #[test]
    fn api_versions_and_messages_follow_the_aws_cli() {
        assert_eq!(api_version(None), (BETA_API, None));
        assert_eq!(api_version(Some("")), (BETA_API, None));
        let v1 = r#"{"apiVersion":"client.authentication.k8s.io/v1","spec":{}}"#;
        assert_eq!(api_version(Some(v1)), (V1_API, None));
        let (api, msg) = api_version(Some("{nope"));
        assert_eq!(api, BETA_API);
        assert!(msg
            .unwrap()
            .starts_with("Error parsing KUBERNETES_EXEC_INFO"));
        let (api, msg) = api_version(Some(r#"{"apiVersion":"x"}"#));
        assert_eq!(api, BETA_API);
        assert!(msg.unwrap().starts_with("Unrecognized API version"));
        let alpha = r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#;
        let (api, msg) = api_version(Some(alpha));
        assert_eq!(api, ALPHA_API);
        assert!(msg.unwrap().contains("deprecated"));
    }

    #[test]
    fn the_url_has_botocores_layout() {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            Secret::new("secret"),
            Some(Secret::new("t/k+n=")),
        );
        let endpoint = Endpoint {
            url: "https://sts.eu-west-1.amazonaws.com".into(),
            signing_region: "eu-west-1".into(),
        };
        let url =
            presigned_url(&creds, &endpoint, "c1", datetime!(2026-11-30 22:03:17 UTC)).unwrap();
        let (head, sig) = url.rsplit_once("&X-Amz-Signature=").unwrap();
        assert_eq!(
            head,
            "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261130%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20261130T220317Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=t%2Fk%2Bn%3D"
        );
        assert_eq!(sig.len(), 64);
    }

    #[test]
    fn rendering_is_the_cli_json_layout() {
        assert_eq!(
            render(BETA_API, "2026-11-30T22:17:17Z", "k8s-aws-v1.x"),
            "{\n    \"kind\": \"ExecCredential\",\n    \"apiVersion\": \"client.authentication.k8s.io/v1beta1\",\n    \"spec\": {},\n    \"status\": {\n        \"expirationTimestamp\": \"2026-11-30T22:17:17Z\",\n        \"token\": \"k8s-aws-v1.x\"\n    }\n}\n\n"
        );
    }
}
