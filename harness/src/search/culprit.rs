//! Which declaration hid a cause: when happens-before lineage finds a
//! counterexample that declared lineage certified, some declared graph
//! claimed the invariant would hold under the counterexample's faults. The
//! culprit is the earliest act that graph says still happens — every
//! declared cause of it holds — but that the counterexample's run does not
//! contain: the `because` that produced it left out a cause.

use super::ldfi::Learned;
use super::Counterexample;
use ldfi_lineage::{Event, Fact, FaultSet, LineageGraph, MsgId, NodeIdx, Tick, Trace, Vertex};

/// `file:line` of the `because` behind the first act a declared graph
/// wrongly promised, and what it promised; `None` if no graph of the
/// violated invariant explains the miss.
pub(super) fn find_culprit(learned: &[Learned], cex: &Counterexample) -> Option<String> {
    let faults = &cex.config.faults;
    let invariant = cex.invariant();
    for l in learned {
        for (goal, g) in &l.graphs {
            if goal != invariant || !g.holds_under(faults) {
                continue;
            }
            if let Some((event, what)) =
                first_broken_promise(g, faults, &l.run.trace, &cex.run.trace)
            {
                let site = l.run.sites.iter().find(|(e, _)| *e == event);
                let site = site.map_or(
                    "an undeclared (happens-before) act".to_string(),
                    |(_, s)| format!("{}:{}", s.file(), s.line()),
                );
                return Some(format!(
                    "{site}: the declared causes of {what} (run {}) still hold under {}, \
                     but it does not happen there",
                    show(&l.faults),
                    show(faults)
                ));
            }
        }
    }
    None
}

fn show(f: &FaultSet) -> String {
    let parts: Vec<String> = f.faults().iter().map(|x| x.to_string()).collect();
    format!("{{{}}}", parts.join(", "))
}

/// The earliest derivation or message of `g` that holds under `faults` by
/// the graph's semantics but is missing from `actual`: its event index in
/// `declared` and a description.
fn first_broken_promise(
    g: &LineageGraph,
    faults: &FaultSet,
    declared: &Trace,
    actual: &Trace,
) -> Option<(usize, String)> {
    let holds = g.values_under(faults);
    let mut best: Option<(Tick, usize, String)> = None;
    for (i, v) in g.vertices.iter().enumerate() {
        if !holds[i] {
            continue;
        }
        let found = match v {
            Vertex::Derivation { node, at, fact, .. } if !derived(actual, *node, *at, fact) => {
                derive_event(declared, *node, *at, fact)
                    .map(|e| (*at, e, format!("{fact} at {}", declared.name(*node))))
            }
            Vertex::Message { id, to, causes }
                if !causes.is_empty() && !delivered(actual, id, *to) =>
            {
                send_event(declared, id, *to).map(|e| {
                    let what = format!(
                        "{}→{} @{}",
                        declared.name(id.from),
                        declared.name(*to),
                        id.sent
                    );
                    (id.sent, e, what)
                })
            }
            _ => None,
        };
        if let Some((t, e, what)) = found {
            if best.as_ref().is_none_or(|(bt, _, _)| t < *bt) {
                best = Some((t, e, what));
            }
        }
    }
    best.map(|(_, e, what)| (e, what))
}

fn derived(t: &Trace, node: NodeIdx, at: Tick, fact: &Fact) -> bool {
    derive_event(t, node, at, fact).is_some()
}

fn derive_event(t: &Trace, node: NodeIdx, at: Tick, fact: &Fact) -> Option<usize> {
    t.events.iter().position(|e| {
        matches!(e, Event::Derive { node: n, at: a, fact: f, .. } if *n == node && *a == at && f == fact)
    })
}

fn delivered(t: &Trace, id: &MsgId, to: NodeIdx) -> bool {
    t.events
        .iter()
        .any(|e| matches!(e, Event::Deliver { id: i, to: r, .. } if i == id && *r == to))
}

fn send_event(t: &Trace, id: &MsgId, to: NodeIdx) -> Option<usize> {
    t.events
        .iter()
        .position(|e| matches!(e, Event::Send { id: i, to: r, .. } if i == id && *r == to))
}
