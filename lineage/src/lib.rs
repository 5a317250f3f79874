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
//! - [`facts`]: a trace and an outcome as extensional relations (integer
//!   tuples: `sent`, `delivered`, `derived`, `cause_*`, `held`, `step`, …).
//! - [`rules`]: the lineage rules in datafrog, backwards from the outcome.
//! - [`build`]: [`lineage`], the graph from the rules' result.
//! - [`naive`]: [`lineage_naive`], the reference evaluation the rules are
//!   tested against.
//! - [`export`]: the graph as DOT and JSON.
//! - [`souffle`]: the relations and the graph as Soufflé `.facts` files, and
//!   the rules as a Soufflé program ([`LINEAGE_DL`]).
#![deny(missing_docs)]

#[cfg(test)]
mod agreement;
pub mod build;
pub mod export;
pub mod fact;
pub mod facts;
pub mod fault;
pub mod graph;
mod intern;
mod labels;
pub mod naive;
pub mod prop;
pub mod rules;
#[cfg(test)]
mod scenarios;
pub mod souffle;
#[cfg(test)]
mod testutil;
pub mod trace;

pub use build::lineage;
pub use export::{to_dot, to_json};
pub use fact::Fact;
pub use facts::Facts;
pub use fault::{Fault, FaultSet, FaultSpace, Tick};
pub use graph::{LineageGraph, Vertex, Vid};
pub use naive::lineage_naive;
pub use prop::Prop;
pub use souffle::{to_souffle_facts, LINEAGE_DL};
pub use trace::{Cause, Event, Loss, MsgId, NodeIdx, Step, Trace, ENV};
