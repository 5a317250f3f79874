//! A client library for the frontend's API: one call per method, each
//! bounded by the timing's timeout (a call that gets no answer in time is
//! `DEADLINE_EXCEEDED`), each tagged with the caller's [`CallCtx`]. A client
//! of a real frontend ([`ForumClient::connect`]) also says on the wire who
//! calls (`ldfi-caller`: the `client` it acts for) and how long it waits
//! (`grpc-timeout`), for a proxy in between (see [`crate::caller`]).

use crate::chan::{Chan, Timing};
use crate::observe::CallCtx;
use crate::proto::frontend_client::FrontendClient;
use crate::proto::*;
use std::future::Future;
use tonic::{Response, Status};

/// A client of the forum's frontend.
#[derive(Clone)]
pub struct ForumClient {
    inner: FrontendClient<Chan>,
    timing: Timing,
    /// Whether calls carry `ldfi-caller` and `grpc-timeout` (real processes).
    stamp: bool,
}

impl ForumClient {
    /// A client calling through `chan`.
    pub fn new(chan: Chan, timing: Timing) -> Self {
        ForumClient {
            inner: FrontendClient::new(chan),
            timing,
            stamp: false,
        }
    }

    /// A client of the frontend at `addr` (`host:port`) over TCP.
    pub fn connect(addr: &str) -> Result<Self, String> {
        ForumClient::connect_with(addr, Timing::REAL)
    }

    /// A client of the frontend at `addr` over TCP that waits `timing`.
    pub fn connect_with(addr: &str, timing: Timing) -> Result<Self, String> {
        let mut c = ForumClient::new(crate::chan::tcp(addr)?, timing);
        c.stamp = true;
        Ok(c)
    }

    /// `req` as `client` sends it: on a real process, with its name and
    /// its deadline on the wire.
    fn stamped<T>(&self, mut req: tonic::Request<T>, client: &str) -> tonic::Request<T> {
        if self.stamp {
            if let Ok(v) = client.parse() {
                req.metadata_mut().insert(crate::caller::CALLER_HEADER, v);
            }
            req.set_timeout(self.timing.rpc_timeout);
        }
        req
    }

    async fn bounded<T>(
        &self,
        f: impl Future<Output = Result<Response<T>, Status>>,
    ) -> Result<T, Status> {
        match tokio::time::timeout(self.timing.rpc_timeout, f).await {
            Ok(r) => r.map(Response::into_inner),
            Err(_) => Err(Status::deadline_exceeded("no answer in time")),
        }
    }

    /// Logs `client` in.
    pub async fn login(
        &self,
        call: &CallCtx,
        client: &str,
        credential: &str,
    ) -> Result<LoginResponse, Status> {
        let req = call.outbound(LoginRequest {
            client: client.into(),
            credential: credential.into(),
        });
        let req = self.stamped(req, client);
        let mut c = self.inner.clone();
        self.bounded(c.login(req)).await
    }

    /// Posts `text` under `topic` as `client`.
    pub async fn post(
        &self,
        call: &CallCtx,
        client: &str,
        topic: &str,
        text: &str,
    ) -> Result<PostResponse, Status> {
        let req = call.outbound(PostRequest {
            client: client.into(),
            topic: topic.into(),
            text: text.into(),
        });
        let req = self.stamped(req, client);
        let mut c = self.inner.clone();
        self.bounded(c.post(req)).await
    }

    /// Asks to replace `client`'s post under `topic` (a correct forum refuses).
    pub async fn edit(
        &self,
        call: &CallCtx,
        client: &str,
        topic: &str,
        text: &str,
    ) -> Result<EditResponse, Status> {
        let req = call.outbound(EditRequest {
            client: client.into(),
            topic: topic.into(),
            text: text.into(),
        });
        let req = self.stamped(req, client);
        let mut c = self.inner.clone();
        self.bounded(c.edit(req)).await
    }

    /// Reads every post under `topic`.
    pub async fn read(
        &self,
        call: &CallCtx,
        client: &str,
        topic: &str,
    ) -> Result<ReadResponse, Status> {
        let req = call.outbound(ReadRequest {
            client: client.into(),
            topic: topic.into(),
        });
        let req = self.stamped(req, client);
        let mut c = self.inner.clone();
        self.bounded(c.read(req)).await
    }
}
