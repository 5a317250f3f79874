//! The proxy process: its configuration and state, the HTTP/2 listener,
//! the Prometheus port, the handshake (`ldfi-ready port=P metrics=M`).

use crate::capture;
use crate::descriptor::{self, Routes};
use crate::enforce::{Enforcer, Mode};
use crate::error::RpcError;
use crate::faults::{Injector, Schedule};
use crate::record::{Counters, Ident, Log, Refusal};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything a proxy is started with.
#[derive(Clone, Debug)]
pub struct Config {
    /// The proxy's name (metrics, logs; the callee of an unnamed upstream).
    pub name: String,
    /// The descriptor set (binary) or a `.proto` file.
    pub descriptor: PathBuf,
    /// The spec file.
    pub spec: PathBuf,
    /// Refuse or observe violating messages.
    pub mode: Mode,
    /// (name, address `host:port` or `http://host:port`) of each upstream.
    pub upstreams: Vec<(String, String)>,
    /// Default callers: (callee or `None` for all, caller name).
    pub callers: Vec<(Option<String>, String)>,
    /// Process ids of upstreams a `kill` fault may kill.
    pub pids: Vec<(String, i32)>,
    /// RPC faults.
    pub faults: Schedule,
    /// Where to record calls.
    pub capture: Option<PathBuf>,
    /// Where to append refusal records.
    pub violations: Option<PathBuf>,
    /// Size limit of one message, bytes.
    pub max_message: usize,
    /// Address to listen on (`127.0.0.1:0`: an OS-assigned port).
    pub listen: String,
}

/// One upstream service.
pub struct Upstream {
    /// Its name: the callee of its calls.
    pub name: String,
    /// `http://host:port`.
    pub base: String,
    /// Its process, if a `kill` fault may kill it.
    pub pid: Option<i32>,
    /// Killed by a fault: every later call gets `UNAVAILABLE`.
    pub dead: AtomicBool,
    /// The HTTP/2 connection to it.
    pub conn: crate::upstream::Conn,
}

/// A running proxy's state, shared by its connections.
pub struct Proxy {
    /// Its name.
    pub name: String,
    /// Method path → route.
    pub routes: Routes,
    /// The upstreams.
    pub upstreams: Vec<Upstream>,
    callers: BTreeMap<Option<String>, String>,
    /// The checker.
    pub enforcer: Arc<Enforcer>,
    /// The faults.
    pub faults: Injector,
    /// Refusal records.
    pub log: Log,
    /// Counters.
    pub counts: Counters,
    /// The capture, if recording.
    pub capture: Option<capture::Writer>,
    /// Size limit of one message.
    pub max: usize,
    started: Instant,
    seq: AtomicU64,
    /// Calls between arrival and their answer's head.
    pub in_flight: std::sync::atomic::AtomicUsize,
}

impl Proxy {
    /// A proxy in its initial state; bad configuration is [`RpcError::Input`].
    pub fn new(cfg: Config) -> Result<Proxy, RpcError> {
        let pool = descriptor::load(&cfg.descriptor)?;
        if cfg.upstreams.is_empty() {
            return Err(RpcError::input(
                "--upstream",
                "at least one upstream is required",
            ));
        }
        let names: Vec<String> = cfg.upstreams.iter().map(|(n, _)| n.clone()).collect();
        let routes = descriptor::routes(&pool, &names);
        if routes.is_empty() {
            return Err(RpcError::input(
                "--upstream",
                format!(
                    "no service of {} is named like an upstream ({})",
                    cfg.descriptor.display(),
                    names.join(", ")
                ),
            ));
        }
        let injector = Injector::new(cfg.faults);
        for callee in injector.killed_callees() {
            if !cfg.pids.iter().any(|(n, _)| n == callee) {
                return Err(RpcError::input(
                    "--faults",
                    format!("a kill of `{callee}` needs --pid {callee}=PID"),
                ));
            }
        }
        let upstreams = cfg
            .upstreams
            .iter()
            .map(|(name, addr)| {
                let base = if addr.contains("://") {
                    addr.trim_end_matches('/').to_string()
                } else {
                    format!("http://{addr}")
                };
                Upstream {
                    name: name.clone(),
                    conn: crate::upstream::Conn::new(&base),
                    base,
                    pid: cfg.pids.iter().find(|(n, _)| n == name).map(|(_, p)| *p),
                    dead: AtomicBool::new(false),
                }
            })
            .collect();
        let capture = match &cfg.capture {
            Some(path) => Some(capture::Writer::create(
                path,
                &cfg.name,
                &names,
                &pool.encode_to_vec(),
            )?),
            None => None,
        };
        Ok(Proxy {
            name: cfg.name,
            routes,
            upstreams,
            callers: cfg.callers.into_iter().collect(),
            enforcer: Arc::new(Enforcer::load(&cfg.spec, cfg.mode)?),
            faults: injector,
            log: Log::new(cfg.violations),
            counts: Counters::default(),
            capture,
            max: cfg.max_message,
            started: crate::load::wall_now(),
            seq: AtomicU64::new(0),
            in_flight: Default::default(),
        })
    }

