//! Property tests: the parser never panics, and a rendered profile set reads
//! back as the same set.

use std::borrow::Cow;
use std::collections::BTreeMap;

use proptest::prelude::*;
use rolectl_config_parser::{
    merge, parse_file, parse_file_bytes, parse_files, FileKind, Location, ProfileSet, Properties,
    Property, RenderError, Section, Sections,
};

type Values = BTreeMap<String, BTreeMap<String, (String, BTreeMap<String, String>)>>;

/// A set without its locations.
fn values(set: &ProfileSet<'_>) -> [Values; 3] {
    [&set.profiles, &set.sso_sessions, &set.services].map(|map| {
        map.iter()
            .map(|(name, section)| {
                let properties = section
                    .properties
                    .iter()
                    .map(|(key, p)| {
                        let subs = p
                            .sub_properties
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.value.to_string()))
                            .collect();
                        (key.to_string(), (p.value.to_string(), subs))
                    })
                    .collect();
                (name.to_string(), properties)
            })
            .collect()
    })
}

const NOWHERE: Location = Location {
    file: FileKind::Config,
    line: 1,
    column: 1,
};

fn property(value: String, subs: &[(String, String)]) -> Property<'static> {
    Property {
        value: Cow::Owned(value),
        location: NOWHERE,
        sub_properties: subs
            .iter()
            .map(|(k, v)| {
                let sub = Property {
                    value: Cow::Owned(v.clone()),
                    location: NOWHERE,
                    sub_properties: Properties::new(),
                };
                (Cow::Owned(k.clone()), sub)
            })
            .collect(),
    }
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_/.%@:+-]{1,12}"
}

fn key() -> impl Strategy<Value = String> {
    "[a-z0-9_/.%@:+-]{1,12}"
}

/// A word never starts with a comment character, so a first line has no
/// inline comment.
fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9:/._=@+,*!é-][a-zA-Z0-9:/._=@+,*!#;é-]{0,8}"
}

fn line_of_words() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..4).prop_map(|w| w.join(" "))
}

/// A property: a plain value, a continued value, or a sub-property block.
fn property_strategy() -> impl Strategy<Value = Property<'static>> {
    prop_oneof![
        line_of_words().prop_map(|v| property(v, &[])),
        Just(property(String::new(), &[])),
        (
            line_of_words(),
            prop::collection::vec("[!-~]([ -~]{0,10}[!-~])?", 1..3)
        )
            .prop_map(|(first, rest)| property(format!("{first}\n{}", rest.join("\n")), &[])),
        prop::collection::btree_map(key(), word(), 1..4).prop_map(|subs| {
            let subs: Vec<(String, String)> = subs.into_iter().collect();
            let text: String = subs.iter().map(|(k, v)| format!("\n{k} = {v}")).collect();
            property(text, &subs)
        }),
    ]
}

fn sections(max: usize) -> impl Strategy<Value = Sections<'static>> {
    prop::collection::btree_map(
        name(),
        prop::collection::btree_map(key(), property_strategy(), 0..5),
        0..max,
    )
    .prop_map(|map| {
        map.into_iter()
            .map(|(name, props)| {
                let section = Section {
                    name: Cow::Owned(name.clone()),
                    location: NOWHERE,
                    properties: props.into_iter().map(|(k, p)| (Cow::Owned(k), p)).collect(),
                };
                (Cow::Owned(name), section)
            })
            .collect()
    })
}

fn profile_set() -> impl Strategy<Value = ProfileSet<'static>> {
    (sections(6), sections(3), sections(3)).prop_map(|(profiles, sso_sessions, services)| {
        ProfileSet {
            profiles,
            sso_sessions,
            services,
        }
    })
}

