//! The demo services (`proto/demo.proto`): `Auth` (a client's credential is
//! `pw-CLIENT`) and `Kv` (an in-memory map, with a server-streaming `Scan`
//! and a client-streaming `Batch`). The proxy's tests and benchmark run
//! them as a real upstream process (`ldfi proxy --demo-upstream`); the
//! proxy itself knows them only through their descriptor set.

use crate::error::RpcError;
use prost_reflect::DescriptorPool;
use proto::auth_server::{Auth, AuthServer};
use proto::kv_server::{Kv, KvServer};
use proto::*;
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Mutex;
use tonic::{Request, Response, Status, Streaming};

/// The generated code of `proto/demo.proto`.
#[allow(missing_docs, clippy::all)]
pub mod proto {
    tonic::include_proto!("ldfi.demo.v1");
}

/// The descriptor set of `proto/demo.proto` (binary `FileDescriptorSet`).
pub const DESCRIPTOR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/demo.fds"));

/// The demo services' descriptor pool.
pub fn pool() -> DescriptorPool {
    DescriptorPool::decode(DESCRIPTOR).expect("the demo descriptor set decodes")
}

/// A spec for the demo services, in the forum's terms: a client's posts
/// go to `kv` only after `auth` said its credential is good (`I2`), and
/// nothing is ever modified (`I1`); a stored value never leaks a
/// credential (`no_credential_leak`, checked on responses). An event's kind
/// is the method, so a message of the `Batch` stream is a `Batch`.
pub const SPEC: &str = r#"
let auth_ok = auth -> _ response Authenticate{client = $c, ok = true};
let insert  = _ -> kv request Insert{client = $c};
let batch   = _ -> kv request Batch{client = $c};

rule I1_posts_immutable {
    never [_ -> kv Modify];
}

rule I2_only_authenticated_clients_post {
    key $c;
    forbid insert | batch before auth_ok;
}

rule no_credential_leak {
    never [kv -> _ response Scan{value contains "pw-"}] | [kv -> _ response Get{value contains "pw-"}];
}
"#;

/// The `Auth` service.
#[derive(Debug, Default)]
pub struct AuthSvc;

#[tonic::async_trait]
impl Auth for AuthSvc {
    async fn authenticate(
        &self,
        r: Request<AuthenticateRequest>,
    ) -> Result<Response<AuthenticateResponse>, Status> {
        let r = r.into_inner();
        let ok = r.credential == format!("pw-{}", r.client);
        Ok(Response::new(AuthenticateResponse {
            client: r.client,
            ok,
        }))
    }
}

/// The `Kv` service.
#[derive(Debug, Default)]
pub struct KvSvc {
    map: Mutex<BTreeMap<String, String>>,
}

impl KvSvc {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type EntryStream = Pin<Box<dyn tokio_stream::Stream<Item = Result<Entry, Status>> + Send>>;

#[tonic::async_trait]
impl Kv for KvSvc {
    async fn insert(&self, r: Request<InsertRequest>) -> Result<Response<InsertResponse>, Status> {
        let r = r.into_inner();
        self.map().insert(r.key.clone(), r.value);
        Ok(Response::new(InsertResponse {
            client: r.client,
            key: r.key,
        }))
    }

    async fn get(&self, r: Request<GetRequest>) -> Result<Response<GetResponse>, Status> {
        let key = r.into_inner().key;
        let value = self.map().get(&key).cloned();
        Ok(Response::new(GetResponse {
            found: value.is_some(),
            value: value.unwrap_or_default(),
            key,
        }))
    }

    async fn modify(&self, r: Request<InsertRequest>) -> Result<Response<InsertResponse>, Status> {
        self.insert(r).await
    }

    type ScanStream = EntryStream;

    async fn scan(&self, r: Request<ScanRequest>) -> Result<Response<EntryStream>, Status> {
        let prefix = r.into_inner().prefix;
        let entries: Vec<Result<Entry, Status>> = self
            .map()
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| {
                Ok(Entry {
                    key: k.clone(),
                    value: v.clone(),
                })
            })
            .collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(entries))))
    }

    async fn batch(
        &self,
        r: Request<Streaming<InsertRequest>>,
    ) -> Result<Response<BatchResponse>, Status> {
        let mut s = r.into_inner();
        let mut inserted = 0;
        while let Some(m) = s.message().await? {
            self.map().insert(m.key, m.value);
            inserted += 1;
        }
        Ok(Response::new(BatchResponse { inserted }))
    }
}

/// Serves both demo services on an OS-assigned loopback port until the
/// process is killed or its stdin closes; prints `ldfi-ready port=P`.
pub fn serve() -> Result<(), RpcError> {
    ldfi_dataplane::child::exit_with_parent();
    // One thread, as every child of the dataplane (see its `runtime`).
    let rt = ldfi_dataplane::node::current_thread().map_err(|source| RpcError::Io {
        what: "start the runtime".into(),
        source,
    })?;
    rt.block_on(async {
        let (port, server) = start().await?;
        ldfi_dataplane::child::announce(&[("port", port.to_string())]);
        server.await;
        Ok(())
    })
}

/// Starts the demo services on this runtime: the port, and the future
/// that serves (spawned by the caller or awaited).
pub async fn start() -> Result<(u16, impl std::future::Future<Output = ()>), RpcError> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|source| RpcError::Io {
            what: "demo: listen".into(),
            source,
        })?;
    let port = l
        .local_addr()
        .map_err(|source| RpcError::Io {
            what: "demo: listen".into(),
            source,
        })?
        .port();
    let incoming = tonic::transport::server::TcpIncoming::from(l).with_nodelay(Some(true));
    let server = tonic::transport::Server::builder()
        .add_service(AuthServer::new(AuthSvc))
        .add_service(KvServer::new(KvSvc::default()))
        .serve_with_incoming(incoming);
    Ok((port, async move {
        if let Err(e) = server.await {
            eprintln!("demo: {e}");
        }
    }))
}
