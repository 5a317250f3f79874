//! `ldfi`: lineage-driven fault injection for the shipped protocols.
//!
//! Exit codes: 0 no violation (certified, budget spent, good or vacuous
//! run), 1 a violation or counterexample, 2 bad input.

use std::process::ExitCode;

fn main() -> ExitCode {
    ldfi::cli::main(ldfi::shipped_registry())
}
