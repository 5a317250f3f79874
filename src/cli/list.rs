//! `ldfi list`: protocols, versions, workloads and default parameters.

use super::shared::{print_json, registry, CliError};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print a JSON array instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let reg = registry();
    if args.json {
        let all: Vec<_> = reg
            .iter()
            .map(|p| {
                let i = p.info();
                json!({
                    "name": i.name,
                    "summary": i.summary,
                    "versions": i.versions,
                    "default_version": i.default_version,
                    "workloads": i.workloads,
                    "default_workload": i.default_workload,
                    "params": {"eot": i.params.eot, "eff": i.params.eff, "crashes": i.params.crashes, "nodes": i.nodes},
                    "exempt": i.exempt,
                })
            })
            .collect();
        print_json(&serde_json::Value::Array(all));
        return Ok(ExitCode::SUCCESS);
    }
    for p in reg.iter() {
        let i = p.info();
        println!(
            "{:<15} versions {} (default {}); workloads {} (default {}); eot {} eff {} crashes {}; nodes {} — {}",
            i.name,
            i.versions.join(","),
            i.default_version,
            i.workloads.join(","),
            i.default_workload,
            i.params.eot,
            i.params.eff,
            i.params.crashes,
            i.nodes.join(","),
            i.summary
        );
    }
    Ok(ExitCode::SUCCESS)
}
