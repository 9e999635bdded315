//! The shapes of single lines (`[header]`, `key = value`). Which shape a
//! line has is decided by its first character (see `parse`); these functions
//! only take a line apart. Every character that splits a line is ASCII, so
//! the hot paths look at bytes and still cut only at char boundaries.

use nom::bytes::complete::take_till1;
use nom::character::complete::space1;
use nom::combinator::{opt, rest};
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// Blanks in the profile file rules: only space and tab (not `\r`, not
/// Unicode spaces), so `str::trim` must not be used.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[inline]
pub(crate) fn trim_blanks(s: &str) -> &str {
    trim_end_blanks(trim_start_blanks(s))
}

pub(crate) fn trim_start_blanks(s: &str) -> &str {
    let start = s.bytes().position(|b| !is_blank(b)).unwrap_or(s.len());
    // Next to an ASCII byte or at the end: a char boundary.
    &s[start..]
}

fn trim_end_blanks(s: &str) -> &str {
    let end = s.bytes().rposition(|b| !is_blank(b)).map_or(0, |i| i + 1);
    &s[..end]
}

pub(crate) fn is_blank_line(line: &str) -> bool {
    line.bytes().all(is_blank)
}

/// The text between `[` and `]` of a section header line, comment removed
/// (any `#` or `;` starts a comment on a header line). `None` when the
/// closing `]` is missing.
pub(crate) fn section_header(line: &str) -> Option<&str> {
    let rest = trim_start_blanks(line).strip_prefix('[')?;
    let end = rest
        .bytes()
        .position(|b| b == b'#' || b == b';')
        .unwrap_or(rest.len());
    trim_end_blanks(&rest[..end]).strip_suffix(']')
}

/// `profile foo` -> (`Some("profile")`, `"foo"`); `default` -> (`None`, `"default"`).
/// The split is at the first blank; both parts are trimmed.
pub(crate) fn section_name(inner: &str) -> (Option<&str>, &str) {
    let inner = trim_blanks(inner);
    let parsed: IResult<&str, (&str, Option<&str>)> = (
        take_till1(|c| c == ' ' || c == '\t'),
        opt(preceded(space1, rest)),
    )
        .parse(inner);
    match parsed {
        Ok((_, (prefix, Some(suffix)))) => (Some(prefix), trim_blanks(suffix)),
        _ => (None, inner),
    }
}

/// Byte offset of the comment that ends a property line: the first `#` or
/// `;` right after a whitespace character.
pub(crate) fn inline_comment(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memchr2(b'#', b';', &bytes[from..]) {
        let idx = from + found;
        // `idx` is on an ASCII byte, so it is a char boundary.
        if line[..idx]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
        {
            return Some(idx);
        }
        from = idx + 1;
    }
    None
}

/// A `key = value` line taken apart.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct KeyValue<'a> {
    pub key: &'a str,
    /// Trimmed, without the inline comment.
    pub value: &'a str,
    /// Byte offset (in the trimmed line) of an inline comment that was cut.
    pub comment: Option<usize>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyValueError {
    NoEquals,
    NoName,
}

/// Takes apart a property or sub-property line (already trimmed of
/// leading blanks). The comment is cut before looking for `=`, as every SDK
/// does, so `a # b = c` has no `=`. The first `=` splits the line, so
/// `a = b=c` has the value `b=c`.
pub(crate) fn key_value(line: &str) -> Result<KeyValue<'_>, KeyValueError> {
    let line = trim_blanks(line);
    let comment = inline_comment(line);
    let content = comment.map_or(line, |idx| &line[..idx]);
    let (key, value) = split_at_equals(content).ok_or(KeyValueError::NoEquals)?;
    let key = trim_blanks(key);
    if key.is_empty() {
        return Err(KeyValueError::NoName);
    }
    Ok(KeyValue {
        key,
        value: trim_blanks(value),
        comment,
    })
}

/// The text before and after the first `=`, if there is one.
pub(crate) fn split_at_equals(s: &str) -> Option<(&str, &str)> {
    // A byte loop: keys are short, and `str::split_once` costs more here.
    let at = s.bytes().position(|b| b == b'=')?;
    // `at` is on an ASCII byte, so both parts are on char boundaries.
    Some((&s[..at], &s[at + 1..]))
}

/// How botocore's `configparser` splits a line that has `:` before any `=`:
/// `key : value` is `key = value` there.
pub(crate) fn colon_reading(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    if line.find('=').is_some_and(|eq| eq < colon) {
        return None;
    }
    let key = line[..colon].trim();
    let value = line[colon + 1..].trim();
    (!key.is_empty()).then_some((key, value))
}

