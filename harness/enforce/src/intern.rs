//! Interning key values to small ids.

use std::hash::Hasher;

use crate::lookup::{FxHasher, LookupMap};
use crate::pattern::{Slots, MAX_VARS};
use crate::value::{Value, ValueRef};

/// A tuple of interned values: a rule's key, or the variables a model's
/// send needs. Unused positions hold [`NO_ID`].
pub(crate) type KeyIds = [u32; MAX_VARS];

/// Filler for unused key positions.
pub(crate) const NO_ID: u32 = u32::MAX;

/// Maps each distinct value seen in a key to a `u32`, and back.
#[derive(Debug, Default)]
pub(crate) struct ValueInterner {
    /// Hash → first id with that hash.
    heads: LookupMap<u64, u32>,
    /// Id → next id with the same hash, or `NO_ID`.
    chain: Vec<u32>,
    values: Vec<Value>,
}

fn hash_of(v: ValueRef<'_>) -> u64 {
    let mut h = FxHasher::default();
    v.hash_into(&mut h);
    h.finish()
}

impl ValueInterner {
    /// The id of `v`, if it was interned before.
    pub(crate) fn lookup(&self, v: ValueRef<'_>) -> Option<u32> {
        let mut id = *self.heads.get(&hash_of(v))?;
        while id != NO_ID {
            if ValueRef::of(&self.values[id as usize]) == v {
                return Some(id);
            }
            id = self.chain[id as usize];
        }
        None
    }

    /// The id of `v`, interning it if new.
    pub(crate) fn intern(&mut self, v: ValueRef<'_>) -> u32 {
        let h = hash_of(v);
        let head = self.heads.get(&h).copied().unwrap_or(NO_ID);
        let mut id = head;
        while id != NO_ID {
            if ValueRef::of(&self.values[id as usize]) == v {
                return id;
            }
            id = self.chain[id as usize];
        }
        let new = u32::try_from(self.values.len()).expect("fewer than 2^32 distinct key values");
        self.values.push(v.to_value());
        self.chain.push(head);
        self.heads.insert(h, new);
        new
    }

    /// The value of an id returned by this interner.
    pub(crate) fn value(&self, id: u32) -> &Value {
        &self.values[id as usize]
    }

    /// Interns the values in `slots` at the positions `order` lists.
    pub(crate) fn key_of(&mut self, slots: &Slots<'_>, order: &[u8]) -> KeyIds {
        let mut key = [NO_ID; MAX_VARS];
        for (k, &s) in key.iter_mut().zip(order) {
            if let Some(v) = slots[usize::from(s)] {
                *k = self.intern(v);
            }
        }
        key
    }

    /// Like [`ValueInterner::key_of`] without interning: `None` when some
    /// value was never seen (so no stored key can equal it).
    pub(crate) fn find_key(&self, slots: &Slots<'_>, order: &[u8]) -> Option<KeyIds> {
        let mut key = [NO_ID; MAX_VARS];
        for (k, &s) in key.iter_mut().zip(order) {
            if let Some(v) = slots[usize::from(s)] {
                *k = self.lookup(v)?;
            }
        }
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_finds_again() {
        let mut i = ValueInterner::default();
        let a = Value::from("c1");
        let b = Value::from(vec![1u8, 2]);
        let ia = i.intern(ValueRef::of(&a));
        let ib = i.intern(ValueRef::of(&b));
        assert_ne!(ia, ib);
        assert_eq!(i.intern(ValueRef::Str("c1")), ia);
        assert_eq!(i.lookup(ValueRef::of(&b)), Some(ib));
        assert_eq!(i.lookup(ValueRef::Int(7)), None);
        assert_eq!(i.value(ib), &b);
    }
}