/// Text made of the pieces profile files are made of, so that the parser's
/// branches are reached far more often than by random characters.
fn file_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[profile a]"),
        Just("[default]"),
        Just("[profile default]"),
        Just("[sso-session s]"),
        Just("[services x]"),
        Just("[DEFAULT]"),
        Just("[ profile b ]"),
        Just("[a"),
        Just("key = value"),
        Just("Key=v"),
        Just("s3 ="),
        Just("  name = v"),
        Just("\t-continued"),
        Just(" # indented"),
        Just("# comment"),
        Just("; comment"),
        Just("x = 1 # c"),
        Just("a:b = c"),
        Just("k : v"),
        Just("= v"),
        Just("\u{feff}"),
        Just("é😂"),
        Just(""),
        Just(" "),
        Just("\r"),
        Just("]"),
        Just("="),
    ];
    prop::collection::vec(
        (
            piece,
            prop_oneof![Just("\n"), Just("\r\n"), Just(""), Just(" ")],
        ),
        0..24,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, end)| format!("{p}{end}"))
            .collect()
    })
}

proptest! {
    #[test]
    fn never_panics_on_strings(config in any::<String>(), credentials in any::<String>()) {
        let _ = parse_files(Some(&config), Some(&credentials));
        let _ = parse_file(&config, FileKind::Credentials);
    }

    #[test]
    fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for kind in [FileKind::Config, FileKind::Credentials] {
            if let Ok(file) = parse_file_bytes(&bytes, kind) {
                let _ = merge(Some(file), None);
            }
        }
    }

    #[test]
    fn never_panics_on_file_like_text(config in file_like_text(), credentials in file_like_text()) {
        if let Ok(parsed) = parse_files(Some(&config), Some(&credentials)) {
            for d in &parsed.diagnostics {
                prop_assert!(d.location.line >= 1 && d.location.column >= 1);
            }
            // Whatever was read and can be written reads back the same.
            if let Ok(text) = parsed.profiles.render_config() {
                let again = parse_files(Some(&text), None).expect("rendered text parses");
                prop_assert_eq!(values(&again.profiles), values(&parsed.profiles), "{}", text);
            }
        }
    }

    #[test]
    fn rendered_config_reads_back_the_same(set in profile_set()) {
        let text = set.render_config().expect("the generated set can be written");
        let parsed = parse_files(Some(&text), None).expect("rendered text parses");
        prop_assert_eq!(values(&parsed.profiles), values(&set), "{}", text);
        // Only warnings about lines the AWS CLI reads differently remain.
        let expected = ["indented-comment", "colon-in-key"];
        prop_assert!(parsed.diagnostics.iter().all(|d| expected.contains(&d.code.as_str())), "{:?}", parsed.diagnostics);
    }

    #[test]
    fn rendered_credentials_read_back_the_same(set in profile_set()) {
        let set = ProfileSet { profiles: set.profiles, ..ProfileSet::default() };
        let text = set.render_credentials().expect("the generated profiles can be written");
        let parsed = parse_files(None, Some(&text)).expect("rendered text parses");
        prop_assert_eq!(values(&parsed.profiles), values(&set), "{}", text);
    }
}

fn one_profile(key: &str, value: &str) -> ProfileSet<'static> {
    let mut section = Section {
        name: Cow::Borrowed("a"),
        location: NOWHERE,
        properties: Properties::new(),
    };
    section
        .properties
        .insert(Cow::Owned(key.to_owned()), property(value.to_owned(), &[]));
    let mut set = ProfileSet::default();
    set.profiles.insert(Cow::Borrowed("a"), section);
    set
}

#[test]
fn values_that_cannot_be_written_are_errors() {
    for value in [
        "x # not a comment",
        " padded",
        "one\n\ntwo",
        "\nnot a sub-property",
        "a\r",
    ] {
        let err = one_profile("k", value).render_config().unwrap_err();
        assert!(matches!(err, RenderError::Value { .. }), "{value:?}: {err}");
    }
    assert!(matches!(
        one_profile("Upper", "v").render_config(),
        Err(RenderError::InvalidKey { .. })
    ));
    assert!(matches!(
        one_profile("in valid", "v").render_config(),
        Err(RenderError::InvalidKey { .. })
    ));
    let mut set = one_profile("k", "v");
    set.sso_sessions
        .insert(Cow::Borrowed("s"), set.profiles["a"].clone());
    assert!(matches!(
        set.render_credentials(),
        Err(RenderError::NotInCredentials { .. })
    ));
    assert_eq!(
        set.render_config().unwrap(),
        "[profile a]\nk = v\n\n[sso-session s]\nk = v\n"
    );
}
