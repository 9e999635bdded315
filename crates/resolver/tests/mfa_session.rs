//! rolectl's MFA session, scripted effect by effect: one GetSessionToken
//! with the long-term keys and one code, then each role of that serial
//! assumed with the session's credentials and no MFA parameters; the
//! session cached under a key of its own, renewed with less than 15
//! minutes left; roles without long-term keys below them fall back to
//! their own code with a warning; `explain` shows the step.

mod support;

use std::collections::BTreeMap;

use rolectl_resolver::{
    chain_cache_keys, explain, mfa_session_key, plan, CacheEntry, CacheKeyParams, Effect,
    FilePaths, ResolveError, Resolver, Snapshot, Step, Warning, MFA_SESSION_KEY_PREFIX,
};
use rolectl_sigv4::Secret;
use rolectl_sts_client::{Operation, Output, TemporaryCredentials};
use support::{assume_role_output, snapshot, NOW};
use time::{Duration, OffsetDateTime};

const SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice";

/// Three roles with the same serial over the long-term keys of `base`.
fn three_roles(extra: &str) -> String {
    let mut config = String::new();
    for n in 1..=3 {
        config.push_str(&format!(
            "[profile r{n}]\nrole_arn = arn:aws:iam::111111111111:role/r{n}\nsource_profile = base\nmfa_serial = {SERIAL}\n{extra}\n"
        ));
    }
    config
}

const BASE: &str = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SECRETBASE\n";

fn role_key(n: u32) -> String {
    CacheKeyParams {
        role_arn: format!("arn:aws:iam::111111111111:role/r{n}"),
        serial_number: Some(SERIAL.into()),
        ..Default::default()
    }
    .key()
    .unwrap()
}

fn session_key() -> String {
    mfa_session_key("AKIDBASE", SERIAL, 43_200)
}

fn effect(m: &mut Resolver) -> Effect {
    match m.poll(NOW) {
        Step::Effect(e) => e,
        Step::Done(r) => panic!("expected an effect, got {r:?}"),
    }
}

fn session_output(expiration: OffsetDateTime) -> Output {
    Output::GetSessionToken(TemporaryCredentials {
        access_key_id: "ASIASESSION".into(),
        secret_access_key: Secret::new("secret-of-session"),
        session_token: Secret::new("token-of-session"),
        expiration,
    })
}

fn session_entry(expiration: OffsetDateTime) -> String {
    rolectl_resolver::mfa_session_entry(
        &TemporaryCredentials {
            access_key_id: "ASIACACHED".into(),
            secret_access_key: Secret::new("secret-of-cached"),
            session_token: Secret::new("token-of-cached"),
            expiration,
        },
        SERIAL,
        "AKIDBASE",
        43_200,
    )
}

/// What a run asked for, answered as a working front end would, with a
/// cache shared between runs.
#[derive(Default)]
struct Host {
    cache: BTreeMap<String, String>,
    effects: Vec<Effect>,
}

impl Host {
    fn run(&mut self, s: &Snapshot) -> Result<rolectl_resolver::ResolvedCredentials, ResolveError> {
        let mut m = Resolver::new(s);
        self.run_machine(&mut m)
    }

    fn run_machine(
        &mut self,
        m: &mut Resolver,
    ) -> Result<rolectl_resolver::ResolvedCredentials, ResolveError> {
        loop {
            let e = match m.poll(NOW) {
                Step::Done(r) => return r,
                Step::Effect(e) => e,
            };
            self.effects.push(e.clone());
            match &e {
                Effect::CacheGet { key } => m.handle_cache_entry(self.cache.get(key).cloned()),
                Effect::CachePut { key, entry } => {
                    self.cache.insert(key.clone(), entry.clone());
                    m.handle_cache_stored(Ok(()))
                }
                Effect::MfaCode { .. } => m.handle_mfa_code(Ok(Secret::new("123456"))),
                Effect::Sts {
                    operation: Operation::GetSessionToken(_),
                    ..
                } => m.handle_sts(Ok::<_, String>(session_output(NOW + Duration::hours(12)))),
                Effect::Sts {
                    operation: Operation::AssumeRole(input),
                    ..
                } => {
                    let id = format!("ASIA-{}", input.role_arn.rsplit('/').next().unwrap());
                    m.handle_sts(Ok::<_, String>(assume_role_output(
                        &id,
                        "111111111111",
                        NOW + Duration::hours(1),
                    )))
                }
                other => panic!("not in these chains: {other:?}"),
            }
            .unwrap();
        }
    }

