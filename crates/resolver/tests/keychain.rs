//! Keys kept in the OS keychain, the process cache and `mfa_process`,
//! scripted effect by effect: which profiles read the keychain, the
//! KeychainKeys effect and its answers, the MFA session keyed by the
//! keychain's key id, a cached credential_process, the MfaProcess effect.

mod support;

use rolectl_resolver::{
    mfa_session_key, plan, Base, Effect, ProcessOutput, ResolveError, Resolver, Snapshot, Step,
};
use rolectl_sigv4::Secret;
use support::{assume_role_output, snapshot, NOW};
use time::Duration;

const ROLE: &str = "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/app\nsource_profile = vault\n[profile vault]\nregion = us-east-1\n";

fn with_keychain(mut s: Snapshot) -> Snapshot {
    s.options
        .keychain
        .insert("vault".into(), "AKIDKEYCHAIN0000".into());
    s
}

fn effect(m: &mut Resolver) -> Effect {
    match m.poll(NOW) {
        Step::Effect(e) => e,
        Step::Done(r) => panic!("expected an effect, got {r:?}"),
    }
}

#[test]
fn a_source_profile_without_keys_in_the_files_takes_the_keychains() {
    let s = with_keychain(snapshot(ROLE, "", &[], Some("app"), false));
    let p = plan(&s).expect("plans");
    assert!(
        matches!(&p.base, Base::Keychain { origin, access_key_id, explicit: false }
            if origin.profile == "vault" && access_key_id == "AKIDKEYCHAIN0000"),
        "{:?}",
        p.base
    );
    // Without the keychain's index, the AWS CLI's error as before.
    let bare = snapshot(ROLE, "", &[], Some("app"), false);
    assert!(matches!(
        plan(&bare),
        Err(ResolveError::SourceProfileWithoutCredentials { .. })
    ));
    // Keys in the files win unless the profile says otherwise.
    let keys = "[vault]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n";
    let s = with_keychain(snapshot(ROLE, keys, &[], Some("app"), false));
    assert!(matches!(plan(&s).unwrap().base, Base::StaticKeys { .. }));
    let config = format!("{ROLE}rolectl_keychain = true\n");
    let s = with_keychain(snapshot(&config, keys, &[], Some("app"), false));
    assert!(matches!(
        plan(&s).unwrap().base,
        Base::Keychain { explicit: true, .. }
    ));
    // The profile key without keys in the keychain says how to add them.
    let s = snapshot(&config, keys, &[], Some("app"), false);
    let e = plan(&s).unwrap_err();
    assert!(matches!(e, ResolveError::KeychainEmpty { .. }));
    assert!(e.to_string().contains("rolectl keys add vault"), "{e}");
}

#[test]
fn the_keychain_effect_signs_the_role_with_its_keys() {
    let s = with_keychain(snapshot(ROLE, "", &[], Some("app"), false));
    let mut m = Resolver::new(&s);
    let e = effect(&mut m);
    assert_eq!(
        e,
        Effect::KeychainKeys {
            profile: "vault".into()
        }
    );
    m.handle_keychain(Ok(Some((
        "AKIDKEYCHAIN0000".into(),
        Secret::new("keychain-secret"),
    ))))
    .unwrap();
    let Effect::Sts { credentials, .. } = effect(&mut m) else {
        panic!("AssumeRole")
    };
    let credentials = credentials.expect("signed");
    assert_eq!(credentials.access_key_id, "AKIDKEYCHAIN0000");
    assert!(!format!("{:?}", m).contains("keychain-secret"));
}

