//! `lint`: each code with its severity and place, the order of findings,
//! the text and JSON forms, and what happens when a file cannot be read.

use rolectl_config_parser::{FileKind, Location, Severity};
use rolectl_resolver::lint::{has_errors, lint, lint_bytes, Finding, CODES};
use rolectl_resolver::FilePaths;

const ARN: &str = "arn:aws:iam::123456789012:role/r";
const KEYS: &str = "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n";

/// The one finding with `code`, checked for its severity and place.
#[track_caller]
fn one(
    config: &str,
    credentials: &str,
    code: &str,
    severity: Severity,
    at: (FileKind, u32, u32),
) -> Finding {
    let findings = lint(Some(config), Some(credentials));
    let with: Vec<&Finding> = findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(with.len(), 1, "{code} in {findings:#?}");
    let f = with[0].clone();
    assert_eq!(f.severity, severity, "{f:?}");
    let want = Location {
        file: at.0,
        line: at.1,
        column: at.2,
    };
    assert_eq!(f.location, want, "{f:?}");
    assert!(
        CODES.contains(&(code, severity)),
        "{code} is not listed in CODES with {severity}"
    );
    assert!(
        f.message.ends_with(['.', '?']),
        "not a sentence: {}",
        f.message
    );
    f
}

use FileKind::{Config as C, Credentials as K};
use Severity::{Error as E, Warning as W};

fn codes(config: &str, credentials: &str) -> Vec<&'static str> {
    lint(Some(config), Some(credentials))
        .iter()
        .map(|f| f.code)
        .collect()
}

#[test]
fn a_clean_pair_of_files_has_no_findings() {
    let config = format!(
        "[default]\nregion = eu-west-1\noutput = json\ncli_pager =\n[profile dev]\nrole_arn = {ARN}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nduration_seconds = 3600\nexternal_id = ext-123\nrole_session_name = me@example.com\ns3 =\n  max_concurrent_requests = 20\n[profile ci]\nrole_arn = {ARN}\ncredential_source = Ec2InstanceMetadata\n[profile web]\nrole_arn = {ARN}\nweb_identity_token_file = /t\n[profile proc]\ncredential_process = /bin/creds\n[profile self]\nrole_arn = {ARN}\nsource_profile = self\n{KEYS}rolectl_mfa_session = TRUE\nrolectl_mfa_session_duration = 129600\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    );
    let findings = lint(Some(&config), Some(&format!("[base]\n{KEYS}")));
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(!has_errors(&findings));
}

#[test]
fn syntax_errors_are_findings_at_the_parse_errors_place() {
    let f = one("[default]\n[profile a\n", "", "syntax", E, (C, 2, 1));
    assert_eq!(f.profile, None);
    one("", "[a]\nx\n", "syntax", E, (K, 2, 1));
}

#[test]
fn bytes_that_are_not_utf8_are_a_syntax_error() {
    let findings = lint_bytes(Some(b"[default]\nregion = \xffx\n"), None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].code, "syntax");
    assert_eq!(findings[0].severity, E);
    assert_eq!(
        findings[0].location,
        Location {
            file: C,
            line: 2,
            column: 10
        }
    );
    assert!(findings[0].message.contains("not valid UTF-8"));
    // Valid bytes lint as text does.
    let text = format!("[profile a]\nrole_arn = {ARN}\n");
    assert_eq!(
        lint_bytes(Some(text.as_bytes()), None),
        lint(Some(&text), None)
    );
}

#[test]
fn with_one_file_unreadable_the_other_is_checked_on_its_own() {
    // The source profile and the secret key may be in the unreadable file:
    // no finding that needs them.
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\nsource_profile = base\nduration_seconds = 5\nregoin = x\n[profile b]\naws_access_key_id = A\n[profile c]\nrole_arn = {ARN}\n"
    );
    let got = codes(&config, "[base]\naws_access_key_id\n");
    assert_eq!(
        got,
        ["invalid-duration-seconds", "unknown-key", "syntax"],
        "{:#?}",
        lint(Some(&config), Some("[base]\naws_access_key_id\n"))
    );
}

