//! The gRPC side of `ldfi dataplane`: replaying captures of kind `rpc` (a
//! proxy's `--capture`; `dataplane replay` dispatches here), and `rpc-bench`, what
//! the generic proxy adds to a call (load from a separate process,
//! `rpc-load`).

use super::dataplane::exe;
use super::shared::{median, print_json, CliError};
use ldfi_dataplane::child::Child;
use ldfi_rpc::load::Load;
use ldfi_rpc::record::sample;
use ldfi_rpc::replay::{self, Pace};
use ldfi_rpc::RpcError;
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

fn input(e: RpcError) -> CliError {
    match e {
        RpcError::Input(m) => CliError::Input(m),
        other => CliError::Internal(other.to_string()),
    }
}

/// Runs `f` to completion on a fresh runtime.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> Result<T, CliError> {
    let rt = ldfi_dataplane::node::runtime().map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(rt.block_on(f))
}

/// Replays an rpc capture; exit 1 if any response differs.
pub fn replay_rpc(
    capture: &Path,
    target: Option<&str>,
    (rate, as_recorded): (Option<f64>, bool),
    json: bool,
) -> Result<ExitCode, CliError> {
    let target = target.ok_or_else(|| {
        CliError::Input(format!(
            "--target ADDR is required to replay the rpc capture {}",
            capture.display()
        ))
    })?;
    let pace = match (rate, as_recorded) {
        (Some(r), _) if !(r > 0.0 && r.is_finite()) => {
            return Err(CliError::Input(format!(
                "--rate {r}: must be a positive number"
            )))
        }
        (Some(r), _) => Pace::Rate(r),
        (None, true) => Pace::AsRecorded,
        (None, false) => Pace::Fast,
    };
    let report = block_on(replay::replay(capture, target, pace))?.map_err(input)?;
    if json {
        print_json(&serde_json::to_value(&report).expect("a report serializes"));
    } else {
        println!("replayed  {} calls to {target}", report.calls);
        println!("identical {}", report.identical);
        for d in &report.differences {
            println!(
                "differs   seq {} {} {}: recorded {} replayed {}",
                d.seq, d.call, d.what, d.recorded, d.replayed
            );
        }
    }
    Ok(if report.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Calls per load run.
    #[arg(long, default_value_t = 20_000)]
    calls: usize,
    /// Calls in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Rounds (each: direct, then through the proxy; medians reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// http://127.0.0.1:PORT.
    #[arg(long)]
    target: String,
    /// Calls to make.
    #[arg(long, default_value_t = 10_000)]
    calls: usize,
    /// Calls in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

/// The load generator: prints a JSON `Load`.
pub fn load(args: LoadArgs) -> Result<ExitCode, CliError> {
    let l = block_on(ldfi_rpc::load::run(
        &args.target,
        args.calls,
        args.concurrency,
    ))?
    .map_err(input)?;
    println!(
        "{}",
        serde_json::to_string(&l).expect("a load report serializes")
    );
    Ok(ExitCode::SUCCESS)
}

fn load_run(exe: &Path, target: &str, args: &BenchArgs) -> Result<Load, CliError> {
    let out = std::process::Command::new(exe)
        .args(["dataplane", "rpc-load", "--target", target])
        .args([
            "--calls",
            &args.calls.to_string(),
            "--concurrency",
            &args.concurrency.to_string(),
        ])
        .output()
        .map_err(|e| CliError::Internal(format!("load generator: {e}")))?;
    serde_json::from_slice(&out.stdout).map_err(|e| {
        CliError::Internal(format!(
            "load generator: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    })
}

/// Medians of a row's rounds: calls/s, p50 µs, p99 µs.
fn row(v: &[Load]) -> (f64, f64, f64) {
    let m = |f: fn(&Load) -> f64| median(v.iter().map(f).collect());
    (
        m(|l| l.report.per_second),
        m(|l| l.report.p50_us),
        m(|l| l.report.p99_us),
    )
}

fn metrics(port: &str) -> Result<String, CliError> {
    ldfi_dataplane::sidecar::metrics::scrape(port)
        .map_err(|e| CliError::Internal(format!("proxy metrics: {e}")))
}

/// The demo upstream and a proxy in front of it (auth and kv both on the
/// demo's port), their descriptor set and spec written to `dir`.
pub fn demo_cluster(exe: &Path, dir: &Path, extra: &[String]) -> Result<(Child, Child), CliError> {
    let fail = |e: ldfi_dataplane::DataplaneError| CliError::Internal(e.to_string());
    let (fds, spec) = (dir.join("demo.fds"), dir.join("demo.spec"));
    std::fs::write(&fds, ldfi_rpc::demo::DESCRIPTOR)
        .map_err(|e| CliError::Internal(format!("{}: {e}", fds.display())))?;
    std::fs::write(&spec, ldfi_rpc::demo::SPEC)
        .map_err(|e| CliError::Internal(format!("{}: {e}", spec.display())))?;
    let up = Child::start(
        exe,
        &["proxy".into(), "--demo-upstream".into()],
        "demo upstream",
        0,
    )
    .map_err(fail)?;
    let addr = format!("127.0.0.1:{}", up.field("port").unwrap_or("0"));
    let mut args: Vec<String> = vec![
        "proxy".into(),
        "--name".into(),
        "demo".into(),
        "--descriptor".into(),
    ];
    args.push(fds.display().to_string());
    args.extend(["--spec".into(), spec.display().to_string()]);
    args.extend([
        "--upstream".into(),
        format!("kv={addr}"),
        "--upstream".into(),
        format!("auth={addr}"),
    ]);
    args.extend_from_slice(extra);
    let proxy = Child::start(exe, &args, "proxy", 0).map_err(fail)?;
    Ok((up, proxy))
}

/// `ldfi dataplane rpc-bench`.
pub fn bench(args: BenchArgs) -> Result<ExitCode, CliError> {
    let exe = exe()?;
    let dir = std::env::temp_dir().join(format!("ldfi-rpc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Internal(format!("{}: {e}", dir.display())))?;
    let (up, proxy) = demo_cluster(&exe, &dir, &[])?;
    let mport = proxy.field("metrics").unwrap_or("0").to_string();
    // The floor: the direct path with a byte relay process in front.
    let relay = super::dataplane_bench::start_relay(&exe, &up.url())?;
    let (mut direct, mut relayed, mut via, mut shares, mut decode_shares, mut cpu_us) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for _ in 0..args.rounds.max(1) {
        direct.push(load_run(&exe, &up.url(), &args)?);
        relayed.push(load_run(&exe, &relay.url(), &args)?);
        let before = metrics(&mport)?;
        via.push(load_run(&exe, &proxy.url(), &args)?);
        let after = metrics(&mport)?;
        let d = |m: &str| sample(&after, m, &[]) - sample(&before, m, &[]);
        let cpu = d("ldfi_proxy_cpu_seconds_total").max(1e-9);
        // Per call, the figure a loaded machine disturbs least.
        cpu_us.push(cpu * 1e6 / args.calls.max(1) as f64);
        shares.push(d("ldfi_proxy_check_seconds_total") / cpu);
        decode_shares.push(d("ldfi_proxy_decode_seconds_total") / cpu);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (d_rate, d50, d99) = row(&direct);
    let (r_rate, r50, r99) = row(&relayed);
    let (v_rate, v50, v99) = row(&via);
    let (share, decode_share, cpu_us) = (median(shares), median(decode_shares), median(cpu_us));
    let errors: usize = direct
        .iter()
        .chain(&relayed)
        .chain(&via)
        .map(|l| l.report.errors)
        .sum();
    let loss = |rate: f64| 1.0 - rate / d_rate.max(1e-9);
    let out = json!({
        "calls": args.calls, "concurrency": args.concurrency, "rounds": args.rounds.max(1), "errors": errors,
        "direct": {"calls_per_s": d_rate, "p50_us": d50, "p99_us": d99},
        "relay": {"calls_per_s": r_rate, "p50_us": r50, "p99_us": r99,
            "added_p50_us": r50 - d50, "added_p99_us": r99 - d99, "throughput_loss": loss(r_rate)},
        "proxy": {"calls_per_s": v_rate, "p50_us": v50, "p99_us": v99},
        "added_p50_us": v50 - d50,
        "added_p99_us": v99 - d99,
        "throughput_loss": loss(v_rate),
        "checker_share_of_proxy_cpu": share,
        "decode_share_of_proxy_cpu": decode_share,
        "proxy_cpu_us_per_call": cpu_us,
    });
    if args.json {
        print_json(&out);
    } else {
        println!(
            "calls {} x {} rounds, {} in flight, errors {errors}",
            args.calls,
            args.rounds.max(1),
            args.concurrency
        );
        println!("                calls/s     p50 µs    p99 µs");
        println!("direct        {d_rate:>9.0}  {d50:>9.1} {d99:>9.1}");
        println!("through relay {r_rate:>9.0}  {r50:>9.1} {r99:>9.1}");
        println!("through proxy {v_rate:>9.0}  {v50:>9.1} {v99:>9.1}");
        for (name, rate, p50, p99) in [("relay", r_rate, r50, r99), ("proxy", v_rate, v50, v99)] {
            println!(
                "added by the {name}: p50 {:.1} µs, p99 {:.1} µs, throughput loss {:.1} %",
                p50 - d50,
                p99 - d99,
                100.0 * loss(rate)
            );
        }
        println!(
            "proxy CPU {cpu_us:.1} µs a call; checker {:.1} %, decoding {:.1} % of it",
            100.0 * share,
            100.0 * decode_share
        );
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
