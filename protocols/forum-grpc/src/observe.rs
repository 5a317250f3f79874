//! What a service tells an observer while it serves a call.
//!
//! Every request a service receives may carry, in its metadata, the id of
//! the message that carried it (`ldfi-call`, set by whoever records the
//! call: the simulation's RPC layer, or a tracing proxy). A service copies
//! it into the `ldfi-cause` metadata of every call it makes while serving
//! that request ([`CallCtx::outbound`]), and names it when it derives or
//! relies on a fact ([`Observer`]). That is the call tree: the inbound call
//! being served is the cause of the outbound calls and of the facts derived
//! while serving it. On a real process nothing sets `ldfi-call` and the
//! observer is [`NoObserver`]: the same code, no cost.

use ldfi_lineage::Fact;
use std::sync::Arc;
use tonic::metadata::MetadataValue;
use tonic::Request;

/// Request metadata: the id of the message carrying this request.
pub const CALL_HEADER: &str = "ldfi-call";
/// Request metadata: the call being served when this request was made.
pub const CAUSE_HEADER: &str = "ldfi-cause";
/// Response metadata: the id of the message carrying this response.
pub const MSG_HEADER: &str = "ldfi-msg";

/// The call a service is serving: the `ldfi-call` of its request, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallCtx(Option<String>);

impl CallCtx {
    /// The call `req` is (its `ldfi-call` metadata).
    pub fn of<T>(req: &Request<T>) -> CallCtx {
        CallCtx(
            req.metadata()
                .get(CALL_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        )
    }

    /// A call context with this id (a workload input, in simulation).
    pub fn new(id: impl Into<String>) -> CallCtx {
        CallCtx(Some(id.into()))
    }

    /// The id, if any.
    pub fn id(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// A request made while serving this call: `msg` with `ldfi-cause` set.
    pub fn outbound<T>(&self, msg: T) -> Request<T> {
        let mut req = Request::new(msg);
        if let Some(v) = self
            .0
            .as_deref()
            .and_then(|id| id.parse::<MetadataValue<_>>().ok())
        {
            req.metadata_mut().insert(CAUSE_HEADER, v);
        }
        req
    }
}

/// Receives what a service declares while it serves a call.
pub trait Observer: Send + Sync + 'static {
    /// The service derived `fact` while serving `call`.
    fn derive(&self, call: &CallCtx, fact: Fact);
    /// What the service does next while serving `call` relies on `fact`,
    /// which it holds.
    fn because(&self, call: &CallCtx, fact: &Fact);
    /// Which life of the service this is: `None` while it is down
    /// (crashed), and a number that changes each time it is restarted.
    /// Work a service put off (a write-behind flush) is done only if the
    /// life it was put off in is still the current one: a crash ends it.
    /// A real process has one life (a crash ends the process itself).
    fn life(&self) -> Option<u64> {
        Some(0)
    }
}

/// The observer of a real process: ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn derive(&self, _: &CallCtx, _: Fact) {}
    fn because(&self, _: &CallCtx, _: &Fact) {}
}

/// A shared observer.
pub type Obs = Arc<dyn Observer>;