#[test]
fn the_parsers_warnings_keep_their_codes_and_places() {
    for (config, credentials, code, at) in [
        (
            "[default]\nregion = us-west-2 # x\n",
            "",
            "inline-comment",
            (C, 2, 20),
        ),
        (
            "[profile a]\nregion=x\n[profile a]\nregion=y\n",
            "",
            "duplicate-section",
            (C, 3, 1),
        ),
        (
            "[default]\nregion = a\nregion = b\n",
            "",
            "duplicate-key",
            (C, 3, 1),
        ),
        (
            "[default]\nregion=a\n[profile default]\nregion=b\n",
            "",
            "default-profile-conflict",
            (C, 3, 1),
        ),
        (
            "\u{feff}[default]\nregion=a\n",
            "",
            "byte-order-mark",
            (C, 1, 1),
        ),
        ("[DEFAULT]\nregion=x\n", "", "default-section", (C, 1, 1)),
        (
            "[profile a]\nregion = 1\n  # note\n  2\n",
            "",
            "indented-comment",
            (C, 3, 3),
        ),
        (
            "[default]\nregion = a\n  b\n\n  c\n",
            "",
            "blank-line-in-value",
            (C, 4, 1),
        ),
        (
            "[ profile foo ]\nregion=x\n",
            "",
            "padded-section-header",
            (C, 1, 1),
        ),
        ("[default]\na:b = c\n", "", "colon-in-key", (C, 2, 1)),
        ("[foo]\nregion=x\n", "", "missing-profile-prefix", (C, 1, 1)),
        (
            "",
            "[profile foo]\nregion=a\n",
            "profile-prefix-in-credentials",
            (K, 1, 1),
        ),
        (
            "",
            "[sso-session foo]\nsso_region=x\n",
            "section-in-credentials",
            (K, 1, 1),
        ),
        (
            "[sso-sesion foo]\nsso_region=x\n",
            "",
            "unknown-section-type",
            (C, 1, 1),
        ),
        (
            "[profile a b]\nregion=x\n",
            "",
            "invalid-section-name",
            (C, 1, 1),
        ),
        ("[default]\na$b = c\n", "", "invalid-key", (C, 2, 1)),
        ("[default]\n  region = x\n", "", "indented-line", (C, 2, 3)),
        (
            "[profile a]\nregion=x\n[profile  a]\nregion=y\n",
            "",
            "repeated-section-name",
            (C, 3, 1),
        ),
    ] {
        // The AWS CLI will not start with these files: errors.
        let refused = ["duplicate-section", "duplicate-key", "byte-order-mark"];
        let severity = if refused.contains(&code) { E } else { W };
        one(config, credentials, code, severity, at);
    }
}

#[test]
fn source_profile_cycle() {
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\nsource_profile = b\n[profile b]\nrole_arn = {ARN}\nsource_profile = c\n[profile c]\nrole_arn = {ARN}\nsource_profile = a\n[profile d]\nrole_arn = {ARN}\nsource_profile = a\n"
    );
    // One finding for the loop, none for d, which only leads into it.
    let f = one(&config, "", "source-profile-cycle", E, (C, 3, 1));
    assert_eq!(
        f.message,
        "The profiles form a loop through source_profile: a -> b -> c -> a."
    );
    assert_eq!(f.profile.as_deref(), Some("a"));
    // Reported at the earliest source_profile line of the loop, from there.
    let config = format!(
        "[profile z]\nrole_arn = {ARN}\nsource_profile = y\n[profile y]\nrole_arn = {ARN}\nsource_profile = z\n"
    );
    let f = one(&config, "", "source-profile-cycle", E, (C, 3, 1));
    assert!(f.message.ends_with("z -> y -> z."), "{}", f.message);
    // A profile naming itself without keys.
    let f = one(
        &format!("[profile s]\nrole_arn = {ARN}\nsource_profile = s\n"),
        "",
        "source-profile-cycle",
        E,
        (C, 3, 1),
    );
    assert!(f.message.ends_with("s -> s."));
}

