//! The AWS CLI's reading of a file, which rolectl resolves from: Python's
//! `configparser` as botocore sets it up, then botocore's profile map. The
//! warnings say where the cross-SDK rules read the same text differently,
//! and where the AWS CLI refuses the file (see `DiagnosticCode::aws_cli_refuses`).
//!
//! The rules followed, from `RawConfigParser._read` and
//! `botocore.configloader`:
//! - lines end at `\n`, `\r\n` or `\r`; a line whose text (without leading
//!   and trailing whitespace) starts with `#` or `;` is a comment wherever it
//!   is, and there are no inline comments;
//! - a line indented deeper than the line that opened a value continues it;
//!   any other line is a `[header]` or a `key = value` (or `key: value`)
//!   line, indented or not;
//! - `[DEFAULT]` holds keys every other section of the file gets;
//! - in the config file, a header that starts with `profile`,
//!   `sso-session` or `services` is split with `shlex` and names a section
//!   when it has two words; `[default]` is a profile; others are not
//!   profiles. Two headers naming one section: the later one wins whole;
//! - in the credentials file, the header's text is the profile name;
//! - a value that starts with an empty line holds `name = value` lines.

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::error::{LineKind, ParseError};
use crate::line;
use crate::merge::Parsed;
use crate::model::{FileKind, Location, Property};
use crate::name_map::Properties;
use crate::parse::{FileSection, ParsedFile, SectionKind};

mod needed;
pub use needed::parse_files_for;

const BOM: &str = "\u{feff}";

/// Parses one file's text as the AWS CLI reads it. A leading byte order
/// mark is skipped with a warning (the AWS CLI refuses such a file).
pub fn parse_file(text: &str, kind: FileKind) -> Result<ParsedFile<'_>, ParseError> {
    match text.strip_prefix(BOM) {
        Some(rest) => Reader::new(kind, true).read(rest),
        None => Reader::new(kind, false).read(text),
    }
}

/// As [`parse_file`] for raw bytes: bytes that are not UTF-8 are an error
/// naming the line and column of the first bad byte.
pub fn parse_file_bytes(bytes: &[u8], kind: FileKind) -> Result<ParsedFile<'_>, ParseError> {
    let (bytes, bom) = match bytes.strip_prefix(BOM.as_bytes()) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => Reader::new(kind, bom).read(text),
        Err(err) => Err(ParseError::InvalidUtf8 {
            location: crate::parse::utf8_error_location(bytes, err.valid_up_to(), kind),
        }),
    }
}

/// A file's bytes as text, or the error [`parse_file_bytes`] gives for
/// bytes that are not UTF-8 (for [`parse_files_for`], which takes text).
pub fn decode(bytes: &[u8], kind: FileKind) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|_| {
        let body = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
        let valid_up_to = std::str::from_utf8(body)
            .err()
            .map_or(body.len(), |e| e.valid_up_to());
        ParseError::InvalidUtf8 {
            location: crate::parse::utf8_error_location(body, valid_up_to, kind),
        }
    })
}

/// Parses both files as the AWS CLI reads them and merges them
/// (credentials file keys win, as in botocore's `Session.full_config`).
pub fn parse_files<'a>(
    config: Option<&'a str>,
    credentials: Option<&'a str>,
) -> Result<Parsed<'a>, ParseError> {
    crate::merge::parse_both(config, credentials, parse_file)
}

/// Python's `str.isspace`: Unicode whitespace and the four ASCII
/// separators `\x1c`..`\x1f`.
fn is_py_space(c: char) -> bool {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii() => is_ascii_py_space(b),
        _ => c.is_whitespace(),
    }
}

fn is_ascii_py_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r' | 0x1c..=0x1f)
}

/// Python's `str.strip()`.
fn py_strip(s: &str) -> &str {
    // Bytes while they are ASCII (nearly every line); chars past that.
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_ascii_py_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_ascii_py_space(b))
        .map_or(start, |i| i + 1);
    let ascii_ends =
        bytes.get(start).is_none_or(u8::is_ascii) && (end == start || bytes[end - 1].is_ascii());
    if ascii_ends {
        // Both cuts are next to ASCII bytes: char boundaries.
        &s[start..end]
    } else {
        s.trim_matches(is_py_space)
    }
}

