//! `explain`: the text and JSON of a chain, the note for a credential_source
//! this environment lacks (and the machine's error when it is reached), the
//! cache statuses, and the cache keys in lookup order.

use rolectl_config_parser::parse_files;
use rolectl_resolver::{
    chain_cache_keys, explain, plan, Base, CacheStatus, Effect, FilePaths, NamedSource, Options,
    ResolveError, Resolver, Snapshot, Step, StepKind,
};
use serde_json::json;
use std::collections::BTreeMap;
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-27 18:00 UTC);

const CONFIG: &str = "[default]\nregion = eu-west-1\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = mid\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/mid\nsource_profile = base\nrole_session_name = me\nduration_seconds = 3600\n[profile ecs]\nrole_arn = arn:aws:iam::123456789012:role/ecs\ncredential_source = EcsContainer\n[profile env]\nrole_arn = arn:aws:iam::123456789012:role/env\ncredential_source = Environment\n[profile imds]\nrole_arn = arn:aws:iam::123456789012:role/imds\ncredential_source = Ec2InstanceMetadata\n";
const CREDENTIALS: &str =
    "[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETKEY\n";

fn snapshot(profile: &str, env: &[(&str, &str)], cache: bool) -> Snapshot {
    let parsed = parse_files(Some(CONFIG), Some(CREDENTIALS)).expect("parses");
    Snapshot {
        profiles: parsed.profiles.into_owned(),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        options: Options {
            profile: Some(profile.to_owned()),
            region: None,
            cache,
            ..Default::default()
        },
    }
}

fn paths() -> FilePaths {
    FilePaths::new("/home/u/.aws/config", "/home/u/.aws/credentials")
}

fn entry(expiration: &str) -> String {
    format!(
        r#"{{"Credentials":{{"AccessKeyId":"ASIACACHED","SecretAccessKey":"CACHEDSECRET","SessionToken":"CACHEDTOKEN","Expiration":"{expiration}"}}}}"#
    )
}

