//! The conductor: runs a schedule on real processes in lockstep.
//!
//! Every tick it asks each node's sidecar to run the node's tick (all at
//! once: within a tick nodes are independent, as in simulation, where what
//! one sends arrives a tick later). A tick ends when every node has handled
//! it and every envelope it sent is held at its receiver's sidecar or lost.
//! The events come back per node and are laid out as the simulator lays
//! them out — by tick, then by node — so the trace hashes the same.
//! Crashes (`stop` semantics) kill the node's process before its tick;
//! the conductor then records the crash and what was due for it as lost,
//! as the simulator's world does. A restart relaunches the process and
//! hands it the harness-side state its node had (its step counter, facts
//! held and RNG position).

pub mod args;
pub mod cluster;
mod compare;
pub mod free;

use crate::capture;
use crate::envelope::id;
use crate::error::DataplaneError;
use crate::identity::ChannelFault;
use cluster::Cluster;
use ldfi_harness::inputs::EncodedInput;
use ldfi_harness::remote::{lost_while_down, Assembled, Snapshot};
use ldfi_harness::{CrashMode, Fault, RunConfig};
use ldfi_lineage::{Event, NodeIdx, Tick};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use compare::first_difference;
pub use free::{conduct_free, FreeRun};

/// How to conduct a run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The `ldfi` binary every child runs.
    pub exe: PathBuf,
    /// `observe` (forward violating messages, as simulation does: the
    /// conformance mode) or `refuse`.
    pub enforce: String,
    /// Where the sidecars append their violation records (JSONL).
    pub violations: Option<PathBuf>,
    /// Kill this node's sidecar before this tick (a fault of the dataplane
    /// itself, to see it fail closed).
    pub kill_sidecar: Option<(String, Tick)>,
    /// Record the run's traffic (JSON lines, see [`crate::capture`]).
    pub capture: bool,
    /// The run's workload inputs, encoded (input `i` is `workload[i]`):
    /// what a capture records of each.
    pub workload: Vec<EncodedInput>,
}

/// A run conducted on real processes.
#[derive(Debug)]
pub struct Conducted {
    /// Its trace, end state and delivered messages, for the verdict.
    pub assembled: Assembled,
    /// Per sidecar, in node order: its counters (Prometheus text).
    pub prometheus: Vec<String>,
    /// Every sidecar's violation records (JSONL lines), in node order.
    pub violations: Vec<String>,
    /// Processes started (relaunches included).
    pub processes: usize,
    /// The pid of every process started (all killed and reaped by now).
    pub pids: Vec<u32>,
    /// Wall time of the ticks (process start-up excluded), for benchmarks.
    pub ticks_wall: std::time::Duration,
    /// The capture (JSON lines), if [`Options::capture`].
    pub capture: Vec<String>,
    /// Every envelope a fault by channel identity hit, sidecar by sidecar.
    pub hits: Vec<crate::proto::FaultHit>,
}

/// Runs `cfg` of `protocol` (whose nodes are `names`) on real processes.
pub fn conduct(
    protocol: &str,
    names: &[String],
    cfg: &RunConfig,
    opts: &Options,
) -> Result<Conducted, DataplaneError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| DataplaneError::Io {
            what: "start the tokio runtime".into(),
            source,
        })?;
    rt.block_on(conduct_async(protocol, names, cfg, opts))
}

/// The ticks at which nodes crash and restart, by node index.
fn crash_plan(
    names: &[String],
    cfg: &RunConfig,
) -> (BTreeMap<usize, Tick>, BTreeMap<(usize, Tick), ()>) {
    let index = |n: &str| names.iter().position(|m| m == n);
    let (mut crash, mut restart) = (BTreeMap::new(), BTreeMap::new());
    for f in cfg.faults.faults() {
        match f {
            Fault::Crash { node, at } => {
                if let Some(i) = index(node) {
                    crash.insert(i, *at);
                }
            }
            Fault::Restart { node, at } => {
                if let Some(i) = index(node) {
                    restart.insert((i, *at), ());
                }
            }
            _ => {}
        }
    }
    (crash, restart)
}

