//! The facts es-replication derives: what each node knows, as lineage
//! sees it. Invariants read only facts (and crashes), so every exclusion
//! they rely on is a fact with its own lineage (`failed`, `crash_seen`,
//! `dropped`).

use super::msg::{Seq, Term};
use ldfi_harness::{Fact, Tick};

/// `queued(p, id)`: primary `p` received write `id` from the client.
pub fn queued(p: &str, id: &str) -> Fact {
    Fact::new("queued", [p, id])
}

/// `primary(p, term)`: `p` acts as the primary of `term`.
pub fn primary(p: &str, term: Term) -> Fact {
    Fact::new("primary", [p.to_string(), term.to_string()])
}

/// `op(n, seq, term, id)`: copy `n` stored write `id` at `seq` with `term`
/// (derived again, as an alternative, whenever it receives that op again).
pub fn op(n: &str, seq: Seq, term: Term, id: &str) -> Fact {
    Fact::new(
        "op",
        [
            n.to_string(),
            seq.to_string(),
            term.to_string(),
            id.to_string(),
        ],
    )
}

/// `dropped(n, seq, term, id)`: copy `n` removed that op (replaced or
/// rolled back) — the positive form of "no longer holds it".
pub fn dropped(n: &str, seq: Seq, term: Term, id: &str) -> Fact {
    Fact::new(
        "dropped",
        [
            n.to_string(),
            seq.to_string(),
            term.to_string(),
            id.to_string(),
        ],
    )
}

/// `replica_acked(p, seq, term, n)`: primary `p` got `n`'s `ReplicaAck` for `(seq, term)`.
pub fn replica_acked(p: &str, seq: Seq, term: Term, n: &str) -> Fact {
    Fact::new(
        "replica_acked",
        [
            p.to_string(),
            seq.to_string(),
            term.to_string(),
            n.to_string(),
        ],
    )
}

/// `view(n, version)`: node `n` applied cluster state `version`.
pub fn view(n: &str, version: u64) -> Fact {
    Fact::new("view", [n.to_string(), version.to_string()])
}

/// `knows_primary(c, p)`: the client `c` sends writes to `p`.
pub fn knows_primary(c: &str, p: &str) -> Fact {
    Fact::new("knows_primary", [c, p])
}

/// `acked(id, seq, term)`: the client got `Ack` for write `id`, stored at
/// `(seq, term)`.
pub fn acked(id: &str, seq: Seq, term: Term) -> Fact {
    Fact::new("acked", [id.to_string(), seq.to_string(), term.to_string()])
}

/// `failed(n)`: `M` removed copy `n` from the in-sync set on a `FailCopy`.
pub fn failed(n: &str) -> Fact {
    Fact::new("failed", [n])
}

/// `crash_seen(n, t)`: `M` learned from the failure detector that `n`
/// crashed at tick `t` (and removed it from the in-sync set).
pub fn crash_seen(n: &str, t: Tick) -> Fact {
    Fact::new("crash_seen", [n.to_string(), t.to_string()])
}

/// `promoted(n, term)`: `M` made `n` the primary of `term`.
pub fn promoted(n: &str, term: Term) -> Fact {
    Fact::new("promoted", [n.to_string(), term.to_string()])
}

/// `stored(n, seq, term, id)`: at EOT, copy `n` holds write `id` at `seq` with `term`.
pub fn stored(n: &str, seq: Seq, term: Term, id: &str) -> Fact {
    Fact::new(
        "stored",
        [
            n.to_string(),
            seq.to_string(),
            term.to_string(),
            id.to_string(),
        ],
    )
}

/// `history(n, digest)`: at EOT, copy `n`'s whole history has this digest
/// (8 hex digits; see [`History::digest`](super::history::History::digest)).
pub fn history(n: &str, digest: u32) -> Fact {
    Fact::new("history", [n.to_string(), format!("{digest:08x}")])
}
