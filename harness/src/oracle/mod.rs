//! The soundness oracle: random small protocols, searched by ldfi and
//! exhaustively at the same bounds; a certificate from ldfi where
//! exhaustive search finds a violation is a bug in the search.
//!
//! - [`program`] — a node's program as rules (data), and its dump.
//! - [`node`] — the interpreter that runs a program as a [`Node`](crate::Node).
//! - [`blocks`] — building blocks: forward, retry until acked, ack, decide
//!   by timeout, leases, rollbacks.
//! - [`families`] — the protocol families drawn from (broadcast,
//!   replicate), correct and buggy variants.
//! - [`timeouts`] — the families that decide by absence (commit, lease).
//! - [`protocol`] — [`GeneratedProtocol`], a [`Protocol`](crate::Protocol)
//!   with durability, agreement and at-most-one invariants.
//! - [`generate`](mod@generate) — [`generate`](fn@generate): seed → protocol with small bounds.
//! - [`check`] — [`check_case`]: the differential check, [`CaseResult`].
//! - [`summary`] — [`Summary`] of a sample (for `ldfi bench --soundness`).

pub mod blocks;
pub mod check;
pub mod families;
pub mod generate;
pub mod node;
pub mod program;
pub mod protocol;
pub mod summary;
pub mod timeouts;

pub use check::{check_case, CaseResult, Side};
pub use generate::{generate, space_size, SPACE_CAP};
pub use protocol::{GeneratedProtocol, Spec};
pub use summary::{run_sample, Summary};
