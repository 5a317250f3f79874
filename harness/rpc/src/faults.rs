//! RPC faults on real services, addressed by identity: the k-th call
//! (1-based, counted at this proxy) from `caller` to `callee` of `method`.
//!
//! A fault schedule file (JSON):
//!
//! ```json
//! {"format": 1, "kind": "rpc-faults", "faults": [
//!   {"caller": "frontend", "callee": "auth", "method": "Authenticate", "k": 1, "action": "drop-response"},
//!   {"callee": "kv", "method": "Insert", "k": 2, "action": "delay", "ms": 200},
//!   {"callee": "kv", "method": "Get", "action": "error", "code": "UNAVAILABLE", "message": "try later"},
//!   {"callee": "kv", "method": "Insert", "k": 3, "action": "kill"}
//! ]}
//! ```
//!
//! `caller`, `method` and `k` may be left out (any caller, any method,
//! every call); `callee` is required. Actions: `drop-request` (never
//! forwarded; the caller gets `UNAVAILABLE`), `drop-response` (forwarded,
//! the upstream acts on it, its answer is lost; the caller gets
//! `UNAVAILABLE`), `delay` (`ms` before forwarding), `error` (the caller
//! gets status `code` with `message`, nothing forwarded), `kill` (the
//! callee's process, given by `--pid CALLEE=PID`, is killed with `SIGKILL`
//! before the call; this and every later call to it are lost, as calls to
//! a crashed host: answered at the caller's deadline, below).
//! The first matching fault applies.
//!
//! A dropped request or response is answered when the caller would give
//! up: at its deadline (`grpc-timeout`) with `DEADLINE_EXCEEDED`, or at
//! once with `UNAVAILABLE` if it set none.
//!
//! The same file may instead hold a schedule by identity as the forum's
//! `identity::from_trace` writes it (a simulated counterexample of
//! `web-forum-grpc` translated to calls):
//!
//! ```json
//! {"calls": [{"caller": "frontend", "callee": "auth", "method": "Authenticate", "k": 1, "kind": "drop_response"},
//!            {"caller": "c1", "callee": "frontend", "method": "Post", "k": 2, "kind": "delay", "ticks": 3}],
//!  "kills": [{"node": "kv", "after": 2}]}
//! ```
//!
//! `kind` is `drop_request`, `drop_response`, `error` (`UNAVAILABLE`) or
//! `delay` (`ticks` milliseconds); a kill of `node` after `after` requests
//! kills it as its `after + 1`-th request (any caller, any method) arrives.

use crate::error::RpcError;
use crate::status::Code;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// What a fault does to a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The request is never forwarded.
    DropRequest,
    /// The request is forwarded; its response is lost.
    DropResponse,
    /// The request waits this long before it is forwarded.
    Delay(Duration),
    /// The caller gets this status; nothing is forwarded.
    Error(Code, String),
    /// The callee's process is killed before the call.
    Kill,
}

/// One fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The caller (`None`: any).
    pub caller: Option<String>,
    /// The callee.
    pub callee: String,
    /// The method's name (`None`: any).
    pub method: Option<String>,
    /// The k-th such call, 1-based (`None`: every one).
    pub k: Option<u64>,
    /// What happens.
    pub action: Action,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    format: u32,
    #[serde(default)]
    kind: Option<String>,
    faults: Vec<FaultJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultJson {
    caller: Option<String>,
    callee: String,
    method: Option<String>,
    k: Option<u64>,
    action: String,
    ms: Option<u64>,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleJson {
    #[serde(default)]
    calls: Vec<IdentJson>,
    #[serde(default)]
    kills: Vec<KillJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentJson {
    caller: String,
    callee: String,
    method: String,
    k: u64,
    kind: String,
    ticks: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KillJson {
    node: String,
    after: u64,
}

/// A fault schedule: faults on calls, and kills after a number of requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Faults on calls.
    pub faults: Vec<Fault>,
    /// (callee, requests it receives before it is killed).
    pub kills: Vec<(String, u64)>,
}

/// Parses a fault schedule (either format); errors name the file, the
/// fault's index and the field.
pub fn parse(what: &str, text: &str) -> Result<Schedule, RpcError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| RpcError::input(what, e))?;
    if v.get("format").is_none() && (v.get("calls").is_some() || v.get("kills").is_some()) {
        return parse_identities(what, v);
    }
    Ok(Schedule {
        faults: parse_faults(what, text)?,
        kills: Vec::new(),
    })
}

