//! `ldfi dataplane run SCHEDULE` for a `web-forum-grpc` schedule: the
//! schedule in simulation, its faults by identity, and the same schedule
//! on the real services (`auth`, `kv`, `frontend` as processes) behind one
//! enforcement proxy that applies those faults; the real verdict beside
//! the simulated one (see `ldfi_forum_grpc::realrun`).

use super::replay::{exit_for, invariant};
use super::shared::{print_json, CliError};
use ldfi_forum_grpc::realrun::{self, Options, RealError, RealRun};
use ldfi_harness::RunConfig;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// One tick of wall clock by default: the frontend then waits 150 ms for
/// `auth` and `kv`, a client 800 ms for the frontend.
pub const TICK_MS: u64 = 50;

/// The flags of `dataplane run` that a forum run reads.
pub struct Flags {
    pub json: bool,
    pub enforce: String,
    pub violations: Option<PathBuf>,
    pub capture: Option<PathBuf>,
    pub tick_ms: u64,
}

fn cli(e: RealError) -> CliError {
    match e {
        RealError::Input(m) => CliError::Input(m),
        RealError::Process(m) => CliError::Internal(m),
    }
}

/// Runs `cfg` on the real services through the proxy.
pub fn real(cfg: &RunConfig, flags: &Flags) -> Result<RealRun, CliError> {
    if flags.tick_ms == 0 || flags.tick_ms > 10_000 {
        return Err(CliError::Input(format!(
            "--tick-ms: {} is not between 1 and 10000",
            flags.tick_ms
        )));
    }
    if let Some(c) = &flags.capture {
        if c.exists() {
            return Err(CliError::Input(format!(
                "--capture {}: exists (never overwritten)",
                c.display()
            )));
        }
    }
    let opts = Options {
        exe: super::dataplane::exe()?,
        tick: Duration::from_millis(flags.tick_ms),
        enforce: flags.enforce.clone(),
        dir: std::env::temp_dir(),
        capture: flags.capture.clone(),
        violations: flags.violations.clone(),
    };
    ldfi_dataplane::child::kill_group_on_interrupt();
    ldfi_dataplane::child::ignore_sigpipe();
    let r = realrun::run(cfg, &opts);
    ldfi_dataplane::child::default_sigpipe();
    r.map_err(cli)
}

/// `dataplane run FILE` for a forum schedule.
pub fn run_file(file: &Path, cfg: &RunConfig, flags: &Flags) -> Result<ExitCode, CliError> {
    let r = real(cfg, flags).map_err(|e| e.in_file(file))?;
    if flags.json {
        print_json(&to_json(file, cfg, flags, &r));
    } else {
        print_text(cfg, flags, &r);
    }
    Ok(exit_for(&r.verdict))
}

fn rows(r: &RealRun) -> Vec<Value> {
    let mut by: std::collections::BTreeMap<(String, String), Value> = Default::default();
    for ((callee, method, outcome), n) in &r.counters {
        let row = by
            .entry((callee.clone(), method.clone()))
            .or_insert_with(|| json!({"callee": callee, "method": method, "forwarded": 0, "fault": 0, "refused": 0, "upstream_error": 0}));
        row[outcome.as_str()] = json!(n);
    }
    by.into_values().collect()
}

fn to_json(file: &Path, cfg: &RunConfig, flags: &Flags, r: &RealRun) -> Value {
    let refusals: serde_json::Map<String, Value> = r
        .by_rule
        .iter()
        .filter(|((action, _), _)| action == "refused")
        .map(|((_, rule), n)| (rule.clone(), json!(n)))
        .collect();
    let flagged: serde_json::Map<String, Value> = r
        .by_rule
        .iter()
        .filter(|((action, _), _)| action == "flagged")
        .map(|((_, rule), n)| (rule.clone(), json!(n)))
        .collect();
    json!({
        "file": file,
        "protocol": ldfi_forum_grpc::NAME,
        "version": cfg.version,
        "workload": cfg.workload,
        "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
        "seed": cfg.seed,
        "faults": cfg.faults.faults(),
        "verdict": r.verdict.word(),
        "invariant": invariant(&r.verdict),
        "simulated": {
            "verdict": r.sim.verdict.word(),
            "invariant": invariant(&r.sim.verdict),
            "trace_hash": r.sim.trace.hash(),
        },
        "same_verdict": same_verdict(r),
        "trace_hash": Value::Null,
        "trace_hash_compared": false,
        "enforce": flags.enforce,
        "tick_ms": flags.tick_ms,
        "identity_faults": r.applied,
        "restarts": r.restarts,
        "unmatched": r.unmatched(),
        "refusals": refusals,
        "flagged": flagged,
        "violations": r.records,
        "counters": rows(r),
        "calls": r.calls,
        "workload_answers": r.answers,
        "processes": r.processes,
        "data_dir": r.data_dir,
    })
}

