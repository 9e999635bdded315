//! Joins the config and credentials files into one profile set, as the
//! cross-SDK tests define it: repeated sections merge, later keys win, and
//! credentials file keys win over config file keys.

use std::borrow::Cow;
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
    let mut diagnostics = Vec::new();
    let mut by_kind: [Vec<(Cow<'a, str>, Section<'a>)>; 3] = Default::default();
    for file in [config, credentials].into_iter().flatten() {
        diagnostics.extend(file.warnings);
        for section in file.sections {
            let slot = match section.kind {
                SectionKind::Profile => 0,
                SectionKind::SsoSession => 1,
                SectionKind::Services => 2,
            };
            by_kind[slot].push((
                section.name.clone(),
                Section {
                    name: section.name,
                    location: section.location,
                    properties: section.properties,
                },
            ));
        }
    }
    let [profiles, sso_sessions, services] = by_kind.map(join_sections);
    Parsed {
        profiles: ProfileSet {
            profiles,
            sso_sessions,
            services,
        },
        diagnostics,
    }
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

/// Sections in file order (config file first) to a map, later keys winning.
/// A stable sort then one bulk build is linear on the usual sorted files,
/// where inserting one by one would search the tree for every section.
fn join_sections<'a>(
    mut sections: Vec<(Cow<'a, str>, Section<'a>)>,
) -> BTreeMap<Cow<'a, str>, Section<'a>> {
    sections.sort_by(|a, b| a.0.cmp(&b.0));
    // `dedup_by` hands over the later of two neighbours first.
    sections.dedup_by(|(name, later), (kept, earlier)| {
        let same = name == kept;
        if same {
            earlier.properties.append(&mut later.properties);
        }
        same
    });
    // Collecting a Vec's own iterator reuses its buffer; sorted keys are
    // then built into the tree in one pass.
    sections.into_iter().collect()
}
