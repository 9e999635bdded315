//! The shapes of single lines (`[header]`, `key = value`), written with nom.
//! Which shape a line has is decided by its first character (see `parse`);
//! these functions only take a line apart.

use nom::bytes::complete::{take_till, take_till1};
use nom::character::complete::{char, space1};
use nom::combinator::{opt, rest};
use nom::sequence::{preceded, separated_pair};
use nom::{IResult, Parser};

/// Blanks in the profile file rules: only space and tab (not `\r`, not
/// Unicode spaces), so `str::trim` must not be used.
pub(crate) const BLANKS: [char; 2] = [' ', '\t'];

pub(crate) fn trim_blanks(s: &str) -> &str {
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    // Both ends are next to ASCII bytes, so they are char boundaries.
    &s[start..end]
}

pub(crate) fn is_blank_line(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

fn is_comment_char(c: char) -> bool {
    c == '#' || c == ';'
}

/// The text between `[` and `]` of a section header line, comment removed
/// (any `#` or `;` starts a comment on a header line). `None` when the
/// closing `]` is missing.
pub(crate) fn section_header(line: &str) -> Option<&str> {
    let parsed: IResult<&str, &str> =
        preceded(char('['), take_till(is_comment_char)).parse(line.trim_start_matches(BLANKS));
    let (_, inner) = parsed.ok()?;
    inner.trim_end_matches(BLANKS).strip_suffix(']')
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
/// does, so `a # b = c` has no `=`.
pub(crate) fn key_value(line: &str) -> Result<KeyValue<'_>, KeyValueError> {
    let line = trim_blanks(line);
    let comment = inline_comment(line);
    let content = trim_blanks(comment.map_or(line, |idx| &line[..idx]));
    let parsed: IResult<&str, (&str, &str)> =
        separated_pair(until_byte(b'='), char('='), rest).parse(content);
    let (_, (key, value)) =
        parsed.map_err(|_: nom::Err<nom::error::Error<&str>>| KeyValueError::NoEquals)?;
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

/// Like nom's `take_till`, for one ASCII byte: the text before the first
/// `byte` (all of it when there is none).
fn until_byte<'a>(byte: u8) -> impl Fn(&'a str) -> IResult<&'a str, &'a str> {
    move |input: &'a str| {
        let at = input.bytes().position(|b| b == byte).unwrap_or(input.len());
        // `at` is on an ASCII byte or at the end: a char boundary.
        Ok((&input[at..], &input[..at]))
    }
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

const fn identifier_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+');
        b += 1;
    }
    table
}

static IDENTIFIER: [bool; 256] = identifier_table();

/// Profile, section and key names: `[A-Za-z0-9_\-/.%@:+]*`.
pub(crate) fn is_identifier(name: &str) -> bool {
    name.bytes().all(|b| IDENTIFIER[usize::from(b)])
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
}
