//! `x in y`: what a Rust collection yields, the way Oso's Rust host converts it.
//!
//! Shapes (Oso 0.27.3: `vm.rs::in_op_helper`, `oso/src/host/to_polar.rs`, `builtins.rs`):
//!
//! | collection | [`Members::Item`] / what `in` yields | Oso |
//! |---|---|---|
//! | `Vec<T>`, `[T]`, `[T; N]`, `VecDeque<T>`, `LinkedList<T>` | `&T`, in order | a `List` |
//! | `HashSet<T>`, `BTreeSet<T>`, `BinaryHeap<T>` | `&T`, in the collection's iteration order | a `List` in that order |
//! | `Option<T>` | `&T`: none or one | an `Option` instance, iterable |
//! | `str`, `String` | `&str`: each character as a one-character slice of the string (no allocation) | `chars()` as strings; `"" in ""` is false |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` with string keys (`K: Borrow<str>`) | not `Members`: [`Pairs`] yields `(&str, &V)`, the `[key, value]` pairs, for `[k, v] in map` only | a `Dictionary`: `[key, value]` lists, in key order |
//! | any of the above whose elements are lists (`Vec<Vec<T>>`, `Vec<[T; 2]>`, ...) | for `[k, v] in y`, [`Pairs`] yields `(&T, &T)` for each two-element list, in order | a `List` of lists; `[k, v]` unifies only with two-element ones |
//!
//! Oso converts only maps with `String` or `&str` keys (Polar dictionary keys are symbols);
//! other key types implement nothing here, so `in` over them is a compile error.
//!
//! # `[key, value] in collection`
//!
//! A map is iterated only with a two-element list literal on the left (`[k, v] in m`,
//! patterns and literals inside it allowed): the compiled `in` then goes through [`Pairs`],
//! which maps implement with their entries and the `Members` collections whose elements are
//! lists implement with those elements that have exactly two (Oso's unification of `[k, v]`
//! with a list of another length fails). `x in map` with anything else on the left would bind
//! `x` to a `[key, value]` list of two types, which has no Rust type here: a compile error.
//!
//! Oso iterates a dictionary in key order (its `Dictionary` is a `BTreeMap` of symbols); a
//! `BTreeMap` with string keys iterates in the same order (the `Borrow<str>` contract makes
//! the key's order that of `str`), a `HashMap` in its own. The order of solutions cannot
//! change whether one exists, so it matters only where the first solution is taken: when the
//! rest of the conjunction can raise an error (Oso answers with the error if an erroring
//! entry comes first, with `true` if a succeeding one does) and before a `cut`. The compiler
//! uses [`Pairs::pairs_in_key_order`] there, which walks a `HashMap` in key order without
//! allocating, and [`Pairs::pairs`] elsewhere.
//!
//! `Box<[T]>`, `Rc<Vec<T>>`, `&HashSet<T>` and other pointers reach these impls through
//! [`Bare`](crate::Bare).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::hash::{BuildHasher, Hash};

use crate::{Bare, PolarList};

/// A collection that `x in collection` iterates.
#[diagnostic::on_unimplemented(
    message = "a Polar policy iterates `{Self}` with `in`, which is not a collection `in` iterates element by element",
    label = "not iterable by `in`",
    note = "`in` iterates Vec, slices, arrays, VecDeque, LinkedList, HashSet, BTreeSet, BinaryHeap, \
            Option and strings (their characters); maps with string keys only as `[key, value] in map`, \
            with a two-element list literal on the left"
)]
pub trait Members {
    /// The element type.
    type Item: ?Sized;
    /// The elements, in Oso's order.
    fn members(&self) -> impl Iterator<Item = &Self::Item>;
}

macro_rules! members_iter {
    ($([$($g:tt)*] $t:ty),* $(,)?) => { $(
        impl<$($g)*> Members for $t {
            type Item = T;
            #[inline]
            fn members(&self) -> impl Iterator<Item = &T> { self.iter() }
        }
    )* };
}
members_iter!(
    [T] Vec<T>,
    [T] [T],
    [T, const N: usize] [T; N],
    [T] VecDeque<T>,
    [T] LinkedList<T>,
    [T, S] HashSet<T, S>,
    [T] BTreeSet<T>,
    [T] BinaryHeap<T>,
    [T] Option<T>,
);