#[test]
fn a_role_profile_with_keys_loops_when_its_own_chain_comes_back() {
    // As a source, b ends chains with its keys; selected, b assumes its
    // role through a, which leads back to b: the AWS CLI's loop.
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\nsource_profile = b\n[profile b]\nrole_arn = {ARN}\nsource_profile = a\n{KEYS}"
    );
    let f = one(&config, "", "source-profile-cycle", E, (C, 3, 1));
    assert!(f.message.ends_with("a -> b -> a."), "{}", f.message);
    // Naming itself with keys is no loop.
    let config = format!("[profile b]\nrole_arn = {ARN}\nsource_profile = b\n{KEYS}");
    assert!(lint(Some(&config), None).is_empty());
}

#[test]
fn source_profile_not_found() {
    let config = format!("[profile a]\nrole_arn = {ARN}\nsource_profile = bsae\n");
    let f = one(
        &config,
        "[base]\n",
        "source-profile-not-found",
        E,
        (C, 3, 1),
    );
    assert_eq!(
        f.message,
        "The source_profile \"bsae\" referenced in the profile \"a\" does not exist. Did you mean \"base\"?"
    );
}

#[test]
fn source_without_credentials() {
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\nsource_profile = b\n[profile b]\nregion = eu-west-1\n"
    );
    let f = one(&config, "", "source-without-credentials", E, (C, 3, 1));
    assert!(f.message.contains("\"b\""), "{}", f.message);
    assert_eq!(f.profile.as_deref(), Some("a"));
}

#[test]
fn source_and_credential_source() {
    let config = format!("[profile a]\nrole_arn = {ARN}\nsource_profile = b\ncredential_source = Environment\n[profile b]\n{KEYS}");
    one(&config, "", "source-and-credential-source", E, (C, 4, 1));
}

#[test]
fn role_without_source() {
    let config = format!("[profile a]\nregion = x\nrole_arn = {ARN}\n");
    one(&config, "", "role-without-source", E, (C, 3, 1));
}

#[test]
fn unknown_credential_source() {
    let config = format!("[profile a]\nrole_arn = {ARN}\ncredential_source = environment\n");
    let f = one(&config, "", "unknown-credential-source", E, (C, 3, 1));
    assert!(
        f.message.ends_with("Did you mean \"Environment\"?"),
        "{}",
        f.message
    );
}

#[test]
fn partial_credentials() {
    one(
        "",
        "[a]\naws_access_key_id = A\n",
        "partial-credentials",
        E,
        (K, 2, 1),
    );
    // Each file is its own provider: a secret in the other file does not count.
    one(
        "[profile a]\naws_secret_access_key = s\n",
        "[a]\nregion = x\naws_access_key_id = A\n",
        "partial-credentials",
        E,
        (K, 3, 1),
    );
    // A source profile with a secret key alone.
    let config = format!("[profile a]\nrole_arn = {ARN}\nsource_profile = b\n[profile b]\nregion = x\naws_secret_access_key = s\n");
    let f = one(&config, "", "partial-credentials", E, (C, 6, 1));
    assert_eq!(f.profile.as_deref(), Some("b"));
    // Found once for each profile naming it, reported once.
    let config = format!("{config}[profile c]\nrole_arn = {ARN}\nsource_profile = b\n");
    one(&config, "", "partial-credentials", E, (C, 6, 1));
    // A role profile with keys is a source that ends the chain with them:
    // its keys are checked where it is one.
    let config = format!("[profile a]\nrole_arn = {ARN}\nsource_profile = b\n[profile b]\nrole_arn = {ARN}\ncredential_source = Environment\naws_access_key_id = A\n");
    let f = one(&config, "", "partial-credentials", E, (C, 7, 1));
    assert_eq!(f.profile.as_deref(), Some("b"));
    // Not used as a source, they are never read.
    let config = format!(
        "[profile b]\nrole_arn = {ARN}\ncredential_source = Environment\naws_access_key_id = A\n"
    );
    assert!(lint(Some(&config), None).is_empty());
}

#[test]
fn secret_without_key_id() {
    one(
        "",
        "[a]\naws_secret_access_key = s\n",
        "secret-without-key-id",
        W,
        (K, 2, 1),
    );
}

