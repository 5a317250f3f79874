//! `ldfi dataplane bench` and its load generator `ldfi dataplane load`:
//! what the sidecar adds to a message's delivery, and what a lockstep tick
//! costs on real processes against a simulated one (use a release build).

use super::dataplane::{exe, run_real};
use super::shared::{median, print_json, registry, wall_now, CliError};
use ldfi_dataplane::child::Child;
use ldfi_dataplane::conductor::args::{proxy_args, run_flags};
use ldfi_dataplane::conductor::{Conducted, Options};
use ldfi_dataplane::load::{EnvelopeJson, LoadReport};
use ldfi_dataplane::proto::sidecar_client::SidecarClient;
use ldfi_dataplane::proto::TickRequest;
use ldfi_harness::schedule::Schedule;
use ldfi_lineage::Event;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Envelopes per load run.
    #[arg(long, default_value_t = 10_000)]
    envelopes: usize,
    /// Calls in flight.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Rounds (each: direct, then through the sidecar; medians reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Envelopes per call: 1 (a `Forward` each) or more (`ForwardBatch`,
    /// as a node sends a tick's envelopes); latencies are per call.
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Send on one long-lived `ForwardStream` per load run (a node's hot
    /// path; `--concurrency` batches in flight on it) instead of unary
    /// calls; direct, relay and sidecar rows alike.
    #[arg(long)]
    stream: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// The sidecar's URL (http://127.0.0.1:PORT).
    #[arg(long)]
    target: String,
    /// A JSON file: the envelopes to send, cycled.
    #[arg(long)]
    mix: PathBuf,
    /// How many to send.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Calls in flight.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Envelopes per call.
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Send on one `ForwardStream` instead of unary calls.
    #[arg(long)]
    stream: bool,
}

#[derive(clap::Args, Debug)]
pub struct RelayArgs {
    /// Where to relay every connection (host:port or http://host:port).
    #[arg(long)]
    to: String,
}

