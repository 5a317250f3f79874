//! A load generator for the sidecar benchmark: sends envelopes to a
//! sidecar's `Forward` from this process, `concurrency` calls in flight,
//! and times each call. Timing is outside any run (the wall clock is
//! allowed here, as in the CLI's timings).

use crate::error::DataplaneError;
use crate::proto::sidecar_client::SidecarClient;
use crate::proto::{Batch, Envelope};
use crate::sidecar::stream::BatchStream;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a load run measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoadReport {
    /// Envelopes sent.
    pub count: usize,
    /// Calls that failed.
    pub errors: usize,
    /// Wall time of the whole run, seconds.
    pub seconds: f64,
    /// Envelopes per second.
    pub per_second: f64,
    /// Median call latency, microseconds.
    pub p50_us: f64,
    /// 99th percentile call latency, microseconds.
    pub p99_us: f64,
    /// Envelopes per call.
    #[serde(default = "one")]
    pub batch: usize,
}

fn one() -> usize {
    1
}

/// The wall clock, for timing from outside runs.
#[allow(clippy::disallowed_methods)]
pub fn wall_now() -> Instant {
    Instant::now()
}

/// How the load reaches the sidecar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One unary call per envelope (`batch` 1: `Forward`) or per batch
    /// (`ForwardBatch`).
    Unary,
    /// One long-lived `ForwardStream` (a node's hot path): batches of
    /// `batch` envelopes, `concurrency` of them in flight on it.
    Stream,
}

/// Sends `count` envelopes (cycling through `mix`) to the sidecar at `url`:
/// one `Forward` call each (`batch` 1), or `ForwardBatch` calls of `batch`
/// envelopes (as a node sends its tick), or batches on one stream
/// ([`Mode::Stream`]). Latencies are per call (per batch on a stream).
pub async fn run(
    url: &str,
    mix: Vec<Envelope>,
    count: usize,
    concurrency: usize,
    batch: usize,
    mode: Mode,
) -> Result<LoadReport, DataplaneError> {
    let batch = batch.max(1);
    let failed = |why: String| DataplaneError::Reply {
        process: format!("sidecar at {url}"),
        why,
    };
    let mut client = SidecarClient::connect(url.to_string())
        .await
        .map_err(|e| failed(format!("connect: {e}")))?;
    let stream = match mode {
        Mode::Unary => None,
        Mode::Stream => {
            Some(Arc::new(BatchStream::open(&mut client).await.map_err(
                |e| failed(format!("open a stream: {}", e.message())),
            )?))
        }
    };
    let mix = Arc::new(mix);
    let next = Arc::new(AtomicUsize::new(0));
    let start = wall_now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (mut client, mix, next) = (client.clone(), mix.clone(), next.clone());
        let stream = stream.clone();
        tasks.spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0usize);
            loop {
                let k = next.fetch_add(batch, Ordering::Relaxed);
                if k >= count {
                    break;
                }
                let t0 = wall_now();
                if let Some(stream) = &stream {
                    let envelopes = (k..count.min(k + batch))
                        .map(|j| mix[j % mix.len()].clone())
                        .collect();
                    match stream.send(Batch { envelopes }).await {
                        Ok(r) => {
                            errors += r.routes.iter().filter(|r| !r.refused.is_empty()).count()
                        }
                        Err(_) => errors += batch.min(count - k),
                    }
                } else if batch == 1 {
                    let env = mix[k % mix.len()].clone();
                    errors += usize::from(client.forward(env).await.is_err());
                } else {
                    let envelopes = (k..count.min(k + batch))
                        .map(|j| mix[j % mix.len()].clone())
                        .collect();
                    match client.forward_batch(Batch { envelopes }).await {
                        Ok(r) => {
                            let r = r.into_inner();
                            errors += r.routes.iter().filter(|r| !r.refused.is_empty()).count();
                        }
                        Err(_) => errors += batch.min(count - k),
                    }
                }
                lat.push(t0.elapsed());
            }
            (lat, errors)
        });
    }
    let (mut lat, mut errors) = (Vec::with_capacity(count), 0);
    while let Some(r) = tasks.join_next().await {
        let (l, e) = r.expect("a load task does not panic");
        lat.extend(l);
        errors += e;
    }
    let seconds = start.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| -> f64 {
        let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
        lat.get(i).copied().unwrap_or(Duration::ZERO).as_secs_f64() * 1e6
    };
    Ok(LoadReport {
        count,
        errors,
        seconds,
        per_second: count as f64 / seconds.max(1e-9),
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        batch,
    })
}

/// An envelope's fields as JSON (a load file holds a list of these).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnvelopeJson {
    /// Sender index.
    pub from: u32,
    /// Receiver index.
    pub to: u32,
    /// Send tick.
    pub sent: u32,
    /// Position in the sender's tick.
    pub seq: u32,
    /// Kind.
    pub kind: String,
    /// postcard encoding.
    pub body: Vec<u8>,
}

impl From<&EnvelopeJson> for Envelope {
    fn from(e: &EnvelopeJson) -> Envelope {
        Envelope {
            from: e.from,
            to: e.to,
            sent: e.sent,
            seq: e.seq,
            kind: e.kind.clone(),
            body: e.body.clone(),
            ..Envelope::default()
        }
    }
}
