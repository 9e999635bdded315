//! Percent-encoding as SigV4 defines it: every byte except the RFC 3986
//! unreserved characters becomes `%XX` with uppercase hex. Used for the
//! canonical path, the canonical query string and presigned parameters.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `true` for the bytes SigV4 leaves as they are: `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'~';
        b += 1;
    }
    table
};

#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

/// Appends `input` to `out`, percent-encoding every byte that is not
/// unreserved (and not `/` when `keep_slash`). The output is ASCII.
pub fn encode_into(input: &[u8], keep_slash: bool, out: &mut Vec<u8>) {
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        out.extend_from_slice(&input[start..i]);
        out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        start = i + 1;
    }
    out.extend_from_slice(&input[start..]);
}

/// Percent-encodes a query-string component (name or value) the SigV4 way.
pub fn encode_query_component(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    encode_query_component_into(input, &mut out);
    out
}

/// Appends `input` to `out`, percent-encoded as [`encode_query_component`]
/// does. The same set of bytes is safe in Python's `quote` (3.7 and
/// later), so form encoders build on this one too.
pub fn encode_query_component_into(input: &str, out: &mut String) {
    out.reserve(input.len());
    for &b in input.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

/// Percent-encodes a URI path once, keeping `/`.
pub fn encode_path(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    encode_into(input, true, &mut out);
    ascii_to_string(out)
}

/// Turns a buffer built from UTF-8 text and encoder output into a String.
pub(crate) fn ascii_to_string(bytes: Vec<u8>) -> String {
    // Every producer in this crate writes ASCII or copies whole UTF-8
    // strings, so the lossy branch is never taken; it avoids a panic path.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

/// Appends the canonical form of one wire query component: decoded, then
/// encoded once. `scratch` is reused between calls.
pub(crate) fn recode_into(
    input: &[u8],
    plus_as_space: bool,
    scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    // Most components need neither decoding nor encoding.
    if input.iter().all(|&b| is_unreserved(b)) {
        out.extend_from_slice(input);
        return;
    }
    if !input
        .iter()
        .any(|&b| b == b'%' || (plus_as_space && b == b'+'))
    {
        encode_into(input, false, out);
        return;
    }
    scratch.clear();
    decode_into(input, plus_as_space, scratch);
    encode_into(scratch, false, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_keeps_unreserved() {
        assert_eq!(encode_query_component("a b/c~d=é"), "a%20b%2Fc~d%3D%C3%A9");
        let mut appended = String::from("x=");
        encode_query_component_into("%é ~", &mut appended);
        assert_eq!(appended, "x=%25%C3%A9%20~");
        assert_eq!(encode_path(b"/a b/%41"), "/a%20b/%2541");
    }

    #[test]
    fn decodes_escapes_plus_and_broken_escapes() {
        assert_eq!(decode_query_component("a+b%2Fc%zz%4"), b"a b/c%zz%4");
        assert_eq!(decode_query_component("%E1%88%B4"), "\u{1234}".as_bytes());
    }

    #[test]
    fn recodes_each_kind_of_component() {
        let mut scratch = Vec::new();
        for (input, want) in [
            ("abc", "abc"),
            ("a:b", "a%3Ab"),
            ("a%3ab+c", "a%3Ab%20c"),
            ("%zz", "%25zz"),
        ] {
            let mut out = Vec::new();
            recode_into(input.as_bytes(), true, &mut scratch, &mut out);
            assert_eq!(out, want.as_bytes(), "{input}");
        }
    }
}
