//! The maps of the profile set (sections by name, properties by key): a
//! vector sorted by name, with the API of a `BTreeMap`. Built once from a
//! whole section or file, one exactly sized vector costs far less to build,
//! walk and free than tree nodes, and a section holds only a handful of keys.

use std::borrow::Cow;
use std::fmt;
use std::ops::Index;
use std::slice;

use crate::model::{Property, Section};

type Entry<'a, V> = (Cow<'a, str>, V);

/// Names to values, in name order (byte order, as `str` compares).
#[derive(Clone, PartialEq, Eq)]
pub struct NameMap<'a, V> {
    /// A boxed slice rather than a `Vec`: no spare capacity to carry, and
    /// one word less in every property and section.
    entries: Box<[Entry<'a, V>]>,
}

/// A section's properties by key (lowercased in parsed files).
pub type Properties<'a> = NameMap<'a, Property<'a>>;

/// Sections by name.
pub type Sections<'a> = NameMap<'a, Section<'a>>;

impl<V> Default for NameMap<'_, V> {
    fn default() -> Self {
        NameMap::new()
    }
}

impl<'a, V> NameMap<'a, V> {
    /// An empty map; allocates nothing.
    pub fn new() -> Self {
        NameMap {
            entries: Box::new([]),
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

    /// The value named `key`, if any.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`, returning the value it replaces. Each new key copies the
    /// whole map: to build a large one, collect an iterator instead.
    pub fn insert(&mut self, key: Cow<'a, str>, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                let mut entries = std::mem::take(&mut self.entries).into_vec();
                entries.insert(i, (key, value));
                self.entries = entries.into_boxed_slice();
                None
            }
        }
    }

    /// Moves every entry of `other` into `self`; where both have a name,
    /// `other`'s value wins. `other` is left empty.
    pub fn append(&mut self, other: &mut NameMap<'a, V>) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            std::mem::swap(self, other);
            return;
        }
        let mut ours = std::mem::take(&mut self.entries)
            .into_vec()
            .into_iter()
            .peekable();
        let mut theirs = std::mem::take(&mut other.entries)
            .into_vec()
            .into_iter()
            .peekable();
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
        self.entries = merged.into_boxed_slice();
    }

    /// Name and value pairs in name order.
    pub fn iter(&self) -> NameMapIter<'_, 'a, V> {
        NameMapIter(self.entries.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Cow<'a, str>> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Builds the map from pairs in the order they were written, taking
    /// them out of `entries` (a buffer the caller reuses): a stable sort,
    /// then of each run of equal names the last one is kept. `on_replaced`
    /// is called, in file order within each name, with every pair that a
    /// later one replaces and the pair that replaces it.
    pub(crate) fn from_written(
        entries: &mut Vec<Entry<'a, V>>,
        mut on_replaced: impl FnMut(&Entry<'a, V>, &Entry<'a, V>),
    ) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // `dedup_by` hands over the later of two neighbours first, and
        // removes it: swapping first keeps the later value in the slot.
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
        NameMap {
            entries: exact.into_boxed_slice(),
        }
    }

    /// Takes pairs already sorted by name, each name once.
    pub(crate) fn from_sorted(entries: Vec<Entry<'a, V>>) -> Self {
        debug_assert!(entries.is_sorted_by(|a, b| a.0 < b.0));
        NameMap {
            entries: entries.into_boxed_slice(),
        }
    }
}

impl Properties<'_> {
    pub fn into_owned(self) -> Properties<'static> {
        owned(self.entries, Property::into_owned)
    }
}

impl Sections<'_> {
    pub fn into_owned(self) -> Sections<'static> {
        owned(self.entries, Section::into_owned)
    }
}

fn owned<V, W>(entries: Box<[(Cow<'_, str>, V)]>, value: impl Fn(V) -> W) -> NameMap<'static, W> {
    NameMap {
        entries: entries
            .into_vec()
            .into_iter()
            .map(|(k, v)| (Cow::Owned(k.into_owned()), value(v)))
            .collect(),
    }
}

impl<V: fmt::Debug> fmt::Debug for NameMap<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Index<&str> for NameMap<'_, V> {
    type Output = V;

    /// The value named `key`; panics when there is none, as `BTreeMap` does.
    fn index(&self, key: &str) -> &V {
        self.get(key).expect("no entry with this name")
    }
}

impl<'a, V> FromIterator<Entry<'a, V>> for NameMap<'a, V> {
    /// Later pairs win over earlier ones with the same name.
    fn from_iter<I: IntoIterator<Item = Entry<'a, V>>>(iter: I) -> Self {
        NameMap::from_written(&mut iter.into_iter().collect(), |_, _| {})
    }
}

impl<'a, V> Extend<Entry<'a, V>> for NameMap<'a, V> {
    /// Later pairs win over earlier ones and over those already set.
    fn extend<I: IntoIterator<Item = Entry<'a, V>>>(&mut self, iter: I) {
        let mut more: NameMap<'a, V> = iter.into_iter().collect();
        self.append(&mut more);
    }
}

impl<'a, V> IntoIterator for NameMap<'a, V> {
    type Item = Entry<'a, V>;
    type IntoIter = std::vec::IntoIter<Entry<'a, V>>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_vec().into_iter()
    }
}

impl<'s, 'a, V> IntoIterator for &'s NameMap<'a, V> {
    type Item = (&'s Cow<'a, str>, &'s V);
    type IntoIter = NameMapIter<'s, 'a, V>;

    fn into_iter(self) -> NameMapIter<'s, 'a, V> {
        self.iter()
    }
}

/// The iterator of [`NameMap::iter`]: `(name, value)` in name order.
#[derive(Clone, Debug)]
pub struct NameMapIter<'s, 'a, V>(slice::Iter<'s, Entry<'a, V>>);

impl<'s, 'a, V> Iterator for NameMapIter<'s, 'a, V> {
    type Item = (&'s Cow<'a, str>, &'s V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> DoubleEndedIterator for NameMapIter<'_, '_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl<V> ExactSizeIterator for NameMapIter<'_, '_, V> {}

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
