//! The RPC layer: two tower layers that see every call whole.
//!
//! [`RpcLayer`] wraps a caller's channel to one callee. For each call it
//! reads the request, records its `Send` (caused by the call the caller is
//! serving, named by `ldfi-cause`), tags it with its message id
//! (`ldfi-call`), and applies the schedule: drop the request (the caller
//! waits and times out), answer `UNAVAILABLE` at once, or delay it. When
//! the response comes back it records its `Deliver` (a cause of what the
//! caller does next while serving the same call).
//!
//! [`ServeLayer`] wraps a service's routes: it records the request's
//! `Deliver` (or its loss, if the service is down), serves it, and records
//! the response's `Send` — which the schedule may drop or delay.
//!
//! Faults never touch the TCP connection underneath (a lost segment would
//! freeze turmoil's connection for ever): a dropped message is a call the
//! layer never forwards, or a response it never returns.

use super::net::{collect, Buffered};
use super::recorder::{call_id, lock, parse_call_id, Fate, Shared};
use crate::chan::{BoxError, ChanError};
use crate::observe::{CALL_HEADER, CAUSE_HEADER, MSG_HEADER};
use ldfi_lineage::NodeIdx;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tonic::body::Body;
use tower::{Layer, Service, ServiceExt};

type BoxFut<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;
type LocalFut<T, E> = Pin<Box<dyn Future<Output = Result<T, E>>>>;

/// A header value from a string the recorder made (always ASCII).
fn header(s: &str) -> http::HeaderValue {
    http::HeaderValue::from_str(s).expect("message ids are ASCII")
}

/// Wraps a channel from `caller` to `callee`.
#[derive(Clone)]
pub(crate) struct RpcLayer {
    pub(crate) caller: NodeIdx,
    pub(crate) callee: NodeIdx,
    pub(crate) rec: Shared,
}

impl<S> Layer<S> for RpcLayer {
    type Service = Rpc<S>;
    fn layer(&self, inner: S) -> Rpc<S> {
        Rpc {
            layer: self.clone(),
            inner,
        }
    }
}

/// The caller's side of the RPC layer ([`RpcLayer`]).
#[derive(Clone)]
pub(crate) struct Rpc<S> {
    layer: RpcLayer,
    inner: S,
}

impl<S, B> Service<http::Request<Body>> for Rpc<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: std::fmt::Display + Send,
{
    type Response = http::Response<Body>;
    type Error = ChanError;
    type Future = BoxFut<http::Response<Body>, ChanError>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ChanError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let RpcLayer {
            caller,
            callee,
            rec,
        } = self.layer.clone();
        let inner = self.inner.clone();
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let (bytes, _) = collect(body).await.map_err(|e| ChanError(e.into()))?;
            let cause = parts
                .headers
                .remove(CAUSE_HEADER)
                .and_then(|v| v.to_str().ok().map(str::to_string));
            let path = parts.uri.path().to_string();
            let fate = lock(&rec).send_request(caller, callee, &path, &bytes, cause.as_deref());
            let id = match fate {
                Fate::Drop => return std::future::pending().await,
                Fate::Error => {
                    return Ok(tonic::Status::unavailable("ldfi: injected error status").into_http())
                }
                Fate::Go { id, delay } => {
                    if delay > 0 {
                        tokio::time::sleep(super::TICK * delay).await;
                    }
                    id
                }
            };
            parts.headers.insert(CALL_HEADER, header(&call_id(id)));
            let req = http::Request::from_parts(parts, Body::new(Buffered::new(bytes, None)));
            let resp = inner.oneshot(req).await.map_err(|e| ChanError(e.into()))?;
            let (parts, body) = resp.into_parts();
            let (data, trailers) = collect(body).await.map_err(|e| ChanError(e.into()))?;
            let rid = parts
                .headers
                .get(MSG_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_call_id);
            if let Some(rid) = rid {
                let delivered = lock(&rec).deliver_response(caller, rid, cause.as_deref());
                if !delivered {
                    return std::future::pending().await;
                }
            }
            Ok(http::Response::from_parts(
                parts,
                Body::new(Buffered::new(data, trailers)),
            ))
        })
    }
}

/// Wraps the routes of service host `me`.
#[derive(Clone)]
pub(crate) struct ServeLayer {
    pub(crate) me: NodeIdx,
    pub(crate) rec: Shared,
}

impl<S> Layer<S> for ServeLayer {
    type Service = Served<S>;
    fn layer(&self, inner: S) -> Served<S> {
        Served {
            layer: self.clone(),
            inner,
        }
    }
}

/// The callee's side of the RPC layer ([`ServeLayer`]).
#[derive(Clone)]
pub(crate) struct Served<S> {
    layer: ServeLayer,
    inner: S,
}

impl<S> Service<http::Request<hyper::body::Incoming>> for Served<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = LocalFut<http::Response<Body>, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<hyper::body::Incoming>) -> Self::Future {
        let ServeLayer { me, rec } = self.layer.clone();
        let inner = self.inner.clone();
        Box::pin(async move {
            let id = req
                .headers()
                .get(CALL_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_call_id);
            let Some(id) = id else {
                // Not a recorded call: served as is.
                return inner.oneshot(req.map(Body::new)).await;
            };
            let served = lock(&rec).deliver_request(me, id);
            if served.is_none() {
                return std::future::pending().await;
            }
            let path = req.uri().path().to_string();
            let resp = inner.oneshot(req.map(Body::new)).await?;
            let (mut parts, body) = resp.into_parts();
            let (data, trailers) = collect(body).await.unwrap_or_default();
            // (A statement of its own: a guard in a `match` scrutinee would
            // live across the awaits of its arms.)
            // An error status answered in the headers (trailers-only).
            let status = tonic::Status::from_header_map(&parts.headers)
                .filter(|s| s.code() != tonic::Code::Ok)
                .map(|s| format!("{:?}", s.code()));
            let fate = lock(&rec).send_response(me, id, &path, &data, status);
            let rid = match fate {
                Fate::Go { id, delay } => {
                    if delay > 0 {
                        tokio::time::sleep(super::TICK * delay).await;
                    }
                    id
                }
                Fate::Drop | Fate::Error => return std::future::pending().await,
            };
            parts.headers.insert(MSG_HEADER, header(&call_id(rid)));
            Ok(http::Response::from_parts(
                parts,
                Body::new(Buffered::new(data, trailers)),
            ))
        })
    }
}
