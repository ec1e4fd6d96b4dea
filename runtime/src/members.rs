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
//! | `HashMap<K, V>`, `BTreeMap<K, V>` with string keys (`K: Borrow<str>`) | not `Members`: [`Dict::entries`] yields `(&str, &V)`, the `[key, value]` pairs | a `Dictionary`: `[key, value]` lists |
//!
//! Oso converts only maps with `String` or `&str` keys (Polar dictionary keys are symbols);
//! other key types implement nothing here, so `in` over them is a compile error. Oso
//! iterates a dictionary in key order; a `HashMap` here iterates in its own order, which can
//! only matter when one entry errors and another succeeds.
//!
//! `Box<[T]>`, `Rc<Vec<T>>`, `&HashSet<T>` and other pointers reach these impls through
//! [`Bare`](crate::Bare).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::hash::{BuildHasher, Hash};

/// A collection that `x in collection` iterates.
#[diagnostic::on_unimplemented(
    message = "a Polar policy iterates `{Self}` with `in`, which is not a collection",
    label = "not iterable by `in`",
    note = "`in` iterates Vec, slices, arrays, VecDeque, LinkedList, HashSet, BTreeSet, BinaryHeap, \
            Option, strings (their characters) and maps with string keys (their [key, value] pairs)"
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
}