#[test]
fn a_keychain_without_the_keys_or_unusable_is_an_error_naming_the_profile() {
    for (answer, want) in [
        (Ok(None), "rolectl keys add vault"),
        (
            Err("the keychain is locked".to_owned()),
            "could not be read from the OS keychain: the keychain is locked",
        ),
    ] {
        let s = with_keychain(snapshot(ROLE, "", &[], Some("app"), false));
        let mut m = Resolver::new(&s);
        effect(&mut m);
        m.handle_keychain(answer).unwrap();
        match m.poll(NOW) {
            Step::Done(Err(e)) => assert!(e.to_string().contains(want), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_mfa_session_of_keychain_keys_is_keyed_by_the_keychains_key_id() {
    // mfa_serial and the switch on the role's profile.
    let config = ROLE.replacen(
        "source_profile = vault\n",
        "source_profile = vault\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nrolectl_mfa_session = true\n",
        1,
    );
    let s = with_keychain(snapshot(&config, "", &[], Some("app"), true));
    let session = plan(&s).unwrap().mfa_session.expect("an MFA session");
    assert_eq!(session.access_key_id, "AKIDKEYCHAIN0000");
    assert_eq!(
        session.cache_key,
        mfa_session_key(
            "AKIDKEYCHAIN0000",
            "arn:aws:iam::111111111111:mfa/alice",
            43_200
        )
    );
}

const PROCESS: &str =
    "[profile p]\ncredential_process = saml-helper --idp corp\nrolectl_process_cache = true\n";

fn process_output(expiration: Option<&str>) -> ProcessOutput {
    let expiration = expiration
        .map(|e| format!(",\"Expiration\":\"{e}\""))
        .unwrap_or_default();
    ProcessOutput {
        status: Some(0),
        stdout: format!(
            "{{\"Version\":1,\"AccessKeyId\":\"ASIAPROC\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\"{expiration}}}"
        ),
        stderr: String::new(),
    }
}

#[test]
fn a_cached_process_is_looked_up_run_and_stored_only_with_an_expiration() {
    let key = rolectl_resolver::cache::process_cache_key("saml-helper --idp corp");
    assert!(key.starts_with("rolectl-process-"));
    let later = NOW + Duration::hours(1);
    let later = rolectl_resolver::cache::format_expiration(later);
    for (expiration, stored) in [(Some(later.as_str()), true), (None, false)] {
        let s = snapshot(PROCESS, "", &[], Some("p"), true);
        let mut m = Resolver::new(&s);
        assert_eq!(effect(&mut m), Effect::CacheGet { key: key.clone() });
        m.handle_cache_entry(None).unwrap();
        assert!(matches!(effect(&mut m), Effect::RunProcess { .. }));
        let output = process_output(expiration);
        m.handle_process(Ok(output.clone())).unwrap();
        match m.poll(NOW) {
            Step::Effect(Effect::CachePut { key: k, entry }) => {
                assert!(stored, "output without Expiration must not be stored");
                assert_eq!((k, entry), (key.clone(), output.stdout.clone()));
                m.handle_cache_stored(Ok(())).unwrap();
                assert!(matches!(m.poll(NOW), Step::Done(Ok(_))));
            }
            Step::Done(Ok(c)) => {
                assert!(!stored, "output with an Expiration must be stored");
                assert_eq!(c.access_key_id, "ASIAPROC");
            }
            other => panic!("{other:?}"),
        }
    }
    // A fresh entry is used without running the command.
    let s = snapshot(PROCESS, "", &[], Some("p"), true);
    let mut m = Resolver::new(&s);
    effect(&mut m);
    m.handle_cache_entry(Some(process_output(Some(&later)).stdout))
        .unwrap();
    match m.poll(NOW) {
        Step::Done(Ok(c)) => assert!(c.from_cache),
        other => panic!("{other:?}"),
    }
}

#[test]
fn mfa_process_replaces_the_prompt() {
    let config = "[profile r]\nrole_arn = arn:aws:iam::111111111111:role/r\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = otp show aws\n";
    let keys = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n";
    let s = snapshot(config, keys, &[], Some("r"), false);
    let mut m = Resolver::new(&s);
    assert_eq!(
        effect(&mut m),
        Effect::MfaProcess {
            command: "otp show aws".into(),
            serial: "arn:aws:iam::111111111111:mfa/alice".into(),
            profile: "r".into(),
        }
    );
    m.handle_mfa_code(Ok(Secret::new("123456"))).unwrap();
    let Effect::Sts { operation, .. } = effect(&mut m) else {
        panic!("AssumeRole")
    };
    assert!(format!("{operation:?}").contains("token_code"));
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIAROLE",
        "111111111111",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    assert!(matches!(m.poll(NOW), Step::Done(Ok(_))));
}
