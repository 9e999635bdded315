//! Scripted runs of the state machine: what it asks for, in which order and
//! with which parameters, for each rule of the AWS CLI's chain.

mod support;

use rolectl_resolver::{
    CacheEntry, CacheKeyParams, CredentialSource, Effect, ProcessOutput, ResolveError, Resolver,
    Snapshot, Step, Warning,
};
use rolectl_sigv4::Secret;
use rolectl_sts_client::{Operation, Output};
use support::{assume_role_output, role_output, snapshot, NOW};
use time::Duration;

fn effect(m: &mut Resolver) -> Effect {
    match m.poll(NOW) {
        Step::Effect(e) => e,
        Step::Done(r) => panic!("expected an effect, got {r:?}"),
    }
}

fn done(m: &mut Resolver) -> Result<rolectl_resolver::ResolvedCredentials, ResolveError> {
    match m.poll(NOW) {
        Step::Done(r) => r,
        Step::Effect(e) => panic!("expected the end, got {e:?}"),
    }
}

fn key(role_arn: &str) -> String {
    CacheKeyParams {
        role_arn: role_arn.into(),
        ..Default::default()
    }
    .key()
    .unwrap()
}

fn assume_role(e: &Effect) -> (&rolectl_sts_client::AssumeRoleInput, Option<&str>, &str) {
    match e {
        Effect::Sts {
            operation: Operation::AssumeRole(input),
            credentials,
            endpoint,
            ..
        } => (
            input,
            credentials.as_ref().map(|c| c.access_key_id.as_str()),
            endpoint.url.as_str(),
        ),
        other => panic!("expected AssumeRole, got {other:?}"),
    }
}

const ROLE_A: &str = "arn:aws:iam::111111111111:role/A";
const ROLE_B: &str = "arn:aws:iam::222222222222:role/B";

const CHAIN: &str = "[profile A]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = B\nregion = eu-west-1\n\n[profile B]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = C\n\n[profile C]\naws_access_key_id = AKIDC\naws_secret_access_key = SECRETC\n";

#[test]
fn static_keys_need_no_effect() {
    let s = snapshot(
        "",
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = S\naws_account_id = 123\n",
        &[],
        None,
        true,
    );
    let mut m = Resolver::new(&s);
    let c = done(&mut m).unwrap();
    assert_eq!(c.access_key_id, "AKID");
    assert_eq!(c.secret_access_key.expose(), "S");
    assert_eq!(c.account_id.as_deref(), Some("123"));
    assert_eq!(
        c.source,
        CredentialSource::Profile {
            profile: "default".into()
        }
    );
    assert_eq!(m.effects_issued(), 0);
}

#[test]
fn environment_first_unless_profile_is_explicit() {
    let files = "[default]\naws_access_key_id = FILE\naws_secret_access_key = S\n[p]\naws_access_key_id = P\naws_secret_access_key = S\n";
    let env = [
        ("AWS_ACCESS_KEY_ID", "ENV"),
        ("AWS_SECRET_ACCESS_KEY", "ES"),
        ("AWS_SECURITY_TOKEN", "legacy"),
        ("AWS_CREDENTIAL_EXPIRATION", "2026-11-27T20:00:00Z"),
        ("AWS_PROFILE", "p"),
    ];
    let c = done(&mut Resolver::new(&snapshot("", files, &env, None, false))).unwrap();
    assert_eq!(c.access_key_id, "ENV");
    assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("legacy"));
    assert_eq!(c.expiration, Some(NOW + Duration::hours(2)));
    assert_eq!(c.source, CredentialSource::Environment);
    let c = done(&mut Resolver::new(&snapshot(
        "",
        files,
        &env,
        Some("default"),
        false,
    )))
    .unwrap();
    assert_eq!(c.access_key_id, "FILE");
    // As in botocore, AWS_SECURITY_TOKEN is looked at first; an empty one
    // lets AWS_SESSION_TOKEN through.
    let env2 = [
        ("AWS_ACCESS_KEY_ID", "E"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
        ("AWS_SESSION_TOKEN", "new"),
        ("AWS_SECURITY_TOKEN", "old"),
    ];
    let c = done(&mut Resolver::new(&snapshot("", "", &env2, None, false))).unwrap();
    assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("old"));
    let env3 = [
        ("AWS_ACCESS_KEY_ID", "E"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
        ("AWS_SESSION_TOKEN", "new"),
        ("AWS_SECURITY_TOKEN", ""),
    ];
    let c = done(&mut Resolver::new(&snapshot("", "", &env3, None, false))).unwrap();
    assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("new"));
    let partial = [("AWS_ACCESS_KEY_ID", "E")];
    assert_eq!(
        done(&mut Resolver::new(&snapshot("", "", &partial, None, false))).unwrap_err(),
        ResolveError::PartialEnvironmentCredentials {
            missing: "AWS_SECRET_ACCESS_KEY",
            referenced_by: None,
        }
    );
}

#[test]
fn profile_selection_order() {
    let files = "[default]\naws_access_key_id = D\naws_secret_access_key = S\n[profile x]\naws_access_key_id = X\naws_secret_access_key = S\n[profile y]\naws_access_key_id = Y\naws_secret_access_key = S\n";
    let run = |env: &[(&str, &str)], p: Option<&str>| {
        done(&mut Resolver::new(&snapshot(files, "", env, p, false))).map(|c| c.access_key_id)
    };
    assert_eq!(run(&[], None).unwrap(), "D");
    assert_eq!(run(&[("AWS_DEFAULT_PROFILE", "y")], None).unwrap(), "Y");
    assert_eq!(
        run(&[("AWS_DEFAULT_PROFILE", "y"), ("AWS_PROFILE", "x")], None).unwrap(),
        "X"
    );
    assert_eq!(run(&[("AWS_PROFILE", "x")], Some("y")).unwrap(), "Y");
    let err = run(&[], Some("nope")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The config profile (nope) could not be found"
    );
    assert_eq!(
        run(&[("AWS_PROFILE", "gone")], None).unwrap_err(),
        ResolveError::ProfileNotFound {
            profile: "gone".into()
        }
    );
    // A variable that is set but empty still names a profile, as in the
    // AWS CLI: the profile "" does not exist.
    let err = run(&[("AWS_PROFILE", ""), ("AWS_DEFAULT_PROFILE", "y")], None).unwrap_err();
    assert_eq!(err.to_string(), "The config profile () could not be found");
}