/// `ldfi dataplane relay`: a byte relay (the benchmarks' floor row).
pub fn relay(args: RelayArgs) -> Result<ExitCode, CliError> {
    ldfi_dataplane::relay::serve(&args.to).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

/// Starts a byte relay to `target` (a child process): the floor row's hop.
pub fn start_relay(exe: &std::path::Path, target: &str) -> Result<Child, CliError> {
    let args = ["dataplane", "relay", "--to", target].map(String::from);
    Child::start(exe, &args, "relay", 0).map_err(|e| CliError::Internal(e.to_string()))
}

/// The load generator: prints a JSON `LoadReport`.
pub fn load(args: LoadArgs) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.mix)
        .map_err(|e| CliError::Input(format!("--mix {}: {e}", args.mix.display())))?;
    let mix: Vec<EnvelopeJson> = serde_json::from_str(&text)
        .map_err(|e| CliError::Input(format!("--mix {}: {e}", args.mix.display())))?;
    if mix.is_empty() {
        return Err(CliError::Input(format!(
            "--mix {}: no envelopes",
            args.mix.display()
        )));
    }
    let rt = ldfi_dataplane::node::runtime().map_err(|e| CliError::Internal(e.to_string()))?;
    let mix = mix.iter().map(Into::into).collect();
    let report = rt
        .block_on(ldfi_dataplane::load::run(
            &args.target,
            mix,
            args.count,
            args.concurrency,
            args.batch,
            if args.stream {
                ldfi_dataplane::load::Mode::Stream
            } else {
                ldfi_dataplane::load::Mode::Unary
            },
        ))
        .map_err(|e| CliError::Internal(e.to_string()))?;
    println!(
        "{}",
        serde_json::to_string(&report).expect("reports serialize")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn bench(args: BenchArgs) -> Result<ExitCode, CliError> {
    let reg = registry();
    let p = reg
        .get("es-replication")
        .ok_or_else(|| CliError::Internal("es-replication is shipped".into()))?;
    let info = p.info();
    let schedule: Schedule =
        serde_json::from_value(json!({"format": 1, "protocol": "es-replication"}))
            .map_err(|e| CliError::Internal(e.to_string()))?;
    let cfg = schedule.run_config(&info, None, None);
    let eot = cfg.params.eot as f64;
    let opts = Options {
        exe: exe()?,
        enforce: "observe".into(),
        violations: None,
        kill_sidecar: None,
        capture: false,
        workload: Vec::new(),
    };
    let rounds = args.rounds.max(1);
    // One lockstep tick, real against simulated.
    let (mut sim_us, mut real_us, mut last) = (Vec::new(), Vec::new(), None);
    for _ in 0..rounds {
        let t0 = wall_now();
        p.run(&cfg)?;
        sim_us.push(t0.elapsed().as_secs_f64() * 1e6 / eot);
        let (_, c) = run_real(p, &cfg, &opts)?;
        real_us.push(c.ticks_wall.as_secs_f64() * 1e6 / eot);
        last = Some(c);
    }
    let conducted = last.expect("at least one round");
    let (from, to) = (1u32, 2u32);
    let mix = mix_of(&conducted, from, to);
    let (names, run) = (info.nodes.clone(), run_flags(&info.name, &cfg, None));
    let sidecar = |i: u32| -> Result<Child, CliError> {
        let name = &names[i as usize];
        let args = proxy_args(&run, name, "observe", None, &[]);
        Child::start(&opts.exe, &args, &format!("sidecar {name}"), 0)
            .map_err(|e| CliError::Internal(e.to_string()))
    };
    let (s_from, s_to) = (sidecar(from)?, sidecar(to)?);
    set_peers(&s_from, &s_to, names.len(), to as usize)?;
    let mix_file = std::env::temp_dir().join(format!("ldfi-bench-mix-{}.json", std::process::id()));
    std::fs::write(&mix_file, serde_json::to_vec(&mix).expect("mix serializes"))
        .map_err(|e| CliError::Internal(format!("{}: {e}", mix_file.display())))?;
    // The floor: the direct path with a byte relay process in front.
    let relay = start_relay(&opts.exe, &s_to.url())?;
    let (mut direct, mut relayed, mut via) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        direct.push(load_run(&opts.exe, &s_to.url(), &mix_file, &args)?);
        relayed.push(load_run(&opts.exe, &relay.url(), &mix_file, &args)?);
        via.push(load_run(&opts.exe, &s_from.url(), &mix_file, &args)?);
    }
    let _ = std::fs::remove_file(&mix_file);
    report(
        &args,
        [&direct, &relayed, &via],
        median(sim_us),
        median(real_us),
        mix.len(),
    )
}

/// The envelopes `from` sent `to` in a conducted run.
fn mix_of(c: &Conducted, from: u32, to: u32) -> Vec<EnvelopeJson> {
    let trace = &c.assembled.trace;
    trace
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Send {
                id, to: t, label, ..
            } if id.from as u32 == from && *t as u32 == to => {
                let body = c.assembled.bodies.get(id)?.clone();
                let kind = ldfi_dataplane::envelope::kind_of(label).to_string();
                Some(EnvelopeJson {
                    from,
                    to,
                    sent: id.sent,
                    seq: id.seq,
                    kind,
                    body,
                })
            }
            _ => None,
        })
        .collect()
}

/// Tells the sender's sidecar where the receiver's is (a `Tick` at tick 0,
/// node down: it delivers nothing).
fn set_peers(s_from: &Child, s_to: &Child, n: usize, to: usize) -> Result<(), CliError> {
    let mut peers = vec!["http://127.0.0.1:1".to_string(); n];
    peers[to] = s_to.url();
    let rt = ldfi_dataplane::node::runtime().map_err(|e| CliError::Internal(e.to_string()))?;
    rt.block_on(async {
        let mut c = SidecarClient::connect(s_from.url())
            .await
            .map_err(|e| CliError::Internal(e.to_string()))?;
        c.tick(TickRequest {
            tick: 0,
            up: false,
            peers,
            ..TickRequest::default()
        })
        .await
        .map_err(|e| CliError::Internal(e.to_string()))?;
        Ok(())
    })
}

