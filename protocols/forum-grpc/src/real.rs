//! One service as a real process: tonic over TCP on an OS-assigned
//! loopback port, announced with the dataplane's handshake
//! (`ldfi-ready port=P`), exiting when stdin closes (its parent died).
//!
//! The frontend calls `auth` and `kv` as `frontend` (`ldfi-caller`) with
//! its timeout as their deadline (`grpc-timeout`), see [`crate::caller`].
//! With `upstreams_from_stdin` it announces its port first and then reads
//! its upstreams from one stdin line (`auth=ADDR kv=ADDR`): a proxy in
//! front of all three services can then be started after it, on an
//! OS-assigned port, and told to the frontend.

use crate::chan::{tcp, Timing};
use crate::observe::NoObserver;
use crate::services::store::{FileStore, MemStore, Store};
use crate::services::{self, Service, Write};
use crate::version::Version;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a `stale-read` kv on a real process keeps an acknowledged
/// post in memory only before it persists it, by default (a real run of a
/// schedule sets it to the simulation's write-behind ticks).
pub const WRITE_BEHIND: Duration = Duration::from_millis(500);

/// How often, and how far apart, a service started on a given port tries
/// to bind it: the port of an earlier life of the service, which the
/// kernel may hold for a moment after that process was killed.
const REBIND: (u32, Duration) = (100, Duration::from_millis(20));

/// What to serve.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The service.
    pub service: Service,
    /// The variant.
    pub version: Version,
    /// The `auth` to call (the frontend only).
    pub upstream_auth: Option<String>,
    /// The `kv` to call (the frontend only).
    pub upstream_kv: Option<String>,
    /// How long the frontend waits for one call to `auth` or `kv`.
    pub rpc_timeout: Duration,
    /// The frontend reads its upstreams from stdin after its handshake.
    pub upstreams_from_stdin: bool,
    /// Where `kv` keeps its posts (`DIR/kv.log`), so that they outlive the
    /// process; `None`: in memory only (`kv` only).
    pub data_dir: Option<PathBuf>,
    /// How long a `stale-read` kv keeps a post in memory only.
    pub write_behind: Duration,
    /// Listen on this loopback port (a restarted service keeps its
    /// address); `None`: an OS-assigned one.
    pub port: Option<u16>,
}

impl ServeConfig {
    /// `service` of `version`, no upstreams, the real timing.
    pub fn new(service: Service, version: Version) -> ServeConfig {
        ServeConfig {
            service,
            version,
            upstream_auth: None,
            upstream_kv: None,
            rpc_timeout: Timing::REAL.rpc_timeout,
            upstreams_from_stdin: false,
            data_dir: None,
            write_behind: WRITE_BEHIND,
            port: None,
        }
    }
}

/// Errors of [`serve`]: bad configuration (exit 2) or a failure to serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A flag is missing or wrong (the message names it).
    #[error("{0}")]
    Config(String),
    /// The server could not start or stopped.
    #[error("{0}")]
    Serve(String),
}

/// Builds the routes of `cfg`'s service (checks its flags first).
pub fn routes(cfg: &ServeConfig) -> Result<tonic::service::Routes, ServeError> {
    let obs = Arc::new(NoObserver);
    if cfg.data_dir.is_some() && cfg.service != Service::Kv {
        return Err(ServeError::Config(
            "--data-dir is for --service kv (the only service with durable state)".into(),
        ));
    }
    Ok(match cfg.service {
        Service::Auth => services::routes_auth(services::AuthSvc),
        Service::Kv => {
            let store: Arc<dyn Store> = match &cfg.data_dir {
                Some(dir) => {
                    Arc::new(FileStore::open(dir).map_err(|e| ServeError::Config(e.to_string()))?)
                }
                None => Arc::new(MemStore::default()),
            };
            let write = Write::of(cfg.version, cfg.write_behind);
            services::routes_kv(services::KvSvc::new(obs, store, write))
        }
        Service::Frontend => {
            let timing = Timing {
                rpc_timeout: cfg.rpc_timeout,
            };
            let need = |v: &Option<String>, flag: &str| {
                let addr = v.as_deref().ok_or_else(|| {
                    ServeError::Config(format!("{flag} ADDR is required for --service frontend"))
                })?;
                let chan = tcp(addr).map_err(|e| ServeError::Config(format!("{flag}: {e}")))?;
                crate::caller::stamped(chan, Service::Frontend.name(), timing.rpc_timeout)
                    .map_err(ServeError::Config)
            };
            let auth = need(&cfg.upstream_auth, "--upstream-auth")?;
            let kv = need(&cfg.upstream_kv, "--upstream-kv")?;
            services::routes_frontend(services::FrontendSvc::new(
                cfg.version,
                obs,
                timing,
                auth,
                kv,
            ))
        }
    })
}

