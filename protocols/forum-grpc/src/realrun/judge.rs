//! What a real run did, read back from the proxy's capture and violation
//! records and the workload's answers, judged as the simulation judges a
//! run: the workload's invariants (the same functions,
//! [`crate::sim::workload::Workload::invariants`]: `posts-stored`, or I3
//! with a Read in the workload) on the end state, then the spec's
//! violations (`ldfi_harness::runner::judge_recorded`'s order).
//!
//! The end state holds the facts the invariants read, each from where it
//! can be seen on real processes:
//! - at a client, what it derives in simulation from the answers it
//!   heard before it crashed ([`crate::sim::workload::post_acked`],
//!   [`crate::sim::workload::read_answered`]): `acked(c, key)` and
//!   `acked_at(c, key, t)` for a post accepted in tick `t`, `read(c, n,
//!   topic, s)` and `returned(c, n, key)` for a Read sent in tick `s` and
//!   answered — ticks by the wall clock over the tick;
//! - `stored(key)` at `kv` for every insert `kv` served (answered, or its
//!   answer dropped by a fault: `kv` acted on it); after a restart, for
//!   the posts in its log at the end (what it recovered, or persisted
//!   since) and the inserts that arrived in its last life;
//! - `authed(c)` at the frontend for every `auth` answer `ok = true`;
//! - a killed service is crashed at the tick its killing call arrived (or
//!   of its last `crash` by the wall clock).

use super::drive::Answer;
use crate::identity::{RpcFault, RpcSchedule};
use crate::sim::workload::{post_acked, read_answered};
use ldfi_harness::check::check;
use ldfi_harness::{Checks, EndState, Fact, Invariant, Tick, Verdict};
use ldfi_lineage::Event;
use ldfi_protocols::web_forum::checks::{authed, stored};
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

/// `kv`'s last life, when the run restarted it.
#[derive(Clone, Debug, Default)]
pub struct KvLife {
    /// The tick it began.
    pub since: Tick,
    /// The posts in its log at the end of the run.
    pub log: Vec<String>,
    /// A tick of wall clock (to place the inserts' arrivals).
    pub tick: Duration,
}

/// Whether the callee served `c`: it answered, or its answer was dropped
/// by a fault (it acted on it).
pub fn served(c: &Call) -> bool {
    c.status == 0 || c.message.starts_with("response dropped")
}

