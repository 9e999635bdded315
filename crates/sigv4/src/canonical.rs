//! Building the canonical request: method, canonical path, sorted and
//! re-encoded query, lowercased and trimmed headers, signed header list
//! and payload hash, written into one buffer.

use std::cmp::Ordering;
use std::ops::Range;

use crate::encoding::{decode_into, encode_into};

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

fn push_lowercase(s: &str, out: &mut String) {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        out.extend(s.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(s);
    }
}

/// Writes the header value trimmed, with every run of whitespace
/// (including folded line breaks) collapsed to one space.
fn push_trimmed_value(value: &str, out: &mut String) {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut first = true;
    for word in value.split(is_ws).filter(|w| !w.is_empty()) {
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
}

/// Writes the canonical path of `path` (no query) into `out`.
pub(crate) fn write_path(path: &str, normalize: bool, double_encode: bool, out: &mut String) {
    let base = out.len();
    let mut scratch = Vec::new();
    let mut write_segment = |seg: &str, out: &mut String| {
        if double_encode {
            encode_into(seg.as_bytes(), false, out);
        } else {
            scratch.clear();
            decode_into(seg.as_bytes(), false, &mut scratch);
            encode_into(&scratch, false, out);
        }
    };
    let body = path.strip_prefix('/').unwrap_or(path);
    if normalize {
        for seg in body.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    let tail = &out[base..];
                    let cut = tail.rfind('/').unwrap_or(0);
                    out.truncate(base + cut);
                }
                _ => {
                    out.push('/');
                    write_segment(seg, out);
                }
            }
        }
        // An empty result is the root. A path ending in `/`, `/.` or `/..`
        // names a directory, so it keeps its trailing slash (RFC 3986 5.2.4).
        let last = body.rsplit('/').next().unwrap_or("");
        if out.len() == base || matches!(last, "" | "." | "..") {
            out.push('/');
        }
    } else {
        for seg in body.split('/') {
            out.push('/');
            write_segment(seg, out);
        }
    }
}

/// Canonical query pairs, encoded into one buffer and addressed by ranges.
pub(crate) struct QueryPairs {
    buf: String,
    pairs: Vec<(Range<usize>, Range<usize>)>,
    scratch: Vec<u8>,
}

impl QueryPairs {
    pub(crate) fn new(query: &str, extra: usize) -> Self {
        QueryPairs {
            buf: String::with_capacity(query.len() + extra * 64),
            pairs: Vec::with_capacity(query.split('&').count() + extra),
            scratch: Vec::new(),
        }
    }

    /// Adds every `name=value` of a wire query string, decoded first so
    /// that it is encoded exactly once here.
    pub(crate) fn add_wire_query(&mut self, query: &str) {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            self.scratch.clear();
            decode_into(k.as_bytes(), true, &mut self.scratch);
            let ks = self.buf.len();
            encode_into(&self.scratch, false, &mut self.buf);
            let ke = self.buf.len();
            self.scratch.clear();
            decode_into(v.as_bytes(), true, &mut self.scratch);
            encode_into(&self.scratch, false, &mut self.buf);
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

    pub(crate) fn write_sorted(&mut self, out: &mut String) {
        let buf = &self.buf;
        self.pairs.sort_unstable_by(|a, b| {
            buf[a.0.clone()]
                .cmp(&buf[b.0.clone()])
                .then_with(|| buf[a.1.clone()].cmp(&buf[b.1.clone()]))
        });
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&buf[k.clone()]);
            out.push('=');
            out.push_str(&buf[v.clone()]);
        }
    }
}

/// Sorts headers by lowercase name, keeping the given order of values of
/// one name, and writes the signed header list (`a;b;c`).
pub(crate) fn sort_headers<'h>(headers: &mut [(&'h str, &'h str)], signed: &mut String) {
    headers.sort_by(|a, b| cmp_ignore_ascii_case(a.0, b.0));
    let mut prev: Option<&str> = None;
    for (name, _) in headers.iter() {
        if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
            continue;
        }
        if prev.is_some() {
            signed.push(';');
        }
        push_lowercase(name, signed);
        prev = Some(name);
    }
}

/// Writes `name:v1,v2\n` lines for headers already sorted by
/// [`sort_headers`].
pub(crate) fn write_headers(headers: &[(&str, &str)], out: &mut String) {
    let mut i = 0;
    while i < headers.len() {
        let name = headers[i].0;
        push_lowercase(name, out);
        out.push(':');
        let mut j = i;
        while j < headers.len() && headers[j].0.eq_ignore_ascii_case(name) {
            if j > i {
                out.push(',');
            }
            push_trimmed_value(headers[j].1, out);
            j += 1;
        }
        out.push('\n');
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, normalize: bool, double: bool) -> String {
        let mut out = String::new();
        write_path(p, normalize, double, &mut out);
        out
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
        assert_eq!(path("/a%2Fb", false, false), "/a%2Fb");
    }

    #[test]
    fn headers_group_trim_and_sort() {
        let mut h = vec![("Host", "x"), ("b", " 1  2 "), ("A", "z"), ("B", "3")];
        let mut signed = String::new();
        sort_headers(&mut h, &mut signed);
        assert_eq!(signed, "a;b;host");
        let mut out = String::new();
        write_headers(&h, &mut out);
        assert_eq!(out, "a:z\nb:1 2,3\nhost:x\n");
    }

    #[test]
    fn query_sorted_by_encoded_name_then_value() {
        let q = "b=2&a=2&a=1&%E1%88%B4=x&c&d=a+b";
        let mut pairs = QueryPairs::new(q, 0);
        pairs.add_wire_query(q);
        let mut out = String::new();
        pairs.write_sorted(&mut out);
        assert_eq!(out, "%E1%88%B4=x&a=1&a=2&b=2&c=&d=a%20b");
    }
}
