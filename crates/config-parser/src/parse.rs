//! Reads one file, line by line, into its sections in file order, following
//! the cross-SDK profile file rules; notes as warnings what it ignores and
//! where the AWS CLI would read a line differently.

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::error::{LineKind, ParseError};
use crate::line::{self, KeyValueError};
use crate::model::{FileKind, Location, Property};
use crate::name_map::Properties;

/// What a section holds. `[services NAME]` sections hold sub-property blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    /// `[default]`, `[profile NAME]` (config) or `[NAME]` (credentials).
    Profile,
    /// `[sso-session NAME]`.
    SsoSession,
    /// `[services NAME]`.
    Services,
}

/// One section header and the properties under it, as written in one file
/// (a name that appears twice gives two `FileSection`s; `merge` joins them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSection<'a> {
    pub kind: SectionKind,
    /// The name without its prefix: `foo` for `[profile foo]`.
    pub name: Cow<'a, str>,
    /// Where the header starts.
    pub location: Location,
    /// Keys (lowercased) with their values; of a key written twice under
    /// this header, the later one (each property's location gives the order).
    pub properties: Properties<'a>,
}

impl FileSection<'_> {
    pub fn into_owned(self) -> FileSection<'static> {
        FileSection {
            kind: self.kind,
            name: Cow::Owned(self.name.into_owned()),
            location: self.location,
            properties: self.properties.into_owned(),
        }
    }
}

/// One file read: its kept sections in file order, and the warnings about it
/// (in line order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedFile<'a> {
    pub kind: FileKind,
    pub sections: Vec<FileSection<'a>>,
    pub warnings: Vec<Diagnostic>,
}

impl ParsedFile<'_> {
    pub fn into_owned(self) -> ParsedFile<'static> {
        ParsedFile {
            kind: self.kind,
            sections: self
                .sections
                .into_iter()
                .map(FileSection::into_owned)
                .collect(),
            warnings: self.warnings,
        }
    }
}

const BOM: &str = "\u{feff}";

/// Parses one file's text. A leading byte order mark is skipped (with a
/// warning). Errors are the cross-SDK tests' `errorContaining` cases.
pub fn parse_file(text: &str, kind: FileKind) -> Result<ParsedFile<'_>, ParseError> {
    match text.strip_prefix(BOM) {
        Some(rest) => parse_text(rest, kind, true),
        None => parse_text(text, kind, false),
    }
}

/// Parses one file's bytes: as [`parse_file`], and bytes that are not UTF-8
/// are an error naming the line and column of the first bad byte.
pub fn parse_file_bytes(bytes: &[u8], kind: FileKind) -> Result<ParsedFile<'_>, ParseError> {
    let (bytes, bom) = match bytes.strip_prefix(BOM.as_bytes()) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_text(text, kind, bom),
        Err(err) => Err(ParseError::InvalidUtf8 {
            location: utf8_error_location(bytes, err.valid_up_to(), kind),
        }),
    }
}

pub(crate) fn utf8_error_location(bytes: &[u8], valid_up_to: usize, kind: FileKind) -> Location {
    let valid = &bytes[..valid_up_to];
    let line_start = memchr::memrchr(b'\n', valid).map_or(0, |i| i + 1);
    let line = memchr::memchr_iter(b'\n', valid).count() + 1;
    // The prefix up to `valid_up_to` is valid UTF-8 by definition.
    let column = std::str::from_utf8(&valid[line_start..]).map_or(0, |s| s.chars().count()) + 1;
    Location {
        file: kind,
        line: to_u32(line),
        column: to_u32(column),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn parse_text(text: &str, kind: FileKind, bom: bool) -> Result<ParsedFile<'_>, ParseError> {
    let mut parser = Parser::new(kind, header_lines(text));
    if bom {
        parser.warn(
            DiagnosticCode::ByteOrderMark,
            1,
            1,
            "The file starts with a UTF-8 byte order mark; it is skipped here, but the AWS CLI refuses to read the file. Save it as UTF-8 without a BOM.".to_owned(),
        );
    }
    let mut start = 0;
    let mut number = 0u32;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len())) {
        number = number.saturating_add(1);
        let raw = &text[start..end];
        start = end + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        parser.line(line, number)?;
    }
    Ok(parser.finish())
}