/// The end state of a real run (see the module's doc); `kv`: its last
/// life, if it was restarted.
pub fn end_state(
    nodes: &[String],
    answers: &[Answer],
    calls: &[Call],
    crashed: &[(String, Tick)],
    kv: Option<&KvLife>,
) -> EndState {
    let ix = |n: &str| nodes.iter().position(|x| x == n);
    let mut held: Vec<Vec<Fact>> = vec![Vec::new(); nodes.len()];
    let mut hold = |n: &str, f: Fact| {
        if let Some(i) = ix(n) {
            held[i].push(f);
        }
    };
    for a in answers.iter().filter(|a| !a.after_crash) {
        let (Some(answered), 0) = (a.answered, a.status) else {
            continue;
        };
        let facts = match (&a.key, a.method.as_str(), a.sent_at) {
            (Some(key), _, _) => post_acked(&a.client, key, answered).to_vec(),
            (None, "Read", Some(s)) => read_answered(&a.client, a.input, s, &a.keys),
            _ => Vec::new(),
        };
        for f in facts {
            hold(&a.client, f);
        }
    }
    let t0 = calls.iter().map(|c| c.start_us).min().unwrap_or(0);
    // An insert kv served in an earlier life is in its log, or lost.
    let this_life = |c: &Call| kv.is_none_or(|l| tick_at(c.start_us, t0, l.tick) >= l.since);
    for key in kv.iter().flat_map(|l| &l.log) {
        hold("kv", stored(key));
    }
    for c in calls {
        match (c.callee.as_str(), c.method.as_str()) {
            ("kv", "Insert") if served(c) && this_life(c) => {
                hold("kv", stored(&text(field(&c.request, "key"))))
            }
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

/// The verdict: `invariants` (the workload's) on `end`, then the first
/// spec violation the proxy recorded, in the order (and under the
/// `checks`) of the simulator's `judge_recorded`.
pub fn verdict(
    invariants: &[Invariant],
    end: &EndState,
    records: &[Value],
    checks: Checks,
) -> Verdict {
    let mut v = check(invariants, end).verdict;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::RpcFaultKind;
    use crate::sim::workload::Workload;
    use ldfi_protocols::web_forum::checks::invariants;

    fn call(seq: u64, caller: &str, callee: &str, method: &str, status: u32, msg: &str) -> Call {
        Call {
            seq,
            caller: caller.into(),
            callee: callee.into(),
            method: method.into(),
            request: vec![serde_json::json!({"client": "c1", "key": "general/1"})],
            response: vec![serde_json::json!({"client": "c1", "ok": true})],
            status,
            message: msg.into(),
            start_us: seq * 10_000,
        }
    }

    #[test]
    fn faults_are_matched_by_identity_and_unmatched_ones_said() {
        let calls = calls(&[
            r#"{"type":"header","capture":1}"#.to_string(),
            serde_json::json!({"type":"call","seq":1,"caller":"frontend","callee":"auth","method":"Authenticate",
                "status":4,"message":"request dropped by an injected fault","start_us":20}).to_string(),
            serde_json::json!({"type":"call","seq":0,"caller":"c1","callee":"frontend","method":"Login",
                "status":0,"start_us":10}).to_string(),
        ]
        .join("\n"));
        assert_eq!(calls[0].method, "Login", "in arrival order");
        let fault = |k, kind| RpcFault {
            caller: "frontend".into(),
            callee: "auth".into(),
            method: "Authenticate".into(),
            k,
            kind,
        };
        let rpc = RpcSchedule {
            calls: vec![
                fault(1, RpcFaultKind::DropRequest),
                fault(2, RpcFaultKind::DropResponse),
            ],
            kills: vec![],
        };
        let a = call_faults(&rpc, &calls);
        assert!(a[0].applied, "{a:?}");
        assert!(!a[1].applied);
        assert_eq!(a[1].what, "never matched: only 1 such call(s)");
        assert_eq!(
            kill_tick(&calls, "auth", 0, Duration::from_millis(50)),
            Some(1)
        );
        assert_eq!(kill_tick(&calls, "kv", 0, Duration::from_millis(50)), None);
    }

    #[test]
    fn the_end_state_and_the_verdict_are_the_simulations() {
        let nodes: Vec<String> = ["frontend", "auth", "kv", "c1", "c2"]
            .map(String::from)
            .into();
        let acked = Answer {
            input: 1,
            client: "c1".into(),
            method: "Post".into(),
            at: 2,
            sent: true,
            sent_at: Some(2),
            answered: Some(3),
            status: 0,
            message: String::new(),
            ok: Some(true),
            key: Some("general/1".into()),
            keys: Vec::new(),
            after_crash: false,
        };
        // Acknowledged but never stored: posts-stored is violated.
        let end = end_state(&nodes, std::slice::from_ref(&acked), &[], &[], None);
        let v = verdict(&invariants(), &end, &[], Checks::All);
        assert_eq!(ldfi_harness::check::check(&invariants(), &end).verdict, v);
        assert!(v.is_violated(), "{v}");
        // Stored (its answer dropped: kv acted), and a spec record: the rule.
        let insert = call(
            2,
            "frontend",
            "kv",
            "Insert",
            4,
            "response dropped by an injected fault",
        );
        let end = end_state(
            &nodes,
            std::slice::from_ref(&acked),
            std::slice::from_ref(&insert),
            &[("auth".into(), 1)],
            None,
        );
        assert!(end.crashed("auth"));
        assert_eq!(
            verdict(&invariants(), &end, &[], Checks::All),
            Verdict::Good
        );
        // kv restarted at tick 6: the insert (tick 1) counts if in its log.
        let restarted = |log: Vec<String>| {
            let life = KvLife {
                since: 6,
                log,
                tick: Duration::from_millis(50),
            };
            let calls = std::slice::from_ref(&insert);
            let end = end_state(
                &nodes,
                std::slice::from_ref(&acked),
                calls,
                &[],
                Some(&life),
            );
            verdict(&invariants(), &end, &[], Checks::All)
        };
        assert!(restarted(vec![]).is_violated());
        assert_eq!(restarted(vec!["general/1".into()]), Verdict::Good);
        let rec = serde_json::json!({"action": "flagged", "rule": "I2_only_authenticated_clients_post",
            "caller": "frontend", "callee": "kv", "method": "Insert", "witness": [2], "why": "w"});
        let plain = serde_json::json!({"action": "refused", "rule": "not-grpc", "witness": null});
        let v = verdict(
            &invariants(),
            &end,
            &[plain.clone(), rec.clone()],
            Checks::All,
        );
        assert!(
            matches!(&v, Verdict::Violated { invariant, .. } if invariant == "I2_only_authenticated_clients_post"),
            "{v}"
        );
        assert_eq!(
            verdict(&invariants(), &end, &[rec], Checks::Invariants),
            Verdict::Good
        );
        // I3: a later successful Read without the acknowledged post.
        let read = |keys: Vec<String>, sent_at| Answer {
            input: 2,
            method: "Read".into(),
            sent_at: Some(sent_at),
            answered: Some(sent_at + 1),
            key: None,
            keys,
            ..acked.clone()
        };
        let i3 = Workload::LoginPostRead.invariants();
        let judge = |r: Answer| {
            let end = end_state(&nodes, &[acked.clone(), r], &[], &[], None);
            verdict(&i3, &end, &[], Checks::All)
        };
        let v = judge(read(vec![], 14));
        assert!(
            matches!(&v, Verdict::Violated { invariant, .. } if invariant == crate::sim::invariants::I3),
            "{v}"
        );
        assert_eq!(judge(read(vec!["general/1".into()], 14)), Verdict::Good);
        // A read that began before the acknowledgement promises nothing.
        assert_eq!(judge(read(vec![], 3)), Verdict::Vacuous);
        // Nor does a read that failed.
        let failed = Answer {
            status: 4,
            answered: None,
            ..read(vec![], 14)
        };
        assert_eq!(judge(failed), Verdict::Vacuous);
        let by = by_rule(&[plain]);
        assert_eq!(by[&("refused".to_string(), "not-grpc".to_string())], 1);
    }

    #[test]
    fn proxy_counters_by_callee_method_and_outcome() {
        let text = "# HELP x\nldfi_proxy_calls_total{proxy=\"forum\",callee=\"kv\",method=\"Insert\",outcome=\"refused\"} 2\nother 1\n";
        let c = counters(text);
        assert_eq!(c[&("kv".into(), "Insert".into(), "refused".into())], 2);
        assert_eq!(c.len(), 1);
    }
}
