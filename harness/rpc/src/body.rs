//! The body both directions stream through: frames pushed into a small
//! queue by the task that checks them, pulled by hyper. An error item
//! resets the HTTP/2 stream (a refused message mid-stream never reaches the
//! peer).
//!
//! The queue is a `VecDeque` under a mutex with one waker a side, not a
//! tokio channel: a channel allocates a block of 32 slots (kilobytes, as a
//! slot holds a whole frame) for every body, i.e. for every call, and that
//! allocation showed in the proxy's profile.

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// The error type of a [`ChanBody`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One item of a body.
pub type Item = Result<Frame<Bytes>, BoxError>;

/// Frames in flight per body before the producer waits.
const DEPTH: usize = 16;

#[derive(Debug, Default)]
struct Queue {
    items: VecDeque<Item>,
    /// Live [`Sender`]s; the body ends when none is left.
    senders: usize,
    /// The body was dropped: sends fail.
    reader_gone: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

type Shared = Arc<Mutex<Queue>>;

fn lock(q: &Shared) -> MutexGuard<'_, Queue> {
    q.lock().unwrap_or_else(|p| p.into_inner())
}

/// A body fed through a queue; it ends when every sender is dropped.
#[derive(Debug)]
pub struct ChanBody {
    q: Option<Shared>,
}

impl ChanBody {
    /// A body and the sender that feeds it.
    pub fn channel() -> (Sender, ChanBody) {
        let q = Arc::new(Mutex::new(Queue {
            items: VecDeque::with_capacity(2),
            senders: 1,
            ..Queue::default()
        }));
        (Sender(q.clone()), ChanBody { q: Some(q) })
    }

    /// An empty body (a trailers-only answer carries its status in headers).
    pub fn empty() -> ChanBody {
        ChanBody { q: None }
    }
}

impl Drop for ChanBody {
    fn drop(&mut self) {
        if let Some(q) = &self.q {
            let mut g = lock(q);
            g.reader_gone = true;
            g.items.clear();
            if let Some(w) = g.writer.take() {
                w.wake();
            }
        }
    }
}

impl Body for ChanBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        let Some(q) = &self.q else {
            return Poll::Ready(None);
        };
        let mut g = lock(q);
        if let Some(item) = g.items.pop_front() {
            if let Some(w) = g.writer.take() {
                w.wake();
            }
            return Poll::Ready(Some(item));
        }
        if g.senders == 0 {
            return Poll::Ready(None);
        }
        g.reader = Some(cx.waker().clone());
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        // Also when everything was taken and every sender is gone: hyper
        // then marks the last data frame END_STREAM instead of sending an
        // empty one after it.
        self.q.as_ref().is_none_or(|q| {
            let g = lock(q);
            g.senders == 0 && g.items.is_empty()
        })
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
#[derive(Debug)]
pub struct Sender(Shared);

impl Clone for Sender {
    fn clone(&self) -> Sender {
        lock(&self.0).senders += 1;
        Sender(self.0.clone())
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut g = lock(&self.0);
        g.senders -= 1;
        if g.senders == 0 {
            if let Some(w) = g.reader.take() {
                w.wake();
            }
        }
    }
}

impl Sender {
    /// Queues `item` once there is room; `false` if the reader is gone.
    async fn send(&self, item: Item) -> bool {
        let mut item = Some(item);
        std::future::poll_fn(|cx| {
            let mut g = lock(&self.0);
            if g.reader_gone {
                return Poll::Ready(false);
            }
            if g.items.len() >= DEPTH {
                g.writer = Some(cx.waker().clone());
                return Poll::Pending;
            }
            g.items.push_back(item.take().expect("sent once"));
            if let Some(w) = g.reader.take() {
                w.wake();
            }
            Poll::Ready(true)
        })
        .await
    }

    /// Sends data; `false` if the reader is gone.
    pub async fn data(&self, bytes: Bytes) -> bool {
        self.send(Ok(Frame::data(bytes))).await
    }

    /// Sends trailers (the last frame).
    pub async fn trailers(&self, t: HeaderMap) -> bool {
        self.send(Ok(Frame::trailers(t))).await
    }

    /// Resets the stream with `why`.
    pub async fn reset(&self, why: String) {
        let _ = self.send(Err(why.into())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn frames_in_order_backpressure_and_end_when_senders_are_gone() {
        let (tx, mut body) = ChanBody::channel();
        let tx2 = tx.clone();
        let producer = tokio::spawn(async move {
            for i in 0..(3 * DEPTH as u8) {
                assert!(tx.data(Bytes::from(vec![i])).await);
            }
            assert!(tx.trailers(HeaderMap::new()).await);
        });
        let mut got = Vec::new();
        while let Some(f) = body.frame().await {
            let f = f.expect("no error");
            if let Some(d) = f.data_ref() {
                got.push(d[0]);
            } else {
                assert!(f.is_trailers());
                // One sender is still alive: the body has not ended.
                assert!(!body.is_end_stream());
                drop(tx2);
                break;
            }
        }
        producer.await.expect("producer");
        assert_eq!(got, (0..(3 * DEPTH as u8)).collect::<Vec<_>>());
        assert!(body.is_end_stream());
        assert!(body.frame().await.is_none());
        // A dropped body fails its senders.
        let (tx, body) = ChanBody::channel();
        drop(body);
        assert!(!tx.data(Bytes::new()).await);
    }
}