/// How far `stripped` (`py_strip(raw)`) is indented in `raw`, in chars
/// as Python counts (`NONSPACECRE.search(line).start()`).
fn indent_of(raw: &str, stripped: &str) -> usize {
    let lead = &raw[..stripped.as_ptr() as usize - raw.as_ptr() as usize];
    if lead.is_ascii() {
        lead.len()
    } else {
        lead.chars().count()
    }
}

/// Lines as Python's text files give them (universal newlines).
fn py_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let from = start;
        match memchr::memchr2(b'\n', b'\r', &bytes[from..]) {
            Some(i) => {
                let end = from + i;
                start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                    end + 2
                } else {
                    end + 1
                };
                Some(&text[from..end])
            }
            None => {
                start = bytes.len();
                Some(&text[from..])
            }
        }
    })
}

/// The line breaks of Python's `str.splitlines` that are not line ends
/// in a file: they split sub-property lines (botocore's `_parse_nested`).
fn is_splitlines_break(c: char) -> bool {
    matches!(
        c,
        '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// `shlex.split(text)` (POSIX mode, no comments): the words, or `None`
/// where Python raises `ValueError` (an open quote or a final backslash).
pub(crate) fn shlex_split(text: &str) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Between,
        Word,
        Quote(char),
        Escape(Option<char>),
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut state = State::Between;
    for c in text.chars() {
        state = match state {
            State::Between | State::Word => match c {
                ' ' | '\t' | '\r' | '\n' => {
                    if state == State::Word {
                        words.push(std::mem::take(&mut word));
                        quoted = false;
                    }
                    State::Between
                }
                '\\' => State::Escape(None),
                '\'' | '"' => {
                    quoted = true;
                    State::Quote(c)
                }
                _ => {
                    word.push(c);
                    State::Word
                }
            },
            State::Quote(q) if c == q => State::Word,
            State::Quote('"') if c == '\\' => State::Escape(Some('"')),
            State::Quote(q) => {
                word.push(c);
                State::Quote(q)
            }
            State::Escape(within) => {
                // Inside double quotes a backslash escapes only `\` and `"`.
                if within.is_some() && c != '\\' && c != '"' {
                    word.push('\\');
                }
                word.push(c);
                match within {
                    Some(q) => State::Quote(q),
                    None => State::Word,
                }
            }
        };
    }
    match state {
        State::Quote(_) | State::Escape(_) => None,
        State::Word => {
            words.push(word);
            Some(words)
        }
        State::Between => {
            if quoted {
                words.push(word);
            }
            Some(words)
        }
    }
}

/// What a header is to the AWS CLI.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target<'a> {
    /// A profile, sso-session or services section of that name.
    Kept(SectionKind, Cow<'a, str>),
    /// `[DEFAULT]`.
    Defaults,
    /// Read (its lines must still be well formed) but not a profile.
    Ignored,
}

/// How botocore's profile map names a config file header.
fn config_target(raw: &str) -> Target<'_> {
    if raw == "DEFAULT" {
        return Target::Defaults;
    }
    let kind = if raw.starts_with("profile") {
        SectionKind::Profile
    } else if raw.starts_with("sso-session") {
        SectionKind::SsoSession
    } else if raw.starts_with("services") {
        SectionKind::Services
    } else if raw == "default" {
        return Target::Kept(SectionKind::Profile, Cow::Borrowed(raw));
    } else {
        return Target::Ignored;
    };
    // Nearly every header: the prefix, one space and a plain name.
    if let Some(name) = raw
        .strip_prefix(kind_prefix(kind))
        .and_then(|r| r.strip_prefix(' '))
    {
        let plain = |b: &u8| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'\\');
        if !name.is_empty() && name.bytes().all(|b| plain(&b)) {
            return Target::Kept(kind, Cow::Borrowed(name));
        }
    }
    // Most others need no quoting rules: blanks split them.
    if !raw.bytes().any(|b| matches!(b, b'"' | b'\'' | b'\\')) {
        let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
        let mut words = raw.split(blank).filter(|w| !w.is_empty());
        return match (words.next(), words.next(), words.next()) {
            (Some(_), Some(name), None) => Target::Kept(kind, Cow::Borrowed(name)),
            _ => Target::Ignored,
        };
    }
    match shlex_split(raw) {
        Some(mut words) if words.len() == 2 => {
            Target::Kept(kind, Cow::Owned(words.pop().unwrap_or_default()))
        }
        _ => Target::Ignored,
    }
}

