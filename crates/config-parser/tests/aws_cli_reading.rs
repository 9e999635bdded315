//! The AWS CLI's reading (`aws_cli::parse_file`) against botocore itself:
//! for hand-picked texts of each class real files have, and for thousands
//! of generated ones, botocore's `load_config` (config) and
//! `raw_config_parse` (credentials) must give the same sections, names,
//! keys and values, and refuse exactly the texts rolectl refuses or flags
//! with a finding the AWS CLI refuses. `ROLECTL_PYTHON` names a Python
//! with the pinned AWS CLI (scripts/test.sh sets it).

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use rolectl_config_parser::{aws_cli, FileKind, ParsedFile, SectionKind};
use serde_json::{json, Map, Value};

const READER: &str = r#"
import json, os, sys, tempfile
import awscli  # the AWS CLI then loads the botocore it ships
from botocore.configloader import load_config, raw_config_parse
out = []
for kind, text in json.load(sys.stdin):
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        f.write(text.encode("utf-8"))
    try:
        if kind == "config":
            c = load_config(f.name)
            out.append({k: c[k] for k in ("profiles", "sso_sessions", "services")})
        else:
            out.append({"profiles": raw_config_parse(f.name)})
    except Exception as e:
        out.append({"refused": type(e).__name__})
    finally:
        os.unlink(f.name)
print(json.dumps(out))
"#;

/// botocore's reading of each (kind, text).
fn botocore_reads(cases: &[(FileKind, String)]) -> Vec<Value> {
    let input: Vec<(&str, &str)> = cases
        .iter()
        .map(|(k, t)| (k.as_str(), t.as_str()))
        .collect();
    match support::python_json(READER, &json!(input)) {
        Value::Array(read) => read,
        other => panic!("Python printed {other}"),
    }
}

/// rolectl's reading in the shape botocore prints.
fn ours(kind: FileKind, text: &str) -> Value {
    let file: ParsedFile<'_> = match aws_cli::parse_file(text, kind) {
        Ok(file) => file,
        Err(_) => return json!({"refused": "ConfigParseError"}),
    };
    if file.warnings.iter().any(|w| w.code.aws_cli_refuses()) {
        return json!({"refused": "ConfigParseError"});
    }
    let mut groups: [Map<String, Value>; 3] = Default::default();
    for section in &file.sections {
        let slot = match section.kind {
            SectionKind::Profile => 0,
            SectionKind::SsoSession => 1,
            SectionKind::Services => 2,
        };
        let props: Map<String, Value> = section
            .properties
            .iter()
            .map(|(k, p)| {
                let value = if p.value.starts_with('\n') {
                    // botocore parses a value that starts with an empty line.
                    p.sub_properties
                        .iter()
                        .map(|(k, v)| (k.to_string(), json!(v.value)))
                        .collect()
                } else {
                    json!(p.value)
                };
                (k.to_string(), value)
            })
            .collect();
        groups[slot].insert(section.name.to_string(), Value::Object(props));
    }
    let [profiles, sso_sessions, services] = groups;
    match kind {
        FileKind::Config => {
            json!({"profiles": profiles, "sso_sessions": sso_sessions, "services": services})
        }
        FileKind::Credentials => json!({"profiles": profiles}),
    }
}

fn refused(value: &Value) -> Value {
    match value.get("refused") {
        Some(_) => json!({"refused": "ConfigParseError"}),
        None => value.clone(),
    }
}

