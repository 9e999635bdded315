//! Joins the config and credentials files into one profile set, as the
//! cross-SDK tests define it: repeated sections merge, later keys win, and
//! credentials file keys win over config file keys.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::error::ParseError;
use crate::model::{FileKind, ProfileSet, Section};
use crate::parse::{parse_file, ParsedFile, SectionKind};

/// Both files merged, with the warnings of both (config file first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed<'a> {
    pub profiles: ProfileSet<'a>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed<'_> {
    pub fn into_owned(self) -> Parsed<'static> {
        Parsed {
            profiles: self.profiles.into_owned(),
            diagnostics: self.diagnostics,
        }
    }
}

/// Merges the two files (either may be absent).
pub fn merge<'a>(
    config: Option<ParsedFile<'a>>,
    credentials: Option<ParsedFile<'a>>,
) -> Parsed<'a> {
    let mut parsed = Parsed::default();
    for file in [config, credentials].into_iter().flatten() {
        parsed.diagnostics.extend(file.warnings);
        for section in file.sections {
            let map = match section.kind {
                SectionKind::Profile => &mut parsed.profiles.profiles,
                SectionKind::SsoSession => &mut parsed.profiles.sso_sessions,
                SectionKind::Services => &mut parsed.profiles.services,
            };
            let target = map.entry(section.name.clone()).or_insert_with(|| Section {
                name: section.name,
                location: section.location,
                properties: BTreeMap::new(),
            });
            target.properties.extend(section.properties);
        }
    }
    parsed
}

/// Parses and merges both files' text.
pub fn parse_files<'a>(
    config: Option<&'a str>,
    credentials: Option<&'a str>,
) -> Result<Parsed<'a>, ParseError> {
    let config = config
        .map(|text| parse_file(text, FileKind::Config))
        .transpose()?;
    let credentials = credentials
        .map(|text| parse_file(text, FileKind::Credentials))
        .transpose()?;
    Ok(merge(config, credentials))
}