async fn conduct_async(
    protocol: &str,
    names: &[String],
    cfg: &RunConfig,
    opts: &Options,
) -> Result<Conducted, DataplaneError> {
    let (mut cluster, _inputs_file) = start(protocol, names, cfg, opts, &[]).await?;
    let (crash, restart) = crash_plan(names, cfg);
    let n = names.len();
    let mut snapshots: Vec<Snapshot> = vec![Snapshot::default(); n];
    let mut resume: Vec<Vec<u8>> = vec![Vec::new(); n];
    let mut acc = Assembled::default();
    let started = crate::load::wall_now();
    let mut captured = Vec::new();
    for t in 1..=cfg.params.eot {
        let mut crashed_now = vec![false; n];
        for i in 0..n {
            if restart.contains_key(&(i, t)) {
                cluster.relaunch_node(i)?;
                resume[i] = serde_json::to_vec(&snapshots[i]).expect("snapshots serialize");
            } else if crash.get(&i) == Some(&t) && cfg.crash == CrashMode::Stop {
                cluster.kill_node(i);
                crashed_now[i] = true;
            }
        }
        if let Some((name, at)) = &opts.kill_sidecar {
            if *at == t {
                if let Some(i) = names.iter().position(|m| m == name) {
                    cluster.kill_sidecar(i);
                }
            }
        }
        let t_us = started.elapsed().as_micros();
        let replies = cluster.tick(t, &mut resume).await?;
        let first = acc.trace.events.len();
        let mut delivered = Vec::new();
        for (i, reply) in replies.into_iter().enumerate() {
            if opts.capture {
                delivered.extend(reply.delivered.iter().map(capture_of));
            }
            let node = (i as NodeIdx, names[i].as_str());
            absorb(&mut acc, &mut snapshots[i], node, t, crashed_now[i], reply)?;
        }
        if opts.capture {
            let tick_events = &acc.trace.events[first..];
            captured.extend(capture::tick_lines(
                names,
                t,
                Some(t_us),
                tick_events,
                &opts.workload,
                &delivered,
            ));
        }
    }
    let ticks_wall = started.elapsed();
    if opts.capture {
        captured.insert(0, capture::header(protocol, cfg, names));
    }
    let mut c = finish(cluster, acc, &snapshots, names, cfg).await?;
    c.ticks_wall = ticks_wall;
    c.capture = captured;
    Ok(c)
}

/// Starts the cluster of run `cfg` (with its explicit inputs in a file
/// that lives as long as the returned guard), its sidecars applying
/// `channel_faults` too.
async fn start(
    protocol: &str,
    names: &[String],
    cfg: &RunConfig,
    opts: &Options,
    channel_faults: &[ChannelFault],
) -> Result<(Cluster, args::InputsFile), DataplaneError> {
    let inputs_file = args::InputsFile::write(cfg)?;
    let run = args::run_flags(protocol, cfg, inputs_file.path());
    let cluster = Cluster::start(
        &opts.exe,
        run,
        names,
        &opts.enforce,
        opts.violations.as_deref(),
        channel_faults,
    )
    .await?;
    Ok((cluster, inputs_file))
}

/// Ends a run: the sidecars' counters and violations, every process
/// stopped, the assembled run completed with what each node holds
/// (`ticks_wall` and `capture` left for the caller).
async fn finish(
    mut cluster: Cluster,
    mut acc: Assembled,
    snapshots: &[Snapshot],
    names: &[String],
    cfg: &RunConfig,
) -> Result<Conducted, DataplaneError> {
    let stats = cluster.stats().await?;
    let (processes, pids) = (cluster.started, cluster.pids.clone());
    drop(cluster);
    acc.held = (snapshots.iter())
        .map(|s| s.held.iter().map(|(f, _)| f.clone()).collect())
        .collect();
    acc.trace.nodes = names.to_vec();
    acc.trace.eot = cfg.params.eot;
    Ok(Conducted {
        assembled: acc,
        prometheus: stats.iter().map(|s| s.prometheus.clone()).collect(),
        violations: (stats.iter())
            .flat_map(|s| s.violations.lines().map(str::to_string))
            .collect(),
        hits: stats.into_iter().flat_map(|s| s.hits).collect(),
        processes,
        pids,
        ticks_wall: std::time::Duration::ZERO,
        capture: Vec::new(),
    })
}

/// A delivered envelope as a capture records it.
pub(crate) fn capture_of(e: &crate::proto::Envelope) -> capture::Delivered {
    capture::Delivered {
        from: e.from,
        to: e.to,
        sent: e.sent,
        seq: e.seq,
        k: Some(e.channel_seq),
        copy: e.copy,
        kind: e.kind.clone(),
        body: e.body.clone(),
    }
}

/// Adds node `node`'s reply for tick `t` to the run being assembled: its
/// events (or, for a node that is down, its crash and what was due for it,
/// as the simulator's world records them), its state, the bodies it got.
fn absorb(
    acc: &mut Assembled,
    snapshot: &mut Snapshot,
    (i, name): (NodeIdx, &str),
    t: Tick,
    crashed_now: bool,
    reply: crate::proto::TickReply,
) -> Result<(), DataplaneError> {
    let bad = |why: String| DataplaneError::Reply {
        process: format!("node {name}"),
        why,
    };
    for env in &reply.delivered {
        acc.bodies.insert(id(env), env.body.clone());
    }
    match reply.step {
        Some(step) => {
            let evs: Vec<Event> =
                serde_json::from_slice(&step.events).map_err(|e| bad(format!("events: {e}")))?;
            *snapshot = serde_json::from_slice(&step.snapshot)
                .map_err(|e| bad(format!("snapshot: {e}")))?;
            acc.trace.events.extend(evs);
        }
        None => {
            if crashed_now {
                acc.trace.events.push(Event::Crash { node: i, at: t });
            }
            let due = reply.lost_down.iter().map(id);
            acc.trace.events.extend(lost_while_down(i, due));
        }
    }
    Ok(())
}