fn parse_identities(what: &str, v: serde_json::Value) -> Result<Schedule, RpcError> {
    let s: ScheduleJson = serde_json::from_value(v).map_err(|e| RpcError::input(what, e))?;
    let mut out = Schedule::default();
    for (i, c) in s.calls.into_iter().enumerate() {
        let bad = |why: &str| RpcError::input(format!("{what}: calls[{i}]"), why);
        let action = match c.kind.as_str() {
            "drop_request" => Action::DropRequest,
            "drop_response" => Action::DropResponse,
            "error" => Action::Error(Code::Unavailable, "injected by ldfi".into()),
            "delay" => Action::Delay(Duration::from_millis(
                c.ticks.ok_or_else(|| bad("a delay needs `ticks`"))?,
            )),
            _ => {
                return Err(bad(
                    "field `kind`: drop_request, drop_response, error or delay",
                ))
            }
        };
        if c.k == 0 {
            return Err(bad("field `k`: calls count from 1"));
        }
        out.faults.push(Fault {
            caller: Some(c.caller),
            callee: c.callee,
            method: Some(c.method),
            k: Some(c.k),
            action,
        });
    }
    out.kills = s.kills.into_iter().map(|k| (k.node, k.after)).collect();
    Ok(out)
}

fn parse_faults(what: &str, text: &str) -> Result<Vec<Fault>, RpcError> {
    let f: FileJson = serde_json::from_str(text).map_err(|e| RpcError::input(what, e))?;
    if f.format != 1 {
        return Err(RpcError::input(
            what,
            format!("field `format`: {} is not 1", f.format),
        ));
    }
    if f.kind.as_deref().is_some_and(|k| k != "rpc-faults") {
        return Err(RpcError::input(what, "field `kind`: not \"rpc-faults\""));
    }
    f.faults
        .into_iter()
        .enumerate()
        .map(|(i, j)| {
            let bad = |why: &str| RpcError::input(format!("{what}: faults[{i}]"), why);
            if j.k == Some(0) {
                return Err(bad("field `k`: calls count from 1"));
            }
            let action = match j.action.as_str() {
                "drop-request" => Action::DropRequest,
                "drop-response" => Action::DropResponse,
                "delay" => Action::Delay(Duration::from_millis(
                    j.ms.ok_or_else(|| bad("a delay needs `ms`"))?,
                )),
                "error" => {
                    let code = j.code.as_deref().unwrap_or("UNAVAILABLE");
                    let code = Code::parse(code)
                        .filter(|c| *c != Code::Ok)
                        .ok_or_else(|| bad("field `code`: not a gRPC error code"))?;
                    Action::Error(code, j.message.unwrap_or_else(|| "injected by ldfi".into()))
                }
                "kill" => Action::Kill,
                _ => {
                    return Err(bad(
                        "field `action`: drop-request, drop-response, delay, error or kill",
                    ))
                }
            };
            Ok(Fault {
                caller: j.caller,
                callee: j.callee,
                method: j.method,
                k: j.k,
                action,
            })
        })
        .collect()
}

