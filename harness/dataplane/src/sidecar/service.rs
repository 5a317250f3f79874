//! The sidecar's gRPC service and process: `Forward`, `Tick`, `Stats`, and
//! the Prometheus port.

use super::refusals::RefusalsLayer;
use super::{Config, Next, Sidecar};
use crate::child::{announce, exit_with_parent};
use crate::error::DataplaneError;
use crate::node::runtime;
use crate::proto::node_client::NodeClient;
use crate::proto::sidecar_client::SidecarClient;
use crate::proto::sidecar_server::SidecarServer;
use crate::proto::{
    Batch, Envelope, Route, Routes, StatsReply, StatsRequest, StepRequest, TickReply, TickRequest,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Mutex;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

/// Serves a sidecar on OS-assigned loopback ports (gRPC and metrics) until
/// the process is killed or its stdin closes. Prints
/// `ldfi-ready port=P metrics=M` once both accept connections.
pub fn serve(cfg: Config) -> Result<(), DataplaneError> {
    exit_with_parent();
    let rt = runtime()?;
    let started = rt.block_on(start(cfg))?;
    announce(&[
        ("port", started.port.to_string()),
        ("metrics", started.metrics.to_string()),
    ]);
    rt.block_on(std::future::pending::<()>());
    Ok(())
}

/// The ports of a started sidecar.
#[derive(Clone, Copy, Debug)]
pub struct Started {
    /// gRPC.
    pub port: u16,
    /// Prometheus text over HTTP.
    pub metrics: u16,
}

/// Starts a sidecar's servers on the current tokio runtime (in a test, in
/// this process); they run until the runtime stops.
pub async fn start(cfg: Config) -> Result<Started, DataplaneError> {
    let io = |what: &str| {
        let what = format!("sidecar: {what}");
        move |source| DataplaneError::Io { what, source }
    };
    let grpc = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(io("listen on 127.0.0.1"))?;
    let port = grpc.local_addr().map_err(io("listen on 127.0.0.1"))?.port();
    let incoming = tonic::transport::server::TcpIncoming::from(grpc).with_nodelay(Some(true));
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(io("listen for metrics"))?;
    let metrics_port = metrics
        .local_addr()
        .map_err(io("listen for metrics"))?
        .port();
    let sc = Arc::new(Sidecar::new(cfg));
    let render = {
        let sc = sc.clone();
        Arc::new(move || sc.prometheus()) as Arc<dyn Fn() -> String + Send + Sync>
    };
    tokio::spawn(super::metrics::serve(metrics, render));
    let svc = Svc {
        sc: sc.clone(),
        url: format!("http://127.0.0.1:{port}"),
        peers: Mutex::new(Vec::new()),
        clients: Mutex::new(BTreeMap::new()),
        node: Mutex::new(None),
    };
    let server = tonic::transport::Server::builder()
        .layer(RefusalsLayer(sc))
        .add_service(
            SidecarServer::new(svc)
                .max_decoding_message_size(crate::MAX_ENVELOPE)
                .max_encoding_message_size(64 * crate::MAX_ENVELOPE),
        )
        .serve_with_incoming(incoming);
    tokio::spawn(async move {
        if let Err(e) = server.await {
            eprintln!("sidecar: server stopped: {e}");
        }
    });
    Ok(Started {
        port,
        metrics: metrics_port,
    })
}

struct Svc {
    sc: Arc<Sidecar>,
    url: String,
    peers: Mutex<Vec<String>>,
    clients: Mutex<BTreeMap<String, SidecarClient<Channel>>>,
    node: Mutex<Option<(String, NodeClient<Channel>)>>,
}

impl Svc {
    async fn peer(&self, to: usize) -> Result<(String, SidecarClient<Channel>), Status> {
        let url = self.peers.lock().await.get(to).cloned().ok_or_else(|| {
            Status::failed_precondition(format!("sidecar: no address for node {to} yet"))
        })?;
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(&url) {
            return Ok((url, c.clone()));
        }
        let c = SidecarClient::connect(url.clone())
            .await
            .map_err(|e| Status::unavailable(format!("sidecar of node {to} at {url}: {e}")))?
            .max_decoding_message_size(crate::MAX_ENVELOPE)
            .max_encoding_message_size(crate::MAX_ENVELOPE);
        clients.insert(url.clone(), c.clone());
        Ok((url, c))
    }

    async fn node(&self, url: &str) -> Result<NodeClient<Channel>, Status> {
        let mut slot = self.node.lock().await;
        if let Some((u, c)) = slot.as_ref() {
            if u == url {
                return Ok(c.clone());
            }
        }
        let c = NodeClient::connect(url.to_string())
            .await
            .map_err(|e| Status::unavailable(format!("node at {url}: {e}")))?
            .max_decoding_message_size(64 * crate::MAX_ENVELOPE)
            .max_encoding_message_size(64 * crate::MAX_ENVELOPE);
        *slot = Some((url.to_string(), c.clone()));
        Ok(c)
    }
}

#[tonic::async_trait]
impl crate::proto::sidecar_server::Sidecar for Svc {
    async fn forward(&self, req: Request<Envelope>) -> Result<Response<Route>, Status> {
        let env = req.into_inner();
        match self.sc.forward(&env)? {
            Next::Done(route) => Ok(Response::new(route)),
            Next::Peer(to) => {
                let (url, mut peer) = self.peer(to as usize).await?;
                let reply = peer.forward(env).await.map_err(|e| {
                    if e.code() == tonic::Code::Unavailable || e.code() == tonic::Code::Unknown {
                        Status::unavailable(format!(
                            "sidecar of node {to} at {url}: {}",
                            e.message()
                        ))
                    } else {
                        e
                    }
                })?;
                Ok(reply)
            }
        }
    }

    async fn forward_batch(&self, req: Request<Batch>) -> Result<Response<Routes>, Status> {
        let batch = req.into_inner().envelopes;
        let n = batch.len();
        let mut routes: Vec<Option<Route>> = vec![None; n];
        // Each envelope through the stack, in order; those for other
        // nodes gathered per receiver, in order.
        let mut onward: BTreeMap<u16, (Vec<usize>, Vec<Envelope>)> = BTreeMap::new();
        for (k, env) in batch.into_iter().enumerate() {
            match self.sc.forward(&env) {
                Ok(Next::Done(route)) => routes[k] = Some(route),
                Ok(Next::Peer(to)) => {
                    let (at, envs) = onward.entry(to).or_default();
                    at.push(k);
                    envs.push(env);
                }
                Err(status) => {
                    routes[k] = Some(Route {
                        lost: String::new(),
                        refused: status.message().to_string(),
                    })
                }
            }
        }
        // One batch per receiver's sidecar, all at once.
        let mut calls = tokio::task::JoinSet::new();
        for (to, (at, envelopes)) in onward {
            let (url, mut peer) = self.peer(to as usize).await?;
            calls.spawn(async move {
                let reply = peer.forward_batch(Batch { envelopes }).await;
                (to, url, at, reply)
            });
        }
        while let Some(joined) = calls.join_next().await {
            let (to, url, at, reply) = joined.expect("a forwarding task does not panic");
            let reply = reply.map_err(|e| {
                Status::unavailable(format!("sidecar of node {to} at {url}: {}", e.message()))
            })?;
            let got = reply.into_inner().routes;
            if got.len() != at.len() {
                return Err(Status::internal(format!(
                    "sidecar of node {to} at {url}: {} routes for {} envelopes",
                    got.len(),
                    at.len()
                )));
            }
            for (k, route) in at.into_iter().zip(got) {
                routes[k] = Some(route);
            }
        }
        let routes = routes
            .into_iter()
            .map(|r| r.expect("every envelope has a route"))
            .collect();
        Ok(Response::new(Routes { routes }))
    }

    async fn tick(&self, req: Request<TickRequest>) -> Result<Response<TickReply>, Status> {
        let req = req.into_inner();
        if !req.peers.is_empty() {
            *self.peers.lock().await = req.peers.clone();
        }
        let due = self.sc.due(req.tick);
        if !req.up {
            return Ok(Response::new(TickReply {
                step: None,
                delivered: Vec::new(),
                lost_down: due,
            }));
        }
        let mut node = self.node(&req.node).await?;
        let step = node
            .step(StepRequest {
                tick: req.tick,
                arrived: due.clone(),
                resume: req.resume,
                sidecar: self.url.clone(),
            })
            .await?
            .into_inner();
        Ok(Response::new(TickReply {
            step: Some(step),
            delivered: due,
            lost_down: Vec::new(),
        }))
    }

    async fn stats(&self, _req: Request<StatsRequest>) -> Result<Response<StatsReply>, Status> {
        Ok(Response::new(StatsReply {
            prometheus: self.sc.prometheus(),
            violations: self.sc.violations(),
            hits: self.sc.hits(),
        }))
    }
}
