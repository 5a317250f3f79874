//! What the commands share: errors with exit codes, protocol lookup,
//! schedule loading.

use ldfi_harness::registry::{DynProtocol, Registry};
use ldfi_harness::schedule::Schedule;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

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

/// The registry [`crate::cli::main`] was given.
static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// Installs the protocols the commands know; false if some were installed
/// already (the first stay).
pub fn install_registry(registry: Registry) -> bool {
    REGISTRY.set(registry).is_ok()
}

/// The protocols the commands know: those given to [`crate::cli::main`],
/// else the shipped ones. A handle that derefs to the [`Registry`], so a
/// command writes `let reg = registry(); protocol(&reg, ..)`.
pub fn registry() -> RegistryRef {
    RegistryRef(REGISTRY.get_or_init(crate::shipped_registry))
}

/// The installed registry (see [`registry`]).
#[derive(Clone, Copy)]
pub struct RegistryRef(&'static Registry);

impl std::ops::Deref for RegistryRef {
    type Target = Registry;
    fn deref(&self) -> &Registry {
        self.0
    }
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

/// A run's workload as the text outputs name it: its name, and the number
/// of explicit inputs when they come from a capture.
pub fn workload_text(
    workload: &str,
    inputs: Option<&std::sync::Arc<Vec<ldfi_harness::inputs::EncodedInput>>>,
) -> String {
    match inputs {
        None => workload.to_string(),
        Some(i) => format!("{workload}: {} captured inputs", i.len()),
    }
}

/// The median of `v` (the upper one of an even count; 0 when empty), for
/// benchmark rounds.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
