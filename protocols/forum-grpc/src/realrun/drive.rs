//! The schedule's workload on real processes: each input through the
//! client library at its tick's wall-clock time (`(tick − 1) × tick`),
//! every client on its own connection, each input its own task (as in
//! simulation: a post reaches the frontend while its author's login is
//! outstanding). A client the schedule crashes sends nothing from its
//! crash tick on, and what reaches it from then on is not heard.

use crate::chan::Timing;
use crate::client::ForumClient;
use crate::observe::CallCtx;
use crate::sim::workload::{Input, Op, Workload};
use crate::sim::CLIENT_TIMEOUT;
use ldfi_harness::Tick;
use ldfi_protocols::web_forum::clients::TOPIC;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What one workload input got.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Answer {
    /// The input's number (the workload's order).
    pub input: u32,
    /// The client.
    pub client: String,
    /// The frontend method called.
    pub method: String,
    /// The tick it was due at.
    pub at: Tick,
    /// Whether it was sent (not if its client had crashed).
    pub sent: bool,
    /// The tick it was sent in (wall clock over the tick; its due tick
    /// unless the machine was late), if sent.
    pub sent_at: Option<Tick>,
    /// The tick its answer came in (wall clock over the tick), if any.
    pub answered: Option<Tick>,
    /// The gRPC status code (0: answered).
    pub status: u32,
    /// The status message, or the answer's `ok`/`key` in words.
    pub message: String,
    /// The answer's `ok`, if answered.
    pub ok: Option<bool>,
    /// A post's key, if accepted.
    pub key: Option<String>,
    /// A Read's answer: the posts it returned, by key.
    pub keys: Vec<String>,
    /// Whether the answer came after its client crashed (not heard).
    pub after_crash: bool,
}

/// The tick wall-clock offset `d` falls in (from 1).
fn tick_of(d: Duration, tick: Duration) -> Tick {
    1 + (d.as_micros() / tick.as_micros().max(1)) as Tick
}

/// The run's wall clock: when tick 1 began, and a tick's length.
#[derive(Clone, Copy)]
struct Clock {
    start: Instant,
    tick: Duration,
}

async fn one(
    client: ForumClient,
    input: u32,
    i: Input,
    clock: Clock,
    crash: Option<Tick>,
) -> Answer {
    let Input { at, node, op } = i;
    let Clock { start, tick } = clock;
    let due = tick * at.saturating_sub(1);
    tokio::time::sleep(due.saturating_sub(start.elapsed())).await;
    let method = match &op {
        Op::Login(_) => "Login",
        Op::Post(_) => "Post",
        Op::Edit(_) => "Edit",
        Op::Read => "Read",
    };
    let mut a = Answer {
        input,
        client: node.into(),
        method: method.into(),
        at,
        sent: false,
        sent_at: None,
        answered: None,
        status: 0,
        message: String::new(),
        ok: None,
        key: None,
        keys: Vec::new(),
        after_crash: false,
    };
    if crash.is_some_and(|c| c <= at) {
        a.message = "not sent: its client had crashed".into();
        return a;
    }
    a.sent = true;
    a.sent_at = Some(tick_of(start.elapsed(), tick));
    let call = CallCtx::default();
    let answer: Result<(bool, Option<String>), tonic::Status> = match &op {
        Op::Login(cred) => client.login(&call, node, cred).await.map(|r| (r.ok, None)),
        Op::Post(text) => client
            .post(&call, node, TOPIC, text)
            .await
            .map(|r| (r.ok, Some(r.key).filter(|k| r.ok && !k.is_empty()))),
        Op::Edit(text) => client
            .edit(&call, node, TOPIC, text)
            .await
            .map(|r| (r.ok, None)),
        Op::Read => client.read(&call, node, TOPIC).await.map(|r| {
            a.keys = r.keys;
            (true, None)
        }),
    };
    let when = tick_of(start.elapsed(), tick);
    a.after_crash = crash.is_some_and(|c| c <= when);
    match answer {
        Ok((ok, key)) => {
            a.answered = Some(when);
            a.ok = Some(ok);
            a.message = match &key {
                Some(k) => format!("ok, key {k}"),
                None if method == "Read" => format!("posts [{}]", a.keys.join(", ")),
                None if ok => "ok".into(),
                None => "refused (ok = false)".into(),
            };
            a.key = key;
        }
        Err(s) => {
            a.status = s.code() as u32;
            a.message = format!("{:?}: {}", s.code(), s.message());
        }
    }
    a
}

/// Runs `workload` against the frontend behind `addr`, ticks of `tick`
/// from `start` (tick 1's beginning), clients crashing at the ticks of
/// `crashes`; returns when every input is answered (or gave up) and `eot`
/// ticks have passed.
pub async fn drive(
    addr: &str,
    workload: Workload,
    clock: (Instant, Duration),
    crashes: &BTreeMap<String, Tick>,
    eot: Tick,
) -> Result<Vec<Answer>, String> {
    let (start, tick) = clock;
    let timing = Timing {
        rpc_timeout: tick * CLIENT_TIMEOUT,
    };
    let mut clients: BTreeMap<&str, ForumClient> = BTreeMap::new();
    let inputs = workload.inputs();
    for i in &inputs {
        if !clients.contains_key(i.node) {
            clients.insert(i.node, ForumClient::connect_with(addr, timing)?);
        }
    }
    let clock = Clock { start, tick };
    let tasks: Vec<_> = inputs
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let c = clients[i.node].clone();
            let crash = crashes.get(i.node).copied();
            tokio::spawn(one(c, n as u32, i, clock, crash))
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(
            t.await
                .map_err(|e| format!("a workload task failed: {e}"))?,
        );
    }
    let end = tick * eot;
    tokio::time::sleep(end.saturating_sub(start.elapsed())).await;
    Ok(out)
}
