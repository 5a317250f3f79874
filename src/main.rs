//! `ldfi`: lineage-driven fault injection for distributed protocols.
//!
//! Exit codes: 0 no violation (certified, budget spent, good or vacuous
//! run), 1 a violation or counterexample, 2 bad input.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Dies quietly on a closed pipe (`ldfi search ... | head`), as command-line
/// tools do, instead of panicking on a failed print.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; it only
    // resets SIGPIPE to its default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
