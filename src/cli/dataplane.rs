//! `ldfi dataplane run SCHEDULE`: a schedule on real processes — every node
//! a gRPC server behind an enforcement sidecar — in lockstep, checked as
//! `ldfi replay` checks it, with the conformance check against simulation.

use super::replay::{exit_for, invariant, print_text};
use super::shared::{load_schedule, print_json, protocol, registry, CliError};
use ldfi_dataplane::conductor::{conduct, first_difference, Conducted, Options};
use ldfi_dataplane::sidecar::count::parse_prometheus;
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::{Run, RunConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Run a schedule on real processes in lockstep and check it as
    /// `ldfi replay` does; the trace must hash as the simulated run's.
    ///
    /// Exit 0: good or vacuous, conforming; 1: violated; 2: bad input;
    /// 3: a process failed, or the real trace differs from the simulated one.
    Run(RunArgs),
    /// Measure what the sidecar adds to delivery (envelopes/s, p50/p99
    /// latency; load from a separate process) and the cost of one lockstep
    /// tick on real processes against a simulated one. Use a release build.
    Bench(super::dataplane_bench::BenchArgs),
    /// Re-drive a capture's workload against a fresh cluster, free-running
    /// (ticks paced by the wall clock), with a schedule's faults: the
    /// verdict (comparable with simulation; the trace hash is not) and the
    /// sidecars' counters.
    ///
    /// Exit 0: good or vacuous; 1: violated; 2: bad input; 3: a process failed.
    Replay(super::dataplane_replay::ReplayArgs),
    /// The benchmark's load generator (started by `bench`).
    #[command(hide = true)]
    Load(super::dataplane_bench::LoadArgs),
    /// Measure what the gRPC proxy adds to a call (calls/s, p50/p99
    /// latency, against direct calls; load from a separate process) and
    /// the checker's share of its time. Use a release build.
    RpcBench(super::dataplane_rpc::BenchArgs),
    /// The gRPC benchmark's load generator (started by `rpc-bench`).
    #[command(hide = true)]
    RpcLoad(super::dataplane_rpc::LoadArgs),
    /// A byte relay to `--to` (the benchmarks' floor row: a separate
    /// process in the path, no HTTP/2, no checking).
    #[command(hide = true)]
    Relay(super::dataplane_bench::RelayArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The schedule file (JSON, "format": 1).
    file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// What sidecars do with a message that violates a predicate: observe
    /// (log, count, forward: the simulator's semantics, so the trace
    /// conforms) or refuse (drop it at the sender's sidecar).
    #[arg(long, default_value = "observe")]
    enforce: String,
    /// Append the sidecars' violation records (JSON lines) to this file.
    #[arg(long)]
    violations: Option<PathBuf>,
    /// Kill NODE's sidecar before tick T (NODE@T): the dataplane fails
    /// closed and the run stops with an error naming it.
    #[arg(long, value_name = "NODE@T")]
    kill_sidecar: Option<String>,
    /// Write the run's traffic to this new file (never overwritten) as
    /// JSON lines: a header, then per tick its workload inputs (with their
    /// encoding) and every envelope delivered (with its tick, wall-clock
    /// offset, identity, k-th on its channel, kind and encoding). See
    /// `dataplane replay` and `search --workload-file`.
    #[arg(long)]
    capture: Option<PathBuf>,
    /// web-forum-grpc only: one tick of wall clock, ms (the workload's
    /// inputs come at their ticks; the frontend waits 3 ticks for auth and
    /// kv, a client 16).
    #[arg(long, value_name = "MS")]
    tick_ms: Option<u64>,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Run(a) => run_schedule(a),
        Sub::Bench(a) => super::dataplane_bench::bench(a),
        Sub::Replay(a) => super::dataplane_replay::replay(a),
        Sub::Load(a) => super::dataplane_bench::load(a),
        Sub::RpcBench(a) => super::dataplane_rpc::bench(a),
        Sub::RpcLoad(a) => super::dataplane_rpc::load(a),
        Sub::Relay(a) => super::dataplane_bench::relay(a),
    }
}

