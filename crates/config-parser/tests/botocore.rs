//! Checks each "the AWS CLI reads this differently" warning against botocore
//! itself: for every case, the parser raises the warning, and botocore's
//! `load_config` reads the file the way the warning says. `ROLECTL_PYTHON`
//! names a Python with botocore (scripts/test.sh sets it).

mod support;

use rolectl_config_parser::{parse_file, DiagnosticCode as Code, FileKind};
use serde_json::{json, Value};

const READER: &str = r#"
import json, os, sys, tempfile
import awscli  # the AWS CLI then loads the botocore it ships
from botocore.configloader import load_config
out = []
for text in json.load(sys.stdin):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", delete=False) as f:
        f.write(text)
    try:
        out.append({"profiles": load_config(f.name)["profiles"]})
    except Exception as e:
        out.append({"refused": type(e).__name__})
    finally:
        os.unlink(f.name)
print(json.dumps(out))
"#;

/// How botocore reads each config text: `{"profiles": ...}` or `{"refused": ...}`.
fn botocore_reads(texts: &[&str]) -> Vec<Value> {
    match support::python_json(READER, &json!(texts)) {
        Value::Array(read) => read,
        other => panic!("Python printed {other}"),
    }
}

#[test]
fn warnings_describe_what_botocore_does() {
    let cases: Vec<(&str, Code, Value)> = vec![
        (
            "[profile a]\nregion = us-west-2 # x\n",
            Code::InlineComment,
            json!({"profiles": {"a": {"region": "us-west-2 # x"}}}),
        ),
        (
            "[profile a]\nx = 1\n[profile a]\ny = 2\n",
            Code::DuplicateSection,
            json!({"refused": "ConfigParseError"}),
        ),
        (
            "[profile a]\nx = 1\n[profile  a]\ny = 2\n",
            Code::DuplicateSection,
            json!({"profiles": {"a": {"y": "2"}}}),
        ),
        (
            "[profile a]\nx = 1\nX = 2\n",
            Code::DuplicateKey,
            json!({"refused": "ConfigParseError"}),
        ),
        (
            "[profile default]\ny = 2\n[default]\nx = 1\n",
            Code::DefaultProfileConflict,
            json!({"profiles": {"default": {"x": "1"}}}),
        ),
        (
            "\u{feff}[default]\nx = 1\n",
            Code::ByteOrderMark,
            json!({"refused": "ConfigParseError"}),
        ),
        (
            "[DEFAULT]\nregion = us-east-1\n[profile a]\nx = 1\n",
            Code::DefaultSection,
            json!({"profiles": {"a": {"x": "1", "region": "us-east-1"}}}),
        ),
        (
            "[profile a]\nx = 1\n  # note\n  2\n",
            Code::IndentedComment,
            json!({"profiles": {"a": {"x": "1\n2"}}}),
        ),
        (
            "[profile a]\nx = 1\n\n  2\n",
            Code::BlankLineInValue,
            json!({"profiles": {"a": {"x": "1\n\n2"}}}),
        ),
        (
            "[ profile a ]\nx = 1\n",
            Code::PaddedSectionHeader,
            json!({"profiles": {}}),
        ),
        (
            "[profile a]\nsso:region = us-east-1\n",
            Code::ColonInKey,
            json!({"profiles": {"a": {"sso": "region = us-east-1"}}}),
        ),
    ];
    let texts: Vec<&str> = cases.iter().map(|(text, _, _)| *text).collect();
    let read = botocore_reads(&texts);
    for ((text, code, expected), actual) in cases.iter().zip(&read) {
        let file = parse_file(text, FileKind::Config).expect("the cross-SDK rules read it");
        assert!(
            file.warnings.iter().any(|w| w.code == *code),
            "{text:?}: no {code} in {:?}",
            file.warnings
        );
        assert_eq!(actual, expected, "botocore on {text:?}");
    }
}

#[test]
fn a_colon_line_is_read_by_botocore_as_the_error_says() {
    let text = "[profile a]\nregion: us-east-1\n";
    let err = parse_file(text, FileKind::Config).unwrap_err();
    assert!(err.to_string().contains("`region = us-east-1`"), "{err}");
    assert_eq!(
        botocore_reads(&[text]),
        [json!({"profiles": {"a": {"region": "us-east-1"}}})]
    );
}

#[test]
fn lines_without_warnings_read_the_same_in_botocore() {
    let text = "# c\n[default]\nregion = us-east-1\n[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\nvalue = x#y\nnote = one\n  two\n[profile b] ; c\ns3 =\n  addressing_style = path\n";
    let parsed = rolectl_config_parser::parse_files(Some(text), None).expect("parses");
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let mut ours = serde_json::Map::new();
    for (name, section) in &parsed.profiles.profiles {
        let props: serde_json::Map<String, Value> = section
            .properties
            .iter()
            .map(|(k, p)| {
                let value = if p.sub_properties.is_empty() {
                    json!(p.value)
                } else {
                    // botocore parses sub-property blocks into a dict.
                    p.sub_properties
                        .iter()
                        .map(|(k, v)| (k.to_string(), json!(v.value)))
                        .collect()
                };
                (k.to_string(), value)
            })
            .collect();
        ours.insert(name.to_string(), Value::Object(props));
    }
    assert_eq!(botocore_reads(&[text]), [json!({"profiles": ours})]);
}
