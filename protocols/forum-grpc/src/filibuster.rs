//! A Filibuster-style enumeration on the same services: the fault-free
//! run, then every single RPC fault (drop the request, drop the response,
//! answer `UNAVAILABLE`) on every call it made, then every pair of those
//! faults on distinct calls. As Filibuster does, calls that only appear
//! under a fault (a retry) join the enumeration when a single-fault run
//! reveals them. It is what LDFI's execution counts are measured against
//! (`ldfi forum filibuster`).

use crate::identity::{identities, RpcFault, RpcFaultKind, RpcSchedule};
use crate::sim::run_rpc;
use ldfi_harness::{Run, RunConfig, RunError};
use serde::Serialize;

/// The faults tried on each call.
pub const KINDS: [RpcFaultKind; 3] = [
    RpcFaultKind::DropRequest,
    RpcFaultKind::DropResponse,
    RpcFaultKind::Error,
];

/// What the enumeration did.
#[derive(Clone, Debug, Serialize)]
pub struct Enumeration {
    /// Executions (the fault-free one included).
    pub executions: u64,
    /// Executions of single faults.
    pub singles: u64,
    /// Executions of pairs.
    pub pairs: u64,
    /// Calls the enumeration knew in the end.
    pub calls: usize,
    /// The execution (counted from 1) that first violated, if any.
    pub first_violation: Option<u64>,
    /// The schedule of that execution, and what it violated.
    pub violation: Option<(RpcSchedule, String)>,
}

/// A call: (caller, callee, method, k).
type Call = (String, String, String, u32);

/// The calls of a run, in the order they were made.
fn calls_of(run: &Run) -> Vec<Call> {
    let idents = identities(&run.trace);
    let name = |n| run.trace.name(n).to_string();
    run.trace
        .events
        .iter()
        .filter_map(|e| match e {
            ldfi_lineage::Event::Send { id, .. } => idents.get(&(id.from, id.sent, id.seq)),
            _ => None,
        })
        .filter(|i| !i.response)
        .map(|i| (name(i.caller), name(i.callee), i.method.clone(), i.k))
        .collect()
}

fn fault(c: &Call, kind: &RpcFaultKind) -> RpcFault {
    RpcFault {
        caller: c.0.clone(),
        callee: c.1.clone(),
        method: c.2.clone(),
        k: c.3,
        kind: kind.clone(),
    }
}

/// Runs the enumeration under `cfg` (its faults are ignored: the schedule
/// is the enumeration's); stops at the first violation if `stop_at_first`.
pub fn enumerate(cfg: &RunConfig, stop_at_first: bool) -> Result<Enumeration, RunError> {
    let mut cfg = cfg.clone();
    cfg.faults = Default::default();
    let mut out = Enumeration {
        executions: 0,
        singles: 0,
        pairs: 0,
        calls: 0,
        first_violation: None,
        violation: None,
    };
    let exec = |sched: RpcSchedule, out: &mut Enumeration| -> Result<Option<Run>, RunError> {
        let run = run_rpc(&cfg, None, &sched)?;
        out.executions += 1;
        if run.verdict.is_violated() && out.first_violation.is_none() {
            out.first_violation = Some(out.executions);
            let what = match &run.verdict {
                ldfi_harness::Verdict::Violated { invariant, .. } => invariant.clone(),
                _ => String::new(),
            };
            out.violation = Some((sched, what));
            if stop_at_first {
                return Ok(None);
            }
        }
        Ok(Some(run))
    };
    let Some(free) = exec(RpcSchedule::default(), &mut out)? else {
        return Ok(out);
    };
    // Singles, in call order; calls revealed by a single fault join.
    let mut known: Vec<Call> = calls_of(&free);
    let mut singles: Vec<RpcFault> = Vec::new();
    let mut i = 0;
    while i < known.len() {
        let call = known[i].clone();
        for kind in &KINDS {
            let f = fault(&call, kind);
            let sched = RpcSchedule {
                calls: vec![f.clone()],
                kills: vec![],
            };
            out.singles += 1;
            let Some(run) = exec(sched, &mut out)? else {
                out.calls = known.len();
                return Ok(out);
            };
            singles.push(f);
            for c in calls_of(&run) {
                if !known.contains(&c) {
                    known.push(c);
                }
            }
        }
        i += 1;
    }
    out.calls = known.len();
    // Pairs of faults on distinct calls.
    for (a, fa) in singles.iter().enumerate() {
        for fb in &singles[a + 1..] {
            if (&fa.caller, &fa.callee, &fa.method, fa.k)
                == (&fb.caller, &fb.callee, &fb.method, fb.k)
            {
                continue;
            }
            let sched = RpcSchedule {
                calls: vec![fa.clone(), fb.clone()],
                kills: vec![],
            };
            out.pairs += 1;
            if exec(sched, &mut out)?.is_none() {
                return Ok(out);
            }
        }
    }
    Ok(out)
}
