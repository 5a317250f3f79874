//! Who calls, on the wire. Every request a real service or client sends
//! carries `ldfi-caller` (its name: a proxy in front of the callee names
//! the caller without being told, `ldfi proxy --caller` is only needed for
//! callers that do not say) and `grpc-timeout` (how long it waits: a proxy
//! that drops the call answers when the caller would give up, as in
//! simulation, where a lost message leaves its caller to time out).
//!
//! Only real processes stamp their calls; in simulation the RPC layer knows
//! every channel's two ends.

use crate::chan::Chan;
use std::time::Duration;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;

/// Request metadata: the caller's name (the proxy's `ldfi-caller`).
pub const CALLER_HEADER: &str = ldfi_rpc::CALLER_HEADER;

/// `timeout` as a `grpc-timeout` value (milliseconds; at least 1).
pub fn grpc_timeout(timeout: Duration) -> http::HeaderValue {
    let ms = timeout.as_millis().clamp(1, 99_999_999);
    http::HeaderValue::from_str(&format!("{ms}m")).expect("digits and a unit")
}

/// `chan`, with every request stamped as made by `caller`, waiting `timeout`.
pub fn stamped(chan: Chan, caller: &str, timeout: Duration) -> Result<Chan, String> {
    let name = http::HeaderValue::from_str(caller)
        .map_err(|_| format!("caller `{caller}` is not a header value"))?;
    let deadline = grpc_timeout(timeout);
    Ok(BoxCloneSyncService::new(chan.map_request(
        move |mut req: http::Request<tonic::body::Body>| {
            let h = req.headers_mut();
            h.insert(CALLER_HEADER, name.clone());
            h.insert("grpc-timeout", deadline.clone());
            req
        },
    )))
}