#[test]
fn static_keys_follow_the_file_providers() {
    let run = |config: &str, credentials: &str| {
        let env = [("AWS_EC2_METADATA_DISABLED", "true")];
        done(&mut Resolver::new(&snapshot(
            config,
            credentials,
            &env,
            None,
            false,
        )))
    };
    // aws_security_token is looked at first, in the same file as the keys.
    let c = run(
        "[default]\naws_session_token = from-config\n",
        "[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = new\naws_security_token = old\n",
    )
    .unwrap();
    assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("old"));
    let c = run(
        "[default]\naws_session_token = from-config\naws_account_id = 9\n",
        "[default]\naws_access_key_id = A\naws_secret_access_key = S\n",
    )
    .unwrap();
    assert_eq!(c.session_token, None);
    assert_eq!(c.account_id, None);
    // A secret key alone is not credentials: the chain goes on.
    assert_eq!(
        run("", "[default]\naws_secret_access_key = S\n").unwrap_err(),
        ResolveError::NoCredentialsInProfile {
            profile: "default".into(),
            location: rolectl_config_parser::Location {
                file: rolectl_config_parser::FileKind::Credentials,
                line: 1,
                column: 1
            }
        }
    );
    // An access key id alone is an error.
    assert!(matches!(
        run("", "[default]\naws_access_key_id = A\n").unwrap_err(),
        ResolveError::PartialCredentials {
            missing: "aws_secret_access_key",
            ..
        }
    ));
}

#[test]
fn credentials_file_keys_win_over_config_keys() {
    let config = "[default]\naws_access_key_id = CONFIG\naws_secret_access_key = S\ncredential_process = never-run\n";
    let creds = "[default]\naws_access_key_id = CREDS\naws_secret_access_key = S\n";
    let c = done(&mut Resolver::new(&snapshot(
        config,
        creds,
        &[],
        None,
        false,
    )))
    .unwrap();
    assert_eq!(c.access_key_id, "CREDS");
    // credential_process comes before config-file keys.
    let config = "[default]\naws_access_key_id = CONFIG\naws_secret_access_key = S\ncredential_process = run-me\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], None, false));
    assert_eq!(
        effect(&mut m),
        Effect::RunProcess {
            command: "run-me".into(),
            profile: "default".into()
        }
    );
}

#[test]
fn chain_asks_cache_outside_in_then_calls_inside_out() {
    let s = snapshot(CHAIN, "", &[], Some("A"), true);
    let mut m = Resolver::new(&s);
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_A) });
    m.handle_cache_entry(None).unwrap();
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_B) });
    m.handle_cache_entry(None).unwrap();
    let e = effect(&mut m);
    let (input, signer, url) = assume_role(&e);
    assert_eq!(input.role_arn, ROLE_B);
    assert_eq!(signer, Some("AKIDC"));
    assert_eq!(url, "https://sts.eu-west-1.amazonaws.com");
    assert_eq!(
        input.role_session_name,
        format!("rolectl-{}", NOW.unix_timestamp())
    );
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAB",
        "222222222222",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    let Effect::CachePut { key: k, entry } = effect(&mut m) else {
        panic!("expected CachePut")
    };
    assert_eq!(k, key(ROLE_B));
    let stored = CacheEntry::parse(&entry).unwrap();
    assert_eq!(stored.access_key_id, "ASIAB");
    assert!(
        entry.contains("\"Expiration\":\"2026-11-27T19:00:00Z\""),
        "{entry}"
    );
    assert!(entry.contains("\"AssumedRoleUser\""));
    m.handle_cache_stored(Ok(())).unwrap();
    let e = effect(&mut m);
    let (input, signer, _) = assume_role(&e);
    assert_eq!(input.role_arn, ROLE_A);
    assert_eq!(signer, Some("ASIAB"));
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAA",
        "111111111111",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    assert!(matches!(effect(&mut m), Effect::CachePut { key: k, .. } if k == key(ROLE_A)));
    m.handle_cache_stored(Err("disk full".into())).unwrap();
    let c = done(&mut m).unwrap();
    assert_eq!(c.access_key_id, "ASIAA");
    assert_eq!(c.account_id.as_deref(), Some("111111111111"));
    assert_eq!(
        c.source,
        CredentialSource::AssumeRole {
            profile: "A".into(),
            role_arn: ROLE_A.into()
        }
    );
    assert!(!c.from_cache);
    assert!(matches!(m.warnings(), [Warning::CacheWriteFailed { .. }]));
}

fn entry(akid: &str, expires: time::OffsetDateTime) -> String {
    CacheEntry::from_output(&role_output(akid, "999999999999", expires)).to_json()
}

#[test]
fn cache_hit_in_the_middle_of_a_chain() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_A) });
    m.handle_cache_entry(None).unwrap();
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_B) });
    m.handle_cache_entry(Some(entry("CACHEDB", NOW + Duration::minutes(30))))
        .unwrap();
    let e = effect(&mut m);
    let (input, signer, _) = assume_role(&e);
    assert_eq!((input.role_arn.as_str(), signer), (ROLE_A, Some("CACHEDB")));
}

