//! Each warning: its code, line and column, and that the parse result still
//! follows the cross-SDK rules.

use rolectl_config_parser::{
    parse_file, parse_file_bytes, parse_files, DiagnosticCode as Code, FileKind, ParseError,
    ParsedFile, Severity,
};

fn config(text: &str) -> ParsedFile<'_> {
    parse_file(text, FileKind::Config).expect("the config parses")
}

fn credentials(text: &str) -> ParsedFile<'_> {
    parse_file(text, FileKind::Credentials).expect("the credentials parse")
}

/// (code, line, column) of every warning.
fn found(file: &ParsedFile<'_>) -> Vec<(Code, u32, u32)> {
    file.warnings
        .iter()
        .map(|w| {
            assert_eq!(w.severity, Severity::Warning);
            assert_eq!(w.location.file, file.kind);
            assert!(w.message.ends_with('.'), "a full sentence: {}", w.message);
            (w.code, w.location.line, w.location.column)
        })
        .collect()
}

fn value<'a>(file: &'a ParsedFile<'_>, section: &str, key: &str) -> Option<&'a str> {
    file.sections
        .iter()
        .filter(|s| s.name == section)
        .filter_map(|s| s.properties.get(key))
        .map(|p| p.value.as_ref())
        .next_back()
}

#[test]
fn inline_comment() {
    let file = config("[profile a]\nregion = us-west-2 # x\nother = a;b\n");
    assert_eq!(found(&file), [(Code::InlineComment, 2, 20)]);
    assert_eq!(value(&file, "a", "region"), Some("us-west-2"));
    assert!(file.warnings[0].message.contains("`us-west-2 # x`"));
    let file = config("[profile a]\nregion =\tus-west-2\t; x\n");
    assert_eq!(found(&file), [(Code::InlineComment, 2, 20)]);
}

#[test]
fn inline_comment_column_counts_characters() {
    let file = config("[profile a]\nname = café # x\n");
    assert_eq!(found(&file), [(Code::InlineComment, 2, 13)]);
}

#[test]
fn duplicate_section() {
    let file = config("[profile a]\nx = 1\n\n[profile a]\ny = 2\n");
    assert_eq!(found(&file), [(Code::DuplicateSection, 4, 1)]);
    assert!(file.warnings[0].message.contains("refuses"));
    assert!(file.warnings[0].message.contains("line 1"));
    // Two headers for the same profile written differently: the CLI keeps the later.
    let file = config("[profile a]\nx = 1\n[profile \ta]\ny = 2\n");
    assert_eq!(found(&file), [(Code::DuplicateSection, 3, 1)]);
    assert!(file.warnings[0].message.contains("only the later"));
    let file = credentials("[a]\n[b]\n[a]\n");
    assert_eq!(found(&file), [(Code::DuplicateSection, 3, 1)]);
}

#[test]
fn duplicate_key() {
    let file = config("[profile a]\nregion = us-east-1\nRegion = us-west-2\n");
    assert_eq!(found(&file), [(Code::DuplicateKey, 3, 1)]);
    assert_eq!(value(&file, "a", "region"), Some("us-west-2"));
    // The same key under a repeated header is a duplicate section, not key.
    let file = config("[profile a]\nx = 1\n[profile a]\nx = 2\n");
    assert_eq!(found(&file), [(Code::DuplicateSection, 3, 1)]);
}

#[test]
fn duplicate_key_in_a_long_section() {
    let mut text = String::from("[profile a]\n");
    for i in 0..40 {
        text.push_str(&format!("key{i} = {i}\n"));
    }
    text.push_str("KEY3 = again\nkey39 = again\n");
    let file = config(&text);
    assert_eq!(
        found(&file),
        [(Code::DuplicateKey, 42, 1), (Code::DuplicateKey, 43, 1)]
    );
}

#[test]
fn default_and_profile_default() {
    let file = config("[default]\nx = 1\n[profile default]\ny = 2\n");
    assert_eq!(found(&file), [(Code::DefaultProfileConflict, 3, 1)]);
    assert!(file.warnings[0]
        .message
        .contains("[profile default] is used"));
    assert_eq!(file.sections.len(), 1);
    assert_eq!(file.sections[0].location.line, 3);
    let file = config("[profile default]\ny = 2\n[default]\nx = 1\n");
    assert_eq!(found(&file), [(Code::DefaultProfileConflict, 3, 1)]);
    assert_eq!(value(&file, "default", "y"), Some("2"));
    assert_eq!(value(&file, "default", "x"), None);
}

#[test]
fn byte_order_mark() {
    let file = config("\u{feff}[profile a]\nx = 1 # c\n");
    assert_eq!(
        found(&file),
        [(Code::ByteOrderMark, 1, 1), (Code::InlineComment, 2, 7)]
    );
    assert_eq!(file.sections[0].name, "a");
    let file =
        parse_file_bytes(b"\xef\xbb\xbf[a]\nx = 1\n", FileKind::Credentials).expect("parses");
    assert_eq!(found(&file), [(Code::ByteOrderMark, 1, 1)]);
    assert_eq!(value(&file, "a", "x"), Some("1"));
}

#[test]
fn default_section() {
    let file = config("[DEFAULT]\nregion = us-east-1\n[profile a]\n");
    assert_eq!(found(&file), [(Code::DefaultSection, 1, 1)]);
    assert!(file.warnings[0]
        .message
        .contains("copies its keys into every profile"));
    assert_eq!(file.sections.len(), 1);
    let file = credentials("[a]\n[DEFAULT]\nx = 1\n");
    assert_eq!(found(&file), [(Code::DefaultSection, 2, 1)]);
    assert_eq!(value(&file, "DEFAULT", "x"), Some("1"));
}

