//! The client end of a `ForwardStream`: one long-lived stream per channel
//! on which batches pipeline. [`BatchStream::send`] may be called from
//! many tasks at once; each gets the routes of its own batch, because
//! batches are sent and answered in one order (the sender enqueues its
//! reply slot and its batch under one lock, and the reader answers slots
//! front to back).

use crate::proto::sidecar_client::SidecarClient;
use crate::proto::{Batch, Routes};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::transport::Channel;
use tonic::Status;

type Slot = oneshot::Sender<Result<Routes, Status>>;

/// An open `ForwardStream` to one sidecar.
pub struct BatchStream {
    /// The batches out.
    out: mpsc::UnboundedSender<Batch>,
    /// The reply slots, in send order.
    slots: Arc<Mutex<VecDeque<Slot>>>,
    broken: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl BatchStream {
    /// Opens a stream on `client` (must run on a tokio runtime: its reader
    /// is a task).
    pub async fn open(client: &mut SidecarClient<Channel>) -> Result<BatchStream, Status> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut answers = client
            .forward_stream(UnboundedReceiverStream::new(rx))
            .await?
            .into_inner();
        let slots: Arc<Mutex<VecDeque<Slot>>> = Arc::default();
        let broken = Arc::new(AtomicBool::new(false));
        let (reader_slots, reader_broken) = (slots.clone(), broken.clone());
        tokio::spawn(async move {
            let why = loop {
                match answers.message().await {
                    Ok(Some(routes)) => match lock(&reader_slots).pop_front() {
                        Some(slot) => {
                            let _ = slot.send(Ok(routes));
                        }
                        None => break Status::internal("routes for a batch never sent"),
                    },
                    Ok(None) => break Status::unavailable("the stream ended"),
                    Err(e) => break e,
                }
            };
            // Under the slots' lock: no sender enqueues after the drain.
            let mut slots = lock(&reader_slots);
            reader_broken.store(true, Ordering::SeqCst);
            for slot in slots.drain(..) {
                let _ = slot.send(Err(why.clone()));
            }
        });
        Ok(BatchStream {
            out: tx,
            slots,
            broken,
        })
    }

    /// False once the stream failed or ended: open a new one.
    pub fn is_open(&self) -> bool {
        !self.broken.load(Ordering::SeqCst)
    }

    /// Sends `batch` now (in order with every other `send` on this stream)
    /// and returns its routes' future: the send happens before this
    /// returns, so a caller can start the next batch before awaiting.
    pub fn send(
        &self,
        batch: Batch,
    ) -> impl std::future::Future<Output = Result<Routes, Status>> + Send + 'static {
        let (slot, answer) = oneshot::channel();
        let sent = {
            // Under the lock: the slot's place is the batch's place.
            let mut slots = lock(&self.slots);
            if self.broken.load(Ordering::SeqCst) {
                false
            } else {
                slots.push_back(slot);
                self.out.send(batch).is_ok()
            }
        };
        async move {
            if !sent {
                return Err(Status::unavailable("the stream is closed"));
            }
            answer
                .await
                .unwrap_or_else(|_| Err(Status::unavailable("the stream is closed")))
        }
    }
}
