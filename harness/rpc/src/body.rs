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
        self.rx.is_none()
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