/// How the cross-SDK rules read the same header (`None`: ignored).
fn sdk_target(raw: &str, file: FileKind) -> Option<(SectionKind, &str)> {
    let (prefix, name) = line::section_name(raw);
    match (file, prefix) {
        (FileKind::Config, Some(prefix)) if line::is_identifier(name) => match prefix {
            "profile" => Some((SectionKind::Profile, name)),
            "sso-session" => Some((SectionKind::SsoSession, name)),
            "services" => Some((SectionKind::Services, name)),
            _ => None,
        },
        (FileKind::Config, None) if name == "default" => Some((SectionKind::Profile, name)),
        (FileKind::Credentials, None) if line::is_identifier(name) => {
            Some((SectionKind::Profile, name))
        }
        _ => None,
    }
}

/// Unprefixed sections of the AWS CLI's own config file: not profiles.
const CLI_SECTIONS: [&str; 2] = ["plugins", "preview"];

/// One line of a value being read: text, or an empty line.
struct ValueLine<'a> {
    text: &'a str,
    line: u32,
    column: u32,
}

/// The option being read; its value is complete at the next header or
/// option, or at the end of the file.
struct Open<'a> {
    key: Cow<'a, str>,
    location: Location,
    first: &'a str,
    more: Vec<ValueLine<'a>>,
    /// The first empty line inside the value, if text followed it.
    blank: Option<u32>,
    /// Empty lines not yet followed by text: the first one's number and
    /// how many (each is an empty line of the value if text follows).
    blank_pending: Option<(u32, usize)>,
}

/// One header as written, with the options under it.
struct Header<'a> {
    raw: &'a str,
    target: Target<'a>,
    location: Location,
    /// Its options, by key, once the next header (or the end) is read.
    properties: Properties<'a>,
}

