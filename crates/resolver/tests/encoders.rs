//! Property tests for the encoders and parsers: the Python-style JSON
//! writer round-trips, and nothing that reads hostile input panics.

use proptest::prelude::*;
use rolectl_resolver::{
    parse_container_response, parse_imds_response, parse_process_output, python_json_dumps_sorted,
    CacheEntry, CacheKeyParams, ProcessOutput,
};
use rolectl_sigv4::Secret;
use serde_json::Value;
use time::OffsetDateTime;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

proptest! {
    #[test]
    fn python_json_round_trips_and_is_ascii(v in json_value()) {
        let text = python_json_dumps_sorted(&v);
        prop_assert!(text.is_ascii());
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        // serde_json's default float reader may be one ulp off (its exact
        // reader is a feature); exactness of floats is checked in the
        // unit tests with `str::parse`.
        prop_assert!(same(&back, &v), "{} vs {}", back, v);
    }

    #[test]
    fn cache_keys_are_forty_hex_digits(arn in ".*", name in proptest::option::of(".*"), id in proptest::option::of(".*"), d in proptest::option::of(any::<u32>())) {
        let key = CacheKeyParams { role_arn: arn, role_session_name: name, external_id: id, serial_number: None, duration_seconds: d, policy: None, web_identity_token: None }.key().expect("key");
        prop_assert_eq!(key.len(), 40);
        prop_assert!(key.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn hostile_input_never_panics(text in ".*") {
        let _ = CacheEntry::parse(&text);
        let _ = parse_imds_response(&text);
        let _ = parse_container_response(&text);
        let _ = parse_process_output(&ProcessOutput { status: Some(0), stdout: text.clone(), stderr: String::new() }, None);
        let _ = rolectl_resolver::cache::parse_expiration(&text);
    }

    #[test]
    fn hostile_json_never_panics(v in json_value(), w in json_value()) {
        // Random values where the parsers look for fields, not only at the top.
        let shapes = [
            v.to_string(),
            serde_json::json!({"Credentials": v, "AssumedRoleUser": w}).to_string(),
            serde_json::json!({"Credentials": {"AccessKeyId": v, "SecretAccessKey": "s", "SessionToken": "t", "Expiration": w}}).to_string(),
            serde_json::json!({"Version": v, "AccessKeyId": w, "SecretAccessKey": "s", "Expiration": w, "AccountId": v}).to_string(),
            serde_json::json!({"Code": v, "AccessKeyId": "a", "SecretAccessKey": "s", "Token": w, "Expiration": v}).to_string(),
        ];
        for text in shapes {
            let _ = CacheEntry::parse(&text);
            let _ = parse_imds_response(&text);
            let _ = parse_container_response(&text);
            let _ = parse_process_output(&ProcessOutput { status: Some(0), stdout: text.clone(), stderr: String::new() }, Some("1"));
        }
    }

    #[test]
    fn the_web_identity_token_is_part_of_the_key(a in ".{4,40}", b in ".{4,40}") {
        let key = |t: &str| CacheKeyParams {
            role_arn: "arn:aws:iam::123456789012:role/web".into(),
            web_identity_token: Some(Secret::new(t)),
            ..Default::default()
        }
        .key()
        .expect("key");
        prop_assert_eq!(key(&a) == key(&b), a == b);
    }

    #[test]
    fn entries_round_trip(akid in "[A-Z0-9]{4,20}", secret in ".*", token in ".*", secs in 0i64..4_000_000_000, account in proptest::option::of("[0-9]{12}")) {
        let entry = CacheEntry {
            access_key_id: akid,
            secret_access_key: Secret::new(secret),
            session_token: Secret::new(token),
            expiration: OffsetDateTime::from_unix_timestamp(secs).expect("in range"),
            account_id: account.clone(),
            assumed_role_id: account.as_ref().map(|_| "AROA:x".to_owned()),
            arn: account.as_ref().map(|a| format!("arn:aws:sts::{a}:assumed-role/r/x")),
        };
        prop_assert_eq!(CacheEntry::parse(&entry.to_json()).expect("parses"), entry);
    }
}
