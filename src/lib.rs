//! ldfi as a library: the whole `ldfi` command line on your own protocols,
//! and everything a protocol crate needs in one dependency.
//!
//! A crate that models a protocol gets `ldfi list`, `search`, `replay`,
//! `explain`, `corpus check` and `bench` for it with one `main`:
//!
//! ```no_run
//! use ldfi::Registry;
//! # struct MyProtocol;
//! # impl ldfi::Protocol for MyProtocol {
//! #     type Msg = ();
//! #     fn info(&self) -> ldfi::ProtocolInfo { unimplemented!() }
//! #     fn nodes(&self, _: &ldfi::Setup) -> Vec<Box<dyn ldfi::Node<()>>> { vec![] }
//! #     fn inputs(&self, _: &ldfi::Setup) -> Vec<ldfi::Input<()>> { vec![] }
//! #     fn invariants(&self, _: &ldfi::Setup) -> Vec<ldfi::Invariant> { vec![] }
//! # }
//! fn main() -> std::process::ExitCode {
//!     ldfi::cli::main(Registry::new().with(MyProtocol))
//! }
//! ```
//!
//! and tests its protocols with [`Search`](search::Search) (see the guide,
//! [`guide`]). The shipped `ldfi` binary is this same entry point with
//! `ldfi_protocols::registry()`.
//!
//! Modules:
//! - [`cli`] — the command line, [`cli::main`].
//! - re-exported from `ldfi-harness`: the model API ([`Protocol`], [`Node`],
//!   [`Ctx`], [`Invariant`], [`Prop`], [`Fact`], [`EndState`]), [`search`]
//!   (the test API), [`corpus`], [`schedule`], [`Registry`], and the
//!   [`guide`].
#![deny(missing_docs)]

pub mod cli;

pub use ldfi_harness::registry::{DynProtocol, Registry};

/// The protocols the `ldfi` binary ships: the models of `ldfi-protocols`
/// and `web-forum-grpc`, the forum's real gRPC services in turmoil.
pub fn shipped_registry() -> Registry {
    ldfi_protocols::registry().with_dyn(Box::new(ldfi_forum_grpc::ForumGrpc))
}
pub use ldfi_harness::{
    corpus, guide, schedule, search, Cause, Ctx, EndState, Fact, Fault, FaultSet, Input, Invariant,
    Node, NodeId, Params, Prop, Protocol, ProtocolInfo, Setup, Tick, Verdict,
};
