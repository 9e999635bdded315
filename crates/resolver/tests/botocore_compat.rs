//! Compatibility with the AWS CLI's own code, checked against data that
//! botocore 1.44 produced: `botocore_keys.json` holds the keys of
//! `AssumeRoleCredentialFetcher` / `AssumeRoleWithWebIdentityCredentialFetcher`
//! (`_create_cache_key`) for the parameters listed; `botocore_entry.json` is
//! a file written by botocore's `JSONFileCache` (Expiration with a `UTC`
//! suffix, `ResponseMetadata` kept). The machine's key for each profile
//! setting must be botocore's, and it must use botocore's entry.

mod support;

use rolectl_resolver::{CacheEntry, CacheKeyParams, Effect, Resolver, Step};
use serde_json::Value;
use support::snapshot;
use time::macros::datetime;

#[test]
fn keys_are_botocores() {
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("data/botocore_keys.json")).expect("table");
    assert_eq!(rows.len(), 8);
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
        (
            "w",
            botocore_key("arn:aws:iam::1:role/web", "RoleSessionName"),
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
