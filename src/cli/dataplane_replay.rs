//! `ldfi dataplane replay CAPTURE`: a capture's workload re-driven against a
//! fresh cluster of real processes, free-running (ticks paced by the wall
//! clock), with a schedule's faults by channel identity (see
//! `dataplane_identity.rs`); and the capture files the commands write.

use super::dataplane::{counters, exe, print_counters};
use super::replay::{exit_for, invariant};
use super::shared::{load_schedule, print_json, protocol, registry, CliError};
use ldfi_dataplane::capture::{self, CaptureFile, EnvelopeCapture};
use ldfi_dataplane::conductor::{conduct_free, Options};
use ldfi_dataplane::identity::IdentityFaults;
use ldfi_harness::inputs::EncodedInput;
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::{FaultSet, RunConfig};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// The capture (JSON lines, from `dataplane run --capture` or
    /// `replay --export-capture`).
    capture: PathBuf,
    /// Give the inputs at N per second of wall clock, in capture order
    /// (input k at tick 1 + ⌊k / N / tick⌋).
    #[arg(long, value_name = "N", conflicts_with = "as_recorded")]
    rate: Option<f64>,
    /// Give each input at the tick it was captured at (the default).
    #[arg(long)]
    as_recorded: bool,
    /// The wall-clock length of a tick, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    tick_ms: u64,
    /// Inject faults: a schedule's (translated into faults by channel
    /// identity from its simulated run; the run takes its version, bounds
    /// and crash semantics), or a fault file by identity (`"identity": 1`;
    /// the capture's bounds). Without it the run is fault-free with the
    /// capture's version and bounds.
    #[arg(long, value_name = "FILE")]
    schedule: Option<PathBuf>,
    /// Record the run's traffic (JSON lines, as `dataplane run --capture`)
    /// to this new file (never over an existing one).
    #[arg(long = "capture", value_name = "FILE")]
    record: Option<PathBuf>,
    /// Write the faults by channel identity the run injects (a fault file,
    /// for `--schedule`) to this new file.
    #[arg(long, value_name = "FILE")]
    export_identity: Option<PathBuf>,
    /// What sidecars do with a message that violates a predicate: observe
    /// (log, count, forward) or refuse.
    #[arg(long, default_value = "observe")]
    enforce: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// rpc captures (`ldfi proxy --capture`): where to send the client
    /// calls (`host:port`: the services, or a proxy in front of them, which
    /// applies its `--faults`); every response is compared with the
    /// recording (exit 1 if any differs).
    #[arg(long, value_name = "ADDR")]
    target: Option<String>,
}

/// Writes `lines` (a capture's, or an exported file's) to `out`, a new
/// file (never over an existing one), atomically; `flag` names the option
/// in errors.
pub fn write_capture(out: &Path, flag: &str, lines: &[String]) -> Result<(), CliError> {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    ldfi_harness::files::write_new_atomic(out, text.as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::Input(format!(
                "{flag} {}: the file exists; it is not overwritten (give a new name)",
                out.display()
            ))
        } else {
            CliError::Input(format!("{flag} {}: cannot write: {e}", out.display()))
        }
    })
}

/// Reads an envelope capture: exit 2 naming the file (and line) if it is
/// not one.
pub fn load_envelopes(path: &Path) -> Result<EnvelopeCapture, CliError> {
    let file = capture::open(path).map_err(input)?;
    file.envelopes().map_err(input)
}

fn input(e: capture::CaptureError) -> CliError {
    CliError::Input(e.to_string())
}

pub fn replay(args: ReplayArgs) -> Result<ExitCode, CliError> {
    // An rpc capture (a gRPC proxy's `--capture`) has its own header.
    if ldfi_rpc::capture::kind(&args.capture).ok().as_deref() == Some("rpc") {
        let pace = (args.rate, args.as_recorded);
        return super::dataplane_rpc::replay_rpc(
            &args.capture,
            args.target.as_deref(),
            pace,
            args.json,
        );
    }
    let file = capture::open(&args.capture).map_err(input)?;
    // The one place that dispatches on a capture's kind.
    match file.header.kind.as_str() {
        capture::ENVELOPES => replay_envelopes(&file, &args),
        other => Err(CliError::Input(format!(
            "{}:1: field `kind`: unknown capture kind `{other}` (this ldfi replays: {})",
            args.capture.display(),
            capture::ENVELOPES
        ))),
    }
}