/// The real run ended as the simulated one did (verdict and invariant).
fn same_verdict(r: &RealRun) -> bool {
    r.verdict.word() == r.sim.verdict.word() && invariant(&r.verdict) == invariant(&r.sim.verdict)
}

fn print_text(cfg: &RunConfig, flags: &Flags, r: &RealRun) {
    super::replay::print_header(ldfi_forum_grpc::NAME, cfg);
    println!("verdict   {}", r.verdict);
    let same = same_verdict(r);
    println!(
        "simulated {}{}",
        r.sim.verdict,
        if same {
            " (the same verdict)"
        } else {
            " (DIFFERENT: a real run is paced by the wall clock; try a longer --tick-ms)"
        }
    );
    println!();
    let tick = Duration::from_millis(flags.tick_ms);
    let (up, client) = realrun::timeouts(tick);
    let procs: Vec<String> = r
        .processes
        .iter()
        .map(|p| {
            let killed = if p.killed { ", killed" } else { "" };
            let life = if p.life > 0 {
                format!(", life {}", p.life + 1)
            } else {
                String::new()
            };
            format!("{} (pid {}{life}{killed})", p.name, p.pid)
        })
        .collect();
    println!("real      {}", procs.join(", "));
    println!(
        "          one proxy in front of all three ({} calls), enforce {}; ticks of {} ms: the frontend waits {} ms for auth and kv, a client {} ms",
        r.calls,
        flags.enforce,
        flags.tick_ms,
        up.as_millis(),
        client.as_millis()
    );
    println!(
        "          the trace hash is not comparable (the wall clock paced the run); simulated {}",
        r.sim.trace.hash()
    );
    if r.applied.is_empty() && r.restarts.is_empty() {
        println!("identity  no fault changed the simulated run");
    }
    for (i, a) in r.applied.iter().enumerate() {
        let head = if i == 0 { "identity" } else { "" };
        let how = if a.applied {
            "applied"
        } else {
            "NEVER MATCHED"
        };
        println!("{head:<9} {:<44} {how}: {}", a.fault, a.what);
    }
    for (i, t) in r.restarts.iter().enumerate() {
        let head = if i == 0 { "timed" } else { "" };
        let how = if t.applied { "applied" } else { "NOT APPLIED" };
        println!("{head:<9} {:<44} {how}: {}", t.fault, t.what);
    }
    for (i, a) in r.answers.iter().enumerate() {
        let head = if i == 0 { "workload" } else { "" };
        let heard = if a.after_crash {
            " (after its client crashed: not heard)"
        } else {
            ""
        };
        println!(
            "{head:<9} {} {:<6} tick {:>2}  {}{heard}",
            a.client, a.method, a.at, a.message
        );
    }
    println!("proxy     callee    method        forwarded  fault  refused  upstream_error");
    for row in rows(r) {
        println!(
            "          {:<9} {:<13} {:>9} {:>6} {:>8} {:>15}",
            row["callee"].as_str().unwrap_or(""),
            row["method"].as_str().unwrap_or(""),
            row["forwarded"].as_u64().unwrap_or(0),
            row["fault"].as_u64().unwrap_or(0),
            row["refused"].as_u64().unwrap_or(0),
            row["upstream_error"].as_u64().unwrap_or(0)
        );
    }
    if r.by_rule.is_empty() {
        println!("rules     no violation recorded by the proxy");
    }
    for (i, ((action, rule), n)) in r.by_rule.iter().enumerate() {
        let head = if i == 0 { "rules" } else { "" };
        println!("{head:<9} {action:<8} {n:>3}  {rule}");
    }
}
