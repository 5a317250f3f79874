//! The channel a service calls its upstreams through: any tower service
//! from HTTP requests to HTTP responses, boxed, so the same service code
//! calls over tonic's TCP channel on a real process and over the
//! simulation's fault-injecting layer on turmoil's TCP.

use std::time::Duration;
use tonic::body::Body;
use tower::util::BoxCloneSyncService;

/// Any error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An error of a channel (a newtype: a bare boxed error as a service's
/// error type trips the compiler's higher-ranked `Send` inference in the
/// generated clients' futures).
#[derive(Debug)]
pub struct ChanError(pub BoxError);

impl std::fmt::Display for ChanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ChanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

/// A transport-agnostic gRPC channel.
pub type Chan = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, ChanError>;

/// A lazily connecting tonic channel to `addr` (`host:port`); bad
/// addresses are an error naming `addr`.
pub fn tcp(addr: &str) -> Result<Chan, String> {
    let url = if addr.contains("://") {
        addr.to_string()
    } else {
        format!("http://{addr}")
    };
    let ep = tonic::transport::Endpoint::from_shared(url)
        .map_err(|e| format!("address `{addr}`: {e}"))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true);
    let channel = ep.connect_lazy();
    Ok(BoxCloneSyncService::new(
        tower::ServiceBuilder::new()
            .map_err(|e: tonic::transport::Error| ChanError(Box::new(e)))
            .service(channel),
    ))
}

/// How long a service or client waits for one call's answer before it
/// gives up on it (and, for `Authenticate`, retries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// The timeout of one call.
    pub rpc_timeout: Duration,
}

impl Timing {
    /// On real processes: one second.
    pub const REAL: Timing = Timing {
        rpc_timeout: Duration::from_secs(1),
    };
}
