//! The command line: `list`, `search`, `replay`, `explain`, `corpus check`.

mod bench;
mod bench_shipped;
mod corpus;
mod dataplane;
mod dataplane_bench;
mod dataplane_identity;
mod dataplane_replay;
mod dataplane_rpc;
mod entry;
mod explain;
mod forum;
mod forum_run;
mod interrupt;
mod list;
mod node;
mod progress;
mod proxy;
mod proxy_rpc;
mod replay;
mod search;
mod shared;
mod versions;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use entry::main;
pub use shared::CliError;

/// Lineage-driven fault injection: find the smallest set of lost messages
/// and crashed nodes that breaks a protocol's guarantee, or certify that
/// none exists within the bounds.
#[derive(Parser, Debug)]
#[command(name = "ldfi", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List protocols, their versions, workloads and default parameters.
    List(list::Args),
    /// Search for a fault set that breaks a protocol's invariants.
    ///
    /// Example: ldfi search --protocol retry-deliv --crashes 1
    #[command(after_help = "\
Verdicts and exit codes:
  counterexample    a fault set violates an invariant or predicate, and no proper
                    subset of it does (replayed); saved as a schedule, replay it
                    with `ldfi replay FILE` (exit 1)
  certified         no fault set within EOT/EFF/crashes breaks an invariant: found
                    with the protocol's declared lineage, then confirmed on
                    happens-before lineage, which assumes nothing about the
                    protocol (`assurance: confirmed`; exit 0)
  unconfirmed       declared lineage found nothing, but the confirmation ran out
                    of --confirm-max-runs: NOT a certificate (exit 0)
  budget-exhausted  --max-runs was reached first (exit 0)
  bad input         a one-line reason naming the flag (exit 2)
If the confirmation finds a counterexample the declared search missed, the
output says DISAGREEMENT and names the `because` (file:line) that hid a cause.

The fault model: omit(from, to, t) loses what `from` sent `to` at tick t < EFF;
crash(node, t) stops a node from tick t on (--crash-semantics stop: it does
nothing; molly: it still receives and computes, but sends nothing); at most
--crashes nodes crash. A message sent at t arrives at t+1, also to oneself.")]
    Search(Box<search::Args>),
    /// Re-run a schedule file and print its verdict, trace hash and
    /// spacetime diagram.
    ///
    /// Example: ldfi replay scenarios/simple-deliv-omit.json
    Replay(replay::Args),
    /// Print the lineage graph of a schedule's good outcome (DOT, JSON, or
    /// Soufflé .facts files).
    Explain(explain::Args),
    /// Work with the regression corpus of fault schedules.
    Corpus(corpus::Args),
    /// Compare ldfi, random and exhaustive search side by side, and measure
    /// the cost of one execution (use a release build).
    Bench(bench::Args),
    /// Run schedules on real processes: every node a gRPC server behind an
    /// enforcement sidecar (see the README, "Real processes").
    Dataplane(dataplane::Args),
    /// One node of a protocol as a gRPC server (started by `dataplane`).
    Node(node::Args),
    /// An enforcement proxy: the sidecar in front of one node (started by
    /// `dataplane`), or with --descriptor a gRPC proxy for any service.
    Proxy(Box<proxy::Args>),
    /// The web forum as real gRPC services: serve one, load it, or write
    /// its descriptor set (see the README, "The web forum over gRPC").
    Forum(forum::Args),
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::List(a) => list::run(a),
        Command::Search(a) => search::run(*a),
        Command::Replay(a) => replay::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Corpus(a) => corpus::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Dataplane(a) => dataplane::run(a),
        Command::Node(a) => node::run(a),
        Command::Proxy(a) => proxy::run(*a),
        Command::Forum(a) => forum::run(a),
    }
}
