//! `web-forum-grpc`: the forum's real service code searched by LDFI over
//! RPCs, in turmoil.
//!
//! One turmoil host per service (`frontend`, `auth`, `kv`) serving the
//! service structs of [`crate::services`] over HTTP/2 on turmoil's TCP,
//! and one per client (`c1`, `c2`) running the workload through the client
//! library. Ticks are turmoil steps (1 ms of simulated time each); a
//! message's tick is the step in which the RPC layer saw it.
//!
//! **Faults, exactly** (applied by the RPC layer, [`layer`], never as
//! packet loss):
//! - `omit(a, b, t)`: every RPC message `a` sends `b` at tick `t` is lost —
//!   a request (`a` the caller: the callee never serves it, the caller
//!   times out) or a response (`a` the callee: it served the call, the
//!   caller never hears and times out).
//! - `crash(n, t)`: from tick `t` on `n` receives, serves, sends and
//!   derives nothing (crash semantics `stop`).
//! - `restart(n, t)` (`kv` and `auth`; the search proposes them with
//!   `--restarts N`): at `t`, `n` is up again in a new life: what it held in
//!   memory (and every fact it held) is gone, work it had put off is never
//!   done, and it recovers what its durable store holds (`kv`'s posts,
//!   kept per run outside the host's tasks). After `crash(kv, t)`,
//!   `restart(kv, t')` is a crash and restart.
//! - `delay(a, b, t, d)`: what `a` sends `b` at `t` arrives `d` ticks late;
//!   `partition`: as omissions across the cut.
//! - By identity ([`crate::identity`], [`run_rpc`]): drop the request or
//!   the response of the k-th call of a method from a caller to a callee,
//!   answer it `UNAVAILABLE` at once, delay it; kill a node after it has
//!   received `k` requests.
//!
//! **Lineage** is the call tree: the request a service is serving (its id
//! travels in the `ldfi-call` metadata, and back in `ldfi-cause` on the
//! calls it makes) causes the calls it makes, its response and the facts
//! it derives; so does every response it received while serving it; and a
//! fact it declares it relied on (`Observer::because`: `authed(c)` before
//! inserting `c`'s post) adds that fact's derivation.
//!
//! **Verdict**: the web-forum model's invariant (`posts-stored`) on the
//! end state, and the enforcement spec `protocols/specs/web-forum.spec`
//! fed at every delivery with the message decoded from its wire bytes by
//! its descriptor ([`crate::event`]), as a proxy would.
//!
//! **Determinism**: every host runs on turmoil's single thread; the only
//! tasks are hyper's HTTP/2 connection and stream tasks, spawned on the
//! host's `LocalSet` in a fixed order. tonic's transport is not used in
//! simulation: its accept loop polls an unbiased `tokio::select!`, whose
//! branch order comes from tokio's per-runtime RNG, seeded per process
//! unless tokio is built with `tokio_unstable` (turmoil seeds it only
//! then). hyper's HTTP/2 server `date` header (wall clock) is turned off.

pub mod invariants;
pub mod layer;
mod net;
mod recorder;
pub mod workload;

use crate::chan::{Chan, Timing};
use crate::identity::RpcSchedule;
use crate::observe::{CallCtx, Observer};
use crate::services::store::{MemStore, Store};
use crate::services::{self, Service};
use crate::version::Version;
use ldfi_enforce::Spec;
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::remote::{Assembled, Decoder, RemoteNode, Wire};
use ldfi_harness::runner::{check_faults, judge_recorded, validate_info};
use ldfi_harness::{
    fault_space, Checks, CrashMode, EndState, Fact, Params, ProtocolInfo, Run, RunConfig, RunError,
    Tick,
};
use ldfi_lineage::NodeIdx;
use ldfi_protocols::web_forum::checks;
use recorder::{lock, Plan, Recorder, Shared};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::util::BoxCloneSyncService;
use tower::Layer;
use workload::Workload;