const IDENTIFIER: u8 = 1;
const UPPERCASE: u8 = 2;
const COLON: u8 = 4;

/// For each byte, which of the classes above it is in.
const fn char_classes() -> [u8; 256] {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+')
        {
            table[b] |= IDENTIFIER;
        }
        if c.is_ascii_uppercase() {
            table[b] |= UPPERCASE;
        }
        if c == b':' {
            table[b] |= COLON;
        }
        b += 1;
    }
    table
}

static CHAR_CLASSES: [u8; 256] = char_classes();

/// Profile, section and key names: `[A-Za-z0-9_\-/.%@:+]*`.
pub(crate) fn is_identifier(name: &str) -> bool {
    name.bytes()
        .all(|b| CHAR_CLASSES[usize::from(b)] & IDENTIFIER != 0)
}

/// What the parser asks about a key, found in one pass over it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct KeyChars {
    /// The key is a valid name (see [`is_identifier`]).
    pub identifier: bool,
    /// It has an ASCII uppercase letter (keys are lowercased).
    pub uppercase: bool,
    /// It has a `:` (the AWS CLI splits such a line elsewhere).
    pub colon: bool,
}

pub(crate) fn key_chars(key: &str) -> KeyChars {
    let (mut all, mut any) = (IDENTIFIER, 0);
    for b in key.bytes() {
        let class = CHAR_CLASSES[usize::from(b)];
        all &= class;
        any |= class;
    }
    KeyChars {
        identifier: all & IDENTIFIER != 0,
        uppercase: any & UPPERCASE != 0,
        colon: any & COLON != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(section_header("[profile foo]"), Some("profile foo"));
        assert_eq!(section_header("[profile foo] ; c"), Some("profile foo"));
        assert_eq!(section_header("[profile foo]# c"), Some("profile foo"));
        assert_eq!(section_header("[profile foo"), None);
        assert_eq!(section_header("[profile f#oo]"), None);
        assert_eq!(section_header("[ a ] \t"), Some(" a "));
    }

    #[test]
    fn names() {
        assert_eq!(section_name(" profile \tfoo "), (Some("profile"), "foo"));
        assert_eq!(section_name("profilefoo"), (None, "profilefoo"));
        assert_eq!(section_name("default"), (None, "default"));
        assert_eq!(section_name(""), (None, ""));
        assert_eq!(section_name("in valid 2"), (Some("in"), "valid 2"));
    }

    #[test]
    fn key_values() {
        let kv = key_value("name = value # c # d").unwrap();
        assert_eq!((kv.key, kv.value, kv.comment), ("name", "value", Some(13)));
        let kv = key_value("name = value# c").unwrap();
        assert_eq!((kv.value, kv.comment), ("value# c", None));
        assert_eq!(key_value("a = b=c").unwrap().value, "b=c");
        assert_eq!(key_value("a =").unwrap().value, "");
        assert_eq!(key_value("key : value"), Err(KeyValueError::NoEquals));
        assert_eq!(key_value("a # b = c"), Err(KeyValueError::NoEquals));
        assert_eq!(key_value(" = v"), Err(KeyValueError::NoName));
        // A non-ASCII space also starts a comment, as in the SDKs.
        assert_eq!(key_value("a = b\u{a0}# c").unwrap().value, "b\u{a0}");
    }

    #[test]
    fn colon_lines() {
        assert_eq!(colon_reading("key : value"), Some(("key", "value")));
        assert_eq!(colon_reading("a:b = c"), Some(("a", "b = c")));
        assert_eq!(colon_reading("a = b:c"), None);
        assert_eq!(colon_reading(": x"), None);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("some-thing:long/the_one%only.foo@bar+"));
        assert!(!is_identifier("foo!bar"));
        assert!(!is_identifier("in valid"));
        assert!(!is_identifier("é"));
    }

    #[test]
    fn key_classes() {
        let chars = |identifier, uppercase, colon| KeyChars {
            identifier,
            uppercase,
            colon,
        };
        assert_eq!(key_chars("region"), chars(true, false, false));
        assert_eq!(key_chars("Region"), chars(true, true, false));
        assert_eq!(key_chars("a:B"), chars(true, true, true));
        assert_eq!(key_chars("a b:"), chars(false, false, true));
        assert_eq!(key_chars("é"), chars(false, false, false));
        assert_eq!(key_chars(""), chars(true, false, false));
    }
}
