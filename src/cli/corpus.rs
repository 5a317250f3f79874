//! The regression corpus: saving counterexamples, and `ldfi corpus check`.

use super::shared::{print_json, protocol, registry, CliError};
use crate::cli::replay::invariant;
use ldfi_harness::corpus;
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
    /// fixed: recorded a violation, now good; changed: anything else;
    /// error: the file cannot be read or run (named, and the rest is still
    /// checked). Links to directories are not followed. Each schedule runs
    /// under the checks it records (`"checks"`).
    /// Exit 0 when every schedule reproduces, 1 when some do not, 2 when a
    /// file is unreadable or the directory is bad.
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
        /// Replay each schedule on real processes (`ldfi dataplane run`),
        /// in lockstep, instead of in simulation.
        #[arg(long)]
        dataplane: bool,
        /// Write an HTML report into DIR (new, empty, or a previous
        /// report): an index and a page per schedule (simulated runs).
        #[arg(long, value_name = "DIR", conflicts_with = "dataplane")]
        report: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Check {
            dir,
            json,
            version,
            dataplane,
            report,
        } => check(&dir, json, version.as_deref(), dataplane, report.as_deref()),
    }
}

/// Saves a counterexample under `dir` (see [`ldfi_harness::corpus::save`]).
pub fn save(protocol: &str, c: &Counterexample, dir: &Path) -> Result<PathBuf, CliError> {
    corpus::save(protocol, c, dir).map_err(|e| CliError::Input(format!("--corpus {e}")))
}

fn check(
    dir: &Path,
    as_json: bool,
    version: Option<&str>,
    dataplane: bool,
    report: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let reg = registry();
    let listing = corpus::schedule_files(dir).map_err(|e| CliError::Input(e.to_string()))?;
    let mut rows = Vec::new();
    for path in &listing.files {
        rows.push(check_one(&reg, path, version, dataplane).unwrap_or_else(
            |e| json!({"schedule": path, "status": "error", "error": e.to_string()}),
        ));
    }
    if let Some(out) = report {
        let index = ldfi_report::corpus(out, &reg, dir, &listing.files, version)
            .map_err(|e| CliError::Input(e.to_string()))?;
        eprintln!("report: {}", index.display());
    }
    let count = |s: &str| rows.iter().filter(|r| r["status"] == s).count();
    let errors = count("error");
    let all_reproduce = count("reproduces") == rows.len();
    if as_json {
        print_json(&json!({
            "dir": dir,
            "schedules": rows.len(),
            "all_reproduce": all_reproduce,
            "errors": errors,
            "skipped_links": listing.skipped_links,
            "results": rows,
        }));
    } else {
        for l in &listing.skipped_links {
            println!(
                "skipped     {} (a link to a directory: not followed)",
                l.display()
            );
        }
        for r in &rows {
            match r["error"].as_str() {
                Some(e) => println!("error       {e}"),
                None => println!(
                    "{:<11} {} ({} {}: {})",
                    r["status"].as_str().unwrap_or(""),
                    r["schedule"].as_str().unwrap_or(""),
                    r["protocol"].as_str().unwrap_or(""),
                    r["version"].as_str().unwrap_or(""),
                    r["verdict"].as_str().unwrap_or("")
                ),
            }
        }
        if rows.iter().any(|r| r["trace_hash_compared"] == false) {
            println!("(web-forum-grpc on real services: verdicts compared, not trace hashes — the wall clock paces those runs)");
        }
        let bad = rows.len() - count("reproduces") - errors;
        println!(
            "{} schedules, {} reproduce, {} do not, {} unreadable",
            rows.len(),
            count("reproduces"),
            bad,
            errors
        );
    }
    for r in rows.iter().filter(|r| r["status"] == "error") {
        eprintln!("error: {}", r["error"].as_str().unwrap_or(""));
    }
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else if all_reproduce {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Replays one schedule and classifies it; an error names the file.
fn check_one(
    reg: &ldfi_harness::registry::Registry,
    path: &Path,
    version: Option<&str>,
    dataplane: bool,
) -> Result<serde_json::Value, CliError> {
    let s = super::shared::load_schedule(path)?;
    let p = protocol(
        reg,
        &s.protocol,
        &format!("{}: field `protocol`", path.display()),
    )?;
    let cfg = s.run_config(&p.info(), version, None);
    if dataplane && s.protocol == ldfi_forum_grpc::NAME {
        return check_forum(path, &s, &cfg);
    }
    let run = if dataplane {
        super::dataplane::run_lockstep(p, &cfg).map_err(|e| e.in_file(path))?
    } else {
        p.run(&cfg)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?
    };
    let hash = run.trace.hash();
    let status = corpus::classify(s.expect.as_ref(), &run.verdict, &hash);
    let mut row = result(path, &s, &cfg, status, &run.verdict);
    row["trace_hash"] = json!(hash);
    Ok(row)
}

/// One schedule's result row (the fields every run gives).
fn result(
    path: &Path,
    s: &ldfi_harness::schedule::Schedule,
    cfg: &ldfi_harness::RunConfig,
    status: corpus::Status,
    verdict: &ldfi_harness::Verdict,
) -> serde_json::Value {
    json!({
        "schedule": path,
        "protocol": s.protocol,
        "version": cfg.version,
        "checks": cfg.checks.name(),
        "status": status.word(),
        "verdict": verdict.word(),
        "invariant": invariant(verdict),
        "recorded": s.expect,
    })
}

/// A `web-forum-grpc` schedule on the real services through the proxy
/// (`dataplane run`'s defaults): classified by verdict only, as a real run
/// has no trace hash comparable with the recorded one.
fn check_forum(
    path: &Path,
    s: &ldfi_harness::schedule::Schedule,
    cfg: &ldfi_harness::RunConfig,
) -> Result<serde_json::Value, CliError> {
    let flags = super::forum_run::Flags {
        json: true,
        enforce: "observe".into(),
        violations: None,
        capture: None,
        tick_ms: super::forum_run::TICK_MS,
    };
    let r = super::forum_run::real(cfg, &flags).map_err(|e| e.in_file(path))?;
    let expect = s.expect.clone().map(|mut e| {
        e.trace_hash = None;
        e
    });
    let status = corpus::classify(expect.as_ref(), &r.verdict, "");
    let mut row = result(path, s, cfg, status, &r.verdict);
    row["trace_hash"] = serde_json::Value::Null;
    row["trace_hash_compared"] = json!(false);
    row["simulated"] = json!({"verdict": r.sim.verdict.word(), "invariant": invariant(&r.sim.verdict), "trace_hash": r.sim.trace.hash()});
    row["unmatched_faults"] = json!(r.unmatched());
    Ok(row)
}