#[test]
fn cache_hit_at_the_top_ends_at_once_and_fifteen_minutes_is_the_limit() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    effect(&mut m);
    m.handle_cache_entry(Some(entry("CACHEDA", NOW + Duration::minutes(15))))
        .unwrap();
    let c = done(&mut m).unwrap();
    assert_eq!(c.access_key_id, "CACHEDA");
    assert!(c.from_cache);
    assert_eq!(m.effects_issued(), 1);

    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    effect(&mut m);
    m.handle_cache_entry(Some(entry(
        "STALE",
        NOW + Duration::minutes(15) - Duration::seconds(1),
    )))
    .unwrap();
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_B) });
    assert!(m.warnings().is_empty());
}

#[test]
fn corrupt_cache_entry_is_a_miss_with_a_warning() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    effect(&mut m);
    m.handle_cache_entry(Some("{\"Credentials\": {\"AccessKeyId\": \"x\"".into()))
        .unwrap();
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_B) });
    assert!(
        matches!(m.warnings(), [Warning::CorruptCacheEntry { key: k, .. }] if *k == key(ROLE_A))
    );
}

#[test]
fn an_unusable_cache_entry_is_a_miss_that_says_why() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    effect(&mut m);
    m.handle_cache_entry(rolectl_resolver::CacheLookup::Unusable {
        reason: "it is larger than 64 KiB".into(),
    })
    .unwrap();
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key(ROLE_B) });
    let [warning] = m.warnings() else {
        panic!("one warning: {:?}", m.warnings());
    };
    assert_eq!(
        warning.to_string(),
        format!(
            "The cache entry {}.json is unusable, because it is larger than 64 KiB; it was treated as missing.",
            key(ROLE_A)
        )
    );
    // A missing entry is a plain miss: the chain's first call follows.
    m.handle_cache_entry(rolectl_resolver::CacheLookup::Missing)
        .unwrap();
    assert!(matches!(effect(&mut m), Effect::Sts { .. }));
    assert_eq!(m.warnings().len(), 1);
}

#[test]
fn no_cache_means_no_cache_effects() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), false));
    let e = effect(&mut m);
    assert_eq!(assume_role(&e).0.role_arn, ROLE_B);
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAB",
        "2",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    let e = effect(&mut m);
    assert_eq!(assume_role(&e).0.role_arn, ROLE_A);
}

const MFA: &str = "[profile m]\nrole_arn = arn:aws:iam::1:role/M\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/alice\nexternal_id = ext-1\nrole_session_name = alice-session\nduration_seconds = 3600\n[profile base]\naws_access_key_id = BASE\naws_secret_access_key = S\n";

#[test]
fn mfa_is_asked_on_a_cache_miss_and_sent_with_every_parameter() {
    let mut m = Resolver::new(&snapshot(MFA, "", &[], Some("m"), true));
    let expected_key = CacheKeyParams {
        role_arn: "arn:aws:iam::1:role/M".into(),
        role_session_name: Some("alice-session".into()),
        external_id: Some("ext-1".into()),
        serial_number: Some("arn:aws:iam::1:mfa/alice".into()),
        duration_seconds: Some(3600),
        ..Default::default()
    }
    .key()
    .unwrap();
    assert_eq!(effect(&mut m), Effect::CacheGet { key: expected_key });
    m.handle_cache_entry(None).unwrap();
    assert_eq!(
        effect(&mut m),
        Effect::MfaCode {
            serial: "arn:aws:iam::1:mfa/alice".into(),
            profile: "m".into()
        }
    );
    m.handle_mfa_code(Ok(Secret::new("123456"))).unwrap();
    let e = effect(&mut m);
    let (input, signer, url) = assume_role(&e);
    assert_eq!(signer, Some("BASE"));
    assert_eq!(url, "https://sts.amazonaws.com");
    assert_eq!(
        input.serial_number.as_deref(),
        Some("arn:aws:iam::1:mfa/alice")
    );
    assert_eq!(
        input.token_code.as_ref().map(Secret::expose),
        Some("123456")
    );
    assert_eq!(input.external_id.as_deref(), Some("ext-1"));
    assert_eq!(input.role_session_name, "alice-session");
    assert_eq!(input.duration_seconds, Some(3600));
    assert!(
        !format!("{e:?}").contains("123456"),
        "the code must not show in Debug"
    );
}

#[test]
fn mfa_not_asked_on_a_cache_hit() {
    let mut m = Resolver::new(&snapshot(MFA, "", &[], Some("m"), true));
    effect(&mut m);
    m.handle_cache_entry(Some(entry("HIT", NOW + Duration::hours(1))))
        .unwrap();
    assert_eq!(done(&mut m).unwrap().access_key_id, "HIT");
}

#[test]
fn a_bad_mfa_code_is_refused_before_any_call() {
    for code in ["12345", "1234567", "12a456", " 123456", "１２３４５６"] {
        let mut m = Resolver::new(&snapshot(MFA, "", &[], Some("m"), false));
        assert!(matches!(effect(&mut m), Effect::MfaCode { .. }));
        m.handle_mfa_code(Ok(Secret::new(code))).unwrap();
        let err = done(&mut m).unwrap_err();
        assert!(
            matches!(err, ResolveError::InvalidMfaCode { .. }),
            "{code}: {err:?}"
        );
        assert_eq!(m.effects_issued(), 1);
    }
}

