//! Cache keys against a table computed with CPython:
//! `hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()`,
//! with `Policy` passed through `json.loads` first, as the AWS CLI does.

use rolectl_resolver::CacheKeyParams;
use serde_json::Value;

#[test]
fn keys_match_the_python_table() {
    let table: Vec<Value> =
        serde_json::from_str(include_str!("data/cache_keys.json")).expect("table is JSON");
    assert_eq!(table.len(), 12);
    for row in &table {
        let p = &row["params"];
        let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
        let params = CacheKeyParams {
            role_arn: s("RoleArn").expect("RoleArn"),
            role_session_name: s("RoleSessionName"),
            external_id: s("ExternalId"),
            serial_number: s("SerialNumber"),
            duration_seconds: p
                .get("DurationSeconds")
                .and_then(Value::as_u64)
                .map(|d| u32::try_from(d).expect("small")),
            policy: s("Policy"),
            web_identity_token: None,
        };
        assert_eq!(
            params.key().expect("key"),
            row["key"].as_str().expect("key text"),
            "{p}"
        );
    }
}

#[test]
fn invalid_policy_has_no_key() {
    let params = CacheKeyParams {
        role_arn: "arn:aws:iam::1:role/r".into(),
        policy: Some("{not json".into()),
        ..Default::default()
    };
    assert!(params.key().is_err());
}
