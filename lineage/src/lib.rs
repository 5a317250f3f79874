//! Trace vocabulary and lineage for ldfi.
//!
//! A run of a protocol yields a [`Trace`]; an invariant reads the end state
//! through a [`Prop`]; the lineage of that outcome is a [`LineageGraph`]:
//! every known way the good outcome came about, as an AND/OR graph over
//! derivations and messages. The solver breaks those graphs with
//! [`FaultSet`]s drawn from a [`FaultSpace`].
//!
//! Modules:
//! - [`fact`]: facts (`log(b, hello)`).
//! - [`fault`]: faults, fault sets, the fault space and Molly's count of it.
//! - [`trace`]: events of one run, their causes, the trace hash.
//! - [`prop`]: propositions over the end state (invariants' `pre`/`post`).
//! - [`graph`]: the AND/OR lineage graph and its evaluation under faults.
#![deny(missing_docs)]

pub mod fact;
pub mod fault;
pub mod graph;
pub mod prop;
pub mod trace;

pub use fact::Fact;
pub use fault::{Fault, FaultSet, FaultSpace, Tick};
pub use graph::{LineageGraph, Vertex, Vid};
pub use prop::Prop;
pub use trace::{Cause, Event, Loss, MsgId, NodeIdx, Step, Trace, ENV};
