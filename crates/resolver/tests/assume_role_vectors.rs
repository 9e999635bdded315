//! Every case of the cross-SDK `assume-role-tests.json`, through `plan`.

use rolectl_resolver::conformance::{output_for, snapshot_from_input};
use serde_json::Value;

const VECTORS: &str = include_str!("../../../tests/vectors/aws-config/assume-role-tests.json");

#[test]
fn all_28_cases() {
    let cases: Vec<Value> = serde_json::from_str(VECTORS).expect("vectors are JSON");
    assert_eq!(cases.len(), 28);
    let mut failures = Vec::new();
    for case in &cases {
        let snapshot = snapshot_from_input(&case["input"]).expect("case input");
        let got = output_for(&snapshot);
        if got != case["output"] {
            failures.push(format!(
                "{}\n  want {}\n  got  {}",
                case["docs"], case["output"], got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