/// One tick: one turmoil step.
pub const TICK: Duration = Duration::from_millis(1);
/// Turmoil steps before tick 1, in which the hosts listen and connect.
const SETUP_STEPS: u32 = 10;
/// How long the frontend waits for `auth` or `kv`, in ticks.
pub const UPSTREAM_TIMEOUT: Tick = 3;
/// How long a client waits for the frontend, in ticks (longer than every
/// `Authenticate` attempt and an insert together).
pub const CLIENT_TIMEOUT: Tick = 16;
/// The services a `restart` fault may name: those whose state a restart
/// rebuilds (`kv` from its store; `auth` has none). The frontend's logins
/// and post index live in its memory only.
pub const RESTARTABLE: [&str; 2] = ["kv", "auth"];
/// How long a `stale-read` kv keeps an acknowledged post in memory only,
/// in ticks (a fault-free run persists it long before the read).
pub const WRITE_BEHIND: Tick = 3;
/// The clients.
pub const CLIENTS: [&str; 2] = ["c1", "c2"];
/// Default bounds, as the web-forum model's: a call answers in 2 ticks;
/// omissions at ticks 1–3 cover the client's `Login` (1) and `Post` (2),
/// the first `Authenticate` (2) and its answer (3) — the faults that send
/// the frontend down its retry path (attempts at 5 and 8). The late
/// inputs come at tick 14 and are answered by tick 18.
pub const PARAMS: Params = Params {
    eot: 20,
    eff: 4,
    crashes: 1,
};

/// The identity of one RPC message: which call of which method it
/// belongs to (see [`crate::identity`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The caller.
    pub caller: NodeIdx,
    /// The callee.
    pub callee: NodeIdx,
    /// The method.
    pub method: String,
    /// Which call of the method from caller to callee (from 1).
    pub k: u32,
    /// Whether the message is the response.
    pub response: bool,
}

/// The method a trace label names, and whether it is a response
/// (`AuthenticateResponse { .. }` → (`Authenticate`, true)).
pub fn method_of(label: &str) -> (&str, bool) {
    let head = label.split(' ').next().unwrap_or(label);
    match head.strip_suffix("Response") {
        Some(m) if !m.is_empty() => (m, true),
        _ => (head, false),
    }
}

/// The protocol.
#[derive(Clone, Copy, Debug, Default)]
pub struct ForumGrpc;

impl ForumGrpc {
    /// Names, versions, workloads, defaults.
    pub fn describe() -> ProtocolInfo {
        let nodes = Service::ALL.map(Service::name).into_iter().chain(CLIENTS);
        ProtocolInfo {
            name: crate::NAME.into(),
            summary: "the web forum's tonic gRPC services in turmoil, faults at the RPC layer"
                .into(),
            versions: Version::ALL.iter().map(|v| v.name().into()).collect(),
            default_version: Version::Correct.name().into(),
            workloads: Workload::ALL.iter().map(|w| w.name().into()).collect(),
            default_workload: Workload::LoginPost.name().into(),
            nodes: nodes.map(String::from).collect(),
            exempt: vec![],
            params: PARAMS,
        }
    }
}

/// The observer of one simulated node: its declarations go to the recorder.
struct SimObs {
    node: NodeIdx,
    rec: Shared,
}

impl Observer for SimObs {
    fn derive(&self, call: &CallCtx, fact: Fact) {
        lock(&self.rec).derive(self.node, call.id(), fact);
    }
    fn because(&self, call: &CallCtx, fact: &Fact) {
        lock(&self.rec).because(self.node, call.id(), fact);
    }
    fn life(&self) -> Option<u64> {
        lock(&self.rec).life(self.node)
    }
}

/// What each node does when it is restarted (recovery from its durable
/// state), registered by its host; run outside the recorder's lock.
type Restarts = Arc<Mutex<std::collections::BTreeMap<NodeIdx, services::KvSvc>>>;