/// How many lines start with `[`: room for that many headers and sections,
/// so that on large files those vectors are not copied again and again as
/// they grow.
fn header_lines(text: &str) -> usize {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'[', bytes)
        .filter(|&i| i == 0 || bytes[i - 1] == b'\n')
        .count()
}

/// Which property continuation lines attach to. When the property is kept
/// it is `Parser::pending` until the next property or header.
#[derive(Clone, Copy)]
enum Open {
    /// Right after a header: a continuation line is an error.
    None,
    /// An ordinary value; `false` when the key is not kept.
    Value(bool),
    /// A sub-property block (`s3 =`); `false` when the key is not kept.
    Block(bool),
}

/// The property being read, kept out of its section until complete (its
/// continuation lines and sub-properties are gathered in `Parser::continued`
/// and `Parser::written_subs`). It belongs to the last section.
struct Pending<'a> {
    key: Cow<'a, str>,
    property: Property<'a>,
}

#[derive(Clone, Copy)]
enum State {
    Start,
    /// Inside a section; `None` when the section is not kept.
    Section(Option<usize>, Open),
}

/// What repeated headers are found by: a kept section by kind and name, an
/// ignored one by its text (the AWS CLI still reads it, and refuses repeats).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum HeaderKey<'a> {
    Kept(SectionKind, &'a str),
    Ignored(&'a str),
}

/// A section header, kept until the end of the file to find repeats.
struct Header<'a> {
    key: HeaderKey<'a>,
    raw: &'a str,
    line: u32,
    prefixed: bool,
}

struct Parser<'a> {
    kind: FileKind,
    sections: Vec<FileSection<'a>>,
    warnings: Vec<Diagnostic>,
    state: State,
    headers: Vec<Header<'a>>,
    pending: Option<Pending<'a>>,
    /// The last section's properties in file order, sorted into it when the
    /// section ends; the buffer is reused from section to section.
    written: Vec<(Cow<'a, str>, Property<'a>)>,
    /// Likewise the sub-properties of the pending property.
    written_subs: Vec<(Cow<'a, str>, Property<'a>)>,
    /// The continuation lines of the pending property, joined to its value
    /// when it is complete (one allocation of the right size).
    continued: Vec<&'a str>,
    /// Indexes of `[default]` sections in the config file, dropped when a
    /// `[profile default]` exists.
    unprefixed_defaults: Vec<usize>,
    prefixed_default: bool,
    /// A blank line seen while a value was open.
    blank_in_value: Option<u32>,
}

impl<'a> Parser<'a> {
    fn new(kind: FileKind, headers: usize) -> Self {
        Parser {
            kind,
            sections: Vec::with_capacity(headers),
            warnings: Vec::new(),
            state: State::Start,
            headers: Vec::with_capacity(headers),
            pending: None,
            written: Vec::new(),
            written_subs: Vec::new(),
            continued: Vec::new(),
            unprefixed_defaults: Vec::new(),
            prefixed_default: false,
            blank_in_value: None,
        }
    }

    fn location(&self, line: u32, column: usize) -> Location {
        Location {
            file: self.kind,
            line,
            column: to_u32(column),
        }
    }

    fn warn(&mut self, code: DiagnosticCode, line: u32, column: usize, message: String) {
        let location = self.location(line, column);
        self.warnings
            .push(Diagnostic::warning(code, location, message));
    }