#[test]
fn a_chain_in_text_with_places_keys_mfa_and_cache() {
    let mut e = explain(&snapshot("dev", &[], true)).expect("explains");
    let keys = e.cache_keys();
    assert_eq!(keys.len(), 2);
    // Outermost role first, as the machine looks them up.
    assert_eq!(keys, chain_cache_keys(e.plan()));
    // The machine asks for the first key first.
    let mut m = Resolver::new(&snapshot("dev", &[], true));
    assert_eq!(
        m.poll(NOW),
        Step::Effect(Effect::CacheGet {
            key: keys[0].clone()
        })
    );
    e.set_cache_entry(&keys[0], None, NOW);
    e.set_cache_entry(&keys[1], Some(&entry("2026-11-27T19:00:00Z")), NOW);
    let want = format!(
        "Profile \"dev\" (/home/u/.aws/config:3:1), selected by --profile.
No region is configured: STS calls are signed for us-east-1.
STS calls go to https://sts.amazonaws.com (signed for us-east-1), from the global STS endpoint (no region configured).
Chain, from the first credentials to the last role:
  1. Static keys AKIDEXAMPLE of profile \"base\"
     at /home/u/.aws/credentials:2:1 (profile \"base\")
     decided by aws_access_key_id (/home/u/.aws/credentials:2:1), aws_secret_access_key (/home/u/.aws/credentials:3:1)
     skipped: the cached credentials of step 2 are used instead
  2. AssumeRole arn:aws:iam::123456789012:role/mid, session name me, 3600 seconds
     at /home/u/.aws/config:8:1 (profile \"mid\")
     decided by role_arn (/home/u/.aws/config:8:1), source_profile (/home/u/.aws/config:9:1), role_session_name (/home/u/.aws/config:10:1), duration_seconds (/home/u/.aws/config:11:1)
     cache {}: fresh, 1 h left (expires 2026-11-27T19:00:00Z), so it is used
  3. AssumeRole arn:aws:iam::123456789012:role/dev, a generated session name
     at /home/u/.aws/config:4:1 (profile \"dev\")
     decided by role_arn (/home/u/.aws/config:4:1), source_profile (/home/u/.aws/config:5:1), mfa_serial (/home/u/.aws/config:6:1)
     MFA: a code for arn:aws:iam::123456789012:mfa/alice is asked on the terminal
     cache {}: no entry, so STS is called
     note: The session name is generated at each call (rolectl-<unix time>), so it is left out of the cache key.
",
        keys[1], keys[0]
    );
    assert_eq!(e.text(&paths()), want);
}

#[test]
fn the_same_chain_in_json() {
    let mut e = explain(&snapshot("dev", &[("AWS_REGION", "eu-west-2")], true)).expect("explains");
    let keys = e.cache_keys();
    e.set_cache_entry(&keys[0], Some(&entry("2026-11-27T19:30:00Z")), NOW);
    e.set_cache_entry(&keys[1], Some(&entry("2026-11-27T19:00:00Z")), NOW);
    let v = e.to_json(&paths());
    assert_eq!(v["profile"], "dev");
    assert_eq!(v["selected_by"], "--profile");
    assert_eq!(v["region"], "eu-west-2");
    assert_eq!(
        v["region_from"],
        json!({"name": "AWS_REGION", "location": null})
    );
    assert_eq!(
        v["endpoint"],
        json!({"url": "https://sts.eu-west-2.amazonaws.com", "signing_region": "eu-west-2", "from": "the regional STS endpoint"})
    );
    // The outermost role is fresh: nothing below it runs, no MFA prompt.
    assert_eq!(v["served_from_cache"], 3);
    let steps = v["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["kind"], "static-keys");
    assert_eq!(steps[0]["access_key_id"], "AKIDEXAMPLE");
    assert_eq!(steps[0]["skipped"], true);
    // Fresh too, but below the outermost fresh entry: not looked up.
    assert_eq!(steps[1]["cache"]["status"], "fresh");
    assert_eq!(steps[1]["skipped"], true);
    assert_eq!(steps[2]["skipped"], false);
    assert_eq!(
        steps[0]["location"],
        json!({"file": "/home/u/.aws/credentials", "line": 2, "column": 1})
    );
    assert_eq!(
        steps[2],
        json!({
            "step": 3,
            "kind": "assume-role",
            "description": "AssumeRole arn:aws:iam::123456789012:role/dev, a generated session name",
            "profile": "dev",
            "location": {"file": "/home/u/.aws/config", "line": 4, "column": 1},
            "keys": [
                {"name": "role_arn", "location": {"file": "/home/u/.aws/config", "line": 4, "column": 1}},
                {"name": "source_profile", "location": {"file": "/home/u/.aws/config", "line": 5, "column": 1}},
                {"name": "mfa_serial", "location": {"file": "/home/u/.aws/config", "line": 6, "column": 1}},
            ],
            "access_key_id": null,
            "mfa_serial": "arn:aws:iam::123456789012:mfa/alice",
            "mfa": "not asked for arn:aws:iam::123456789012:mfa/alice: the cache serves this step",
            "cache": {
                "key": keys[0],
                "status": "fresh",
                "expiration": "2026-11-27T19:30:00Z",
                "seconds_left": 5400,
                "reason": null,
            },
            "skipped": false,
            "notes": ["The session name is generated at each call (rolectl-<unix time>), so it is left out of the cache key."],
        })
    );
}

#[test]
fn every_cache_status() {
    let cases = [
        (Some(entry("2026-11-27T18:40:00Z")), "fresh", Some(2400)),
        (Some(entry("2026-11-27T18:10:00Z")), "expiring", Some(600)),
        (Some(entry("2026-11-27T17:00:00Z")), "expired", Some(0)),
        (Some("{not json".to_owned()), "corrupt", None),
        (Some(r#"{"Credentials":{}}"#.to_owned()), "corrupt", None),
        (None, "missing", None),
    ];
    for (text, status, left) in cases {
        let mut e = explain(&snapshot("mid", &[], true)).expect("explains");
        let key = e.cache_keys().remove(0);
        e.set_cache_entry(&key, text.as_deref(), NOW);
        let v = e.to_json(&FilePaths::default());
        let cache = &v["steps"][1]["cache"];
        assert_eq!(cache["status"], status, "{text:?}");
        assert_eq!(cache["seconds_left"], json!(left), "{text:?}");
        let line = e
            .text(&FilePaths::default())
            .lines()
            .find(|l| l.trim_start().starts_with("cache "))
            .expect("cache line")
            .to_owned();
        let words = match status {
            "fresh" => "fresh, 40 min left (expires 2026-11-27T18:40:00Z), so it is used",
            "expiring" => "expiring, 10 min left (expires 2026-11-27T18:10:00Z); less than 15 minutes, so it is refreshed",
            "expired" => "expired at 2026-11-27T17:00:00Z, so STS is called",
            "missing" => "no entry, so STS is called",
            _ => "so it is ignored and STS is called",
        };
        assert!(line.ends_with(words), "{line}");
        if status == "corrupt" {
            assert!(cache["reason"].is_string());
            assert!(line.contains("unreadable (The cache entry"), "{line}");
        }
    }
    // The edge: exactly 15 minutes left is still used, as by the machine.
    assert!(matches!(
        CacheStatus::of_entry(Some(&entry("2026-11-27T18:15:00Z")), NOW),
        CacheStatus::Fresh { .. }
    ));
    assert!(matches!(
        CacheStatus::of_entry(Some(&entry("2026-11-27T18:14:59Z")), NOW),
        CacheStatus::Expiring { .. }
    ));
}

#[test]
fn cache_turned_off_or_not_looked_up() {
    let e = explain(&snapshot("mid", &[], false)).expect("explains");
    assert_eq!(e.steps()[1].cache, CacheStatus::Disabled);
    assert!(e
        .text(&FilePaths::default())
        .contains("not looked up (the cache is turned off)"));
    let e = explain(&snapshot("mid", &[], true)).expect("explains");
    assert_eq!(e.steps()[1].cache, CacheStatus::Unknown);
    assert_eq!(e.steps()[0].cache, CacheStatus::NotCacheable);
    assert_eq!(e.steps()[0].cache_key, None);
    let e = explain(&snapshot("dev", &[], true)).expect("explains");
    assert!(e.text(&FilePaths::default()).contains(
        "MFA: a code for arn:aws:iam::123456789012:mfa/alice is asked unless the cache serves this step"
    ));
}

#[test]
fn an_unavailable_credential_source_is_a_note_and_fails_when_reached() {
    for (profile, source, env, why) in [
        (
            "ecs",
            NamedSource::EcsContainer,
            vec![],
            "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
        ),
        (
            "env",
            NamedSource::Environment,
            vec![("AWS_ACCESS_KEY_ID", "")],
            "AWS_ACCESS_KEY_ID is not set (or empty)",
        ),
        (
            "imds",
            NamedSource::Ec2InstanceMetadata,
            vec![("AWS_EC2_METADATA_DISABLED", "true")],
            "AWS_EC2_METADATA_DISABLED turns instance metadata off",
        ),
    ] {
        let snap = snapshot(profile, &env, true);
        let p = plan(&snap).expect("plans");
        assert!(
            matches!(&p.base, Base::UnavailableSource { source: s, .. } if *s == source),
            "{:?}",
            p.base
        );
        let e = explain(&snap).expect("explains");
        assert_eq!(e.steps()[0].kind, StepKind::UnavailableSource);
        let text = e.text(&paths());
        let note = format!(
            "     note: The credential_source {} (/home/u/.aws/config:",
            source.as_str()
        );
        assert!(text.contains(&note), "{text}");
        assert!(text.contains(why), "{text}");
        assert!(text.contains("Resolving fails at this step unless a fresh cached role above it serves the chain."));
        let v = e.to_json(&paths());
        assert_eq!(v["steps"][0]["kind"], "unavailable-source");

        // Resolving: the cache lookup first, then the same error as before.
        let mut m = Resolver::new(&snap);
        let Step::Effect(Effect::CacheGet { key }) = m.poll(NOW) else {
            panic!("a cache lookup first")
        };
        assert_eq!(key, e.cache_keys()[0]);
        m.handle_cache_entry(None).expect("fed");
        let Step::Done(Err(err)) = m.poll(NOW) else {
            panic!("an error")
        };
        assert!(
            matches!(&err, ResolveError::CredentialSourceEmpty { source_name, detail: None, .. } if *source_name == source.as_str()),
            "{err:?}"
        );
        // A fresh cached role does not touch its source.
        let mut m = Resolver::new(&snap);
        m.poll(NOW);
        m.handle_cache_entry(Some(entry("2026-11-27T19:00:00Z")))
            .expect("fed");
        let Step::Done(Ok(creds)) = m.poll(NOW) else {
            panic!("the cached role")
        };
        assert_eq!(creds.access_key_id, "ASIACACHED");
    }
}

#[test]
fn environment_and_web_identity_and_container_steps() {
    // Without --profile, environment keys come first.
    let mut snap = snapshot(
        "dev",
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
            ("AWS_SESSION_TOKEN", "ENVTOKEN"),
        ],
        true,
    );
    snap.options.profile = None;
    let e = explain(&snap).expect("explains");
    assert_eq!(e.steps().len(), 1);
    let s = &e.steps()[0];
    assert_eq!(s.kind, StepKind::Environment);
    assert_eq!(s.access_key_id.as_deref(), Some("AKIDENV"));
    let names: Vec<&str> = s.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN"
        ]
    );
    assert!(e.text(&paths()).contains("selected by default."));

    let config = "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = /var/run/token\n[profile c]\n";
    let parsed = parse_files(Some(config), None).expect("parses");
    let mut snap = Snapshot {
        profiles: parsed.profiles.into_owned(),
        env: BTreeMap::new(),
        options: Options {
            profile: Some("w".into()),
            region: None,
            cache: true,
            ..Default::default()
        },
    };
    let e = explain(&snap).expect("explains");
    let s = &e.steps()[0];
    assert_eq!(s.kind, StepKind::WebIdentity);
    assert_eq!(s.cache_key, None);
    assert!(e.cache_keys().is_empty());
    assert!(s.notes[0].contains("includes the token"));

    snap.options.profile = Some("c".into());
    snap.env.insert(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI".into(),
        "http://127.0.0.1:9/creds".into(),
    );
    snap.env.insert(
        "AWS_CONTAINER_AUTHORIZATION_TOKEN".into(),
        "CONTAINERTOKEN".into(),
    );
    let e = explain(&snap).expect("explains");
    let text = e.text(&paths());
    assert!(text.contains("  1. Container credentials from http://127.0.0.1:9/creds, with the token in AWS_CONTAINER_AUTHORIZATION_TOKEN\n"), "{text}");
    assert!(text.contains("has no credentials of its own"), "{text}");
}

#[test]
fn a_profile_that_does_not_exist() {
    let parsed = parse_files(Some("[profile a]\nregion = x\n"), None).expect("parses");
    let snap = Snapshot {
        profiles: parsed.profiles.into_owned(),
        env: BTreeMap::new(),
        options: Options {
            profile: Some("nope".into()),
            region: None,
            cache: true,
            ..Default::default()
        },
    };
    assert_eq!(
        explain(&snap).unwrap_err(),
        ResolveError::ProfileNotFound {
            profile: "nope".into()
        }
    );
}

#[test]
fn the_conformance_output_shows_an_unavailable_source_as_configured() {
    let input = json!({
        "profiles": {"A": {"role_arn": "arn:aws:iam::123456789012:role/RoleA", "credential_source": "EcsContainer"}},
        "selected_profile": "A",
    });
    let snap = rolectl_resolver::conformance::snapshot_from_input(&input).expect("case");
    assert_eq!(
        rolectl_resolver::conformance::output_for(&snap),
        json!({"ProfileChain": [
            {"NamedSource": "EcsContainer"},
            {"AssumeRole": {"role_arn": "arn:aws:iam::123456789012:role/RoleA"}},
        ]})
    );
}
