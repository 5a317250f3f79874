//! HTTP/2 over turmoil's TCP: servers and client connections built from
//! hyper's connection builders (no tonic transport, whose accept loop
//! polls an unbiased `select!` — tokio's branch order there comes from a
//! per-process random seed, so runs would differ between processes). Every
//! task hyper starts is spawned on the host's `LocalSet`.

use bytes::Bytes;
use http::HeaderMap;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The port every service listens on.
pub(crate) const PORT: u16 = 9000;

/// Runs hyper's connection and stream tasks on the current `LocalSet`
/// (turmoil's host runtime), in spawn order.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LocalExec;

impl<F> hyper::rt::Executor<F> for LocalExec
where
    F: Future + 'static,
{
    fn execute(&self, fut: F) {
        tokio::task::spawn_local(fut);
    }
}

/// A body already in memory: its data, then its trailers (a unary gRPC
/// message re-sent after the RPC layer read it).
pub(crate) struct Buffered {
    data: Option<Bytes>,
    trailers: Option<HeaderMap>,
}

impl Buffered {
    pub(crate) fn new(data: Bytes, trailers: Option<HeaderMap>) -> Self {
        Buffered {
            data: (!data.is_empty()).then_some(data),
            trailers,
        }
    }
}

impl http_body::Body for Buffered {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(d))));
        }
        Poll::Ready(
            self.trailers
                .take()
                .map(|t| Ok(http_body::Frame::trailers(t))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.trailers.is_none()
    }
}

/// Reads a whole body: its bytes and trailers.
pub(crate) async fn collect<B>(body: B) -> Result<(Bytes, Option<HeaderMap>), String>
where
    B: http_body::Body,
    B::Error: std::fmt::Display,
{
    use http_body_util::BodyExt;
    let c = body.collect().await.map_err(|e| e.to_string())?;
    let trailers = c.trailers().cloned();
    Ok((c.to_bytes(), trailers))
}

/// An HTTP/2 connection from this host to `host`'s service, retried
/// every tick until the server listens.
pub(crate) async fn connect(
    host: &str,
) -> Result<hyper::client::conn::http2::SendRequest<tonic::body::Body>, String> {
    let stream = loop {
        match turmoil::net::TcpStream::connect((host, PORT)).await {
            Ok(s) => break s,
            Err(_) => tokio::time::sleep(super::TICK).await,
        }
    };
    let (send, conn) = hyper::client::conn::http2::Builder::new(LocalExec)
        .handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP/2 handshake with {host}: {e}"))?;
    tokio::task::spawn_local(conn);
    Ok(send)
}

/// Serves `svc` on [`PORT`] of this host, one HTTP/2 connection per
/// accepted TCP connection, for ever.
pub(crate) async fn serve<S>(svc: S) -> turmoil::Result
where
    S: tower::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<tonic::body::Body>,
            Error = Infallible,
        > + Clone
        + 'static,
    S::Future: 'static,
{
    let listener = turmoil::net::TcpListener::bind(("0.0.0.0", PORT)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let svc = hyper_util::service::TowerToHyperService::new(svc.clone());
        let conn = hyper::server::conn::http2::Builder::new(LocalExec)
            .auto_date_header(false)
            .serve_connection(TokioIo::new(stream), svc);
        tokio::task::spawn_local(async move {
            let _ = conn.await;
        });
    }
}
