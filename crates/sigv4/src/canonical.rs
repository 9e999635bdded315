//! Building the canonical request: method, canonical path, sorted and
//! re-encoded query, lowercased and trimmed headers, signed header list
//! and payload hash, written into one byte buffer (all ASCII or copied
//! UTF-8 text, turned into a String once at the end).

use std::cmp::Ordering;
use std::ops::Range;

use crate::encoding::{encode_into, recode_into};

/// Headers that proxies add or rewrite in transit; signing them would break
/// the signature, so they are left out (as the AWS SDKs do).
const NEVER_SIGNED: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "expect",
    "transfer-encoding",
];

pub(crate) fn is_never_signed(name: &str) -> bool {
    NEVER_SIGNED.iter().any(|n| n.eq_ignore_ascii_case(name))
}

pub(crate) fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn push_lowercase(s: &str, out: &mut Vec<u8>) {
    out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Writes the header value trimmed, with every run of whitespace
/// (including folded line breaks) collapsed to one space.
fn push_trimmed_value(value: &str, out: &mut Vec<u8>) {
    let bytes = value.as_bytes();
    let mut pending_space = false;
    let mut wrote = false;
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        if is_ws(b) {
            if let Some(s) = start.take() {
                out.extend_from_slice(&bytes[s..i]);
                wrote = true;
            }
            pending_space = wrote;
        } else if start.is_none() {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.extend_from_slice(&bytes[s..]);
    }
}

/// Writes the canonical path of `path` (no query) into `out`.
pub(crate) fn write_path(path: &str, normalize: bool, double_encode: bool, out: &mut Vec<u8>) {
    let base = out.len();
    let mut scratch = Vec::new();
    let mut write_segment = |seg: &str, out: &mut Vec<u8>| {
        if double_encode {
            encode_into(seg.as_bytes(), false, out);
        } else {
            // Single encoding: decode what the caller encoded, encode once.
            recode_into(seg.as_bytes(), false, &mut scratch, out);
        }
    };
    let body = path.strip_prefix('/').unwrap_or(path);
    if normalize {
        for seg in body.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    let cut = out[base..].iter().rposition(|&b| b == b'/').unwrap_or(0);
                    out.truncate(base + cut);
                }
                _ => {
                    out.push(b'/');
                    write_segment(seg, out);
                }
            }
        }
        // An empty result is the root. A path ending in `/`, `/.` or `/..`
        // names a directory, so it keeps its trailing slash (RFC 3986 5.2.4).
        let last = body.rsplit('/').next().unwrap_or("");
        if out.len() == base || matches!(last, "" | "." | "..") {
            out.push(b'/');
        }
    } else {
        for seg in body.split('/') {
            out.push(b'/');
            write_segment(seg, out);
        }
    }
}

/// Canonical query pairs, encoded into one buffer and addressed by ranges.
pub(crate) struct QueryPairs {
    buf: Vec<u8>,
    pairs: Vec<(Range<usize>, Range<usize>)>,
    scratch: Vec<u8>,
}

impl QueryPairs {
    pub(crate) fn new(query: &str, extra: usize) -> Self {
        let count = query.bytes().filter(|&b| b == b'&').count() + 1;
        QueryPairs {
            buf: Vec::with_capacity(query.len() + extra * 64),
            pairs: Vec::with_capacity(count + extra),
            scratch: Vec::new(),
        }
    }

    /// Adds every `name=value` of a wire query string, decoded first so
    /// that it is encoded exactly once here.
    pub(crate) fn add_wire_query(&mut self, query: &str) {
        for pair in query.as_bytes().split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &[][..]),
            };
            let ks = self.buf.len();
            recode_into(k, true, &mut self.scratch, &mut self.buf);
            let ke = self.buf.len();
            recode_into(v, true, &mut self.scratch, &mut self.buf);
            self.pairs.push((ks..ke, ke..self.buf.len()));
        }
    }

    /// Adds one pair given as raw (unencoded) text.
    pub(crate) fn add_raw(&mut self, name: &str, value: &str) {
        let ks = self.buf.len();
        encode_into(name.as_bytes(), false, &mut self.buf);
        let ke = self.buf.len();
        encode_into(value.as_bytes(), false, &mut self.buf);
        self.pairs.push((ks..ke, ke..self.buf.len()));
    }

    pub(crate) fn write_sorted(&mut self, out: &mut Vec<u8>) {
        let buf = &self.buf;
        self.pairs.sort_unstable_by(|a, b| {
            buf[a.0.clone()]
                .cmp(&buf[b.0.clone()])
                .then_with(|| buf[a.1.clone()].cmp(&buf[b.1.clone()]))
        });
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            out.extend_from_slice(&buf[k.clone()]);
            out.push(b'=');
            out.extend_from_slice(&buf[v.clone()]);
        }
    }
}

