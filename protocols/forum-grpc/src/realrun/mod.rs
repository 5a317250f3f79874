//! A `web-forum-grpc` schedule on the real services, through the
//! enforcement proxy (`ldfi dataplane run SCHEDULE` for this protocol).
//!
//! 1. The schedule runs in simulation: its trace and verdict.
//! 2. [`crate::identity::from_trace`] turns its tick-addressed faults into
//!    faults by identity (caller, callee, method, k-th call; a service
//!    killed after n requests), the proxy's `--faults` file.
//! 3. `auth`, `kv` and `frontend` (the schedule's version) start as
//!    processes behind one `ldfi proxy --descriptor` ([`cluster`]) with the
//!    same spec; the proxy applies the faults (a kill kills that service's
//!    process; calls to it are then lost, as to a crashed host).
//! 4. The workload runs through the client library, paced by the wall
//!    clock: tick `t` at `(t − 1) × tick`; the frontend waits
//!    [`UPSTREAM_TIMEOUT`] ticks for `auth` and `kv`, a client
//!    [`CLIENT_TIMEOUT`] ticks, as in simulation ([`drive`]). A crashed
//!    client is the workload's own: it stops sending at its tick.
//! 5. The proxy's capture and violation records and the clients' answers
//!    are judged with the simulation's invariants and spec ([`judge`]).
//!
//! The verdict is comparable with the simulated one; the trace is not
//! (the wall clock paces it), so a real run has no trace hash.

pub mod cluster;
pub mod drive;
pub mod judge;

use crate::identity::{from_trace, RpcFaultKind, RpcSchedule};
use crate::services::Service;
use crate::sim::workload::Workload;
use crate::sim::{run_rpc, CLIENT_TIMEOUT, UPSTREAM_TIMEOUT};
use judge::Applied;
use ldfi_harness::{Fault, Run, RunConfig, Tick, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The `ldfi` binary (the children are `ldfi forum serve`, `ldfi proxy`).
    pub exe: PathBuf,
    /// One tick of wall clock.
    pub tick: Duration,
    /// The proxy's mode: `refuse` (a violating message is refused) or
    /// `observe` (logged and forwarded, as the simulator delivers it).
    pub enforce: String,
    /// Where the run's files go (a fresh directory is made under it).
    pub dir: PathBuf,
    /// Keep the proxy's capture here (a new file).
    pub capture: Option<PathBuf>,
    /// Append the proxy's violation records here.
    pub violations: Option<PathBuf>,
}

/// Errors: bad input (exit 2) or a process that failed (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum RealError {
    /// The schedule or an option is wrong (the message names it).
    #[error("{0}")]
    Input(String),
    /// A process failed to start or died; a file could not be written.
    #[error("{0}")]
    Process(String),
}

/// A service process and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct Process {
    /// `auth`, `kv`, `frontend` or `proxy`.
    pub name: String,
    /// Its pid.
    pub pid: u32,
    /// Whether it had died by the end of the run (killed by a fault).
    pub killed: bool,
}

/// One real run.
#[derive(Debug)]
pub struct RealRun {
    /// The simulated run of the same schedule.
    pub sim: Run,
    /// Its faults by identity, as the proxy got them (delays in ms).
    pub rpc: RpcSchedule,
    /// The real run's verdict.
    pub verdict: Verdict,
    /// What became of every fault by identity.
    pub applied: Vec<Applied>,
    /// The workload's answers.
    pub answers: Vec<drive::Answer>,
    /// Violation records per (action, rule).
    pub by_rule: BTreeMap<(String, String), u64>,
    /// The proxy's violation records (JSON).
    pub records: Vec<serde_json::Value>,
    /// Calls per (callee, method, outcome) at the proxy.
    pub counters: BTreeMap<(String, String, String), u64>,
    /// The processes.
    pub processes: Vec<Process>,
    /// Calls the proxy saw.
    pub calls: usize,
}

fn io(what: &str, e: impl std::fmt::Display) -> RealError {
    RealError::Process(format!("{what}: {e}"))
}

/// A run's directory, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(under: &std::path::Path) -> Result<Scratch, RealError> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = under.join(format!("ldfi-forum-run-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).map_err(|e| io(&d.display().to_string(), e))?;
    Ok(Scratch(d))
}

/// The crash tick of every client the schedule crashes.
fn client_crashes(cfg: &RunConfig) -> BTreeMap<String, Tick> {
    cfg.faults
        .faults()
        .iter()
        .filter_map(|f| match f {
            Fault::Crash { node, at } if Service::parse(node).is_none() => {
                Some((node.clone(), *at))
            }
            _ => None,
        })
        .collect()
}