    /// The caller of a call to `callee` without an `ldfi-caller` header.
    pub fn default_caller(&self, callee: &str) -> String {
        self.callers
            .get(&Some(callee.to_string()))
            .or_else(|| self.callers.get(&None))
            .cloned()
            .unwrap_or_else(|| "client".into())
    }

    /// µs since the proxy started.
    pub fn now_us(&self) -> u64 {
        crate::load::wall_now()
            .duration_since(self.started)
            .as_micros() as u64
    }

    /// The next call's sequence number.
    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Logs and counts a refusal.
    pub fn refused(&self, id: Option<&Ident>, dir: &str, r: &Refusal) {
        self.log.record("refused", id, dir, r);
        let (callee, method) = id.map_or(("-", "-"), |i| (i.callee.as_str(), i.method.as_str()));
        self.counts.add(callee, method, "refused");
    }

    /// The counters as Prometheus text.
    pub fn prometheus(&self) -> String {
        let e = &self.enforcer;
        self.counts.prometheus(
            &self.name,
            &[
                (
                    "ldfi_proxy_spec_reloads_total",
                    e.reloads.load(Ordering::Relaxed) as f64,
                ),
                (
                    "ldfi_proxy_spec_rejected_total",
                    e.rejected.load(Ordering::Relaxed) as f64,
                ),
                ("ldfi_proxy_refusal_records_total", self.log.len() as f64),
                ("ldfi_proxy_cpu_seconds_total", cpu_seconds()),
            ],
        )
    }
}

/// This process's CPU time (user + system), seconds.
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid start.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The ports of a started proxy.
#[derive(Clone, Copy, Debug)]
pub struct Started {
    /// gRPC.
    pub port: u16,
    /// Prometheus text over HTTP.
    pub metrics: u16,
}

/// Starts a proxy's listeners on the current runtime; they serve until it
/// stops. Returns its ports and state.
pub async fn start(cfg: Config) -> Result<(Started, Arc<Proxy>), RpcError> {
    let io = |what: &'static str| {
        move |source| RpcError::Io {
            what: what.into(),
            source,
        }
    };
    let listen = cfg.listen.clone();
    let grpc = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| RpcError::input(format!("--listen {listen}"), e))?;
    let port = grpc.local_addr().map_err(io("listen"))?.port();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(io("listen for metrics"))?;
    let metrics_port = metrics
        .local_addr()
        .map_err(io("listen for metrics"))?
        .port();
    let proxy = Arc::new(Proxy::new(cfg)?);
    proxy.enforcer.clone().watch(Duration::from_millis(250));
    let render = {
        let p = proxy.clone();
        Arc::new(move || p.prometheus()) as Arc<dyn Fn() -> String + Send + Sync>
    };
    tokio::spawn(ldfi_dataplane::sidecar::metrics::serve(metrics, render));
    tokio::spawn(accept(grpc, proxy.clone()));
    Ok((
        Started {
            port,
            metrics: metrics_port,
        },
        proxy,
    ))
}

async fn accept(listener: tokio::net::TcpListener, proxy: Arc<Proxy>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (p, proxy) = (proxy.clone(), proxy.clone());
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let p = p.clone();
                async move { Ok::<_, std::convert::Infallible>(crate::call::handle(p, req).await) }
            });
            let conn = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .max_concurrent_streams(1024)
                .serve_connection(TokioIo::new(stream), svc);
            if let Err(e) = conn.await.map_err(|e| (closed(&e), e)) {
                let e = match e {
                    (true, _) => return,
                    (false, e) => e,
                };
                let why = format!("connection from {peer}: {e}");
                let r = Refusal::plain(crate::status::Code::InvalidArgument, "transport", why);
                proxy.refused(None, "-", &r);
            }
        });
    }
}

/// Whether a connection error is only the peer closing its socket (not a
/// protocol error worth a refusal record).
fn closed(e: &hyper::Error) -> bool {
    use std::error::Error as _;
    let mut src = e.source();
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return matches!(
                io.kind(),
                ConnectionReset | BrokenPipe | UnexpectedEof | ConnectionAborted
            );
        }
        src = s.source();
    }
    false
}

/// Runs a proxy until the process is killed or its stdin closes (it is a
/// child of whoever started it). Prints `ldfi-ready port=P metrics=M` once
/// both ports accept connections.
pub fn serve(cfg: Config) -> Result<(), RpcError> {
    ldfi_dataplane::child::exit_with_parent();
    ldfi_dataplane::child::ignore_sigpipe();
    // One thread, as every child of the dataplane (see its `runtime`).
    // (A 2-worker runtime measured worse: 2x the CPU a call at 16 in
    // flight, and no gain at 1.)
    let rt = ldfi_dataplane::node::current_thread().map_err(|source| RpcError::Io {
        what: "start the runtime".into(),
        source,
    })?;
    let (started, _proxy) = rt.block_on(start(cfg))?;
    ldfi_dataplane::child::announce(&[
        ("port", started.port.to_string()),
        ("metrics", started.metrics.to_string()),
    ]);
    rt.block_on(std::future::pending::<()>());
    Ok(())
}