/// `cfg` with the upstreams of `line` (`auth=ADDR kv=ADDR`).
fn with_upstreams(cfg: &ServeConfig, line: &str) -> Result<ServeConfig, ServeError> {
    let mut out = cfg.clone();
    for field in line.split_whitespace() {
        match field.split_once('=') {
            Some(("auth", a)) => out.upstream_auth = Some(a.to_string()),
            Some(("kv", a)) => out.upstream_kv = Some(a.to_string()),
            _ => {
                return Err(ServeError::Config(format!(
                    "--upstreams-from-stdin: `{field}` is not auth=ADDR or kv=ADDR"
                )))
            }
        }
    }
    Ok(out)
}

/// Listens on `cfg`'s port (binding it again while the kernel still holds
/// it for an earlier life: tokio's listeners set `SO_REUSEADDR`, so only
/// a socket still bound to it, not one in `TIME_WAIT`, is in the way), or
/// on an OS-assigned one.
fn listen(
    rt: &tokio::runtime::Runtime,
    cfg: &ServeConfig,
) -> Result<(u16, tonic::transport::server::TcpIncoming), ServeError> {
    let Some(port) = cfg.port else {
        return ldfi_dataplane::node::listen(rt, cfg.service.name())
            .map_err(|e| ServeError::Serve(e.to_string()));
    };
    let (tries, pause) = REBIND;
    let mut last = None;
    for _ in 0..tries {
        match rt.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))) {
            Ok(l) => {
                let incoming =
                    tonic::transport::server::TcpIncoming::from(l).with_nodelay(Some(true));
                return Ok((port, incoming));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                last = Some(e);
                std::thread::sleep(pause);
            }
            Err(e) => return Err(ServeError::Serve(format!("--port {port}: {e}"))),
        }
    }
    Err(ServeError::Serve(format!(
        "--port {port}: still in use after {} ms: {}",
        (pause * tries).as_millis(),
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}

/// Serves `cfg` until stdin closes; prints `ldfi-ready port=P` once it
/// accepts connections.
pub fn serve(cfg: &ServeConfig) -> Result<(), ServeError> {
    if cfg.upstreams_from_stdin
        && (cfg.service != Service::Frontend
            || cfg.upstream_auth.is_some()
            || cfg.upstream_kv.is_some())
    {
        return Err(ServeError::Config(
            "--upstreams-from-stdin: for --service frontend, without --upstream-auth/--upstream-kv"
                .into(),
        ));
    }
    ldfi_dataplane::child::ignore_sigpipe();
    let rt = ldfi_dataplane::node::runtime().map_err(|e| ServeError::Serve(e.to_string()))?;
    // The channels connect lazily but need the runtime to exist.
    let _guard = rt.enter();
    // Bad flags are found before anything listens.
    let early = if cfg.upstreams_from_stdin {
        None
    } else {
        Some(routes(cfg)?)
    };
    let (port, incoming) = listen(&rt, cfg)?;
    ldfi_dataplane::child::announce(&[("port", port.to_string())]);
    let routes = match early {
        Some(r) => r,
        None => {
            let mut line = String::new();
            // Stdin closed first: the parent is gone.
            if std::io::stdin().read_line(&mut line).unwrap_or(0) == 0 {
                return Ok(());
            }
            routes(&with_upstreams(cfg, &line)?)?
        }
    };
    let server = tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming(incoming);
    // Exits the process when stdin closes.
    ldfi_dataplane::child::exit_with_parent();
    rt.block_on(server)
        .map_err(|e| ServeError::Serve(format!("{}: server stopped: {e}", cfg.service.name())))
}
