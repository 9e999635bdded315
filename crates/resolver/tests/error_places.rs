//! Every resolution error names the profile and the place of its cause:
//! `file:line:column` for a value from a file, the variable for a value
//! from the environment, the path for a token file. And a value that stops
//! a resolution still lets `explain` show the chain, with the problem as a
//! note on its step.

mod support;

use rolectl_resolver::{explain, plan, ResolveError, Resolver, Step};
use support::{snapshot, NOW};

const KEYS: &str = "[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n";

fn error_of(config: &str, credentials: &str, env: &[(&str, &str)], profile: &str) -> String {
    let mut m = Resolver::new(&snapshot(config, credentials, env, Some(profile), false));
    match m.poll(NOW) {
        Step::Done(Err(e)) => {
            assert_eq!(m.effects_issued(), 0, "{e}: no effect before the error");
            e.to_string()
        }
        other => panic!("expected an error before any effect, got {other:?}"),
    }
}

#[test]
fn a_control_character_in_a_role_setting_stops_before_the_call_with_its_line() {
    for (setting, parameter) in [
        (
            "role_arn = arn:aws:iam::123456789012:role/a\u{0}b",
            "RoleArn",
        ),
        ("external_id = ab\u{1}c", "ExternalId"),
        ("role_session_name = a\u{7f}b", "RoleSessionName"),
    ] {
        let config = format!(
            "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = base\n{setting}\n"
        );
        let text = error_of(&config, KEYS, &[], "a");
        assert!(text.contains("profile \"a\" (config:4:1)"), "{text}");
        assert!(text.contains(parameter), "{text}");
        assert!(text.contains("U+00"), "{text}");
    }
}

#[test]
fn a_short_role_arn_names_its_line() {
    let config = "[profile a]\nregion = us-east-1\nrole_arn = arn:x\nsource_profile = base\n";
    let mut m = Resolver::new(&snapshot(config, KEYS, &[], Some("a"), false));
    let err = match m.poll(NOW) {
        Step::Done(Err(e)) => e,
        other => panic!("{other:?}"),
    };
    assert!(err.to_string().contains("(config:3:1)"), "{err}");
    assert_eq!(err.location().map(|l| l.line), Some(3));
}

#[test]
fn an_empty_web_identity_token_file_is_named() {
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/w"),
    ];
    let mut m = Resolver::new(&snapshot("", "", &env, None, false));
    assert!(matches!(m.poll(NOW), Step::Effect(_)));
    m.handle_file(Ok(String::new())).unwrap();
    match m.poll(NOW) {
        Step::Done(Err(e)) => assert!(e.to_string().contains("/var/run/token"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn partial_environment_keys_of_a_credential_source_name_the_profile() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\ncredential_source = Environment\n";
    let text = error_of(config, "", &[("AWS_ACCESS_KEY_ID", "AKID")], "a");
    assert!(text.contains("AWS_SECRET_ACCESS_KEY"), "{text}");
    assert!(text.contains("profile \"a\" at config:3:1"), "{text}");
}

#[test]
fn a_refused_container_url_names_its_variable() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\ncredential_source = EcsContainer\n";
    let env = [(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://example.com/creds",
    )];
    let text = error_of(config, "", &env, "a");
    assert!(
        text.contains("http://example.com/creds in AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        "{text}"
    );
}

#[test]
fn a_profile_without_credentials_is_named() {
    let env = [("AWS_EC2_METADATA_DISABLED", "true")];
    let text = error_of("[profile a]\nregion = us-east-1\n", "", &env, "a");
    assert!(text.starts_with("Unable to locate credentials"), "{text}");
    assert!(text.contains("profile \"a\" (config:1:1)"), "{text}");
}

#[test]
fn explain_shows_a_chain_whose_duration_is_out_of_range() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = base\nduration_seconds = 43210\n";
    let s = snapshot(config, KEYS, &[], Some("a"), false);
    // A resolution stops before any call...
    match plan(&s) {
        Err(ResolveError::InvalidDurationSeconds { location, .. }) => {
            assert_eq!(location.line, 4)
        }
        other => panic!("{other:?}"),
    }
    let text = error_of(config, KEYS, &[], "a");
    assert!(text.contains("43210"), "{text}");
    // ...while explain shows both steps, the problem as a note on the role.
    let explained = explain(&s).expect("explain shows the chain");
    let steps = explained.steps();
    assert_eq!(steps.len(), 2);
    assert!(
        steps[1]
            .notes
            .iter()
            .any(|n| n.contains("43210") && n.contains("before any STS call")),
        "{:?}",
        steps[1].notes
    );
}
