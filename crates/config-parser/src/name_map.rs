//! The keys of one section (or one sub-property block) with their values: a
//! vector sorted by key, with the read-only API of a `BTreeMap`. Sections
//! hold a handful of keys, so one exactly sized vector per section costs far
//! less to build, walk and free than a tree node.

use std::borrow::Cow;
use std::fmt;
use std::ops::Index;
use std::slice;

use crate::model::Property;

type Entry<'a> = (Cow<'a, str>, Property<'a>);

/// Keys (lowercased in parsed files) to properties, in key order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Properties<'a> {
    entries: Vec<Entry<'a>>,
}

impl<'a> Properties<'a> {
    /// An empty set; allocates nothing.
    pub const fn new() -> Self {
        Properties {
            entries: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// The property `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Property<'a>> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Property<'a>> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`, returning the property it replaces. Each insert moves the
    /// keys after it: to build a large set, collect an iterator instead.
    pub fn insert(&mut self, key: Cow<'a, str>, property: Property<'a>) -> Option<Property<'a>> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, property)),
            Err(i) => {
                self.entries.insert(i, (key, property));
                None
            }
        }
    }

    /// Moves every property of `other` into `self`; where both have a key,
    /// `other`'s property wins. `other` is left empty.
    pub fn append(&mut self, other: &mut Properties<'a>) {
        if self.is_empty() {
            std::mem::swap(self, other);
            return;
        }
        let mut ours = std::mem::take(&mut self.entries).into_iter().peekable();
        let mut theirs = std::mem::take(&mut other.entries).into_iter().peekable();
        let mut merged = Vec::with_capacity(ours.len() + theirs.len());
        loop {
            let next = match (ours.peek(), theirs.peek()) {
                (Some((a, _)), Some((b, _))) => match a.cmp(b) {
                    std::cmp::Ordering::Less => ours.next(),
                    std::cmp::Ordering::Greater => theirs.next(),
                    std::cmp::Ordering::Equal => {
                        ours.next();
                        theirs.next()
                    }
                },
                (Some(_), None) => ours.next(),
                (None, Some(_)) => theirs.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        self.entries = merged;
    }

    /// Key and property pairs in key order.
    pub fn iter(&self) -> Iter<'_, 'a> {
        Iter(self.entries.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Cow<'a, str>> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Property<'a>> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Builds the set from pairs in the order they were written, taking
    /// them out of `entries` (a buffer the caller reuses): a stable sort,
    /// then of each run of equal keys the last one is kept. `on_replaced` is
    /// called, in file order within each key, with every pair that a later
    /// one replaces and the pair that replaces it.
    pub(crate) fn from_written(
        entries: &mut Vec<Entry<'a>>,
        mut on_replaced: impl FnMut(&Entry<'a>, &Entry<'a>),
    ) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // `dedup_by` hands over the later of two neighbours first, and
        // removes it: swapping first keeps the later property in the slot.
        entries.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                on_replaced(kept, later);
                std::mem::swap(later, kept);
            }
            same
        });
        // An exactly sized copy; the caller's buffer keeps its capacity.
        let mut exact = Vec::with_capacity(entries.len());
        exact.append(entries);
        Properties { entries: exact }
    }

    pub fn into_owned(self) -> Properties<'static> {
        Properties {
            entries: self
                .entries
                .into_iter()
                .map(|(k, p)| (Cow::Owned(k.into_owned()), p.into_owned()))
                .collect(),
        }
    }
}

impl fmt::Debug for Properties<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> Index<&str> for Properties<'a> {
    type Output = Property<'a>;

    /// The property `key`; panics when it is not set, as `BTreeMap` does.
    fn index(&self, key: &str) -> &Property<'a> {
        self.get(key).expect("no property with this key")
    }
}

impl<'a> FromIterator<Entry<'a>> for Properties<'a> {
    /// Later pairs win over earlier ones with the same key.
    fn from_iter<I: IntoIterator<Item = Entry<'a>>>(iter: I) -> Self {
        Properties::from_written(&mut iter.into_iter().collect(), |_, _| {})
    }
}

