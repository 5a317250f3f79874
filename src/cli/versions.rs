//! `ldfi search --all-versions`: a fresh search per version, side by side,
//! and every counterexample replayed on the other versions — root-cause
//! analysis by searching, not by replaying old schedules.

use super::search::{counterexample_json, run_with_progress, Saver};
use super::shared::{print_json, wall_now, CliError};
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::search::{Conclusion, SearchConfig, SearchLimits};
use ldfi_harness::{RunConfig, Verdict};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(
    p: &dyn DynProtocol,
    base: &SearchConfig,
    limits: SearchLimits,
    corpus: &Option<PathBuf>,
    no_save: bool,
    as_json: bool,
    verbose: bool,
) -> Result<ExitCode, CliError> {
    let info = p.info();
    let mut rows = Vec::new();
    let mut found = Vec::new();
    for version in &info.versions {
        let cfg = SearchConfig {
            version: version.clone(),
            ..base.clone()
        };
        let start = wall_now();
        let mut saver = Saver::new(&info.name, version, corpus, no_save);
        let report = run_with_progress(p, &cfg, limits, verbose, &mut saver)?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let saved = saver.finish(&report)?;
        let first = report
            .counterexamples
            .first()
            .map(|c| counterexample_json(c, &saved[0]));
        rows.push(json!({
            "version": version,
            "verdict": report.conclusion.word(),
            "executions": report.executions,
            "assurance": report.assurance,
            "confirm_executions": report.confirm_executions,
            "elapsed_ms": ms,
            "counterexample": first,
        }));
        if report.conclusion == Conclusion::Counterexample {
            found.push((version.clone(), report.counterexamples[0].config.clone()));
        }
    }
    let transfer = cross_replay(p, &info.versions, &found)?;
    if as_json {
        print_json(&json!({
            "protocol": info.name, "workload": base.workload,
            "params": {"eot": base.params.eot, "eff": base.params.eff, "crashes": base.params.crashes},
            "strategy": base.strategy.name(), "versions": rows, "cross_replay": transfer,
        }));
    } else {
        print_table(&info.name, base, &rows, &transfer, &info.versions);
    }
    Ok(if found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Each version's counterexample, run on every version: the verdict there.
fn cross_replay(
    p: &dyn DynProtocol,
    versions: &[String],
    found: &[(String, RunConfig)],
) -> Result<Vec<Value>, CliError> {
    let mut out = Vec::new();
    for (from, cfg) in found {
        let mut on = serde_json::Map::new();
        for v in versions {
            let run = p.run(&RunConfig {
                version: v.clone(),
                ..cfg.clone()
            })?;
            let word = match &run.verdict {
                Verdict::Violated { invariant, .. } => format!("violated ({invariant})"),
                other => other.word().to_string(),
            };
            on.insert(v.clone(), Value::String(word));
        }
        out.push(json!({"from": from, "faults": cfg.faults.to_string(), "on": on}));
    }
    Ok(out)
}

fn print_table(
    name: &str,
    base: &SearchConfig,
    rows: &[Value],
    transfer: &[Value],
    versions: &[String],
) {
    println!(
        "{name} (workload {}), eot {}, eff {}, crashes {}, strategy {}",
        base.workload,
        base.params.eot,
        base.params.eff,
        base.params.crashes,
        base.strategy.name()
    );
    println!();
    println!(
        "{:<8} {:<15} {:<13} {:>10} {:>9}  {:<12} minimal fault set",
        "version", "verdict", "assurance", "executions", "ms", "violates"
    );
    for r in rows {
        let c = &r["counterexample"];
        println!(
            "{:<8} {:<15} {:<13} {:>10} {:>9.1}  {:<12} {}",
            r["version"].as_str().unwrap_or(""),
            r["verdict"].as_str().unwrap_or(""),
            r["assurance"].as_str().unwrap_or(""),
            r["executions"].as_u64().unwrap_or(0),
            r["elapsed_ms"].as_f64().unwrap_or(0.0),
            c["invariant"].as_str().unwrap_or("—"),
            c["fault_set"].as_str().unwrap_or("—"),
        );
    }
    if transfer.is_empty() {
        return;
    }
    println!();
    println!("each counterexample replayed on every version (schedules do not transfer):");
    for t in transfer {
        let on: Vec<String> = versions
            .iter()
            .map(|v| format!("{v}: {}", t["on"][v].as_str().unwrap_or("?")))
            .collect();
        println!(
            "  {} {}  →  {}",
            t["from"].as_str().unwrap_or(""),
            t["faults"].as_str().unwrap_or(""),
            on.join(", ")
        );
    }
    for r in rows {
        if let Some(path) = r["counterexample"]["schedule"].as_str() {
            println!("saved {}: {path}", r["version"].as_str().unwrap_or(""));
        }
    }
}