/// Reads a fault schedule file.
pub fn load(path: &Path) -> Result<Schedule, RpcError> {
    let what = format!("--faults {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| RpcError::input(&what, e))?;
    parse(&what, &text)
}

/// The faults of one proxy, and its per-identity call counts.
#[derive(Debug, Default)]
pub struct Injector {
    faults: Vec<Fault>,
    kills: Vec<(String, u64)>,
    counts: Mutex<BTreeMap<(String, String, String), u64>>,
    received: Mutex<BTreeMap<String, u64>>,
}

impl Injector {
    /// An injector of `s`.
    pub fn new(s: Schedule) -> Injector {
        Injector {
            faults: s.faults,
            kills: s.kills,
            ..Injector::default()
        }
    }

    /// Whether it injects anything (if not, calls are not even counted).
    pub fn is_empty(&self) -> bool {
        self.faults.is_empty() && self.kills.is_empty()
    }

    /// Counts a call and returns (its k, the fault that applies to it).
    pub fn on_call(&self, caller: &str, callee: &str, method: &str) -> (u64, Option<&Action>) {
        if self.is_empty() {
            return (0, None);
        }
        let before = {
            let mut r = self.received.lock().unwrap_or_else(|p| p.into_inner());
            let n = r.entry(callee.into()).or_insert(0);
            *n += 1;
            *n - 1
        };
        if self
            .kills
            .iter()
            .any(|(node, after)| node == callee && *after == before)
        {
            return (before + 1, Some(&Action::Kill));
        }
        let k = {
            let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
            let n = c
                .entry((caller.into(), callee.into(), method.into()))
                .or_insert(0);
            *n += 1;
            *n
        };
        let hit = self.faults.iter().find(|f| {
            f.callee == callee
                && f.caller.as_deref().is_none_or(|c| c == caller)
                && f.method.as_deref().is_none_or(|m| m == method)
                && f.k.is_none_or(|x| x == k)
        });
        (k, hit.map(|f| &f.action))
    }

    /// The callees a `kill` fault addresses.
    pub fn killed_callees(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .faults
            .iter()
            .filter(|f| f.action == Action::Kill)
            .map(|f| f.callee.as_str())
            .chain(self.kills.iter().map(|(n, _)| n.as_str()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_matches_the_kth_call_and_names_bad_fields() {
        let text = r#"{"format":1,"kind":"rpc-faults","faults":[
            {"caller":"fe","callee":"kv","method":"Insert","k":2,"action":"drop-response"},
            {"callee":"kv","method":"Get","action":"error","code":"DEADLINE_EXCEEDED"}]}"#;
        let inj = Injector::new(parse("f.json", text).expect("parses"));
        assert!(!inj.is_empty());
        assert_eq!(inj.on_call("fe", "kv", "Insert"), (1, None));
        assert_eq!(inj.on_call("other", "kv", "Insert"), (1, None));
        assert_eq!(
            inj.on_call("fe", "kv", "Insert"),
            (2, Some(&Action::DropResponse))
        );
        assert_eq!(inj.on_call("fe", "kv", "Insert").1, None);
        let (_, get) = inj.on_call("x", "kv", "Get");
        assert!(matches!(
            get,
            Some(Action::Error(Code::DeadlineExceeded, _))
        ));
        let bad = parse(
            "f.json",
            r#"{"format":1,"faults":[{"callee":"kv","action":"explode"}]}"#,
        );
        assert!(bad
            .expect_err("bad")
            .to_string()
            .starts_with("f.json: faults[0]: field `action`"));
        let zero = parse(
            "f.json",
            r#"{"format":1,"faults":[{"callee":"kv","k":0,"action":"kill"}]}"#,
        );
        assert!(zero.is_err());
    }

    #[test]
    fn reads_the_forum_identity_schedule() {
        let text = r#"{"calls":[{"caller":"frontend","callee":"auth","method":"Authenticate","k":1,"kind":"drop_response"},
            {"caller":"c1","callee":"frontend","method":"Post","k":1,"kind":"delay","ticks":3}],
            "kills":[{"node":"kv","after":1}]}"#;
        let s = parse("s.json", text).expect("parses");
        assert_eq!(s.faults[1].action, Action::Delay(Duration::from_millis(3)));
        let inj = Injector::new(s);
        assert_eq!(inj.killed_callees(), vec!["kv"]);
        assert_eq!(
            inj.on_call("frontend", "auth", "Authenticate").1,
            Some(&Action::DropResponse)
        );
        assert_eq!(inj.on_call("frontend", "kv", "Insert").1, None);
        assert_eq!(inj.on_call("frontend", "kv", "Get").1, Some(&Action::Kill));
        let bad = parse(
            "s.json",
            r#"{"calls":[{"caller":"a","callee":"b","method":"M","k":1,"kind":"boom"}]}"#,
        );
        assert!(bad
            .expect_err("bad")
            .to_string()
            .starts_with("s.json: calls[0]: field `kind`"));
    }
}
