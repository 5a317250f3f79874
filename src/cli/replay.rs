//! `ldfi replay FILE`: re-run a schedule; print verdict, trace hash and a
//! spacetime diagram.

use super::shared::{load_schedule, print_json, protocol, registry, CliError};
use ldfi_harness::diagram::spacetime;
use ldfi_harness::{Run, RunConfig, Verdict};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The schedule file (JSON, "format": 1).
    file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Run this version instead of the schedule's.
    #[arg(long)]
    version: Option<String>,
    /// Run this workload instead of the schedule's.
    #[arg(long)]
    workload: Option<String>,
    /// Decide the verdict by these checks instead of the schedule's
    /// recorded `"checks"` (default: all).
    #[arg(long, value_enum)]
    checks: Option<super::search::ChecksArg>,
    /// Check enforcement predicates from this spec file instead of the
    /// protocol's own.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Write an HTML report into DIR (new, empty, or a previous report).
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Export the run's workload inputs and delivered envelopes as a
    /// capture (JSON lines, as `dataplane run --capture` writes) to OUT, a
    /// new file (never overwritten): for `dataplane replay` and `search
    /// --workload-file`.
    #[arg(long, value_name = "OUT")]
    export_capture: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let schedule = load_schedule(&args.file)?;
    let reg = registry();
    let what = format!("{}: field `protocol`", args.file.display());
    let p = protocol(&reg, &schedule.protocol, &what)?;
    let with_spec;
    let p = match &args.spec {
        Some(file) => {
            with_spec = ldfi_harness::registry::WithSpec::new(p, super::search::load_spec(file)?);
            &with_spec as &dyn ldfi_harness::registry::DynProtocol
        }
        None => p,
    };
    if let Some(out) = args.export_capture.as_ref().filter(|o| o.exists()) {
        return Err(CliError::Input(format!(
            "--export-capture {}: the file exists; it is not overwritten (give a new name)",
            out.display()
        )));
    }
    let info = p.info();
    let mut cfg = schedule.run_config(&info, args.version.as_deref(), args.workload.as_deref());
    if let Some(c) = args.checks {
        cfg.checks = c.mode();
    }
    let in_file =
        |e: ldfi_harness::RunError| CliError::Input(format!("{}: {e}", args.file.display()));
    let run = match &args.export_capture {
        None => p.run(&cfg).map_err(in_file)?,
        Some(out) => {
            let (run, bodies) = p.run_with_bodies(&cfg, None).map_err(in_file)?;
            let workload = p.workload_inputs(&cfg).map_err(in_file)?;
            let workload: Vec<_> = workload.into_iter().map(|(i, _)| i).collect();
            let lines =
                ldfi_dataplane::capture::export(&info.name, &cfg, &run.trace, &bodies, &workload);
            super::dataplane_replay::write_capture(out, "--export-capture", &lines)?;
            run
        }
    };
    let hash = run.trace.hash();
    if let Some(dir) = &args.report {
        let expect = schedule.expect.as_ref();
        let index = ldfi_report::replay(dir, p, &args.file, &cfg, &run, expect)
            .map_err(|e| CliError::Input(e.to_string()))?;
        eprintln!("report: {}", index.display());
    }
    if args.json {
        print_json(&json!({
            "file": args.file,
            "protocol": info.name,
            "version": cfg.version,
            "workload": cfg.workload,
            "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
            "seed": cfg.seed,
            "checks": cfg.checks.name(),
            "faults": cfg.faults.faults(),
            "verdict": run.verdict.word(),
            "invariant": invariant(&run.verdict),
            "missing": missing(&run.verdict),
            "trace_hash": hash,
            "expected": schedule.expect,
        }));
    } else {
        print_text(&info.name, &cfg, &run, &hash);
        if let Some(e) = &schedule.expect {
            let same = e.verdict == run.verdict.word()
                && e.invariant.as_deref() == invariant(&run.verdict)
                && e.trace_hash.as_ref().is_none_or(|h| *h == hash);
            let note = if same {
                "as recorded"
            } else {
                "DIFFERS from the recorded expectation"
            };
            println!(
                "recorded  {} {} {} — {note}",
                e.verdict,
                e.invariant.as_deref().unwrap_or(""),
                e.trace_hash.as_deref().unwrap_or("")
            );
        }
    }
    Ok(exit_for(&run.verdict))
}

/// Prints what was run: protocol, version, workload, bounds, seed, faults.
pub fn print_header(protocol: &str, cfg: &RunConfig) {
    println!(
        "protocol  {protocol} {} (workload {}), eot {}, eff {}, crashes {}, seed {}",
        cfg.version,
        super::shared::workload_text(&cfg.workload, cfg.inputs.as_ref()),
        cfg.params.eot,
        cfg.params.eff,
        cfg.params.crashes,
        cfg.seed
    );
    println!("faults    {}", cfg.faults);
}

/// Prints the run as text.
pub fn print_text(protocol: &str, cfg: &RunConfig, run: &Run, hash: &str) {
    print_header(protocol, cfg);
    println!("verdict   {}", run.verdict);
    println!("trace     {hash}");
    println!();
    print!("{}", spacetime(&run.trace));
}

/// The violated invariant, if any.
pub fn invariant(v: &Verdict) -> Option<&str> {
    match v {
        Verdict::Violated { invariant, .. } => Some(invariant),
        _ => None,
    }
}

fn missing(v: &Verdict) -> Vec<String> {
    match v {
        Verdict::Violated { missing, .. } => missing.clone(),
        _ => Vec::new(),
    }
}

/// 0 for good or vacuous, 1 for violated.
pub fn exit_for(v: &Verdict) -> ExitCode {
    if v.is_violated() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
