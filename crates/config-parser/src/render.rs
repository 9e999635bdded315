//! Writes a profile set back as config or credentials file text that parses
//! to the same set, for tools that fix or generate files. The format has no
//! quoting, so a few values cannot be written; those are errors.

use std::fmt::Write as _;

use thiserror::Error;

use crate::line;
use crate::model::{ProfileSet, Property, Section};

/// Why a profile set cannot be written as text that reads back the same.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error("The section name `{name}` cannot be written: names must be non-empty and use only letters, digits and _ - / . % @ : +.")]
    InvalidName { name: String },

    #[error("The key `{key}` in [{section}] cannot be written: keys must be non-empty, lowercase, and use only letters, digits and _ - / . % @ : +.")]
    InvalidKey { section: String, key: String },

    #[error("The value of `{key}` in [{section}] cannot be written so that it reads back the same: {reason}.")]
    Value {
        section: String,
        key: String,
        reason: &'static str,
    },

    #[error("The credentials file holds only profiles; [{section}] belongs in the config file.")]
    NotInCredentials { section: String },
}

impl ProfileSet<'_> {
    /// The set as a config file: `[default]` or `[profile NAME]`, then
    /// `[sso-session NAME]` and `[services NAME]` sections, in name order.
    pub fn render_config(&self) -> Result<String, RenderError> {
        let mut out = String::new();
        for (name, section) in &self.profiles {
            let header = if name == "default" {
                "default".to_owned()
            } else {
                format!("profile {name}")
            };
            render_section(&mut out, &header, name, section)?;
        }
        for (name, section) in &self.sso_sessions {
            render_section(&mut out, &format!("sso-session {name}"), name, section)?;
        }
        for (name, section) in &self.services {
            render_section(&mut out, &format!("services {name}"), name, section)?;
        }
        Ok(out)
    }

    /// The profiles as a credentials file (`[NAME]` sections).
    pub fn render_credentials(&self) -> Result<String, RenderError> {
        if let Some(name) = self.sso_sessions.keys().next() {
            return Err(RenderError::NotInCredentials {
                section: format!("sso-session {name}"),
            });
        }
        if let Some(name) = self.services.keys().next() {
            return Err(RenderError::NotInCredentials {
                section: format!("services {name}"),
            });
        }
        let mut out = String::new();
        for (name, section) in &self.profiles {
            render_section(&mut out, name, name, section)?;
        }
        Ok(out)
    }
}

fn render_section(
    out: &mut String,
    header: &str,
    name: &str,
    section: &Section<'_>,
) -> Result<(), RenderError> {
    if name.is_empty() || !line::is_identifier(name) {
        return Err(RenderError::InvalidName {
            name: name.to_owned(),
        });
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "[{header}]");
    for (key, property) in &section.properties {
        render_property(out, header, key, property)?;
    }
    Ok(())
}

fn render_property(
    out: &mut String,
    section: &str,
    key: &str,
    property: &Property<'_>,
) -> Result<(), RenderError> {
    if key.is_empty() || !line::is_identifier(key) || key.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(RenderError::InvalidKey {
            section: section.to_owned(),
            key: key.to_owned(),
        });
    }
    let fail = |reason| RenderError::Value {
        section: section.to_owned(),
        key: key.to_owned(),
        reason,
    };
    let mut lines = property.value.split('\n');
    let first = lines.next().unwrap_or_default();
    let first_line = if first.is_empty() {
        format!("{key} =")
    } else {
        format!("{key} = {first}")
    };
    if line::trim_blanks(first) != first || first.ends_with('\r') {
        return Err(fail("its first line starts or ends with a blank"));
    }
    match line::key_value(&first_line) {
        Ok(kv) if kv.value == first && kv.comment.is_none() => {}
        _ => return Err(fail("its first line would be read as holding a comment")),
    }
    out.push_str(&first_line);
    out.push('\n');
    for next in lines {
        if next.is_empty() || line::trim_blanks(next) != next || next.ends_with('\r') {
            return Err(fail("a later line is empty or starts or ends with a blank"));
        }
        if first.is_empty() && line::key_value(next).is_err() {
            return Err(fail("a line of a sub-property block is not `name = value`"));
        }
        out.push_str("  ");
        out.push_str(next);
        out.push('\n');
    }
    Ok(())
}
