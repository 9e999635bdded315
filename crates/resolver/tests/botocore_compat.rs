//! Compatibility with the AWS CLI's own code. `botocore_keys.json` holds
//! the keys of the AWS CLI's `AssumeRoleCredentialFetcher` /
//! `AssumeRoleWithWebIdentityCredentialFetcher` (`_cache_key`) for the
//! parameters listed, as printed by `botocore_keys.py`, which is run again
//! here (`ROLECTL_PYTHON`) so that the table cannot drift from the installed
//! AWS CLI; `botocore_entry.json` is a file written by botocore's
//! `JSONFileCache` (Expiration with a `UTC` suffix, `ResponseMetadata`
//! kept). The machine's key for each profile setting must be the CLI's, and
//! it must use the CLI's entry.

mod support;

use rolectl_resolver::{CacheEntry, CacheKeyParams, Effect, Resolver, Step};
use rolectl_sigv4::Secret;
use serde_json::Value;
use support::snapshot;
use time::macros::datetime;

#[test]
fn keys_are_botocores() {
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("data/botocore_keys.json")).expect("table");
    assert_eq!(rows.len(), 9);
    for row in rows {
        let extra = &row["extra_args"];
        let s = |k: &str| extra.get(k).and_then(Value::as_str).map(str::to_owned);
        let params = CacheKeyParams {
            role_arn: row["role_arn"].as_str().expect("arn").to_owned(),
            role_session_name: s("RoleSessionName"),
            external_id: s("ExternalId"),
            serial_number: s("SerialNumber"),
            duration_seconds: extra
                .get("DurationSeconds")
                .and_then(Value::as_u64)
                .map(|d| d as u32),
            policy: s("Policy"),
            web_identity_token: row
                .get("web_identity_token")
                .and_then(Value::as_str)
                .map(Secret::new),
        };
        assert_eq!(
            params.key().expect("key"),
            row["key"].as_str().expect("key"),
            "{row}"
        );
    }
}

#[test]
fn the_machine_asks_for_botocores_key_for_each_profile_setting() {
    let config = "[profile p]\nrole_arn = arn:aws:iam::222222222222:role/role2\nsource_profile = b\nrole_session_name = my-session\nexternal_id = ext-123\nduration_seconds = 1800\n[profile m]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = b\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n[profile w]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = /t\nrole_session_name = pod\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n";
    for (profile, key) in [
        ("p", "5761646284da4b11b24dc78dba82b2aca069524a".to_owned()),
        (
            "m",
            botocore_key("arn:aws:iam::123456789012:role/admin", "SerialNumber"),
        ),
    ] {
        let mut m = Resolver::new(&snapshot(config, "", &[], Some(profile), true));
        assert_eq!(
            m.poll(datetime!(2026-11-27 18:00 UTC)),
            Step::Effect(Effect::CacheGet { key }),
            "{profile}"
        );
    }
}

#[test]
fn the_table_is_what_the_installed_aws_cli_computes() {
    let python = std::env::var("ROLECTL_PYTHON").unwrap_or_else(|_| {
        panic!("ROLECTL_PYTHON is not set: run the tests through ./scripts/test.sh, which sets it")
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/botocore_keys.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live: Value = serde_json::from_slice(&out.stdout).expect("script prints JSON");
    let committed: Value =
        serde_json::from_str(include_str!("data/botocore_keys.json")).expect("table");
    assert_eq!(live, committed);
}

#[test]
fn a_web_identity_profile_is_looked_up_under_the_clis_key_with_its_token() {
    let config = "[profile w]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = /t\nrole_session_name = pod\n";
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("data/botocore_keys.json")).expect("table");
    let row = rows
        .iter()
        .find(|r| r["web_identity_token"] == "tok\n")
        .expect("row with a token read from a CRLF file");
    let now = datetime!(2026-11-27 18:00 UTC);
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("w"), true));
    // The token comes first: the key is made with it.
    assert_eq!(
        m.poll(now),
        Step::Effect(Effect::ReadFile { path: "/t".into() })
    );
    // Read as Python's text mode reads it: CRLF becomes LF.
    m.handle_file(Ok("tok\r\n".into())).expect("fed");
    assert_eq!(
        m.poll(now),
        Step::Effect(Effect::CacheGet {
            key: row["key"].as_str().expect("key").to_owned()
        })
    );
    m.handle_cache_entry(None).expect("fed");
    // On a miss the same token goes out, without reading the file again.
    match m.poll(now) {
        Step::Effect(Effect::Sts {
            operation: rolectl_sts_client::Operation::AssumeRoleWithWebIdentity(input),
            credentials: None,
            ..
        }) => assert_eq!(input.web_identity_token.expose(), "tok\n"),
        other => panic!("{other:?}"),
    }
}

fn botocore_key(role_arn: &str, only_extra: &str) -> String {
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("data/botocore_keys.json")).expect("table");
    let row = rows
        .into_iter()
        .find(|r| {
            r["role_arn"] == role_arn
                && r["extra_args"].as_object().map(|o| o.len()) == Some(1)
                && r["extra_args"].get(only_extra).is_some()
        })
        .expect("row in the table");
    row["key"].as_str().expect("key").to_owned()
}

#[test]
fn entries_written_by_botocore_are_used() {
    let text = include_str!("data/botocore_entry.json");
    let entry = CacheEntry::parse(text).expect("botocore's entry parses");
    assert_eq!(entry.access_key_id, "ASIABOTO");
    assert_eq!(entry.expiration, datetime!(2026-11-27 18:57:16 UTC));
    assert_eq!(entry.account_id.as_deref(), Some("123456789012"));

    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/role1\nsource_profile = b\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("a"), true));
    let now = datetime!(2026-11-27 18:00 UTC);
    assert!(matches!(m.poll(now), Step::Effect(Effect::CacheGet { .. })));
    m.handle_cache_entry(Some(text.to_owned())).expect("fed");
    match m.poll(now) {
        Step::Done(Ok(c)) => {
            assert_eq!(c.access_key_id, "ASIABOTO");
            assert!(c.from_cache);
        }
        other => panic!("{other:?}"),
    }
}