struct Reader<'a> {
    file: FileKind,
    headers: Vec<Header<'a>>,
    open: Option<Open<'a>>,
    indent_level: usize,
    /// The options of the last header, in file order.
    written: Vec<(Cow<'a, str>, Property<'a>)>,
    warnings: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn new(file: FileKind, bom: bool) -> Self {
        let mut reader = Reader {
            file,
            headers: Vec::new(),
            open: None,
            indent_level: 0,
            written: Vec::new(),
            warnings: Vec::new(),
        };
        if bom {
            let location = reader.location(1, 1);
            reader.warn(
                DiagnosticCode::ByteOrderMark,
                location,
                "The file starts with a UTF-8 byte order mark: the AWS CLI will not start with this file (it reads no section header). rolectl skips the mark, as the SDKs do. Save the file as UTF-8 without a BOM.".to_owned(),
            );
        }
        reader
    }

    fn location(&self, line: u32, column: usize) -> Location {
        Location {
            file: self.file,
            line,
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    fn warn(&mut self, code: DiagnosticCode, location: Location, message: String) {
        self.warnings
            .push(Diagnostic::warning(code, location, message));
    }

    fn read(mut self, text: &'a str) -> Result<ParsedFile<'a>, ParseError> {
        self.feed(text, 1)?;
        self.end()
    }

    /// Reads the lines of `text`, the first being line `first` of the file.
    fn feed(&mut self, text: &'a str, first: u32) -> Result<(), ParseError> {
        let mut number = first.saturating_sub(1);
        for raw in py_lines(text) {
            number = number.saturating_add(1);
            self.line(raw, number)?;
        }
        Ok(())
    }

    fn end(mut self) -> Result<ParsedFile<'a>, ParseError> {
        self.close_value()?;
        Ok(self.finish())
    }

    fn line(&mut self, raw: &'a str, number: u32) -> Result<(), ParseError> {
        let text = py_strip(raw);
        let indent = indent_of(raw, text);
        if text.starts_with(['#', ';']) {
            if indent > 0 {
                self.indented_comment(number, indent);
            }
            return Ok(());
        }
        if text.is_empty() {
            if let Some(open) = &mut self.open {
                open.blank_pending.get_or_insert((number, 0)).1 += 1;
            }
            return Ok(());
        }
        if self.open.is_some() && indent > self.indent_level {
            let column = u32::try_from(indent + 1).unwrap_or(u32::MAX);
            if let Some(open) = &mut self.open {
                if let Some((blank, count)) = open.blank_pending.take() {
                    open.blank.get_or_insert(blank);
                    for _ in 0..count {
                        open.more.push(ValueLine {
                            text: "",
                            line: blank,
                            column: 1,
                        });
                    }
                }
                open.more.push(ValueLine {
                    text,
                    line: number,
                    column,
                });
            }
            return Ok(());
        }
        self.close_value()?;
        self.indent_level = indent;
        if let Some(inner) = header_text(text) {
            self.header(inner, number, indent);
            return Ok(());
        }
        if self.headers.is_empty() {
            return Err(ParseError::ExpectedProfile {
                location: self.location(number, indent + 1),
            });
        }
        self.option(raw, text, number, indent)
    }

    fn indented_comment(&mut self, number: u32, indent: usize) {
        let location = self.location(number, indent + 1);
        let message = if self.open.is_some() {
            "This indented comment is dropped by the AWS CLI and rolectl, but the SDKs read it as part of the value above it; move it to column 1."
        } else {
            "This indented comment is dropped by the AWS CLI and rolectl, but the SDKs refuse an indented line that continues no value (\"Expected a property definition, found continuation\"); move it to column 1."
        };
        self.warn(
            DiagnosticCode::IndentedComment,
            location,
            message.to_owned(),
        );
    }

    fn header(&mut self, raw: &'a str, number: u32, indent: usize) {
        self.close_header();
        let location = self.location(number, indent + 1);
        let target = match self.file {
            FileKind::Config => config_target(raw),
            FileKind::Credentials if raw == "DEFAULT" => Target::Defaults,
            FileKind::Credentials => Target::Kept(SectionKind::Profile, Cow::Borrowed(raw)),
        };
        if indent > 0 {
            let message = format!("This header is indented: the AWS CLI and rolectl read [{raw}] here, but the SDKs read an indented line as part of the value above it; move it to column 1.");
            self.warn(DiagnosticCode::IndentedLine, location, message);
        }
        self.header_warnings(raw, &target, location);
        self.headers.push(Header {
            raw,
            target,
            location,
            properties: Properties::new(),
        });
    }

    /// Where the SDKs read this header differently, or nothing reads it.
    fn header_warnings(&mut self, raw: &str, target: &Target<'_>, location: Location) {
        // The usual header (`[profile name]`, `[name]` in the credentials
        // file, a plain name) reads alike everywhere: no need to look.
        if let Target::Kept(kind, name) = target {
            let rest = match self.file {
                FileKind::Config => raw
                    .strip_prefix(kind_prefix(*kind))
                    .and_then(|r| r.strip_prefix(' ')),
                FileKind::Credentials => Some(raw),
            };
            if rest == Some(name.as_ref()) && line::is_identifier(name) {
                return;
            }
        }
        let sdk = sdk_target(raw, self.file);
        let (code, message) = match target {
            Target::Defaults => (
                DiagnosticCode::DefaultSection,
                match self.file {
                    FileKind::Config => "The AWS CLI and rolectl give every section of this file the keys of [DEFAULT] that it does not set itself, but the SDKs ignore [DEFAULT] in the config file.",
                    FileKind::Credentials => "The AWS CLI and rolectl give every profile of this file the keys of [DEFAULT] that it does not set itself, but the SDKs read [DEFAULT] as a profile named `DEFAULT`.",
                }.to_owned(),
            ),
            Target::Kept(kind, name) => {
                if sdk == Some((*kind, name.as_ref())) {
                    return;
                }
                let what = describe(*kind, name);
                match (self.file, line::section_name(raw)) {
                    (FileKind::Credentials, (Some("profile"), plain)) => (
                        DiagnosticCode::ProfilePrefixInCredentials,
                        format!("The AWS CLI and rolectl read [{raw}] in the credentials file as a profile named `{raw}`, not `{plain}`, and the SDKs ignore it; write [{plain}]."),
                    ),
                    (FileKind::Credentials, (Some(prefix @ ("sso-session" | "services")), _)) => (
                        DiagnosticCode::SectionInCredentials,
                        format!("[{prefix} ...] sections belong in the config file: the AWS CLI and rolectl read [{raw}] in the credentials file as a profile named `{raw}`, and the SDKs ignore it."),
                    ),
                    _ if sdk.is_some() => (
                        DiagnosticCode::PaddedSectionHeader,
                        format!("The AWS CLI and rolectl read [{raw}] as {what}, with the blanks inside the brackets, but the SDKs read it without them; write it without the blanks."),
                    ),
                    (FileKind::Config, (Some(prefix), _)) if !matches!(prefix, "profile" | "sso-session" | "services") => (
                        DiagnosticCode::UnknownSectionType,
                        format!("The AWS CLI and rolectl read [{raw}] as {what}, since the header starts with `{}`, but the SDKs ignore it; write [{} {}].", kind_prefix(*kind), kind_prefix(*kind), quote_name(name)),
                    ),
                    _ => (
                        DiagnosticCode::InvalidSectionName,
                        format!("The AWS CLI and rolectl read [{raw}] as {what}, but the SDKs ignore the section, since their names may only hold letters, digits and _ - / . % @ : +."),
                    ),
                }
            }
            Target::Ignored => match sdk {
                Some((kind, name)) => (
                    DiagnosticCode::PaddedSectionHeader,
                    format!("The AWS CLI and rolectl do not read [{raw}] as {}, because of the blanks inside the brackets, but the SDKs do; write [{}].", describe(kind, name), line::trim_blanks(raw)),
                ),
                None => {
                    let (prefix, name) = line::section_name(raw);
                    match prefix {
                        None if CLI_SECTIONS.contains(&raw) => return,
                        None => (
                            DiagnosticCode::MissingProfilePrefix,
                            format!("The section [{raw}] is not a profile: sections in the config file other than [default] need a prefix; write [profile {}].", quote_name(name)),
                        ),
                        Some(p @ ("profile" | "sso-session" | "services")) => (
                            DiagnosticCode::InvalidSectionName,
                            format!("The section [{raw}] is ignored because `{name}` is not one name; put a name with blanks in quotes: [{p} \"{name}\"]."),
                        ),
                        Some(p) => (
                            DiagnosticCode::UnknownSectionType,
                            format!("The section [{raw}] is ignored because `{p}` is not a known section type (profile, sso-session or services)."),
                        ),
                    }
                }
            },
        };
        self.warn(code, location, message);
    }

    fn option(
        &mut self,
        raw: &'a str,
        text: &'a str,
        number: u32,
        indent: usize,
    ) -> Result<(), ParseError> {
        let location = self.location(number, indent + 1);
        let Some(at) = text.bytes().position(|b| b == b'=' || b == b':') else {
            return Err(if text.starts_with('[') {
                ParseError::UnclosedSectionHeader { location }
            } else {
                ParseError::MissingEquals {
                    location,
                    kind: LineKind::Property,
                }
            });
        };
        let key = text[..at].trim_end_matches(is_py_space);
        let value = py_strip(&text[at + 1..]);
        if key.is_empty() {
            return Err(ParseError::MissingName {
                location,
                kind: LineKind::Property,
            });
        }
        // Python's `str.lower()`, as `optionxform` does.
        let key: Cow<'a, str> = if key.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            match key.to_lowercase() {
                lower if lower == key => Cow::Borrowed(key),
                lower => Cow::Owned(lower),
            }
        } else {
            Cow::Borrowed(key)
        };
        if indent > 0 {
            let message = format!("This line is indented: the AWS CLI and rolectl read it as the key `{key}`, but the SDKs read an indented line as part of the value above it, or refuse it after a header (\"Expected a property definition, found continuation\"); move it to column 1.");
            self.warn(DiagnosticCode::IndentedLine, location, message);
        }
        if text.as_bytes()[at] == b':' {
            let sdk = match line::split_at_equals(text) {
                Some((k, _)) => format!(
                    "split it at the '=' and read the key `{}`",
                    line::trim_blanks(k)
                ),
                None => "refuse it (\"Expected an '=' sign defining a property\")".to_owned(),
            };
            let message = format!("The AWS CLI and rolectl split this line at its first ':' and read `{key} = {value}`, but the SDKs {sdk}; write `name = value`.");
            self.warn(DiagnosticCode::ColonInKey, location, message);
        } else if !line::is_identifier(&key) {
            let message = format!("The AWS CLI and rolectl read the key `{key}`, but the SDKs ignore it, since their keys may only hold letters, digits and _ - / . % @ : +.");
            self.warn(DiagnosticCode::InvalidKey, location, message);
        }
        // `value` is a part of `raw`: where it starts there.
        let start = value.as_ptr() as usize - raw.as_ptr() as usize;
        let at = self.location(number, raw[..start].chars().count() + 1);
        self.inline_comment(value, &key, at);
        self.open = Some(Open {
            key,
            location,
            first: value,
            more: Vec::new(),
            blank: None,
            blank_pending: None,
        });
        Ok(())
    }

    /// `at` is where `value` starts.
    fn inline_comment(&mut self, value: &str, key: &str, at: Location) {
        if let Some(offset) = line::inline_comment(value) {
            let cut = line::trim_blanks(&value[..offset]);
            let column = at.column as usize + value[..offset].chars().count();
            let location = self.location(at.line, column);
            let message = format!("The AWS CLI and rolectl read `{key}` as `{value}`, comment included, but the SDKs end the value at the comment and read `{cut}`; put the comment on its own line.");
            self.warn(DiagnosticCode::InlineComment, location, message);
        }
    }

    /// Completes the open value: continuation lines joined with `\n`,
    /// trailing empty lines dropped, and a value that starts with an empty
    /// line read as `name = value` lines.
    fn close_value(&mut self) -> Result<(), ParseError> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        if let Some(blank) = open.blank {
            let location = self.location(blank, 1);
            self.warn(
                DiagnosticCode::BlankLineInValue,
                location,
                format!("The AWS CLI and rolectl keep this empty line as part of the value of `{}`, but the SDKs skip it; remove the empty line.", open.key),
            );
        }
        for more in &open.more {
            if !more.text.is_empty() {
                let location = self.location(more.line, more.column as usize);
                self.inline_comment(more.text, &open.key, location);
            }
        }
        let (value, sub_properties) = if open.more.is_empty() {
            (Cow::Borrowed(open.first), Properties::new())
        } else {
            let mut joined = String::from(open.first);
            for more in &open.more {
                joined.push('\n');
                joined.push_str(more.text);
            }
            let subs = if open.first.is_empty() {
                self.sub_properties(&open.more)?
            } else {
                Properties::new()
            };
            (Cow::Owned(joined), subs)
        };
        let property = Property {
            value,
            location: open.location,
            sub_properties,
        };
        self.written.push((open.key, property));
        Ok(())
    }

    /// botocore's `_parse_nested`: every non-empty line splits at its first
    /// `=`; names keep their case; a later name wins.
    fn sub_properties(&self, lines: &[ValueLine<'a>]) -> Result<Properties<'a>, ParseError> {
        let mut written = Vec::new();
        for value_line in lines {
            for piece in value_line.text.split(is_splitlines_break) {
                let piece = py_strip(piece);
                if piece.is_empty() {
                    continue;
                }
                let location = self.location(value_line.line, value_line.column as usize);
                let (name, value) = piece.split_once('=').ok_or(ParseError::MissingEquals {
                    location,
                    kind: LineKind::SubProperty,
                })?;
                written.push((
                    Cow::Borrowed(py_strip(name)),
                    Property {
                        value: Cow::Borrowed(py_strip(value)),
                        location,
                        sub_properties: Properties::new(),
                    },
                ));
            }
        }
        Ok(Properties::from_written(&mut written, |_, _| {}))
    }

    fn finish(mut self) -> ParsedFile<'a> {
        self.close_header();
        let headers = std::mem::take(&mut self.headers);
        let named = named_headers(&headers);
        self.repeats(&headers, &named);
        let mut defaults: Vec<(Cow<'a, str>, Property<'a>)> = Vec::new();
        let mut sections: Vec<(usize, FileSection<'a>)> = Vec::new();
        let winners = winning_headers(&headers, &named);
        for (index, header) in headers.into_iter().enumerate() {
            let properties = header.properties;
            match header.target {
                Target::Defaults => {
                    defaults.extend(properties.iter().map(|(k, p)| (k.clone(), p.clone())))
                }
                Target::Kept(kind, name) if winners[index] => sections.push((
                    index,
                    FileSection {
                        kind,
                        name,
                        location: header.location,
                        properties,
                    },
                )),
                Target::Kept(..) | Target::Ignored => {}
            }
        }
        if !defaults.is_empty() {
            let defaults = Properties::from_written(&mut defaults, |_, _| {});
            for (_, section) in &mut sections {
                let mut missing: Vec<(Cow<'a, str>, Property<'a>)> = defaults
                    .iter()
                    .filter(|(k, _)| !section.properties.contains_key(k))
                    .map(|(k, p)| (k.clone(), p.clone()))
                    .collect();
                if !missing.is_empty() {
                    let mut extra = Properties::from_written(&mut missing, |_, _| {});
                    extra.append(&mut std::mem::take(&mut section.properties));
                    section.properties = extra;
                }
            }
        }
        self.warnings.sort_by_key(|w| w.location);
        ParsedFile {
            kind: self.file,
            sections: sections.into_iter().map(|(_, s)| s).collect(),
            warnings: self.warnings,
        }
    }

    /// Sorts the options read under the last header into it; a key
    /// written twice under one header is refused by the AWS CLI, and the
    /// later value is used here. The buffer is reused from header to header.
    fn close_header(&mut self) {
        let Some(header) = self.headers.last_mut() else {
            return;
        };
        if self.written.is_empty() {
            return;
        }
        let raw = header.raw;
        let warnings = &mut self.warnings;
        header.properties = Properties::from_written(&mut self.written, |(key, _), (_, later)| {
            let message = format!("The key `{key}` appears twice in [{raw}]: the AWS CLI will not start with this file (DuplicateOptionError). rolectl uses the later value, as the SDKs do; remove one of them.");
            warnings.push(Diagnostic::warning(
                DiagnosticCode::DuplicateKey,
                later.location,
                message,
            ));
        })
    }

    /// Warns about repeated headers: the same text twice (the AWS CLI
    /// refuses the file), or two texts naming one section.
    fn repeats(&mut self, headers: &[Header<'a>], named: &[usize]) {
        // `[DEFAULT]` may repeat: configparser keeps it apart from sections.
        let mut order: Vec<usize> = (0..headers.len())
            .filter(|&i| headers[i].target != Target::Defaults)
            .collect();
        order.sort_by(|&a, &b| headers[a].raw.cmp(headers[b].raw).then(a.cmp(&b)));
        for pair in order.windows(2) {
            let (first, later) = (&headers[pair[0]], &headers[pair[1]]);
            if first.raw == later.raw {
                let message = format!("The section [{}] also appears on line {}: the AWS CLI will not start with this file (DuplicateSectionError). rolectl reads the two as one section, as the SDKs do; merge them.", later.raw, first.location.line);
                self.warn(DiagnosticCode::DuplicateSection, later.location, message);
            }
        }
        for pair in named.windows(2) {
            let (first, later) = (&headers[pair[0]], &headers[pair[1]]);
            if target_key(first) != target_key(later) || first.raw == later.raw {
                continue;
            }
            let Target::Kept(kind, name) = &later.target else {
                continue;
            };
            let (code, sdk) = if *kind == SectionKind::Profile && name == "default" {
                (
                    DiagnosticCode::DefaultProfileConflict,
                    "use [profile default]",
                )
            } else {
                (DiagnosticCode::RepeatedSectionName, "merge the two")
            };
            let message = format!("[{}] and [{}] on line {} both name {}: the AWS CLI and rolectl use only the later one, but the SDKs {sdk}; keep one of them.", later.raw, first.raw, first.location.line, describe(*kind, name));
            self.warn(code, later.location, message);
        }
    }
}

fn target_key<'h>(header: &'h Header<'_>) -> Option<(SectionKind, &'h str)> {
    match &header.target {
        Target::Kept(kind, name) => Some((*kind, name.as_ref())),
        _ => None,
    }
}

/// The indexes of the headers whose options make each named section: of
/// headers naming one section, those with the text that first appears
/// latest in the file (botocore builds its map from Python's section
/// dictionary, ordered by first appearance, and a later entry replaces an
/// earlier one). Repeats of that same text all count (merged as the SDKs
/// do, where the AWS CLI refuses the file).
fn winning_headers(headers: &[Header<'_>], named: &[usize]) -> Vec<bool> {
    let mut wins = vec![false; headers.len()];
    for group in named.chunk_by(|&a, &b| target_key(&headers[a]) == target_key(&headers[b])) {
        if let [only] = group {
            wins[*only] = true;
            continue;
        }
        // The text whose first appearance is latest: `group` is in file
        // order, so that of the last header whose text no earlier one has.
        let latest = group
            .iter()
            .enumerate()
            .filter(|&(n, &i)| !group[..n].iter().any(|&j| headers[j].raw == headers[i].raw))
            .map(|(_, &i)| headers[i].raw)
            .next_back();
        for &i in group {
            wins[i] = Some(headers[i].raw) == latest;
        }
    }
    wins
}

/// The indexes of the headers that name a section, sorted by that section
/// (kind and name), in file order within each.
fn named_headers(headers: &[Header<'_>]) -> Vec<usize> {
    let mut named: Vec<usize> = (0..headers.len())
        .filter(|&i| matches!(headers[i].target, Target::Kept(..)))
        .collect();
    named.sort_by(|&a, &b| {
        target_key(&headers[a])
            .cmp(&target_key(&headers[b]))
            .then(a.cmp(&b))
    });
    named
}

/// The text between `[` and the last `]` (with at least one character
/// between), as `configparser`'s `\[(?P<header>.+)\]` matches at the start.
fn header_text(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

fn kind_prefix(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Profile => "profile",
        SectionKind::SsoSession => "sso-session",
        SectionKind::Services => "services",
    }
}

fn describe(kind: SectionKind, name: &str) -> String {
    let what = match kind {
        SectionKind::Profile => "the profile",
        SectionKind::SsoSession => "the sso-session",
        SectionKind::Services => "the services section",
    };
    format!("{what} `{name}`")
}

/// A name as it must be written in a header for `shlex` to give it back.
fn quote_name(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\\'))
    {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shlex_as_python() {
        let split = |s: &str| shlex_split(s).map(|w| w.join("|"));
        assert_eq!(split("profile foo").as_deref(), Some("profile|foo"));
        assert_eq!(
            split("profile \"my profile\"").as_deref(),
            Some("profile|my profile")
        );
        assert_eq!(split("profile 'a'b\"c\"").as_deref(), Some("profile|abc"));
        assert_eq!(split("profile \"\"").as_deref(), Some("profile|"));
        assert_eq!(split("profile a\\ b").as_deref(), Some("profile|a b"));
        assert_eq!(
            split("profile \"a\\x\\\"\"").as_deref(),
            Some("profile|a\\x\"")
        );
        assert_eq!(split("profile 'unclosed"), None);
        assert_eq!(split("profile a\\"), None);
        assert_eq!(split("profile foo)").as_deref(), Some("profile|foo)"));
    }

    #[test]
    fn headers_as_configparser() {
        assert_eq!(header_text("[a]"), Some("a"));
        assert_eq!(header_text("[a] x ]"), Some("a] x "));
        assert_eq!(header_text("[]"), None);
        assert_eq!(header_text("[]]"), Some("]"));
        assert_eq!(header_text("[a"), None);
    }

    #[test]
    fn universal_newlines() {
        let lines: Vec<&str> = py_lines("a\r\nb\rc\nd").collect();
        assert_eq!(lines, ["a", "b", "c", "d"]);
        assert_eq!(py_lines("").count(), 0);
        assert_eq!(py_lines("a\n").count(), 1);
    }
}