#[test]
fn config_errors_come_before_any_effect_and_name_the_line() {
    let cases: &[(&str, &str, &str)] = &[
        ("[profile a]\nrole_arn = r\nduration_seconds = 899\nsource_profile = a\naws_access_key_id = k\naws_secret_access_key = s\n", "a", "The duration_seconds \"899\" in profile \"a\" (config:3:1)"),
        ("[profile a]\nrole_arn = r\nduration_seconds = 1h\nsource_profile = b\n", "a", "The duration_seconds \"1h\""),
        ("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r2\nsource_profile = a\n", "a", "a -> b -> a (config:6:1)"),
        ("[profile a]\nrole_arn = r\nsource_profile = a\n", "a", "a -> a"),
        ("[profile a]\nrole_arn = r\nsource_profile = b\ncredential_source = Environment\n[profile b]\naws_access_key_id = k\naws_secret_access_key = s\n", "a", "contains both source_profile and credential_source"),
        ("[profile a]\nrole_arn = r\n", "a", "neither source_profile nor credential_source"),
        ("[profile a]\nrole_arn = r\ncredential_source = Ec2Metadata\n", "a", "The credential_source \"Ec2Metadata\" in profile \"a\" (config:3:1) is not valid"),
        ("[profile a]\nrole_arn = r\nsource_profile = ghost\n", "a", "The source_profile \"ghost\" referenced in the profile \"a\" (config:3:1) does not exist."),
        ("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nregion = us-east-1\n", "a", "The source profile \"b\" (referenced in the profile \"a\" at config:3:1) must have credentials."),
        ("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\naws_access_key_id = k\n", "a", "missing: aws_secret_access_key"),
        ("[profile a]\nweb_identity_token_file = /t\n", "a", "has no role ARN"),
    ];
    for (config, profile, text) in cases {
        let mut m = Resolver::new(&snapshot(config, "", &[], Some(profile), true));
        let err = done(&mut m).unwrap_err();
        assert!(err.to_string().contains(text), "{config}\n{err}");
        assert_eq!(m.effects_issued(), 0, "{config}");
    }
}

#[test]
fn static_keys_in_a_source_profile_end_the_chain() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = c\naws_access_key_id = KB\naws_secret_access_key = S\n[profile c]\naws_access_key_id = KC\naws_secret_access_key = S\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("a"), false));
    let e = effect(&mut m);
    let (input, signer, _) = assume_role(&e);
    assert_eq!(
        (input.role_arn.as_str(), signer),
        ("arn:aws:iam::123456789012:role/a", Some("KB"))
    );
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAA",
        "1",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    assert_eq!(done(&mut m).unwrap().access_key_id, "ASIAA");
}

#[test]
fn a_profile_may_source_itself_when_it_has_keys() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = a\naws_access_key_id = KA\naws_secret_access_key = S\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("a"), false));
    let e = effect(&mut m);
    assert_eq!(assume_role(&e).1, Some("KA"));
}

#[test]
fn web_identity_from_a_profile_is_unsigned_and_sends_the_token_as_read() {
    let config = "[profile w]\nrole_arn = arn:aws:iam::1:role/W\nweb_identity_token_file = /var/run/token\nrole_session_name = pod\n[profile top]\nrole_arn = arn:aws:iam::1:role/Top\nsource_profile = w\n";
    let mut m = Resolver::new(&snapshot(
        config,
        "",
        &[("AWS_REGION", "us-west-2")],
        Some("top"),
        true,
    ));
    assert_eq!(
        effect(&mut m),
        Effect::CacheGet {
            key: key("arn:aws:iam::1:role/Top")
        }
    );
    m.handle_cache_entry(None).unwrap();
    // As a source profile, web identity is not file-cached by the AWS CLI:
    // no lookup, no store; straight to the token.
    assert_eq!(
        effect(&mut m),
        Effect::ReadFile {
            path: "/var/run/token".into()
        }
    );
    m.handle_file(Ok("tok\n".into())).unwrap();
    match effect(&mut m) {
        Effect::Sts {
            operation: Operation::AssumeRoleWithWebIdentity(input),
            credentials,
            endpoint,
            ..
        } => {
            assert!(credentials.is_none());
            assert_eq!(input.web_identity_token.expose(), "tok\n");
            assert_eq!(input.role_session_name, "pod");
            assert_eq!(endpoint.url, "https://sts.us-west-2.amazonaws.com");
        }
        other => panic!("{other:?}"),
    }
    m.handle_sts(Ok::<_, String>(Output::AssumeRoleWithWebIdentity(
        role_output("ASIAW", "1", NOW + Duration::hours(1)),
    )))
    .unwrap();
    let e = effect(&mut m);
    assert_eq!(assume_role(&e).1, Some("ASIAW"));
}

#[test]
fn a_web_identity_profile_used_directly_is_cached_under_a_key_with_its_token() {
    let config =
        "[profile w]\nrole_arn = arn:aws:iam::1:role/W\nweb_identity_token_file = /var/run/token\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("w"), true));
    assert_eq!(
        effect(&mut m),
        Effect::ReadFile {
            path: "/var/run/token".into()
        }
    );
    m.handle_file(Ok("tok-1".into())).unwrap();
    let web_key = CacheKeyParams {
        role_arn: "arn:aws:iam::1:role/W".into(),
        web_identity_token: Some(Secret::new("tok-1")),
        ..Default::default()
    }
    .key()
    .unwrap();
    assert_ne!(web_key, key("arn:aws:iam::1:role/W"));
    assert_eq!(
        effect(&mut m),
        Effect::CacheGet {
            key: web_key.clone()
        }
    );
    // A fresh entry ends it without a call.
    let fresh = CacheEntry::from_output(&role_output("ASIAC", "1", NOW + Duration::hours(1)));
    m.handle_cache_entry(Some(fresh.to_json())).unwrap();
    let c = done(&mut m).unwrap();
    assert_eq!(c.access_key_id, "ASIAC");
    assert!(c.from_cache);

    // A stale one: the call is made and stored under the same key.
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("w"), true));
    effect(&mut m);
    m.handle_file(Ok("tok-1".into())).unwrap();
    effect(&mut m);
    let stale = CacheEntry::from_output(&role_output("OLD", "1", NOW + Duration::minutes(14)));
    m.handle_cache_entry(Some(stale.to_json())).unwrap();
    assert!(matches!(
        effect(&mut m),
        Effect::Sts {
            operation: Operation::AssumeRoleWithWebIdentity(_),
            ..
        }
    ));
    let out = role_output("ASIAN", "1", NOW + Duration::hours(1));
    m.handle_sts(Ok::<_, String>(Output::AssumeRoleWithWebIdentity(
        out.clone(),
    )))
    .unwrap();
    assert_eq!(
        effect(&mut m),
        Effect::CachePut {
            key: web_key,
            entry: CacheEntry::from_output(&out).to_json()
        }
    );
    m.handle_cache_stored(Ok(())).unwrap();
    assert_eq!(done(&mut m).unwrap().access_key_id, "ASIAN");

    // Without the cache: token, then the call.
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("w"), false));
    effect(&mut m);
    m.handle_file(Ok("tok-1".into())).unwrap();
    assert!(matches!(effect(&mut m), Effect::Sts { .. }));
}

