//! Reads only the sections one profile's resolution needs: a fast scan
//! finds every header (and refuses every file the full reading refuses),
//! then the profile, the profiles its `source_profile` links reach, their
//! `sso_session` and `services` sections and `[DEFAULT]` are read fully.
//! Big organisation configs then cost little more than the scan.

use std::borrow::Cow;

use super::{
    config_target, header_text, indent_of, is_splitlines_break, py_lines, py_strip, Reader, Target,
    BOM,
};
use crate::error::{LineKind, ParseError};
use crate::merge::{merge, Parsed};
use crate::model::{FileKind, Location};
use crate::parse::{ParsedFile, SectionKind};

/// One header found by the scan.
struct Found<'a> {
    target: Target<'a>,
    /// [`name_hash`] of the section it names (0 for others): comparing it
    /// first keeps the search for a name from comparing thousands of texts.
    hash: u64,
    /// Where its line starts in the text, and its line number.
    start: usize,
    line: u32,
}

/// FNV-1a of a section's kind and name.
fn name_hash(kind: SectionKind, name: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ kind as u64;
    for b in name.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// One file: its text (without a byte order mark), its headers and which
/// of them are read.
struct Scanned<'a> {
    file: FileKind,
    text: &'a str,
    bom: bool,
    headers: Vec<Found<'a>>,
    selected: Vec<bool>,
}

impl Scanned<'_> {
    /// Selects every header naming `kind` `name`.
    fn select(&mut self, kind: SectionKind, name: &str) {
        let hash = name_hash(kind, name);
        for (found, selected) in self.headers.iter().zip(&mut self.selected) {
            if found.hash == hash
                && matches!(&found.target, Target::Kept(k, n) if *k == kind && n == name)
            {
                *selected = true;
            }
        }
    }
}

/// The sections asked for so far.
#[derive(Default)]
struct Wanted {
    seen: Vec<(SectionKind, String)>,
    /// Asked for since the last round.
    new: Vec<(SectionKind, String)>,
}

impl Wanted {
    fn ask(&mut self, kind: SectionKind, name: &str) {
        if !self.seen.iter().any(|(k, n)| *k == kind && n == name) {
            self.seen.push((kind, name.to_owned()));
            self.new.push((kind, name.to_owned()));
        }
    }

    /// Asks for what the profiles of `parsed` point to.
    fn follow(&mut self, parsed: &Parsed<'_>) {
        for (_, section) in parsed.profiles.profiles.iter() {
            for (key, kind) in [
                ("source_profile", SectionKind::Profile),
                ("sso_session", SectionKind::SsoSession),
                ("services", SectionKind::Services),
            ] {
                if let Some(name) = section.value(key) {
                    self.ask(kind, name);
                }
            }
        }
    }
}

/// As [`super::parse_files`], with only the sections that resolving
/// `profile` reads: the same sections, values, places and errors as the
/// full reading gives for them. Warnings come from those sections alone
/// (and a byte order mark); `lint` reads the whole files.
pub fn parse_files_for<'a>(
    config: Option<&'a str>,
    credentials: Option<&'a str>,
    profile: &str,
) -> Result<Parsed<'a>, ParseError> {
    let mut config = config.map(|t| scan(t, FileKind::Config)).transpose()?;
    let mut credentials = credentials
        .map(|t| scan(t, FileKind::Credentials))
        .transpose()?;
    let mut wanted = Wanted::default();
    wanted.ask(SectionKind::Profile, profile);
    // Each round reads what the last one pointed to: as many rounds as the
    // chain is long, each reading a handful of sections.
    loop {
        for file in config.iter_mut().chain(credentials.iter_mut()) {
            for (kind, name) in &wanted.new {
                file.select(*kind, name);
            }
        }
        wanted.new.clear();
        let read = |file: &Option<Scanned<'a>>| file.as_ref().map(read_selected).transpose();
        let parsed = merge(read(&config)?, read(&credentials)?);
        wanted.follow(&parsed);
        if wanted.new.is_empty() {
            return Ok(parsed);
        }
    }
}

/// Reads the selected headers of `scanned`, in file order.
fn read_selected<'a>(scanned: &Scanned<'a>) -> Result<ParsedFile<'a>, ParseError> {
    let mut reader = Reader::new(scanned.file, scanned.bom);
    let headers = &scanned.headers;
    for (i, found) in headers.iter().enumerate() {
        if !scanned.selected[i] {
            continue;
        }
        let end = headers
            .get(i + 1)
            .map_or(scanned.text.len(), |next| next.start);
        reader.feed(&scanned.text[found.start..end], found.line)?;
        // The next header closes the last value: end it here.
        reader.close_value()?;
    }
    reader.end()
}

/// Finds every header, and checks every line as the full reading does, so
/// that a file it refuses is refused here with the same error.
fn scan(text: &str, file: FileKind) -> Result<Scanned<'_>, ParseError> {
    let (text, bom) = match text.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let location = |line: u32, column: usize| Location {
        file,
        line,
        column: u32::try_from(column).unwrap_or(u32::MAX),
    };
    let mut headers = Vec::new();
    // The open value: whether its first line is empty (sub-properties).
    let mut open: Option<bool> = None;
    let mut indent_level = 0;
    let mut number = 0u32;
    for raw in py_lines(text) {
        number = number.saturating_add(1);
        let stripped = py_strip(raw);
        if stripped.is_empty() || stripped.starts_with(['#', ';']) {
            continue;
        }
        let indent = indent_of(raw, stripped);
        if let Some(nested) = open {
            if indent > indent_level {
                if nested {
                    for piece in stripped.split(is_splitlines_break) {
                        let piece = py_strip(piece);
                        if !piece.is_empty() && !piece.contains('=') {
                            return Err(ParseError::MissingEquals {
                                location: location(number, indent + 1),
                                kind: LineKind::SubProperty,
                            });
                        }
                    }
                }
                continue;
            }
        }
        indent_level = indent;
        open = None;
        if let Some(raw_header) = header_text(stripped) {
            let target = match file {
                FileKind::Config => config_target(raw_header),
                FileKind::Credentials if raw_header == "DEFAULT" => Target::Defaults,
                FileKind::Credentials => {
                    Target::Kept(SectionKind::Profile, Cow::Borrowed(raw_header))
                }
            };
            let hash = match &target {
                Target::Kept(kind, name) => name_hash(*kind, name),
                _ => 0,
            };
            headers.push(Found {
                target,
                hash,
                start: raw.as_ptr() as usize - text.as_ptr() as usize,
                line: number,
            });
            continue;
        }
        let at = location(number, indent + 1);
        if headers.is_empty() {
            return Err(ParseError::ExpectedProfile { location: at });
        }
        let Some(delimiter) = stripped.bytes().position(|b| b == b'=' || b == b':') else {
            return Err(if stripped.starts_with('[') {
                ParseError::UnclosedSectionHeader { location: at }
            } else {
                ParseError::MissingEquals {
                    location: at,
                    kind: LineKind::Property,
                }
            });
        };
        if stripped[..delimiter]
            .trim_end_matches(super::is_py_space)
            .is_empty()
        {
            return Err(ParseError::MissingName {
                location: at,
                kind: LineKind::Property,
            });
        }
        open = Some(py_strip(&stripped[delimiter + 1..]).is_empty());
    }
    // `[DEFAULT]` gives keys to every section: always read.
    let selected = headers
        .iter()
        .map(|h| h.target == Target::Defaults)
        .collect();
    Ok(Scanned {
        file,
        text,
        bom,
        headers,
        selected,
    })
}
