//! The command lines of the conductor's children: every child is the same
//! `ldfi` binary, told the whole run by flags.

use crate::error::DataplaneError;
use crate::identity::ChannelFault;
use ldfi_harness::RunConfig;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A run's explicit workload inputs in a temporary file for the children
/// (`--inputs-file`: a command line is too small for a large capture);
/// removed when dropped.
pub struct InputsFile(Option<PathBuf>);

impl InputsFile {
    /// Writes `cfg`'s explicit inputs, if it has any.
    pub fn write(cfg: &RunConfig) -> Result<InputsFile, DataplaneError> {
        static N: AtomicU32 = AtomicU32::new(0);
        let Some(inputs) = &cfg.inputs else {
            return Ok(InputsFile(None));
        };
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("ldfi-inputs-{}-{n}.json", std::process::id()));
        let text = serde_json::to_vec(inputs.as_ref()).expect("inputs serialize");
        std::fs::write(&path, text).map_err(|source| DataplaneError::Io {
            what: format!("write the run's inputs to {}", path.display()),
            source,
        })?;
        Ok(InputsFile(Some(path)))
    }

    /// Its path, if there is one.
    pub fn path(&self) -> Option<&Path> {
        self.0.as_deref()
    }
}

impl Drop for InputsFile {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The flags that describe run `cfg` of `protocol` to `ldfi node` and
/// `ldfi proxy` (`inputs_file`: its explicit inputs, see [`InputsFile`]).
pub fn run_flags(protocol: &str, cfg: &RunConfig, inputs_file: Option<&Path>) -> Vec<String> {
    let faults = serde_json::to_string(cfg.faults.faults()).expect("faults serialize");
    [
        ("--protocol", protocol.to_string()),
        ("--version", cfg.version.clone()),
        ("--workload", cfg.workload.clone()),
        ("--eot", cfg.params.eot.to_string()),
        ("--eff", cfg.params.eff.to_string()),
        ("--crashes", cfg.params.crashes.to_string()),
        ("--seed", cfg.seed.to_string()),
        ("--crash-semantics", cfg.crash.name().to_string()),
        ("--faults", faults),
    ]
    .into_iter()
    .chain(inputs_file.map(|p| ("--inputs-file", p.display().to_string())))
    .flat_map(|(k, v)| [k.to_string(), v])
    .collect()
}

/// `ldfi node ... --node NAME`.
pub fn node_args(run: &[String], name: &str) -> Vec<String> {
    let mut a = vec!["node".to_string()];
    a.extend(run.iter().cloned());
    a.extend(["--node".to_string(), name.to_string()]);
    a
}

/// `ldfi proxy ... --node NAME --enforce MODE [--violations FILE]
/// [--channel-faults JSON]` (the faults by channel identity, if any).
pub fn proxy_args(
    run: &[String],
    name: &str,
    mode: &str,
    violations: Option<&Path>,
    channel_faults: &[ChannelFault],
) -> Vec<String> {
    let mut a = vec!["proxy".to_string()];
    a.extend(run.iter().cloned());
    a.extend([
        "--node".to_string(),
        name.to_string(),
        "--enforce".to_string(),
        mode.to_string(),
    ]);
    if let Some(v) = violations {
        a.extend(["--violations".to_string(), v.display().to_string()]);
    }
    if !channel_faults.is_empty() {
        let json = serde_json::to_string(channel_faults).expect("faults serialize");
        a.extend(["--channel-faults".to_string(), json]);
    }
    a
}