    fn line(&mut self, line: &'a str, number: u32) -> Result<(), ParseError> {
        match line.as_bytes().first() {
            None => self.blank(number),
            Some(b'#' | b';') => {}
            Some(b'[') => self.header(line, number)?,
            Some(b' ' | b'\t') => {
                if line::is_blank_line(line) {
                    self.blank(number);
                } else {
                    self.continuation(line, number)?;
                }
            }
            Some(_) => self.property(line, number)?,
        }
        Ok(())
    }

    fn blank(&mut self, number: u32) {
        if let State::Section(Some(_), Open::Value(true)) = self.state {
            self.blank_in_value.get_or_insert(number);
        }
    }

    fn header(&mut self, line: &'a str, number: u32) -> Result<(), ParseError> {
        self.blank_in_value = None;
        self.flush();
        self.close_section();
        let inner = line::section_header(line).ok_or(ParseError::UnclosedSectionHeader {
            location: self.location(number, 1),
        })?;
        let trimmed = line::trim_blanks(inner);
        let (prefix, name) = line::section_name(inner);
        if trimmed == "DEFAULT" {
            let message = match self.kind {
                FileKind::Config => "The section [DEFAULT] is ignored here (config file sections need the `profile` prefix), but the AWS CLI copies its keys into every profile.",
                FileKind::Credentials => "The section [DEFAULT] is read here as a profile named `DEFAULT`, but the AWS CLI copies its keys into every profile of the file instead.",
            };
            self.warn(
                DiagnosticCode::DefaultSection,
                number,
                1,
                message.to_owned(),
            );
        }
        let kept = self.classify(prefix, name, trimmed, number);
        if kept.is_some() && inner.len() != trimmed.len() {
            self.padded_header(inner, trimmed, prefix.is_some(), number);
        }
        let index = match kept {
            Some((kind, prefixed)) => {
                self.headers.push(Header {
                    key: HeaderKey::Kept(kind, name),
                    raw: inner,
                    line: number,
                    prefixed,
                });
                let index = self.sections.len();
                if kind == SectionKind::Profile
                    && name == "default"
                    && self.kind == FileKind::Config
                {
                    if prefixed {
                        self.prefixed_default = true;
                    } else {
                        self.unprefixed_defaults.push(index);
                    }
                }
                self.sections.push(FileSection {
                    kind,
                    name: Cow::Borrowed(name),
                    location: self.location(number, 1),
                    properties: Properties::new(),
                });
                Some(index)
            }
            None => {
                self.headers.push(Header {
                    key: HeaderKey::Ignored(inner),
                    raw: inner,
                    line: number,
                    prefixed: false,
                });
                None
            }
        };
        self.state = State::Section(index, Open::None);
        Ok(())
    }

