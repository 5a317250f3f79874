//! The ldfi harness: the model API, the turmoil runner with fault
//! injection, the checker, schedules, and the search.
//!
//! Modules:
//! - [`model`] — `Node`, `Protocol`, `Invariant`, `Params` — what a protocol author writes.
//! - [`ctx`] — `Ctx`, what a handler may do; lineage recorded for free.
//! - [`end`] — the end state invariants read.
//! - [`check`] — verdicts.
//! - [`runner`] — running a protocol in turmoil under a fault set.
//! - [`error`] — typed errors.
//! - [`schedule`] — schedule files (JSON, format 1); [`schedule_check`] their strict checks.
//! - [`inputs`] — explicit workloads: inputs given as encoded messages (from a capture).
//! - [`files`] — reading user files safely (regular files, size limit) and writing atomically.
//! - [`diagram`] — spacetime diagrams for terminals.
//! - [`search`] — the search loop and its strategies (ldfi, random, exhaustive).
//! - [`registry`] — protocols by name, message types erased.
//! - [`remote`] — the seam to real processes: one node hosted alone, the sidecar's wire, the conductor's verdict.
//! - [`corpus`] — the regression corpus: saving counterexamples, replaying a directory.
//! - [`guide`] — from modelling a protocol to keeping a corpus, step by step.
//! - [`oracle`] — the soundness oracle: generated protocols, ldfi against exhaustive.
#![deny(missing_docs)]

pub mod check;
pub mod corpus;
pub mod ctx;
pub mod diagram;
pub mod end;
pub mod error;
pub mod files;
pub mod guide;
pub mod inputs;
pub mod model;
pub mod oracle;
mod plan;
pub mod registry;
pub mod remote;
pub mod runner;
pub mod schedule;
pub mod schedule_check;
pub mod search;
mod world;

pub use check::Verdict;
pub use ctx::{Ctx, NodeId};
pub use end::EndState;
pub use error::{FaultError, RunError};
pub use ldfi_enforce;
pub use ldfi_lineage::{
    Cause, CrashMode, Event, Fact, Fault, FaultSet, FaultSpace, Loss, Prop, Tick, Trace,
};
pub use model::{Input, Invariant, Message, Node, Params, Protocol, ProtocolInfo, Setup};
pub use runner::{bare_turmoil, fault_space, run, Checks, LineageMode, Run, RunConfig};
