//! The entry point shared by the `ldfi` binary and users' own binaries:
//! install the registry, set up logs, parse, run, exit.

use super::{run, shared, Cli};
use clap::Parser;
use ldfi_harness::registry::Registry;
use std::process::ExitCode;

/// Runs the `ldfi` command line on `registry`'s protocols and returns the
/// exit code: 0 no violation, 1 a violation or counterexample, 2 bad input.
///
/// `RUST_LOG` (e.g. `RUST_LOG=ldfi_harness=debug`) selects the `tracing`
/// events of the harness, solver and lineage, written to stderr. A search
/// on a terminal shows a progress bar on stderr; piped, it shows nothing.
///
/// Call it once per process: the registry is installed for the process's
/// lifetime (a second call runs on the first registry and says so).
pub fn main(registry: Registry) -> ExitCode {
    restore_sigpipe();
    init_logs();
    if !shared::install_registry(registry) {
        eprintln!("warning: ldfi::cli::main called twice; using the first registry");
    }
    let args = Cli::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// `tracing` events to stderr, filtered by `RUST_LOG` (default: warnings).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .without_time()
        .try_init();
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