fn compare(cases: &[(FileKind, String)]) {
    let theirs = botocore_reads(cases);
    let mut failures = Vec::new();
    for ((kind, text), theirs) in cases.iter().zip(&theirs) {
        let ours = ours(*kind, text);
        if ours != refused(theirs) {
            failures.push(format!(
                "{kind} {text:?}\n  botocore: {theirs}\n  rolectl:  {ours}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} texts read differently:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn each_class_of_real_files_reads_as_botocore_reads_it() {
    let config = [
        // Indentation (keys, comments, headers).
        "[default]\n  region = us-east-1\n  output = json\n",
        "  # a comment first\n[default]\nregion = us-east-1\n",
        "\t# tab comment\n[default]\nregion = us-east-1\n",
        "  [profile a]\n  region = us-east-1\n",
        "[profile a]\nregion = us-east-1\n  # dropped, not part of the value\n",
        "[profile a]\n    role_arn = arn:aws:iam::123456789012:role/a\n    source_profile = b\n[profile b]\n    region = x\n",
        "[profile a]\n  region = us-east-1\n    more\n  output = json\n",
        // Quoted and punctuated names.
        "[profile \"personal\"]\nregion = us-east-1\n",
        "[profile \"my profile\"]\nregion = us-east-1\n",
        "[profile foo)]\nregion = us-east-1\n",
        "[profile 'unclosed]\nregion = us-east-1\n",
        "[profile a b]\nregion = us-east-1\n",
        "[profiles x]\nregion = us-east-1\n",
        // The CLI's own sections.
        "[plugins]\ncli_legacy_plugin_path = /x\n[preview]\ncloudfront = true\n[default]\nregion = r\n",
        // Repeats.
        "[profile a]\nx = 1\n[profile a]\ny = 2\n",
        "[profile a]\nx = 1\n[profile  a]\ny = 2\n",
        "[profile a]\nx = 1\nX = 2\n",
        "[profile default]\ny = 2\n[default]\nx = 1\n",
        "[default]\nx = 1\n[profile default]\ny = 2\n",
        // Values.
        "[profile a]\nregion = us-west-2 # comment\n",
        "[profile a]\nregion: us-west-2\nsso:x = y\n",
        "[profile a]\nnote = one\n\n\n  two\n\n",
        "[profile a]\ns3 =\n  max_concurrent_requests = 20\n  # c\n  addressing_style = path\n",
        "[profile a]\ns3 =\n\n  x = 1\n",
        "[profile a]\ns3 =\n  broken\n",
        "[profile a]\nMy Key = v\n",
        "[DEFAULT]\nregion = us-east-1\n[profile a]\nx = 1\n[sso-session s]\nsso_region = r\n",
        "[services dev]\nsts =\n  endpoint_url = http://127.0.0.1:1\n[profile a]\nservices = dev\n",
        "\u{feff}[default]\nx = 1\n",
        "[profile a]\r\nregion = r\r\n  more\r\n",
        "[profile a]\rregion = r\r",
        "[ profile a]\nx = 1\n",
        "[default ]\nx = 1\n",
        "[profile a] # c\nx = 1\n",
        "[profile a] ; see [b]\nx = 1\n",
        "region = x\n[default]\n",
        "[profile a]\n= x\n",
        "[profile a]\njust text\n",
        "[profile a\nx = 1\n",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/x\n  continued\n",
    ];
    let credentials = [
        "[default]\n  aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n  aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "[profile a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
        "[ a ]\nx = 1\n",
        "[DEFAULT]\naws_access_key_id = A\n[a]\nx = 1\n",
        "[\"quoted\"]\nx = 1\n",
    ];
    let cases: Vec<(FileKind, String)> = config
        .iter()
        .map(|t| (FileKind::Config, t.to_string()))
        .chain(
            credentials
                .iter()
                .map(|t| (FileKind::Credentials, t.to_string())),
        )
        .collect();
    compare(&cases);
}

/// Lines of the kinds real files have, with the characters that decide
/// how configparser and botocore read them.
fn line() -> impl Strategy<Value = String> {
    let indent = prop::sample::select(vec!["", "", "", " ", "  ", "\t", "\u{a0}"]);
    let header = prop::sample::select(vec![
        "[default]",
        "[profile a]",
        "[profile  a]",
        "[profile \"a b\"]",
        "[profile 'b']",
        "[DEFAULT]",
        "[sso-session s]",
        "[services x]",
        "[plugins]",
        "[profiles q]",
        "[ profile a]",
        "[profile a] # c",
        "[a]",
        "[profile a b]",
        "[profile]",
        "[default ]",
    ]);
    let key = prop::sample::select(vec![
        "region", "Region", "s3", "a:b", "my key", "role_arn", "x", "",
    ]);
    let delimiter = prop::sample::select(vec!["=", " = ", ":", " : ", "\t=\t", "= "]);
    let value = prop::sample::select(vec![
        "us-east-1",
        "v # c",
        "",
        "a=b",
        "arn:aws:iam::1:role/r",
        "x ;y",
        "  ",
    ]);
    let other = prop::sample::select(vec!["# c", "; c", "", "  ", "k = v", "text", "[x", "]"]);
    prop_oneof![
        3 => (indent.clone(), header).prop_map(|(i, h)| format!("{i}{h}")),
        6 => (indent.clone(), key, delimiter, value).prop_map(|(i, k, d, v)| format!("{i}{k}{d}{v}")),
        3 => (indent, other).prop_map(|(i, o)| format!("{i}{o}")),
    ]
}

fn file() -> impl Strategy<Value = (bool, String)> {
    let ending = prop::sample::select(vec!["\n", "\n", "\r\n", "\r"]);
    (
        any::<bool>(),
        prop::collection::vec((line(), ending), 1..12),
    )
        .prop_map(|(config, lines)| {
            let mut text = String::new();
            for (line, ending) in lines {
                text.push_str(&line);
                text.push_str(ending);
            }
            (config, text)
        })
}

#[test]
fn generated_files_read_as_botocore_reads_them() {
    let mut runner = TestRunner::deterministic();
    let strategy = file();
    let cases: Vec<(FileKind, String)> = (0..3000)
        .map(|_| {
            let (config, text) = strategy.new_tree(&mut runner).expect("a value").current();
            let kind = if config {
                FileKind::Config
            } else {
                FileKind::Credentials
            };
            (kind, text)
        })
        .collect();
    compare(&cases);
}

proptest! {
    /// Whatever the text, the AWS CLI's reading returns sections or an
    /// error, never a panic, and every warning has a place.
    #[test]
    fn never_panics(text in "(\\PC|[ \t\r\n\u{1c}\u{85}\u{a0}\u{feff}=:\\[\\]#;'\"\\\\]){0,200}") {
        for kind in [FileKind::Config, FileKind::Credentials] {
            if let Ok(file) = aws_cli::parse_file(&text, kind) {
                for w in &file.warnings {
                    prop_assert!(w.location.line >= 1 && w.location.column >= 1);
                }
            }
        }
    }
}