/// The run to drive: the schedule's (or the capture's, fault-free, with
/// a fault file's version) with the capture's inputs at their ticks; and
/// the fault file's faults, if `--schedule` is one.
fn config(
    p: &dyn DynProtocol,
    cap: &EnvelopeCapture,
    args: &ReplayArgs,
) -> Result<(RunConfig, Option<IdentityFaults>), CliError> {
    let h = &cap.header;
    let given = match &args.schedule {
        Some(path) => super::dataplane_identity::read_file(path, &p.info().nodes)?,
        None => None,
    };
    if let (Some(f), Some(path)) = (&given, &args.schedule) {
        if f.protocol != h.protocol {
            return Err(CliError::Input(format!(
                "{}: field `protocol`: `{}`, but the capture {} is of `{}`",
                path.display(),
                f.protocol,
                args.capture.display(),
                h.protocol
            )));
        }
    }
    let mut cfg = match &args.schedule {
        Some(path) if given.is_none() => {
            let s = load_schedule(path)?;
            if s.protocol != h.protocol {
                return Err(CliError::Input(format!(
                    "{}: field `protocol`: `{}`, but the capture {} is of `{}`",
                    path.display(),
                    s.protocol,
                    args.capture.display(),
                    h.protocol
                )));
            }
            s.run_config(&p.info(), None, None)
        }
        _ => RunConfig {
            version: (given.as_ref())
                .and_then(|f| f.version.clone())
                .unwrap_or_else(|| h.version.clone()),
            workload: h.workload.clone(),
            params: h.params,
            seed: h.seed,
            faults: FaultSet::default(),
            lineage: Default::default(),
            checks: Default::default(),
            crash: Default::default(),
            inputs: None,
        },
    };
    let inputs = match args.rate {
        None => cap.as_recorded(),
        Some(rate) => at_rate(cap, rate, args.tick_ms)?,
    };
    if let Some(last) = inputs.iter().map(|i| i.at).max() {
        if last > cfg.params.eot {
            return Err(CliError::Input(format!(
                "{}: an input falls at tick {last}, after eot {} ({}); raise --rate, or give --schedule with a larger eot",
                args.capture.display(),
                cfg.params.eot,
                if args.rate.is_some() { "paced by --rate" } else { "as recorded" }
            )));
        }
    }
    cfg.inputs = Some(Arc::new(inputs));
    let file = args.schedule.as_ref().unwrap_or(&args.capture);
    p.wire(&cfg)
        .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    Ok((cfg, given))
}

/// The capture's inputs at `rate` per second of wall clock with ticks of
/// `tick_ms`: input k at tick 1 + ⌊k × 1000 / (rate × tick_ms)⌋.
fn at_rate(cap: &EnvelopeCapture, rate: f64, tick_ms: u64) -> Result<Vec<EncodedInput>, CliError> {
    if !(rate.is_finite() && rate > 0.0) {
        return Err(CliError::Input(format!(
            "--rate: {rate} is not a positive number of inputs per second"
        )));
    }
    let per_tick = rate * tick_ms as f64 / 1000.0;
    let mut out = cap.as_recorded();
    for (k, i) in out.iter_mut().enumerate() {
        let t = 1.0 + (k as f64 / per_tick).floor();
        i.at = if t >= u32::MAX as f64 {
            u32::MAX
        } else {
            t as u32
        };
    }
    Ok(out)
}

