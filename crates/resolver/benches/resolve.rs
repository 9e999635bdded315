//! How long the pure parts take: planning a chain, running the machine
//! through a chain with immediate answers, and computing a cache key.

use criterion::{criterion_group, criterion_main, Criterion};
use rolectl_config_parser::parse_files;
use rolectl_resolver::{plan, CacheKeyParams, Effect, Options, Resolver, Snapshot, Step};
use rolectl_sigv4::Secret;
use rolectl_sts_client::{AssumeRoleOutput, AssumedRoleUser, Output, TemporaryCredentials};
use std::hint::black_box;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-27 18:00:00 UTC);

fn chain_snapshot(depth: usize) -> Snapshot {
    let mut config = String::new();
    for i in 0..depth {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = p{}\nregion = eu-west-1\n",
            i + 1
        ));
    }
    config.push_str(&format!(
        "[profile p{depth}]\naws_access_key_id = AKID\naws_secret_access_key = s\n"
    ));
    let parsed = parse_files(Some(&config), None).expect("parses");
    Snapshot {
        profiles: parsed.profiles.into_owned(),
        env: Default::default(),
        options: Options {
            profile: Some("p0".into()),
            region: None,
            cache: true,
        },
    }
}

fn answer() -> Output {
    Output::AssumeRole(AssumeRoleOutput {
        credentials: TemporaryCredentials {
            access_key_id: "ASIA".into(),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration: NOW + Duration::hours(1),
        },
        assumed_role_user: Some(AssumedRoleUser {
            assumed_role_id: "AROA:x".into(),
            arn: "arn:aws:sts::1:assumed-role/r/x".into(),
        }),
        packed_policy_size: None,
        source_identity: None,
        subject_from_web_identity_token: None,
        provider: None,
        audience: None,
    })
}

fn run(snapshot: &Snapshot) -> usize {
    let mut m = Resolver::new(snapshot);
    loop {
        match m.poll(NOW) {
            Step::Done(r) => {
                r.expect("resolves");
                return m.effects_issued();
            }
            Step::Effect(Effect::CacheGet { .. }) => m.handle_cache_entry(None).expect("fed"),
            Step::Effect(Effect::CachePut { .. }) => m.handle_cache_stored(Ok(())).expect("fed"),
            Step::Effect(Effect::Sts { .. }) => {
                m.handle_sts(Ok::<_, String>(answer())).expect("fed")
            }
            Step::Effect(other) => panic!("unexpected {other:?}"),
        }
    }
}

fn benches(c: &mut Criterion) {
    let three = chain_snapshot(3);
    let twenty = chain_snapshot(20);
    c.bench_function("plan/chain of 3", |b| {
        b.iter(|| plan(black_box(&three)).expect("plans"))
    });
    c.bench_function("plan/chain of 20", |b| {
        b.iter(|| plan(black_box(&twenty)).expect("plans"))
    });
    c.bench_function("machine/chain of 3, cache misses", |b| {
        b.iter(|| run(black_box(&three)))
    });
    c.bench_function("machine/chain of 20, cache misses", |b| {
        b.iter(|| run(black_box(&twenty)))
    });
    let params = CacheKeyParams {
        role_arn: "arn:aws:iam::222222222222:role/role2".into(),
        role_session_name: Some("my-session".into()),
        external_id: Some("ext-123".into()),
        serial_number: None,
        duration_seconds: Some(1800),
        ..Default::default()
    };
    c.bench_function("cache key", |b| {
        b.iter(|| black_box(&params).key().expect("key"))
    });
}

criterion_group!(resolve, benches);
criterion_main!(resolve);
