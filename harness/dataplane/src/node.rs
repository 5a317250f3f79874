//! The node host: one node of a protocol as a real gRPC server.
//!
//! The node's model runs on the calling thread (a model is a plain state
//! machine, not `Send`) through [`RemoteNode`], the harness's seam: the
//! same `World::step` as in simulation. The gRPC server runs on a tokio
//! runtime and hands each `Step` to that thread; what the node sends in a
//! tick goes to its sidecar in one batch, in send order, on one long-lived
//! stream (`ForwardStream`), and the fate each
//! envelope comes back with (delivered or lost, and why) goes back into
//! the trace.

use crate::child::{announce, exit_with_parent};
use crate::envelope::{arrival, outbound, parse_loss};
use crate::error::DataplaneError;
use crate::proto::node_server::{Node, NodeServer};
use crate::proto::sidecar_client::SidecarClient;
use crate::proto::{Batch, StepReply, StepRequest};
use crate::sidecar::stream::BatchStream;
use ldfi_harness::remote::{Arrival, Outbound, RemoteNode, Snapshot};
use ldfi_lineage::{Loss, NodeIdx, Tick};
use std::collections::BTreeMap;
use std::sync::{mpsc, Arc};
use tokio::sync::{oneshot, Mutex};
use tonic::{Request, Response, Status};

/// Work for the model's thread.
enum Job {
    Step {
        tick: Tick,
        arrived: Vec<Arrival>,
        resume: Option<Snapshot>,
        reply: oneshot::Sender<Result<Vec<Outbound>, String>>,
    },
    Finish {
        losses: Vec<Option<Loss>>,
        reply: oneshot::Sender<(Vec<u8>, Vec<u8>)>,
    },
}

/// Serves `host` (node `me`) on an OS-assigned loopback port until the
/// process is killed or its stdin closes. Prints `ldfi-ready port=P` once
/// it accepts connections.
pub fn serve(mut host: Box<dyn RemoteNode>, me: NodeIdx) -> Result<(), DataplaneError> {
    exit_with_parent();
    let (jobs, queue) = mpsc::channel::<Job>();
    let rt = runtime()?;
    let (port, incoming) = listen(&rt, "node")?;
    let svc = NodeSvc {
        me,
        jobs: std::sync::Mutex::new(jobs),
        sidecar: Mutex::new(None),
        channel_seq: Mutex::new(BTreeMap::new()),
    };
    let server = tonic::transport::Server::builder()
        .add_service(
            NodeServer::new(svc)
                .max_decoding_message_size(64 * crate::MAX_ENVELOPE)
                .max_encoding_message_size(64 * crate::MAX_ENVELOPE),
        )
        .serve_with_incoming(incoming);
    // The runtime gets a thread of its own: this one runs the model (it is
    // not `Send`) and blocks on its job queue, which a current-thread
    // runtime driven from here would never get past.
    std::thread::Builder::new()
        .name("node-rpc".into())
        .spawn(move || {
            if let Err(e) = rt.block_on(server) {
                eprintln!("node: server stopped: {e}");
            }
            std::process::exit(3);
        })
        .map_err(|source| DataplaneError::Io {
            what: "node: start the server's thread".into(),
            source,
        })?;
    announce(&[("port", port.to_string())]);
    // The model's thread: one job at a time, in arrival order.
    for job in queue {
        match job {
            Job::Step {
                tick,
                arrived,
                resume,
                reply,
            } => {
                if let Some(s) = resume {
                    host.resume(&s);
                }
                let _ = reply.send(host.step(tick, arrived).map_err(|e| e.to_string()));
            }
            Job::Finish { losses, reply } => {
                let (events, snapshot) = host.finish(&losses);
                let events = serde_json::to_vec(&events).expect("events serialize");
                let snapshot = serde_json::to_vec(&snapshot).expect("snapshots serialize");
                let _ = reply.send((events, snapshot));
            }
        }
    }
    Ok(())
}

/// The runtime of a child process's servers and load generators: one
/// thread (`new_current_thread`), deliberately. A child serves one node,
/// one proxy or one load on machines with few cores, where every process
/// of a cluster shares them: a multi-threaded runtime only adds work
/// stealing, cross-thread wake-ups and lock traffic to every call (its
/// p50 at one call in flight was about 20 % worse, see BENCHMARKS.md).
/// Nothing run on it may block the thread: the node's model runs on its
/// own thread and talks to the runtime through channels.
pub fn runtime() -> Result<tokio::runtime::Runtime, DataplaneError> {
    current_thread().map_err(|source| DataplaneError::Io {
        what: "start the tokio runtime".into(),
        source,
    })
}

/// The runtime of [`runtime`], its error as it comes.
pub fn current_thread() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Binds an OS-assigned loopback port; returns it and its connections as
/// tonic serves them (no Nagle delay: envelopes are small).
pub fn listen(
    rt: &tokio::runtime::Runtime,
    who: &str,
) -> Result<(u16, tonic::transport::server::TcpIncoming), DataplaneError> {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|source| DataplaneError::Io {
            what: format!("{who}: listen on 127.0.0.1"),
            source,
        })?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    Ok((port, incoming))
}

