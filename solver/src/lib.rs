//! Minimal fault sets by SAT for ldfi.
//!
//! Given a [`FaultSpace`](ldfi_lineage::FaultSpace) and the lineage graphs
//! of good runs, a [`Solver`] answers "which smallest sets of faults, within
//! the budget, falsify the good outcome in every graph seen so far?" — one
//! set at a time, smallest first, and `None` once there is none (the
//! protocol is certified for that budget).
//!
//! ```
//! use ldfi_lineage::{Fault, FaultSet, FaultSpace, LineageGraph, MsgId, Vertex};
//! use ldfi_solver::Solver;
//!
//! let space = FaultSpace {
//!     nodes: vec!["a".into(), "b".into()],
//!     eot: 3,
//!     eff: 2,
//!     crashes: 0,
//!     exempt: vec![],
//! };
//! // The outcome: a message from a to b, sent at tick 1.
//! let id = MsgId { from: 0, sent: 1, seq: 0 };
//! let graph = LineageGraph {
//!     nodes: space.nodes.clone(),
//!     vertices: vec![Vertex::True, Vertex::Message { id, to: 1, causes: vec![0] }],
//!     root: 1,
//! };
//! let mut solver = Solver::new(&space);
//! assert_eq!(solver.next(), Some(FaultSet::new())); // run fault-free first
//! solver.add_graph(&graph);
//! let lose = Fault::Omit { from: "a".into(), to: "b".into(), at: 1 };
//! let set = solver.next().unwrap();
//! assert_eq!(set, [lose].into_iter().collect());
//! solver.block_supersets(&set); // a counterexample
//! assert_eq!(solver.next(), None);
//! ```
//!
//! Modules:
//! - `vars`: one variable per candidate fault, `down(n, t)` helpers, one
//!   crash time per node and the crash budget.
//! - `totalizer`: cardinality encoding (crash budget, size order).
//! - `encode`: Tseitin encoding of lineage graphs, gates shared across graphs.
//! - `solver`: [`Solver`], the enumeration smallest first, blocking, [`Stats`].
//! - `error`: [`GraphError`], what can be wrong with a graph from outside.
//! - `sat`: the one incremental varisat instance.
#![deny(missing_docs)]

mod encode;
mod error;
mod sat;
mod solver;
mod totalizer;
mod vars;

#[cfg(test)]
mod tests;

pub use error::GraphError;
pub use solver::{Solver, Stats};
