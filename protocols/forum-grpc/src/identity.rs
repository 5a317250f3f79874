//! RPC faults by identity: (caller, callee, method, k-th call) — the
//! address a real proxy can act on, which knows no ticks. The simulation
//! applies these directly ([`crate::sim::run_rpc`]), and
//! [`from_trace`] translates a simulated schedule's tick-addressed faults
//! (`omit(from, to, t)`, `crash(node, t)`) into them, exactly, from the
//! run's own trace.
//!
//! A node the schedule restarts is the exception: what it loses depends on
//! *when* it goes down (a `stale-read` kv persists a post a few ticks
//! after acknowledging it), and a kill by identity happens only when the
//! node's next request arrives — after the restart, maybe. Its crashes and
//! restarts are applied by the wall clock instead ([`timed`]), each placed
//! after the request the node had received last before it in the run, as
//! many ticks after it as in the run.

use crate::sim::{method_of, Ident};
use ldfi_lineage::{Event, Fault, FaultSet, Loss, NodeIdx, Tick, Trace};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What happens to one call.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RpcFaultKind {
    /// The request never reaches the callee (the caller times out).
    DropRequest,
    /// The callee serves the request; its response never reaches the caller.
    DropResponse,
    /// The request never reaches the callee; the caller gets `UNAVAILABLE`
    /// at once.
    Error,
    /// The request reaches the callee `ticks` ticks late.
    Delay {
        /// Extra ticks (milliseconds on a real proxy).
        ticks: u32,
    },
}

/// A fault on one call, by identity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RpcFault {
    /// The calling service or client.
    pub caller: String,
    /// The called service.
    pub callee: String,
    /// The method's name (`Authenticate`, `Insert`, ...).
    pub method: String,
    /// Which call of `method` from `caller` to `callee`, counted from 1.
    pub k: u32,
    /// What happens to it.
    #[serde(flatten)]
    pub kind: RpcFaultKind,
}

impl std::fmt::Display for RpcFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            RpcFaultKind::DropRequest => "drop-request".to_string(),
            RpcFaultKind::DropResponse => "drop-response".to_string(),
            RpcFaultKind::Error => "error".to_string(),
            RpcFaultKind::Delay { ticks } => format!("delay {ticks}"),
        };
        write!(
            f,
            "{kind} {}->{} {}#{}",
            self.caller, self.callee, self.method, self.k
        )
    }
}

/// A node killed after it has received `after` requests (0: before any).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Kill {
    /// The service or client.
    pub node: String,
    /// Requests it receives before it dies.
    pub after: u32,
}

/// A schedule by identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpcSchedule {
    /// Faults on calls.
    pub calls: Vec<RpcFault>,
    /// Processes killed.
    pub kills: Vec<Kill>,
}

/// The faults of `faults`, applied in the run that produced `trace`,
/// by identity: each omitted message becomes a dropped request or response
/// of its call, each crash a kill after as many requests as the node had
/// received by then. Faults that lost nothing in the run (a crash after
/// EOT, an omission of a tick with no send) have no identity and are left
/// out, as they changed nothing. The crashes of a node that restarts are
/// not kills by identity but [`timed`] faults.
pub fn from_trace(trace: &Trace, faults: &FaultSet) -> RpcSchedule {
    let mut out = RpcSchedule::default();
    let idents = identities(trace);
    let restarted = restarted(faults);
    for e in &trace.events {
        if let Event::Lost {
            id,
            reason: Loss::Omitted | Loss::Partitioned,
            ..
        } = e
        {
            if let Some(ident) = idents.get(&(id.from, id.sent, id.seq)) {
                out.calls.push(RpcFault {
                    caller: trace.name(ident.caller).into(),
                    callee: trace.name(ident.callee).into(),
                    method: ident.method.clone(),
                    k: ident.k,
                    kind: if ident.response {
                        RpcFaultKind::DropResponse
                    } else {
                        RpcFaultKind::DropRequest
                    },
                });
            }
        }
    }
    for f in faults.faults() {
        if let Fault::Crash { node, at } = f {
            let Some(n) = trace.node(node) else { continue };
            if restarted.contains(node.as_str()) {
                continue;
            }
            // Crashed in the run (a restarted service may be up again by EOT).
            if !(trace.events.iter()).any(|e| matches!(e, Event::Crash { node: m, .. } if *m == n))
            {
                continue;
            }
            let after = trace
                .events
                .iter()
                .filter(|e| matches!(e, Event::Deliver { to, at: t, id, .. } if *to == n && *t < *at && !idents.get(&(id.from, id.sent, id.seq)).is_some_and(|i| i.response)))
                .count() as u32;
            out.kills.push(Kill {
                node: node.clone(),
                after,
            });
        }
    }
    out
}

