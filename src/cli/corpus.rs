//! The regression corpus: saving counterexamples, and `ldfi corpus check`.

use super::shared::{print_json, protocol, registry, CliError};
use crate::cli::replay::invariant;
use ldfi_harness::schedule::{Expect, Schedule};
use ldfi_harness::search::Counterexample;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Replay every schedule under DIR (default scenarios/corpus) and say,
    /// for each, whether it still reproduces what it recorded.
    ///
    /// reproduces: same verdict, invariant and trace hash as recorded;
    /// fixed: recorded a violation, now good; changed: anything else.
    /// Exit 0 when every schedule reproduces, 1 otherwise, 2 for bad input.
    Check {
        /// The corpus directory.
        #[arg(default_value = "scenarios/corpus")]
        dir: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Replay against this version instead of each schedule's own.
        #[arg(long)]
        version: Option<String>,
    },
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Check { dir, json, version } => check(&dir, json, version.as_deref()),
    }
}

/// Saves a counterexample under `dir`, named by its content: the same
/// counterexample is never saved twice, and no existing file is overwritten.
pub fn save(protocol: &str, c: &Counterexample, dir: &Path) -> Result<PathBuf, CliError> {
    let expect = Expect {
        verdict: c.run.verdict.word().to_string(),
        invariant: invariant(&c.run.verdict).map(str::to_string),
        trace_hash: Some(c.run.trace.hash()),
    };
    let schedule = Schedule::from_run(protocol, &c.config, Some(expect));
    let text = schedule.to_json();
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Input(format!("--corpus {}: cannot create: {e}", dir.display())))?;
    let name = schedule.file_name();
    let stem = name.trim_end_matches(".json");
    for n in 0.. {
        let path = if n == 0 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem}-{n}.json"))
        };
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == text => return Ok(path),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::write(&path, &text).map_err(|e| {
                    CliError::Input(format!("{}: cannot write: {e}", path.display()))
                })?;
                return Ok(path);
            }
            Err(e) => return Err(CliError::Input(format!("{}: {e}", path.display()))),
        }
    }
    unreachable!("some name is free")
}

/// Every `.json` file under `dir`, sorted.
fn schedules(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| CliError::Input(format!("{}: cannot read directory: {e}", d.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|e| CliError::Input(format!("{}: {e}", d.display())))?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn check(dir: &Path, as_json: bool, version: Option<&str>) -> Result<ExitCode, CliError> {
    let reg = registry();
    let mut rows = Vec::new();
    let mut all_reproduce = true;
    for path in schedules(dir)? {
        let s = super::shared::load_schedule(&path)?;
        let p = protocol(
            &reg,
            &s.protocol,
            &format!("{}: field `protocol`", path.display()),
        )?;
        let cfg = s.run_config(&p.info(), version, None);
        let run = p
            .run(&cfg)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        let hash = run.trace.hash();
        let status = classify(s.expect.as_ref(), &run.verdict, &hash);
        all_reproduce &= status == "reproduces";
        rows.push(json!({
            "schedule": path,
            "protocol": s.protocol,
            "version": cfg.version,
            "status": status,
            "verdict": run.verdict.word(),
            "invariant": invariant(&run.verdict),
            "trace_hash": hash,
            "recorded": s.expect,
        }));
    }
    if as_json {
        print_json(
            &json!({"dir": dir, "schedules": rows.len(), "all_reproduce": all_reproduce, "results": rows}),
        );
    } else {
        for r in &rows {
            println!(
                "{:<11} {} ({} {}: {})",
                r["status"].as_str().unwrap_or(""),
                r["schedule"].as_str().unwrap_or(""),
                r["protocol"].as_str().unwrap_or(""),
                r["version"].as_str().unwrap_or(""),
                r["verdict"].as_str().unwrap_or("")
            );
        }
        let bad = rows.iter().filter(|r| r["status"] != "reproduces").count();
        println!(
            "{} schedules, {} reproduce, {} do not",
            rows.len(),
            rows.len() - bad,
            bad
        );
    }
    Ok(if all_reproduce {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `reproduces`, `fixed` or `changed`.
pub fn classify(
    expect: Option<&Expect>,
    verdict: &ldfi_harness::Verdict,
    hash: &str,
) -> &'static str {
    let Some(e) = expect else {
        return "changed";
    };
    let same_verdict = e.verdict == verdict.word() && e.invariant.as_deref() == invariant(verdict);
    if same_verdict && e.trace_hash.as_ref().is_none_or(|h| h == hash) {
        "reproduces"
    } else if e.verdict == "violated" && !verdict.is_violated() {
        "fixed"
    } else {
        "changed"
    }
}