fn replay_envelopes(file: &CaptureFile, args: &ReplayArgs) -> Result<ExitCode, CliError> {
    let cap = file.envelopes().map_err(input)?;
    if args.tick_ms == 0 || args.tick_ms > 60_000 {
        return Err(CliError::Input(format!(
            "--tick-ms: {} is outside 1..=60000",
            args.tick_ms
        )));
    }
    if !["observe", "refuse"].contains(&args.enforce.as_str()) {
        return Err(CliError::Input(format!(
            "--enforce: unknown mode `{}` (observe, refuse)",
            args.enforce
        )));
    }
    for (flag, out) in [
        ("--capture", &args.record),
        ("--export-identity", &args.export_identity),
    ] {
        if let Some(out) = out.as_ref().filter(|o| o.exists()) {
            return Err(CliError::Input(format!(
                "{flag} {}: the file exists; it is not overwritten (give a new name)",
                out.display()
            )));
        }
    }
    let reg = registry();
    let what = format!("{}:1: field `protocol`", args.capture.display());
    let p = protocol(&reg, &cap.header.protocol, &what)?;
    let (cfg, given) = config(p, &cap, args)?;
    let info = p.info();
    // The simulated run: what the verdict is compared with (a schedule's),
    // and what a schedule's faults are translated by.
    let sim = p.run(&cfg)?;
    let file = args.schedule.as_deref().unwrap_or(&args.capture);
    let plan = super::dataplane_identity::plan(p, &cfg, given, &sim.trace, args.tick_ms, file)?;
    let simulated = plan.source == "schedule";
    if let Some(out) = &args.export_identity {
        let text = serde_json::to_string_pretty(&plan.identity).expect("faults serialize");
        write_capture(out, "--export-identity", &[text])?;
    }
    ldfi_dataplane::child::kill_group_on_interrupt();
    ldfi_dataplane::child::ignore_sigpipe();
    let workload = match args.record {
        Some(_) => p.workload_inputs(&plan.free)?,
        None => Vec::new(),
    };
    let opts = Options {
        exe: exe()?,
        enforce: args.enforce.clone(),
        violations: None,
        kill_sidecar: None,
        capture: args.record.is_some(),
        workload: workload.into_iter().map(|(i, _)| i).collect(),
    };
    let tick = Duration::from_millis(args.tick_ms);
    let messages = &plan.identity.messages;
    let conducted = conduct_free(&info.name, &info.nodes, &plan.free, &opts, tick, messages);
    ldfi_dataplane::child::default_sigpipe();
    let (conducted, free) =
        conducted.map_err(|e| CliError::Internal(format!("{}: {e}", args.capture.display())))?;
    if let Some(path) = &args.record {
        write_capture(path, "--capture", &conducted.capture)?;
    }
    let real = p.judge_assembled(&plan.free, conducted.assembled.clone(), None)?;
    let counters = counters(&conducted);
    let same = simulated.then(|| real.verdict == sim.verdict);
    let delivered = (real.trace.events.iter())
        .filter(|e| matches!(e, ldfi_harness::Event::Deliver { .. }))
        .count();
    let pacing = match args.rate {
        Some(r) => format!("{r} inputs/s"),
        None => "as recorded".to_string(),
    };
    let hits = &conducted.hits;
    if args.json {
        let sim_json = simulated
            .then(|| json!({"verdict": sim.verdict.word(), "invariant": invariant(&sim.verdict)}));
        print_json(&json!({
            "capture": args.capture,
            "kind": capture::ENVELOPES,
            "protocol": info.name,
            "version": cfg.version,
            "workload": cfg.workload,
            "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
            "faults": cfg.faults.faults(),
            "identity": super::dataplane_identity::json(&plan, hits, &info.nodes, args.tick_ms),
            "inputs": cap.inputs.len(),
            "pacing": pacing,
            "tick_ms": args.tick_ms,
            "mode": "free-running",
            "verdict": real.verdict.word(),
            "invariant": invariant(&real.verdict),
            "trace_hash": real.trace.hash(),
            "trace_hash_comparable": false,
            "simulated": sim_json,
            "same_verdict": same,
            "overruns": free.overruns,
            "stranded": free.stranded,
            "delivered": delivered,
            "counters": counters,
            "sidecar_violations": conducted.violations.iter().map(|l| serde_json::from_str(l).unwrap_or(Value::Null)).collect::<Vec<_>>(),
            "processes": conducted.processes,
            "pids": conducted.pids,
            "wall_ms": conducted.ticks_wall.as_millis() as u64,
            "captured": args.record,
        }));
    } else {
        println!(
            "protocol  {} {} (workload {}, {} inputs from {}), eot {}, eff {}, crashes {}",
            info.name,
            cfg.version,
            cfg.workload,
            cap.inputs.len(),
            args.capture.display(),
            cfg.params.eot,
            cfg.params.eff,
            cfg.params.crashes
        );
        if !cfg.faults.faults().is_empty() {
            println!("schedule  {}", cfg.faults);
        }
        for line in super::dataplane_identity::text(&plan, hits, &info.nodes, args.tick_ms) {
            println!("{line}");
        }
        println!("verdict   {}", real.verdict);
        let why = match (same, free.overruns) {
            (None, _) => None,
            (Some(true), _) => Some("the same verdict".to_string()),
            (Some(false), 0) => Some("DIFFERENT".to_string()),
            (Some(false), n) => Some(format!("DIFFERENT; {n} node ticks overran --tick-ms {}, so some messages arrived a tick late: raise --tick-ms to replay the simulated timing", args.tick_ms)),
        };
        match why {
            Some(why) => println!("simulated {} ({why})", sim.verdict),
            None => println!("simulated none: faults by identity have no simulated counterpart"),
        }
        println!();
        println!(
            "dataplane {} processes, free-running: ticks of {} ms, inputs {pacing}; {} node ticks overran; {} ms",
            conducted.processes,
            args.tick_ms,
            free.overruns,
            conducted.ticks_wall.as_millis()
        );
        println!(
            "          {delivered} envelopes delivered; {} arrived after their receiver's last tick",
            free.stranded
        );
        println!("          the trace hash ({}) is not comparable with a simulated run's: the wall clock paced it", real.trace.hash());
        if let Some(path) = &args.record {
            println!("          traffic captured to {}", path.display());
        }
        print_counters(&conducted, &counters);
    }
    Ok(exit_for(&real.verdict))
}
