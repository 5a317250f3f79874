//! Protocol models shipped with ldfi, written against the public model API
//! of `ldfi-harness` only — each is also an example of modelling your own.
//!
//! Modules:
//! - [`delivery`] — the broadcast-delivery suite (simple, retry, redun, ack, classic).
//! - [`es`] — es-replication, Elasticsearch primary/backup replication (v1–v5).
//! - [`web_forum`] — web-forum, ucheck's microservice forum with enforced invariants.
//! - [`lease`] — lease-election, lease-based primary election (v1 buggy, v2 fixed).
//! - [`commit`] — atomic-commit, two-phase commit with timeouts (v1 buggy, v2 fixed).
#![deny(missing_docs)]

pub mod commit;
pub mod delivery;
pub mod es;
pub mod lease;
pub mod web_forum;

use ldfi_harness::registry::Registry;

/// Every shipped protocol.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    use delivery::{Delivery, Kind};
    for k in [
        Kind::Simple,
        Kind::Retry,
        Kind::Redun,
        Kind::Ack,
        Kind::Classic,
    ] {
        r.add(Delivery(k));
    }
    r.add(es::EsReplication);
    r.add(web_forum::WebForum);
    r.add(lease::LeaseElection);
    r.add(commit::AtomicCommit);
    r
}