impl<'a> Extend<Entry<'a>> for Properties<'a> {
    /// Later pairs win over earlier ones and over those already set.
    fn extend<I: IntoIterator<Item = Entry<'a>>>(&mut self, iter: I) {
        let mut more: Properties<'a> = iter.into_iter().collect();
        self.append(&mut more);
    }
}

impl<'a> IntoIterator for Properties<'a> {
    type Item = Entry<'a>;
    type IntoIter = std::vec::IntoIter<Entry<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'s, 'a> IntoIterator for &'s Properties<'a> {
    type Item = (&'s Cow<'a, str>, &'s Property<'a>);
    type IntoIter = Iter<'s, 'a>;

    fn into_iter(self) -> Iter<'s, 'a> {
        self.iter()
    }
}

/// The iterator of [`Properties::iter`]: `(key, property)` in key order.
#[derive(Clone, Debug)]
pub struct Iter<'s, 'a>(slice::Iter<'s, Entry<'a>>);

impl<'s, 'a> Iterator for Iter<'s, 'a> {
    type Item = (&'s Cow<'a, str>, &'s Property<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_, '_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileKind, Location};

    fn property(value: &str, line: u32) -> Property<'static> {
        Property {
            value: Cow::Owned(value.to_owned()),
            location: Location {
                file: FileKind::Config,
                line,
                column: 1,
            },
            sub_properties: Properties::new(),
        }
    }

    fn set(pairs: &[(&'static str, &str)]) -> Properties<'static> {
        pairs
            .iter()
            .zip(1..)
            .map(|((k, v), line)| (Cow::Borrowed(*k), property(v, line)))
            .collect()
    }

    fn pairs<'s>(set: &'s Properties<'_>) -> Vec<(&'s str, &'s str)> {
        set.iter()
            .map(|(k, p)| (k.as_ref(), p.value.as_ref()))
            .collect()
    }

    #[test]
    fn collecting_sorts_and_later_keys_win() {
        let set = set(&[("b", "1"), ("a", "2"), ("b", "3"), ("c", "4"), ("b", "5")]);
        assert_eq!(pairs(&set), [("a", "2"), ("b", "5"), ("c", "4")]);
        assert_eq!(set.get("b").map(|p| p.location.line), Some(5));
        assert!(set.contains_key("c") && !set.contains_key("d"));
        assert_eq!(set["a"].value, "2");
        assert_eq!(
            set.keys().map(|k| k.as_ref()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(set.values().len(), 3);
    }

    #[test]
    fn replaced_pairs_are_reported_in_file_order() {
        let mut seen = Vec::new();
        let mut entries = [("b", 1), ("a", 2), ("b", 3), ("b", 4)]
            .map(|(k, line)| (Cow::Borrowed(k), property("", line)))
            .to_vec();
        Properties::from_written(&mut entries, |old, new| {
            seen.push((old.0.to_string(), old.1.location.line, new.1.location.line));
        });
        assert_eq!(seen, [("b".to_owned(), 1, 3), ("b".to_owned(), 3, 4)]);
    }

    #[test]
    fn insert_keeps_order_and_replaces() {
        let mut set = Properties::new();
        for (k, v) in [("m", "1"), ("z", "2"), ("a", "3"), ("m", "4")] {
            let old = set.insert(Cow::Borrowed(k), property(v, 1));
            assert_eq!(old.is_some(), k == "m" && v == "4");
        }
        assert_eq!(pairs(&set), [("a", "3"), ("m", "4"), ("z", "2")]);
    }

    #[test]
    fn append_lets_the_other_set_win() {
        let mut ours = set(&[("a", "1"), ("c", "2"), ("e", "3")]);
        let mut theirs = set(&[("b", "4"), ("c", "5"), ("f", "6")]);
        ours.append(&mut theirs);
        assert!(theirs.is_empty());
        assert_eq!(
            pairs(&ours),
            [("a", "1"), ("b", "4"), ("c", "5"), ("e", "3"), ("f", "6")]
        );
        let mut empty = Properties::new();
        empty.append(&mut ours);
        assert_eq!(empty.len(), 5);
        assert!(ours.is_empty());
    }
}
