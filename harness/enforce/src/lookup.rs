//! Lookup tables: a hash map that can be looked up but never iterated, and
//! the fast deterministic hasher it uses.
//!
//! The workspace disallows `std::collections::HashMap` (clippy.toml) because
//! iterating one yields an unspecified order. The checker needs hash lookups
//! to be fast, and never needs to iterate; [`LookupMap`] offers exactly that,
//! so no order can reach output. This file is the only place the crate names
//! `HashMap`.
#![allow(clippy::disallowed_types)]

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A multiply-rotate hasher (the FxHash scheme): fast on short keys, with no
/// random seed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

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
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ (rest.len() as u64) << 59);
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

/// Builds [`FxHasher`]s.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// A hash map with lookup and insertion only: no iteration, no order.
#[derive(Clone, Debug)]
pub(crate) struct LookupMap<K, V>(HashMap<K, V, FxBuild>);

impl<K, V> Default for LookupMap<K, V> {
    fn default() -> Self {
        LookupMap(HashMap::default())
    }
}

impl<K: Hash + Eq, V> LookupMap<K, V> {
    /// The value for `k`.
    #[inline]
    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.0.get(k)
    }

    /// Whether `k` has a value.
    #[inline]
    pub(crate) fn contains_key<Q: Hash + Eq + ?Sized>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(k)
    }

    /// Sets the value for `k`; returns the previous one.
    pub(crate) fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.0.insert(k, v)
    }

    /// The value for `k`, inserting `v()` first if there is none.
    pub(crate) fn get_or_insert_with(&mut self, k: K, v: impl FnOnce() -> V) -> &mut V {
        self.0.entry(k).or_insert_with(v)
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_and_insert() {
        let mut m: LookupMap<String, u32> = LookupMap::default();
        assert_eq!(m.insert("a".into(), 1), None);
        *m.get_or_insert_with("b".into(), || 5) += 1;
        assert_eq!(m.get("b"), Some(&6));
        assert!(m.contains_key("a"));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn fx_hash_is_deterministic() {
        let h = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(h("client-17"), h("client-17"));
        assert_ne!(h("client-17"), h("client-71"));
    }
}