impl Members for str {
    type Item = str;
    #[inline]
    fn members(&self) -> impl Iterator<Item = &str> {
        self.char_indices().map(move |(i, c)| &self[i..i + c.len_utf8()])
    }
}

impl Members for String {
    type Item = str;
    #[inline]
    fn members(&self) -> impl Iterator<Item = &str> {
        self.as_str().members()
    }
}

/// A map with string keys: a Polar dictionary. `[k, v] in map` iterates [`entries`](Dict::entries)
/// and `map.key` is [`lookup`](Dict::lookup) (a missing key fails, it is no error).
#[diagnostic::on_unimplemented(
    message = "a Polar policy uses `{Self}` as a dictionary, which is not a map with string keys",
    label = "not a Polar dictionary",
    note = "dictionaries are HashMap and BTreeMap whose keys are strings (String, &str, Box<str>, ...)"
)]
pub trait Dict {
    /// The value type.
    type Value: ?Sized;
    /// The `[key, value]` pairs.
    fn entries(&self) -> impl Iterator<Item = (&str, &Self::Value)>;
    /// The value for `key`.
    fn lookup(&self, key: &str) -> Option<&Self::Value>;
    /// The number of entries.
    fn len(&self) -> usize;
    /// Whether there are no entries.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Borrow<str> + Hash + Eq, V, S: BuildHasher> Dict for HashMap<K, V, S> {
    type Value = V;
    #[inline]
    fn entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.iter().map(|(k, v)| (k.borrow(), v))
    }
    #[inline]
    fn lookup(&self, key: &str) -> Option<&V> {
        self.get(key)
    }
    #[inline]
    fn len(&self) -> usize {
        HashMap::len(self)
    }
}

impl<K: Borrow<str> + Ord, V> Dict for BTreeMap<K, V> {
    type Value = V;
    #[inline]
    fn entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.iter().map(|(k, v)| (k.borrow(), v))
    }
    #[inline]
    fn lookup(&self, key: &str) -> Option<&V> {
        self.get(key)
    }
    #[inline]
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
}

/// `[key, value] in collection`: the pairs that a two-element list literal on the left of
/// `in` unifies with, element by element (see the [module documentation](self)).
///
/// Maps with string keys yield their entries (`&str` keys); the collections of [`Members`]
/// whose elements are lists (looked at through [`Bare`]) yield the elements of exactly two
/// items, skipping the others, which cannot unify with a two-element list.
#[diagnostic::on_unimplemented(
    message = "a Polar policy iterates `{Self}` with `[key, value] in`, which is neither a map with string keys \
               nor a collection of lists",
    label = "no [key, value] pairs",
    note = "`[k, v] in x` iterates the entries of HashMap and BTreeMap with string keys, and the two-element \
            lists of a Vec, slice, set, ... of lists"
)]
pub trait Pairs {
    /// The type of the first element (`str` for a map).
    type Key: ?Sized;
    /// The type of the second element.
    type Value: ?Sized;
    /// The pairs, in the collection's own order.
    fn pairs(&self) -> impl Iterator<Item = (&Self::Key, &Self::Value)>;
    /// The pairs in Oso's order: a map by key (Oso's dictionaries are sorted), anything else
    /// in its own order. No allocation: a `HashMap` is walked in batches of its smallest keys.
    fn pairs_in_key_order(&self) -> impl Iterator<Item = (&Self::Key, &Self::Value)>;
}

impl<C> Pairs for C
where
    C: ?Sized + Members,
    C::Item: Bare,
    <C::Item as Bare>::Target: PolarList,
{
    type Key = <<C::Item as Bare>::Target as Members>::Item;
    type Value = Self::Key;
    #[inline]
    fn pairs(&self) -> impl Iterator<Item = (&Self::Key, &Self::Key)> {
        self.members().filter_map(|list| exactly_two(list.bare().members()))
    }
    #[inline]
    fn pairs_in_key_order(&self) -> impl Iterator<Item = (&Self::Key, &Self::Key)> {
        self.pairs()
    }
}

