//! A schedule's crashes and restarts of a node it restarts, on real
//! processes, by the wall clock ([`crate::identity::timed`]).
//!
//! **When.** A fault at tick `t` whose node had received `n` requests
//! before `t` in the simulated run, the last at tick `s`, is applied after
//! the node's `n`-th request was first seen in the proxy's capture (read
//! every [`POLL`]; the identity of kills, by request count) — `t − s`
//! ticks after it, as in the run — and no later than the start of tick
//! `t`, `(t − 1) × tick` after the workload's tick 1 began (the pacing of
//! the workload's inputs, [`super::drive`]), unless that request comes
//! later still (then at once). When a workload input came between `s`
//! and `t` in the run (or `n` is 0), the fault keeps its place among the
//! inputs instead: at tick `t`'s start. A request not seen [`UNSEEN`]
//! ticks after tick `t`'s start will not be: the fault is applied then.
//! Anchoring on the node's own
//! requests matters because an RPC hop takes a tick in simulation and
//! well under a millisecond here: a `stale-read` kv persists a post
//! [`crate::sim::WRITE_BEHIND`] ticks after its `Insert` on both, so the
//! crash must keep its distance from that `Insert`, not from tick 1.
//!
//! - `crash(n, t)`: `n`'s process is killed (`SIGKILL`, reaped) if it runs.
//! - `restart(n, t)`: the same, then `n` starts again with the same
//!   arguments — `kv` with the same `--data-dir`, so it recovers what it
//!   had persisted — on the port its first life got from the OS, and the
//!   run goes on once it has announced itself (the dataplane's handshake,
//!   sent once it listens). The proxy's upstream address for `n` stays
//!   valid, so the proxy needs no telling: its HTTP/2 client drops the
//!   dead connection and connects again on the next call. (Rebinding the
//!   port works because tokio's listeners set `SO_REUSEADDR`, so the
//!   killed life's connections in `TIME_WAIT` are no obstacle; the port
//!   could only be lost to another socket bound in between, which is then
//!   said: the restart is reported not applied.)
//!
//! Between a crash and its restart, calls to `n` are refused by the
//! kernel and the proxy answers them `UNAVAILABLE` at once, where the
//! simulation loses them (the caller times out); neither serves them.

use super::cluster::Svc;
use super::judge;
use crate::identity::{Timed, TimedKind};
use ldfi_harness::Tick;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// How often the proxy's capture is read while a fault waits for its
/// node's request.
pub const POLL: Duration = Duration::from_millis(2);

/// How many ticks after its tick's start a fault waits for its node's
/// request before it is applied all the same: the frontend's deadline for
/// `auth` and `kv` ([`crate::sim::UPSTREAM_TIMEOUT`]), after which a call
/// still unseen was given up by its caller (the proxy writes no record of
/// a call cancelled before it was answered) or never made (the real run
/// went another way).
pub const UNSEEN: Tick = crate::sim::UPSTREAM_TIMEOUT;

/// What became of one crash or restart.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Restarted {
    /// The fault (`restart(kv, 8)`).
    pub fault: String,
    /// The node.
    pub node: String,
    /// Its tick.
    pub at: Tick,
    /// `crash` or `restart`.
    pub kind: TimedKind,
    /// When it was due, ms after tick 1 began.
    pub due_ms: u64,
    /// The start of its tick, ms after tick 1 began (the latest it is due).
    pub tick_ms: u64,
    /// When its node's last request before it ended at the proxy, ms
    /// after tick 1 began (none: it had none, or it had not come by the
    /// fault's tick).
    pub anchor_ms: Option<u64>,
    /// Whether it was applied.
    pub applied: bool,
    /// The pid it killed, if the node was running.
    pub killed_pid: Option<u32>,
    /// When that process was dead and reaped, ms after tick 1 began.
    pub killed_ms: Option<u64>,
    /// A restart: the new process's pid.
    pub pid: Option<u32>,
    /// A restart: when the new process announced itself, ms after tick 1.
    pub ready_ms: Option<u64>,
    /// A restart: the port it serves on (its first life's).
    pub port: Option<u16>,
    /// What happened, in words.
    pub what: String,
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// What the proxy's capture has said so far: when each node's requests
/// (those it served) were first seen, after tick 1 began.
struct Seen<'a> {
    capture: &'a Path,
    /// Bytes of the capture read (whole lines).
    read: usize,
    at: BTreeMap<String, Vec<Duration>>,
}

impl Seen<'_> {
    /// Reads the lines appended since the last look; `now`: when.
    fn look(&mut self, now: Duration) {
        let Ok(text) = std::fs::read(self.capture) else {
            return;
        };
        let Some(new) = text.get(self.read..) else {
            return;
        };
        // Whole lines only: the proxy may be writing the last one.
        let whole = new.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        self.read += whole;
        for c in judge::calls(&String::from_utf8_lossy(&new[..whole])) {
            if judge::served(&c) {
                self.at.entry(c.callee).or_default().push(now);
            }
        }
    }

    /// When `node`'s `n`-th request (from 1) was first seen.
    fn nth(&self, node: &str, n: u32) -> Option<Duration> {
        let i = (n as usize).checked_sub(1)?;
        self.at.get(node).and_then(|v| v.get(i)).copied()
    }
}

