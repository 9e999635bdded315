//! `rolectl cache list` and `rolectl cache clear`: the entries of the
//! shared cache directory, never showing a secret.

use rolectl_resolver::{
    chain_cache_keys, plan, Base, CacheEntry, Plan, SsoSource, MFA_SESSION_KEY_PREFIX,
};
use time::OffsetDateTime;

use crate::args::ReportFormat;
use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::error::CliError;
use crate::resolve::resolve_error;

/// `arn:aws:sts::123:assumed-role/Role/Session` -> role ARN and session name.
fn role_of(assumed: &str) -> (String, String) {
    let Some((prefix, rest)) = assumed.split_once(":assumed-role/") else {
        return (assumed.to_owned(), String::new());
    };
    let (role, session) = rest.split_once('/').unwrap_or((rest, ""));
    let iam = prefix.replacen(":sts:", ":iam:", 1);
    (format!("{iam}:role/{role}"), session.to_owned())
}

pub(crate) fn time_left(expiration: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (expiration - now).whole_seconds();
    if secs <= 0 {
        return "expired".to_owned();
    }
    format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
}

/// The SSO credential keys of the configured profiles: botocore's entry
/// holds no role name, so the profile that would write it says which role.
fn sso_keys(ctx: &Context) -> Vec<(String, String, SsoSource)> {
    let Ok(snapshot) = ctx.snapshot_of_all() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in snapshot.profiles.profiles.keys() {
        let mut one = snapshot.clone();
        one.options.profile = Some(name.to_string());
        if let Ok(Plan {
            base:
                Base::Sso {
                    source: Some(source),
                    origin,
                    ..
                },
            ..
        }) = plan(&one)
        {
            let key = rolectl_resolver::sso::credentials_cache_key(&source);
            if !out.iter().any(|(k, _, _)| *k == key) {
                out.push((key, origin.profile, source));
            }
        }
    }
    out
}

