//! The benchmark's input: a config file with 10,000 role profiles (role_arn,
//! source_profile, region, mfa_serial on half, an `s3` sub-property block
//! on a quarter) and a credentials file, about 1.5 MB together; and an
//! organisation's SSO profiles (3,000, about 0.45 MB) as a tool such as
//! `aws-sso-util` writes them. Deterministic, so that every run and every
//! tool measures the same bytes.

use std::fmt::Write as _;

pub const ROLE_PROFILES: usize = 10_000;

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

/// The config file text.
pub fn config() -> String {
    let mut out = String::with_capacity(ROLE_PROFILES * 170);
    out.push_str("# Generated for benchmarks.\n[default]\nregion = us-east-1\noutput = json\n\n");
    out.push_str("[profile base]\nregion = us-east-1\n\n");
    for i in 0..ROLE_PROFILES {
        let account = 100_000_000_000u64 + (i as u64 % 97) * 1_000_003;
        let source = if i % 10 == 0 {
            "base".to_owned()
        } else {
            format!("role-{:05}", i - 1)
        };
        let _ = write!(
            out,
            "[profile role-{i:05}]\nrole_arn = arn:aws:iam::{account}:role/deploy-{i:05}\nsource_profile = {source}\nregion = {}\n",
            REGIONS[i % REGIONS.len()]
        );
        if i % 2 == 0 {
            let _ = writeln!(
                out,
                "mfa_serial = arn:aws:iam::{account}:mfa/user-{}",
                i % 89
            );
        }
        if i % 4 == 0 {
            out.push_str("s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n");
        }
        out.push('\n');
    }
    out
}

/// The credentials file text: the `base` keys and a hundred other key pairs.
pub fn credentials() -> String {
    let mut out = String::new();
    out.push_str("[base]\naws_access_key_id = AKIDEXAMPLE000000000\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n\n");
    for i in 0..100 {
        let _ = write!(
            out,
            "[user-{i:03}]\naws_access_key_id = AKIDEXAMPLE{i:09}\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLE{i:03}\n\n"
        );
    }
    out
}

pub const SSO_PROFILES: usize = 3_000;

/// 3,000 profiles of one `[sso-session]`: 1,000 accounts with three roles
/// each. A role profile appended after them is what a run resolves.
pub fn sso_profiles() -> String {
    const ROLES: [&str; 3] = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"];
    let mut out = String::with_capacity(SSO_PROFILES * 160);
    out.push_str("[sso-session org]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n");
    for i in 0..SSO_PROFILES {
        let account = 100_000_000_000u64 + (i as u64 / 3) * 7919;
        let role = ROLES[i % 3];
        let _ = write!(
            out,
            "[profile team-{:04}.{role}]\nsso_session = org\nsso_account_id = {account}\nsso_role_name = {role}\nregion = {}\noutput = json\n\n",
            i / 3,
            REGIONS[i % REGIONS.len()]
        );
    }
    out
}
