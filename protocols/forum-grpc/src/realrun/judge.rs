//! What a real run did, read back from the proxy's capture and violation
//! records and the workload's answers, judged as the simulation judges a
//! run: the web-forum model's invariants on the end state, then the
//! spec's violations (`ldfi_harness::runner::judge_recorded`'s order).
//!
//! The end state holds the facts the invariants read, each from where it
//! can be seen on real processes: `acked(c, key)` at a client that heard
//! its post accepted (before it crashed), `stored(key)` at `kv` for every
//! insert `kv` served (answered, or its answer dropped by a fault: `kv`
//! acted on it), `authed(c)` at the frontend for every `auth` answer
//! `ok = true`; a killed service is crashed at the tick its killing call
//! arrived.

use super::drive::Answer;
use crate::identity::{RpcFault, RpcSchedule};
use ldfi_harness::check::check;
use ldfi_harness::{Checks, EndState, Fact, Tick, Verdict};
use ldfi_lineage::Event;
use ldfi_protocols::web_forum::checks::{acked, authed, invariants, stored};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// One call of the proxy's capture.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Call {
    /// Arrival order at the proxy.
    pub seq: u64,
    /// The caller.
    pub caller: String,
    /// The callee.
    pub callee: String,
    /// The method.
    pub method: String,
    /// Request messages (proto JSON).
    #[serde(default)]
    pub request: Vec<Value>,
    /// Response messages (proto JSON).
    #[serde(default)]
    pub response: Vec<Value>,
    /// gRPC status.
    pub status: u32,
    /// Status message.
    #[serde(default)]
    pub message: String,
    /// Arrival, µs since the proxy started.
    pub start_us: u64,
}

/// Reads a capture's calls in arrival order (the header and unreadable
/// lines are skipped: the proxy writes whole lines).
pub fn calls(text: &str) -> Vec<Call> {
    let mut out: Vec<Call> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "call")
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    out.sort_by_key(|c| c.seq);
    out
}

/// Reads violation records (JSON lines).
pub fn records(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// What became of one fault by identity.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Applied {
    /// The fault (`drop-request frontend->auth Authenticate#1`,
    /// `kill auth after 0 requests`, `crash c1 at tick 3`).
    pub fault: String,
    /// Whether it hit a call (or killed its process).
    pub applied: bool,
    /// What happened, or why it never matched.
    pub what: String,
}

fn field<'a>(msgs: &'a [Value], name: &str) -> Option<&'a Value> {
    msgs.first().and_then(|m| m.get(name))
}

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Calls of one identity, in arrival order.
fn of<'a>(calls: &'a [Call], caller: &str, callee: &str, method: &str) -> Vec<&'a Call> {
    calls
        .iter()
        .filter(|c| c.caller == caller && c.callee == callee && c.method == method)
        .collect()
}

/// Whether the proxy answered `c` with an injected fault.
fn injected(c: &Call) -> bool {
    c.message.contains("by an injected fault")
}

/// What became of each call fault of `rpc`.
pub fn call_faults(rpc: &RpcSchedule, calls: &[Call]) -> Vec<Applied> {
    rpc.calls
        .iter()
        .map(|f: &RpcFault| {
            let same = of(calls, &f.caller, &f.callee, &f.method);
            let (applied, what) = match same.get(f.k as usize - 1) {
                Some(c) if injected(c) => (true, c.message.clone()),
                Some(c) => (
                    false,
                    format!("call #{} was not faulted: {}", f.k, c.message),
                ),
                None => (
                    false,
                    format!("never matched: only {} such call(s)", same.len()),
                ),
            };
            Applied {
                fault: f.to_string(),
                applied,
                what,
            }
        })
        .collect()
}

/// The tick of µs offset `us` in a run whose first call arrived at `t0`.
pub fn tick_at(us: u64, t0: u64, tick: Duration) -> Tick {
    1 + (us.saturating_sub(t0) / (tick.as_micros() as u64).max(1)) as Tick
}

/// The tick at which service `node`'s `after + 1`-th request arrived (its
/// kill), if it did.
pub fn kill_tick(calls: &[Call], node: &str, after: u32, tick: Duration) -> Option<Tick> {
    let t0 = calls.iter().map(|c| c.start_us).min()?;
    calls
        .iter()
        .filter(|c| c.callee == node)
        .nth(after as usize)
        .map(|c| tick_at(c.start_us, t0, tick))
}

