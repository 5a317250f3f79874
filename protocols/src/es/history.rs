//! A copy's history (sequence number → op) and the per-version rules for
//! what an incoming op does to it and what a resync rolls back.

use super::msg::{Op, Seq, Term};
use super::version::Features;
use std::collections::BTreeMap;

/// The ops a copy holds, by sequence number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    ops: BTreeMap<Seq, Op>,
}

impl History {
    /// The op at `seq`, if any.
    pub fn get(&self, seq: Seq) -> Option<&Op> {
        self.ops.get(&seq)
    }

    /// The sequence number a primary assigns next: one more than the highest it holds.
    pub fn next_seq(&self) -> Seq {
        self.ops.keys().next_back().map_or(1, |s| s + 1)
    }

    /// Stores `op` at `seq`; returns the op it replaced, if any.
    pub fn insert(&mut self, seq: Seq, op: Op) -> Option<Op> {
        self.ops.insert(seq, op)
    }

    /// Removes the op at `seq`.
    pub fn remove(&mut self, seq: Seq) -> Option<Op> {
        self.ops.remove(&seq)
    }

    /// Every `(seq, op)`, in seq order.
    pub fn iter(&self) -> impl Iterator<Item = (Seq, &Op)> + '_ {
        self.ops.iter().map(|(s, o)| (*s, o))
    }

    /// Every `(seq, op)` with `seq > floor`, in seq order.
    pub fn above(&self, floor: Seq) -> impl Iterator<Item = (Seq, &Op)> + '_ {
        self.ops.range(floor + 1..).map(|(s, o)| (*s, o))
    }

    /// The local checkpoint: the highest `s` such that every seq in `1..=s` is held.
    pub fn local_checkpoint(&self) -> Seq {
        let mut s = 0;
        while self.ops.contains_key(&(s + 1)) {
            s += 1;
        }
        s
    }

    /// A digest of the whole history (FNV-1a over every op's digest, in order).
    pub fn digest(&self) -> u32 {
        let mut h: u32 = 0x811c_9dc5;
        for (seq, op) in self.iter() {
            for b in op.digest(seq).to_le_bytes() {
                h ^= b as u32;
                h = h.wrapping_mul(0x0100_0193);
            }
        }
        h
    }

    /// Whether the history holds nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// What a copy does with an incoming op at a seq (from `Replicate` or `ResyncOp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    /// Store it (replacing whatever is there).
    Store,
    /// It already holds exactly this op.
    Same,
    /// Keep the op it holds and drop the incoming one (v3+).
    KeepOwn,
}

/// The version's rule for an incoming op when the copy holds `existing` at its seq.
///
/// - v1, v2: the primary is always right: store.
/// - v3: keep any op already held at that seq.
/// - v4, v5: keep it unless the incoming op has a higher term.
pub fn decide(f: Features, existing: Option<&Op>, incoming: &Op) -> Apply {
    match existing {
        None => Apply::Store,
        Some(old) if old == incoming => Apply::Same,
        Some(_) if !f.seqno_keep_own => Apply::Store,
        Some(old) if f.primary_terms && incoming.term > old.term => Apply::Store,
        Some(_) => Apply::KeepOwn,
    }
}

/// The seqs a copy rolls back on `ResyncDone` from a primary of
/// `primary_term` that holds exactly `primary_ops` above `floor`:
/// v2 every op it lacks; v3 none; v4+ those from older terms; v5 only
/// above the global checkpoint (`floor`, 0 before v5).
pub fn rollback_seqs(
    f: Features,
    history: &History,
    primary_term: Term,
    floor: Seq,
    primary_ops: &[(Seq, Term)],
) -> Vec<Seq> {
    if !f.resync_rolls_back() {
        return Vec::new();
    }
    history
        .above(floor)
        .filter(|(seq, op)| !primary_ops.contains(&(*seq, op.term)))
        .filter(|(_, op)| !f.primary_terms || op.term < primary_term)
        .map(|(seq, _)| seq)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::es::version::Version;

    fn op(term: Term, id: &str) -> Op {
        Op {
            term,
            id: id.into(),
            payload: id.to_uppercase(),
        }
    }

    #[test]
    fn checkpoint_counts_the_gapless_prefix() {
        let mut h = History::default();
        assert_eq!((h.local_checkpoint(), h.next_seq()), (0, 1));
        h.insert(2, op(1, "b"));
        assert_eq!((h.local_checkpoint(), h.next_seq()), (0, 3));
        h.insert(1, op(1, "a"));
        assert_eq!(h.local_checkpoint(), 2);
    }

    #[test]
    fn each_version_resolves_a_conflict_its_own_way() {
        let (old, new) = (op(1, "a"), op(2, "b"));
        let rule = |v: Version| decide(v.features(), Some(&old), &new);
        assert_eq!(rule(Version::V1), Apply::Store);
        assert_eq!(rule(Version::V2), Apply::Store);
        assert_eq!(rule(Version::V3), Apply::KeepOwn);
        assert_eq!(rule(Version::V4), Apply::Store);
        assert_eq!(
            decide(Version::V4.features(), Some(&new), &old),
            Apply::KeepOwn
        );
        assert_eq!(
            decide(Version::V3.features(), Some(&old), &old),
            Apply::Same
        );
    }

    #[test]
    fn rollback_respects_version_and_checkpoint() {
        let mut h = History::default();
        h.insert(1, op(1, "a"));
        h.insert(2, op(1, "b"));
        let seqs = |v: Version, floor| rollback_seqs(v.features(), &h, 2, floor, &[]);
        assert_eq!(seqs(Version::V2, 0), vec![1, 2]);
        assert!(seqs(Version::V3, 0).is_empty());
        assert_eq!(seqs(Version::V4, 0), vec![1, 2]);
        assert_eq!(seqs(Version::V5, 1), vec![2]);
    }
}