#[test]
fn web_identity_from_the_environment_per_key_and_not_with_explicit_profile() {
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/env/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/env"),
        ("AWS_ROLE_SESSION_NAME", "envname"),
    ];
    let config = "[default]\nrole_session_name = ignored\n[profile p]\nregion = us-east-1\n";
    let mut m = Resolver::new(&snapshot(config, "", &env, None, false));
    assert_eq!(
        effect(&mut m),
        Effect::ReadFile {
            path: "/env/token".into()
        }
    );
    m.handle_file(Ok("jwt-token".into())).unwrap();
    match effect(&mut m) {
        Effect::Sts {
            operation: Operation::AssumeRoleWithWebIdentity(input),
            ..
        } => {
            assert_eq!(
                (input.role_arn.as_str(), input.role_session_name.as_str()),
                ("arn:aws:iam::123456789012:role/env", "envname")
            );
        }
        other => panic!("{other:?}"),
    }
    // With --profile the environment's web identity settings are ignored:
    // the profile has nothing, so the chain goes on to IMDS.
    let mut m = Resolver::new(&snapshot(config, "", &env, Some("p"), false));
    assert!(matches!(effect(&mut m), Effect::ImdsCredentials(_)));
    // A missing token file is an error naming the file.
    let mut m = Resolver::new(&snapshot(config, "", &env, None, false));
    effect(&mut m);
    m.handle_file(Err("No such file or directory (os error 2)".into()))
        .unwrap();
    assert!(done(&mut m).unwrap_err().to_string().contains("/env/token"));
}

#[test]
fn credential_sources() {
    let env = [
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
    ];
    let config = "[profile e]\nrole_arn = arn:aws:iam::123456789012:role/e\ncredential_source = Environment\n[profile c]\nrole_arn = arn:aws:iam::123456789012:role/c\ncredential_source = EcsContainer\n[profile i]\nrole_arn = arn:aws:iam::123456789012:role/i\ncredential_source = Ec2InstanceMetadata\n";
    // Environment: used even with --profile.
    let mut m = Resolver::new(&snapshot(config, "", &env, Some("e"), false));
    let e = effect(&mut m);
    assert_eq!(assume_role(&e).1, Some("ENVKEY"));
    // EcsContainer with a token file.
    let cenv = [
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/tok"),
    ];
    let mut m = Resolver::new(&snapshot(config, "", &cenv, Some("c"), false));
    assert_eq!(
        effect(&mut m),
        Effect::ReadFile {
            path: "/tok".into()
        }
    );
    m.handle_file(Ok(" abc".into())).unwrap();
    assert_eq!(
        effect(&mut m),
        Effect::ContainerCredentials {
            url: "http://127.0.0.1:9/creds".into(),
            authorization: Some(Secret::new(" abc"))
        }
    );
    m.handle_container(Ok(r#"{"AccessKeyId":"ECS","SecretAccessKey":"S","Token":"T","Expiration":"2026-11-27T20:00:00Z"}"#.into())).unwrap();
    let e = effect(&mut m);
    assert_eq!(assume_role(&e).1, Some("ECS"));
    // A token file with a line break is refused, as by the AWS CLI.
    let mut bad = Resolver::new(&snapshot(config, "", &cenv, Some("c"), false));
    effect(&mut bad);
    bad.handle_file(Ok("abc\n".into())).unwrap();
    assert_eq!(
        done(&mut bad).unwrap_err(),
        ResolveError::ContainerAuthToken {
            source_name: "/tok".into()
        }
    );
    // EcsContainer without container settings fails at once.
    let err = done(&mut Resolver::new(&snapshot(
        config,
        "",
        &[],
        Some("c"),
        false,
    )))
    .unwrap_err();
    assert!(
        err.to_string().contains(
            "No credentials found in credential_source EcsContainer referenced in profile \"c\""
        ),
        "{err}"
    );
    // Ec2InstanceMetadata.
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("i"), false));
    let Effect::ImdsCredentials(req) = effect(&mut m) else {
        panic!()
    };
    assert_eq!(
        (req.endpoint.as_str(), req.attempts),
        ("http://169.254.169.254/", 1)
    );
    m.handle_imds(Err("connection refused".into())).unwrap();
    let err = done(&mut m).unwrap_err();
    assert!(
        err.to_string().contains(
            "Ec2InstanceMetadata referenced in profile \"i\" (config:9:1): connection refused"
        ),
        "{err}"
    );
}

