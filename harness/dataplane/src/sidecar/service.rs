//! The sidecar's gRPC service and process: `Forward`, `ForwardBatch`,
//! `ForwardStream`, `Tick`, `Stats`, and the Prometheus port.

use super::refusals::RefusalsLayer;
use super::stream::BatchStream;
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
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};

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
    let svc = Svc(Arc::new(Inner {
        sc: sc.clone(),
        url: format!("http://127.0.0.1:{port}"),
        peers: Mutex::new(Vec::new()),
        clients: Mutex::new(BTreeMap::new()),
        streams: Mutex::new(BTreeMap::new()),
        node: Mutex::new(None),
    }));
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

/// The service: its state is shared with the tasks of its streams.
struct Svc(Arc<Inner>);

struct Inner {
    sc: Arc<Sidecar>,
    url: String,
    peers: Mutex<Vec<String>>,
    /// Unary clients to peers' sidecars (`Forward`).
    clients: Mutex<BTreeMap<String, SidecarClient<Channel>>>,
    /// One `ForwardStream` per peer's sidecar (the batches' hot path).
    streams: Mutex<BTreeMap<String, Arc<BatchStream>>>,
    node: Mutex<Option<(String, NodeClient<Channel>)>>,
}

/// The routes of a batch whose envelopes for other nodes are on their way.
type Pending = Pin<Box<dyn Future<Output = Result<Routes, Status>> + Send>>;

impl Inner {
    async fn peer_url(&self, to: usize) -> Result<String, Status> {
        self.peers.lock().await.get(to).cloned().ok_or_else(|| {
            Status::failed_precondition(format!("sidecar: no address for node {to} yet"))
        })
    }

    async fn connect(url: &str, to: usize) -> Result<SidecarClient<Channel>, Status> {
        Ok(SidecarClient::connect(url.to_string())
            .await
            .map_err(|e| Status::unavailable(format!("sidecar of node {to} at {url}: {e}")))?
            .max_decoding_message_size(crate::MAX_ENVELOPE)
            .max_encoding_message_size(64 * crate::MAX_ENVELOPE))
    }

    async fn peer(&self, to: usize) -> Result<(String, SidecarClient<Channel>), Status> {
        let url = self.peer_url(to).await?;
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(&url) {
            return Ok((url, c.clone()));
        }
        let c = Self::connect(&url, to).await?;
        clients.insert(url.clone(), c.clone());
        Ok((url, c))
    }

    /// The open stream to node `to`'s sidecar (opened if there is none or
    /// the last one broke).
    async fn peer_stream(&self, to: usize) -> Result<(String, Arc<BatchStream>), Status> {
        let url = self.peer_url(to).await?;
        let mut streams = self.streams.lock().await;
        if let Some(s) = streams.get(&url).filter(|s| s.is_open()) {
            return Ok((url, s.clone()));
        }
        let mut c = Self::connect(&url, to).await?;
        let s = Arc::new(BatchStream::open(&mut c).await.map_err(|e| {
            Status::unavailable(format!("sidecar of node {to} at {url}: {}", e.message()))
        })?);
        streams.insert(url.clone(), s.clone());
        Ok((url, s))
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

    /// A batch through the stack: each envelope in order; those for other
    /// nodes sent on, one batch per receiver's stream, before this returns
    /// (so batches keep their order per channel); the routes once every
    /// receiver answered.
    async fn start_batch(&self, batch: Vec<Envelope>) -> Result<Pending, Status> {
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
        let mut waits = Vec::new();
        for (to, (at, envelopes)) in onward {
            let (url, stream) = self.peer_stream(to as usize).await?;
            waits.push((to, url, at, stream.send(Batch { envelopes })));
        }
        Ok(Box::pin(async move {
            for (to, url, at, reply) in waits {
                let got = reply
                    .await
                    .map_err(|e| {
                        Status::unavailable(format!(
                            "sidecar of node {to} at {url}: {}",
                            e.message()
                        ))
                    })?
                    .routes;
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
            Ok(Routes { routes })
        }))
    }
}

#[tonic::async_trait]
impl crate::proto::sidecar_server::Sidecar for Svc {
    async fn forward(&self, req: Request<Envelope>) -> Result<Response<Route>, Status> {
        let env = req.into_inner();
        match self.0.sc.forward(&env)? {
            Next::Done(route) => Ok(Response::new(route)),
            Next::Peer(to) => {
                let (url, mut peer) = self.0.peer(to as usize).await?;
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
        let pending = self.0.start_batch(req.into_inner().envelopes).await?;
        Ok(Response::new(pending.await?))
    }

    type ForwardStreamStream = ReceiverStream<Result<Routes, Status>>;

    async fn forward_stream(
        &self,
        req: Request<Streaming<Batch>>,
    ) -> Result<Response<Self::ForwardStreamStream>, Status> {
        let mut batches = req.into_inner();
        let inner = self.0.clone();
        let (pending_tx, mut pending) = mpsc::channel::<Pending>(64);
        let (answers, rx) = mpsc::channel(64);
        // Batches are taken and sent on in order; their answers are given
        // in the same order, while later batches are already on their way.
        tokio::spawn(async move {
            while let Ok(Some(batch)) = batches.message().await {
                let p = match inner.start_batch(batch.envelopes).await {
                    Ok(p) => p,
                    Err(e) => Box::pin(std::future::ready(Err(e))) as Pending,
                };
                if pending_tx.send(p).await.is_err() {
                    return;
                }
            }
        });
        tokio::spawn(async move {
            while let Some(p) = pending.recv().await {
                let answer = p.await;
                let failed = answer.is_err();
                if answers.send(answer).await.is_err() || failed {
                    // An error status ends the stream.
                    return;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn tick(&self, req: Request<TickRequest>) -> Result<Response<TickReply>, Status> {
        let req = req.into_inner();
        let me = &self.0;
        if !req.peers.is_empty() {
            *me.peers.lock().await = req.peers.clone();
        }
        let due = me.sc.due(req.tick);
        if !req.up {
            return Ok(Response::new(TickReply {
                step: None,
                delivered: Vec::new(),
                lost_down: due,
            }));
        }
        let mut node = me.node(&req.node).await?;
        let step = node
            .step(StepRequest {
                tick: req.tick,
                arrived: due.clone(),
                resume: req.resume,
                sidecar: me.url.clone(),
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
            prometheus: self.0.sc.prometheus(),
            violations: self.0.sc.violations(),
            hits: self.0.sc.hits(),
        }))
    }
}
