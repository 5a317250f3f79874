//! The messages of es-replication, and the digest that makes a stored
//! operation comparable on the wire.
//!
//! Every message carries just enough state to check a local condition on
//! the wire (the ucheck mitigation), so enforcement predicates can read it:
//! - **acks after all in-sync copies**: the primary sends `Ack { id,
//!   replicas }` only after a `ReplicaAck { id }` from every copy in
//!   `replicas` (the other in-sync copies it knows when it acks);
//! - **digest match**: a `ReplicaAck { seq, id, digest }` answers the
//!   `Replicate { seq, id, digest }` with the same `(seq, id)`, and its
//!   digest (of the op the copy actually holds at `seq`) must equal the
//!   request's. v3's keep-own rule breaks exactly this.
//!
//! Field names match `protocols/specs/es-replication.spec`, which
//! [`EsReplication`](super::EsReplication) checks on every run.

use serde::{Deserialize, Serialize};

/// A sequence number: an op's position in a history, from 1.
pub type Seq = u64;
/// A primary term: bumped by `M` at every promotion from v4 on (always 1 before).
pub type Term = u64;

/// One operation, as a copy stores it at some sequence number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    /// Term of the primary that assigned it.
    pub term: Term,
    /// The client's write id.
    pub id: String,
    /// The written value.
    pub payload: String,
}

impl Op {
    /// The digest of this op stored at `seq`.
    pub fn digest(&self, seq: Seq) -> u32 {
        digest(seq, self.term, &self.id, &self.payload)
    }
}

/// A short deterministic hash (FNV-1a, 32 bits) of an operation: its
/// sequence number, term, write id and payload.
///
/// ```
/// use ldfi_protocols::es::msg::digest;
/// assert_eq!(digest(1, 1, "w1", "a"), digest(1, 1, "w1", "a"));
/// assert_ne!(digest(1, 1, "w1", "a"), digest(1, 2, "w1", "a"));
/// ```
pub fn digest(seq: Seq, term: Term, id: &str, payload: &str) -> u32 {
    let text = format!("{seq}/{term}/{id}/{payload}");
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Messages of es-replication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    /// A client write: the workload's input to `C`, and `C`'s request to
    /// the primary.
    Write {
        /// Write id (`w1`, `w2`).
        id: String,
        /// Value.
        payload: String,
    },
    /// Primary → in-sync copy: store this op at `seq`.
    Replicate {
        /// Sequence number the primary assigned.
        seq: Seq,
        /// The primary's term.
        term: Term,
        /// Write id.
        id: String,
        /// Value.
        payload: String,
        /// [`digest`] of the op.
        digest: u32,
        /// The primary's global checkpoint (v5; 0 before).
        global_checkpoint: Seq,
    },
    /// Copy → primary: answers a `Replicate`.
    ReplicaAck {
        /// The request's sequence number.
        seq: Seq,
        /// The request's term.
        term: Term,
        /// The request's write id (echoed).
        id: String,
        /// [`digest`] of the op the copy actually holds at `seq`.
        digest: u32,
        /// The copy's local checkpoint.
        local_checkpoint: Seq,
    },
    /// Primary → `C`: the write is durable.
    Ack {
        /// Write id.
        id: String,
        /// Its sequence number.
        seq: Seq,
        /// Its term.
        term: Term,
        /// [`digest`] of the op at the primary.
        digest: u32,
        /// The other in-sync copies the primary knew when it acked (itself
        /// excluded): the copies it waited for.
        replicas: Vec<String>,
        /// The copies that had acknowledged `(seq, term)` (itself excluded).
        acked_by: Vec<String>,
    },
    /// Primary → `M`: remove `copy` from the in-sync set (it did not answer in time).
    FailCopy {
        /// The copy to fail.
        copy: String,
        /// The requesting primary's term.
        term: Term,
    },
    /// `M` → copies and `C`: the cluster state.
    ClusterState {
        /// Version of the state (bumped at every change).
        version: u64,
        /// Primary term.
        term: Term,
        /// The primary, if any copy is left to be one.
        primary: Option<String>,
        /// The in-sync copies.
        in_sync: Vec<String>,
    },
    /// New primary → copy (v2+): one op of its history.
    ResyncOp {
        /// The new primary's term.
        primary_term: Term,
        /// The op's sequence number.
        seq: Seq,
        /// The op's own term.
        term: Term,
        /// Write id.
        id: String,
        /// Value.
        payload: String,
        /// [`digest`] of the op.
        digest: u32,
        /// Resync covers only seqs above this (v5; 0 before).
        global_checkpoint: Seq,
    },
    /// New primary → copy (v2+): the resync is complete; `ops` is every
    /// `(seq, term)` the primary holds above `global_checkpoint`.
    ResyncDone {
        /// The new primary's term.
        primary_term: Term,
        /// Resync covers only seqs above this (v5; 0 before).
        global_checkpoint: Seq,
        /// The primary's ops above the checkpoint.
        ops: Vec<(Seq, Term)>,
    },
    /// Copy → new primary: resync applied.
    ResyncAck {
        /// The resyncing primary's term.
        primary_term: Term,
        /// The copy's local checkpoint.
        local_checkpoint: Seq,
    },
    /// The perfect failure detector's notice to `M` (an input, not a message).
    NodeCrashed {
        /// The node that crashed.
        node: String,
    },
}