    fn count(&self, f: impl Fn(&Effect) -> bool) -> usize {
        self.effects.iter().filter(|e| f(e)).count()
    }
}

fn is_mfa(e: &Effect) -> bool {
    matches!(e, Effect::MfaCode { .. })
}

fn is_session_call(e: &Effect) -> bool {
    matches!(
        e,
        Effect::Sts {
            operation: Operation::GetSessionToken(_),
            ..
        }
    )
}

/// AssumeRole calls as (role ARN, signing key, SerialNumber, TokenCode).
fn assume_roles(effects: &[Effect]) -> Vec<(String, String, Option<String>, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Sts {
                operation: Operation::AssumeRole(input),
                credentials,
                ..
            } => Some((
                input.role_arn.clone(),
                credentials.as_ref().unwrap().access_key_id.clone(),
                input.serial_number.clone(),
                input.token_code.is_some(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn one_get_session_token_then_each_role_with_the_session_and_no_mfa_parameters() {
    let config = three_roles("rolectl_mfa_session = true");
    let s1 = snapshot(&config, BASE, &[], Some("r1"), true);
    let mut m = Resolver::new(&s1);

    // The role's own entry first, under the AWS CLI's key (SerialNumber in it).
    assert_eq!(effect(&mut m), Effect::CacheGet { key: role_key(1) });
    m.handle_cache_entry(None).unwrap();
    // Then the session's entry, under rolectl's own key.
    let key = session_key();
    assert!(key.starts_with(MFA_SESSION_KEY_PREFIX));
    assert_eq!(effect(&mut m), Effect::CacheGet { key: key.clone() });
    m.handle_cache_entry(None).unwrap();
    assert_eq!(
        effect(&mut m),
        Effect::MfaCode {
            serial: SERIAL.into(),
            profile: "r1".into()
        }
    );
    m.handle_mfa_code(Ok(Secret::new("654321"))).unwrap();
    let call = effect(&mut m);
    assert!(
        !format!("{call:?}").contains("654321") && !format!("{call:?}").contains("SECRETBASE"),
        "neither the code nor the secret shows in Debug: {call:?}"
    );
    match call {
        Effect::Sts {
            operation: Operation::GetSessionToken(input),
            credentials,
            profile,
            ..
        } => {
            assert_eq!(credentials.unwrap().access_key_id, "AKIDBASE");
            assert_eq!(input.serial_number.as_deref(), Some(SERIAL));
            assert_eq!(
                input.token_code.as_ref().map(Secret::expose),
                Some("654321")
            );
            assert_eq!(input.duration_seconds, Some(43_200));
            assert_eq!(profile.as_deref(), Some("r1"));
        }
        other => panic!("expected GetSessionToken, got {other:?}"),
    }
    m.handle_sts(Ok::<_, String>(session_output(NOW + Duration::hours(12))))
        .unwrap();
    let stored = match effect(&mut m) {
        Effect::CachePut { key: k, entry } => {
            assert_eq!(k, key);
            entry
        }
        other => panic!("expected the session's CachePut, got {other:?}"),
    };
    let parsed = CacheEntry::parse(&stored).unwrap();
    assert_eq!(parsed.access_key_id, "ASIASESSION");
    assert!(!stored.contains("SECRETBASE"), "never the long-term secret");
    assert!(stored.contains("\"AccessKeyId\":\"AKIDBASE\""));
    m.handle_cache_stored(Ok(())).unwrap();
    match effect(&mut m) {
        Effect::Sts {
            operation: Operation::AssumeRole(input),
            credentials,
            ..
        } => {
            let c = credentials.unwrap();
            assert_eq!(c.access_key_id, "ASIASESSION");
            assert_eq!(
                c.session_token.as_ref().map(Secret::expose),
                Some("token-of-session")
            );
            assert_eq!(input.serial_number, None);
            assert!(input.token_code.is_none());
        }
        other => panic!("expected AssumeRole, got {other:?}"),
    }
    m.handle_sts(Ok::<_, String>(assume_role_output(
        "ASIA-r1",
        "111111111111",
        NOW + Duration::hours(1),
    )))
    .unwrap();
    assert_eq!(
        effect(&mut m),
        Effect::CachePut {
            key: role_key(1),
            entry: match m.pending() {
                Some(Effect::CachePut { entry, .. }) => entry.clone(),
                _ => unreachable!(),
            }
        }
    );
    m.handle_cache_stored(Ok(())).unwrap();
    let c = match m.poll(NOW) {
        Step::Done(r) => r.unwrap(),
        Step::Effect(e) => panic!("{e:?}"),
    };
    assert_eq!(c.access_key_id, "ASIA-r1");
    assert!(m.warnings().is_empty());

    // The two other roles: the session's entry serves them, no code asked.
    let mut host = Host::default();
    host.cache.insert(key.clone(), stored);
    for n in [2, 3] {
        let s = snapshot(&config, BASE, &[], Some(&format!("r{n}")), true);
        assert_eq!(host.run(&s).unwrap().access_key_id, format!("ASIA-r{n}"));
    }
    assert_eq!(host.count(is_mfa), 0);
    assert_eq!(host.count(is_session_call), 0);
    assert_eq!(
        assume_roles(&host.effects),
        [2, 3]
            .map(|n| (
                format!("arn:aws:iam::111111111111:role/r{n}"),
                "ASIASESSION".to_owned(),
                None,
                false
            ))
            .to_vec()
    );
}

#[test]
fn three_roles_one_code_with_the_flag_or_the_environment() {
    let config = three_roles("");
    for (env, flag) in [
        (&[("ROLECTL_MFA_SESSION", "1")][..], false),
        (&[][..], true),
    ] {
        let mut host = Host::default();
        for n in 1..=3 {
            let mut s = snapshot(&config, BASE, env, Some(&format!("r{n}")), true);
            s.options.mfa_session = flag;
            host.run(&s).unwrap();
        }
        assert_eq!(host.count(is_mfa), 1);
        assert_eq!(host.count(is_session_call), 1);
        let calls = assume_roles(&host.effects);
        assert_eq!(calls.len(), 3);
        assert!(calls
            .iter()
            .all(|(_, signer, serial, code)| signer == "ASIASESSION" && serial.is_none() && !code));
        // Each role's entry went under the AWS CLI's key: a second round asks
        // for nothing but the entries.
        let before = host.effects.len();
        for n in 1..=3 {
            let s = snapshot(&config, BASE, env, Some(&format!("r{n}")), true);
            host.run(&s).unwrap();
        }
        assert!(host.effects[before..]
            .iter()
            .all(|e| matches!(e, Effect::CacheGet { .. })));
    }
}

#[test]
fn off_by_default_each_role_asks_its_own_code_as_the_aws_cli_does() {
    let config = three_roles("");
    let mut host = Host::default();
    for n in 1..=3 {
        let s = snapshot(
            &config,
            BASE,
            &[("ROLECTL_MFA_SESSION", "0")],
            Some(&format!("r{n}")),
            true,
        );
        host.run(&s).unwrap();
    }
    assert_eq!(host.count(is_mfa), 3);
    assert_eq!(host.count(is_session_call), 0);
    // A role's `false` wins over the source profile's `true`.
    let base = format!("{BASE}rolectl_mfa_session = true\n");
    let config = three_roles("rolectl_mfa_session = false");
    let s = snapshot(&config, &base, &[], Some("r1"), true);
    assert!(plan(&s).unwrap().mfa_session.is_none());
    // On the source profile alone, it serves every role sourced from it.
    let s = snapshot(&three_roles(""), &base, &[], Some("r2"), true);
    assert_eq!(
        plan(&s).unwrap().mfa_session.unwrap().cache_key,
        session_key()
    );
}

#[test]
fn a_cached_session_is_reused_and_one_with_less_than_15_minutes_is_renewed() {
    let config = three_roles("rolectl_mfa_session = true\nrolectl_mfa_session_duration = 3600");
    let key = mfa_session_key("AKIDBASE", SERIAL, 3600);
    let s = snapshot(&config, BASE, &[], Some("r1"), true);

    // 15 minutes left: still used.
    let mut host = Host::default();
    host.cache
        .insert(key.clone(), session_entry(NOW + Duration::minutes(15)));
    host.run(&s).unwrap();
    assert_eq!(host.count(is_mfa), 0);
    assert_eq!(assume_roles(&host.effects)[0].1, "ASIACACHED");

    // 14 minutes 59 seconds left: renewed with one code, and stored again.
    for left in [Duration::seconds(899), Duration::minutes(-5)] {
        let mut host = Host::default();
        host.cache.insert(key.clone(), session_entry(NOW + left));
        host.run(&s).unwrap();
        assert_eq!(host.count(is_mfa), 1);
        let calls: Vec<&Effect> = host.effects.iter().filter(|e| is_session_call(e)).collect();
        match calls[..] {
            [Effect::Sts {
                operation: Operation::GetSessionToken(input),
                ..
            }] => assert_eq!(input.duration_seconds, Some(3600)),
            _ => panic!("one GetSessionToken: {calls:?}"),
        }
        assert_eq!(assume_roles(&host.effects)[0].1, "ASIASESSION");
        let renewed = CacheEntry::parse(&host.cache[&key]).unwrap();
        assert_eq!(renewed.access_key_id, "ASIASESSION");
    }

    // A corrupt entry is a miss with a warning.
    let mut host = Host::default();
    host.cache.insert(key.clone(), "{".into());
    let mut m = Resolver::new(&s);
    host.run_machine(&mut m).unwrap();
    assert_eq!(host.count(is_mfa), 1);
    assert!(matches!(m.warnings(), [Warning::CorruptCacheEntry { key: k, .. }] if *k == key));
}

#[test]
fn without_the_cache_the_session_is_neither_looked_up_nor_stored() {
    let config = three_roles("rolectl_mfa_session = true");
    let mut host = Host::default();
    host.run(&snapshot(&config, BASE, &[], Some("r1"), false))
        .unwrap();
    let kinds: Vec<&str> = host
        .effects
        .iter()
        .map(|e| match e {
            Effect::MfaCode { .. } => "mfa",
            Effect::Sts {
                operation: Operation::GetSessionToken(_),
                ..
            } => "session",
            Effect::Sts { .. } => "assume",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["mfa", "session", "assume"]);
}

#[test]
fn environment_keys_are_long_term_keys_too() {
    let config = format!(
        "[profile e]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\nmfa_serial = {SERIAL}\nrolectl_mfa_session = true\n"
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
    ];
    let mut host = Host::default();
    host.run(&snapshot(&config, "", &env, Some("e"), true))
        .unwrap();
    let calls: Vec<_> = host
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Sts {
                operation: Operation::GetSessionToken(_),
                credentials,
                ..
            } => credentials.as_ref().map(|c| c.access_key_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(calls, ["AKIDENV"]);
    assert!(host
        .cache
        .contains_key(&mfa_session_key("AKIDENV", SERIAL, 43_200)));
}

#[test]
fn a_source_without_long_term_keys_falls_back_to_the_roles_own_code_with_a_warning() {
    let token_file = std::env::temp_dir().join("rolectl-mfa-session-test-token");
    let cases = [
        // Role chaining: the MFA role's source is itself a role.
        (
            format!("[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = mid\nmfa_serial = {SERIAL}\n[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\nsource_profile = base\n"),
            BASE.to_owned(),
            "its source is the role of profile \"mid\" (role chaining), not long-term keys",
        ),
        // A web identity source.
        (
            format!("[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = web\nmfa_serial = {SERIAL}\n[profile web]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = {}\n", token_file.display()),
            String::new(),
            "its source is a web identity role, not long-term keys",
        ),
        // Temporary keys: GetSessionToken refuses them.
        (
            format!("[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = base\nmfa_serial = {SERIAL}\n"),
            format!("{BASE}aws_session_token = T\n"),
            "the keys of profile \"base\" have a session token, and temporary credentials cannot call GetSessionToken",
        ),
    ];
    for (config, credentials, reason) in cases {
        let s = snapshot(
            &config,
            &credentials,
            &[("ROLECTL_MFA_SESSION", "true")],
            Some("top"),
            true,
        );
        let p = plan(&s).unwrap();
        assert!(p.mfa_session.is_none());
        assert_eq!(p.mfa_session_fallbacks.len(), 1);
        let mut m = Resolver::new(&s);
        let mut asked = Vec::new();
        loop {
            let e = match m.poll(NOW) {
                Step::Done(r) => {
                    r.unwrap();
                    break;
                }
                Step::Effect(e) => e,
            };
            match &e {
                Effect::CacheGet { .. } => m.handle_cache_entry(None),
                Effect::CachePut { .. } => m.handle_cache_stored(Ok(())),
                Effect::ReadFile { .. } => m.handle_file(Ok("a.b.c".into())),
                Effect::MfaCode { .. } => m.handle_mfa_code(Ok(Secret::new("123456"))),
                Effect::Sts { operation, .. } => {
                    asked.push(operation.clone());
                    m.handle_sts(Ok::<_, String>(match operation {
                        Operation::AssumeRoleWithWebIdentity(_) => {
                            Output::AssumeRoleWithWebIdentity(support::role_output(
                                "ASIAWEB",
                                "1",
                                NOW + Duration::hours(1),
                            ))
                        }
                        _ => assume_role_output("ASIAROLE", "1", NOW + Duration::hours(1)),
                    }))
                }
                other => panic!("{other:?}"),
            }
            .unwrap();
        }
        assert!(asked
            .iter()
            .all(|o| !matches!(o, Operation::GetSessionToken(_))));
        // The MFA role is assumed as the AWS CLI assumes it: with its code.
        match asked.last() {
            Some(Operation::AssumeRole(input)) => {
                assert_eq!(input.role_arn, "arn:aws:iam::1:role/top");
                assert_eq!(input.serial_number.as_deref(), Some(SERIAL));
                assert!(input.token_code.is_some());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            m.warnings(),
            [Warning::MfaSessionUnavailable {
                profile: "top".into(),
                reason: reason.into()
            }]
        );
        assert_eq!(
            m.warnings()[0].to_string(),
            format!("No MFA session for profile \"top\": {reason}, so its MFA code is asked for this role alone.")
        );
    }
}

#[test]
fn invalid_settings_stop_before_any_effect_and_name_the_line() {
    for (extra, key, line) in [
        ("rolectl_mfa_session = yes", "rolectl_mfa_session", 5),
        (
            "rolectl_mfa_session = true\nrolectl_mfa_session_duration = 600",
            "rolectl_mfa_session_duration",
            6,
        ),
    ] {
        let s = snapshot(&three_roles(extra), BASE, &[], Some("r1"), true);
        let mut m = Resolver::new(&s);
        match m.poll(NOW) {
            Step::Done(Err(ResolveError::InvalidMfaSessionSetting {
                key: k,
                profile,
                location,
                ..
            })) => {
                assert_eq!(k, key);
                assert_eq!(profile, "r1");
                assert_eq!(location.line, line);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_session_key_names_keys_serial_and_duration_never_the_secret() {
    let k = session_key();
    assert_eq!(k.len(), MFA_SESSION_KEY_PREFIX.len() + 40);
    assert_ne!(k, mfa_session_key("AKIDOTHER", SERIAL, 43_200));
    assert_ne!(
        k,
        mfa_session_key("AKIDBASE", "arn:aws:iam::1:mfa/bob", 43_200)
    );
    assert_ne!(k, mfa_session_key("AKIDBASE", SERIAL, 3600));
    // Not a 40-hex-digit name: the AWS CLI can never compute it.
    assert!(!k.bytes().all(|b| b.is_ascii_hexdigit()));
    // `cache clear --profile` removes it with the role's entry.
    let s = snapshot(
        &three_roles("rolectl_mfa_session = true"),
        BASE,
        &[],
        Some("r2"),
        true,
    );
    assert_eq!(chain_cache_keys(&plan(&s).unwrap()), [role_key(2), k]);
}

#[test]
fn explain_shows_the_get_session_token_step_and_whether_the_cache_serves_it() {
    let config = three_roles("rolectl_mfa_session = true");
    let s = snapshot(&config, BASE, &[], Some("r1"), true);
    let paths = FilePaths {
        config: "/c".into(),
        credentials: "/k".into(),
    };
    let mut e = explain(&s).unwrap();
    assert_eq!(e.cache_keys(), [role_key(1), session_key()]);
    let kinds: Vec<&str> = e.steps().iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["static-keys", "mfa-session", "assume-role"]);
    let text = e.text(&paths);
    assert!(
        text.contains(&format!(
            "  2. GetSessionToken with keys AKIDBASE and MFA device {SERIAL}, 43200 seconds (rolectl MFA session)\n     at /c:5:1 (profile \"r1\")\n     decided by rolectl_mfa_session (/c:5:1)\n     MFA: a code for {SERIAL} is asked unless the cache serves this step\n     cache {}: not looked up\n",
            session_key()
        )),
        "{text}"
    );
    // The role step asks nothing itself.
    assert_eq!(e.steps()[2].mfa_serial, None);
    assert!(text.contains(
        "Assumed with the MFA session's credentials (step 2), without SerialNumber and TokenCode"
    ));

    // A fresh session: no code, and the keys' step is not used.
    e.set_cache_entry(
        &session_key(),
        Some(&session_entry(NOW + Duration::hours(2))),
        NOW,
    );
    e.set_cache_entry(&role_key(1), None, NOW);
    let text = e.text(&paths);
    assert!(text.contains(&format!("     MFA: not asked for {SERIAL}: the cache serves this step\n     cache {}: fresh, 2 h left", session_key())), "{text}");
    assert_eq!(e.served_from_cache(), Some(1));
    let json = e.to_json(&paths);
    assert_eq!(json["steps"][1]["kind"], "mfa-session");
    assert_eq!(json["steps"][1]["cache"]["status"], "fresh");
    assert_eq!(json["steps"][0]["skipped"], true);

    // Expiring: renewed, with one code.
    e.set_cache_entry(
        &session_key(),
        Some(&session_entry(NOW + Duration::minutes(10))),
        NOW,
    );
    let text = e.text(&paths);
    assert!(text.contains("expiring, 10 min left"), "{text}");
    assert!(text.contains(&format!(
        "MFA: a code for {SERIAL} is asked on the terminal"
    )));

    // A fallback is a note on the role.
    let chained = format!("[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = r1\nmfa_serial = {SERIAL}\n{config}");
    let s = snapshot(
        &chained,
        BASE,
        &[("ROLECTL_MFA_SESSION", "1")],
        Some("top"),
        true,
    );
    let text = explain(&s).unwrap().text(&paths);
    assert!(text.contains("note: ROLECTL_MFA_SESSION asks for an MFA session, but its source is the role of profile \"r1\" (role chaining), not long-term keys: the code is asked for this role alone"), "{text}");
    // ... while r1 below it uses the session.
    assert!(
        text.contains("GetSessionToken with keys AKIDBASE"),
        "{text}"
    );
}
