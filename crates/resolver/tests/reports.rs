//! `profiles`, `FilePaths`, and the rule that no secret from the files or
//! the environment appears in any explain, lint or profiles output.

use rolectl_config_parser::{parse_files, FileKind, Location};
use rolectl_resolver::lint::lint;
use rolectl_resolver::profiles::{profiles, profiles_json, profiles_text, ProfileKind};
use rolectl_resolver::{explain, FilePaths, Options, Snapshot};
use serde_json::json;
use std::collections::BTreeMap;
use time::macros::datetime;

#[test]
fn profile_kinds_follow_the_chains_precedence() {
    let config = "\
[profile role]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = keys
[profile cs]
role_arn = arn:aws:iam::123456789012:role/r
credential_source = Environment
[profile both]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = keys
credential_source = Environment
[profile nosource]
role_arn = arn:aws:iam::123456789012:role/r
[profile web]
role_arn = arn:aws:iam::123456789012:role/r
web_identity_token_file = /t
source_profile = keys
[profile sso]
sso_start_url = https://x
sso_region = us-east-1
credential_process = /bin/creds
[profile proc]
credential_process = /bin/creds
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = s
[profile cfgkeys]
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = s
[profile login]
login_session = arn:aws:iam::123456789012:user/a
[profile emptyproc]
credential_process =
[default]
region = eu-west-1
";
    let credentials = "\
[keys]
aws_access_key_id = AKID
aws_secret_access_key = s
[credskeys]
aws_access_key_id = AKID
aws_secret_access_key = s
[procandcreds]
aws_access_key_id = AKID
aws_secret_access_key = s
[lonesecret]
aws_secret_access_key = s
";
    let config = format!("{config}[profile procandcreds]\ncredential_process = /bin/creds\n");
    let parsed = parse_files(Some(&config), Some(credentials)).expect("parses");
    let list = profiles(&parsed.profiles);
    let kinds: Vec<(&str, &str)> = list
        .iter()
        .map(|p| (p.name.as_str(), p.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("both", "role-source-profile"),
            ("cfgkeys", "static-keys"),
            ("credskeys", "static-keys"),
            ("cs", "role-credential-source"),
            ("default", "empty"),
            ("emptyproc", "empty"),
            ("keys", "static-keys"),
            ("login", "login"),
            ("lonesecret", "empty"),
            ("nosource", "other"),
            // Config-file keys come after credential_process...
            ("proc", "credential-process"),
            // ... credentials-file keys before it.
            ("procandcreds", "static-keys"),
            ("role", "role-source-profile"),
            ("sso", "sso"),
            ("web", "web-identity"),
        ]
    );
    let role = list.iter().find(|p| p.name == "role").expect("role");
    assert_eq!(role.kind, ProfileKind::RoleSourceProfile);
    assert_eq!(role.source_profile.as_deref(), Some("keys"));
    assert_eq!(
        role.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/r")
    );
    assert_eq!(
        role.location,
        Location {
            file: FileKind::Config,
            line: 1,
            column: 1
        }
    );
}

