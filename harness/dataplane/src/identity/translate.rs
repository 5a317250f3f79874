//! A simulated schedule's faults by identity, read off its simulated run:
//! `omit(a, b, t)` becomes the k of every envelope that run sent on a→b at
//! tick t (so do delays and duplicates; a partition, every envelope it
//! cut), and `crash(n, t)` becomes a crash at `(t − 1) × tick_ms`.

use super::{ChannelFault, Effect, IdentityFaults, Timed, FORMAT};
use ldfi_lineage::{Event, Fault, FaultSet, Loss, MsgId, NodeIdx, Tick, Trace};
use std::collections::{BTreeMap, BTreeSet};

/// Every message of `trace` that went on the wire, with its receiver and
/// its k on its channel: sends in trace order, per (sender, receiver),
/// except those lost at their sender (its node down, or refused by its
/// sidecar), which never reach the receiver's sidecar that counts them.
pub fn channel_ks(trace: &Trace) -> BTreeMap<MsgId, (NodeIdx, u64)> {
    let at_sender: BTreeSet<MsgId> = (trace.events.iter())
        .filter_map(|e| match e {
            Event::Lost {
                id,
                reason: Loss::SenderDown | Loss::Refused,
                ..
            } => Some(*id),
            _ => None,
        })
        .collect();
    let mut next: BTreeMap<(NodeIdx, NodeIdx), u64> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for e in &trace.events {
        if let Event::Send { id, to, .. } = e {
            if at_sender.contains(id) {
                continue;
            }
            let k = next.entry((id.from, *to)).or_insert(0);
            out.insert(*id, (*to, *k));
            *k += 1;
        }
    }
    out
}

/// A schedule's faults by identity, and those that address nothing.
#[derive(Clone, Debug)]
pub struct Translation {
    /// The faults by identity.
    pub faults: IdentityFaults,
    /// Each message fault that addressed no envelope of the simulated run
    /// (nothing to inject), with why.
    pub untranslated: Vec<(Fault, String)>,
}

/// Translates `faults` (of `protocol`, `version`) by the simulated run
/// `trace` that had them, for ticks of `tick_ms`.
pub fn from_trace(
    protocol: &str,
    version: &str,
    trace: &Trace,
    faults: &FaultSet,
    tick_ms: u64,
) -> Translation {
    let ks = channel_ks(trace);
    let mut out = IdentityFaults {
        identity: FORMAT,
        protocol: protocol.to_string(),
        version: Some(version.to_string()),
        ..IdentityFaults::default()
    };
    let mut untranslated = Vec::new();
    let at_ms = |at: Tick| u64::from(at.saturating_sub(1)) * tick_ms;
    for f in faults.faults() {
        let (hits, effect): (Matcher, Effect) = match f {
            Fault::Crash { node, at } => {
                out.crashes.push(Timed {
                    node: node.clone(),
                    at_ms: at_ms(*at),
                });
                continue;
            }
            Fault::Restart { node, at } => {
                out.restarts.push(Timed {
                    node: node.clone(),
                    at_ms: at_ms(*at),
                });
                continue;
            }
            Fault::Omit { from, to, at } => (on(trace, from, to, *at), Effect::Omit),
            Fault::Delay {
                from,
                to,
                at,
                ticks,
            } => (on(trace, from, to, *at), Effect::Delay { ticks: *ticks }),
            Fault::Duplicate { from, to, at } => (on(trace, from, to, *at), Effect::Duplicate),
            Fault::Partition { a, b, from, until } => {
                let side = |names: &[String]| -> Vec<NodeIdx> {
                    names.iter().filter_map(|n| trace.node(n)).collect()
                };
                let (a, b, from, until) = (side(a), side(b), *from, *until);
                let cut = move |x: NodeIdx, y: NodeIdx, t: Tick| {
                    let across =
                        (a.contains(&x) && b.contains(&y)) || (b.contains(&x) && a.contains(&y));
                    across && from <= t && t < until
                };
                (Box::new(cut), Effect::Omit)
            }
        };
        let before = out.messages.len();
        for (id, &(to, k)) in &ks {
            if hits(id.from, to, id.sent) {
                out.messages.push(ChannelFault {
                    from: trace.name(id.from).to_string(),
                    to: trace.name(to).to_string(),
                    k,
                    effect,
                });
            }
        }
        if out.messages.len() == before {
            untranslated.push((
                f.clone(),
                "no envelope was sent on the channels and ticks it names in the simulated run"
                    .to_string(),
            ));
        }
    }
    out.messages.sort();
    out.messages.dedup();
    Translation {
        faults: out,
        untranslated,
    }
}

/// Whether a fault addresses what a sender sends a receiver at a tick.
type Matcher = Box<dyn Fn(NodeIdx, NodeIdx, Tick) -> bool>;

/// Matches the sends `from`→`to` at tick `at`.
fn on(trace: &Trace, from: &str, to: &str, at: Tick) -> Matcher {
    let (a, b) = (trace.node(from), trace.node(to));
    Box::new(move |x, y, t| Some(x) == a && Some(y) == b && t == at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(from: NodeIdx, sent: Tick, seq: u32, to: NodeIdx) -> Event {
        Event::Send {
            id: MsgId { from, sent, seq },
            to,
            label: "M".into(),
            causes: Vec::new(),
        }
    }

    #[test]
    fn omissions_become_the_ks_the_run_sent_and_crashes_times() {
        let lost_at_sender = Event::Lost {
            id: MsgId {
                from: 0,
                sent: 1,
                seq: 1,
            },
            to: 1,
            reason: Loss::SenderDown,
        };
        let trace = Trace {
            nodes: ["a", "b", "c"].map(String::from).to_vec(),
            eot: 5,
            events: vec![
                send(0, 1, 0, 1),
                send(0, 1, 1, 1),
                lost_at_sender,
                send(0, 2, 0, 2),
                send(0, 2, 1, 1),
                send(0, 2, 2, 1),
                send(1, 2, 0, 0),
            ],
        };
        let ks = channel_ks(&trace);
        assert_eq!(
            ks.len(),
            5,
            "the send lost at its sender is not on the wire"
        );
        let mut faults = FaultSet::new();
        for f in [
            Fault::Omit {
                from: "a".into(),
                to: "b".into(),
                at: 2,
            },
            Fault::Crash {
                node: "c".into(),
                at: 4,
            },
            Fault::Omit {
                from: "c".into(),
                to: "a".into(),
                at: 1,
            },
        ] {
            faults.insert(f);
        }
        let t = from_trace("p", "v1", &trace, &faults, 100);
        let ks: Vec<u64> = t.faults.messages.iter().map(|m| m.k).collect();
        assert_eq!(ks, vec![1, 2], "a->b #0 was at tick 1; #1, #2 at tick 2");
        assert!(t.faults.messages.iter().all(|m| m.effect == Effect::Omit));
        assert_eq!(
            t.faults.crashes,
            vec![Timed {
                node: "c".into(),
                at_ms: 300
            }]
        );
        assert_eq!(t.untranslated.len(), 1, "c sent a nothing at tick 1");
    }
}
