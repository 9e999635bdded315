#![no_main]
//! The config parser must never panic, whatever bytes it is given, in the
//! cross-SDK reading or the AWS CLI's; a profile set it reads must render
//! to text that reads back the same.

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use rolectl_config_parser::{aws_cli, merge, parse_file, parse_file_bytes, FileKind, ProfileSet};

type Values = BTreeMap<String, BTreeMap<String, (String, BTreeMap<String, String>)>>;

/// The set without locations, for comparing a set with its re-read copy.
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

fuzz_target!(|data: &[u8]| {
    // Split the input so that both files get their own bytes.
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (first, second) = data.split_at(split);
    let second = second.get(1..).unwrap_or_default();
    let config = parse_file_bytes(first, FileKind::Config);
    let credentials = parse_file_bytes(second, FileKind::Credentials);
    let _ = parse_file_bytes(first, FileKind::Credentials);
    for kind in [FileKind::Config, FileKind::Credentials] {
        if let Ok(file) = aws_cli::parse_file_bytes(first, kind) {
            for warning in &file.warnings {
                assert!(warning.location.line >= 1 && warning.location.column >= 1);
                assert!(!warning.message.is_empty());
            }
        }
    }
    if let (Ok(config), Ok(credentials)) = (config, credentials) {
        for file in [&config, &credentials] {
            for warning in &file.warnings {
                assert!(warning.location.line >= 1 && warning.location.column >= 1);
                assert!(!warning.message.is_empty());
            }
        }
        let parsed = merge(Some(config), Some(credentials));
        if let Ok(text) = parsed.profiles.render_config() {
            let again = parse_file(&text, FileKind::Config).expect("rendered text parses");
            let again = merge(Some(again), None);
            assert_eq!(values(&again.profiles), values(&parsed.profiles), "{text}");
        }
    }
});
