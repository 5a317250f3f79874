//! What the commands share: errors with exit codes, protocol lookup,
//! schedule loading.

use ldfi_harness::registry::{DynProtocol, Registry};
use ldfi_harness::schedule::Schedule;
use std::fmt;
use std::path::Path;

/// An error and the exit code it ends with.
#[derive(Debug)]
pub enum CliError {
    /// Bad input (a file, field or flag): exit 2.
    Input(String),
    /// Something else went wrong: exit 3.
    Internal(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => 2,
            CliError::Internal(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Internal(m) => write!(f, "{m}"),
        }
    }
}

impl From<ldfi_harness::RunError> for CliError {
    fn from(e: ldfi_harness::RunError) -> Self {
        match e {
            ldfi_harness::RunError::Sim(m) => CliError::Internal(m),
            other => CliError::Input(other.to_string()),
        }
    }
}

/// The protocols this binary knows.
pub fn registry() -> Registry {
    ldfi_protocols::registry()
}

/// The protocol called `name`, or an error listing the known ones.
pub fn protocol<'r>(
    reg: &'r Registry,
    name: &str,
    what: &str,
) -> Result<&'r dyn DynProtocol, CliError> {
    reg.get(name).ok_or_else(|| {
        CliError::Input(format!(
            "{what}: unknown protocol `{name}` (known: {})",
            reg.names().join(", ")
        ))
    })
}

/// Loads a schedule file.
pub fn load_schedule(path: &Path) -> Result<Schedule, CliError> {
    Schedule::load(path).map_err(|e| CliError::Input(e.to_string()))
}

/// Prints JSON on stdout.
pub fn print_json(v: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("JSON values serialize")
    );
}

/// The wall clock, for timing whole searches from outside the runs (runs
/// themselves never read it).
#[allow(clippy::disallowed_methods)]
pub fn wall_now() -> std::time::Instant {
    std::time::Instant::now()
}
