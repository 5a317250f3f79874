//! `dataplane replay`'s faults by channel identity: read from a fault file
//! (`"identity": 1`) or translated from a schedule's simulated run, turned
//! into the free-running run (crashes and restarts at ticks), and reported
//! against what the sidecars hit — a fault that never fires is shown, not
//! silent.

use super::shared::CliError;
use ldfi_dataplane::identity::translate::from_trace;
use ldfi_dataplane::identity::{self, IdentityFaults, Timed};
use ldfi_dataplane::proto::FaultHit;
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::{Fault, FaultSet, RunConfig, Trace};
use serde_json::{json, Value};
use std::path::Path;

/// The faults of a free-running replay.
pub struct Planned {
    /// By identity.
    pub identity: IdentityFaults,
    /// Whence: `schedule` (translated) or `identity` (a fault file).
    pub source: &'static str,
    /// The schedule's message faults that addressed nothing.
    pub untranslated: Vec<(Fault, String)>,
    /// The run the processes are given: no message faults (the sidecars
    /// get them by identity), crashes and restarts at the first tick at or
    /// after their time.
    pub free: RunConfig,
    /// Per crash, then per restart: its kind, the fault, its tick, and
    /// whether it falls within the run (tick ≤ EOT).
    pub timed: Vec<(&'static str, Timed, u64, bool)>,
}

/// Reads `path` as a fault file by identity if it is one (`None`: it is
/// not; read it as a schedule).
pub fn read_file(path: &Path, nodes: &[String]) -> Result<Option<IdentityFaults>, CliError> {
    let bad = |why: String| CliError::Input(format!("{}: {why}", path.display()));
    let text = ldfi_harness::files::read_text(path, ldfi_harness::files::MAX_INPUT_BYTES)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    if !identity::is_identity(&v) {
        return Ok(None);
    }
    identity::parse(&text, nodes).map(Some).map_err(bad)
}

/// The free-running plan of `cfg` (the schedule's run, or the capture's
/// with a fault file's version) under `given` (a fault file's faults), or
/// else under `cfg`'s faults translated by their simulated run `sim`.
pub fn plan(
    p: &dyn DynProtocol,
    cfg: &RunConfig,
    given: Option<IdentityFaults>,
    sim: &Trace,
    tick_ms: u64,
    file: &Path,
) -> Result<Planned, CliError> {
    let info = p.info();
    let (identity, source, untranslated) = match given {
        Some(f) => (f, "identity", Vec::new()),
        None => {
            let t = from_trace(&info.name, &cfg.version, sim, &cfg.faults, tick_ms);
            (t.faults, "schedule", t.untranslated)
        }
    };
    let mut timed = Vec::new();
    let mut faults = FaultSet::new();
    for (kind, list) in [
        ("crash", &identity.crashes),
        ("restart", &identity.restarts),
    ] {
        for t in list {
            let tick = identity::tick_at(t.at_ms, tick_ms);
            let within = tick <= u64::from(cfg.params.eot);
            if within {
                let (node, at) = (t.node.clone(), tick as u32);
                faults.insert(if kind == "crash" {
                    Fault::Crash { node, at }
                } else {
                    Fault::Restart { node, at }
                });
            }
            timed.push((kind, t.clone(), tick, within));
        }
    }
    let mut free = cfg.clone();
    free.faults = faults;
    p.wire(&free).map_err(|e| {
        CliError::Input(format!("{}: at ticks of {tick_ms} ms: {e}", file.display()))
    })?;
    Ok(Planned {
        identity,
        source,
        untranslated,
        free,
        timed,
    })
}

/// Message faults that hit nothing, crashes and restarts after the last
/// tick, and schedule faults that addressed nothing.
pub fn unmatched(plan: &Planned, hits: &[FaultHit]) -> usize {
    let missed = (0..plan.identity.messages.len())
        .filter(|&i| !hits.iter().any(|h| h.fault as usize == i))
        .count();
    let late = plan.timed.iter().filter(|t| !t.3).count();
    missed + late + plan.untranslated.len()
}

/// The report as JSON: the faults by identity (a fault file's form) and
/// what became of each.
pub fn json(plan: &Planned, hits: &[FaultHit], names: &[String], tick_ms: u64) -> Value {
    let name = |i: u32| names.get(i as usize).cloned().unwrap_or_default();
    let messages: Vec<Value> = (plan.identity.messages.iter().enumerate())
        .map(|(i, f)| {
            let hit: Vec<Value> = (hits.iter())
                .filter(|h| h.fault as usize == i)
                .map(|h| json!({"from": name(h.from), "to": name(h.to), "k": h.k, "sent": h.sent, "seq": h.seq}))
                .collect();
            json!({"fault": f.to_string(), "matched": !hit.is_empty(), "envelopes": hit})
        })
        .collect();
    let timed: Vec<Value> = (plan.timed.iter())
        .map(|(kind, t, tick, within)| json!({"fault": kind, "node": t.node, "at_ms": t.at_ms, "tick": tick, "matched": within}))
        .collect();
    let untranslated: Vec<Value> = (plan.untranslated.iter())
        .map(|(f, why)| json!({"fault": f.to_string(), "why": why}))
        .collect();
    json!({
        "source": plan.source,
        "tick_ms": tick_ms,
        "faults": plan.identity,
        "messages": messages,
        "timed": timed,
        "untranslated": untranslated,
        "unmatched": unmatched(plan, hits),
    })
}

/// The report as text lines.
pub fn text(plan: &Planned, hits: &[FaultHit], names: &[String], tick_ms: u64) -> Vec<String> {
    let name = |i: u32| names.get(i as usize).cloned().unwrap_or_default();
    let whence = match plan.source {
        "schedule" => "the schedule's, translated by its simulated run",
        _ => "from the fault file",
    };
    let n = plan.identity.messages.len() + plan.timed.len() + plan.untranslated.len();
    if n == 0 {
        return vec!["faults    none".to_string()];
    }
    let mut out = vec![format!(
        "faults    by channel identity ({whence}; ticks of {tick_ms} ms):"
    )];
    for (i, f) in plan.identity.messages.iter().enumerate() {
        let hit = hits.iter().find(|h| h.fault as usize == i);
        out.push(match hit {
            Some(h) => format!(
                "          {f}: hit at {}'s sidecar ({}'s send at its tick {}, #{} of the tick)",
                name(h.to),
                name(h.from),
                h.sent,
                h.seq
            ),
            None => format!(
                "          {f}: NEVER MATCHED (envelope #{} on {}->{} never reached {}'s sidecar)",
                f.k, f.from, f.to, f.to
            ),
        });
    }
    for (kind, t, tick, within) in &plan.timed {
        let what = if *kind == "crash" {
            "killed"
        } else {
            "relaunched"
        };
        out.push(if *within {
            format!(
                "          {kind} {} at {} ms: {what} before its tick {tick}",
                t.node, t.at_ms
            )
        } else {
            format!(
                "          {kind} {} at {} ms: NEVER MATCHED (tick {tick} is after the last tick)",
                t.node, t.at_ms
            )
        });
    }
    for (f, why) in &plan.untranslated {
        out.push(format!("          {f}: NOT TRANSLATED: {why}"));
    }
    out
}
