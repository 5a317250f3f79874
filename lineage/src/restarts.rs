//! Restarts in lineage: what `restart(n, r)` can break.
//!
//! A restart is not a crash: the node is up again at once, but it has lost
//! its volatile state and runs `on_start` again, so from tick `r` on it may
//! act differently — it may fail to do what it did, and it may do what it
//! did not. Lineage reads that coarsely and soundly:
//!
//! - **An act** (a derivation, or a send) of node `n` at tick `t` rests on
//!   `n`'s restarts through `t` being those of the run: `¬restarted_by(n, t)`
//!   if the run had none, `restart(n, r)` exactly (`restarted_by(n, r) ∧
//!   ¬restarted_by(n, r − 1)`) if it had one at `r <= t`. Nothing before
//!   `r` depends on a restart at `r` (a run is a deterministic function of
//!   its faults, and a restart changes nothing earlier); an act at or after
//!   `r` may. Facts themselves persist: a restart does not unsay what a
//!   node derived (facts are what invariants read), only what it does next.
//! - **An absence** (negative support: a declared guard, a retraction) and
//!   **`Same(t)`** rest on *every* node's restarts through their tick being
//!   the run's: a restarted node may send or derive what it never did.
//!
//! At most one restart per node is modelled (the solver never proposes
//! more): a run with two restarts of one node gets no support after the
//! second (`False`), and a graph says nothing of fault sets that restart
//! one node twice.
//!
//! When restarts are not in the solver's space every `restarted_by` is the
//! constant false, and these conditions fold away.

use crate::graph::{LineageGraph, Vertex, Vid};
use crate::trace::{Event, NodeIdx, Trace};
use crate::Tick;
use std::collections::BTreeMap;

/// The run's restarts, and the condition vertices built so far.
pub(crate) struct History {
    /// Restart ticks of each node, in order.
    by_node: Vec<Vec<Tick>>,
    names: Vec<String>,
    /// Condition vertex of `(node, through)`, once built.
    memo: BTreeMap<(NodeIdx, Tick), Vid>,
}

impl History {
    pub(crate) fn new(trace: &Trace) -> Self {
        let mut by_node = vec![Vec::new(); trace.nodes.len()];
        for e in &trace.events {
            if let Event::Restart { node, at } = e {
                if let Some(ticks) = by_node.get_mut(*node as usize) {
                    ticks.push(*at);
                }
            }
        }
        History {
            by_node,
            names: trace.nodes.clone(),
            memo: BTreeMap::new(),
        }
    }

    /// The vertex "`node`'s restarts through tick `t` are the run's",
    /// appended to `out` (once per `(node, t)` and `out`).
    pub(crate) fn through(&mut self, node: NodeIdx, t: Tick, out: &mut Vec<Vertex>) -> Vid {
        if let Some(&v) = self.memo.get(&(node, t)) {
            return v;
        }
        let mut push = |v: Vertex| -> Vid {
            out.push(v);
            (out.len() - 1) as Vid
        };
        let name = self.names[node as usize].clone();
        let restarts: Vec<Tick> = self.by_node[node as usize]
            .iter()
            .copied()
            .filter(|r| *r <= t)
            .collect();
        let v = match restarts.as_slice() {
            [] => {
                let child = push(Vertex::RestartedBy { node, at: t });
                let label = format!("no restart({name}) by {t}");
                push(Vertex::Not { label, child })
            }
            [r] => {
                let at_or_before = push(Vertex::RestartedBy { node, at: *r });
                if *r <= 1 {
                    at_or_before
                } else {
                    let before = push(Vertex::RestartedBy { node, at: r - 1 });
                    let label = format!("no restart({name}) by {}", r - 1);
                    let not_before = push(Vertex::Not {
                        label,
                        child: before,
                    });
                    push(Vertex::And {
                        label: format!("restart({name}, {r})"),
                        children: vec![at_or_before, not_before],
                    })
                }
            }
            _ => push(Vertex::False),
        };
        self.memo.insert((node, t), v);
        v
    }

    /// [`History::through`] for every node.
    pub(crate) fn all_through(&mut self, t: Tick, out: &mut Vec<Vertex>) -> Vec<Vid> {
        (0..self.names.len())
            .map(|n| self.through(n as NodeIdx, t, out))
            .collect()
    }
}