#[test]
fn web_identity_without_role_arn() {
    one(
        "[profile w]\nweb_identity_token_file = /t\n",
        "",
        "web-identity-without-role-arn",
        E,
        (C, 2, 1),
    );
}

#[test]
fn invalid_sso_config() {
    let f = one(
        "[profile s]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\n",
        "",
        "invalid-sso-config",
        E,
        (C, 2, 1),
    );
    assert!(f.message.contains("\"corp\""), "{}", f.message);
}

#[test]
fn invalid_duration_seconds() {
    for (value, ok) in [
        ("900", true),
        (" +900 ", true),
        ("1_800", true),
        ("43200", true),
        ("899", false),
        ("43201", false),
        ("1h", false),
        ("900.0", false),
        ("", false),
    ] {
        let config = format!(
            "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nduration_seconds = {value}\n"
        );
        if ok {
            assert!(lint(Some(&config), None).is_empty(), "{value}");
        } else {
            one(&config, "", "invalid-duration-seconds", E, (C, 4, 1));
        }
    }
}

#[test]
fn invalid_role_arn() {
    let config =
        "[profile a]\nrole_arn = arn:aws:iam::1234:role/r\ncredential_source = Environment\n";
    one(config, "", "invalid-role-arn", E, (C, 2, 1));
    // Also where web identity reads it.
    let config = "[profile w]\nweb_identity_token_file = /t\nrole_arn = r\n";
    one(config, "", "invalid-role-arn", E, (C, 3, 1));
}

#[test]
fn invalid_mfa_serial() {
    for serial in ["arn:aws:iam::123456789012:user/alice", "1234", ""] {
        let config = format!(
            "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nmfa_serial = {serial}\n"
        );
        one(&config, "", "invalid-mfa-serial", E, (C, 4, 1));
    }
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nmfa_serial = GAHT12345678\n"
    );
    assert!(lint(Some(&config), None).is_empty());
}

#[test]
fn invalid_external_id() {
    for id in ["x".to_owned(), "x".repeat(1225)] {
        let config = format!(
            "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nexternal_id = {id}\n"
        );
        one(&config, "", "invalid-external-id", E, (C, 4, 1));
    }
    // Counted in characters, as STS counts them.
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nexternal_id = {}\n",
        "é".repeat(1224)
    );
    assert!(lint(Some(&config), None).is_empty());
}

#[test]
fn invalid_role_session_name() {
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nrole_session_name = my session\n"
    );
    one(&config, "", "invalid-role-session-name", E, (C, 4, 1));
    // Empty: a generated name.
    let config = format!(
        "[profile a]\nrole_arn = {ARN}\ncredential_source = Environment\nrole_session_name =\n"
    );
    assert!(lint(Some(&config), None).is_empty());
}

#[test]
fn rolectl_mfa_session_settings() {
    one(
        "[default]\nrolectl_mfa_session = yes\n",
        "",
        "invalid-mfa-session",
        E,
        (C, 2, 1),
    );
    for bad in ["899", "129601", "1d"] {
        one(
            &format!("[default]\nregion = x\nrolectl_mfa_session_duration = {bad}\n"),
            "",
            "invalid-mfa-session-duration",
            E,
            (C, 3, 1),
        );
    }
}

#[test]
fn unknown_keys_say_what_was_meant() {
    let f = one(
        "[default]\nregoin = eu-west-1\n",
        "",
        "unknown-key",
        W,
        (C, 2, 1),
    );
    assert!(
        f.message.ends_with("did you mean \"region\"?"),
        "{}",
        f.message
    );
    let f = one("[default]\nfoo = 1\n", "", "unknown-key", W, (C, 2, 1));
    assert!(!f.message.contains("did you mean"), "{}", f.message);
    // In an sso-session section too.
    let f = one(
        "[sso-session corp]\nsso_start_url = u\nsso_regoin = x\n",
        "",
        "unknown-key",
        W,
        (C, 3, 1),
    );
    assert!(f.message.contains("\"sso_region\""), "{}", f.message);
}

