//! Free-running: ticks paced by the wall clock instead of lockstep.
//!
//! Tick `t` of every node is started at `(t − 1) × tick` after the first,
//! whatever the other nodes are doing: there is no barrier between ticks.
//! A node's own ticks stay in order (its tick `t` waits for its tick
//! `t − 1`), so a node that overruns its tick starts the next one late
//! (counted in [`FreeRun::late_ticks`]), and what it sends arrives after
//! its receivers have moved on: delivered at their next tick, as on a real
//! network. Message faults are addressed by channel identity — the k-th
//! envelope on channel a→b, as the receiver's sidecar counts them
//! ([`crate::identity`]) — so they hit the same envelopes whatever the
//! pacing, and each sidecar reports what they hit; a crash kills the
//! node's process before its first tick at or after the crash's time (the
//! run's `Crash` faults, at those ticks), and a restart relaunches it.
//!
//! The wall clock decides when things happen, so a free-running run is not
//! deterministic and its trace hash is not comparable with the simulated
//! run's; its verdict is (and is equal whenever no tick overran).

use super::{absorb, capture_of, crash_plan, Conducted, Options};
use crate::capture;
use crate::error::DataplaneError;
use crate::identity::ChannelFault;
use crate::proto::TickReply;
use ldfi_harness::remote::{Assembled, Snapshot};
use ldfi_harness::{CrashMode, RunConfig};
use ldfi_lineage::{NodeIdx, Tick};
use std::time::Duration;
use tokio::task::JoinHandle;

/// What a free-running run adds to a conducted one.
#[derive(Clone, Copy, Debug)]
pub struct FreeRun {
    /// The wall-clock length of a tick.
    pub tick: Duration,
    /// Node ticks that ended after the next tick's time: what they sent
    /// may have reached its receivers a tick late.
    pub overruns: usize,
    /// Envelopes held for delivery at their receiver's sidecar that came
    /// after the receiver's last tick (their sender ran late): never
    /// delivered, and not in the trace.
    pub stranded: usize,
}

/// One node tick's outcome.
#[derive(Clone)]
struct Outcome {
    /// The tick.
    t: Tick,
    /// The node crashed just before it.
    crashed_now: bool,
    /// It ended after the next tick's time.
    overran: bool,
    /// When it started (µs after the first tick).
    start_us: u128,
    /// The sidecar's reply.
    reply: Result<TickReply, tonic::Status>,
}

/// Runs `cfg` of `protocol` (nodes `names`) on real processes, free-running
/// with ticks of `tick` wall-clock time, the sidecars applying
/// `channel_faults` (with `cfg`'s own message faults, if it has any).
pub fn conduct_free(
    protocol: &str,
    names: &[String],
    cfg: &RunConfig,
    opts: &Options,
    tick: Duration,
    channel_faults: &[ChannelFault],
) -> Result<(Conducted, FreeRun), DataplaneError> {
    let run = run(protocol, names, cfg, opts, tick, channel_faults);
    crate::node::runtime()?.block_on(run)
}

async fn settle(chain: Option<JoinHandle<Vec<Outcome>>>) -> Vec<Outcome> {
    match chain {
        Some(h) => h.await.expect("a tick task does not panic"),
        None => Vec::new(),
    }
}

/// The harness-side state node `i` last reported (for its restart).
fn last_snapshot(done: &[Outcome]) -> Result<Snapshot, DataplaneError> {
    let last = done.iter().rev().find_map(|o| {
        o.reply
            .as_ref()
            .ok()
            .and_then(|reply| reply.step.as_ref())
            .map(|s| s.snapshot.clone())
    });
    match last {
        None => Ok(Snapshot::default()),
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| DataplaneError::Reply {
            process: "node".into(),
            why: format!("snapshot: {e}"),
        }),
    }
}

