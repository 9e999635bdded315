//! Joins the config and credentials files into one profile set, as the
//! cross-SDK tests define it: repeated sections merge, later keys win, and
//! credentials file keys win over config file keys.

use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use crate::error::ParseError;
use crate::model::{FileKind, ProfileSet, Section};
use crate::name_map::Sections;
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
    let files = [config, credentials];
    let slot = |kind| match kind {
        SectionKind::Profile => 0,
        SectionKind::SsoSession => 1,
        SectionKind::Services => 2,
    };
    // Sized up front: growing vectors this large copies them into fresh
    // pages again and again.
    let mut counts = [0; 3];
    for section in files.iter().flatten().flat_map(|file| &file.sections) {
        counts[slot(section.kind)] += 1;
    }
    let mut by_kind: [Vec<(Cow<'a, str>, Section<'a>)>; 3] = counts.map(Vec::with_capacity);
    let mut diagnostics = Vec::new();
    for file in files.into_iter().flatten() {
        diagnostics.extend(file.warnings);
        for section in file.sections {
            by_kind[slot(section.kind)].push((
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

/// Sections in file order (config file first) to a map; a repeated name
/// adds its properties to the first section of that name, later keys winning.
fn join_sections<'a>(mut sections: Vec<(Cow<'a, str>, Section<'a>)>) -> Sections<'a> {
    sections.sort_by(|a, b| a.0.cmp(&b.0));
    // `dedup_by` hands over the later of two neighbours first.
    sections.dedup_by(|(name, later), (kept, earlier)| {
        let same = name == kept;
        if same {
            earlier.properties.append(&mut later.properties);
        }
        same
    });
    Sections::from_sorted(sections)
}
