//! Joins the config and credentials files into one profile set, as the
//! cross-SDK tests define it: repeated sections merge, later keys win, and
//! credentials file keys win over config file keys.

use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use crate::error::ParseError;
use crate::model::{FileKind, ProfileSet, Section};
use crate::name_map::{Properties, Sections};
use crate::parse::{parse_file, FileSection, ParsedFile, SectionKind};

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
    let mut files: Vec<ParsedFile<'a>> = [config, credentials].into_iter().flatten().collect();
    let mut diagnostics = Vec::new();
    // Where each section is (file, index), by kind, in file order. Sorting
    // these small pairs rather than the sections themselves needs no large
    // scratch buffer, and each section is then moved once, straight into
    // its place in the profile set.
    let mut places: [Vec<(usize, usize)>; 3] = Default::default();
    for (f, file) in files.iter_mut().enumerate() {
        diagnostics.append(&mut file.warnings);
        for (i, section) in file.sections.iter().enumerate() {
            let slot = match section.kind {
                SectionKind::Profile => 0,
                SectionKind::SsoSession => 1,
                SectionKind::Services => 2,
            };
            places[slot].push((f, i));
        }
    }
    let [profiles, sso_sessions, services] = places.map(|places| join_sections(&mut files, places));
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
    parse_both(config, credentials, parse_file)
}

/// Parses both files with `parse` (one of the two readings) and merges them.
pub(crate) fn parse_both<'a>(
    config: Option<&'a str>,
    credentials: Option<&'a str>,
    parse: fn(&'a str, FileKind) -> Result<ParsedFile<'a>, ParseError>,
) -> Result<Parsed<'a>, ParseError> {
    let config = config
        .map(|text| parse(text, FileKind::Config))
        .transpose()?;
    let credentials = credentials
        .map(|text| parse(text, FileKind::Credentials))
        .transpose()?;
    Ok(merge(config, credentials))
}

/// The sections at `places` (in file order, config file first) to a map;
/// a repeated name adds its properties to the first section of that name,
/// later keys winning.
fn join_sections<'a>(
    files: &mut [ParsedFile<'a>],
    mut places: Vec<(usize, usize)>,
) -> Sections<'a> {
    // A stable sort: sections of one name stay in file order.
    places.sort_by(|&(f, i), &(g, j)| files[f].sections[i].name.cmp(&files[g].sections[j].name));
    let mut joined: Vec<(Cow<'a, str>, Section<'a>)> = Vec::with_capacity(places.len());
    for (f, i) in places {
        let mut section = take_section(&mut files[f].sections[i]);
        match joined.last_mut() {
            Some((name, earlier)) if *name == section.name => {
                earlier.properties.append(&mut section.properties);
            }
            _ => joined.push((section.name.clone(), section)),
        }
    }
    Sections::from_sorted(joined)
}

/// Moves a section out of its file, leaving an empty one (which allocates
/// nothing) in its place.
fn take_section<'a>(slot: &mut FileSection<'a>) -> Section<'a> {
    let empty = FileSection {
        kind: slot.kind,
        name: Cow::Borrowed(""),
        location: slot.location,
        properties: Properties::new(),
    };
    let section = std::mem::replace(slot, empty);
    Section {
        name: section.name,
        location: section.location,
        properties: section.properties,
    }
}
