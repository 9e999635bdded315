//! Form encoding against Python's `urllib.parse.quote_plus`: a committed
//! table (tests/data/quote_plus.json, written by gen_quote_plus.py) and
//! properties over arbitrary strings.

use proptest::prelude::*;
use rolectl_sts_client::form::{decode_pairs, encode_pairs, quote_plus, unquote_plus};

fn table() -> Vec<(String, String)> {
    let text = include_str!("data/quote_plus.json");
    serde_json::from_str(text).expect("quote_plus.json is a list of [input, encoded] pairs")
}

#[test]
fn matches_python_quote_plus_on_the_committed_table() {
    let table = table();
    assert!(table.len() >= 30);
    for (input, expected) in table {
        assert_eq!(quote_plus(&input), expected, "input {input:?}");
        assert_eq!(unquote_plus(&expected).unwrap(), input);
    }
}

#[test]
fn pairs_are_joined_in_order() {
    let pairs = [("Action", "AssumeRole"), ("a b", "c&d=e"), ("empty", "")];
    assert_eq!(
        encode_pairs(&pairs),
        "Action=AssumeRole&a+b=c%26d%3De&empty="
    );
    assert_eq!(encode_pairs::<&str, &str>(&[]), "");
}

#[test]
fn malformed_escapes_are_errors_not_panics() {
    assert!(unquote_plus("%").is_err());
    assert!(unquote_plus("%4").is_err());
    assert!(unquote_plus("%zz").is_err());
    assert!(unquote_plus("%+1").is_err());
    assert!(
        unquote_plus("%FF").is_err(),
        "a lone 0xFF byte is not UTF-8"
    );
    assert_eq!(unquote_plus("%e2%82%ac").unwrap(), "€");
}

/// Strings proptest generates, encoded by the real `quote_plus` in one
/// Python run; `ROLECTL_PYTHON` names the interpreter (scripts/test.sh sets it).
#[test]
fn matches_python_quote_plus_on_generated_strings() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use std::io::Write;
    use std::process::{Command, Stdio};

    let python = std::env::var("ROLECTL_PYTHON").unwrap_or_else(|_| {
        panic!("ROLECTL_PYTHON is not set: run the tests through ./scripts/test.sh, which sets it")
    });
    let mut runner = TestRunner::default();
    let strategy = proptest::string::string_regex("(.|[ +%&=~*/\\n\\x00])*").unwrap();
    let mut inputs: Vec<String> = Vec::new();
    for _ in 0..300 {
        inputs.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    for _ in 0..100 {
        inputs.push(any::<String>().new_tree(&mut runner).unwrap().current());
    }
    let mut child = Command::new(&python)
        .args([
            "-c",
            "import json, sys; from urllib.parse import quote_plus; \
             print(json.dumps([quote_plus(s) for s in json.load(sys.stdin)]))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&inputs).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{python} failed");
    let expected: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(expected.len(), inputs.len());
    for (input, expected) in inputs.iter().zip(expected) {
        assert_eq!(quote_plus(input), expected, "input {input:?}");
    }
}

proptest! {
    #[test]
    fn unreserved_text_is_unchanged(input in "[A-Za-z0-9_.~-]*") {
        prop_assert_eq!(quote_plus(&input), input);
    }

    #[test]
    fn output_uses_only_safe_characters(input in any::<String>()) {
        let encoded = quote_plus(&input);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-~+%".contains(&b)));
        prop_assert!(!encoded.contains(['&', '=', ' ']));
    }

    #[test]
    fn round_trips(input in any::<String>()) {
        prop_assert_eq!(unquote_plus(&quote_plus(&input)).unwrap(), input);
    }

    #[test]
    fn pairs_round_trip(pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..8)) {
        let body = encode_pairs(&pairs);
        let decoded = decode_pairs(&body).unwrap();
        if pairs.is_empty() {
            prop_assert!(decoded.is_empty());
        } else {
            prop_assert_eq!(decoded, pairs);
        }
    }

    #[test]
    fn decoding_never_panics(input in any::<String>()) {
        let _ = unquote_plus(&input);
        let _ = decode_pairs(&input);
    }
}