#[test]
fn indented_comment_in_a_value() {
    let file = config("[profile a]\nx = 1\n  # note\n  2\n");
    assert_eq!(found(&file), [(Code::IndentedComment, 3, 3)]);
    assert_eq!(value(&file, "a", "x"), Some("1\n# note\n2"));
    let file = config("[profile a]\ns3 =\n\t; x = y\n");
    assert_eq!(found(&file), [(Code::IndentedComment, 3, 2)]);
}

#[test]
fn blank_line_in_a_value() {
    let file = config("[profile a]\nx = 1\n\n  2\n");
    assert_eq!(found(&file), [(Code::BlankLineInValue, 3, 1)]);
    assert_eq!(value(&file, "a", "x"), Some("1\n2"));
    // A blank line before the next key is not inside a value.
    assert!(found(&config("[profile a]\nx = 1\n\ny = 2\n")).is_empty());
}

#[test]
fn padded_section_header() {
    let file = config("[ profile foo ]\nx = 1\n");
    assert_eq!(found(&file), [(Code::PaddedSectionHeader, 1, 1)]);
    assert_eq!(file.sections[0].name, "foo");
    // botocore reads `[profile foo ]` fine.
    assert!(found(&config("[profile foo ]\n")).is_empty());
    assert_eq!(
        found(&credentials("[foo ]\n")),
        [(Code::PaddedSectionHeader, 1, 1)]
    );
}

#[test]
fn colon_in_key() {
    let file = config("[profile a]\nsso:region = us-east-1\n");
    assert_eq!(found(&file), [(Code::ColonInKey, 2, 1)]);
    assert!(file.warnings[0]
        .message
        .contains("`sso = region = us-east-1`"));
}

#[test]
fn colon_instead_of_equals_is_an_error_naming_the_cli_reading() {
    let err = parse_file("[profile a]\nregion: us-east-1\n", FileKind::Config).unwrap_err();
    assert!(matches!(err, ParseError::ColonInsteadOfEquals { .. }));
    assert_eq!((err.location().line, err.location().column), (2, 1));
    let message = err.to_string();
    assert!(
        message.contains("Expected an '=' sign defining a property"),
        "{message}"
    );
    assert!(
        message.contains("the AWS CLI would read this line as `region = us-east-1`"),
        "{message}"
    );
}

#[test]
fn ignored_sections_say_why() {
    let cases: [(&str, FileKind, Code, &str); 6] = [
        (
            "[foo]\n",
            FileKind::Config,
            Code::MissingProfilePrefix,
            "[profile foo]",
        ),
        (
            "[profile foo]\n",
            FileKind::Credentials,
            Code::ProfilePrefixInCredentials,
            "must not have",
        ),
        (
            "[sso-session s]\n",
            FileKind::Credentials,
            Code::SectionInCredentials,
            "config file",
        ),
        (
            "[sso-sesion s]\n",
            FileKind::Config,
            Code::UnknownSectionType,
            "`sso-sesion`",
        ),
        (
            "[profile foo!]\n",
            FileKind::Config,
            Code::InvalidSectionName,
            "`foo!`",
        ),
        (
            "[in valid 2]\n",
            FileKind::Credentials,
            Code::InvalidSectionName,
            "not a valid profile name",
        ),
    ];
    for (text, kind, code, reason) in cases {
        let file = parse_file(text, kind).expect("parses");
        assert!(file.sections.is_empty(), "{text}");
        assert_eq!(file.warnings.len(), 1, "{text}");
        let warning = &file.warnings[0];
        assert_eq!(
            (warning.code, warning.location.line, warning.location.column),
            (code, 1, 1),
            "{text}"
        );
        assert!(
            warning.message.contains(reason),
            "{text}: {}",
            warning.message
        );
    }
}

#[test]
fn ignored_keys_say_why() {
    let file = config("[profile a]\n\nin valid = 1\n  more\nok = 2\n");
    assert_eq!(found(&file), [(Code::InvalidKey, 3, 1)]);
    assert!(file.warnings[0].message.contains("`in valid`"));
    assert_eq!(file.sections[0].properties.len(), 1);
}

#[test]
fn keys_in_ignored_sections_are_not_reported_one_by_one() {
    let file = config("[foo]\nin valid = 1\nx = 1 # c\n");
    assert_eq!(found(&file), [(Code::MissingProfilePrefix, 1, 1)]);
}

#[test]
fn merged_diagnostics_keep_both_files_in_order() {
    let parsed = parse_files(Some("[foo]\n"), Some("[profile bar]\n")).expect("parses");
    let codes: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.code, d.location.file))
        .collect();
    assert_eq!(
        codes,
        [
            (Code::MissingProfilePrefix, FileKind::Config),
            (Code::ProfilePrefixInCredentials, FileKind::Credentials)
        ]
    );
    assert_eq!(
        parsed.diagnostics[0].to_string().split(": ").next(),
        Some("config:1:1")
    );
}

#[test]
fn codes_are_stable_and_distinct() {
    let names: std::collections::BTreeSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names.len(), Code::ALL.len());
    assert_eq!(Code::InlineComment.as_str(), "inline-comment");
    assert_eq!(Code::DuplicateKey.to_string(), "duplicate-key");
}
