//! A generic gRPC enforcement proxy: any service described by a protobuf
//! descriptor set, decoded at runtime with `prost-reflect`, each request and
//! response checked by the `ldfi-enforce` checker against a spec, forwarded
//! or refused; calls recorded, replayed, and faulted by identity.
//!
//! Identities: the **callee** is the name of the upstream a call goes to
//! (`--name`, or `NAME=` of `--upstream NAME=ADDR`); the **caller** is the
//! value of the request's [`CALLER_HEADER`] metadata (`ldfi-caller`), or the
//! proxy's default caller for that callee (`--caller`). A call is the event
//! `caller -> callee request METHOD{fields}`; each response message is
//! `callee -> caller response METHOD{fields}`. Fields are the message's by
//! name, nested messages flattened with dots ([`event`]).
//!
//! Modules, one layer a file:
//! - [`descriptor`] — the descriptor set (or `.proto` files) and routes.
//! - [`event`] — a decoded message as a checker event.
//! - [`frame`] — gRPC length-prefixed frames, read incrementally.
//! - [`body`] — the channel body both directions stream through.
//! - [`status`] — gRPC status codes and trailers-only answers.
//! - [`enforce`] — the checker, reloaded on `SIGHUP` or a file change.
//! - [`faults`] — RPC faults addressed by identity.
//! - [`record`] — refusal records (JSONL), counters, captures.
//! - [`capture`] — recorded traffic (JSON lines).
//! - [`client`] — a raw gRPC client for any method.
//! - [`upstream`] — the HTTP/2 client to the upstreams, on `h2` directly.
//! - [`call`] — one call through the proxy, message by message.
//! - [`server`] — the process: listeners, handshake, metrics.
//! - [`replay`] — replaying a capture against a target.
//! - [`load`] — the load generator of the proxy benchmark.
//! - [`demo`] — the demo services of the tests and the benchmark.
//! - [`error`] — typed errors.
#![deny(missing_docs)]

pub mod body;
pub mod call;
pub mod capture;
pub mod client;
pub mod demo;
pub mod descriptor;
pub mod enforce;
pub mod error;
pub mod event;
pub mod faults;
pub mod frame;
pub mod load;
pub mod record;
pub mod replay;
pub mod server;
pub mod status;
pub mod upstream;

pub use error::RpcError;

/// The request metadata naming the caller: `ldfi-caller: frontend`.
pub const CALLER_HEADER: &str = "ldfi-caller";

/// The default size limit of one message (bytes); larger ones are refused.
pub const MAX_MESSAGE: usize = 4 << 20;
