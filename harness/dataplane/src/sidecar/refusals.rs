//! The transport layer's refusals: a tower layer under the gRPC service
//! that logs and counts every call answered with an error status —
//! unknown methods, oversized or undecodable requests tonic rejects
//! before the service sees them, as well as the service's own refusals.

use super::Sidecar;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tonic::codegen::http;

/// Wraps a service with [`Refusals`].
#[derive(Clone)]
pub struct RefusalsLayer(pub Arc<Sidecar>);

impl<S> tower::Layer<S> for RefusalsLayer {
    type Service = Refusals<S>;
    fn layer(&self, inner: S) -> Refusals<S> {
        Refusals {
            inner,
            sc: self.0.clone(),
        }
    }
}

/// Logs the calls its inner service answers with an error status.
#[derive(Clone)]
pub struct Refusals<S> {
    inner: S,
    sc: Arc<Sidecar>,
}

impl<S, B, R> tower::Service<http::Request<B>> for Refusals<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>> + Send,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let path = req.uri().path().to_string();
        let sc = self.sc.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            let header = |k: &str| {
                resp.headers()
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            if let Some(code) = header("grpc-status").filter(|c| c != "0") {
                let message = header("grpc-message").unwrap_or_default();
                sc.transport_refusal(&path, &code, &message);
            }
            Ok(resp)
        })
    }
}