#[test]
fn default_chain_ends_with_container_then_imds() {
    let mut m = Resolver::new(&snapshot(
        "",
        "",
        &[
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tk"),
        ],
        None,
        false,
    ));
    assert_eq!(
        effect(&mut m),
        Effect::ContainerCredentials {
            url: "http://169.254.170.2/v2/x".into(),
            authorization: Some(Secret::new("tk"))
        }
    );
    let mut m = Resolver::new(&snapshot(
        "",
        "",
        &[("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3")],
        None,
        false,
    ));
    let Effect::ImdsCredentials(req) = effect(&mut m) else {
        panic!()
    };
    assert_eq!(req.attempts, 3);
    m.handle_imds(Err("timeout".into())).unwrap();
    assert_eq!(done(&mut m).unwrap_err(), ResolveError::NoCredentials);
    let mut m = Resolver::new(&snapshot(
        "",
        "",
        &[("AWS_EC2_METADATA_DISABLED", "TRUE")],
        None,
        false,
    ));
    assert_eq!(done(&mut m).unwrap_err(), ResolveError::NoCredentials);
    assert_eq!(m.effects_issued(), 0);
}

#[test]
fn credential_process_results() {
    let config = "[default]\ncredential_process = /bin/creds --json\naws_account_id = 777\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], None, false));
    assert_eq!(
        effect(&mut m),
        Effect::RunProcess {
            command: "/bin/creds --json".into(),
            profile: "default".into()
        }
    );
    m.handle_process(Ok(ProcessOutput { status: Some(0), stdout: r#"{"Version":1,"AccessKeyId":"P","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-27T19:00:00+00:00"}"#.into(), stderr: String::new() })).unwrap();
    let c = done(&mut m).unwrap();
    assert_eq!(
        (c.access_key_id.as_str(), c.account_id.as_deref()),
        ("P", Some("777"))
    );
    assert_eq!(
        c.source,
        CredentialSource::Process {
            profile: "default".into()
        }
    );
    let mut m = Resolver::new(&snapshot(config, "", &[], None, false));
    effect(&mut m);
    m.handle_process(Ok(ProcessOutput {
        status: Some(2),
        stdout: String::new(),
        stderr: "token expired".into(),
    }))
    .unwrap();
    let err = done(&mut m).unwrap_err();
    assert!(
        err.to_string().contains(
            "profile \"default\", config:2:1): the process ended with exit code 2: token expired"
        ),
        "{err}"
    );
}

#[test]
fn region_and_endpoint_of_sts_calls() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\nregion = ap-south-1\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\nregion = eu-north-1\n";
    let url = |env: &[(&str, &str)], region: Option<&str>| {
        let mut s: Snapshot = snapshot(config, "", env, Some("a"), false);
        s.options.region = region.map(str::to_owned);
        let mut m = Resolver::new(&s);
        match effect(&mut m) {
            Effect::Sts { endpoint, .. } => (endpoint.url, endpoint.signing_region),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(url(&[], None).0, "https://sts.ap-south-1.amazonaws.com");
    assert_eq!(
        url(&[("AWS_DEFAULT_REGION", "us-west-1")], None).0,
        "https://sts.us-west-1.amazonaws.com"
    );
    assert_eq!(
        url(
            &[
                ("AWS_DEFAULT_REGION", "us-west-1"),
                ("AWS_REGION", "us-east-2")
            ],
            None
        )
        .0,
        "https://sts.us-east-2.amazonaws.com"
    );
    assert_eq!(
        url(&[("AWS_REGION", "us-east-2")], Some("cn-north-1")).0,
        "https://sts.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        url(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")], None),
        ("http://127.0.0.1:5000".to_owned(), "ap-south-1".to_owned())
    );
    assert_eq!(
        url(
            &[
                ("AWS_ENDPOINT_URL", "http://g"),
                ("AWS_ENDPOINT_URL_STS", "http://s")
            ],
            None
        )
        .0,
        "http://s"
    );
    assert_eq!(
        url(
            &[
                ("AWS_ENDPOINT_URL", "http://g"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
            ],
            None
        )
        .0,
        "https://sts.ap-south-1.amazonaws.com"
    );
    let s = snapshot("[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n", "", &[], Some("a"), false);
    let mut m = Resolver::new(&s);
    match effect(&mut m) {
        Effect::Sts { endpoint, .. } => assert_eq!(
            (endpoint.url.as_str(), endpoint.signing_region.as_str()),
            ("https://sts.amazonaws.com", "us-east-1")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sts_errors_pass_through_verbatim() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), false));
    effect(&mut m);
    let text = "An error occurred (AccessDenied) when calling the AssumeRole operation: User is not authorized";
    m.handle_sts(Err(text)).unwrap();
    let err = done(&mut m).unwrap_err();
    assert_eq!(err.to_string(), text);
    assert!(
        matches!(err, ResolveError::Sts { operation: "AssumeRole", profile: Some(ref p), .. } if p == "B")
    );
}

#[test]
fn results_must_match_the_effect_asked_for() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    assert!(m.handle_cache_entry(None).is_err(), "nothing asked yet");
    effect(&mut m);
    assert!(m.handle_file(Ok(String::new())).is_err());
    m.handle_cache_entry(None).unwrap();
    assert!(m.handle_cache_entry(None).is_err(), "already answered");
    // Polling twice returns the same effect.
    let first = effect(&mut m);
    assert_eq!(effect(&mut m), first);
}

#[test]
fn nothing_secret_in_debug_output() {
    let mut m = Resolver::new(&snapshot(MFA, "", &[], Some("m"), true));
    effect(&mut m);
    m.handle_cache_entry(None).unwrap();
    effect(&mut m);
    m.handle_mfa_code(Ok(Secret::new("654321"))).unwrap();
    effect(&mut m);
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAM",
        "1",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    let put = effect(&mut m);
    let text = format!("{m:?} {put:?}");
    for secret in ["654321", "secret-of-ASIAM", "token-of-ASIAM"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
}

#[test]
fn generated_session_names_fit_sts_rules() {
    for t in [0i64, 1_700_000_000, 4_102_444_800] {
        let name = rolectl_resolver::generated_session_name(
            time::OffsetDateTime::from_unix_timestamp(t).unwrap(),
        );
        assert!((2..=64).contains(&name.len()));
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)),
            "{name}"
        );
        assert_eq!(name, format!("rolectl-{t}"));
    }
}

