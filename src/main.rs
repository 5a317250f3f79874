//! `ldfi`: lineage-driven fault injection for distributed protocols.
//!
//! Exit codes: 0 no violation (certified, budget spent, good or vacuous
//! run), 1 a violation or counterexample, 2 bad input.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
