//! JavaScript errors: every failure reaches JS as an `Error` (a `TypeError`
//! for an argument of the wrong type) with a `code` property: the STS error
//! code (`AccessDenied`, ...) when STS refused a call, else a rolectl code
//! (`ProfileNotFound`, `InvalidArgument`, `AbortError`, ...).

use js_sys::{Error, Object, Reflect, TypeError};
use rolectl_config_parser::{Location, ParseError};
use rolectl_resolver::ResolveError;
use wasm_bindgen::{JsCast, JsValue};

/// An error on its way to JavaScript.
#[derive(Clone, Debug)]
pub struct JsFailure {
    pub code: String,
    pub message: String,
    pub type_error: bool,
    /// Extra properties (`profile`, `operation`, `file`, `line`, `column`, ...).
    pub fields: Vec<(&'static str, JsValue)>,
}

impl JsFailure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        JsFailure {
            code: code.into(),
            message: message.into(),
            type_error: false,
            fields: Vec::new(),
        }
    }

    /// A `TypeError` with code `InvalidArgument`.
    pub fn type_error(message: impl Into<String>) -> Self {
        JsFailure {
            type_error: true,
            ..JsFailure::new("InvalidArgument", message)
        }
    }

    /// An `Error` with code `InvalidArgument` (right type, unusable value).
    pub fn invalid(message: impl Into<String>) -> Self {
        JsFailure::new("InvalidArgument", message)
    }

    pub fn with(mut self, name: &'static str, value: impl Into<JsValue>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    pub fn with_location(self, location: Location) -> Self {
        self.with("file", location.file.as_str())
            .with("line", location.line)
            .with("column", location.column)
    }

    pub fn into_js(self) -> JsValue {
        let error: Error = if self.type_error {
            TypeError::new(&self.message).unchecked_into()
        } else {
            Error::new(&self.message)
        };
        let object: &Object = error.as_ref();
        let _ = Reflect::set(object, &"code".into(), &self.code.as_str().into());
        if self.code == "AbortError" {
            let _ = Reflect::set(object, &"name".into(), &"AbortError".into());
        }
        for (name, value) in self.fields {
            let _ = Reflect::set(object, &name.into(), &value);
        }
        error.into()
    }
}

impl From<JsFailure> for JsValue {
    fn from(failure: JsFailure) -> JsValue {
        failure.into_js()
    }
}

/// The name of an enum variant from its derived `Debug` text (`Cycle { .. }`
/// gives `Cycle`). Only the name is kept, never a field.
pub fn variant_name(debug: &str) -> String {
    debug
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A config or credentials file that cannot be read.
pub fn parse_failure(error: &ParseError) -> JsFailure {
    let location = error.location();
    JsFailure::new("ParseError", format!("{location}: {error}"))
        .with("kind", variant_name(&format!("{error:?}")))
        .with_location(location)
}

/// A resolution error; `sts_code` is the STS code of the failed call, when
/// the error is an STS one.
pub fn resolve_failure(error: &ResolveError, sts_code: Option<String>) -> JsFailure {
    let code = match (error, sts_code) {
        (ResolveError::Sts { .. }, Some(code)) => code,
        _ => variant_name(&format!("{error:?}")),
    };
    let mut failure = JsFailure::new(code, error.to_string());
    if let ResolveError::Sts {
        operation, profile, ..
    } = error
    {
        failure = failure.with("operation", *operation);
        if let Some(profile) = profile {
            failure = failure.with("profile", profile.as_str());
        }
    }
    if let Some(location) = error.location() {
        failure = failure.with_location(location);
    }
    failure
}

/// The message of a value JavaScript threw or rejected with.
pub fn describe(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    if let Some(error) = value.dyn_ref::<Error>() {
        let message: String = error.message().into();
        let name: String = error.name().into();
        return if message.is_empty() {
            name
        } else {
            format!("{name}: {message}")
        };
    }
    if value.is_undefined() || value.is_null() {
        return format!("{value:?}");
    }
    let type_name = type_of(value);
    format!("a {type_name} that is not an Error")
}

/// `typeof value`, with `null` and arrays told apart.
pub fn type_of(value: &JsValue) -> String {
    if value.is_null() {
        return "null".to_owned();
    }
    if js_sys::Array::is_array(value) {
        return "array".to_owned();
    }
    value.js_typeof().as_string().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::variant_name;

    #[test]
    fn variant_names_keep_no_field() {
        assert_eq!(variant_name("Cycle { chain: [\"a\"] }"), "Cycle");
        assert_eq!(variant_name("NoCredentials"), "NoCredentials");
        assert_eq!(variant_name("Sts(\"x\")"), "Sts");
    }
}