/// The nodes `faults` restarts.
fn restarted(faults: &FaultSet) -> BTreeSet<&str> {
    (faults.faults().iter())
        .filter_map(|f| match f {
            Fault::Restart { node, .. } => Some(node.as_str()),
            _ => None,
        })
        .collect()
}

/// A crash or a restart applied by the wall clock.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Timed {
    /// The tick.
    pub at: Tick,
    /// Crash or restart (in a tick, restarts come first, as in
    /// simulation).
    pub kind: TimedKind,
    /// The node.
    pub node: String,
    /// The requests the node had received before tick `at` in the run
    /// (over all its lives).
    pub after: u32,
    /// The tick the last of them arrived (1 if none did).
    pub since: Tick,
    /// The tick of the last workload input before `at` (0 if none).
    pub input: Tick,
}

/// What a [`Timed`] fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimedKind {
    /// The node's process is killed (if running) and started again.
    Restart,
    /// The node's process is killed (if running).
    Crash,
}

impl std::fmt::Display for Timed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            TimedKind::Restart => "restart",
            TimedKind::Crash => "crash",
        };
        write!(f, "{kind}({}, {})", self.node, self.at)
    }
}

/// The crashes and restarts of every node `faults` restarts, in the order
/// they take effect (by tick; in a tick restarts first, then crashes, as
/// the simulator applies them), each with the requests the node had
/// received before it in the run that produced `trace`.
pub fn timed(trace: &Trace, faults: &FaultSet) -> Vec<Timed> {
    let idents = identities(trace);
    let restarted = restarted(faults);
    // The tick of every request each node received, in order.
    let mut got: BTreeMap<NodeIdx, Vec<Tick>> = BTreeMap::new();
    let mut inputs = Vec::new();
    for e in &trace.events {
        if let Event::Input { at, .. } = e {
            inputs.push(*at);
        }
        if let Event::Deliver { to, at, id, .. } = e {
            let response = (idents.get(&(id.from, id.sent, id.seq))).is_some_and(|i| i.response);
            if !response {
                got.entry(*to).or_default().push(*at);
            }
        }
    }
    let before = |node: &str, t: Tick| -> (u32, Tick) {
        let ticks = (trace.node(node).and_then(|n| got.get(&n)))
            .map(|v| v.iter().filter(|a| **a < t).copied().collect::<Vec<_>>())
            .unwrap_or_default();
        (ticks.len() as u32, ticks.last().copied().unwrap_or(1))
    };
    let mut out: Vec<Timed> = (faults.faults().iter())
        .filter_map(|f| match f {
            Fault::Restart { node, at } => Some((node, *at, TimedKind::Restart)),
            Fault::Crash { node, at } if restarted.contains(node.as_str()) => {
                Some((node, *at, TimedKind::Crash))
            }
            _ => None,
        })
        .map(|(node, at, kind)| {
            let (after, since) = before(node, at);
            let input = (inputs.iter()).filter(|i| **i < at).max().copied();
            Timed {
                at,
                kind,
                node: node.clone(),
                after,
                since,
                input: input.unwrap_or(0),
            }
        })
        .collect();
    out.sort();
    out
}

/// Every message of `trace` by its call's identity, keyed by
/// (sender, tick, seq): requests counted per (caller, callee, method) in
/// send order, each response named after its request.
pub fn identities(trace: &Trace) -> BTreeMap<(NodeIdx, u32, u32), Ident> {
    let mut count: BTreeMap<(NodeIdx, NodeIdx, String), u32> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for e in &trace.events {
        if let Event::Send { id, to, label, .. } = e {
            let (method, response) = method_of(label);
            let ident = if response {
                let k = count
                    .get(&(*to, id.from, method.to_string()))
                    .copied()
                    .unwrap_or(0);
                Ident {
                    caller: *to,
                    callee: id.from,
                    method: method.to_string(),
                    k: response_k(&out, e).unwrap_or(k),
                    response,
                }
            } else {
                let k = count.entry((id.from, *to, method.to_string())).or_insert(0);
                *k += 1;
                Ident {
                    caller: id.from,
                    callee: *to,
                    method: method.to_string(),
                    k: *k,
                    response,
                }
            };
            out.insert((id.from, id.sent, id.seq), ident);
        }
    }
    out
}

/// The k of the request a response answers: its first `Msg` cause from
/// the caller that names the same method.
fn response_k(known: &BTreeMap<(NodeIdx, u32, u32), Ident>, e: &Event) -> Option<u32> {
    let Event::Send {
        id,
        to,
        label,
        causes,
    } = e
    else {
        return None;
    };
    let (method, _) = method_of(label);
    causes.iter().find_map(|c| match c {
        ldfi_lineage::Cause::Msg(m) if m.from == *to => known
            .get(&(m.from, m.sent, m.seq))
            .filter(|i| !i.response && i.method == method && i.callee == id.from)
            .map(|i| i.k),
        _ => None,
    })
}
