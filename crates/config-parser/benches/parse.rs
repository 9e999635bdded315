//! Parse and merge throughput on the generated 10,000-profile config and its
//! credentials file (see `examples/gen_config`), reported in MB/s.
//! `parse/config_and_credentials` times parsing and merging both files;
//! `.../with_drop` adds freeing the result; `parse/config_file_only` is the
//! config file alone without the merge. The `aws_cli/...` functions time
//! the AWS CLI's reading (`aws_cli::parse_files`), which rolectl resolves
//! from; the others the cross-SDK reading. `aws_cli/needed_for_one_chain`
//! reads only what resolving `role-09999` needs (a chain of ten roles).
//! `sso_profiles/...` reads one role profile after 3,000 SSO profiles (an
//! organisation's generated config) lazily, beside a count of its lines
//! (the floor of any reading of it).

#[path = "../examples/gen_config/generate.rs"]
mod generate;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rolectl_config_parser::{aws_cli, parse_file, parse_files, FileKind, Parsed};

/// The last role: a chain of ten profiles down to `base`.
const LAST_ROLE: &str = "role-09999";

fn parse_both<'a>(config: &'a str, credentials: &'a str) -> Parsed<'a> {
    let parsed = parse_files(Some(black_box(config)), Some(black_box(credentials)))
        .expect("the generated files parse");
    assert_eq!(
        parsed.profiles.profiles.len(),
        generate::ROLE_PROFILES + 102
    );
    parsed
}

fn parse(c: &mut Criterion) {
    let config = generate::config();
    let credentials = generate::credentials();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::BytesDecimal(
        (config.len() + credentials.len()) as u64,
    ));
    group.bench_function("config_and_credentials", |b| {
        b.iter_with_large_drop(|| parse_both(&config, &credentials))
    });
    group.bench_function("config_and_credentials/with_drop", |b| {
        b.iter(|| drop(parse_both(&config, &credentials)))
    });
    group.bench_function("aws_cli/config_and_credentials", |b| {
        b.iter_with_large_drop(|| {
            let parsed =
                aws_cli::parse_files(Some(black_box(&config)), Some(black_box(&credentials)))
                    .expect("the generated files parse");
            assert_eq!(
                parsed.profiles.profiles.len(),
                generate::ROLE_PROFILES + 102
            );
            parsed
        })
    });
    group.bench_function("aws_cli/needed_for_one_chain", |b| {
        b.iter_with_large_drop(|| {
            let parsed = aws_cli::parse_files_for(
                Some(black_box(&config)),
                Some(black_box(&credentials)),
                LAST_ROLE,
            )
            .expect("the generated files parse");
            // The ten roles and `base` (in both files).
            assert_eq!(parsed.profiles.profiles.len(), 11);
            parsed
        })
    });
    group.throughput(Throughput::BytesDecimal(config.len() as u64));
    group.bench_function("config_file_only", |b| {
        b.iter_with_large_drop(|| parse_file(black_box(&config), FileKind::Config).expect("parses"))
    });
    group.bench_function("aws_cli/config_file_only", |b| {
        b.iter_with_large_drop(|| {
            aws_cli::parse_file(black_box(&config), FileKind::Config).expect("parses")
        })
    });
    group.finish();

    let sso = format!(
        "{}[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n",
        generate::sso_profiles()
    );
    let mut group = c.benchmark_group("sso_profiles");
    group.throughput(Throughput::BytesDecimal(sso.len() as u64));
    group.bench_function("aws_cli/needed_for_one_role", |b| {
        b.iter_with_large_drop(|| {
            let parsed = aws_cli::parse_files_for(
                Some(black_box(&sso)),
                Some(black_box(&credentials)),
                "deploy",
            )
            .expect("the generated files parse");
            assert_eq!(parsed.profiles.profiles.len(), 2);
            parsed
        })
    });
    group.bench_function("line_count", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(sso.as_bytes())).count())
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
