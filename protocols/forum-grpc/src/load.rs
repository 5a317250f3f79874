//! A load generator that speaks the frontend's API: `clients` clients at
//! once, each logging in, posting `posts` times, asking to edit its post
//! and reading the topic. Latency is wall-clock time on a real process
//! (outside any simulated run).

use crate::client::ForumClient;
use crate::observe::CallCtx;
use ldfi_protocols::web_forum::clients::password;
use serde::Serialize;
// The real dataplane's one wall clock, for timing from outside runs: this
// load runs against real processes only, never inside a simulated run.
use ldfi_dataplane::load::wall_now as now;
use std::time::Duration;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct LoadConfig {
    /// Clients calling at once.
    pub clients: u32,
    /// Posts per client.
    pub posts: u32,
}

/// What the load saw.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct LoadReport {
    /// Calls made.
    pub calls: u64,
    /// Calls answered (any answer).
    pub answered: u64,
    /// Calls that failed (a status instead of an answer).
    pub failed: u64,
    /// Logins refused, posts refused, edits accepted (posts are
    /// immutable: a correct forum accepts none).
    pub logins_refused: u64,
    /// Posts the frontend refused.
    pub posts_refused: u64,
    /// Edits the frontend accepted.
    pub edits_accepted: u64,
    /// Median call latency, microseconds.
    pub p50_us: u64,
    /// 99th percentile call latency, microseconds.
    pub p99_us: u64,
    /// Calls per second over the whole load.
    pub calls_per_sec: f64,
}

#[derive(Default)]
struct Tally {
    lat: Vec<Duration>,
    failed: u64,
    logins_refused: u64,
    posts_refused: u64,
    edits_accepted: u64,
}

async fn one_client(client: ForumClient, name: String, posts: u32) -> Tally {
    let mut t = Tally::default();
    let call = CallCtx::default();
    let start = now();
    match client.login(&call, &name, &password(&name)).await {
        Ok(r) => t.logins_refused += u64::from(!r.ok),
        Err(_) => t.failed += 1,
    }
    t.lat.push(start.elapsed());
    for i in 0..posts {
        let start = now();
        match client
            .post(&call, &name, "load", &format!("post {i} by {name}"))
            .await
        {
            Ok(r) => t.posts_refused += u64::from(!r.ok),
            Err(_) => t.failed += 1,
        }
        t.lat.push(start.elapsed());
    }
    let start = now();
    match client.edit(&call, &name, "load", "edited").await {
        Ok(r) => t.edits_accepted += u64::from(r.ok),
        Err(_) => t.failed += 1,
    }
    t.lat.push(start.elapsed());
    let start = now();
    if client.read(&call, &name, "load").await.is_err() {
        t.failed += 1;
    }
    t.lat.push(start.elapsed());
    t
}

/// Runs the load against `client`'s frontend.
pub async fn run(client: ForumClient, cfg: LoadConfig) -> LoadReport {
    let start = now();
    let tasks: Vec<_> = (0..cfg.clients)
        .map(|i| tokio::spawn(one_client(client.clone(), format!("load{i}"), cfg.posts)))
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        if let Ok(t) = task.await {
            all.lat.extend(t.lat);
            all.failed += t.failed;
            all.logins_refused += t.logins_refused;
            all.posts_refused += t.posts_refused;
            all.edits_accepted += t.edits_accepted;
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    all.lat.sort();
    let pct = |p: f64| -> u64 {
        if all.lat.is_empty() {
            return 0;
        }
        let i = ((all.lat.len() as f64 - 1.0) * p).round() as usize;
        all.lat[i].as_micros() as u64
    };
    let calls = u64::from(cfg.clients) * (u64::from(cfg.posts) + 3);
    LoadReport {
        calls,
        answered: calls - all.failed,
        failed: all.failed,
        logins_refused: all.logins_refused,
        posts_refused: all.posts_refused,
        edits_accepted: all.edits_accepted,
        p50_us: pct(0.5),
        p99_us: pct(0.99),
        calls_per_sec: calls as f64 / secs,
    }
}
