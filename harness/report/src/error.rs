//! The report's typed errors.

use std::path::PathBuf;

/// Why a report could not be written. Every message names the `--report`
/// flag and the path at fault.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The directory holds files that no ldfi report wrote.
    #[error("--report {}: exists, is not empty and is not an ldfi report; choose another directory (nothing was written)", dir.display())]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
    },
    /// The path exists and is not a directory.
    #[error("--report {}: exists and is not a directory", dir.display())]
    NotADirectory {
        /// The path.
        dir: PathBuf,
    },
    /// Reading or writing failed.
    #[error("--report: {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Re-running a schedule for its lineage failed.
    #[error("--report: re-running the last good run for its lineage: {0}")]
    Run(#[from] ldfi_harness::RunError),
}
