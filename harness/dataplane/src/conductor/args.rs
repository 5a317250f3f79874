//! The command lines of the conductor's children: every child is the same
//! `ldfi` binary, told the whole run by flags.

use ldfi_harness::RunConfig;
use std::path::Path;

/// The flags that describe run `cfg` of `protocol` to `ldfi node` and
/// `ldfi proxy`.
pub fn run_flags(protocol: &str, cfg: &RunConfig) -> Vec<String> {
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

/// `ldfi proxy ... --node NAME --enforce MODE [--violations FILE]`.
pub fn proxy_args(
    run: &[String],
    name: &str,
    mode: &str,
    violations: Option<&Path>,
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
    a
}
