//! `application/x-www-form-urlencoded` bodies exactly as Python's
//! `urllib.parse.urlencode` (with `quote_plus`) writes them, which is what the
//! AWS CLI sends; and the reverse, for tests and debug output.

use rolectl_sigv4::encoding::{decode_query_component, encode_query_component_into};

/// Appends `value` encoded as Python's `urllib.parse.quote_plus(value)`:
/// UTF-8 bytes outside `A-Za-z0-9_.-~` become `%XX` (upper-case hex), and a
/// space becomes `+`. Python's safe set is SigV4's unreserved set, so this
/// is SigV4's component encoding with spaces written as `+`.
pub fn quote_plus_into(out: &mut String, value: &str) {
    for (index, part) in value.split(' ').enumerate() {
        if index > 0 {
            out.push('+');
        }
        encode_query_component_into(part, out);
    }
}

/// `value` encoded as Python's `urllib.parse.quote_plus(value)`.
pub fn quote_plus(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 2);
    quote_plus_into(&mut out, value);
    out
}

/// `key=value` pairs joined with `&`, each side encoded with [`quote_plus`],
/// in the order given.
pub fn encode_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        quote_plus_into(&mut out, key.as_ref());
        out.push('=');
        quote_plus_into(&mut out, value.as_ref());
    }
    out
}

/// Why a form body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormDecodeError {
    #[error("A form field has a `%` at byte {offset} that is not followed by two hex digits.")]
    BadPercentEscape { offset: usize },
    #[error("The form body does not decode to UTF-8 text.")]
    NotUtf8,
}

/// The inverse of [`quote_plus`]: `+` is a space, `%XX` a byte. Stricter
/// than Python's `unquote_plus`: a `%` without two hex digits is an error,
/// so a mangled body is noticed instead of read as something else.
pub fn unquote_plus(value: &str) -> Result<String, FormDecodeError> {
    let bytes = value.as_bytes();
    let bad_escape = bytes.iter().enumerate().find(|&(index, &byte)| {
        byte == b'%'
            && !matches!(bytes.get(index + 1..index + 3),
                Some([high, low]) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit())
    });
    if let Some((offset, _)) = bad_escape {
        return Err(FormDecodeError::BadPercentEscape { offset });
    }
    String::from_utf8(decode_query_component(value)).map_err(|_| FormDecodeError::NotUtf8)
}

/// Splits a form body into decoded `(key, value)` pairs, in order. A pair
/// without `=` has an empty value.
pub fn decode_pairs(body: &str) -> Result<Vec<(String, String)>, FormDecodeError> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    body.split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((unquote_plus(key)?, unquote_plus(value)?))
        })
        .collect()
}