struct NodeSvc {
    me: NodeIdx,
    jobs: std::sync::Mutex<mpsc::Sender<Job>>,
    /// The stream to the sidecar (by its URL).
    sidecar: Mutex<Option<(String, Arc<BatchStream>)>>,
    /// Envelopes sent so far per receiver: the `channel_seq` of the next.
    channel_seq: Mutex<BTreeMap<NodeIdx, u64>>,
}

impl NodeSvc {
    fn submit(&self, job: Job) -> Result<(), Status> {
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| Status::internal("node: job queue poisoned"))?;
        jobs.send(job)
            .map_err(|_| Status::unavailable("node: the model's thread stopped"))
    }

    /// The open stream to the sidecar at `url` (opened if there is none,
    /// it moved, or the last one broke).
    async fn sidecar(&self, url: &str) -> Result<Arc<BatchStream>, Status> {
        let mut slot = self.sidecar.lock().await;
        if let Some((u, s)) = slot.as_ref() {
            if u == url && s.is_open() {
                return Ok(s.clone());
            }
        }
        let unavailable =
            |e: &dyn std::fmt::Display| Status::unavailable(format!("node: sidecar {url}: {e}"));
        let mut c = SidecarClient::connect(url.to_string())
            .await
            .map_err(|e| unavailable(&e))?
            .max_decoding_message_size(64 * crate::MAX_ENVELOPE)
            .max_encoding_message_size(64 * crate::MAX_ENVELOPE);
        let s = Arc::new(
            BatchStream::open(&mut c)
                .await
                .map_err(|e| unavailable(&e.message()))?,
        );
        *slot = Some((url.to_string(), s.clone()));
        Ok(s)
    }

    /// Sends the tick's envelopes through the sidecar in one batch, in
    /// send order; the fate of each.
    async fn send_all(&self, url: &str, sends: &[Outbound]) -> Result<Vec<Option<Loss>>, Status> {
        let mut losses: Vec<Option<Loss>> = sends.iter().map(|o| o.lost).collect();
        let mut batch = Vec::new();
        let mut at = Vec::new();
        {
            let mut seqs = self.channel_seq.lock().await;
            for (j, o) in sends.iter().enumerate() {
                if o.lost.is_some() {
                    continue;
                }
                let k = seqs.entry(o.to).or_insert(0);
                batch.push(outbound(o, *k));
                at.push(j);
                *k += 1;
            }
        }
        if batch.is_empty() {
            return Ok(losses);
        }
        let stream = self.sidecar(url).await?;
        let routes = stream
            .send(Batch { envelopes: batch })
            .await
            .map_err(|e| Status::unavailable(format!("node: sidecar {url}: {}", e.message())))?
            .routes;
        if routes.len() != at.len() {
            return Err(Status::internal(format!(
                "node: sidecar {url}: {} routes for {} envelopes",
                routes.len(),
                at.len()
            )));
        }
        for (j, route) in at.into_iter().zip(routes) {
            losses[j] = if route.refused.is_empty() {
                parse_loss(&route.lost).map_err(Status::internal)?
            } else {
                // Refused by a sidecar (fail closed): lost, and the node goes on.
                let o = &sends[j];
                eprintln!(
                    "node: {} to node {} refused: {}",
                    o.label, o.to, route.refused
                );
                Some(Loss::Refused)
            };
        }
        Ok(losses)
    }
}

#[tonic::async_trait]
impl Node for NodeSvc {
    async fn step(&self, req: Request<StepRequest>) -> Result<Response<StepReply>, Status> {
        let req = req.into_inner();
        if req.arrived.iter().any(|e| e.to as NodeIdx != self.me) {
            return Err(Status::invalid_argument(
                "node: an envelope for another node",
            ));
        }
        let resume = if req.resume.is_empty() {
            None
        } else {
            Some(
                serde_json::from_slice(&req.resume)
                    .map_err(|e| Status::invalid_argument(format!("node: field `resume`: {e}")))?,
            )
        };
        let (tx, rx) = oneshot::channel();
        self.submit(Job::Step {
            tick: req.tick,
            arrived: req.arrived.iter().map(arrival).collect(),
            resume,
            reply: tx,
        })?;
        let sends = rx
            .await
            .map_err(|_| Status::internal("node: the model's thread stopped"))?
            .map_err(Status::invalid_argument)?;
        let losses = self.send_all(&req.sidecar, &sends).await?;
        let (tx, rx) = oneshot::channel();
        self.submit(Job::Finish { losses, reply: tx })?;
        let (events, snapshot) = rx
            .await
            .map_err(|_| Status::internal("node: the model's thread stopped"))?;
        Ok(Response::new(StepReply { events, snapshot }))
    }
}
