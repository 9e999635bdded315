//! Percent-encoding as SigV4 defines it: every byte except the RFC 3986
//! unreserved characters becomes `%XX` with uppercase hex. Used for the
//! canonical path, the canonical query string and presigned parameters.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `input` to `out`, percent-encoding every byte that is not
/// unreserved (and not `/` when `keep_slash`).
pub fn encode_into(input: &[u8], keep_slash: bool, out: &mut String) {
    // Fast path: most names and values need no escaping at all.
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        push_ascii(&input[start..i], out);
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
        start = i + 1;
    }
    push_ascii(&input[start..], out);
}

#[inline]
fn push_ascii(run: &[u8], out: &mut String) {
    // The runs handed here are made of unreserved ASCII bytes only.
    if let Ok(s) = std::str::from_utf8(run) {
        out.push_str(s);
    }
}

/// Percent-encodes a query-string component (name or value) the SigV4 way.
pub fn encode_query_component(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    encode_into(input.as_bytes(), false, &mut out);
    out
}

/// Percent-encodes a URI path once, keeping `/`.
pub fn encode_path(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len());
    encode_into(input, true, &mut out);
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_as_space`) into
/// `out`. A `%` not followed by two hex digits is kept literally, the way
/// lenient servers read it.
pub fn decode_into(input: &[u8], plus_as_space: bool, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%' && i + 2 < input.len() {
            if let (Some(h), Some(l)) = (hex_val(input[i + 1]), hex_val(input[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        if b == b'+' && plus_as_space {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
}

/// Decodes a query-string component as servers read it: `%XX` escapes and
/// `+` as a space. Returns bytes because escapes need not form UTF-8.
pub fn decode_query_component(input: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    decode_into(input.as_bytes(), true, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_keeps_unreserved() {
        assert_eq!(encode_query_component("a b/c~d=é"), "a%20b%2Fc~d%3D%C3%A9");
        assert_eq!(encode_path(b"/a b/%41"), "/a%20b/%2541");
    }

    #[test]
    fn decodes_escapes_plus_and_broken_escapes() {
        assert_eq!(decode_query_component("a+b%2Fc%zz%4"), b"a b/c%zz%4");
        assert_eq!(decode_query_component("%E1%88%B4"), "\u{1234}".as_bytes());
    }
}
