//! `ldfi node`: one node of a protocol as a real gRPC server (a child of
//! `ldfi dataplane run`; it prints `ldfi-ready port=P` when it serves).

use super::shared::{protocol, registry, CliError};
use ldfi_harness::registry::{DynProtocol, Registry};
use ldfi_harness::schedule::{Schedule, FORMAT};
use ldfi_harness::{CrashMode, Fault, RunConfig};
use std::process::ExitCode;

/// The run a child process takes part in, and its node.
#[derive(clap::Args, Debug)]
pub struct RunFlags {
    /// Protocol name (required).
    #[arg(long)]
    pub protocol: Option<String>,
    /// Version (default: the protocol's).
    #[arg(long)]
    pub version: Option<String>,
    /// Workload (default: the protocol's).
    #[arg(long)]
    pub workload: Option<String>,
    /// End of time (default: the protocol's).
    #[arg(long)]
    pub eot: Option<u32>,
    /// End of finite failures (default: the protocol's).
    #[arg(long)]
    pub eff: Option<u32>,
    /// Crash budget (default: the protocol's).
    #[arg(long)]
    pub crashes: Option<u32>,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Crash semantics: stop or molly.
    #[arg(long, default_value = "stop")]
    pub crash_semantics: String,
    /// The schedule's faults, as the JSON array of a schedule file (with
    /// `ldfi proxy --descriptor`: a fault schedule file).
    #[arg(long, default_value = "[]")]
    pub faults: String,
    /// The run's explicit workload inputs (a JSON array of
    /// `{"at","node","body"}`), written by the conductor.
    #[arg(long)]
    pub inputs_file: Option<std::path::PathBuf>,
    /// This process's node (required).
    #[arg(long)]
    pub node: Option<String>,
}

impl RunFlags {
    /// The protocol, the run and this node's index; bad flags are exit 2.
    pub fn resolve<'r>(
        &self,
        reg: &'r Registry,
    ) -> Result<(&'r dyn DynProtocol, RunConfig, u16), CliError> {
        let name = required(&self.protocol, "--protocol")?;
        let node = required(&self.node, "--node")?;
        let p = protocol(reg, name, "--protocol")?;
        let bad = |flag: &str, e: serde_json::Error| CliError::Input(format!("{flag}: {e}"));
        let faults: Vec<Fault> =
            serde_json::from_str(&self.faults).map_err(|e| bad("--faults", e))?;
        let crash: CrashMode = serde_json::from_value(serde_json::json!(self.crash_semantics))
            .map_err(|e| bad("--crash-semantics", e))?;
        // A schedule with what the flags say; the rest its defaults.
        let schedule: Schedule = serde_json::from_value(serde_json::json!({
            "format": FORMAT,
            "protocol": name,
            "version": self.version,
            "workload": self.workload,
            "params": {"eot": self.eot, "eff": self.eff, "crashes": self.crashes},
            "seed": self.seed,
            "crash_semantics": crash,
            "faults": faults,
        }))
        .map_err(|e| bad("--protocol", e))?;
        let info = p.info();
        let mut cfg = schedule.run_config(&info, None, None);
        if let Some(path) = &self.inputs_file {
            let text = ldfi_harness::files::read_text(path, ldfi_harness::files::MAX_INPUT_BYTES)
                .map_err(|e| CliError::Input(format!("--inputs-file: {e}")))?;
            let inputs: Vec<ldfi_harness::inputs::EncodedInput> = serde_json::from_str(&text)
                .map_err(|e| CliError::Input(format!("--inputs-file {}: {e}", path.display())))?;
            cfg.inputs = Some(std::sync::Arc::new(inputs));
        }
        let me = info.nodes.iter().position(|n| n == node).ok_or_else(|| {
            CliError::Input(format!(
                "--node: no node `{}` in {} (nodes: {})",
                node,
                info.name,
                info.nodes.join(", ")
            ))
        })?;
        // Checks version, workload, bounds and faults.
        p.wire(&cfg).map_err(|e| CliError::Input(e.to_string()))?;
        Ok((p, cfg, me as u16))
    }

    /// This process's node (after [`RunFlags::resolve`] checked it).
    pub fn node(&self) -> &str {
        self.node.as_deref().unwrap_or_default()
    }
}

/// A flag that must be given (optional to clap: `ldfi proxy --descriptor`
/// takes none of the run flags).
fn required<'a>(v: &'a Option<String>, flag: &str) -> Result<&'a str, CliError> {
    v.as_deref()
        .ok_or_else(|| CliError::Input(format!("{flag} is required")))
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    run: RunFlags,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let reg = registry();
    let (p, cfg, me) = args.run.resolve(&reg)?;
    let host = p.host(&cfg, args.run.node())?;
    ldfi_dataplane::child::ignore_sigpipe();
    ldfi_dataplane::node::serve(host, me).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
