//! Enforcement predicates for ldfi, in the style of ucheck and Aragog: a
//! small spec language of per-service **models** and **forbidden
//! sequences** keyed by a correlation variable, compiled to one DFA per rule
//! and checked over a stream of message events with one automaton state per
//! key. Pure: no I/O, no async; the same [`Checker`] runs in the simulator
//! (a violation is a counterexample) and in a dataplane proxy (a violating
//! message is dropped and logged).
//!
//! ```
//! use ldfi_enforce::{Checker, Dir, MsgEvent, Spec};
//! let spec = Spec::parse("forum.spec", r#"
//!     let auth_ok = auth -> frontend response Authenticate{client = $c, ok = true};
//!     let insert  = frontend -> kv request Insert{client = $c};
//!     rule I2 { key $c; forbid insert before auth_ok; }
//! "#).unwrap();
//! let mut checker = Checker::new(&spec);
//! let insert = MsgEvent::new("frontend", "kv", Dir::Request, "Insert").with("client", "c1");
//! let v = checker.observe(&insert);
//! assert_eq!(v.len(), 1);
//! assert_eq!(v[0].to_string(), r#"rule `I2` for $c = "c1" at event 0 (witness: 0)"#);
//! ```
//!
//! The language (grammar, semantics, examples) is documented in
//! [`spec_language`] (also `harness/enforce/SPEC.md`).
//!
//! # Modules
//!
//! | module | holds |
//! |---|---|
//! | [`spec_language`] | the spec language reference (docs only) |
//! | `value` | [`Value`]: field values and literals |
//! | `event` | [`MsgEvent`], [`Dir`], [`split_rpc_kind`] |
//! | `ser`, `ser_compound`, `ser_flatten` | a `serde::Serializer` that turns a message into kind and fields ([`message_parts`]) |
//! | `error` | [`SpecError`] (file:line:col), [`SpecErrorKind`], [`SerError`] |
//! | `token`, `lexer` | spec source → tokens |
//! | `ast` | the syntax tree |
//! | `parser`, `parse_pattern`, `parse_regex` | tokens → syntax tree |
//! | `resolve`, `resolve_rule`, `resolve_model` | names, variables and keys; compiled rules and models |
//! | `pattern` | compiled message patterns: matching and variable binding |
//! | `nfa`, `dfa` | regular expressions → Thompson NFA → table-driven DFA |
//! | `dfa_reference` | (tests) a naive matcher the DFA is checked against |
//! | `spec` | [`Spec`]: the compiled spec and its per-kind index |
//! | `intern` | interning key values to small ids |
//! | `lookup` | a lookup-only hash map (never iterated) and its deterministic hasher |
//! | `checker` | [`Checker`]: per-key automata over an event stream |
//! | `model_check` | checking events against service models |
//! | `violation` | [`Violation`], [`Source`] |
#![deny(missing_docs)]

mod ast;
mod checker;
mod dfa;
#[cfg(test)]
mod dfa_reference;
mod error;
mod event;
mod intern;
mod lexer;
mod lookup;
mod model_check;
mod nfa;
mod parse_pattern;
mod parse_regex;
mod parser;
mod pattern;
mod resolve;
mod resolve_model;
mod resolve_rule;
mod ser;
mod ser_compound;
mod ser_flatten;
mod spec;
pub mod spec_language;
mod token;
mod value;
mod violation;

pub use checker::Checker;
pub use error::{SerError, SpecError, SpecErrorKind};
pub use event::{split_rpc_kind, Dir, MsgEvent};
pub use ser::message_parts;
pub use spec::Spec;
pub use value::Value;
pub use violation::{Source, Violation, WITNESS_MAX};
