//! What real files contain: CRLF, tabs, a BOM, no final newline, empty
//! files, very long lines, bytes that are not UTF-8, many profiles.

use std::borrow::Cow;

use rolectl_config_parser::{
    parse_file, parse_file_bytes, parse_files, FileKind, Location, ParseError, ProfileSet,
};

fn at(file: FileKind, line: u32, column: u32) -> Location {
    Location { file, line, column }
}

#[test]
fn crlf_line_ends() {
    let text = "[profile a]\r\nrole_arn = arn:x\r\nnote = one\r\n  two\r\ns3 =\r\n  max = 10\r\n\r\n[profile b]\r\n";
    let parsed = parse_files(Some(text), None).expect("parses");
    let a = parsed.profiles.profile("a").expect("profile a");
    assert_eq!(a.value("role_arn"), Some("arn:x"));
    assert_eq!(a.value("note"), Some("one\ntwo"));
    assert_eq!(a.value("s3"), Some("\nmax = 10"));
    assert_eq!(a.get("s3").unwrap().sub_properties["max"].value, "10");
    assert!(parsed.profiles.profile("b").is_some());
    assert!(parsed.diagnostics.is_empty());
}

#[test]
fn tabs_separate_and_indent() {
    let text = "[profile\ta]\nkey\t=\tvalue\t\n\tmore\ns3\t=\n\tname\t=\tx\n";
    let parsed = parse_files(Some(text), None).expect("parses");
    let a = parsed.profiles.profile("a").expect("profile a");
    assert_eq!(a.value("key"), Some("value\nmore"));
    let sub = &a.get("s3").unwrap().sub_properties["name"];
    assert_eq!(sub.value, "x");
    assert_eq!(sub.location, at(FileKind::Config, 5, 2));
}

#[test]
fn empty_and_blank_files() {
    for text in [
        "",
        "\n",
        "\r\n",
        " \t\n\n",
        "# only a comment",
        "; c\n# d\n",
    ] {
        let file = parse_file(text, FileKind::Config).expect("parses");
        assert!(file.sections.is_empty(), "{text:?}");
        assert!(file.warnings.is_empty(), "{text:?}");
    }
    let parsed = parse_files(None, None).expect("nothing to parse");
    assert_eq!(parsed.profiles, ProfileSet::default());
}

#[test]
fn last_line_without_newline() {
    let parsed = parse_files(Some("[profile a]\nx = 1"), Some("[a]\ny = 2\r")).expect("parses");
    let a = parsed.profiles.profile("a").expect("profile a");
    assert_eq!(a.value("x"), Some("1"));
    assert_eq!(a.value("y"), Some("2"));
}

#[test]
fn very_long_lines_are_borrowed() {
    let long = "x".repeat(2_000_000);
    let text = format!("[profile a]\nbig = {long}\n[profile {long}]\n");
    let parsed = parse_files(Some(&text), None).expect("parses");
    let big = parsed
        .profiles
        .profile("a")
        .and_then(|a| a.get("big"))
        .expect("big");
    assert_eq!(big.value.len(), long.len());
    assert!(matches!(big.value, Cow::Borrowed(_)));
    assert!(parsed.profiles.profile(&long).is_some());
}

#[test]
fn bytes_that_are_not_utf8_name_the_line() {
    let err = parse_file_bytes(b"[a]\nx = 1\ny = caf\xe9\n", FileKind::Credentials).unwrap_err();
    assert_eq!(
        err,
        ParseError::InvalidUtf8 {
            location: at(FileKind::Credentials, 3, 8)
        }
    );
    assert!(
        err.to_string().starts_with("Line 3 is not valid UTF-8"),
        "{err}"
    );
    // After a byte order mark, and in the middle of a multi-byte character.
    let err = parse_file_bytes(b"\xef\xbb\xbf[\xe2\x82]\n", FileKind::Config).unwrap_err();
    assert_eq!(err.location(), at(FileKind::Config, 1, 2));
    let err = parse_file_bytes(b"\n\n\xff", FileKind::Config).unwrap_err();
    assert_eq!(err.location(), at(FileKind::Config, 3, 1));
    // Latin-1 is not guessed at; UTF-8 with non-ASCII text is fine.
    let file =
        parse_file_bytes("[profile ü]\nname = 😂\n".as_bytes(), FileKind::Config).expect("parses");
    assert_eq!(file.sections.len(), 0, "`ü` is not a valid profile name");
}

#[test]
fn errors_name_line_and_column() {
    let cases: [(&str, u32, u32); 6] = [
        ("[profile a]\nx = 1\n[profile b\n", 3, 1),
        ("\n\nname = value\n", 3, 1),
        ("[profile a]\n\n  -continued\n", 3, 1),
        ("[profile a]\n= value\n", 2, 1),
        ("[profile a]\ns3 =\n\n   invalid\n", 4, 4),
        ("[profile a]\ns3 =\n  = v\n", 3, 3),
    ];
    for (text, line, column) in cases {
        let err = parse_file(text, FileKind::Config).unwrap_err();
        assert_eq!(
            err.location(),
            at(FileKind::Config, line, column),
            "{text:?}: {err}"
        );
        assert!(err.to_string().ends_with('.'), "{err}");
    }
}

#[test]
fn sections_and_properties_carry_their_origin() {
    let config = "# c\n[profile a]\nregion = us-east-1\n[sso-session s]\nsso_region = x\n[services svc]\ns3 =\n  endpoint_url = http://127.0.0.1\n";
    let credentials = "[a]\nregion = eu-west-1\naws_access_key_id = AKID\n";
    let parsed = parse_files(Some(config), Some(credentials)).expect("parses");
    let a = parsed.profiles.profile("a").expect("a");
    assert_eq!(a.location, at(FileKind::Config, 2, 1));
    assert_eq!(
        a.get("region").unwrap().location,
        at(FileKind::Credentials, 2, 1)
    );
    assert_eq!(a.value("region"), Some("eu-west-1"), "credentials keys win");
    let s = parsed.profiles.sso_session("s").expect("sso-session");
    assert_eq!(
        s.get("sso_region").unwrap().location,
        at(FileKind::Config, 5, 1)
    );
    let svc = parsed.profiles.services("svc").expect("services");
    let s3 = svc.get("s3").expect("s3");
    assert_eq!(s3.sub_properties["endpoint_url"].value, "http://127.0.0.1");
    assert_eq!(
        s3.sub_properties["endpoint_url"].location,
        at(FileKind::Config, 8, 3)
    );
    let owned: ProfileSet<'static> = parsed.profiles.clone().into_owned();
    assert_eq!(owned, parsed.profiles);
}

#[test]
fn ten_thousand_profiles() {
    let mut config = String::new();
    for i in 0..12_000 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = base\n"
        ));
    }
    let credentials = "[base]\naws_access_key_id = AKID\n";
    let parsed = parse_files(Some(&config), Some(credentials)).expect("parses");
    assert_eq!(parsed.profiles.profiles.len(), 12_001);
    let last = parsed.profiles.profile("p11999").expect("the last profile");
    assert_eq!(last.location, at(FileKind::Config, 35_998, 1));
    assert_eq!(
        last.value("role_arn"),
        Some("arn:aws:iam::123456789012:role/r11999")
    );
    assert!(parsed.diagnostics.is_empty());
}
