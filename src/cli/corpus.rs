//! The regression corpus: saving counterexamples, and `ldfi corpus check`.

use super::shared::{print_json, protocol, registry, CliError};
use crate::cli::replay::invariant;
use ldfi_harness::files::write_new_atomic;
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
                // Atomic and never over a file that appeared meanwhile.
                match write_new_atomic(&path, text.as_bytes()) {
                    Ok(()) => return Ok(path),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => {
                        return Err(CliError::Input(format!(
                            "{}: cannot write: {e}",
                            path.display()
                        )))
                    }
                }
            }
            Err(e) => return Err(CliError::Input(format!("{}: {e}", path.display()))),
        }
    }
    unreachable!("some name is free")
}

/// The `.json` files under a corpus directory, and the directory links
/// that were not followed.
pub struct Listing {
    /// Schedule files, sorted.
    pub files: Vec<PathBuf>,
    /// Symbolic links to directories, not followed (a link cycle would
    /// replay files again and again, or never end), sorted.
    pub skipped_links: Vec<PathBuf>,
}

/// Every `.json` file under `dir`, without following links to directories
/// (links to files are read: they cannot loop).
pub fn schedules(dir: &Path) -> Result<Listing, CliError> {
    let meta = std::fs::metadata(dir)
        .map_err(|e| CliError::Input(format!("{}: cannot read directory: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(CliError::Input(format!(
            "{}: not a directory (corpus check takes the corpus directory)",
            dir.display()
        )));
    }
    let mut files = Vec::new();
    let mut skipped_links = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| CliError::Input(format!("{}: cannot read directory: {e}", d.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| CliError::Input(format!("{}: {e}", d.display())))?;
            let path = entry.path();
            // `file_type` does not follow links.
            let kind = entry
                .file_type()
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() && path.is_dir() {
                skipped_links.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    skipped_links.sort();
    Ok(Listing {
        files,
        skipped_links,
    })
}

fn check(
    dir: &Path,
    as_json: bool,
    version: Option<&str>,
    dataplane: bool,
    report: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let reg = registry();
    let listing = schedules(dir)?;
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
    let run = if dataplane {
        super::dataplane::run_lockstep(p, &cfg).map_err(|e| e.in_file(path))?
    } else {
        p.run(&cfg)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?
    };
    let hash = run.trace.hash();
    let status = classify(s.expect.as_ref(), &run.verdict, &hash);
    Ok(json!({
        "schedule": path,
        "protocol": s.protocol,
        "version": cfg.version,
        "checks": cfg.checks.name(),
        "status": status,
        "verdict": run.verdict.word(),
        "invariant": invariant(&run.verdict),
        "trace_hash": hash,
        "recorded": s.expect,
    }))
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
