//! A `web-forum-grpc` schedule on the real services, through the
//! enforcement proxy (`ldfi dataplane run SCHEDULE` for this protocol).
//!
//! 1. The schedule runs in simulation: its trace and verdict.
//! 2. [`crate::identity::from_trace`] turns its tick-addressed faults into
//!    faults by identity (caller, callee, method, k-th call; a service
//!    killed after n requests), the proxy's `--faults` file. The crashes
//!    and restarts of a service the schedule restarts are kept by tick
//!    ([`crate::identity::timed`]).
//! 3. `auth`, `kv` and `frontend` (the schedule's version) start as
//!    processes behind one `ldfi proxy --descriptor` ([`cluster`]) with the
//!    same spec, `kv` keeping its posts in a fresh data directory of the
//!    run (a `stale-read` kv persisting a post [`WRITE_BEHIND`] ticks after
//!    acknowledging it, as in simulation); the proxy applies the faults (a
//!    kill kills that service's process; calls to it are then lost, as to
//!    a crashed host).
//! 4. The workload runs through the client library, paced by the wall
//!    clock: tick `t` at `(t − 1) × tick`; the frontend waits
//!    [`UPSTREAM_TIMEOUT`] ticks for `auth` and `kv`, a client
//!    [`CLIENT_TIMEOUT`] ticks, as in simulation ([`drive`]). A crashed
//!    client is the workload's own: it stops sending at its tick. The
//!    timed crashes and restarts happen at their ticks on the same clock
//!    ([`restart`]: a restarted service is the same command on the same
//!    port, with the same data directory).
//! 5. The proxy's capture and violation records and the clients' answers
//!    are judged with the simulation's invariants for the workload and
//!    its spec ([`judge`]).
//!
//! The verdict is comparable with the simulated one; the trace is not
//! (the wall clock paces it), so a real run has no trace hash.

pub mod cluster;
pub mod drive;
pub mod judge;
pub mod restart;

use crate::identity::{from_trace, timed, RpcFaultKind, RpcSchedule, TimedKind};
use crate::services::Service;
use crate::sim::workload::Workload;
use crate::sim::{run_rpc, CLIENT_TIMEOUT, UPSTREAM_TIMEOUT, WRITE_BEHIND};
use judge::Applied;
use ldfi_harness::{Fault, Run, RunConfig, Tick, Verdict};
use restart::Restarted;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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
    /// Its life: 0 for the first process of a service, 1 after its first
    /// restart, ...
    pub life: u32,
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
    /// What became of every fault by identity (and of every client crash).
    pub applied: Vec<Applied>,
    /// What became of every crash and restart applied by the clock.
    pub restarts: Vec<Restarted>,
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
    /// `kv`'s data directory (removed at the end of the run).
    pub data_dir: PathBuf,
}

fn io(what: &str, e: impl std::fmt::Display) -> RealError {
    RealError::Process(format!("{what}: {e}"))
}