#[test]
fn keys_of_other_tools_are_ignored_with_a_warning() {
    let f = one(
        "[default]\ninclude_profile = base\n",
        "",
        "ignored-key",
        W,
        (C, 2, 1),
    );
    assert!(f.message.contains("aws-vault"));
}

#[test]
fn mfa_process_and_the_rolectl_keys_are_read_not_ignored() {
    for key in [
        "mfa_process = otp",
        "rolectl_process_cache = true",
        "rolectl_keychain = true",
    ] {
        let config = format!("[default]\nregion = x\n{key}\n");
        let findings = lint(Some(&config), Some(""));
        assert!(
            findings
                .iter()
                .all(|f| f.code != "ignored-key" && f.code != "unknown-key"),
            "{key}: {findings:?}"
        );
    }
}

#[test]
fn role_settings_where_nothing_reads_them() {
    one(
        "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/a\n",
        "",
        "unused-key",
        W,
        (C, 2, 1),
    );
    // Web identity wins over source_profile in the same profile.
    let f = one(
        &format!("[profile w]\nrole_arn = {ARN}\nweb_identity_token_file = /t\nsource_profile = b\n[profile b]\n{KEYS}"),
        "",
        "unused-key",
        W,
        (C, 4, 1),
    );
    assert!(
        f.message.contains("web_identity_token_file"),
        "{}",
        f.message
    );
}

#[test]
fn sso_and_login_session_profiles_are_clean() {
    assert_eq!(
        rolectl_resolver::lint::lint(
            Some("[profile s]\nsso_start_url = https://x\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n[profile l]\nlogin_session = arn:aws:iam::123456789012:user/a\n"),
            None,
        ),
        []
    );
}

#[test]
fn findings_are_sorted_by_file_line_and_column() {
    let config = format!(
        "[profile b]\nrole_arn = {ARN}\nsource_profile = nope\n[profile a]\nregoin = x\nregion = us-west-2 # c\n"
    );
    let findings = lint(Some(&config), Some("[c]\nfoo = 1\n[profile x]\n"));
    let places: Vec<(FileKind, u32, u32)> = findings
        .iter()
        .map(|f| (f.location.file, f.location.line, f.location.column))
        .collect();
    let mut sorted = places.clone();
    sorted.sort();
    assert_eq!(places, sorted);
    assert_eq!(findings.len(), 5, "{findings:#?}");
    assert_eq!(findings.last().map(|f| f.location.file), Some(K));
}

#[test]
fn text_and_json_name_the_real_path() {
    let paths = FilePaths::new("/home/u/.aws/config", "/home/u/.aws/credentials");
    let config = format!("[profile a]\nrole_arn = {ARN}\nsource_profile = b\n");
    let findings = lint(Some(&config), None);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].render(&paths),
        "/home/u/.aws/config:3:1: error[source-profile-not-found]: The source_profile \"b\" referenced in the profile \"a\" does not exist."
    );
    assert_eq!(
        findings[0].to_json(&paths),
        serde_json::json!({
            "file": "/home/u/.aws/config",
            "line": 3,
            "column": 1,
            "severity": "error",
            "code": "source-profile-not-found",
            "message": "The source_profile \"b\" referenced in the profile \"a\" does not exist.",
            "profile": "a",
        })
    );
}

#[test]
fn many_missing_sources_stay_linear() {
    // Every profile names a missing source: the "did you mean" hints stop
    // at a budget instead of comparing every name with every other.
    let mut config = String::new();
    for i in 0..5000 {
        config.push_str(&format!(
            "[profile p{i:05}]\nrole_arn = {ARN}\nsource_profile = q{i:05}\n"
        ));
    }
    let started = std::time::Instant::now();
    let findings = lint(Some(&config), None);
    assert_eq!(findings.len(), 5000);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_sso_session_without_registration_scopes_cannot_be_refreshed() {
    let f = one(
        "[profile s]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n",
        "",
        "sso-token-not-refreshable",
        W,
        (C, 5, 1),
    );
    assert!(
        f.message.contains("sso_registration_scopes"),
        "{}",
        f.message
    );
}