/// Runs the forum under `cfg` with the schedule by identity `rpc` as well,
/// checked against `spec` (default: `protocols/specs/web-forum.spec`).
pub fn run_rpc(cfg: &RunConfig, spec: Option<&Spec>, rpc: &RpcSchedule) -> Result<Run, RunError> {
    let info = ForumGrpc::describe();
    validate_info(&info, cfg)?;
    check_faults(&fault_space(&info, &cfg.params), &cfg.faults)?;
    if cfg.inputs.is_some() {
        return Err(RunError::Params(
            "web-forum-grpc runs its named workloads only (no explicit inputs)".into(),
        ));
    }
    if cfg.crash != CrashMode::Stop {
        return Err(RunError::Params(
            "web-forum-grpc supports crash semantics `stop` only (a crashed service serves nothing)"
                .into(),
        ));
    }
    let version = Version::parse(&cfg.version).expect("validated");
    let workload = Workload::parse(&cfg.workload).expect("validated");
    let plan = Plan::new(
        &info.nodes,
        &cfg.faults,
        &rpc.calls,
        &rpc.kills,
        &RESTARTABLE,
    )
    .map_err(RunError::Params)?;
    let checker = if cfg.checks == Checks::Invariants {
        None
    } else {
        let spec = match spec {
            Some(s) => s.clone(),
            None => checks::spec().map_err(|e| {
                RunError::Spec(format!("{}:{}:{}: {}", e.file, e.line, e.col, e.kind))
            })?,
        };
        Some(ldfi_enforce::Checker::new(&spec))
    };
    let rec: Shared = Arc::new(Mutex::new(Recorder::new(
        info.nodes.clone(),
        plan,
        checker,
        cfg.lineage,
    )));
    simulate(cfg, &rec, version, workload)?;
    let done = std::mem::replace(
        &mut *lock(&rec),
        Recorder::new(Vec::new(), Plan::default(), None, cfg.lineage),
    );
    let (trace, held, violations) = done.finish(cfg.params.eot);
    let end = EndState::from_run(&trace.nodes, held.iter(), &trace.events);
    Ok(judge_recorded(
        &workload.invariants(),
        cfg,
        trace,
        end,
        &violations,
    ))
}

/// A channel from `caller` to `callee` over `send`, through the RPC layer.
fn channel(
    rec: &Shared,
    caller: NodeIdx,
    callee: NodeIdx,
    send: hyper::client::conn::http2::SendRequest<tonic::body::Body>,
) -> Chan {
    let authority = names_of(rec, callee);
    let h2 = tower::service_fn(move |mut req: http::Request<tonic::body::Body>| {
        let mut send = send.clone();
        // HTTP/2 needs the `:scheme` and `:authority` a tonic client leaves
        // to its transport.
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let uri = format!("http://{authority}{path}").parse::<http::Uri>();
        async move {
            *req.uri_mut() = uri.map_err(|e| -> crate::chan::BoxError { Box::new(e) })?;
            send.ready().await?;
            Ok::<_, crate::chan::BoxError>(send.send_request(req).await?)
        }
    });
    let layer = layer::RpcLayer {
        caller,
        callee,
        rec: rec.clone(),
    };
    BoxCloneSyncService::new(layer.layer(h2))
}

/// The name of node `n`.
fn names_of(rec: &Shared, n: NodeIdx) -> String {
    lock(rec).name(n).to_string()
}

fn sim_err(e: impl std::fmt::Display) -> RunError {
    RunError::Sim(e.to_string())
}

