//! How long the pure parts take: planning a chain, running the machine
//! through a chain with immediate answers, computing a cache key, and
//! linting a config of 10,000 role profiles.

use criterion::{criterion_group, criterion_main, Criterion};
use rolectl_config_parser::aws_cli::parse_files;
use rolectl_resolver::lint::lint;
use rolectl_resolver::{plan, CacheKeyParams, Effect, Options, Resolver, Snapshot, Step};
use rolectl_sigv4::Secret;
use rolectl_sts_client::{AssumeRoleOutput, AssumedRoleUser, Output, TemporaryCredentials};
use std::fmt::Write as _;
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
            ..Default::default()
        },
    }
}

/// The config-parser bench's input (`examples/gen_config/generate.rs` of
/// that crate, mirrored): 10,000 role profiles (role_arn, source_profile,
/// region, mfa_serial on half, an `s3` block on a quarter) and a credentials
/// file, about 1.5 MB together.
fn generated_files() -> (String, String) {
    const ROLE_PROFILES: usize = 10_000;
    const REGIONS: [&str; 8] = [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "sa-east-1",
        "ca-central-1",
    ];
    let mut config = String::with_capacity(ROLE_PROFILES * 170);
    config
        .push_str("# Generated for benchmarks.\n[default]\nregion = us-east-1\noutput = json\n\n");
    config.push_str("[profile base]\nregion = us-east-1\n\n");
    for i in 0..ROLE_PROFILES {
        let account = 100_000_000_000u64 + (i as u64 % 97) * 1_000_003;
        let source = if i % 10 == 0 {
            "base".to_owned()
        } else {
            format!("role-{:05}", i - 1)
        };
        let _ = write!(
            config,
            "[profile role-{i:05}]\nrole_arn = arn:aws:iam::{account}:role/deploy-{i:05}\nsource_profile = {source}\nregion = {}\n",
            REGIONS[i % REGIONS.len()]
        );
        if i % 2 == 0 {
            let _ = writeln!(
                config,
                "mfa_serial = arn:aws:iam::{account}:mfa/user-{}",
                i % 89
            );
        }
        if i % 4 == 0 {
            config.push_str("s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n");
        }
        config.push('\n');
    }
    let mut credentials = String::new();
    credentials.push_str("[base]\naws_access_key_id = AKIDEXAMPLE000000000\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n\n");
    for i in 0..100 {
        let _ = write!(
            credentials,
            "[user-{i:03}]\naws_access_key_id = AKIDEXAMPLE{i:09}\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLE{i:03}\n\n"
        );
    }
    (config, credentials)
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

    let (config, credentials) = generated_files();
    // The generated files are clean: the bench measures checks, not messages.
    assert!(lint(Some(&config), Some(&credentials)).is_empty());
    c.bench_function("lint/10,000 role profiles: parse alone", |b| {
        b.iter(|| {
            parse_files(Some(black_box(&config)), Some(black_box(&credentials))).expect("parses")
        })
    });
    c.bench_function("lint/10,000 role profiles", |b| {
        b.iter(|| lint(Some(black_box(&config)), Some(black_box(&credentials))))
    });
}

criterion_group!(resolve, benches);
criterion_main!(resolve);