/// Sorts headers by lowercase name, keeping the given order of values of
/// one name, and writes the signed header list (`a;b;c`).
pub(crate) fn sort_headers<'h>(headers: &mut [(&'h str, &'h str)], signed: &mut Vec<u8>) {
    headers.sort_by(|a, b| cmp_ignore_ascii_case(a.0, b.0));
    let mut prev: Option<&str> = None;
    for (name, _) in headers.iter() {
        if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
            continue;
        }
        if prev.is_some() {
            signed.push(b';');
        }
        push_lowercase(name, signed);
        prev = Some(name);
    }
}

/// Writes `name:v1,v2\n` lines for headers already sorted by
/// [`sort_headers`].
pub(crate) fn write_headers(headers: &[(&str, &str)], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < headers.len() {
        let name = headers[i].0;
        push_lowercase(name, out);
        out.push(b':');
        let mut j = i;
        while j < headers.len() && headers[j].0.eq_ignore_ascii_case(name) {
            if j > i {
                out.push(b',');
            }
            push_trimmed_value(headers[j].1, out);
            j += 1;
        }
        out.push(b'\n');
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, normalize: bool, double: bool) -> String {
        let mut out = Vec::new();
        write_path(p, normalize, double, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn normalizes_dot_segments_and_slashes() {
        assert_eq!(path("/example/..", true, true), "/");
        assert_eq!(path("/a/b/../c/./d/", true, true), "/a/c/d/");
        assert_eq!(path("//example//", true, true), "/example/");
        assert_eq!(path("/../..", true, true), "/");
        assert_eq!(path("/a/.", true, true), "/a/");
        assert_eq!(path("/a/b/..", true, true), "/a/");
        assert_eq!(path("/a/b", true, true), "/a/b");
        assert_eq!(path("", true, true), "/");
        assert_eq!(path("//example//", false, true), "//example//");
    }

    #[test]
    fn double_and_single_encoding() {
        assert_eq!(path("/a%3Ab c", false, true), "/a%253Ab%20c");
        assert_eq!(path("/a%3Ab c", false, false), "/a%3Ab%20c");
        assert_eq!(path("/a%2Fb+", false, false), "/a%2Fb%2B");
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        for (value, want) in [
            ("  a   b  ", "a b"),
            ("\"a   b   c\"", "\"a b c\""),
            ("v1\n  v2\n     v3", "v1 v2 v3"),
            ("   ", ""),
            ("", ""),
            ("é  ü", "é ü"),
        ] {
            let mut out = Vec::new();
            push_trimmed_value(value, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{value:?}");
        }
    }

    #[test]
    fn headers_group_trim_and_sort() {
        let mut h = vec![("Host", "x"), ("b", " 1  2 "), ("A", "z"), ("B", "3")];
        let mut signed = Vec::new();
        sort_headers(&mut h, &mut signed);
        assert_eq!(signed, b"a;b;host");
        let mut out = Vec::new();
        write_headers(&h, &mut out);
        assert_eq!(out, b"a:z\nb:1 2,3\nhost:x\n");
    }

    #[test]
    fn query_sorted_by_encoded_name_then_value() {
        let q = "b=2&a=2&a=1&%E1%88%B4=x&c&d=a+b&&e=%zz";
        let mut pairs = QueryPairs::new(q, 0);
        pairs.add_wire_query(q);
        let mut out = Vec::new();
        pairs.write_sorted(&mut out);
        assert_eq!(out, b"%E1%88%B4=x&a=1&a=2&b=2&c=&d=a%20b&e=%25zz");
    }
}