/// One run of the load generator, a separate process.
fn load_run(
    exe: &std::path::Path,
    target: &str,
    mix: &std::path::Path,
    args: &BenchArgs,
) -> Result<LoadReport, CliError> {
    let out = std::process::Command::new(exe)
        .args(["dataplane", "load", "--target", target, "--mix"])
        .arg(mix)
        .args([
            "--count",
            &args.envelopes.to_string(),
            "--concurrency",
            &args.concurrency.to_string(),
            "--batch",
            &args.batch.to_string(),
        ])
        .args(args.stream.then_some("--stream"))
        .output()
        .map_err(|e| CliError::Internal(format!("load generator: {e}")))?;
    serde_json::from_slice(&out.stdout).map_err(|e| {
        CliError::Internal(format!(
            "load generator: {e}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    })
}

/// Medians of a row's rounds: envelopes/s, p50 µs, p99 µs.
fn row(v: &[LoadReport]) -> (f64, f64, f64) {
    let m = |f: fn(&LoadReport) -> f64| median(v.iter().map(f).collect());
    (m(|r| r.per_second), m(|r| r.p50_us), m(|r| r.p99_us))
}

fn report(
    args: &BenchArgs,
    [direct, relayed, via]: [&[LoadReport]; 3],
    sim_tick_us: f64,
    real_tick_us: f64,
    mix: usize,
) -> Result<ExitCode, CliError> {
    let (d_rate, d50, d99) = row(direct);
    let (r_rate, r50, r99) = row(relayed);
    let (v_rate, v50, v99) = row(via);
    let errors: usize = direct
        .iter()
        .chain(relayed)
        .chain(via)
        .map(|r| r.errors)
        .sum();
    let loss = |rate: f64| 100.0 * (1.0 - rate / d_rate.max(1e-9));
    if args.json {
        print_json(&json!({
            "envelopes": args.envelopes, "concurrency": args.concurrency, "rounds": args.rounds, "mix": mix, "batch": args.batch, "stream": args.stream,
            "direct": {"per_second": d_rate, "p50_us": d50, "p99_us": d99},
            "relay": {"per_second": r_rate, "p50_us": r50, "p99_us": r99,
                "added_p50_us": r50 - d50, "added_p99_us": r99 - d99, "throughput_loss_pct": loss(r_rate)},
            "sidecar": {"per_second": v_rate, "p50_us": v50, "p99_us": v99},
            "added_p50_us": v50 - d50, "added_p99_us": v99 - d99, "throughput_loss_pct": loss(v_rate), "errors": errors,
            "tick_us": {"simulated": sim_tick_us, "real": real_tick_us},
        }));
    } else {
        let how = if args.stream {
            "batches on one stream"
        } else {
            "calls"
        };
        println!("sidecar: {} envelopes (n1->n2, {mix} distinct) x {} rounds, {} {how} in flight of {} envelopes, load from a separate process", args.envelopes, args.rounds, args.concurrency, args.batch.max(1));
        println!("                      envelopes/s   p50 µs   p99 µs   (per call)");
        println!("direct                {d_rate:>11.0} {d50:>8.1} {d99:>8.1}");
        println!("through a byte relay  {r_rate:>11.0} {r50:>8.1} {r99:>8.1}");
        println!("through the sidecar   {v_rate:>11.0} {v50:>8.1} {v99:>8.1}");
        let added = |name: &str, loss: f64, a50: f64, a99: f64| {
            println!("added by {name:<12} {:>10.1}% {a50:>8.1} {a99:>8.1}", -loss);
        };
        added("the relay", loss(r_rate), r50 - d50, r99 - d99);
        added("the sidecar", loss(v_rate), v50 - d50, v99 - d99);
        println!("errors: {errors}");
        println!();
        println!("one tick (es-replication fault-free, median of {}): simulated {sim_tick_us:.1} µs, real processes {real_tick_us:.1} µs ({:.0}x)", args.rounds, real_tick_us / sim_tick_us.max(1e-9));
    }
    Ok(ExitCode::SUCCESS)
}
