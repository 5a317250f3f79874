//! A raw gRPC client for any method: sends already-encoded messages,
//! returns the response messages and status. Replay, the load generator
//! and the tests call through it (it is how a caller unknown at compile
//! time talks to a service).

use crate::body::ChanBody;
use crate::error::RpcError;
use crate::frame::{self, Item, Reader};
use crate::status;
use bytes::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

/// An HTTP/2 client (one connection per target, calls multiplexed).
pub type H2 = Client<HttpConnector, ChanBody>;

/// A new client.
pub fn h2() -> H2 {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build(http)
}

/// What a call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Response message payloads, in order.
    pub messages: Vec<Bytes>,
    /// gRPC status code.
    pub code: u32,
    /// Status message.
    pub message: String,
}

/// Calls `path` (`/pkg.Service/Method`) at `base` (`http://host:port`) as
/// `caller` (`None`: no `ldfi-caller` header) with `requests` (payloads).
pub async fn call(
    c: &H2,
    base: &str,
    path: &str,
    caller: Option<&str>,
    requests: &[Bytes],
) -> Result<Reply, RpcError> {
    let frames: Vec<Bytes> = requests.iter().map(|r| frame::encode(r)).collect();
    call_raw(c, base, path, caller, frames).await
}

/// Like [`call`], with the request body's bytes as given (each item one
/// HTTP/2 data frame, no gRPC framing added: malformed input can be sent).
pub async fn call_raw(
    c: &H2,
    base: &str,
    path: &str,
    caller: Option<&str>,
    frames: Vec<Bytes>,
) -> Result<Reply, RpcError> {
    let (tx, body) = ChanBody::channel();
    let mut req = http::Request::new(body);
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = format!("{base}{path}")
        .parse()
        .map_err(|e| RpcError::input(base, e))?;
    let h = req.headers_mut();
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/grpc"),
    );
    h.insert("te", http::HeaderValue::from_static("trailers"));
    if let Some(caller) = caller {
        let v = http::HeaderValue::from_str(caller).map_err(|e| RpcError::input("caller", e))?;
        h.insert(crate::CALLER_HEADER, v);
    }
    tokio::spawn(async move {
        for f in frames {
            if !tx.data(f).await {
                return;
            }
        }
    });
    let resp = c
        .request(req)
        .await
        .map_err(|e| RpcError::Call(format!("{base}{path}: {e}")))?;
    let (parts, body) = resp.into_parts();
    if let Some((code, message)) = status::of(&parts.headers) {
        return Ok(Reply {
            messages: Vec::new(),
            code,
            message,
        });
    }
    let mut reader = Reader::new(body, usize::MAX);
    let mut messages = Vec::new();
    loop {
        match reader.next().await {
            Ok(Item::Message { payload, .. }) => messages.push(payload),
            Ok(Item::Trailers(t)) => {
                let (code, message) =
                    status::of(&t).unwrap_or((13, "trailers without grpc-status".into()));
                return Ok(Reply {
                    messages,
                    code,
                    message,
                });
            }
            Ok(Item::End) => {
                return Err(RpcError::Call(format!(
                    "{base}{path}: response ended without a status"
                )))
            }
            Err(e) => return Err(RpcError::Call(format!("{base}{path}: {e}"))),
        }
    }
}