/// The run's clock: when tick 1 began, one tick, the last tick.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// When tick 1 began.
    pub start: Instant,
    /// One tick.
    pub tick: Duration,
    /// EOT.
    pub eot: Tick,
}

/// When `t` is due (see the module's doc), once its anchor has come, or
/// [`UNSEEN`] after its tick's start if it has not by `now`; and the
/// anchor.
fn due(
    t: &Timed,
    seen: &Seen,
    tick: Duration,
    now: Duration,
) -> Option<(Duration, Option<Duration>)> {
    let latest = tick * t.at.saturating_sub(1);
    if t.after == 0 {
        return Some((latest, None));
    }
    let Some(a) = seen.nth(&t.node, t.after) else {
        let give_up = latest + tick * UNSEEN;
        return (now >= give_up).then_some((give_up, None));
    };
    let target = if t.input > t.since {
        latest
    } else {
        a + tick * t.at.saturating_sub(t.since)
    };
    Some((a.max(target.min(latest)), Some(a)))
}

/// Applies `plan` to `svcs` (the nodes it names), each fault when due (see
/// the module's doc), the nodes' requests read from the proxy's
/// `capture`; faults after EOT are not applied. Blocks until the last one
/// is done.
pub fn apply(
    plan: &[Timed],
    mut svcs: Vec<&mut Svc>,
    capture: &Path,
    clock: Clock,
) -> Vec<Restarted> {
    let Clock { start, tick, eot } = clock;
    let mut seen = Seen {
        capture,
        read: 0,
        at: BTreeMap::new(),
    };
    let mut out = Vec::new();
    let mut next = plan.iter().peekable();
    while let Some(t) = next.peek().copied() {
        seen.look(start.elapsed());
        let svc = (svcs.iter_mut()).find(|s| s.service.name() == t.node && t.at <= eot);
        let Some(svc) = svc else {
            let why = if t.at > eot {
                format!("not applied: tick {} is after EOT ({eot})", t.at)
            } else {
                format!("not applied: `{}` is not a service of this run", t.node)
            };
            out.push(record(t, tick, None, why));
            next.next();
            continue;
        };
        let now = start.elapsed();
        let Some((when, anchor)) = due(t, &seen, tick, now) else {
            std::thread::sleep(POLL);
            continue;
        };
        if now < when {
            std::thread::sleep(POLL.min(when - now));
            continue;
        }
        next.next();
        let mut r = record(t, tick, anchor, String::new());
        r.due_ms = ms(when);
        out.push(strike(t, svc, r, start));
    }
    out
}

/// A record of `t`, not applied yet, due at its tick's start.
fn record(t: &Timed, tick: Duration, anchor: Option<Duration>, what: String) -> Restarted {
    let latest = ms(tick * t.at.saturating_sub(1));
    Restarted {
        fault: t.to_string(),
        node: t.node.clone(),
        at: t.at,
        kind: t.kind,
        due_ms: latest,
        tick_ms: latest,
        anchor_ms: anchor.map(ms),
        applied: false,
        killed_pid: None,
        killed_ms: None,
        pid: None,
        ready_ms: None,
        port: None,
        what,
    }
}

/// Applies `t` to `svc` now; `r` says what became of it.
fn strike(t: &Timed, svc: &mut Svc, mut r: Restarted, start: Instant) -> Restarted {
    let when = match r.anchor_ms {
        None if t.after > 0 => format!(
            "due at {} ms: its request #{} had not been seen {UNSEEN} ticks after tick {}'s start",
            r.due_ms, t.after, t.at
        ),
        None => format!("due at {} ms, the start of tick {}", r.due_ms, t.at),
        Some(a) if t.input > t.since => format!(
            "due at {} ms, the start of tick {} (after the input of tick {}), its request #{} seen at {a} ms",
            r.due_ms, t.at, t.input, t.after
        ),
        Some(a) => format!(
            "due at {} ms: {} tick(s) after its request #{} (tick {} in simulation) was seen at {a} ms, by tick {}'s start ({} ms) unless later",
            r.due_ms,
            t.at - t.since,
            t.after,
            t.since,
            t.at,
            r.tick_ms
        ),
    };
    r.killed_pid = svc.kill();
    if r.killed_pid.is_some() {
        r.killed_ms = Some(ms(start.elapsed()));
    }
    let killed = match (r.killed_pid, r.killed_ms) {
        (Some(pid), Some(at)) => format!("pid {pid} killed at {at} ms"),
        _ => "it was down".to_string(),
    };
    match t.kind {
        TimedKind::Crash => {
            r.applied = true;
            r.what = format!("{killed} ({when})");
        }
        TimedKind::Restart => match svc.relaunch() {
            Ok(()) => {
                r.applied = true;
                r.pid = Some(svc.child.pid());
                r.port = svc.port();
                r.ready_ms = Some(ms(start.elapsed()));
                r.what = format!(
                    "{killed}; pid {} serving on port {} since {} ms ({when})",
                    svc.child.pid(),
                    r.port.unwrap_or(0),
                    r.ready_ms.unwrap_or(0),
                );
            }
            Err(e) => r.what = format!("{killed}; NOT started again: {e}"),
        },
    }
    r
}