fn run_schedule(args: RunArgs) -> Result<ExitCode, CliError> {
    let schedule = load_schedule(&args.file)?;
    let reg = registry();
    let what = format!("{}: field `protocol`", args.file.display());
    let p = protocol(&reg, &schedule.protocol, &what)?;
    let info = p.info();
    let cfg = schedule.run_config(&info, None, None);
    if info.name == ldfi_forum_grpc::NAME {
        return forum_schedule(&args, &cfg);
    }
    if args.tick_ms.is_some() {
        return Err(CliError::Input(format!(
            "--tick-ms: only for web-forum-grpc schedules ({} runs in lockstep)",
            info.name
        )));
    }
    if !["observe", "refuse"].contains(&args.enforce.as_str()) {
        return Err(CliError::Input(format!(
            "--enforce: unknown mode `{}` (observe, refuse)",
            args.enforce
        )));
    }
    let kill_sidecar = match &args.kill_sidecar {
        None => None,
        Some(s) => Some(parse_kill(s, &info.nodes)?),
    };
    let opts = Options {
        exe: exe()?,
        enforce: args.enforce.clone(),
        violations: args.violations.clone(),
        kill_sidecar,
        capture: args.capture.is_some(),
        workload: Vec::new(),
    };
    let (real, conducted) = run_real(p, &cfg, &opts).map_err(|e| e.in_file(&args.file))?;
    if let Some(path) = &args.capture {
        super::dataplane_replay::write_capture(path, "--capture", &conducted.capture)?;
    }
    let sim = p
        .run(&cfg)
        .map_err(|e| CliError::Input(format!("{}: {e}", args.file.display())))?;
    let (hash, sim_hash) = (real.trace.hash(), sim.trace.hash());
    let diff = first_difference(&sim.trace, &real.trace);
    let counters = counters(&conducted);
    // Refusing a message changes the run: the simulator delivers it.
    let refused = counters
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["refused"].as_u64() > Some(0));
    let expect_conformance = !(args.enforce == "refuse" && refused);
    if args.json {
        print_json(&json!({
            "file": args.file,
            "protocol": info.name,
            "version": cfg.version,
            "workload": cfg.workload,
            "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
            "seed": cfg.seed,
            "faults": cfg.faults.faults(),
            "verdict": real.verdict.word(),
            "invariant": invariant(&real.verdict),
            "trace_hash": hash,
            "simulated": {"verdict": sim.verdict.word(), "invariant": invariant(&sim.verdict), "trace_hash": sim_hash},
            "conforms": diff.is_none(),
            "conformance_checked": expect_conformance,
            "first_difference": diff.as_ref().map(|(k, s, r)| json!({"event": k, "simulated": s, "real": r})),
            "counters": counters,
            "sidecar_violations": conducted.violations.iter().map(|l| serde_json::from_str(l).unwrap_or(Value::Null)).collect::<Vec<_>>(),
            "processes": conducted.processes,
            "pids": conducted.pids,
            "enforce": args.enforce,
            "expected": schedule.expect,
        }));
    } else {
        print_text(&info.name, &cfg, &real, &hash);
        println!();
        print_dataplane(
            &conducted,
            &counters,
            &sim,
            &sim_hash,
            diff.as_ref(),
            expect_conformance,
        );
    }
    if diff.is_some() && expect_conformance {
        return Ok(ExitCode::from(3));
    }
    Ok(exit_for(&real.verdict))
}

/// A `web-forum-grpc` schedule: its services as real processes behind the
/// gRPC proxy, not the envelope dataplane.
fn forum_schedule(args: &RunArgs, cfg: &RunConfig) -> Result<ExitCode, CliError> {
    if args.kill_sidecar.is_some() {
        return Err(CliError::Input(
            "--kill-sidecar: not for web-forum-grpc (its services have one proxy, no sidecars)"
                .into(),
        ));
    }
    let flags = super::forum_run::Flags {
        json: args.json,
        enforce: args.enforce.clone(),
        violations: args.violations.clone(),
        capture: args.capture.clone(),
        tick_ms: args.tick_ms.unwrap_or(super::forum_run::TICK_MS),
    };
    super::forum_run::run_file(&args.file, cfg, &flags)
}

/// Runs `cfg` on real processes and judges it as `replay` judges a run.
pub fn run_real(
    p: &dyn DynProtocol,
    cfg: &RunConfig,
    opts: &Options,
) -> Result<(Run, Conducted), CliError> {
    // Bad versions, bounds or faults are input errors, found before any process starts.
    p.wire(cfg).map_err(|e| CliError::Input(e.to_string()))?;
    ldfi_dataplane::child::kill_group_on_interrupt();
    ldfi_dataplane::child::ignore_sigpipe();
    let info = p.info();
    let mut opts = opts.clone();
    if opts.capture {
        let workload = p.workload_inputs(cfg)?;
        opts.workload = workload.into_iter().map(|(i, _)| i).collect();
    }
    let conducted = conduct(&info.name, &info.nodes, cfg, &opts);
    ldfi_dataplane::child::default_sigpipe();
    let conducted = conducted.map_err(|e| CliError::Internal(e.to_string()))?;
    let run = p.judge_assembled(cfg, conducted.assembled.clone(), None)?;
    Ok((run, conducted))
}

