//! The AND/OR lineage graph of an outcome: every known way it came about.

use crate::fact::Fact;
use crate::fault::{Fault, FaultSet, Tick};
use crate::trace::{MsgId, NodeIdx};
use serde::{Deserialize, Serialize};

/// Index of a vertex in [`LineageGraph::vertices`].
pub type Vid = u32;

/// One vertex of a lineage graph. Children always have smaller indices than
/// their parents, so a forward pass evaluates the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vertex {
    /// Always holds (a workload input; an empty conjunction).
    True,
    /// Never holds (an empty disjunction, e.g. a fact nobody derived).
    False,
    /// Holds if any child holds: a fact with alternative derivations.
    Or {
        /// What this vertex stands for, for people (e.g. `log(b, hello)`).
        label: String,
        /// Alternatives.
        children: Vec<Vid>,
    },
    /// Holds if every child holds (a node's history prefix, an outcome conjunct).
    And {
        /// What this vertex stands for, for people.
        label: String,
        /// Requirements.
        children: Vec<Vid>,
    },
    /// A derivation of `fact` by `node` at tick `at`: holds if every cause
    /// holds and `node` has not crashed at or before `at`.
    Derivation {
        /// Deriving node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
        /// The fact derived.
        fact: Fact,
        /// Causes.
        causes: Vec<Vid>,
    },
    /// A message: holds if every cause holds, it was not omitted
    /// (`omit(from, to, sent)`), and its sender had not crashed at or before
    /// `sent`.
    Message {
        /// The message.
        id: MsgId,
        /// Receiver.
        to: NodeIdx,
        /// Causes (of the send).
        causes: Vec<Vid>,
    },
    /// Holds if `node` crashed at or before `at`.
    CrashedBy {
        /// The node.
        node: NodeIdx,
        /// The tick.
        at: Tick,
    },
    /// Holds if `node` crashed at some tick.
    Crashed {
        /// The node.
        node: NodeIdx,
    },
    /// Holds if `node` restarted (`restart(node, r)`) at some tick
    /// `r <= at`: what a restart breaks (see [`crate::restarts`]).
    RestartedBy {
        /// The node.
        node: NodeIdx,
        /// The tick.
        at: Tick,
    },
    /// Holds if its child does not: how absences and "unchanged" runs
    /// read faults positively (a message that must stay lost, a node that
    /// must stay up).
    Not {
        /// What this vertex stands for, for people.
        label: String,
        /// The negated vertex.
        child: Vid,
    },
}

/// The lineage of one outcome in one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageGraph {
    /// Node names (a [`NodeIdx`] indexes this).
    pub nodes: Vec<String>,
    /// Vertices, children before parents.
    pub vertices: Vec<Vertex>,
    /// The outcome vertex: it held in the run the graph comes from.
    pub root: Vid,
}

impl LineageGraph {
    /// Children of vertex `v`.
    pub fn children(&self, v: Vid) -> &[Vid] {
        match &self.vertices[v as usize] {
            Vertex::Or { children, .. } | Vertex::And { children, .. } => children,
            Vertex::Derivation { causes, .. } | Vertex::Message { causes, .. } => causes,
            Vertex::Not { child, .. } => std::slice::from_ref(child),
            Vertex::True
            | Vertex::False
            | Vertex::Crashed { .. }
            | Vertex::CrashedBy { .. }
            | Vertex::RestartedBy { .. } => &[],
        }
    }

    /// Whether the outcome still holds under `faults`, by the graph's own
    /// semantics (only `omit`, `crash` and `restart` faults matter; one
    /// that names an unknown node is ignored). The solver's answers are
    /// checked against this.
    pub fn holds_under(&self, faults: &FaultSet) -> bool {
        self.values_under(faults)[self.root as usize]
    }

    /// The value of every vertex under `faults` (see [`LineageGraph::holds_under`]).
    pub fn values_under(&self, faults: &FaultSet) -> Vec<bool> {
        let crash_at = |node: NodeIdx| -> Option<Tick> {
            let name = &self.nodes[node as usize];
            faults.faults().iter().find_map(|f| match f {
                Fault::Crash { node: n, at } if n == name => Some(*at),
                _ => None,
            })
        };
        let up = |node: NodeIdx, t: Tick| crash_at(node).is_none_or(|c| c > t);
        let restarted_by = |node: NodeIdx, t: Tick| {
            let name = &self.nodes[node as usize];
            faults
                .faults()
                .iter()
                .any(|f| matches!(f, Fault::Restart { node: n, at } if n == name && *at <= t))
        };
        let omitted = |id: &MsgId, to: NodeIdx| {
            let (from, to) = (&self.nodes[id.from as usize], &self.nodes[to as usize]);
            faults.faults().iter().any(|f| {
                matches!(f, Fault::Omit { from: a, to: b, at } if a == from && b == to && *at == id.sent)
            })
        };
        let mut val = vec![false; self.vertices.len()];
        for (i, v) in self.vertices.iter().enumerate() {
            let all = |cs: &[Vid]| cs.iter().all(|c| val[*c as usize]);
            val[i] = match v {
                Vertex::True => true,
                Vertex::False => false,
                Vertex::Or { children, .. } => children.iter().any(|c| val[*c as usize]),
                Vertex::And { children, .. } => all(children),
                Vertex::Derivation {
                    node, at, causes, ..
                } => all(causes) && up(*node, *at),
                Vertex::Message { id, to, causes } => {
                    all(causes) && up(id.from, id.sent) && !omitted(id, *to)
                }
                Vertex::Crashed { node } => crash_at(*node).is_some(),
                Vertex::CrashedBy { node, at } => crash_at(*node).is_some_and(|c| c <= *at),
                Vertex::RestartedBy { node, at } => restarted_by(*node, *at),
                Vertex::Not { child, .. } => !val[*child as usize],
            };
        }
        val
    }
}
