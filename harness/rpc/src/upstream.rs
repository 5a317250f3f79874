//! The proxy's client to its upstreams, written on `h2` directly: one
//! HTTP/2 connection per upstream, opened on first use and reopened when it
//! breaks; a call is a stream opened from the calling task (no task per
//! call, no hand-off to a dispatch task), and a request whose first message
//! is at hand leaves as HEADERS and DATA in the same write. A call alone in
//! the proxy writes it at once ([`Conn::flush`]); calls that arrive
//! together leave in one write when the connection's task runs.

use bytes::Bytes;
use h2::client::SendRequest;
use h2::{RecvStream, SendStream};
use http::HeaderMap;
use http_body::{Body, Frame};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};

/// Why a call could not be sent upstream.
#[derive(Debug)]
pub struct UpstreamError(pub String);

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type H2Conn = h2::client::Connection<tokio::net::TcpStream, Bytes>;

/// An h2 connection driven by its own task, which a call may also poll at
/// once (with the task's waker) to write what it just queued instead of
/// waiting for the task's turn.
#[derive(Default)]
struct Driver {
    conn: Mutex<Option<Pin<Box<H2Conn>>>>,
    waker: Mutex<Option<std::task::Waker>>,
}

impl Driver {
    fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut g = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let Some(c) = g.as_mut() else {
            return Poll::Ready(());
        };
        if c.as_mut().poll(cx).is_ready() {
            *g = None;
            return Poll::Ready(());
        }
        Poll::Pending
    }

    /// Polls the connection now, as its task would.
    fn flush(&self) {
        let w = self.waker.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(w) = w {
            let _ = self.poll(&mut Context::from_waker(&w));
        }
    }
}

/// One upstream's connection.
pub struct Conn {
    /// `host:port`.
    addr: String,
    send: Mutex<Option<(SendRequest<Bytes>, std::sync::Arc<Driver>)>>,
}

impl Conn {
    /// A connection to `base` (`http://host:port`), opened on first use.
    pub fn new(base: &str) -> Conn {
        let addr = base
            .split_once("://")
            .map_or(base, |(_, rest)| rest)
            .trim_end_matches('/')
            .to_string();
        Conn {
            addr,
            send: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<(SendRequest<Bytes>, std::sync::Arc<Driver>)> {
        self.send.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn store(&self, s: Option<(SendRequest<Bytes>, std::sync::Arc<Driver>)>) {
        *self.send.lock().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// Writes what calls queued on the connection now, instead of when its
    /// task next runs (after every task woken before it).
    pub fn flush(&self) {
        if let Some((_, d)) = self.cached() {
            d.flush();
        }
    }

    async fn connect(&self) -> Result<SendRequest<Bytes>, UpstreamError> {
        let io = tokio::net::TcpStream::connect(&self.addr)
            .await
            .map_err(|e| UpstreamError(format!("connect: {e}")))?;
        let _ = io.set_nodelay(true);
        let (send, conn) = h2::client::Builder::new()
            // The proxy reads every message as it comes: windows as large
            // as hyper's client gave (2 MiB a stream, 5 MiB in all).
            .initial_window_size(2 << 20)
            .initial_connection_window_size(5 << 20)
            .handshake(io)
            .await
            .map_err(|e| UpstreamError(format!("HTTP/2 handshake: {e}")))?;
        let driver = std::sync::Arc::new(Driver::default());
        *driver.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::pin(conn));
        let d = driver.clone();
        tokio::spawn(std::future::poll_fn(move |cx| {
            // Ends when the upstream closes or breaks the connection; the
            // next call then finds its handle closed and reconnects.
            *d.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
            d.poll(cx)
        }));
        self.store(Some((send.clone(), driver)));
        Ok(send)
    }

    /// A handle ready to open a stream: the open connection's, or a new
    /// connection's if there is none or it broke.
    pub async fn ready(&self) -> Result<SendRequest<Bytes>, UpstreamError> {
        if let Some((s, _)) = self.cached() {
            match s.ready().await {
                Ok(s) => return Ok(s),
                Err(_) => self.store(None),
            }
        }
        let s = self.connect().await?;
        s.ready()
            .await
            .map_err(|e| UpstreamError(format!("HTTP/2: {e}")))
    }
}

/// A response body read from an h2 stream, handing its flow-control
/// capacity back as each chunk is taken.
pub struct H2Body {
    recv: RecvStream,
    data_done: bool,
}

impl H2Body {
    /// The body of a received response.
    pub fn new(recv: RecvStream) -> H2Body {
        H2Body {
            recv,
            data_done: false,
        }
    }
}

impl Body for H2Body {
    type Data = Bytes;
    type Error = h2::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, h2::Error>>> {
        if !self.data_done {
            match ready!(self.recv.poll_data(cx)) {
                Some(Ok(d)) => {
                    let _ = self.recv.flow_control().release_capacity(d.len());
                    return Poll::Ready(Some(Ok(Frame::data(d))));
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => self.data_done = true,
            }
        }
        match ready!(self.recv.poll_trailers(cx)) {
            Ok(Some(t)) => Poll::Ready(Some(Ok(Frame::trailers(t)))),
            Ok(None) => Poll::Ready(None),
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.recv.is_end_stream()
    }
}

/// The request half of a call upstream.
pub struct Outbound(SendStream<Bytes>);

impl Outbound {
    /// Wraps a stream's send half.
    pub fn new(s: SendStream<Bytes>) -> Outbound {
        Outbound(s)
    }

    /// Sends a message at once, buffered if the stream has no send
    /// capacity yet (the first message of a call: at most the size limit).
    /// `false` if the stream is gone.
    pub fn send_now(&mut self, frame: Bytes, end: bool) -> bool {
        self.0.send_data(frame, end).is_ok()
    }

    /// Sends a message as the peer's flow control allows (a streaming
    /// call's later messages: a slow upstream holds the caller back
    /// instead of filling memory). `false` if the stream is gone.
    pub async fn send(&mut self, mut frame: Bytes, end: bool) -> bool {
        loop {
            self.0.reserve_capacity(frame.len());
            let cap = self.0.capacity();
            let cap = if cap > 0 || frame.is_empty() {
                cap
            } else {
                match std::future::poll_fn(|cx| self.0.poll_capacity(cx)).await {
                    Some(Ok(n)) => n,
                    _ => return false,
                }
            };
            if cap >= frame.len() {
                return self.0.send_data(frame, end).is_ok();
            }
            let chunk = frame.split_to(cap);
            if self.0.send_data(chunk, false).is_err() {
                return false;
            }
        }
    }

    /// Ends the request (no more messages).
    pub fn end(&mut self) {
        let _ = self.0.send_data(Bytes::new(), true);
    }

    /// Ends the request with trailers.
    pub fn trailers(&mut self, t: HeaderMap) {
        let _ = self.0.send_trailers(t);
    }

    /// Resets the stream: the upstream never gets the rest.
    pub fn reset(&mut self) {
        self.0.send_reset(h2::Reason::CANCEL);
    }
}