#[test]
fn profiles_text_and_json() {
    let config = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n[default]\nregion = eu-west-1\n[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = EcsContainer\n";
    let credentials = "[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRET\n";
    let parsed = parse_files(Some(config), Some(credentials)).expect("parses");
    let list = profiles(&parsed.profiles);
    let paths = FilePaths::new("/c", "/k");
    assert_eq!(
        profiles_text(&list, &paths),
        "\
base     static-keys             /k:1:1
ci       role-credential-source  /c:6:1  role_arn=arn:aws:iam::123456789012:role/ci credential_source=EcsContainer
default  empty                   /c:4:1
dev      role-source-profile     /c:1:1  role_arn=arn:aws:iam::123456789012:role/dev source_profile=base
"
    );
    assert_eq!(
        profiles_json(&list, &paths)[3],
        json!({
            "name": "dev",
            "kind": "role-source-profile",
            "source_profile": "base",
            "credential_source": null,
            "role_arn": "arn:aws:iam::123456789012:role/dev",
            "file": "/c",
            "line": 1,
            "column": 1,
        })
    );
    assert_eq!(profiles_text(&[], &paths), "");
}

#[test]
fn file_paths_rewrite_places_in_texts() {
    let paths = FilePaths::new("/home/u/.aws/config", "C:\\Users\\u\\.aws\\credentials");
    assert_eq!(
        paths.rewrite("The profile \"a\" (config:12:1) and credentials:3:14, then config:1:1."),
        "The profile \"a\" (/home/u/.aws/config:12:1) and C:\\Users\\u\\.aws\\credentials:3:14, then /home/u/.aws/config:1:1."
    );
    // Only whole `file:line:column` forms, not words that end or start alike.
    for same in [
        "myconfig:1:2",
        "config:1",
        "config:a:1",
        "config:1:2x",
        "credentials: 1:2",
        "the config file",
        "",
    ] {
        assert_eq!(paths.rewrite(same), same);
    }
    // A path holding `config:1:1` itself is not rewritten twice.
    let odd = FilePaths::new("config:1:1", "k");
    assert_eq!(odd.rewrite("config:2:3"), "config:1:1:2:3");
    // Non-ASCII text around the places.
    assert_eq!(
        paths.rewrite("é config:1:1 ü"),
        "é /home/u/.aws/config:1:1 ü"
    );
    assert_eq!(
        paths.locate(Location {
            file: FileKind::Credentials,
            line: 7,
            column: 2
        }),
        "C:\\Users\\u\\.aws\\credentials:7:2"
    );
    assert_eq!(FilePaths::default().rewrite("config:1:1"), "config:1:1");
}

/// Secrets in both files and in the environment; every output is searched.
#[test]
fn no_secret_appears_in_any_output() {
    let secrets = [
        "FILESECRETKEY1",
        "FILESESSIONTOKEN1",
        "CFGSECRETKEY2",
        "ENVSECRETKEY3",
        "ENVSESSIONTOKEN3",
        "CONTAINERTOKEN4",
        "CACHEDSECRET5",
        "CACHEDTOKEN5",
    ];
    let config = "\
[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile cfg]
aws_access_key_id = AKIDCFG
aws_secret_access_key = CFGSECRETKEY2
regoin = x
[profile ecs]
role_arn = arn:aws:iam::123456789012:role/ecs
credential_source = EcsContainer
[profile envrole]
role_arn = arn:aws:iam::123456789012:role/env
credential_source = Environment
[profile partial]
aws_secret_access_key = CFGSECRETKEY2
";
    let credentials = "[base]\naws_access_key_id = AKIDFILE\naws_secret_access_key = FILESECRETKEY1\naws_session_token = FILESESSIONTOKEN1\n";
    let env: BTreeMap<String, String> = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "ENVSECRETKEY3"),
        ("AWS_SESSION_TOKEN", "ENVSESSIONTOKEN3"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "CONTAINERTOKEN4"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let parsed = parse_files(Some(config), Some(credentials)).expect("parses");
    let paths = FilePaths::new("/c", "/k");
    let mut outputs: Vec<String> = Vec::new();
    let cached = r#"{"Credentials":{"AccessKeyId":"ASIA","SecretAccessKey":"CACHEDSECRET5","SessionToken":"CACHEDTOKEN5","Expiration":"2026-11-27T19:00:00Z"}}"#;
    for profile in [
        None,
        Some("dev"),
        Some("cfg"),
        Some("ecs"),
        Some("envrole"),
        Some("base"),
    ] {
        let snap = Snapshot {
            profiles: parsed.profiles.clone().into_owned(),
            env: env.clone(),
            options: Options {
                profile: profile.map(str::to_owned),
                region: None,
                cache: true,
                ..Default::default()
            },
        };
        let mut e = explain(&snap).expect("explains");
        for key in e.cache_keys() {
            e.set_cache_entry(&key, Some(cached), datetime!(2026-11-27 18:00 UTC));
        }
        outputs.push(e.text(&paths));
        outputs.push(e.to_json(&paths).to_string());
        outputs.push(format!("{e:?}"));
    }
    let findings = lint(Some(config), Some(credentials));
    assert!(!findings.is_empty());
    for f in &findings {
        outputs.push(f.render(&paths));
        outputs.push(f.to_json(&paths).to_string());
    }
    let list = profiles(&parsed.profiles);
    outputs.push(profiles_text(&list, &paths));
    outputs.push(profiles_json(&list, &paths).to_string());
    outputs.push(format!("{list:?}"));
    for out in &outputs {
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} in:\n{out}");
        }
    }
    // The access key ids are shown, so the test looks where secrets would be.
    let all = outputs.join("\n");
    for shown in ["AKIDENV", "AKIDFILE", "AKIDCFG"] {
        assert!(all.contains(shown), "{shown}");
    }
}
