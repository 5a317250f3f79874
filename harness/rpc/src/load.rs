//! The load generator of the proxy's benchmark and load test: `calls`
//! calls to the demo services at a target, `concurrency` in flight, each
//! worker a client that authenticates, then inserts (three calls in four,
//! unique keys) and reads back. Timing is outside any run (the wall clock
//! is allowed here, as in the CLI's timings).

use crate::client::{self, H2};
use crate::demo::proto::{AuthenticateRequest, GetRequest, InsertRequest};
use crate::error::RpcError;
use bytes::Bytes;
pub use ldfi_dataplane::load::{wall_now, LoadReport};
use prost::Message;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What a load run did.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Load {
    /// Throughput and latency.
    pub report: LoadReport,
    /// Inserts acknowledged with status OK.
    pub inserted: usize,
    /// The first few failures, in words.
    pub failures: Vec<String>,
}

const AUTH: &str = "/ldfi.demo.v1.Auth/Authenticate";
const INSERT: &str = "/ldfi.demo.v1.Kv/Insert";
const GET: &str = "/ldfi.demo.v1.Kv/Get";

/// The `n`-th call of worker `w` (after its authentication).
fn nth(w: usize, n: usize) -> (&'static str, Bytes) {
    let client = format!("c{w}");
    if n % 4 == 3 {
        let key = format!("{client}/{}", n - 1);
        return (GET, GetRequest { key }.encode_to_vec().into());
    }
    let key = format!("{client}/{n}");
    let m = InsertRequest {
        client,
        key,
        value: format!("post {n}"),
        ..Default::default()
    };
    (INSERT, m.encode_to_vec().into())
}

/// Sends `calls` calls (authentications included) to `base`
/// (`http://host:port`) with `concurrency` workers, as caller `frontend`.
pub async fn run(base: &str, calls: usize, concurrency: usize) -> Result<Load, RpcError> {
    let h2 = client::h2();
    let workers = concurrency.clamp(1, calls.max(1));
    let next = Arc::new(AtomicUsize::new(workers));
    let start = wall_now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let (h2, next, base) = (h2.clone(), next.clone(), base.to_string());
        tasks.spawn(async move { worker(&h2, &base, w, calls, &next).await });
    }
    let (mut lat, mut errors, mut inserted, mut failures) = (Vec::new(), 0, 0, Vec::new());
    while let Some(r) = tasks.join_next().await {
        let r = r.map_err(|e| RpcError::Call(format!("load worker: {e}")))?;
        lat.extend(r.0);
        errors += r.1;
        inserted += r.2;
        failures.extend(r.3);
    }
    let seconds = wall_now().duration_since(start).as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        lat.get(((lat.len() as f64 * q) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    failures.truncate(5);
    Ok(Load {
        report: LoadReport {
            count: lat.len(),
            errors,
            seconds,
            per_second: lat.len() as f64 / seconds.max(1e-9),
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            batch: 1,
        },
        inserted,
        failures,
    })
}

type WorkerResult = (Vec<f64>, usize, usize, Vec<String>);

async fn worker(h2: &H2, base: &str, w: usize, calls: usize, next: &AtomicUsize) -> WorkerResult {
    let (mut lat, mut errors, mut inserted, mut failures) = (Vec::new(), 0, 0, Vec::new());
    let client = format!("c{w}");
    let auth = AuthenticateRequest {
        credential: format!("pw-{client}"),
        client,
    };
    let mut todo: Option<(&str, Bytes)> = Some((AUTH, auth.encode_to_vec().into()));
    let mut n = 0;
    while let Some((path, msg)) = todo.take() {
        let t = wall_now();
        let r = client::call(h2, base, path, Some("frontend"), &[msg]).await;
        lat.push(wall_now().duration_since(t).as_secs_f64() * 1e6);
        match r {
            Ok(reply) if reply.code == 0 => inserted += usize::from(path == INSERT),
            Ok(reply) => {
                errors += 1;
                failures.push(format!("{path}: status {} {}", reply.code, reply.message));
            }
            Err(e) => {
                errors += 1;
                failures.push(e.to_string());
            }
        }
        if next.fetch_add(1, Ordering::Relaxed) < calls {
            todo = Some(nth(w, n));
            n += 1;
        }
    }
    (lat, errors, inserted, failures)
}