fn simulate(
    cfg: &RunConfig,
    rec: &Shared,
    version: Version,
    workload: Workload,
) -> Result<(), RunError> {
    let eot = cfg.params.eot;
    let mut sim = turmoil::Builder::new()
        .tick_duration(TICK)
        .min_message_latency(TICK)
        .max_message_latency(TICK)
        .simulation_duration(TICK * (SETUP_STEPS + eot + 8))
        .rng_seed(cfg.seed)
        .build();
    let ix = |s: &str| lock(rec).node(s);
    let upstream = Timing {
        rpc_timeout: TICK * UPSTREAM_TIMEOUT,
    };
    // kv's durable store: outside the host's tasks, one per run.
    let store: Arc<dyn Store> = Arc::new(MemStore::default());
    let restarts: Restarts = Arc::default();
    for svc in Service::ALL {
        let rec = rec.clone();
        let me = ix(svc.name());
        let (auth, kv) = (ix("auth"), ix("kv"));
        let (store, restarts) = (store.clone(), restarts.clone());
        sim.host(svc.name(), move || {
            let (rec, store, restarts) = (rec.clone(), store.clone(), restarts.clone());
            async move {
                let obs = Arc::new(SimObs {
                    node: me,
                    rec: rec.clone(),
                });
                let routes = match svc {
                    Service::Auth => services::routes_auth(services::AuthSvc),
                    Service::Kv => {
                        let write = services::Write::of(version, TICK * WRITE_BEHIND);
                        let kv = services::KvSvc::new(obs, store, write);
                        lock_restarts(&restarts).insert(me, kv.clone());
                        services::routes_kv(kv)
                    }
                    Service::Frontend => {
                        let a = net::connect("auth").await?;
                        let k = net::connect("kv").await?;
                        services::routes_frontend(services::FrontendSvc::new(
                            version,
                            obs,
                            upstream,
                            channel(&rec, me, auth, a),
                            channel(&rec, me, kv, k),
                        ))
                    }
                };
                net::serve(layer::ServeLayer { me, rec }.layer(routes)).await
            }
        });
    }
    let inputs = workload.inputs();
    for c in CLIENTS {
        let rec = rec.clone();
        let me = ix(c);
        let frontend = ix("frontend");
        let mine: Vec<(u32, workload::Input)> = inputs
            .iter()
            .enumerate()
            .filter(|(_, i)| i.node == c)
            .map(|(n, i)| (n as u32, i.clone()))
            .collect();
        sim.host(c, move || {
            let (rec, mine) = (rec.clone(), mine.clone());
            async move {
                let send = net::connect("frontend").await?;
                let timing = Timing {
                    rpc_timeout: TICK * CLIENT_TIMEOUT,
                };
                let client =
                    crate::client::ForumClient::new(channel(&rec, me, frontend, send), timing);
                let tasks: Vec<_> = mine
                    .into_iter()
                    .map(|(n, i)| {
                        tokio::task::spawn_local(workload::run_input(
                            rec.clone(),
                            client.clone(),
                            n,
                            i,
                        ))
                    })
                    .collect();
                for t in tasks {
                    let _ = t.await;
                }
                Ok(())
            }
        });
    }
    for _ in 0..SETUP_STEPS {
        sim.step().map_err(sim_err)?;
    }
    for t in 1..=eot {
        let restarted = lock(rec).tick(t);
        for n in restarted {
            let kv = lock_restarts(&restarts).get(&n).cloned();
            if let Some(kv) = kv {
                kv.recover();
            }
        }
        sim.step().map_err(sim_err)?;
    }
    Ok(())
}

fn lock_restarts(
    r: &Restarts,
) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<NodeIdx, services::KvSvc>> {
    r.lock().unwrap_or_else(|p| p.into_inner())
}

fn not_here<T>() -> Result<T, RunError> {
    Err(RunError::Wire(
        "web-forum-grpc runs its services as real processes with `ldfi forum serve`, \
         not on the envelope dataplane"
            .into(),
    ))
}

fn no_envelopes(_: &str, _: &str, _: &[u8]) -> Result<(ldfi_enforce::MsgEvent, String), String> {
    Err("web-forum-grpc has no envelope messages (its messages are gRPC calls)".into())
}

impl DynProtocol for ForumGrpc {
    fn restartable(&self) -> Vec<String> {
        RESTARTABLE.iter().map(|n| n.to_string()).collect()
    }

    fn info(&self) -> ProtocolInfo {
        ForumGrpc::describe()
    }

    fn run(&self, cfg: &RunConfig) -> Result<Run, RunError> {
        run_rpc(cfg, None, &RpcSchedule::default())
    }

    fn run_with_spec(&self, cfg: &RunConfig, spec: &Spec) -> Result<Run, RunError> {
        run_rpc(cfg, Some(spec), &RpcSchedule::default())
    }

    fn run_with_bodies(
        &self,
        _: &RunConfig,
        _: Option<&Spec>,
    ) -> Result<(Run, ldfi_harness::runner::Bodies), RunError> {
        not_here()
    }

    fn workload_inputs(
        &self,
        _: &RunConfig,
    ) -> Result<Vec<(ldfi_harness::inputs::EncodedInput, String)>, RunError> {
        not_here()
    }

    fn host(&self, _: &RunConfig, _: &str) -> Result<Box<dyn RemoteNode>, RunError> {
        not_here()
    }

    fn wire(&self, _: &RunConfig) -> Result<Wire, RunError> {
        not_here()
    }

    fn decoder(&self) -> Decoder {
        no_envelopes
    }

    fn enforcement_spec(&self, _: &RunConfig) -> Result<Option<Spec>, RunError> {
        checks::spec()
            .map(Some)
            .map_err(|e| RunError::Spec(format!("{}:{}:{}: {}", e.file, e.line, e.col, e.kind)))
    }

    fn judge_assembled(
        &self,
        _: &RunConfig,
        _: Assembled,
        _: Option<&Spec>,
    ) -> Result<Run, RunError> {
        not_here()
    }
}
