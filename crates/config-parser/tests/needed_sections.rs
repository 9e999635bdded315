//! The selective reading (`aws_cli::parse_files_for`) against the full one
//! on generated files: the same error when the full reading refuses the
//! files, else exactly the sections the profile's chain reaches (through
//! `source_profile`, `sso_session` and `services`), each equal to the full
//! reading's (keys, values, places), and exactly the full reading's
//! warnings about the lines of those sections (and of `[DEFAULT]`).

use proptest::prelude::*;
use rolectl_config_parser::aws_cli::{parse_files, parse_files_for};
use rolectl_config_parser::{FileKind, Parsed, Sections};

fn line() -> impl Strategy<Value = String> {
    let indent = prop::sample::select(vec!["", "", "", "  ", "\t"]);
    let header = prop::sample::select(vec![
        "[default]",
        "[profile a]",
        "[profile b]",
        "[profile  a]",
        "[profile \"a b\"]",
        "[c]",
        "[DEFAULT]",
        "[sso-session s]",
        "[services x]",
        "[profile c]",
        "[ profile b]",
        "[b]",
        "[profile default]",
    ]);
    let key = prop::sample::select(vec![
        "source_profile",
        "source_profile",
        "sso_session",
        "services",
        "region",
        "Region",
        "s3",
        "role_arn",
    ]);
    let delimiter = prop::sample::select(vec!["=", " = ", ":"]);
    // Blanks Python strips (a no-break space among them) leave an empty value.
    let value = prop::sample::select(vec![
        "a", "b", "c", "default", "a b", "s", "x", "", "v # c", " \t", "\u{a0}", "é",
    ]);
    let other = prop::sample::select(vec!["# c", "", "  k = v", "k = v", "  # c"]);
    // Lines the reading refuses, now and then.
    let bad = prop::sample::select(vec!["  text", "[x", "= v", "text"]);
    prop_oneof![
        3 => (indent.clone(), header).prop_map(|(i, h)| format!("{i}{h}")),
        6 => (indent.clone(), key, delimiter, value).prop_map(|(i, k, d, v)| format!("{i}{k}{d}{v}")),
        2 => (indent, other).prop_map(|(i, o)| format!("{i}{o}")),
        1 => bad.prop_map(str::to_owned),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (line(), prop::sample::select(vec!["\n", "\n", "\r\n", "\r"])),
        0..10,
    )
    .prop_map(|lines| lines.into_iter().map(|(l, e)| l + e).collect())
}

/// The names reached from `root` in the full reading.
fn closure(full: &Parsed<'_>, root: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut profiles, mut sso, mut services) = (vec![root.to_owned()], Vec::new(), Vec::new());
    let mut i = 0;
    while i < profiles.len() {
        if let Some(section) = full.profiles.profile(&profiles[i]) {
            for (key, list) in [
                ("source_profile", &mut profiles),
                ("sso_session", &mut sso),
                ("services", &mut services),
            ] {
                if let Some(v) = section.value(key) {
                    if !list.iter().any(|n| n == v) {
                        list.push(v.to_owned());
                    }
                }
            }
        }
        i += 1;
    }
    (profiles, sso, services)
}

/// What a header of the generator names, as the AWS CLI reads it: a
/// profile, sso-session or services section (`P`, `S`, `V`) and its name,
/// `[DEFAULT]` (`D`), or nothing.
fn header_target(header: &str, file: FileKind) -> Option<(char, &str)> {
    let inner = &header[1..header.len() - 1];
    if inner == "DEFAULT" {
        return Some(('D', ""));
    }
    if file == FileKind::Credentials {
        return Some(('P', inner));
    }
    match inner {
        "default" | "profile default" => Some(('P', "default")),
        "profile a" | "profile  a" => Some(('P', "a")),
        "profile \"a b\"" => Some(('P', "a b")),
        "profile b" => Some(('P', "b")),
        "profile c" => Some(('P', "c")),
        "sso-session s" => Some(('S', "s")),
        "services x" => Some(('V', "x")),
        _ => None,
    }
}

/// The headers of `text` with their line numbers, found as Python's
/// configparser finds them: a `[...]` line that does not continue a value
/// (a line continues the open value when it is indented deeper than the
/// line that opened it; blank and comment lines change nothing). Only for
/// files the full reading accepts.
fn headers(text: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let (mut open, mut level) = (false, 0);
    // Lines end at `\n`, `\r\n` or `\r`, as Python reads text files.
    for (i, raw) in text.replace("\r\n", "\n").split(['\n', '\r']).enumerate() {
        let stripped = raw.trim();
        if stripped.is_empty() || stripped.starts_with(['#', ';']) {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        if open && indent > level {
            continue;
        }
        level = indent;
        if stripped.starts_with('[') && stripped.ends_with(']') {
            found.push((i as u32 + 1, stripped.to_owned()));
            open = false;
        } else {
            open = true;
        }
    }
    found
}

/// Whether line `line` of `text` lies in a section the chain reads.
fn in_used_section(
    text: &str,
    file: FileKind,
    line: u32,
    names: &(Vec<String>, Vec<String>, Vec<String>),
) -> bool {
    let Some((_, header)) = headers(text).into_iter().rev().find(|(l, _)| *l <= line) else {
        return false;
    };
    let used = |list: &[String], name: &str| list.iter().any(|n| n == name);
    match header_target(&header, file) {
        Some(('D', _)) => true,
        Some(('P', name)) => used(&names.0, name),
        Some(('S', name)) => used(&names.1, name),
        Some(('V', name)) => used(&names.2, name),
        _ => false,
    }
}

fn same_sections(
    lazy: &Sections<'_>,
    full: &Sections<'_>,
    names: &[String],
) -> Result<(), TestCaseError> {
    let expected: Vec<&str> = full
        .keys()
        .map(|k| k.as_ref())
        .filter(|k| names.iter().any(|n| n == k))
        .collect();
    let got: Vec<&str> = lazy.keys().map(|k| k.as_ref()).collect();
    prop_assert_eq!(&got, &expected);
    for name in got {
        prop_assert_eq!(lazy.get(name), full.get(name), "section {}", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn reads_what_the_full_reading_reads_for_the_chain(
        config in text(),
        credentials in text(),
        root in prop::sample::select(vec!["a", "b", "c", "default", "a b"]),
    ) {
        let full = parse_files(Some(&config), Some(&credentials));
        let lazy = parse_files_for(Some(&config), Some(&credentials), root);
        let full = match full {
            Err(e) => {
                prop_assert_eq!(lazy.err(), Some(e));
                return Ok(());
            }
            Ok(full) => full,
        };
        let lazy = lazy.expect("the full reading reads the files");
        let names = closure(&full, root);
        same_sections(&lazy.profiles.profiles, &full.profiles.profiles, &names.0)?;
        same_sections(&lazy.profiles.sso_sessions, &full.profiles.sso_sessions, &names.1)?;
        same_sections(&lazy.profiles.services, &full.profiles.services, &names.2)?;
        for warning in &lazy.diagnostics {
            prop_assert!(full.diagnostics.contains(warning), "{:?}", warning);
        }
        for warning in &full.diagnostics {
            let text = match warning.location.file {
                FileKind::Config => &config,
                FileKind::Credentials => &credentials,
            };
            if in_used_section(text, warning.location.file, warning.location.line, &names) {
                prop_assert!(lazy.diagnostics.contains(warning), "missing {:?}", warning);
            }
        }
    }
}
