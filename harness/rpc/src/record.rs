//! What the proxy records: refusal records (JSON lines, in memory and
//! appended to `--violations`), and counters served as Prometheus text.

use ldfi_enforce::Violation;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Who called whom, and how.
#[derive(Clone, Debug)]
pub struct Ident {
    /// The caller.
    pub caller: String,
    /// The callee (upstream name).
    pub callee: String,
    /// The method's name (`Insert`).
    pub method: String,
}

/// A refusal: the status to answer and what to log.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The gRPC status.
    pub code: crate::status::Code,
    /// The rule (or `undecodable`, `too-large`, `unknown-method`, ...).
    pub rule: String,
    /// The message, rendered as an event (none if it could not be decoded).
    pub message: Option<String>,
    /// The violation, if a rule or model refused it.
    pub violation: Option<Box<Violation>>,
    /// Why, in words.
    pub why: String,
}

impl Refusal {
    /// A refusal that is not a predicate's (malformed input, no route, ...).
    pub fn plain(code: crate::status::Code, rule: &str, why: impl Into<String>) -> Refusal {
        Refusal {
            code,
            rule: rule.into(),
            message: None,
            violation: None,
            why: why.into(),
        }
    }

    /// The status message the caller gets: names the rule.
    pub fn status_message(&self, proxy: &str) -> String {
        format!("refused by `{}` at proxy {proxy}: {}", self.rule, self.why)
    }
}

/// The refusal log.
#[derive(Debug, Default)]
pub struct Log {
    lines: Mutex<Vec<String>>,
    file: Option<PathBuf>,
}

impl Log {
    /// A log that also appends to `file`.
    pub fn new(file: Option<PathBuf>) -> Log {
        Log {
            lines: Mutex::default(),
            file,
        }
    }

    /// Records `r` (`action`: refused or flagged) about a call of `id`.
    pub fn record(&self, action: &str, id: Option<&Ident>, dir: &str, r: &Refusal) {
        let v = r.violation.as_deref();
        let key: serde_json::Map<String, Value> = v
            .map(|v| {
                v.key
                    .iter()
                    .map(|(n, x)| (n.clone(), json!(x.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let line = json!({
            "action": action,
            "rule": r.rule,
            "caller": id.map(|i| &i.caller),
            "callee": id.map(|i| &i.callee),
            "method": id.map(|i| &i.method),
            "dir": dir,
            "message": r.message,
            "key": key,
            "state": v.and_then(|v| v.states.last()),
            "witness": v.map(|v| &v.witness),
            "why": r.why,
        })
        .to_string();
        eprintln!("proxy: {line}");
        if let Some(path) = &self.file {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path);
            if let Err(e) = f.and_then(|mut f| writeln!(f, "{line}")) {
                eprintln!("proxy: cannot append to {}: {e}", path.display());
            }
        }
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(line);
    }

    /// How many records so far.
    pub fn len(&self) -> usize {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per-call counters and the time spent checking.
#[derive(Debug, Default)]
pub struct Counters {
    calls: Mutex<BTreeMap<(String, String, &'static str), u64>>,
    /// Messages decoded and checked.
    pub messages: AtomicU64,
    /// Nanoseconds spent decoding messages.
    pub decode_ns: AtomicU64,
    /// Nanoseconds spent in the checker.
    pub check_ns: AtomicU64,
}

/// The call counter's metric name.
pub const METRIC: &str = "ldfi_proxy_calls_total";

impl Counters {
    /// Counts a call to `callee`'s `method` that ended as `outcome`
    /// (`forwarded`, `refused`, `fault`, `upstream_error`).
    pub fn add(&self, callee: &str, method: &str, outcome: &'static str) {
        let mut c = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry((callee.into(), method.into(), outcome))
            .or_insert(0) += 1;
    }

    /// The count of (`callee`, `method`, `outcome`).
    pub fn get(&self, callee: &str, method: &str, outcome: &str) -> u64 {
        let c = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        c.iter()
            .filter(|((a, b, o), _)| a == callee && b == method && *o == outcome)
            .map(|(_, n)| *n)
            .sum()
    }

    /// Prometheus text exposition for proxy `name`; `extra` samples
    /// (metric, value) are appended.
    pub fn prometheus(&self, name: &str, extra: &[(&str, f64)]) -> String {
        let mut out = format!(
            "# HELP {METRIC} Calls through the proxy, by callee, method and outcome.\n# TYPE {METRIC} counter\n"
        );
        for ((callee, method, outcome), n) in
            self.calls.lock().unwrap_or_else(|p| p.into_inner()).iter()
        {
            let _ = writeln!(
                out,
                "{METRIC}{{proxy=\"{name}\",callee=\"{callee}\",method=\"{method}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        let secs = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1e9;
        let mut samples = vec![
            (
                "ldfi_proxy_messages_total",
                self.messages.load(Ordering::Relaxed) as f64,
            ),
            ("ldfi_proxy_decode_seconds_total", secs(&self.decode_ns)),
            ("ldfi_proxy_check_seconds_total", secs(&self.check_ns)),
        ];
        samples.extend_from_slice(extra);
        for (metric, v) in samples {
            let _ = writeln!(out, "{metric}{{proxy=\"{name}\"}} {v}");
        }
        out
    }
}

/// Reads back the samples of [`Counters::prometheus`]: metric name with
/// labels (as written) → value.
pub fn parse_prometheus(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}

/// The sum of the samples of `metric` whose labels include every `labels`
/// pair (`key="value"`).
pub fn sample(text: &str, metric: &str, labels: &[(&str, &str)]) -> f64 {
    parse_prometheus(text)
        .into_iter()
        .filter(|(k, _)| k.split('{').next() == Some(metric))
        .filter(|(k, _)| {
            labels
                .iter()
                .all(|(n, v)| k.contains(&format!("{n}=\"{v}\"")))
        })
        .map(|(_, v)| v)
        .sum()
}
