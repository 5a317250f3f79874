//! Typed errors of the dataplane. Each names the process or the address
//! at fault.

use thiserror::Error;

/// What can go wrong with real processes.
#[derive(Debug, Error)]
pub enum DataplaneError {
    /// A child could not be started, or died before its handshake.
    #[error("{process} failed to start: {why}{}", stderr_tail(.stderr))]
    Start {
        /// Which process (e.g. `node n1`).
        process: String,
        /// Why.
        why: String,
        /// Its last stderr lines.
        stderr: Vec<String>,
    },
    /// A running child stopped answering (it died, or was killed).
    #[error("{process} (pid {pid}) is gone: {why}{}", stderr_tail(.stderr))]
    Gone {
        /// Which process.
        process: String,
        /// Its pid.
        pid: u32,
        /// The failed call.
        why: String,
        /// Its last stderr lines.
        stderr: Vec<String>,
    },
    /// A run could not be set up (bad schedule, version, faults...).
    #[error("{0}")]
    Run(#[from] ldfi_harness::RunError),
    /// A reply that does not parse (a bug, or a foreign process).
    #[error("bad reply from {process}: {why}")]
    Reply {
        /// Which process.
        process: String,
        /// What was wrong.
        why: String,
    },
    /// An I/O error outside any one child (listening, the runtime).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

fn stderr_tail(lines: &[String]) -> String {
    if lines.is_empty() {
        String::new()
    } else {
        format!("; last stderr lines:\n  {}", lines.join("\n  "))
    }
}