pub fn list(ctx: &Context, format: ReportFormat) -> Result<(), CliError> {
    let mut cache = CacheDir::new(ctx.cache_dir.clone());
    let now = OffsetDateTime::now_utc();
    let mut rows = Vec::new();
    let mut sso = None;
    for (key, _) in cache.entries().map_err(CliError::resolve)? {
        let text = cache.get(&key).into_text();
        let provider: Option<serde_json::Value> =
            text.as_deref().and_then(|t| serde_json::from_str(t).ok());
        if let (Some("sso"), Some(Ok(entry))) = (
            provider.as_ref().and_then(|v| v["ProviderType"].as_str()),
            text.as_deref().map(CacheEntry::parse),
        ) {
            let known = sso.get_or_insert_with(|| sso_keys(ctx));
            let (profile, role) = known
                .iter()
                .find(|(k, _, _)| *k == key)
                .map(|(_, p, s)| (p.clone(), s.role_name.clone()))
                .unwrap_or_default();
            rows.push(serde_json::json!({
                "key": key,
                "kind": "sso",
                "account_id": entry.account_id,
                "role_name": role,
                "profile": profile,
                "access_key_id": entry.access_key_id,
                "expiration": rolectl_resolver::export::python_isoformat(entry.expiration),
                "time_left": time_left(entry.expiration, now),
                "seconds_left": (entry.expiration - now).whole_seconds().max(0),
            }));
            continue;
        }
        if let Some(row) = crate::cache_process::list_row(ctx, &key, text.as_deref(), now) {
            rows.push(row);
            continue;
        }
        if let Some(row) = super::eks_token::list_row(&key, text.as_deref(), now) {
            rows.push(row);
            continue;
        }
        let row = match text.map(|t| (CacheEntry::parse(&t), t)) {
            Some((Ok(entry), text)) if key.starts_with(MFA_SESSION_KEY_PREFIX) => {
                // What the session was asked with (never a secret).
                let asked: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                let field = |k: &str| asked["MfaSession"][k].as_str().unwrap_or("").to_owned();
                serde_json::json!({
                    "key": key,
                    "kind": "mfa-session",
                    "serial_number": field("SerialNumber"),
                    "source_access_key_id": field("AccessKeyId"),
                    "access_key_id": entry.access_key_id,
                    "expiration": rolectl_resolver::export::python_isoformat(entry.expiration),
                    "time_left": time_left(entry.expiration, now),
                    "seconds_left": (entry.expiration - now).whole_seconds().max(0),
                })
            }
            Some((Ok(entry), _)) => {
                let (role, session) = entry.arn.as_deref().map(role_of).unwrap_or_default();
                serde_json::json!({
                    "key": key,
                    "role_arn": role,
                    "session_name": session,
                    "access_key_id": entry.access_key_id,
                    "expiration": rolectl_resolver::export::python_isoformat(entry.expiration),
                    "time_left": time_left(entry.expiration, now),
                    "seconds_left": (entry.expiration - now).whole_seconds().max(0),
                })
            }
            Some((Err(e), _)) => serde_json::json!({"key": key, "error": e.to_string()}),
            None => serde_json::json!({"key": key, "error": "The entry could not be read."}),
        };
        rows.push(row);
    }
    let out = match format {
        ReportFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&rows).expect("JSON values always serialize")
        ),
        ReportFormat::Text => {
            let mut out = String::new();
            for row in &rows {
                let s = |k: &str| row.get(k).and_then(|v| v.as_str()).unwrap_or("");
                if row.get("error").is_some() {
                    out.push_str(&format!("{}  unusable: {}\n", s("key"), s("error")));
                } else if s("kind") == "mfa-session" {
                    out.push_str(&format!(
                        "{}  MFA session for {} (keys {})  {}  {}\n",
                        s("key"),
                        s("serial_number"),
                        s("source_access_key_id"),
                        s("expiration"),
                        s("time_left")
                    ));
                } else if s("kind") == "sso" {
                    out.push_str(&format!(
                        "{}  SSO role {} in account {} (profile {})  {}  {}\n",
                        s("key"),
                        s("role_name"),
                        s("account_id"),
                        s("profile"),
                        s("expiration"),
                        s("time_left")
                    ));
                } else if s("kind") == "process" {
                    let what = match (s("command"), s("profile")) {
                        ("", _) => "credential_process output (cache-process)".to_owned(),
                        (c, "") => format!("credential_process `{c}`"),
                        (c, p) => format!("credential_process `{c}` (profile {p})"),
                    };
                    out.push_str(&format!(
                        "{}  {what}  {}  {}\n",
                        s("key"),
                        s("expiration"),
                        s("time_left")
                    ));
                } else if s("kind") == "eks-token" {
                    out.push_str(&format!(
                        "{}  EKS token for cluster {}  {}  {}  {}\n",
                        s("key"),
                        s("cluster"),
                        s("profile"),
                        s("expiration"),
                        s("time_left")
                    ));
                } else {
                    out.push_str(&format!(
                        "{}  {}  {}  {}  {}\n",
                        s("key"),
                        s("role_arn"),
                        s("session_name"),
                        s("expiration"),
                        s("time_left")
                    ));
                }
            }
            out
        }
    };
    super::print(&out)
}

pub fn clear(ctx: &Context) -> Result<(), CliError> {
    let mut cache = CacheDir::new(ctx.cache_dir.clone());
    let keys: Vec<String> = if ctx.profile.is_some() {
        let mut snapshot = ctx.snapshot()?;
        // The chain's MFA session goes too, whether or not this run asks for one.
        snapshot.options.mfa_session = true;
        let plan = plan(&snapshot).map_err(|e| resolve_error(ctx, &e))?;
        let mut keys = chain_cache_keys(&plan);
        // The EKS tokens signed with the profile's credentials go too.
        keys.extend(super::eks_token::keys_of_profile(&mut cache, &plan.profile));
        keys
    } else {
        cache
            .entries()
            .map_err(CliError::resolve)?
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    let mut removed = 0;
    for key in &keys {
        if cache.remove(key).map_err(CliError::resolve)? {
            removed += 1;
        }
    }
    eprintln!(
        "Removed {removed} cached {} from {}.",
        if removed == 1 { "entry" } else { "entries" },
        cache.path().display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumed_role_arns_name_their_role_and_session() {
        assert_eq!(
            role_of("arn:aws:sts::123456789012:assumed-role/admin/s1"),
            (
                "arn:aws:iam::123456789012:role/admin".to_owned(),
                "s1".to_owned()
            )
        );
    }
}
