//! `ldfi search`: find a fault set that breaks a protocol, or certify that
//! none exists within the bounds.

use super::shared::{print_json, protocol, registry, wall_now, CliError};
use crate::cli::corpus::save;
use crate::cli::replay::invariant;
use ldfi_harness::diagram::spacetime;
use ldfi_harness::search::{
    search_limited, Conclusion, Counterexample, SearchConfig, SearchLimits, SearchReport, Strategy,
};
use ldfi_harness::{Checks, CrashMode, LineageMode, Params};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Protocol to search (see `ldfi list`).
    #[arg(long)]
    protocol: String,
    /// Version (default: the protocol's newest).
    #[arg(long)]
    version: Option<String>,
    /// Workload (default: the protocol's default).
    #[arg(long)]
    workload: Option<String>,
    /// Take the workload's inputs from a capture (`dataplane run
    /// --capture`, `replay --export-capture`), each at its captured tick;
    /// counterexamples record them, so they replay.
    #[arg(long, value_name = "CAPTURE", conflicts_with = "workload")]
    workload_file: Option<std::path::PathBuf>,
    /// End of time: the last tick (default: the protocol's).
    #[arg(long, allow_negative_numbers = true)]
    eot: Option<u32>,
    /// End of finite failures: messages may be lost only at ticks < EFF.
    #[arg(long, allow_negative_numbers = true)]
    eff: Option<u32>,
    /// How many nodes may crash.
    #[arg(long, allow_negative_numbers = true)]
    crashes: Option<u32>,
    /// How to choose fault sets.
    #[arg(long, value_enum, default_value = "ldfi")]
    strategy: StrategyArg,
    /// Stop after this many executions (the fault-free one included;
    /// default 100000, which also bounds the memory the search takes).
    #[arg(long, allow_negative_numbers = true)]
    max_runs: Option<u64>,
    /// At most this many faults (omissions and crashes together) in one
    /// fault set, on top of --eff and --crashes: a certificate then says
    /// no set of at most K faults breaks an invariant (what a Filibuster-
    /// or Jepsen-style "any K faults" campaign covers), which is usually
    /// far fewer executions than every subset before EFF.
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    max_faults: Option<usize>,
    /// Also inject restarts: at most N nodes restart in one run, each at
    /// most once and never one that also crashes. A restart (restart(n, t))
    /// is a crash and an immediate recovery: the node loses what it held in
    /// memory and starts again; only what it made durable survives. Only
    /// the nodes the protocol declares restartable (web-forum-grpc: kv,
    /// auth; protocol models: every node that may fail). Restarts count
    /// toward --max-faults. Default 0: Molly's fault model, no restarts.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    restarts: u32,
    /// Seed of the runs and of the random strategy.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    seed: u64,
    /// Find every minimal counterexample instead of stopping at the first.
    #[arg(long)]
    all_counterexamples: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Where to save counterexamples (default scenarios/corpus/<protocol>/<version>/).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Do not save counterexamples.
    #[arg(long)]
    no_save: bool,
    /// Ignore the protocol's `because` and `guard` declarations: lineage
    /// is "nothing that could matter changed" (happens-before), which
    /// assumes nothing about the protocol — sound, and exhaustive over the
    /// fault sets that change something.
    #[arg(long)]
    happens_before: bool,
    /// Report a certificate reached with declared lineage without
    /// confirming it under happens-before lineage (the output says so).
    #[arg(long, conflicts_with = "happens_before")]
    trust_declarations: bool,
    /// Executions the happens-before confirmation of a certificate may
    /// take before the verdict is reported as `unconfirmed`.
    #[arg(long, default_value_t = ldfi_harness::search::CONFIRM_MAX_RUNS, allow_negative_numbers = true)]
    confirm_max_runs: u64,
    /// Crash semantics: `stop` (a crashed node does nothing) or `molly`
    /// (it keeps receiving and computing and only stops sending; use it to
    /// compare execution counts with Molly's).
    #[arg(long, value_enum, default_value = "stop")]
    crash_semantics: CrashArg,
    /// Which checks decide a violation: invariants, enforcement predicates, or both.
    #[arg(long, value_enum, default_value = "all")]
    checks: ChecksArg,
    /// Search every version of the protocol, one after the other, and print
    /// a table; each counterexample is also replayed on the other versions
    /// (a fault schedule that breaks one version says nothing of the next).
    #[arg(long, conflicts_with = "version")]
    all_versions: bool,
    /// Check enforcement predicates from this spec file instead of the
    /// protocol's own (e.g. a draft of protocols/specs/*.spec).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Print every execution (fault set and verdict) on stderr.
    #[arg(long, short)]
    verbose: bool,
    /// Write an HTML report into DIR (new, empty, or a previous report).
    #[arg(long, value_name = "DIR", conflicts_with = "all_versions")]
    report: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ChecksArg {
    All,
    Invariants,
    Enforcement,
}

