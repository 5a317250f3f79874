//! Trace vocabulary and lineage for ldfi.
//!
//! A run of a protocol yields a [`Trace`]; an invariant reads the end state
//! through a [`Prop`]; the lineage of that outcome is a [`LineageGraph`]:
//! every known way the good outcome came about, as an AND/OR graph over
//! derivations and messages. The solver breaks those graphs with
//! [`FaultSet`]s drawn from a [`FaultSpace`].
//!
//! Modules:
//! - [`fact`] — facts (`log(b, hello)`).
//! - [`fault`] — faults, fault sets, the fault space and Molly's count of it.
//! - [`trace`] — events of one run, their causes, the trace hash.
//! - [`prop`] — propositions over the end state (invariants' `pre`/`post`).
//! - [`graph`] — the AND/OR lineage graph and its evaluation under faults.
//! - [`facts`] — a trace and an outcome as extensional relations (integer
//!   tuples: `sent`, `delivered`, `derived`, `step`, `held`, `cause_*`, …).
//! - [`rules`] — the lineage rules in datafrog, backwards from the outcome.
//! - [`build`] — [`lineage`], the graph from the rules' result.
//! - [`naive`] — [`lineage_naive`], the reference evaluation the rules are
//!   tested against (on hand-written and random traces).
//! - [`sound`] — [`lineage_with`]: absences (negative support from declared
//!   guards and retractions), node-specific reads, crash semantics, and the
//!   declaration-free happens-before lineage.
//! - [`restarts`] — what a `restart(n, r)` breaks: acts of `n` from `r`
//!   on, absences and `Same(t)`.
//! - [`unchanged`] — `Same(t)`: "nothing the run observed through `t`
//!   changed", the sound fallback for everything undeclared.
//! - [`export`] — the graph as DOT and JSON.
//! - [`souffle`] — the relations and the graph as Soufflé `.facts` files, and
//!   the rules as a Soufflé program ([`LINEAGE_DL`]).
//!
//! ```
//! use ldfi_lineage::{lineage, Cause, Event, Fact, MsgId, Prop, Trace};
//! // a sends to b at tick 1; b logs the message at tick 2.
//! let m = MsgId { from: 0, sent: 1, seq: 0 };
//! let log = Fact::new("log", ["b", "hi"]);
//! let trace = Trace {
//!     nodes: vec!["a".into(), "b".into()],
//!     eot: 3,
//!     events: vec![
//!         Event::Send { id: m, to: 1, label: "hi".into(), causes: vec![Cause::Input(0)] },
//!         Event::Deliver { id: m, to: 1, at: 2, step: 1 },
//!         Event::Derive { node: 1, at: 2, step: 2, fact: log.clone(), causes: vec![Cause::Msg(m)] },
//!     ],
//! };
//! let g = lineage(&trace, &Prop::Holds(log));
//! let omit = ldfi_lineage::Fault::Omit { from: "a".into(), to: "b".into(), at: 1 };
//! assert!(g.holds_under(&Default::default()));
//! assert!(!g.holds_under(&[omit].into_iter().collect()));
//! ```
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
pub mod restarts;
pub mod rules;
#[cfg(test)]
mod scenarios;
pub mod souffle;
pub mod sound;
#[cfg(test)]
mod testutil;
pub mod trace;
pub mod unchanged;

pub use build::lineage;
pub use export::{to_dot, to_json};
pub use fact::Fact;
pub use facts::Facts;
pub use fault::{Fault, FaultSet, FaultSpace, RestartSpace, Tick};
pub use graph::{LineageGraph, Vertex, Vid};
pub use naive::lineage_naive;
pub use prop::{Closures, EndView, Prop};
pub use souffle::{to_souffle_facts, LINEAGE_DL};
pub use sound::{lineage_with, LineageOptions};
pub use trace::{Cause, CrashMode, Event, Loss, MsgId, NodeIdx, Step, Trace, ENV};