/// Where `kv`'s data directory goes when the machine has it: a tmpfs. A
/// crash here is a killed process, whose completed writes the page cache
/// keeps on any file system; a disk adds only the latency of `kv`'s
/// `fsync`, which the simulation does not have (a call answers in 2 ticks)
/// and which, under I/O load, outlasts the frontend's deadline for `kv`.
const TMPFS: &str = "/dev/shm";

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
    let plan = timed(&sim.trace, &cfg.faults);
    let dir = scratch(&opts.dir)?;
    let d = &dir.0;
    let tmpfs = Path::new(TMPFS);
    let data = if tmpfs.is_dir() {
        scratch(tmpfs).or_else(|_| scratch(d))?
    } else {
        scratch(d)?
    };
    let data_dir = data.0.clone();
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
    let setup = cluster::Setup {
        exe: &opts.exe,
        version: cfg.version.as_str(),
        timeout: opts.tick * UPSTREAM_TIMEOUT,
        write_behind: opts.tick * WRITE_BEHIND,
        data_dir: &data_dir,
        enforce: &opts.enforce,
    };
    let mut c = cluster::Cluster::start(&setup, &files)?;
    let rt = ldfi_dataplane::node::runtime().map_err(|e| io("runtime", e))?;
    let addr = c.proxy_addr();
    let eot = cfg.params.eot;
    let (answers, restarts) = {
        // The client channels start their workers on this runtime.
        let _guard = rt.enter();
        let targets: Vec<&mut cluster::Svc> = (c.services.iter_mut())
            .filter(|s| plan.iter().any(|t| t.node == s.service.name()))
            .collect();
        let start = ldfi_dataplane::load::wall_now();
        std::thread::scope(|scope| {
            let clock = restart::Clock {
                start,
                tick: opts.tick,
                eot,
            };
            let capture = &files.capture;
            let plan = &plan;
            let restarter = scope.spawn(move || restart::apply(plan, targets, capture, clock));
            let answers = rt.block_on(drive::drive(
                &addr,
                workload,
                (start, opts.tick),
                &crashes,
                eot,
            ));
            let restarts = restarter.join();
            (answers, restarts)
        })
    };
    let answers = answers.map_err(RealError::Process)?;
    let restarts =
        restarts.map_err(|_| RealError::Process("the restarting thread panicked".into()))?;
    drop(rt);
    let prometheus = c.metrics();
    let mut processes = Vec::new();
    for svc in c.services.iter_mut() {
        for (life, child) in svc.past.iter_mut().enumerate() {
            processes.push(Process {
                name: svc.service.name().into(),
                pid: child.pid(),
                killed: !child.alive(),
                life: life as u32,
            });
        }
        processes.push(Process {
            name: svc.service.name().into(),
            pid: svc.child.pid(),
            killed: !svc.child.alive(),
            life: svc.past.len() as u32,
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
        life: 0,
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
        let killed = (processes.iter()).any(|p| p.name == k.node && p.killed);
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
    let kv = timed_lives(&restarts, &mut crashed, &data_dir, opts.tick);
    let info = crate::ForumGrpc::describe();
    let end = judge::end_state(&info.nodes, &answers, &calls, &crashed, kv.as_ref());
    let verdict = judge::verdict(&workload.invariants(), &end, &records, cfg.checks);
    Ok(RealRun {
        sim,
        rpc,
        verdict,
        applied,
        restarts,
        answers,
        by_rule: judge::by_rule(&records),
        records,
        counters: judge::counters(&prometheus),
        processes,
        calls: calls.len(),
        data_dir: data_dir.clone(),
    })
}

/// What the timed crashes and restarts left: a service whose last one was
/// a crash is `crashed` at its tick; `kv`'s last life, if it was
/// restarted (with the posts in its log at the end).
fn timed_lives(
    restarts: &[Restarted],
    crashed: &mut Vec<(String, Tick)>,
    data_dir: &std::path::Path,
    tick: Duration,
) -> Option<judge::KvLife> {
    let mut last: BTreeMap<&str, &Restarted> = BTreeMap::new();
    for r in restarts.iter().filter(|r| r.applied) {
        last.insert(&r.node, r);
    }
    for r in last.values().filter(|r| r.kind == TimedKind::Crash) {
        crashed.push((r.node.clone(), r.at));
    }
    let kv = last.get("kv").filter(|r| r.kind == TimedKind::Restart)?;
    use crate::services::store::{FileStore, Store};
    let log = FileStore::open(data_dir)
        .map(|s| s.load().into_keys().collect())
        .unwrap_or_default();
    Some(judge::KvLife {
        since: kv.at,
        log,
        tick,
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

impl RealRun {
    /// Faults that were not applied: by identity (never matched a call)
    /// and by the clock.
    pub fn unmatched(&self) -> usize {
        let by_identity = self.applied.iter().filter(|a| !a.applied).count();
        by_identity + self.restarts.iter().filter(|r| !r.applied).count()
    }
}

/// The tick lengths the real run uses, for its output: (frontend's
/// upstream timeout, a client's timeout).
pub fn timeouts(tick: Duration) -> (Duration, Duration) {
    (tick * UPSTREAM_TIMEOUT, tick * CLIENT_TIMEOUT)
}