    /// Decides whether a section is kept, as the cross-SDK rules do; warns
    /// with the reason when it is not. Returns the kind and whether the name
    /// had a prefix.
    fn classify(
        &mut self,
        prefix: Option<&str>,
        name: &str,
        trimmed: &str,
        number: u32,
    ) -> Option<(SectionKind, bool)> {
        let result = match (self.kind, prefix) {
            (FileKind::Config, Some(_)) if !line::is_identifier(name) => Err((
                DiagnosticCode::InvalidSectionName,
                format!("The section [{trimmed}] is ignored because `{name}` is not a valid name (use letters, digits and _ - / . % @ : +)."),
            )),
            (FileKind::Config, Some("profile")) => Ok((SectionKind::Profile, true)),
            (FileKind::Config, Some("sso-session")) => Ok((SectionKind::SsoSession, true)),
            (FileKind::Config, Some("services")) => Ok((SectionKind::Services, true)),
            (FileKind::Config, Some(prefix)) => Err((
                DiagnosticCode::UnknownSectionType,
                format!("The section [{trimmed}] is ignored because `{prefix}` is not a known section type (profile, sso-session or services)."),
            )),
            (FileKind::Config, None) if name == "default" => Ok((SectionKind::Profile, false)),
            (FileKind::Config, None) if name == "DEFAULT" => return None,
            (FileKind::Config, None) => Err((
                DiagnosticCode::MissingProfilePrefix,
                format!("The section [{name}] is ignored because sections in the config file other than [default] need a prefix; write [profile {name}]."),
            )),
            (FileKind::Credentials, Some("profile")) => Err((
                DiagnosticCode::ProfilePrefixInCredentials,
                format!("The section [{trimmed}] is ignored because profiles in the credentials file must not have the `profile` prefix; write [{name}]."),
            )),
            (FileKind::Credentials, Some(prefix @ ("sso-session" | "services"))) => Err((
                DiagnosticCode::SectionInCredentials,
                format!("The section [{trimmed}] is ignored because [{prefix} ...] sections belong in the config file, not the credentials file."),
            )),
            (FileKind::Credentials, Some(_)) => Err((
                DiagnosticCode::InvalidSectionName,
                format!("The section [{trimmed}] is ignored because `{trimmed}` is not a valid profile name (use letters, digits and _ - / . % @ : +)."),
            )),
            (FileKind::Credentials, None) if line::is_identifier(name) => {
                Ok((SectionKind::Profile, false))
            }
            (FileKind::Credentials, None) => Err((
                DiagnosticCode::InvalidSectionName,
                format!("The section [{name}] is ignored because `{name}` is not a valid profile name (use letters, digits and _ - / . % @ : +)."),
            )),
        };
        match result {
            Ok(kept) => Some(kept),
            Err((code, message)) => {
                self.warn(code, number, 1, message);
                None
            }
        }
    }

    fn padded_header(&mut self, inner: &str, trimmed: &str, prefixed: bool, number: u32) {
        let leading = inner.len() != line::trim_start_blanks(inner).len();
        // botocore splits `profile foo ` with shlex, which drops the trailing
        // blanks; every other name keeps them.
        if !leading && prefixed && self.kind == FileKind::Config {
            return;
        }
        self.warn(
            DiagnosticCode::PaddedSectionHeader,
            number,
            1,
            format!("The header [{inner}] is read as [{trimmed}] here, but the AWS CLI keeps the blanks inside the brackets and does not find that section under the same name; write [{trimmed}]."),
        );
    }

    /// Warns about every header that repeats an earlier one. A stable sort
    /// groups them (in file order) and costs one pass over the usual file,
    /// whose sections are all different.
    fn repeated_headers(&mut self) {
        let mut headers = std::mem::take(&mut self.headers);
        headers.sort_by(|a, b| a.key.cmp(&b.key));
        for group in headers.chunk_by(|a, b| a.key == b.key) {
            let first = &group[0];
            for later in &group[1..] {
                self.repeated_header(first, later);
            }
        }
    }

    fn repeated_header(&mut self, first: &Header<'a>, later: &Header<'a>) {
        let (first_raw, first_line, first_prefixed) = (first.raw, first.line, first.prefixed);
        let (raw, number, prefixed) = (later.raw, later.line, later.prefixed);
        let (code, message) = if first_raw == raw {
            (
                DiagnosticCode::DuplicateSection,
                format!("The section [{raw}] also appears on line {first_line}; the two are merged here, but the AWS CLI refuses to read a file with a repeated section."),
            )
        } else if first_prefixed != prefixed && line::section_name(raw).1 == "default" {
            let (plain, profile) = if prefixed {
                (first_line, number)
            } else {
                (number, first_line)
            };
            (
                DiagnosticCode::DefaultProfileConflict,
                format!("Both [default] (line {plain}) and [profile default] (line {profile}) are present; [profile default] is used and [default] is ignored, but the AWS CLI uses only the later one, [{raw}]."),
            )
        } else {
            (
                DiagnosticCode::DuplicateSection,
                format!("The section [{raw}] names the same section as [{first_raw}] on line {first_line}; the two are merged here, but the AWS CLI uses only the later one."),
            )
        };
        self.warn(code, number, 1, message);
    }

