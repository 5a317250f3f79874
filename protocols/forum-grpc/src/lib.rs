//! The web forum of ucheck as real tonic gRPC services — `auth`, `kv` and
//! `frontend` from `proto/forum.proto` — that run as real processes (tonic
//! over TCP, `ldfi forum serve`) and, the same service structs, inside
//! turmoil (HTTP/2 over turmoil's TCP, one host per service), where LDFI
//! searches them over RPCs (protocol `web-forum-grpc`).
//!
//! Modules:
//! - [`proto`] — the generated gRPC code; [`DESCRIPTOR_SET`] its descriptors.
//! - [`version`] — the variants (`correct`, `insert-before-auth`, `edit-post`).
//! - [`observe`] — what a service tells an observer while it serves a call
//!   (the call id in request metadata, declared facts): lineage in
//!   simulation, nothing on real processes.
//! - [`chan`] — the transport-agnostic channel the services call through.
//! - [`services`] — the three services.
//! - [`client`] — a client library for the frontend's API.
//! - [`load`] — a load generator over the client library.
//! - [`real`] — one service as a real process.
//! - [`caller`] — a real caller's name and deadline on the wire.
//! - [`realrun`] — a simulated schedule on the real services through the
//!   enforcement proxy (`ldfi dataplane run` for this protocol).
//! - [`event`] — gRPC messages as the enforcement checker's events (by
//!   descriptor, so the generic proxy reads them the same way).
//! - [`sim`] — the protocol `web-forum-grpc`: the services in turmoil, RPC
//!   faults from a tower layer, lineage from the call tree.
//! - [`identity`] — a simulated schedule's faults by RPC identity (caller,
//!   callee, method, k-th call), for the real proxy.
//! - [`filibuster`] — the Filibuster-style enumeration (every single RPC
//!   fault, then every pair) that the search is measured against.
#![deny(missing_docs)]

pub mod caller;
pub mod chan;
pub mod client;
pub mod event;
pub mod filibuster;
pub mod identity;
pub mod load;
pub mod observe;
pub mod real;
pub mod realrun;
pub mod services;
pub mod sim;
pub mod version;

/// The generated gRPC code (package `ldfi.forum.v1`).
#[allow(missing_docs, clippy::all)]
pub mod proto {
    tonic::include_proto!("ldfi.forum.v1");
}

pub use sim::ForumGrpc;
pub use version::Version;

/// The encoded `FileDescriptorSet` of `proto/forum.proto` (what
/// `ldfi forum descriptor OUT` writes; the generic proxy loads it).
pub const DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/forum.bin"));

/// The protocol's name in the registry.
pub const NAME: &str = "web-forum-grpc";
/// The gRPC package of every service.
pub const PACKAGE: &str = "ldfi.forum.v1";