/// Runs `cfg` (a `web-forum-grpc` schedule) in simulation and on the real
/// services through the proxy.
pub fn run(cfg: &RunConfig, opts: &Options) -> Result<RealRun, RealError> {
    let workload = Workload::parse(&cfg.workload)
        .ok_or_else(|| RealError::Input(format!("unknown workload `{}`", cfg.workload)))?;
    if !["refuse", "observe"].contains(&opts.enforce.as_str()) {
        return Err(RealError::Input(format!(
            "--enforce: unknown mode `{}` (observe, refuse)",
            opts.enforce
        )));
    }
    let sim =
        run_rpc(cfg, None, &RpcSchedule::default()).map_err(|e| RealError::Input(e.to_string()))?;
    let mut rpc = from_trace(&sim.trace, &cfg.faults);
    let ms = opts.tick.as_millis().max(1) as u32;
    for f in &mut rpc.calls {
        if let RpcFaultKind::Delay { ticks } = &mut f.kind {
            *ticks *= ms;
        }
    }
    let crashes = client_crashes(cfg);
    // Services are killed by the proxy; clients crash in the workload.
    let to_proxy = RpcSchedule {
        calls: rpc.calls.clone(),
        kills: rpc
            .kills
            .iter()
            .filter(|k| Service::parse(&k.node).is_some())
            .cloned()
            .collect(),
    };
    let dir = scratch(&opts.dir)?;
    let d = &dir.0;
    let files = cluster::Files {
        descriptor: d.join("forum.fds"),
        spec: d.join("web-forum.spec"),
        faults: d.join("faults.json"),
        capture: opts
            .capture
            .clone()
            .unwrap_or_else(|| d.join("calls.jsonl")),
        violations: d.join("violations.jsonl"),
    };
    let spec = ldfi_protocols::web_forum::checks::SPEC_SOURCE;
    let faults = serde_json::to_string_pretty(&to_proxy).expect("a schedule serializes");
    for (path, bytes) in [
        (&files.descriptor, crate::DESCRIPTOR_SET),
        (&files.spec, spec.as_bytes()),
        (&files.faults, faults.as_bytes()),
    ] {
        std::fs::write(path, bytes).map_err(|e| io(&path.display().to_string(), e))?;
    }
    let timeout = opts.tick * UPSTREAM_TIMEOUT;
    let version = cfg.version.as_str();
    let mut c = cluster::Cluster::start(&opts.exe, version, timeout, &opts.enforce, &files)?;
    let rt = ldfi_dataplane::node::runtime().map_err(|e| io("runtime", e))?;
    let answers = {
        // The client channels start their workers on this runtime.
        let _guard = rt.enter();
        let addr = c.proxy_addr();
        rt.block_on(drive::drive(
            &addr,
            workload,
            opts.tick,
            &crashes,
            cfg.params.eot,
        ))
        .map_err(RealError::Process)?
    };
    drop(rt);
    let prometheus = c.metrics();
    let mut processes = Vec::new();
    for (svc, child) in c.services.iter_mut() {
        processes.push(Process {
            name: svc.name().into(),
            pid: child.pid(),
            killed: !child.alive(),
        });
    }
    if !c.proxy.alive() {
        return Err(RealError::Process(format!(
            "the proxy (pid {}) died during the run: {}",
            c.proxy.pid(),
            c.proxy.stderr_tail().join(" | ")
        )));
    }
    processes.push(Process {
        name: "proxy".into(),
        pid: c.proxy.pid(),
        killed: false,
    });
    drop(c);
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let calls = judge::calls(&read(&files.capture));
    let records = judge::records(&read(&files.violations));
    if let Some(out) = &opts.violations {
        append(out, &read(&files.violations))?;
    }
    let mut applied = judge::call_faults(&rpc, &calls);
    let mut crashed = Vec::new();
    for k in &to_proxy.kills {
        let killed = processes.iter().any(|p| p.name == k.node && p.killed);
        let at = judge::kill_tick(&calls, &k.node, k.after, opts.tick);
        let got = calls.iter().filter(|c| c.callee == k.node).count();
        let what = match (killed, at) {
            (true, Some(t)) => {
                crashed.push((k.node.clone(), t));
                format!("killed at its request #{} (tick {t})", k.after + 1)
            }
            (true, None) => "killed".into(),
            (false, _) => format!("never matched: `{}` received {got} request(s)", k.node),
        };
        applied.push(Applied {
            fault: format!("kill {} after {} request(s)", k.node, k.after),
            applied: killed,
            what,
        });
    }
    for (node, at) in &crashes {
        crashed.push((node.clone(), *at));
        applied.push(Applied {
            fault: format!("crash {node} at tick {at}"),
            applied: true,
            what: format!("the workload's {node} sent nothing and heard nothing from tick {at} on"),
        });
    }
    let info = crate::ForumGrpc::describe();
    let end = judge::end_state(&info.nodes, &answers, &calls, &crashed);
    let verdict = judge::verdict(&end, &records, cfg.checks);
    Ok(RealRun {
        sim,
        rpc,
        verdict,
        applied,
        answers,
        by_rule: judge::by_rule(&records),
        records,
        counters: judge::counters(&prometheus),
        processes,
        calls: calls.len(),
    })
}

fn append(path: &std::path::Path, text: &str) -> Result<(), RealError> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| RealError::Input(format!("--violations {}: {e}", path.display())))
}

/// The tick lengths the real run uses, for its output: (frontend's
/// upstream timeout, a client's timeout).
pub fn timeouts(tick: Duration) -> (Duration, Duration) {
    (tick * UPSTREAM_TIMEOUT, tick * CLIENT_TIMEOUT)
}
