//! "The run is unchanged through tick `t`": the sound, coarse lineage that
//! needs no declaration at all.
//!
//! A run is a deterministic function of its fault set. If a fault set `F`
//! leaves everything the run `R` observed through tick `t` as it was —
//! every message delivered by `t` is still delivered, every message lost by
//! `t` is still lost, every node is up or down exactly as before — then by
//! induction on ticks every node handles the same inputs in the same order
//! through `t`, so it derives, retracts, decides and sends the same.
//! `Same(t)` is the conjunction of those conditions, over fault literals
//! only (no lineage rules):
//!
//! ```text
//! same(t) :- ∀ deliver(m, to, a), a <= t:      ¬omit(m) ∧ ¬down(from(m), sent(m))
//!            ∀ lost(m, omitted), sent(m) < t:   omit(m) ∨ down(from(m), sent(m))
//!            ∀ lost(m, partitioned), sent(m) < t: false   (not in the solver's space)
//!            ∀ crash(n, c), c <= t:              down(n, c) ∧ ¬down(n, c − 1)
//!            ∀ n up through t:                   ¬down(n, t)
//!            ∀ n:                                n's restarts through t are the run's
//! ```
//!
//! It makes no assumption about the protocol (monotone or not, timeouts,
//! retractions, absence): it is what `--happens-before` lineage means for
//! an outcome read at EOT, and the fallback for any absence a protocol does
//! not explain with a guard. Its price: every fault that touches the run
//! before `t` breaks it, so a search on it is an exhaustive search over the
//! classes of fault sets that differ in what they change.

use crate::graph::{Vertex, Vid};
use crate::trace::{Event, Loss, Trace};
use crate::Tick;

/// Appends the vertices of `Same(t)` for `trace` to `out` and returns the
/// root (an `And`, or `True`/`False`).
pub fn same_through(trace: &Trace, t: Tick, out: &mut Vec<Vertex>) -> Vid {
    let mut push = |v: Vertex| -> Vid {
        out.push(v);
        (out.len() - 1) as Vid
    };
    let mut parts: Vec<Vid> = Vec::new();
    let mut crashed_by = vec![None; trace.nodes.len()];
    for e in &trace.events {
        match e {
            Event::Deliver { id, to, at, .. } if *at <= t => {
                parts.push(push(Vertex::Message {
                    id: *id,
                    to: *to,
                    causes: Vec::new(),
                }));
            }
            Event::Lost { id, to, reason } if id.sent < t => match reason {
                Loss::Omitted => {
                    let m = push(Vertex::Message {
                        id: *id,
                        to: *to,
                        causes: Vec::new(),
                    });
                    let label = format!("lost {}→{} @{}", id.from, to, id.sent);
                    parts.push(push(Vertex::Not { label, child: m }));
                }
                // Not a fault the search controls.
                Loss::Partitioned | Loss::Refused => parts.push(push(Vertex::False)),
                // Implied by the crash literals below.
                Loss::ReceiverDown | Loss::SenderDown | Loss::AfterEot => {}
            },
            Event::Crash { node, at } if *at <= t => {
                crashed_by[*node as usize] = Some(*at);
                parts.push(push(Vertex::CrashedBy {
                    node: *node,
                    at: *at,
                }));
                if *at > 1 {
                    let before = push(Vertex::CrashedBy {
                        node: *node,
                        at: at - 1,
                    });
                    let label = format!("up({}, {})", trace.name(*node), at - 1);
                    parts.push(push(Vertex::Not {
                        label,
                        child: before,
                    }));
                }
            }
            _ => {}
        }
    }
    for (n, c) in crashed_by.iter().enumerate() {
        if c.is_none() {
            let down = push(Vertex::CrashedBy {
                node: n as u16,
                at: t,
            });
            let label = format!("up({}, {t})", trace.nodes[n]);
            parts.push(push(Vertex::Not { label, child: down }));
        }
    }
    parts.extend(crate::restarts::History::new(trace).all_through(t, out));
    out.push(Vertex::And {
        label: format!("unchanged through {t}"),
        children: parts,
    });
    (out.len() - 1) as Vid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::LineageGraph;
    use crate::testutil::{chain_abc, mid};
    use crate::{Fault, FaultSet};

    fn graph(t: &Trace, tick: Tick) -> LineageGraph {
        let mut vertices = Vec::new();
        let root = same_through(t, tick, &mut vertices);
        LineageGraph {
            nodes: t.nodes.clone(),
            vertices,
            root,
        }
    }

    #[test]
    fn any_fault_that_touches_the_prefix_breaks_it() {
        let t = chain_abc();
        let g = graph(&t, t.eot);
        assert!(g.holds_under(&FaultSet::new()));
        let omit: FaultSet = [Fault::Omit {
            from: "a".into(),
            to: "b".into(),
            at: 1,
        }]
        .into_iter()
        .collect();
        assert!(!g.holds_under(&omit));
        let crash: FaultSet = [Fault::Crash {
            node: "c".into(),
            at: t.eot,
        }]
        .into_iter()
        .collect();
        assert!(!g.holds_under(&crash), "a crash changes the end state");
        let late: FaultSet = [Fault::Omit {
            from: "c".into(),
            to: "a".into(),
            at: t.eot,
        }]
        .into_iter()
        .collect();
        assert!(g.holds_under(&late), "a message never sent changes nothing");
        let _ = mid(0, 1, 0);
    }
}
