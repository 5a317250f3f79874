//! Typed errors of the proxy and its tools.

use std::path::PathBuf;

/// What can go wrong starting or driving the proxy.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Bad input: a file or flag that cannot be used (exit 2).
    #[error("{0}")]
    Input(String),
    /// A file cannot be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A socket or runtime failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// A call to a target failed outright (not with a gRPC status).
    #[error("{0}")]
    Call(String),
}

impl RpcError {
    /// A bad-input error naming `what` (a file, field or flag).
    pub fn input(what: impl std::fmt::Display, why: impl std::fmt::Display) -> RpcError {
        RpcError::Input(format!("{what}: {why}"))
    }
}