    fn property(&mut self, line: &'a str, number: u32) -> Result<(), ParseError> {
        self.blank_in_value = None;
        self.flush();
        let State::Section(section, _) = self.state else {
            return Err(ParseError::ExpectedProfile {
                location: self.location(number, 1),
            });
        };
        let kv = line::key_value(line)
            .map_err(|err| self.key_value_error(err, line, number, 1, LineKind::Property))?;
        let chars = line::key_chars(kv.key);
        let kept = match section {
            Some(_) if chars.identifier => {
                self.property_warnings(line, &kv, chars.colon, number);
                let key = if chars.uppercase {
                    Cow::Owned(kv.key.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(kv.key)
                };
                self.pending = Some(Pending {
                    key,
                    property: Property {
                        value: Cow::Borrowed(kv.value),
                        location: self.location(number, 1),
                        sub_properties: Properties::new(),
                    },
                });
                true
            }
            Some(index) => {
                let profile = &self.sections[index].name;
                let message = format!("The key `{}` in [{profile}] is ignored because it is not a valid name (use letters, digits and _ - / . % @ : +).", kv.key);
                self.warn(DiagnosticCode::InvalidKey, number, 1, message);
                false
            }
            None => false,
        };
        let open = if kv.value.is_empty() {
            Open::Block(kept)
        } else {
            Open::Value(kept)
        };
        self.state = State::Section(section, open);
        Ok(())
    }

    fn property_warnings(&mut self, line: &str, kv: &line::KeyValue<'_>, colon: bool, number: u32) {
        if let Some(offset) = kv.comment {
            let column = line[..offset].chars().count() + 1;
            let whole = line::trim_blanks(line.split_once('=').map_or("", |(_, v)| v));
            let message = format!("The text from column {column} is a comment here, so `{}` is `{}`, but the AWS CLI keeps inline comments and reads `{whole}`; put the comment on its own line.", kv.key, kv.value);
            self.warn(DiagnosticCode::InlineComment, number, column, message);
        }
        // Only a `:` in the key makes botocore split the line elsewhere.
        if colon {
            if let Some((cli_key, cli_value)) = line::colon_reading(line) {
                let message = format!("The key here is `{}`, but the AWS CLI splits this line at the first ':' and reads `{cli_key} = {cli_value}`.", kv.key);
                self.warn(DiagnosticCode::ColonInKey, number, 1, message);
            }
        }
    }

    /// Puts the property just read, with its sub-properties, after the
    /// others of its section.
    fn flush(&mut self) {
        let Some(mut pending) = self.pending.take() else {
            return;
        };
        if !self.continued.is_empty() {
            let value = &mut pending.property.value;
            *value = Cow::Owned(join_lines(value, &self.continued));
            self.continued.clear();
        }
        if !self.written_subs.is_empty() {
            pending.property.sub_properties =
                Properties::from_written(&mut self.written_subs, |_, _| {});
        }
        self.written.push((pending.key, pending.property));
    }

    /// Sorts the properties read into the last section; of a key written
    /// twice under its header the later one is kept, with a warning.
    fn close_section(&mut self) {
        let Some(section) = self.sections.last_mut() else {
            return;
        };
        if self.written.is_empty() {
            return;
        }
        let name = &section.name;
        let warnings = &mut self.warnings;
        let properties = Properties::from_written(&mut self.written, |(key, _), (_, later)| {
            let message = format!("The key `{key}` appears twice in [{name}]; the later value is used here, but the AWS CLI refuses to read a file with a repeated key in a section.");
            warnings.push(Diagnostic::warning(
                DiagnosticCode::DuplicateKey,
                later.location,
                message,
            ));
        });
        section.properties = properties;
    }

    fn continuation(&mut self, line: &'a str, number: u32) -> Result<(), ParseError> {
        let (section, open) = match self.state {
            State::Start => {
                return Err(ParseError::ExpectedProfile {
                    location: self.location(number, 1),
                })
            }
            State::Section(_, Open::None) => {
                return Err(ParseError::ContinuationWithoutProperty {
                    location: self.location(number, 1),
                })
            }
            State::Section(section, open) => (section, open),
        };
        let indent = line.len() - line::trim_start_blanks(line).len();
        let text = line::trim_blanks(line);
        let column = indent + 1;
        let comment_like = text.starts_with(['#', ';']);
        let blank_before = self.blank_in_value.take();
        match open {
            Open::Block(kept) => {
                // Sub-property lines are checked even where they are not kept.
                let kv = line::key_value(text).map_err(|err| {
                    self.key_value_error(err, text, number, column, LineKind::SubProperty)
                })?;
                if section.is_none() || !kept {
                    return Ok(());
                }
                if comment_like {
                    self.indented_comment(number, column);
                }
                let sub_value =
                    line::trim_blanks(line::split_at_equals(text).map_or("", |(_, v)| v));
                let location = self.location(number, column);
                if self.pending.is_none() {
                    return Ok(());
                }
                self.continued.push(text);
                self.written_subs.push((
                    Cow::Borrowed(kv.key),
                    Property {
                        value: Cow::Borrowed(sub_value),
                        location,
                        sub_properties: Properties::new(),
                    },
                ));
            }
            Open::Value(kept) => {
                if section.is_none() || !kept {
                    return Ok(());
                }
                if comment_like {
                    self.indented_comment(number, column);
                }
                if let Some(blank) = blank_before {
                    let message = "A blank line inside this value is skipped here, but the AWS CLI keeps it as an empty line of the value; remove the blank line.".to_owned();
                    self.warn(DiagnosticCode::BlankLineInValue, blank, 1, message);
                }
                if self.pending.is_some() {
                    self.continued.push(text);
                }
            }
            Open::None => {}
        }
        Ok(())
    }

    fn indented_comment(&mut self, number: u32, column: usize) {
        let message = "This indented line starting with a comment character is part of the value here, but the AWS CLI drops it as a comment; remove it or move it to column 1.".to_owned();
        self.warn(DiagnosticCode::IndentedComment, number, column, message);
    }

    fn key_value_error(
        &self,
        err: KeyValueError,
        text: &str,
        number: u32,
        column: usize,
        kind: LineKind,
    ) -> ParseError {
        let location = self.location(number, column);
        match err {
            KeyValueError::NoName => ParseError::MissingName { location, kind },
            KeyValueError::NoEquals => match (kind, line::colon_reading(text)) {
                (LineKind::Property, Some((key, value))) => ParseError::ColonInsteadOfEquals {
                    location,
                    key: key.to_owned(),
                    value: value.to_owned(),
                },
                _ => ParseError::MissingEquals { location, kind },
            },
        }
    }

    fn finish(mut self) -> ParsedFile<'a> {
        self.flush();
        self.close_section();
        self.repeated_headers();
        if self.prefixed_default && !self.unprefixed_defaults.is_empty() {
            let mut drop = self.unprefixed_defaults.iter().copied().peekable();
            let mut index = 0;
            self.sections.retain(|_| {
                let keep = drop.next_if_eq(&index).is_none();
                index += 1;
                keep
            });
        }
        self.warnings.sort_by_key(|w| w.location);
        ParsedFile {
            kind: self.kind,
            sections: self.sections,
            warnings: self.warnings,
        }
    }
}

/// A value with its continuation lines, each after a `\n`.
fn join_lines(first: &str, lines: &[&str]) -> String {
    let len = first.len() + lines.iter().map(|line| line.len() + 1).sum::<usize>();
    let mut value = String::with_capacity(len);
    value.push_str(first);
    for line in lines {
        value.push('\n');
        value.push_str(line);
    }
    value
}