#[test]
fn pending_results_and_snapshots_hide_secrets() {
    let config =
        "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/w\nweb_identity_token_file = /t\n";
    let s = snapshot(
        config,
        "[x]\naws_access_key_id = K\naws_secret_access_key = FILESECRET\n",
        &[("AWS_SECRET_ACCESS_KEY", "ENVSECRET")],
        Some("w"),
        false,
    );
    assert!(!format!("{s:?}").contains("SECRET\""), "{s:?}");
    let text = format!("{s:?}");
    assert!(!text.contains("FILESECRET") && !text.contains("ENVSECRET"));
    let mut m = Resolver::new(&s);
    effect(&mut m);
    m.handle_file(Ok("JWT-TOKEN-VALUE".into())).unwrap();
    assert!(!format!("{m:?}").contains("JWT-TOKEN-VALUE"));
    let e = effect(&mut m);
    assert!(!format!("{e:?} {m:?}").contains("JWT-TOKEN-VALUE"));
    // With the cache on, the token waits in the machine for the lookup.
    let mut s = s;
    s.options.cache = true;
    let mut m = Resolver::new(&s);
    effect(&mut m);
    m.handle_file(Ok("JWT-TOKEN-VALUE".into())).unwrap();
    let e = effect(&mut m);
    assert!(matches!(e, Effect::CacheGet { .. }));
    assert!(!format!("{e:?} {m:?}").contains("JWT-TOKEN-VALUE"));
}

#[test]
fn explain_names_every_step_and_its_line() {
    let s = snapshot(CHAIN, "", &[], Some("A"), true);
    let text = rolectl_resolver::plan(&s).unwrap().to_string();
    let want = "profile \"A\"; STS calls go to https://sts.eu-west-1.amazonaws.com (region eu-west-1)\n  1. Static keys AKIDC of profile \"C\", from profile \"C\" (config:11:1)\n  2. AssumeRole arn:aws:iam::222222222222:role/B, a generated session name, from profile \"B\" (config:7:1)\n  3. AssumeRole arn:aws:iam::111111111111:role/A, a generated session name, from profile \"A\" (config:2:1)\n";
    assert_eq!(text, want);
    assert!(!text.contains("SECRETC"));
    // One wording of each step: explain's report says what the plan says.
    let lines = rolectl_resolver::plan(&s).unwrap().steps();
    let explained = rolectl_resolver::explain(&s).unwrap();
    assert_eq!(lines.len(), explained.steps().len());
    for (line, step) in lines.iter().zip(explained.steps()) {
        assert!(
            line.starts_with(&format!("{}, from ", step.description)),
            "{line:?} against {:?}",
            step.description
        );
    }
}

#[test]
fn errors_expose_their_location() {
    let s = snapshot(
        "[profile a]\nregion = x\nrole_arn = r\n",
        "",
        &[],
        Some("a"),
        false,
    );
    let err = done(&mut Resolver::new(&s)).unwrap_err();
    let loc = err.location().expect("a location");
    assert_eq!(
        (loc.file, loc.line),
        (rolectl_config_parser::FileKind::Config, 3)
    );
    assert_eq!(ResolveError::NoCredentials.location(), None);
}

#[test]
fn parameters_botocore_would_refuse_stop_before_the_call() {
    let base = "[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n";
    let run = |role: &str| {
        let config = format!(
            "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n{role}{base}"
        );
        let mut m = Resolver::new(&snapshot(&config, "", &[], Some("a"), false));
        m.poll(NOW)
    };
    let refused = |role: &str, parameter: &str, length: usize| match run(role) {
        Step::Done(Err(ResolveError::ParameterLength {
            parameter: p,
            length: l,
            profile,
            location,
            ..
        })) => {
            assert_eq!((p, l), (parameter, length), "{role}");
            assert_eq!(profile.as_deref(), Some("a"));
            // `role` is line 4 of the config file.
            assert_eq!(location.map(|l| l.line), Some(4), "{role}");
        }
        other => panic!("{role}: {other:?}"),
    };
    // An empty external_id is sent by botocore, whose validation refuses
    // it (at least 2 characters); an empty mfa_serial is refused before any
    // prompt.
    refused("external_id =\n", "ExternalId", 0);
    refused("mfa_serial =\n", "SerialNumber", 0);
    refused("role_session_name = x\n", "RoleSessionName", 1);
    refused(
        &format!("role_session_name = {}\n", "s".repeat(65)),
        "RoleSessionName",
        65,
    );
    // An empty session name is a generated one.
    match run("role_session_name =\n") {
        Step::Effect(e) => assert!(assume_role(&e).0.role_session_name.starts_with("rolectl-")),
        other => panic!("{other:?}"),
    }
    // duration_seconds is read as Python's int() reads it.
    match run("duration_seconds = 1_800\n") {
        Step::Effect(e) => assert_eq!(assume_role(&e).0.duration_seconds, Some(1800)),
        other => panic!("{other:?}"),
    }
    let err = match run("role_arn = arn:x\n") {
        Step::Done(Err(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err.to_string(),
        "The role_arn of profile \"a\" (config:4:1) is 5 characters long, but STS takes 20 to 2048 for RoleArn."
    );
}

#[test]
fn a_short_web_identity_token_is_refused_without_showing_it() {
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/w"),
    ];
    let mut m = Resolver::new(&snapshot("", "", &env, None, false));
    effect(&mut m);
    m.handle_file(Ok("abc".into())).unwrap();
    let err = done(&mut m).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The web identity token in /t from the environment is 3 characters long, but STS takes 4 to 20000 for WebIdentityToken."
    );
}