/// Runs `cfg` on real processes with the conformance settings (sidecars
/// observe) and judges it.
pub fn run_lockstep(p: &dyn DynProtocol, cfg: &RunConfig) -> Result<Run, CliError> {
    let opts = Options {
        exe: exe()?,
        enforce: "observe".into(),
        violations: None,
        kill_sidecar: None,
        capture: false,
        workload: Vec::new(),
    };
    run_real(p, cfg, &opts).map(|(run, _)| run)
}

impl CliError {
    /// The same error, prefixed with the file it concerns.
    pub fn in_file(self, path: &std::path::Path) -> CliError {
        match self {
            CliError::Input(m) => CliError::Input(format!("{}: {m}", path.display())),
            CliError::Internal(m) => CliError::Internal(format!("{}: {m}", path.display())),
        }
    }
}

/// The `ldfi` binary the children run: this one.
pub fn exe() -> Result<PathBuf, CliError> {
    std::env::current_exe()
        .map_err(|e| CliError::Internal(format!("cannot find the ldfi binary: {e}")))
}

fn parse_kill(s: &str, nodes: &[String]) -> Result<(String, u32), CliError> {
    let bad = || {
        CliError::Input(format!(
            "--kill-sidecar: `{s}` is not NODE@TICK with a node of {}",
            nodes.join(", ")
        ))
    };
    let (node, t) = s.split_once('@').ok_or_else(bad)?;
    let t: u32 = t.parse().map_err(|_| bad())?;
    if !nodes.iter().any(|n| n == node) || t == 0 {
        return Err(bad());
    }
    Ok((node.to_string(), t))
}

/// Per channel: forwarded, dropped by fault, refused, flagged (summed over sidecars).
pub fn counters(c: &Conducted) -> Value {
    let mut by: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for text in &c.prometheus {
        for (_, channel, outcome, n) in parse_prometheus(text) {
            *by.entry(channel).or_default().entry(outcome).or_insert(0) += n;
        }
    }
    let rows: Vec<Value> = by
        .into_iter()
        .map(|(channel, o)| {
            let get = |k: &str| o.get(k).copied().unwrap_or(0);
            json!({"channel": channel, "forwarded": get("forwarded"), "dropped_by_fault": get("dropped_by_fault"), "refused": get("refused"), "flagged": get("flagged")})
        })
        .collect();
    Value::Array(rows)
}

fn print_dataplane(
    c: &Conducted,
    counters: &Value,
    sim: &Run,
    sim_hash: &str,
    diff: Option<&(usize, Option<String>, Option<String>)>,
    expect_conformance: bool,
) {
    println!("dataplane {} processes, lockstep", c.processes);
    if !expect_conformance {
        println!("differs   from the simulated run ({sim_hash}, {}) as expected: sidecars refused messages the simulator delivers", sim.verdict.word());
        return print_counters(c, counters);
    }
    match diff {
        None => println!(
            "conforms  the simulated run hashes the same ({sim_hash}, {})",
            sim.verdict.word()
        ),
        Some((k, s, r)) => {
            println!("CONFORMANCE FAILURE: the simulated run hashes {sim_hash} ({}); first difference at event {k}:", sim.verdict);
            println!("  simulated: {}", s.as_deref().unwrap_or("(end of trace)"));
            println!("  real:      {}", r.as_deref().unwrap_or("(end of trace)"));
        }
    }
    print_counters(c, counters);
}

pub fn print_counters(c: &Conducted, counters: &Value) {
    println!("sidecars  channel            forwarded  dropped  refused  flagged");
    for row in counters.as_array().into_iter().flatten() {
        println!(
            "          {:<18} {:>9} {:>8} {:>8} {:>8}",
            row["channel"].as_str().unwrap_or(""),
            row["forwarded"].as_u64().unwrap_or(0),
            row["dropped_by_fault"].as_u64().unwrap_or(0),
            row["refused"].as_u64().unwrap_or(0),
            row["flagged"].as_u64().unwrap_or(0)
        );
    }
    for line in &c.violations {
        println!("violation {line}");
    }
}