/// `g` with every act conditioned on its node's restarts through the act's
/// tick — through EOT for a derivation of a fact the outcome reads (a
/// child of a vertex in `read_at_end`) — see the module documentation:
/// the conditions come first, every other vertex after them, in order.
pub(crate) fn condition_acts(g: LineageGraph, trace: &Trace, read_at_end: &[Vid]) -> LineageGraph {
    let mut history = History::new(trace);
    let mut pre: Vec<Vertex> = Vec::new();
    let mut cond: Vec<Option<Vid>> = Vec::with_capacity(g.vertices.len());
    let mut read = vec![false; g.vertices.len()];
    for &v in read_at_end {
        if let Some(Vertex::Or { children, .. }) = g.vertices.get(v as usize) {
            for &c in children {
                read[c as usize] = true;
            }
        }
    }
    for (i, v) in g.vertices.iter().enumerate() {
        let act = match v {
            Vertex::Derivation { node, .. } if read[i] => Some((*node, trace.eot)),
            Vertex::Derivation { node, at, .. } => Some((*node, *at)),
            Vertex::Message { id, .. } => Some((id.from, id.sent)),
            _ => None,
        };
        cond.push(act.and_then(|(n, t)| {
            ((n as usize) < trace.nodes.len()).then(|| history.through(n, t, &mut pre))
        }));
    }
    let base = pre.len() as Vid;
    let mut vertices = pre;
    vertices.reserve(g.vertices.len());
    for (mut v, c) in g.vertices.into_iter().zip(cond) {
        crate::sound::shift(&mut v, base);
        if let (Some(c), Vertex::Derivation { causes, .. } | Vertex::Message { causes, .. }) =
            (c, &mut v)
        {
            causes.push(c);
        }
        vertices.push(v);
    }
    LineageGraph {
        nodes: g.nodes,
        vertices,
        root: g.root + base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::chain_abc;
    use crate::{lineage_with, Fault, FaultSet, LineageOptions, Prop};

    fn restart(node: &str, at: Tick) -> Fault {
        Fault::Restart {
            node: node.into(),
            at,
        }
    }

    fn got_c() -> Prop {
        Prop::Holds(crate::testutil::fact("got", "c"))
    }

    fn set(fs: &[Fault]) -> FaultSet {
        fs.iter().cloned().collect()
    }

    #[test]
    fn a_restart_breaks_acts_at_or_after_it_and_nothing_before() {
        let t = chain_abc();
        let g = lineage_with(&t, &got_c(), &LineageOptions::default());
        assert!(g.holds_under(&FaultSet::new()));
        // The chain's acts: a sends at 1, b sends at 2, c derives at 3.
        assert!(!g.holds_under(&set(&[restart("b", 2)])), "b's act at 2");
        assert!(!g.holds_under(&set(&[restart("a", 1)])), "a's send at 1");
        assert!(
            g.holds_under(&set(&[restart("b", 3)])),
            "after b's last act"
        );
        assert!(g.holds_under(&set(&[restart("a", 2)])), "after a's send");
        assert!(!g.holds_under(&set(&[restart("c", 3)])), "c's derivation");
        assert!(
            !g.holds_under(&set(&[restart("c", 4)])),
            "a restart may clear a fact the outcome reads"
        );
    }

    #[test]
    fn same_through_rests_on_every_nodes_restarts() {
        let t = chain_abc();
        let g = lineage_with(
            &t,
            &Prop::True,
            &LineageOptions {
                happens_before: true,
                ..Default::default()
            },
        );
        assert!(g.holds_under(&FaultSet::new()));
        for n in ["a", "b", "c"] {
            assert!(!g.holds_under(&set(&[restart(n, t.eot)])), "{n}");
        }
    }

    #[test]
    fn a_run_with_a_restart_holds_under_its_own_faults_only() {
        let mut t = chain_abc();
        // b restarted at 1, before it did anything.
        t.events.insert(0, Event::Restart { node: 1, at: 1 });
        let g = lineage_with(&t, &got_c(), &LineageOptions::default());
        assert!(g.holds_under(&set(&[restart("b", 1)])));
        assert!(
            !g.holds_under(&FaultSet::new()),
            "the run's restart is part of it"
        );
        assert!(
            !g.holds_under(&set(&[restart("b", 2)])),
            "not the same restart"
        );
    }
}