impl ChecksArg {
    pub fn mode(self) -> Checks {
        match self {
            ChecksArg::All => Checks::All,
            ChecksArg::Invariants => Checks::Invariants,
            ChecksArg::Enforcement => Checks::Enforcement,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum CrashArg {
    Stop,
    Molly,
}

impl CrashArg {
    pub fn mode(self) -> CrashMode {
        match self {
            CrashArg::Stop => CrashMode::Stop,
            CrashArg::Molly => CrashMode::Molly,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum StrategyArg {
    Ldfi,
    Random,
    Exhaustive,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let reg = registry();
    let p = protocol(&reg, &args.protocol, "--protocol")?;
    let with_spec;
    let p = match &args.spec {
        Some(file) => {
            with_spec = ldfi_harness::registry::WithSpec::new(p, load_spec(file)?);
            &with_spec as &dyn ldfi_harness::registry::DynProtocol
        }
        None => p,
    };
    check_bounds(&p.info(), &args)?;
    if let Some(dir) = &args.corpus {
        if dir.exists() && !dir.is_dir() {
            return Err(CliError::Input(format!(
                "--corpus {}: not a directory",
                dir.display()
            )));
        }
    }
    if args.max_runs == Some(0) {
        return Err(CliError::Input(
            "--max-runs 0: a search needs at least one execution (the fault-free run)".into(),
        ));
    }
    let info = p.info();
    let captured = match &args.workload_file {
        None => None,
        Some(path) => {
            let cap = super::dataplane_replay::load_envelopes(path)?;
            if cap.header.protocol != info.name {
                return Err(CliError::Input(format!(
                    "--workload-file {}: a capture of `{}`, not of `{}`",
                    path.display(),
                    cap.header.protocol,
                    info.name
                )));
            }
            Some(cap)
        }
    };
    let version = (args.version.clone())
        .or_else(|| captured.as_ref().map(|c| c.header.version.clone()))
        .unwrap_or(info.default_version.clone());
    let workload = (args.workload.clone())
        .or_else(|| captured.as_ref().map(|c| c.header.workload.clone()))
        .unwrap_or(info.default_workload.clone());
    let params = Params {
        eot: args.eot.unwrap_or(info.params.eot),
        eff: args.eff.unwrap_or(info.params.eff),
        crashes: args.crashes.unwrap_or(info.params.crashes),
    };
    let cfg = SearchConfig {
        seed: args.seed,
        strategy: match args.strategy {
            StrategyArg::Ldfi => Strategy::Ldfi,
            StrategyArg::Random => Strategy::Random,
            StrategyArg::Exhaustive => Strategy::Exhaustive,
        },
        max_runs: Some(
            args.max_runs
                .unwrap_or(ldfi_harness::search::DEFAULT_MAX_RUNS),
        ),
        all_counterexamples: args.all_counterexamples,
        lineage: if args.happens_before {
            LineageMode::HappensBefore
        } else {
            LineageMode::Declared
        },
        exhaustive_limit: 1e6,
        checks: args.checks.mode(),
        crash: args.crash_semantics.mode(),
        confirm: !args.trust_declarations,
        confirm_max_runs: Some(args.confirm_max_runs),
        inputs: captured.map(|c| std::sync::Arc::new(c.as_recorded())),
        ..SearchConfig::new(&version, &workload, params)
    };
    let limits = SearchLimits::default()
        .with_max_faults(args.max_faults)
        .with_restarts(args.restarts);
    if let (Some(path), Some(_)) = (&args.workload_file, &cfg.inputs) {
        p.wire(&cfg.run_config(Default::default()))
            .map_err(|e| CliError::Input(format!("--workload-file {}: {e}", path.display())))?;
    }
    super::interrupt::install();
    if args.all_versions {
        return super::versions::run(
            p,
            &cfg,
            limits,
            &args.corpus,
            args.no_save,
            args.json,
            args.verbose,
        );
    }
    if let Some(dir) = &args.report {
        ldfi_report::check_dir(dir).map_err(|e| CliError::Input(e.to_string()))?;
    }
    let start = wall_now();
    let mut saver = Saver::new(&info.name, &cfg.version, &args.corpus, args.no_save);
    let report = run_with_progress(p, &cfg, limits, args.verbose, &mut saver)?;
    let elapsed = start.elapsed();
    let saved = saver.finish(&report)?;
    if report.conclusion == Conclusion::FaultFreeViolation {
        bounds_too_short(p, &cfg, &args)?;
    }
    if let Some(dir) = &args.report {
        let index = ldfi_report::search(dir, p, &cfg, &report, &saved)
            .map_err(|e| CliError::Input(e.to_string()))?;
        eprintln!("report: {}", index.display());
    }
    if args.json {
        print_json(&to_json(&info.name, &cfg, &report, elapsed, &saved));
    } else {
        print_summary(&info.name, &cfg, &report, elapsed, &saved);
    }
    Ok(match report.conclusion {
        Conclusion::Interrupted => {
            let n = saved.iter().flatten().count();
            eprintln!(
                "interrupted after {} executions: {} counterexample{} found{}",
                report.executions,
                report.counterexamples.len(),
                if report.counterexamples.len() == 1 {
                    ""
                } else {
                    "s"
                },
                if n > 0 {
                    format!(", {n} saved (listed above)")
                } else {
                    String::new()
                }
            );
            ExitCode::from(super::interrupt::EXIT_INTERRUPTED)
        }
        Conclusion::Counterexample | Conclusion::FaultFreeViolation => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// The bounds against each other, the protocol and the limits, before
/// anything runs; errors name the flags.
fn check_bounds(info: &ldfi_harness::ProtocolInfo, args: &Args) -> Result<(), CliError> {
    let eot = args.eot.unwrap_or(info.params.eot);
    let eff = args.eff.unwrap_or(info.params.eff);
    let crashes = args.crashes.unwrap_or(info.params.crashes);
    let shown = |flag: &str, v: Option<u32>, d: u32| match v {
        Some(v) => format!("{flag} {v}"),
        None => format!("{flag} {d} (the protocol's default)"),
    };
    let bad = |m: String| Err(CliError::Input(m));
    if eot == 0 {
        return bad(format!(
            "{}: must be at least 1",
            shown("--eot", args.eot, eot)
        ));
    }
    if eot > ldfi_harness::runner::MAX_EOT {
        return bad(format!(
            "--eot {eot}: above the limit of {}",
            ldfi_harness::runner::MAX_EOT
        ));
    }
    if eff > eot {
        return bad(format!(
            "{}: must not exceed {} (omissions happen before EFF, within EOT)",
            shown("--eff", args.eff, info.params.eff),
            shown("--eot", args.eot, info.params.eot)
        ));
    }
    let faulty = info.nodes.len() - info.exempt.len();
    if crashes as usize > faulty {
        return bad(format!(
            "{}: {} has only {faulty} nodes that may crash",
            shown("--crashes", args.crashes, info.params.crashes),
            info.name
        ));
    }
    Ok(())
}

/// When the fault-free run violates under the given bounds but not under
/// the protocol's defaults, the bounds are the problem: a bad scenario
/// (exit 2) naming the flags, not a finding about the protocol.
fn bounds_too_short(
    p: &dyn ldfi_harness::registry::DynProtocol,
    cfg: &SearchConfig,
    args: &Args,
) -> Result<(), CliError> {
    let defaults = p.info().params;
    if defaults == cfg.params {
        return Ok(());
    }
    let mut run_cfg = ldfi_harness::RunConfig {
        version: cfg.version.clone(),
        workload: cfg.workload.clone(),
        params: defaults,
        seed: cfg.seed,
        faults: Default::default(),
        lineage: cfg.lineage,
        checks: cfg.checks,
        crash: cfg.crash,
        inputs: cfg.inputs.clone(),
    };
    if p.run(&run_cfg)?.verdict.is_violated() {
        return Ok(());
    }
    run_cfg.params = cfg.params;
    let run = p.run(&run_cfg)?;
    let flags: Vec<String> = [
        ("--eot", args.eot, defaults.eot),
        ("--eff", args.eff, defaults.eff),
        ("--crashes", args.crashes, defaults.crashes),
    ]
    .into_iter()
    .filter_map(|(flag, given, default)| {
        given
            .filter(|g| *g != default)
            .map(|g| format!("{flag} {g} (default {default})"))
    })
    .collect();
    Err(CliError::Input(format!(
        "{}: bad scenario: the fault-free run already violates `{}` under these bounds but not \
         under the protocol's defaults; there is nothing for faults to break (too short for the \
         protocol to finish?)",
        flags.join(", "),
        invariant(&run.verdict).unwrap_or("?"),
    )))
}

/// Reads and compiles a spec file given on the command line.
pub fn load_spec(file: &Path) -> Result<ldfi_harness::ldfi_enforce::Spec, CliError> {
    let text = ldfi_harness::files::read_text(file, ldfi_harness::files::MAX_INPUT_BYTES)
        .map_err(|e| CliError::Input(format!("--spec {e}")))?;
    let name = file.display().to_string();
    ldfi_harness::ldfi_enforce::Spec::parse(&name, &text).map_err(|e| {
        CliError::Input(format!(
            "--spec {}:{}:{}: {}",
            e.file, e.line, e.col, e.kind
        ))
    })
}

/// Saves each counterexample the moment it is found (atomically, under
/// `--corpus` or `scenarios/corpus/<protocol>/<version>/`), so a Ctrl-C
/// or a crash later in the search loses none.
pub struct Saver {
    protocol: String,
    dir: Option<PathBuf>,
    saved: Vec<(ldfi_harness::FaultSet, PathBuf)>,
    error: Option<CliError>,
}

impl Saver {
    pub fn new(protocol: &str, version: &str, corpus: &Option<PathBuf>, no_save: bool) -> Saver {
        let dir = corpus
            .clone()
            .unwrap_or_else(|| Path::new("scenarios/corpus").join(protocol).join(version));
        Saver {
            protocol: protocol.to_string(),
            dir: (!no_save).then_some(dir),
            saved: Vec::new(),
            error: None,
        }
    }

    /// Saves `c` now; the first error is kept for [`Saver::finish`].
    fn found(&mut self, c: &Counterexample) {
        let (Some(dir), None) = (&self.dir, &self.error) else {
            return;
        };
        match save(&self.protocol, c, dir) {
            Ok(path) => self.saved.push((c.config.faults.clone(), path)),
            Err(e) => self.error = Some(e),
        }
    }

    /// Where each of the report's counterexamples was saved (`None` with
    /// `--no-save`), or the error that stopped saving.
    pub fn finish(self, report: &SearchReport) -> Result<Vec<Option<PathBuf>>, CliError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        Ok(report
            .counterexamples
            .iter()
            .map(|c| {
                (self.saved.iter())
                    .find(|(f, _)| *f == c.config.faults)
                    .map(|(_, p)| p.clone())
            })
            .collect())
    }
}

pub fn run_with_progress(
    p: &dyn ldfi_harness::registry::DynProtocol,
    cfg: &SearchConfig,
    limits: SearchLimits,
    verbose: bool,
    saver: &mut Saver,
) -> Result<SearchReport, CliError> {
    let bar = super::progress::Bar::new(!verbose);
    let mut progress = |pr: &ldfi_harness::search::Progress<'_>| {
        if let Some(c) = pr.counterexample {
            saver.found(c);
            return;
        }
        if let (true, Some(v)) = (verbose, pr.verdict) {
            let label = match pr.set_aside {
                Some(inv) => format!("violates invariant {inv}, no predicate (set aside)"),
                None => v.word().to_string(),
            };
            eprintln!("  #{:<5} {:<9} {}", pr.executions, label, pr.trying);
        }
        bar.update(pr);
    };
    let report = search_limited(
        p,
        cfg,
        limits,
        &mut progress,
        &super::interrupt::INTERRUPTED,
    );
    bar.finish();
    Ok(report?)
}

pub fn counterexample_json(c: &Counterexample, saved: &Option<PathBuf>) -> serde_json::Value {
    json!({
        "faults": c.config.faults.faults(),
        "fault_set": c.config.faults.to_string(),
        "invariant": invariant(&c.run.verdict),
        "missing": match &c.run.verdict { ldfi_harness::Verdict::Violated { missing, .. } => missing.clone(), _ => vec![] },
        "schedule": saved,
        "trace_hash": c.run.trace.hash(),
        "found_at_execution": c.found_at,
        "shrunk_from": c.shrunk_from.as_ref().map(|f| f.to_string()),
        "minimal_checked": c.minimal_checked,
    })
}

fn to_json(
    name: &str,
    cfg: &SearchConfig,
    r: &SearchReport,
    elapsed: Duration,
    saved: &[Option<PathBuf>],
) -> serde_json::Value {
    let all: Vec<_> = r
        .counterexamples
        .iter()
        .zip(saved)
        .map(|(c, s)| counterexample_json(c, s))
        .collect();
    json!({
        "protocol": name,
        "version": cfg.version,
        "workload": cfg.workload,
        "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
        "max_faults": r.max_faults,
        "restarts": {"budget": r.restarts.budget, "nodes": r.restarts.nodes},
        "strategy": cfg.strategy.name(),
        "seed": cfg.seed,
        "verdict": r.conclusion.word(),
        "assurance": r.assurance,
        "crash_semantics": cfg.crash.name(),
        "executions": r.executions,
        "confirm_executions": r.confirm_executions,
        "minimize_executions": r.minimize_executions,
        "disagreement": r.disagreement,
        "fault_free_vacuous": r.fault_free_vacuous,
        "fault_free_violation": r.fault_free.as_ref().map(|run| json!({
            "invariant": invariant(&run.verdict),
            "missing": match &run.verdict { ldfi_harness::Verdict::Violated { missing, .. } => missing.clone(), _ => vec![] },
            "trace_hash": run.trace.hash(),
        })),
        "vacuous_runs": r.vacuous_runs,
        "elapsed_ms": elapsed.as_secs_f64() * 1000.0,
        "combinations": r.combinations,
        "candidate_sets": r.candidate_sets,
        "checks": cfg.checks.name(),
        "counterexample": all.first().cloned(),
        "counterexamples": all,
    })
}

fn print_summary(
    name: &str,
    cfg: &SearchConfig,
    r: &SearchReport,
    elapsed: Duration,
    saved: &[Option<PathBuf>],
) {
    println!(
        "protocol      {name} {} (workload {}), eot {}, eff {}, crashes {} ({}){}{}, seed {}",
        cfg.version,
        super::shared::workload_text(&cfg.workload, cfg.inputs.as_ref()),
        cfg.params.eot,
        cfg.params.eff,
        cfg.params.crashes,
        cfg.crash.name(),
        r.max_faults.map_or(String::new(), |_| format!(
            ",{}",
            of_size(r).trim_start_matches(" of")
        )),
        restart_text(r),
        cfg.seed
    );
    println!("strategy      {}", cfg.strategy.name());
    println!("verdict       {}", r.conclusion.word());
    println!(
        "executions    {} (fault-free run included{}) of {} candidate fault sets (Molly's count of the space: {})",
        r.executions,
        if r.vacuous_runs > 0 {
            format!("; {} vacuous", r.vacuous_runs)
        } else {
            String::new()
        },
        big(r.candidate_sets),
        big(r.combinations)
    );
    if cfg.checks != Checks::All {
        println!("checks        {} only", cfg.checks.name());
    }
    println!("time          {:.1} ms", elapsed.as_secs_f64() * 1000.0);
    print_assurance(cfg, r);
    if let Some(run) = &r.fault_free {
        if let ldfi_harness::Verdict::Violated { invariant, missing } = &run.verdict {
            println!("violates      {invariant}");
            if !missing.is_empty() {
                println!("missing       {}", missing.join(", "));
            }
        }
        println!("trace         {}", run.trace.hash());
        println!();
        print!("{}", spacetime(&run.trace));
    }
    for (c, s) in r.counterexamples.iter().zip(saved) {
        println!();
        println!(
            "counterexample {} (found at execution {})",
            c.config.faults, c.found_at
        );
        match (&c.shrunk_from, c.minimal_checked) {
            (Some(from), _) => {
                println!("minimal       shrunk by replay from {from}; no proper subset violates")
            }
            (None, true) => println!("minimal       replayed: no proper subset violates"),
            (None, false) => println!(
                "minimal       no single fault can be dropped (too large to replay every subset)"
            ),
        }
        if let ldfi_harness::Verdict::Violated { invariant, missing } = &c.run.verdict {
            println!("violates      {invariant}");
            if !missing.is_empty() {
                println!("missing       {}", missing.join(", "));
            }
        }
        println!("trace         {}", c.run.trace.hash());
        match s {
            Some(path) => println!(
                "schedule      {}  (replay: ldfi replay {})",
                path.display(),
                path.display()
            ),
            None => println!("schedule      not saved (--no-save)"),
        }
        println!();
        print!("{}", spacetime(&c.run.trace));
    }
}

/// A count that may exceed f64 (`inf`) in words.
fn big(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3e}")
    } else {
        "over 1e308".into()
    }
}

/// ", restarts N (of a, b)" when the search injected restarts, else nothing.
fn restart_text(r: &SearchReport) -> String {
    match r.restarts.budget {
        0 => String::new(),
        n if r.restarts.nodes.is_empty() => format!(", restarts {n} (no node may restart)"),
        n => format!(", restarts {n} (of {})", r.restarts.nodes.join(", ")),
    }
}

/// " of at most K faults" when the search was bounded so, else nothing.
fn of_size(r: &SearchReport) -> String {
    match r.max_faults {
        Some(1) => " of at most 1 fault".into(),
        Some(k) => format!(" of at most {k} faults"),
        None => String::new(),
    }
}

/// What the verdict rests on, in words.
fn print_assurance(cfg: &SearchConfig, r: &SearchReport) {
    use ldfi_harness::search::Assurance;
    let line = |s: &str| println!("              {s}");
    match (r.conclusion, r.assurance) {
        (Conclusion::Certified, Assurance::Confirmed) => {
            line(&format!(
                "no fault set{} within these bounds breaks an invariant: certified on the",
                of_size(r)
            ));
            line(&format!(
                "protocol's declared lineage, then confirmed on happens-before lineage ({} of the executions)",
                r.confirm_executions
            ));
        }
        (Conclusion::Certified, Assurance::HappensBefore) => {
            line(&format!(
                "no fault set{} within these bounds breaks an invariant (happens-before lineage:",
                of_size(r)
            ));
            line("no assumption about the protocol)");
        }
        (Conclusion::Certified, Assurance::Declared) => {
            line("certified on the protocol's declared lineage only (--trust-declarations): it holds");
            line("if every `because` and `guard` declaration is right; not confirmed");
        }
        (Conclusion::Certified, _) => line(&format!(
            "every fault set{} of the space was run; none violated",
            of_size(r)
        )),
        (Conclusion::Unconfirmed, _) => {
            line("NOT certified: declared lineage found no counterexample, but the happens-before");
            line(&format!(
                "confirmation ran out of its budget ({} executions; raise --confirm-max-runs)",
                r.confirm_executions
            ));
        }
        (Conclusion::BudgetExhausted, _) => {
            line("the run budget was spent before the search ended")
        }
        (Conclusion::Interrupted, _) => {
            line("interrupted (Ctrl-C) before the search ended: NOT a certificate")
        }
        (Conclusion::FaultFreeViolation, _) => {
            line("the fault-free run already violates: no fault is needed, nothing was searched;");
            line("this version is broken without faults (at the protocol's default bounds too)");
        }
        (Conclusion::Counterexample, _) => {}
    }
    if r.fault_free_vacuous {
        line("note: the fault-free run is vacuous (no invariant's `pre` holds); the search");
        line("looked for fault sets that make a `pre` true and its `post` false");
    }
    if let Some(d) = &r.disagreement {
        println!();
        println!(
            "DISAGREEMENT  declared lineage certified this protocol after {} executions;",
            d.declared_executions
        );
        println!("              happens-before lineage found the counterexample below: a declaration hides a cause");
        match &d.culprit {
            Some(c) => println!("culprit       {c}"),
            None => println!("culprit       not located (no declared graph of the violated invariant explains it)"),
        }
    }
    let _ = cfg;
}
