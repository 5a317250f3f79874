//! The body both directions stream through: frames pushed into a channel
//! by the task that checks them, pulled by hyper. An error item resets the
//! HTTP/2 stream (a refused message mid-stream never reaches the peer).

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// The error type of a [`ChanBody`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One item of a body.
pub type Item = Result<Frame<Bytes>, BoxError>;

/// A body fed through a channel; it ends when every sender is dropped.
#[derive(Debug)]
pub struct ChanBody {
    rx: Option<mpsc::Receiver<Item>>,
}

/// Frames in flight per body before the producer waits.
const DEPTH: usize = 16;

impl ChanBody {
    /// A body and the sender that feeds it.
    pub fn channel() -> (Sender, ChanBody) {
        let (tx, rx) = mpsc::channel(DEPTH);
        (Sender(tx), ChanBody { rx: Some(rx) })
    }

    /// An empty body (a trailers-only answer carries its status in headers).
    pub fn empty() -> ChanBody {
        ChanBody { rx: None }
    }
}

impl Body for ChanBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        match self.rx.as_mut() {
            None => Poll::Ready(None),
            Some(rx) => rx.poll_recv(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        // Also when everything was taken and every sender is gone: hyper
        // then marks the last data frame END_STREAM instead of sending an
        // empty one after it.
        self.rx
            .as_ref()
            .is_none_or(|rx| rx.is_closed() && rx.is_empty())
    }
}

/// Polls `fut` once here, and spawns it only if it is not done: a body
/// whose frames are all at hand (a unary call's message, then its end or
/// trailers) is then complete before hyper first polls it, so the HTTP/2
/// headers, data and trailers leave in one write instead of one write per
/// task wake-up, and no task is spawned for it.
pub fn run_or_spawn<F>(fut: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let mut fut = Box::pin(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    if fut.as_mut().poll(&mut cx).is_pending() {
        // A spawned task is polled again, which registers its real wakers.
        tokio::spawn(fut);
    }
}

/// Feeds a [`ChanBody`]. Sends fail only when the body's reader is gone.
#[derive(Clone, Debug)]
pub struct Sender(mpsc::Sender<Item>);

impl Sender {
    /// Sends data; `false` if the reader is gone.
    pub async fn data(&self, bytes: Bytes) -> bool {
        self.0.send(Ok(Frame::data(bytes))).await.is_ok()
    }

    /// Sends trailers (the last frame).
    pub async fn trailers(&self, t: HeaderMap) -> bool {
        self.0.send(Ok(Frame::trailers(t))).await.is_ok()
    }

    /// Resets the stream with `why`.
    pub async fn reset(&self, why: String) {
        let _ = self.0.send(Err(why.into())).await;
    }
}