/// The end state of a real run (see the module's doc).
pub fn end_state(
    nodes: &[String],
    answers: &[Answer],
    calls: &[Call],
    crashed: &[(String, Tick)],
) -> EndState {
    let ix = |n: &str| nodes.iter().position(|x| x == n);
    let mut held: Vec<Vec<Fact>> = vec![Vec::new(); nodes.len()];
    let mut hold = |n: &str, f: Fact| {
        if let Some(i) = ix(n) {
            held[i].push(f);
        }
    };
    for a in answers.iter().filter(|a| !a.after_crash) {
        if let Some(key) = &a.key {
            hold(&a.client, acked(&a.client, key));
        }
    }
    for c in calls {
        let served = c.status == 0 || c.message.starts_with("response dropped");
        match (c.callee.as_str(), c.method.as_str()) {
            ("kv", "Insert") if served => hold("kv", stored(&text(field(&c.request, "key")))),
            ("auth", "Authenticate")
                if c.status == 0 && field(&c.response, "ok") == Some(&Value::Bool(true)) =>
            {
                hold("frontend", authed(&text(field(&c.response, "client"))))
            }
            _ => {}
        }
    }
    let events: Vec<Event> = crashed
        .iter()
        .filter_map(|(n, at)| {
            ix(n).map(|i| Event::Crash {
                node: i as ldfi_lineage::NodeIdx,
                at: *at,
            })
        })
        .collect();
    EndState::from_run(nodes, held.iter(), &events)
}

/// A spec violation the proxy recorded (refused or flagged): its rule.
fn spec_rule(r: &Value) -> Option<String> {
    // Refusals that are not the spec's (unknown method, malformed frame)
    // carry no automaton witness.
    if r["witness"].is_null() {
        return None;
    }
    r["rule"].as_str().map(str::to_string)
}

/// The verdict: invariants on `end`, then the first spec violation the
/// proxy recorded, in the order (and under the `checks`) of the
/// simulator's `judge_recorded`.
pub fn verdict(end: &EndState, records: &[Value], checks: Checks) -> Verdict {
    let mut v = check(&invariants(), end).verdict;
    if checks == Checks::Enforcement && v.is_violated() {
        v = Verdict::Good;
    }
    let first = records
        .iter()
        .find_map(|r| spec_rule(r).map(|rule| (rule, r)));
    if let (false, Some((rule, r))) = (v.is_violated() || checks == Checks::Invariants, first) {
        let what = format!(
            "{} {}->{} {} ({})",
            r["action"].as_str().unwrap_or(""),
            r["caller"].as_str().unwrap_or(""),
            r["callee"].as_str().unwrap_or(""),
            r["method"].as_str().unwrap_or(""),
            r["why"].as_str().unwrap_or("")
        );
        v = Verdict::Violated {
            invariant: rule,
            missing: vec![what],
        };
    }
    v
}

/// Records per (action, rule): refusals and flags by rule.
pub fn by_rule(records: &[Value]) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for r in records {
        let key = (
            r["action"].as_str().unwrap_or("").to_string(),
            r["rule"].as_str().unwrap_or("").to_string(),
        );
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

/// `ldfi_proxy_calls_total` per (callee, method, outcome) from the
/// proxy's Prometheus text.
pub fn counters(prometheus: &str) -> BTreeMap<(String, String, String), u64> {
    let mut out = BTreeMap::new();
    for (k, v) in ldfi_rpc::record::parse_prometheus(prometheus) {
        let Some(labels) = k
            .strip_prefix(ldfi_rpc::record::METRIC)
            .and_then(|l| l.strip_prefix('{'))
            .and_then(|l| l.strip_suffix('}'))
        else {
            continue;
        };
        let label = |name: &str| {
            labels
                .split(',')
                .filter_map(|p| p.split_once('='))
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.trim_matches('"').to_string())
                .unwrap_or_default()
        };
        *out.entry((label("callee"), label("method"), label("outcome")))
            .or_insert(0) += v as u64;
    }
    out
}
