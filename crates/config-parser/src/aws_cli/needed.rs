//! Reads only the sections one profile's resolution needs: a fast scan
//! finds every header (and refuses every file the full reading refuses),
//! then the profile, the profiles its `source_profile` links reach, their
//! `sso_session` and `services` sections and `[DEFAULT]` are read fully.
//! Big organisation configs then cost little more than the scan.

use std::borrow::Cow;

use super::{
    config_target, header_text, indent_of, is_splitlines_break, py_strip, Reader, Target, BOM,
};
use crate::error::{LineKind, ParseError};
use crate::merge::{merge, Parsed};
use crate::model::{FileKind, Location};
use crate::parse::{ParsedFile, SectionKind};

/// One header found by the scan: small (a config may have thousands), so
/// the name it gives a section is worked out again where the hash matches.
struct Found {
    /// [`name_hash`] of the section it names: comparing it first keeps the
    /// search for a name from comparing thousands of texts.
    hash: u64,
    /// Where its line starts in the text, and its line number.
    start: usize,
    line: u32,
    /// What it is: a section ([`Target::Kept`]), `[DEFAULT]` or neither.
    kept: bool,
    defaults: bool,
}

/// What the header `raw_header` (the text inside the brackets) is in `file`.
fn target_of(raw_header: &str, file: FileKind) -> Target<'_> {
    match file {
        FileKind::Config => config_target(raw_header),
        FileKind::Credentials if raw_header == "DEFAULT" => Target::Defaults,
        FileKind::Credentials => Target::Kept(SectionKind::Profile, Cow::Borrowed(raw_header)),
    }
}

/// A hash of a section's kind and name, eight bytes at a time (names of
/// generated profiles are long and alike but for a few bytes).
fn name_hash(kind: SectionKind, name: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(K);
    let mut hash = mix(kind as u64, name.len() as u64);
    let mut chunks = name.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let word: [u8; 8] = chunk.try_into().unwrap_or_default();
        hash = mix(hash, u64::from_le_bytes(word));
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(hash, u64::from_le_bytes(last))
}

/// One file: its text (without a byte order mark), its headers and which
/// of them are read.
struct Scanned<'a> {
    file: FileKind,
    text: &'a str,
    bom: bool,
    headers: Vec<Found>,
    selected: Vec<bool>,
}

/// The text inside the brackets of the header line that starts at `start`.
fn header_at(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let end = memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len());
    header_text(py_strip(&rest[..end])).unwrap_or_default()
}

impl Scanned<'_> {
    /// Selects every header naming `kind` `name`.
    fn select(&mut self, kind: SectionKind, name: &str) {
        let hash = name_hash(kind, name);
        for (found, selected) in self.headers.iter().zip(&mut self.selected) {
            if found.kept && found.hash == hash {
                let target = target_of(header_at(self.text, found.start), self.file);
                if matches!(&target, Target::Kept(k, n) if *k == kind && n == name) {
                    *selected = true;
                }
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
    let bytes = text.as_bytes();
    let mut scanner = Scanner {
        file,
        text,
        headers: Vec::new(),
        open: None,
        indent_level: 0,
        start: 0,
        number: 0,
    };
    // Without a `\r` (nearly every file) a line ends only at `\n`: one
    // needle for memchr instead of two.
    if memchr::memchr(b'\r', bytes).is_none() {
        for end in memchr::memchr_iter(b'\n', bytes) {
            scanner.line_to(end)?;
        }
    } else {
        for end in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // The `\n` of a `\r\n` ended the line already.
            if end >= scanner.start {
                scanner.line_to(end)?;
            }
        }
    }
    if scanner.start < bytes.len() {
        scanner.line_to(bytes.len())?;
    }
    // `[DEFAULT]` gives keys to every section: always read.
    let headers = scanner.headers;
    let selected = headers.iter().map(|h| h.defaults).collect();
    Ok(Scanned {
        file,
        text,
        bom,
        headers,
        selected,
    })
}

/// The state of [`scan`] between lines.
struct Scanner<'a> {
    file: FileKind,
    text: &'a str,
    headers: Vec<Found>,
    /// The open value's text on its first line (whether it is empty, so
    /// opens sub-properties, is looked at only when a line continues it).
    open: Option<&'a str>,
    indent_level: usize,
    /// Where the next line starts, and the last line's number.
    start: usize,
    number: u32,
}

impl<'a> Scanner<'a> {
    /// Reads the next line, which ends at byte `end`.
    fn line_to(&mut self, end: usize) -> Result<(), ParseError> {
        self.number = self.number.saturating_add(1);
        let (text, start) = (self.text, self.start);
        self.line(&text[start..end], start, self.number)?;
        let bytes = text.as_bytes();
        // `\r\n` is one line end.
        self.start = if bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
        Ok(())
    }

    /// Any line, `raw`, starting at byte `start` of the text.
    fn line(&mut self, raw: &'a str, start: usize, number: u32) -> Result<(), ParseError> {
        // The usual line, `key = value` at the start of the line under a
        // header, needs one look for its delimiter: it is not indented, so
        // continues no value, and is no header or comment.
        let first = raw.as_bytes().first().copied().unwrap_or(b' ');
        if !self.headers.is_empty()
            && first.is_ascii()
            && !super::is_ascii_py_space(first)
            && !matches!(first, b'#' | b';' | b'[' | b'=' | b':')
        {
            if let Some(i) = memchr::memchr2(b'=', b':', raw.as_bytes()) {
                self.indent_level = 0;
                self.open = Some(&raw[i + 1..]);
                return Ok(());
            }
        }
        let location = |line: u32, column: usize| Location {
            file: self.file,
            line,
            column: u32::try_from(column).unwrap_or(u32::MAX),
        };
        let stripped = py_strip(raw);
        if stripped.is_empty() || stripped.starts_with(['#', ';']) {
            return Ok(());
        }
        let indent = indent_of(raw, stripped);
        if let Some(value) = self.open {
            if indent > self.indent_level {
                if py_strip(value).is_empty() {
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
                return Ok(());
            }
        }
        self.indent_level = indent;
        self.open = None;
        if let Some(raw_header) = header_text(stripped) {
            let target = target_of(raw_header, self.file);
            let hash = match &target {
                Target::Kept(kind, name) => name_hash(*kind, name),
                _ => 0,
            };
            debug_assert_eq!(raw.as_ptr() as usize - self.text.as_ptr() as usize, start);
            self.headers.push(Found {
                hash,
                start,
                line: number,
                kept: matches!(target, Target::Kept(..)),
                defaults: target == Target::Defaults,
            });
            return Ok(());
        }
        let at = location(number, indent + 1);
        if self.headers.is_empty() {
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
        self.open = Some(&stripped[delimiter + 1..]);
        Ok(())
    }
}