#[test]
fn console_login_profiles_read_their_session_file() {
    let config = "[profile l]\nlogin_session = arn:aws:iam::123456789012:user/alice\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("l"), false));
    // botocore's key: the SHA-256 of the session ARN.
    assert_eq!(
        effect(&mut m),
        Effect::LoginTokenGet {
            key: "b7d71d383b9557a9bad4c3346c50365819226484c6824a0fdef66637be339db0".into()
        }
    );
    m.handle_login_token(None).unwrap();
    let err = done(&mut m).unwrap_err();
    assert!(matches!(
        err,
        ResolveError::LoginTokenMissing { ref profile, .. } if profile == "l"
    ));
    // Keys in the credentials file come first, as in the AWS CLI.
    let c = done(&mut Resolver::new(&snapshot(
        config,
        "[l]\naws_access_key_id = K\naws_secret_access_key = S\n",
        &[],
        Some("l"),
        false,
    )))
    .unwrap();
    assert_eq!(c.access_key_id, "K");
}

#[test]
fn instance_metadata_settings_are_the_selected_profiles() {
    let config = "[profile top]\nrole_arn = arn:aws:iam::123456789012:role/top\nsource_profile = mid\nmetadata_service_timeout = 7\n[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/mid\ncredential_source = Ec2InstanceMetadata\nmetadata_service_timeout = 3\n";
    let mut m = Resolver::new(&snapshot(config, "", &[], Some("top"), false));
    match effect(&mut m) {
        Effect::ImdsCredentials(request) => assert_eq!(request.timeout_seconds, 7),
        other => panic!("{other:?}"),
    }
}

#[test]
fn container_variables_count_when_set_even_empty() {
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        ),
    ];
    let mut m = Resolver::new(&snapshot("", "", &env, None, false));
    match effect(&mut m) {
        Effect::ContainerCredentials { url, .. } => assert_eq!(url, "http://169.254.170.2"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_debug_text_shows_a_secret() {
    let config = "[profile m]\nrole_arn = arn:aws:iam::123456789012:role/m\nsource_profile = k\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n[profile k]\naws_access_key_id = AKID\naws_secret_access_key = SECRET-KEY-1\naws_session_token = SESSION-TOKEN-1\n";
    let s = snapshot(config, "", &[], Some("m"), false);
    let plan = rolectl_resolver::plan(&s).unwrap();
    let mut m = Resolver::new(&s);
    let mfa = effect(&mut m);
    m.handle_mfa_code(Ok(Secret::new("123456"))).unwrap();
    let call = effect(&mut m);
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAX",
        "123456789012",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    let result = done(&mut m).unwrap();
    let entry = CacheEntry::from_output(&role_output("ASIAX", "1", NOW));
    let text = format!("{plan:?} {mfa:?} {call:?} {m:?} {result:?} {entry:?}");
    for secret in [
        "SECRET-KEY-1",
        "SESSION-TOKEN-1",
        "123456\"",
        "secret-of-ASIAX",
        "token-of-ASIAX",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains("AKID") && text.contains("ASIAX"));
}

#[test]
fn expired_process_credentials_are_refused() {
    let mut m = Resolver::new(&snapshot(
        "[default]\ncredential_process = run-me\n",
        "",
        &[],
        None,
        false,
    ));
    effect(&mut m);
    m.handle_process(Ok(ProcessOutput {
        status: Some(0),
        stdout: r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "2026-11-27T17:59:59Z"}"#.into(),
        stderr: String::new(),
    }))
    .unwrap();
    match done(&mut m).unwrap_err() {
        ResolveError::Process { message, .. } => {
            assert_eq!(
                message,
                "the credentials it returned expired at 2026-11-27T17:59:59Z"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pending_and_is_done_follow_the_run() {
    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("A"), true));
    assert_eq!(m.pending(), None, "nothing asked yet");
    assert!(!m.is_done());
    let lookup = effect(&mut m);
    assert_eq!(m.pending(), Some(&lookup));
    assert_eq!(m.effects_issued(), 1);
    // Fed, but not yet taken: the effect stays pending until the next poll.
    m.handle_cache_entry(None).unwrap();
    assert_eq!(m.pending(), Some(&lookup));
    let next = effect(&mut m);
    assert_ne!(next, lookup);
    assert_eq!(m.pending(), Some(&next));
    assert_eq!(m.effects_issued(), 2);
    assert!(!m.is_done());

    let mut m = Resolver::new(&snapshot(CHAIN, "", &[], Some("nope"), true));
    assert!(!m.is_done(), "the end is found by polling");
    assert!(done(&mut m).is_err());
    assert!(m.is_done());
    assert_eq!(m.pending(), None);
    assert_eq!(m.effects_issued(), 0);
}

#[test]
fn a_fed_result_shows_in_debug_as_its_kind_and_outcome_only() {
    let mut m = Resolver::new(&snapshot(MFA, "", &[], Some("m"), true));
    effect(&mut m);
    m.handle_cache_entry(None).unwrap();
    effect(&mut m);
    m.handle_mfa_code(Ok(Secret::new("654321"))).unwrap();
    let text = format!("{m:?}");
    assert!(text.contains("input: Some(Mfa(ok))"), "{text}");
    assert!(!text.contains("654321"), "{text}");
    effect(&mut m);
    m.handle_sts(Err::<Output, _>("AccessDenied: not you"))
        .unwrap();
    let text = format!("{m:?}");
    assert!(text.contains("input: Some(Sts(failed))"), "{text}");
    assert!(!text.contains("not you"), "{text}");
}