async fn run(
    protocol: &str,
    names: &[String],
    cfg: &RunConfig,
    opts: &Options,
    tick: Duration,
    channel_faults: &[ChannelFault],
) -> Result<(Conducted, FreeRun), DataplaneError> {
    let (mut cluster, _inputs_file) =
        super::start(protocol, names, cfg, opts, channel_faults).await?;
    let (crash, restart) = crash_plan(names, cfg);
    let n = names.len();
    let mut chains: Vec<Option<JoinHandle<Vec<Outcome>>>> = (0..n).map(|_| None).collect();
    let mut done: Vec<Vec<Outcome>> = vec![Vec::new(); n];
    // The wall clock paces a free-running run: that is what it is for.
    let started = crate::load::wall_now();
    let t0 = tokio::time::Instant::from_std(started);
    for t in 1..=cfg.params.eot {
        let due = t0 + tick * (t - 1);
        tokio::time::sleep_until(due).await;
        for i in 0..n {
            let restart_now = restart.contains_key(&(i, t));
            let crash_now = crash.get(&i) == Some(&t) && cfg.crash == CrashMode::Stop;
            let mut resume = Vec::new();
            if restart_now || crash_now {
                // A node's process is killed or relaunched between its ticks.
                done[i].extend(settle(chains[i].take()).await);
                if restart_now {
                    let snapshot = last_snapshot(&done[i])?;
                    cluster.relaunch_node(i)?;
                    resume = serde_json::to_vec(&snapshot).expect("snapshots serialize");
                } else {
                    cluster.kill_node(i);
                }
            }
            let req = cluster.tick_request(i, t, resume);
            let mut client = cluster.client(i);
            let prev = chains[i].take();
            chains[i] = Some(tokio::spawn(async move {
                let mut out = settle(prev).await;
                let start_us = (tokio::time::Instant::now() - t0).as_micros();
                let reply = client.tick(req).await.map(tonic::Response::into_inner);
                let overran = tokio::time::Instant::now() > due + tick;
                out.push(Outcome {
                    t,
                    crashed_now: crash_now,
                    overran,
                    start_us,
                    reply,
                });
                out
            }));
        }
    }
    for i in 0..n {
        done[i].extend(settle(chains[i].take()).await);
    }
    let ticks_wall = started.elapsed();
    // What is still held: arrived after its receiver's last tick.
    let mut stranded = 0;
    for i in 0..n {
        let mut req = cluster.tick_request(i, cfg.params.eot, Vec::new());
        req.up = false;
        match cluster.client(i).tick(req).await {
            Ok(r) => stranded += r.into_inner().lost_down.len(),
            Err(status) => return Err(cluster.blame(i, &status)),
        }
    }
    // Laid out by tick, then node, as in lockstep.
    let mut acc = Assembled::default();
    let mut snapshots: Vec<Snapshot> = vec![Snapshot::default(); n];
    let mut overruns = 0;
    let mut captured = Vec::new();
    let mut outcomes: Vec<_> = done.into_iter().map(Vec::into_iter).collect();
    for _ in 1..=cfg.params.eot {
        for i in 0..n {
            let Some(o) = outcomes[i].next() else {
                continue;
            };
            overruns += usize::from(o.overran);
            let reply = o.reply.map_err(|status| cluster.blame(i, &status))?;
            let delivered: Vec<_> = if opts.capture {
                reply.delivered.iter().map(capture_of).collect()
            } else {
                Vec::new()
            };
            let first = acc.trace.events.len();
            let node = (i as NodeIdx, names[i].as_str());
            absorb(&mut acc, &mut snapshots[i], node, o.t, o.crashed_now, reply)?;
            if opts.capture {
                captured.extend(capture::tick_lines(
                    names,
                    o.t,
                    Some(o.start_us),
                    &acc.trace.events[first..],
                    &opts.workload,
                    &delivered,
                ));
            }
        }
    }
    if opts.capture {
        captured.insert(0, capture::header(protocol, cfg, names));
    }
    let mut conducted = super::finish(cluster, acc, &snapshots, names, cfg).await?;
    conducted.ticks_wall = ticks_wall;
    conducted.capture = captured;
    Ok((
        conducted,
        FreeRun {
            tick,
            overruns,
            stranded,
        },
    ))
}
