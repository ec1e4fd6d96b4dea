//! A fast, non-cryptographic hasher for the compiler's internal maps (the `FxHasher` of
//! rustc and Firefox). The front end hashes many short names; SipHash, the standard
//! library's default, protects against collision attacks that do not matter here and costs
//! several times more.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub(crate) type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut rest = chunks.remainder();
        if rest.len() >= 4 {
            self.add(u64::from(u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"))));
            rest = &rest[4..];
        }
        for &b in rest {
            self.add(u64::from(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_work_with_strings_and_tuples() {
        let mut m: FxHashMap<(&str, &str), usize> = FxHashMap::default();
        for (i, a) in ["a", "bb", "ccc", "dddd", "eeeee", "a longer name of 23 chars"].iter().enumerate() {
            m.insert((a, "x"), i);
        }
        assert_eq!(m[&("dddd", "x")], 3);
        assert_eq!(m[&("a longer name of 23 chars", "x")], 5);
        assert!(!m.contains_key(&("a", "y")));
        let s: FxHashSet<String> = ["x".to_owned(), "y".to_owned()].into_iter().collect();
        assert!(s.contains("x") && !s.contains("z"));
    }
}
