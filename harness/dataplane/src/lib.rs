//! The real dataplane: the same protocol model code as real processes.
//!
//! Each node of a protocol runs as a tonic gRPC server (`ldfi node`),
//! behind an enforcement sidecar (`ldfi proxy`) through which every
//! envelope it sends or receives passes; a conductor (`ldfi dataplane run`)
//! starts them as children in one process group, drives ticks in lockstep,
//! kills and relaunches processes for crashes and restarts, and assembles
//! the trace, whose hash must equal the simulated run's.
//!
//! Modules:
//! - [`proto`] — the generated gRPC code (`proto/dataplane.proto`).
//! - [`envelope`] — envelopes between the harness's types and the wire's.
//! - [`capture`] — captures: a run's traffic as JSON lines, written and read.
//! - [`child`] — child processes: one group, handshake, killed on drop.
//! - [`node`] — the node host process.
//! - [`sidecar`] — the enforcement sidecar, one layer a file.
//! - [`conductor`] — the lockstep conductor.
//! - [`load`] — the load generator of the sidecar benchmark.
//! - [`identity`] — faults by channel identity (free-running).
//! - [`relay`] — a byte relay, the benchmarks' floor row.
//! - [`error`] — typed errors.
#![deny(missing_docs)]

pub mod capture;
pub mod child;
pub mod conductor;
pub mod envelope;
pub mod error;
pub mod identity;
pub mod load;
pub mod node;
pub mod relay;
pub mod sidecar;

/// The generated gRPC code.
#[allow(missing_docs, clippy::all)]
pub mod proto {
    tonic::include_proto!("ldfi.dataplane.v1");
}

pub use error::DataplaneError;

/// The line a child prints on stdout once it serves: `ldfi-ready port=P`
/// (a sidecar adds ` metrics=M`).
pub const READY: &str = "ldfi-ready";

/// Largest envelope a sidecar or node accepts (bytes); larger ones are refused.
pub const MAX_ENVELOPE: usize = 1 << 20;
