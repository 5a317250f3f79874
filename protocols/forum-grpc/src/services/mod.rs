//! The three services. Each is a plain struct implementing its generated
//! tonic trait; none knows whether it runs on a real process or in turmoil
//! (its upstreams are [`Chan`](crate::chan::Chan)s, its lineage goes to an
//! [`Observer`](crate::observe::Observer)).

mod auth;
mod frontend;
mod kv;
pub mod store;

pub use auth::AuthSvc;
pub use frontend::FrontendSvc;
pub use kv::{KvSvc, Write};

use crate::proto::auth_server::AuthServer;
use crate::proto::frontend_server::FrontendServer;
use crate::proto::kv_server::KvServer;
use tonic::service::Routes;

/// The services, by the names the spec and the protocol use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    /// `auth`.
    Auth,
    /// `kv`.
    Kv,
    /// `frontend`.
    Frontend,
}

impl Service {
    /// Every service, in the protocol's node order.
    pub const ALL: [Service; 3] = [Service::Frontend, Service::Auth, Service::Kv];

    /// Its node name (`auth`, `kv`, `frontend`).
    pub fn name(self) -> &'static str {
        match self {
            Service::Auth => "auth",
            Service::Kv => "kv",
            Service::Frontend => "frontend",
        }
    }

    /// Its gRPC service name in `proto/forum.proto` (`Auth`, ...).
    pub fn grpc_name(self) -> &'static str {
        match self {
            Service::Auth => "Auth",
            Service::Kv => "Kv",
            Service::Frontend => "Frontend",
        }
    }

    /// The service called `name`, if any.
    pub fn parse(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Routes serving one service struct (for any transport).
pub fn routes_auth(svc: AuthSvc) -> Routes {
    Routes::new(AuthServer::new(svc))
}

/// Routes serving the kv service.
pub fn routes_kv(svc: KvSvc) -> Routes {
    Routes::new(KvServer::new(svc))
}

/// Routes serving the frontend.
pub fn routes_frontend(svc: FrontendSvc) -> Routes {
    Routes::new(FrontendServer::new(svc))
}