/// The two items of an iterator that has exactly two.
#[inline]
fn exactly_two<'a, T: ?Sized + 'a>(mut items: impl Iterator<Item = &'a T>) -> Option<(&'a T, &'a T)> {
    let (a, b) = (items.next()?, items.next()?);
    items.next().is_none().then_some((a, b))
}

impl<K: Borrow<str> + Hash + Eq, V, S: BuildHasher> Pairs for HashMap<K, V, S> {
    type Key = str;
    type Value = V;
    #[inline]
    fn pairs(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries()
    }
    #[inline]
    fn pairs_in_key_order(&self) -> impl Iterator<Item = (&str, &V)> {
        KeyOrder::new(self)
    }
}

impl<K: Borrow<str> + Ord, V> Pairs for BTreeMap<K, V> {
    type Key = str;
    type Value = V;
    #[inline]
    fn pairs(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries()
    }
    #[inline]
    fn pairs_in_key_order(&self) -> impl Iterator<Item = (&str, &V)> {
        // `Borrow<str>` requires `K`'s order to be `str`'s.
        self.entries()
    }
}

/// How many entries [`KeyOrder`] sorts per pass over the map.
const BATCH: usize = 16;

/// The entries of a dictionary in key order, without allocating: each pass over the entries
/// keeps the `BATCH` smallest keys above the last one yielded, sorted, in an array. A full
/// walk costs `n / BATCH` passes; taking the first solution costs one.
struct KeyOrder<'a, D: ?Sized + Dict> {
    dict: &'a D,
    batch: [Option<(&'a str, &'a D::Value)>; BATCH],
    /// `batch[next..len]` is still to be yielded.
    next: usize,
    len: usize,
    /// The last key yielded: every key up to it is done.
    after: Option<&'a str>,
    /// The last pass found no key beyond its batch.
    last_pass: bool,
}

impl<'a, D: ?Sized + Dict> KeyOrder<'a, D> {
    fn new(dict: &'a D) -> Self {
        KeyOrder { dict, batch: [None; BATCH], next: 0, len: 0, after: None, last_pass: false }
    }

    fn refill(&mut self) {
        let (mut len, mut overflow) = (0, false);
        for (key, value) in self.dict.entries() {
            if self.after.is_some_and(|after| key <= after) {
                continue;
            }
            let at = self.batch[..len].partition_point(|e| e.is_some_and(|(k, _)| k < key));
            if at == BATCH {
                overflow = true;
                continue;
            }
            if len < BATCH {
                len += 1;
            } else {
                overflow = true;
            }
            self.batch.copy_within(at..len - 1, at + 1);
            self.batch[at] = Some((key, value));
        }
        (self.next, self.len, self.last_pass) = (0, len, !overflow);
    }
}

impl<'a, D: ?Sized + Dict> Iterator for KeyOrder<'a, D> {
    type Item = (&'a str, &'a D::Value);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == self.len {
            if self.last_pass {
                return None;
            }
            self.refill();
            if self.len == 0 {
                return None;
            }
        }
        let entry = self.batch.get(self.next).copied().flatten()?;
        self.next += 1;
        self.after = Some(entry.0);
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unify;

    fn items<M: Members + ?Sized>(m: &M) -> Vec<&M::Item> {
        m.members().collect()
    }

    fn contains<M: Members + ?Sized, X: ?Sized + Unify<M::Item>>(m: &M, x: &X) -> bool {
        m.members().any(|m| x.unify(m))
    }

    #[test]
    fn sequences_and_sets() {
        assert_eq!(items(&vec![1, 2, 3]), [&1, &2, &3]);
        assert_eq!(items(&[1u8, 2][..]), [&1, &2]);
        assert_eq!(items(&[1u8, 2]), [&1, &2]);
        assert_eq!(items(&VecDeque::from([3, 4])), [&3, &4]);
        assert_eq!(items(&LinkedList::from([5])), [&5]);
        assert_eq!(items(&BTreeSet::from([2, 1])), [&1, &2]);
        assert_eq!(items(&HashSet::from([7])), [&7]);
        assert_eq!(items(&BinaryHeap::from([9])), [&9]);
        assert_eq!(items(&Some(1)), [&1]);
        assert!(items(&None::<u8>).is_empty());
        assert!(items(&Vec::<u8>::new()).is_empty());
        assert!(contains(&vec![1i64, 2], &2.0f64));
        assert!(!contains(&vec![1i64, 2], &3u8));
        assert!(contains(&vec![String::from("a")], "a"));
        assert!(!contains(&vec![f64::NAN], &f64::NAN));
    }

