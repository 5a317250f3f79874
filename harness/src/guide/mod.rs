//! # The guide: your own protocol under ldfi, step by step
//!
//! Five steps, each a doctest that runs: [model a protocol](#1-model-a-protocol),
//! [write an invariant that reads absence](#2-write-an-invariant-that-reads-absence),
//! [search it in a test](#3-search-it-in-a-test), [read the report](#4-read-the-report),
//! [keep a corpus](#5-keep-a-corpus). The running example is a
//! primary-backup register whose v1 acknowledges a write before the
//! backup has it. A complete crate built the same way is
//! `examples/quorum-write` in the repository.
//!
//! Your crate depends on `ldfi` (the command line and, re-exported, this
//! harness) and `serde` (messages travel as serde values).
//!
//! ## 1. Model a protocol
//!
//! A protocol is a set of named nodes, each a deterministic state machine
//! ([`Node`](crate::Node)) that acts only through its
//! [`Ctx`](crate::Ctx): `send` a message (it arrives next tick unless a
//! fault loses it), `derive` a fact (a tuple such as `stored(7)`, held *at*
//! this node), set timers. The [`Protocol`](crate::Protocol) names the
//! nodes, versions and workloads, builds the nodes, gives the workload's
//! inputs, and states the invariants checked at the end of time (EOT).
//! Nothing else is needed: lineage (why each fact holds) is recorded from
//! what the handlers do.
//!
//! ```
#![doc = include_str!("register.rs")]
//! // One run, no faults: the write is stored at both nodes and acked.
//! use ldfi_harness::schedule::Schedule;
//! let info = ldfi_harness::Protocol::info(&Register);
//! let s = Schedule::parse(r#"{"format":1,"protocol":"register","version":"v1"}"#, "inline".as_ref()).unwrap();
//! let run = ldfi_harness::run(&Register, &s.run_config(&info, None, None)).unwrap();
//! assert_eq!(run.verdict, ldfi_harness::Verdict::Good);
//! assert_eq!(run.end.holders(&stored(7)), ["primary", "backup"]);
//! ```
//!
//! To get the whole `ldfi` command line (`list`, `search`, `replay`,
//! `explain`, `corpus check`, `bench`) for it, give the crate a binary:
//!
//! ```text
//! fn main() -> std::process::ExitCode {
//!     ldfi::cli::main(ldfi::Registry::new().with(Register))
//! }
//! ```
//!
//! and run `cargo run -- search --protocol register --version v1`.
//! `RUST_LOG=ldfi_harness=debug` shows each execution as a `tracing` event.
//!
//! ## 2. Write an invariant that reads absence
//!
//! An [`Invariant`](crate::Invariant) is `pre ⇒ post`, both computed from
//! the [`EndState`](crate::EndState) as [`Prop`](crate::Prop)s — not Rust
//! `bool`s — because the same `Prop` is what the search tries to break:
//! it explains the `Prop` by its lineage and looks for faults that cut
//! every explanation. Ask the end state *where* a fact holds
//! ([`holds_at_prop`](crate::EndState::holds_at_prop),
//! [`held_by_at_least_prop`](crate::EndState::held_by_at_least_prop),
//! [`held_by_every_up_prop`](crate::EndState::held_by_every_up_prop)) and
//! whether a node is up ([`crashed_prop`](crate::EndState::crashed_prop)),
//! instead of writing node names into facts.
//!
//! An invariant may read an *absence*: "no ack unless the backup has the
//! value" is `¬acked(7) ∨ backup holds stored(7)`. Write the absence as
//! [`absent_prop`](crate::EndState::absent_prop) (or
//! [`none_at_prop`](crate::EndState::none_at_prop), or `Prop::not`), never
//! as a `bool` you computed: the search then learns the absence's
//! *negative support* — the messages that, delivered, would have made the
//! fact appear — and can break it by faults too.
//!
//! ```
//! # include!("register.rs");
//! # fn main() {
//! use ldfi_harness::{Invariant, Prop};
//! let no_ack_without_copy = Invariant::new("no-ack-without-copy", |end| {
//!     let post = Prop::Or(vec![
//!         end.absent_prop(&acked(7)),
//!         end.holds_at_prop("backup", &stored(7)),
//!     ]);
//!     (Prop::True, post)
//! });
//! // Evaluate it on v1's run where the copy to the backup is lost:
//! use ldfi_harness::schedule::Schedule;
//! let info = ldfi_harness::Protocol::info(&Register);
//! let s = Schedule::parse(r#"{"format":1,"protocol":"register","version":"v1",
//!     "faults":[{"omit":{"from":"primary","to":"backup","at":1}}]}"#, "inline".as_ref()).unwrap();
//! let run = ldfi_harness::run(&Register, &s.run_config(&info, None, None)).unwrap();
//! let (pre, post) = (no_ack_without_copy.check)(&run.end);
//! assert!(run.end.eval(&pre) && !run.end.eval(&post));
//! assert_eq!(run.end.missing(&post), [stored(7)]);
//! // The register's own invariant says the same and fails the same way:
//! assert!(run.verdict.is_violated());
//! # }
//! ```
//!
//! ## 3. Search it in a test
//!
//! [`Search`](crate::search::Search) runs the search with defaults for
//! everything (the protocol's default version, workload and bounds, the
//! ldfi strategy, certificates confirmed on happens-before lineage);
//! set what the test is about and assert the verdict:
//!
//! ```
//! # include!("register.rs");
//! # fn main() {
//! use ldfi_harness::search::Search;
//! // In a #[test]:
//! let found = Search::new(&Register).version("v1").bounds(5, 3, 0).assert_counterexample();
//! let cex = &found.counterexamples[0];
//! assert_eq!(cex.config.faults.to_string(), "{omit(primary, backup, 1)}");
//!
//! let mut executions = 0;
//! Search::new(&Register)
//!     .version("v2")
//!     .bounds(5, 3, 0)
//!     .on_progress(|p| executions = p.executions)
//!     .assert_certified();
//! assert!(executions > 1);
//! # }
//! ```
//!
//! When `assert_certified` fails, its panic message names the violated
//! invariant, the minimal fault set, the schedule file it saved (under
//! `target/ldfi-counterexamples/`) and a command to paste into a shell:
//! `cargo run -q --manifest-path …/Cargo.toml --bin YOUR_BIN -- replay FILE`,
//! which re-runs exactly that counterexample with your binary from step 1
//! (exit code 1: violated).
//!
//! ## 4. Read the report
//!
//! `ldfi search` prints the verdict, what it rests on, and for a
//! counterexample its minimal fault set, the facts missing at EOT and a
//! spacetime diagram (one column per node, one row per tick, lost
//! messages marked); `ldfi replay FILE` prints the same for a saved
//! schedule, `ldfi explain FILE` the lineage graph of a good run (DOT,
//! JSON or Soufflé facts), and `--report DIR` on `search`, `replay` and
//! `corpus check` writes a self-contained HTML report to open in a
//! browser. `--json` prints one JSON object for scripts. From a test, the
//! same diagram is one call away:
//!
//! ```
//! # include!("register.rs");
//! # fn main() {
//! # use ldfi_harness::search::Search;
//! let found = Search::new(&Register).version("v1").assert_counterexample();
//! let cex = &found.counterexamples[0];
//! let diagram = ldfi_harness::diagram::spacetime(&cex.run.trace);
//! assert!(diagram.contains("primary") && diagram.contains("backup"));
//! assert!(cex.run.verdict.to_string().contains("acked-is-replicated"));
//! # }
//! ```
//!
//! ## 5. Keep a corpus
//!
//! A counterexample is worth keeping: save it as a schedule file (named by
//! its content, with the verdict and trace hash it gave) in a directory
//! of your repository, and replay the directory in one `#[test]` — a
//! schedule that stops reproducing (the bug fixed, or the behaviour
//! changed) fails the test with the file and the replay command.
//! `ldfi search` saves its counterexamples this way (`--corpus DIR`), and
//! `ldfi corpus check DIR` is the same replay on the command line.
//!
//! ```
//! # include!("register.rs");
//! # fn main() {
//! # use ldfi_harness::search::Search;
//! use ldfi_harness::corpus;
//! let dir = std::env::temp_dir().join("ldfi-guide-corpus");
//! # let _ = std::fs::remove_dir_all(&dir);
//! let found = Search::new(&Register).version("v1").assert_counterexample();
//! let path = corpus::save("register", &found.counterexamples[0], &dir).unwrap();
//! assert!(path.starts_with(&dir));
//! // In a #[test]: every schedule of `register` under the directory reproduces.
//! let replayed = corpus::assert_reproduces(&Register, &dir);
//! assert_eq!(replayed.len(), 1);
//! # }
//! ```
