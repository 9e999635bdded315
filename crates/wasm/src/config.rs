//! `parseConfig`: the two files as the resolver reads them, as plain JSON
//! data (built with serde_json, handed over with `JSON.parse`).

use rolectl_config_parser::aws_cli::parse_files;
use rolectl_config_parser::{Location, Parsed, Property, Section, Sections};
use serde_json::{json, Map, Value};

use crate::error::{parse_failure, JsFailure};

pub fn location_json(location: Location) -> Value {
    json!({
        "file": location.file.as_str(),
        "line": location.line,
        "column": location.column,
    })
}

fn property_json(property: &Property) -> Value {
    let mut object = Map::new();
    object.insert("value".into(), json!(property.value));
    object.insert("location".into(), location_json(property.location));
    if !property.sub_properties.is_empty() {
        let subs: Map<String, Value> = property
            .sub_properties
            .iter()
            .map(|(name, p)| (name.to_string(), json!(p.value)))
            .collect();
        object.insert("subProperties".into(), Value::Object(subs));
    }
    Value::Object(object)
}

fn section_json(section: &Section) -> Value {
    let properties: Map<String, Value> = section
        .properties
        .iter()
        .map(|(name, p)| (name.to_string(), property_json(p)))
        .collect();
    json!({
        "name": section.name,
        "location": location_json(section.location),
        "properties": properties,
    })
}

fn sections_json(sections: &Sections) -> Value {
    Value::Object(
        sections
            .iter()
            .map(|(name, s)| (name.to_string(), section_json(s)))
            .collect(),
    )
}

pub fn parsed_json(parsed: &Parsed) -> Value {
    let warnings: Vec<Value> = parsed
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "code": d.code.as_str(),
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": d.location.file.as_str(),
                "line": d.location.line,
                "column": d.location.column,
            })
        })
        .collect();
    json!({
        "profiles": sections_json(&parsed.profiles.profiles),
        "ssoSessions": sections_json(&parsed.profiles.sso_sessions),
        "services": sections_json(&parsed.profiles.services),
        "warnings": warnings,
    })
}

/// The JSON text `parseConfig` returns (parsed again on the JS side).
pub fn parse_config(config: Option<&str>, credentials: Option<&str>) -> Result<String, JsFailure> {
    let parsed = parse_files(config, credentials).map_err(|e| parse_failure(&e))?;
    Ok(parsed_json(&parsed).to_string())
}

/// The JSON text `lint` returns: the findings `rolectl lint --format json`
/// gives, from the same function.
pub fn lint(config: Option<&str>, credentials: Option<&str>) -> String {
    let paths = rolectl_resolver::FilePaths::default();
    let findings: Vec<Value> = rolectl_resolver::lint::lint(config, credentials)
        .iter()
        .map(|f| f.to_json(&paths))
        .collect();
    Value::Array(findings).to_string()
}
