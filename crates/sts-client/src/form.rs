//! `application/x-www-form-urlencoded` bodies exactly as Python's
//! `urllib.parse.urlencode` (with `quote_plus`) writes them, which is what the
//! AWS CLI sends; and the reverse, for tests and debug output.

use std::fmt::Write;

/// Bytes `quote_plus` leaves alone (Python's `_ALWAYS_SAFE` with `safe=''`).
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b'~')
}

/// Appends `value` encoded as Python's `urllib.parse.quote_plus(value)`:
/// UTF-8 bytes outside `A-Za-z0-9_.-~` become `%XX` (upper-case hex), and a
/// space becomes `+`.
pub fn quote_plus_into(out: &mut String, value: &str) {
    for &byte in value.as_bytes() {
        if is_unreserved(byte) {
            out.push(byte as char);
        } else if byte == b' ' {
            out.push('+');
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
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

/// The inverse of [`quote_plus`]: `+` is a space, `%XX` a byte.
pub fn unquote_plus(value: &str) -> Result<String, FormDecodeError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            b'%' => {
                let hex = match bytes.get(index + 1..index + 3) {
                    Some(&[high, low]) => hex_value(high).zip(hex_value(low)),
                    _ => None,
                }
                .map(|(high, low)| high << 4 | low)
                .ok_or(FormDecodeError::BadPercentEscape { offset: index })?;
                out.push(hex);
                index += 3;
            }
            other => {
                out.push(other);
                index += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| FormDecodeError::NotUtf8)
}

fn hex_value(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|value| value as u8)
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
