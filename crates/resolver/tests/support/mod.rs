//! Helpers shared by the resolver's integration tests.
#![allow(dead_code)]

use rolectl_config_parser::aws_cli::parse_files;
use rolectl_resolver::{Options, Snapshot};
use rolectl_sigv4::Secret;
use rolectl_sts_client::{AssumeRoleOutput, AssumedRoleUser, Output, TemporaryCredentials};
use std::collections::BTreeMap;
use time::macros::datetime;
use time::OffsetDateTime;

pub const NOW: OffsetDateTime = datetime!(2026-11-27 18:00:00 UTC);

pub fn snapshot(
    config: &str,
    credentials: &str,
    env: &[(&str, &str)],
    profile: Option<&str>,
    cache: bool,
) -> Snapshot {
    let parsed = parse_files(Some(config), Some(credentials)).expect("test files parse");
    Snapshot {
        profiles: parsed.profiles.into_owned(),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        options: Options {
            profile: profile.map(str::to_owned),
            region: None,
            cache,
            ..Default::default()
        },
    }
}

pub fn assume_role_output(
    access_key_id: &str,
    account: &str,
    expiration: OffsetDateTime,
) -> Output {
    Output::AssumeRole(role_output(access_key_id, account, expiration))
}

pub fn role_output(
    access_key_id: &str,
    account: &str,
    expiration: OffsetDateTime,
) -> AssumeRoleOutput {
    AssumeRoleOutput {
        credentials: TemporaryCredentials {
            access_key_id: access_key_id.to_owned(),
            secret_access_key: Secret::new(format!("secret-of-{access_key_id}")),
            session_token: Secret::new(format!("token-of-{access_key_id}")),
            expiration,
        },
        assumed_role_user: Some(AssumedRoleUser {
            assumed_role_id: "AROAEXAMPLE:session".to_owned(),
            arn: format!("arn:aws:sts::{account}:assumed-role/role/session"),
        }),
        packed_policy_size: None,
        source_identity: None,
        subject_from_web_identity_token: None,
        provider: None,
        audience: None,
    }
}
