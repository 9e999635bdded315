//! Reading arguments and option objects from JavaScript, checking every
//! type: a wrong type is a `TypeError` that names the function, the option
//! and what was given, never a trap.

use js_sys::{Function, Object, Reflect};
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{type_of, JsFailure};

/// The largest config or credentials text accepted (16 MiB). A shared
/// config file is a few kilobytes; anything near this is not one.
pub const MAX_FILE_CHARS: usize = 16 * 1024 * 1024;

/// An option object (`undefined` or `null` reads as empty).
pub struct Opts<'a> {
    pub function: &'static str,
    object: Option<&'a Object>,
}

impl<'a> Opts<'a> {
    pub fn new(function: &'static str, value: &'a JsValue) -> Result<Opts<'a>, JsFailure> {
        if value.is_undefined() || value.is_null() {
            return Ok(Opts {
                function,
                object: None,
            });
        }
        match value.dyn_ref::<Object>() {
            Some(object) if !js_sys::Array::is_array(value) && !value.is_function() => Ok(Opts {
                function,
                object: Some(object),
            }),
            _ => Err(JsFailure::type_error(format!(
                "{function}: the options must be an object, got {}.",
                type_of(value)
            ))),
        }
    }

    /// The raw value of option `name` (`undefined` when absent).
    pub fn raw(&self, name: &str) -> Result<JsValue, JsFailure> {
        let Some(object) = self.object else {
            return Ok(JsValue::UNDEFINED);
        };
        Reflect::get(object, &JsValue::from_str(name)).map_err(|e| {
            JsFailure::type_error(format!(
                "{}: reading option `{name}` failed: {}",
                self.function,
                crate::error::describe(&e)
            ))
        })
    }

    fn wrong(&self, name: &str, want: &str, value: &JsValue) -> JsFailure {
        JsFailure::type_error(format!(
            "{}: option `{name}` must be {want}, got {}.",
            self.function,
            type_of(value)
        ))
    }

    pub fn string(&self, name: &str) -> Result<Option<String>, JsFailure> {
        let value = self.raw(name)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| self.wrong(name, "a string", &value))
    }

    pub fn required_string(&self, name: &str) -> Result<String, JsFailure> {
        self.string(name)?.ok_or_else(|| {
            JsFailure::type_error(format!(
                "{}: option `{name}` is required (a string).",
                self.function
            ))
        })
    }

    /// A config or credentials text, at most [`MAX_FILE_CHARS`] long.
    pub fn file_text(&self, name: &str) -> Result<Option<String>, JsFailure> {
        let text = self.string(name)?;
        if let Some(t) = &text {
            check_file_size(self.function, name, t)?;
        }
        Ok(text)
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, JsFailure> {
        let value = self.raw(name)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_bool()
            .map(Some)
            .ok_or_else(|| self.wrong(name, "a boolean", &value))
    }

    pub fn number(&self, name: &str) -> Result<Option<f64>, JsFailure> {
        let value = self.raw(name)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        match value.as_f64() {
            Some(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(self.wrong(name, "a finite number", &value)),
        }
    }

    pub fn function(&self, name: &str) -> Result<Option<Function>, JsFailure> {
        let value = self.raw(name)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|v| self.wrong(name, "a function", &v))
    }

    pub fn object(&self, name: &str) -> Result<Option<Object>, JsFailure> {
        let value = self.raw(name)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        if js_sys::Array::is_array(&value) || value.is_function() {
            return Err(self.wrong(name, "an object", &value));
        }
        value
            .dyn_into::<Object>()
            .map(Some)
            .map_err(|v| self.wrong(name, "an object", &v))
    }

    /// A map of strings (`env`); entries whose value is `undefined` are skipped.
    pub fn string_map(&self, name: &str) -> Result<BTreeMap<String, String>, JsFailure> {
        let Some(object) = self.object(name)? else {
            return Ok(BTreeMap::new());
        };
        let mut map = BTreeMap::new();
        for entry in Object::entries(&object).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let key = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            if value.is_undefined() {
                continue;
            }
            let Some(value) = value.as_string() else {
                return Err(JsFailure::type_error(format!(
                    "{}: option `{name}`: the value of {key:?} must be a string, got {}.",
                    self.function,
                    type_of(&value)
                )));
            };
            map.insert(key, value);
        }
        Ok(map)
    }
}

pub fn check_file_size(function: &str, name: &str, text: &str) -> Result<(), JsFailure> {
    if text.len() > MAX_FILE_CHARS {
        return Err(JsFailure::invalid(format!(
            "{function}: `{name}` is {} bytes long; rolectl reads config and credentials files of at most {} bytes.",
            text.len(),
            MAX_FILE_CHARS
        )));
    }
    Ok(())
}

/// A positional string argument (`parseConfig(configText, credentialsText?)`).
#[cfg(feature = "full")]
pub fn string_arg(
    function: &str,
    name: &str,
    value: &JsValue,
    required: bool,
) -> Result<Option<String>, JsFailure> {
    if !required && (value.is_undefined() || value.is_null()) {
        return Ok(None);
    }
    let Some(text) = value.as_string() else {
        return Err(JsFailure::type_error(format!(
            "{function}: `{name}` must be a string, got {}.",
            type_of(value)
        )));
    };
    check_file_size(function, name, &text)?;
    Ok(Some(text))
}
