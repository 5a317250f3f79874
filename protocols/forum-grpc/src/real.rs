//! One service as a real process: tonic over TCP on an OS-assigned
//! loopback port, announced with the dataplane's handshake
//! (`ldfi-ready port=P`), exiting when stdin closes (its parent died).

use crate::chan::{tcp, Timing};
use crate::observe::NoObserver;
use crate::services::{self, Service};
use crate::version::Version;
use std::sync::Arc;

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
    Ok(match cfg.service {
        Service::Auth => services::routes_auth(services::AuthSvc),
        Service::Kv => services::routes_kv(services::KvSvc::new(obs)),
        Service::Frontend => {
            let need = |v: &Option<String>, flag: &str| {
                let addr = v.as_deref().ok_or_else(|| {
                    ServeError::Config(format!("{flag} ADDR is required for --service frontend"))
                })?;
                tcp(addr).map_err(|e| ServeError::Config(format!("{flag}: {e}")))
            };
            let auth = need(&cfg.upstream_auth, "--upstream-auth")?;
            let kv = need(&cfg.upstream_kv, "--upstream-kv")?;
            services::routes_frontend(services::FrontendSvc::new(
                cfg.version,
                obs,
                Timing::REAL,
                auth,
                kv,
            ))
        }
    })
}

/// Serves `cfg` until stdin closes; prints `ldfi-ready port=P` once it
/// accepts connections.
pub fn serve(cfg: &ServeConfig) -> Result<(), ServeError> {
    ldfi_dataplane::child::ignore_sigpipe();
    let rt = ldfi_dataplane::node::runtime().map_err(|e| ServeError::Serve(e.to_string()))?;
    // The channels connect lazily but need the runtime to exist.
    let _guard = rt.enter();
    let routes = routes(cfg)?;
    let (port, incoming) = ldfi_dataplane::node::listen(&rt, cfg.service.name())
        .map_err(|e| ServeError::Serve(e.to_string()))?;
    let server = tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming(incoming);
    ldfi_dataplane::child::announce(&[("port", port.to_string())]);
    // Exits the process when stdin closes.
    ldfi_dataplane::child::exit_with_parent();
    rt.block_on(server)
        .map_err(|e| ServeError::Serve(format!("{}: server stopped: {e}", cfg.service.name())))
}