    #[test]
    fn strings_yield_characters() {
        assert_eq!(items("abc"), ["a", "b", "c"]);
        assert_eq!(items(&String::from("é€x")), ["é", "€", "x"]);
        assert!(items("").is_empty());
        assert!(contains("abc", "b"));
        assert!(!contains("abc", "bc"));
        assert!(!contains("", ""));
        assert!(contains(&String::from("a€"), &String::from("€")));
    }

    #[test]
    fn maps_yield_pairs() {
        let m = HashMap::from([(String::from("k"), 3i64)]);
        assert_eq!(m.entries().collect::<Vec<_>>(), [("k", &3)]);
        assert_eq!(m.lookup("k"), Some(&3));
        assert_eq!(m.lookup("x"), None);
        assert_eq!(Dict::len(&m), 1);
        assert!(!Dict::is_empty(&m));
        let b = BTreeMap::from([("b", 2u8), ("a", 1)]);
        assert_eq!(b.entries().collect::<Vec<_>>(), [("a", &1), ("b", &2)]);
        assert_eq!(b.lookup("b"), Some(&2));
        assert_eq!(Dict::len(&b), 2);
        let boxed: BTreeMap<Box<str>, ()> = BTreeMap::new();
        assert!(Dict::is_empty(&boxed));
    }

    fn pairs<P: Pairs + ?Sized>(p: &P) -> Vec<(&P::Key, &P::Value)> {
        p.pairs().collect()
    }

    fn ordered<P: Pairs + ?Sized>(p: &P) -> Vec<(&P::Key, &P::Value)> {
        p.pairs_in_key_order().collect()
    }

    #[test]
    fn maps_and_lists_of_lists_yield_pairs() {
        let b = BTreeMap::from([("b", 2u8), ("a", 1)]);
        assert_eq!(pairs(&b), [("a", &1), ("b", &2)]);
        assert_eq!(ordered(&b), [("a", &1), ("b", &2)]);
        let h = HashMap::from([(String::from("k"), vec![1])]);
        assert_eq!(pairs(&h), [("k", &vec![1])]);
        // Elements that are not two-element lists cannot unify with `[k, v]`.
        let lists = vec![vec![1, 2], vec![3], vec![], vec![4, 5, 6], vec![7, 8]];
        assert_eq!(pairs(&lists), [(&1, &2), (&7, &8)]);
        assert_eq!(ordered(&lists), [(&1, &2), (&7, &8)]);
        let boxed: Vec<Box<[&str; 2]>> = vec![Box::new(["x", "y"])];
        assert_eq!(pairs(&boxed), [(&"x", &"y")]);
        assert_eq!(pairs(&Some(BTreeSet::from([2, 1]))), [(&1, &2)]);
        assert!(pairs(&None::<Vec<u8>>).is_empty());
    }

    #[test]
    fn hash_maps_in_key_order_without_allocating() {
        for n in [0usize, 1, 2, 15, 16, 17, 31, 32, 33, 100, 257] {
            let map: HashMap<String, usize> = (0..n).map(|i| (format!("k{}", i * 7919 % 1009), i)).collect();
            let mut expected: Vec<(&str, &usize)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            expected.sort();
            assert_eq!(ordered(&map), expected, "{n} entries");
            let mut own = pairs(&map);
            own.sort();
            assert_eq!(own, expected);
            // Taking the first solution stops early.
            assert_eq!(map.pairs_in_key_order().next(), expected.first().copied());
        }
        let map = HashMap::from([("", 0), ("é", 1), ("e", 2), ("E", 3), ("ee", 4)]);
        assert_eq!(ordered(&map), [("", &0), ("E", &3), ("e", &2), ("ee", &4), ("é", &1)]);
        // The iterator is done once done.
        let mut it = map.pairs_in_key_order();
        assert_eq!(it.by_ref().count(), 5);
        assert_eq!(it.next(), None);
    }
}
