//! `ldfi bench`: LDFI, random and exhaustive side by side on the same
//! protocols in one run, and the cost of one execution beside a bare
//! turmoil run with the same hosts and ticks.

use super::shared::{median, print_json, registry, CliError};
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::search::{search, Conclusion, SearchConfig, Strategy};
use ldfi_harness::{bare_turmoil, Checks, LineageMode, Params, RunConfig};
use ldfi_lineage::lineage;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A quick run (few repetitions) that checks the benchmark works; its
    /// figures are not the ones to report.
    #[arg(long)]
    smoke: bool,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Seeds for the random strategy (its mean is over these).
    #[arg(long, default_value_t = 25)]
    seeds: u64,
    /// Runs per cost measurement (the median is reported).
    #[arg(long, default_value_t = 1000)]
    runs: usize,
    /// Run budget of each random search.
    #[arg(long, default_value_t = 10_000)]
    random_budget: u64,
    /// Only run this protocol fault-free `--runs` times, then as many bare
    /// turmoil runs, and print nothing else: a fixed load for a profiler
    /// (e.g. `valgrind --tool=callgrind ldfi bench --profile redun-deliv --runs 100`).
    #[arg(long, value_name = "PROTOCOL")]
    profile: Option<String>,
    /// Only run the soundness oracle: ldfi against exhaustive search on
    /// the generated protocols of seeds 0..N; exit 1 on any disagreement.
    #[arg(long, value_name = "N")]
    soundness: Option<u64>,
    /// Only run every shipped protocol × version × workload with ldfi and
    /// with exhaustive search, at the largest bounds where exhaustive is
    /// feasible; exit 1 on any disagreement.
    #[arg(long)]
    shipped: bool,
    /// With --shipped: also let the searches restart at most N nodes per
    /// run (`search --restarts N`); the bounds are lowered further until
    /// exhaustive search fits.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "shipped")]
    restarts: u32,
}

/// Molly's published figures (SIGMOD 2015): (protocol, eot, eff, crashes, random, molly).
#[allow(clippy::type_complexity)] // a literal table reads best as tuples
const PUBLISHED: &[(&str, u32, u32, u32, Option<f64>, u64)] = &[
    ("simple-deliv", 4, 2, 0, Some(4.08), 2),
    ("retry-deliv", 4, 2, 1, Some(75.24), 3),
    ("classic-deliv", 5, 3, 0, Some(116.16), 5),
    ("redun-deliv", 11, 10, 1, None, 11),
    ("ack-deliv", 8, 7, 1, None, 673),
];

fn now() -> Instant {
    super::shared::wall_now()
}

fn config(
    p: &dyn DynProtocol,
    version: &str,
    params: Params,
    strategy: Strategy,
    seed: u64,
) -> SearchConfig {
    SearchConfig {
        version: version.to_string(),
        workload: p.info().default_workload,
        params,
        seed,
        strategy,
        max_runs: None,
        all_counterexamples: false,
        lineage: LineageMode::Declared,
        checks: Checks::All,
        exhaustive_limit: 1e6,
        // The search alone, as Molly counts it; the default search (with
        // confirmation and minimisation) has its own columns.
        confirm: false,
        minimize: false,
        ..SearchConfig::new(version, &p.info().default_workload, params)
    }
}

/// One search; (conclusion, executions, wall ms).
fn timed(p: &dyn DynProtocol, cfg: &SearchConfig) -> Result<(Conclusion, u64, f64), CliError> {
    let start = now();
    let r = search(p, cfg, &mut |_| {})?;
    Ok((
        r.conclusion,
        r.executions,
        start.elapsed().as_secs_f64() * 1e3,
    ))
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    if let Some(name) = &args.profile {
        return profile(name, args.runs);
    }
    if let Some(n) = args.soundness {
        return soundness(n, args.json);
    }
    if args.shipped {
        return super::bench_shipped::run(args.json, args.restarts);
    }
    let (seeds, runs, budget) = if args.smoke {
        (3, 20, 2_000)
    } else {
        (args.seeds, args.runs, args.random_budget)
    };
    let reg = registry();
    let mut rows = Vec::new();
    for &(name, eot, eff, crashes, molly_random, molly) in PUBLISHED {
        let p = reg.get(name).ok_or_else(|| not_registered(name))?;
        let params = Params { eot, eff, crashes };
        let version = p.info().default_version;
        rows.push(search_row(
            p,
            &version,
            params,
            seeds,
            budget,
            molly_random,
            Some(molly),
        )?);
    }
    if let Some(p) = reg.get("es-replication") {
        let info = p.info();
        for version in &info.versions {
            rows.push(search_row(
                p,
                version,
                info.params,
                seeds,
                budget,
                None,
                None,
            )?);
        }
    }
    let mut costs = Vec::new();
    for &(name, eot, eff, crashes, ..) in PUBLISHED {
        let p = reg.get(name).ok_or_else(|| not_registered(name))?;
        costs.push(cost_row(p, Params { eot, eff, crashes }, runs)?);
    }
    let resync = resync_rows(&reg)?;
    if args.json {
        print_json(&json!({
            "smoke": args.smoke, "seeds": seeds, "runs": runs, "random_budget": budget,
            "search": rows, "cost": costs, "resync": resync,
        }));
    } else {
        print_tables(&rows, &costs, seeds, runs, budget);
        println!();
        println!(
            "es-replication resync messages, v4 vs v5, same workload and faults {{crash(n1, 10)}}:"
        );
        for r in &resync {
            println!(
                "  {:<20} v4 {:>3}   v5 {:>3}",
                r["workload"].as_str().unwrap_or(""),
                r["v4"].as_u64().unwrap_or(0),
                r["v5"].as_u64().unwrap_or(0)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The published comparison needs the shipped delivery suite; a user's
/// registry (see `ldfi::cli::main`) has other protocols.
fn not_registered(name: &str) -> CliError {
    CliError::Input(format!(
        "bench: the published comparison runs `{name}`, which this binary does not have; \
         use `bench --shipped` (every registered protocol, ldfi against exhaustive) \
         or `bench --profile PROTOCOL`"
    ))
}

/// Resync messages of es-replication v4 and v5 on each workload, under the
/// same late primary crash (after every write settled).
fn resync_rows(reg: &ldfi_harness::registry::Registry) -> Result<Vec<Value>, CliError> {
    let Some(p) = reg.get("es-replication") else {
        return Ok(Vec::new());
    };
    let info = p.info();
    let faults: ldfi_harness::FaultSet = [ldfi_harness::Fault::Crash {
        node: "n1".into(),
        at: 10,
    }]
    .into_iter()
    .collect();
    let mut out = Vec::new();
    for workload in &info.workloads {
        let mut counts = Vec::new();
        for version in ["v4", "v5"] {
            let run = p.run(&RunConfig {
                version: version.into(),
                workload: workload.clone(),
                params: info.params,
                seed: 0,
                faults: faults.clone(),
                lineage: LineageMode::Declared,
                checks: Checks::All,
                crash: Default::default(),
                inputs: None,
            })?;
            counts.push(ldfi_protocols::es::resync_messages(&run.trace));
        }
        out.push(json!({"workload": workload, "faults": faults.to_string(), "v4": counts[0], "v5": counts[1]}));
    }
    Ok(out)
}

fn search_row(
    p: &dyn DynProtocol,
    version: &str,
    params: Params,
    seeds: u64,
    budget: u64,
    molly_random: Option<f64>,
    molly: Option<u64>,
) -> Result<Value, CliError> {
    let (conclusion, executions, ms) = timed(p, &config(p, version, params, Strategy::Ldfi, 0))?;
    let default = {
        let mut cfg = SearchConfig::new(version, &p.info().default_workload, params);
        if seeds < 25 {
            // --smoke: a smaller confirmation budget keeps CI short.
            cfg.confirm_max_runs = Some(2_000);
        }
        let start = now();
        let r = search(p, &cfg, &mut |_| {})?;
        json!({
            "verdict": r.conclusion.word(), "assurance": r.assurance,
            "executions": r.executions, "confirm_executions": r.confirm_executions,
            "minimize_executions": r.minimize_executions,
            "ms": start.elapsed().as_secs_f64() * 1e3,
        })
    };
    // Random on a certified protocol can only spend its budget: a smaller
    // one there (1,000 runs a seed) shows that it finds nothing either.
    let budget = if conclusion == Conclusion::Counterexample {
        budget
    } else {
        budget.min(1_000)
    };
    let (mut total, mut found, mut total_ms) = (0u64, 0u64, 0f64);
    for seed in 0..seeds {
        let mut c = config(p, version, params, Strategy::Random, seed);
        c.max_runs = Some(budget);
        let (rc, re, rms) = timed(p, &c)?;
        total += re;
        total_ms += rms;
        found += (rc == Conclusion::Counterexample) as u64;
    }
    let random = json!({
        "mean_executions": total as f64 / seeds as f64, "mean_ms": total_ms / seeds as f64,
        "found": found, "seeds": seeds, "budget": budget,
    });
    let exhaustive = match timed(p, &config(p, version, params, Strategy::Exhaustive, 0)) {
        Ok((c, e, t)) => json!({"verdict": c.word(), "executions": e, "ms": t}),
        Err(_) => Value::Null,
    };
    let space = ldfi_harness::fault_space(&p.info(), &params);
    Ok(json!({
        "protocol": p.info().name, "version": version,
        "params": {"eot": params.eot, "eff": params.eff, "crashes": params.crashes},
        "combinations": space.combinations(),
        "ldfi": {"verdict": conclusion.word(), "executions": executions, "ms": ms},
        "default": default,
        "random": random, "exhaustive": exhaustive,
        "molly_executions": molly, "molly_random_executions": molly_random,
    }))
}

fn cost_row(p: &dyn DynProtocol, params: Params, runs: usize) -> Result<Value, CliError> {
    let info = p.info();
    let cfg = RunConfig {
        version: info.default_version.clone(),
        workload: info.default_workload.clone(),
        params,
        seed: 0,
        faults: Default::default(),
        lineage: LineageMode::Declared,
        checks: Checks::All,
        crash: Default::default(),
        inputs: None,
    };
    let (mut harness, mut bare, mut lin, mut solve) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let space = ldfi_harness::fault_space(&info, &params);
    for _ in 0..runs {
        // Side by side, interleaved, so machine noise hits both alike.
        let t = now();
        let run = p.run(&cfg)?;
        harness.push(t.elapsed().as_secs_f64() * 1e6);
        let t = now();
        bare_turmoil(&info.nodes, params.eot)?;
        bare.push(t.elapsed().as_secs_f64() * 1e6);
        let outcome = run
            .outcome()
            .expect("fault-free runs of the suite are good");
        let t = now();
        let g = lineage(&run.trace, &outcome);
        lin.push(t.elapsed().as_secs_f64() * 1e6);
        let t = now();
        let mut s = ldfi_solver::Solver::new(&space);
        s.add_graph(&g);
        let _ = s.next();
        let _ = s.next();
        solve.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let searches = (runs / 50).max(5);
    let mut per_exec = Vec::new();
    for _ in 0..searches {
        let (_, e, ms) = timed(
            p,
            &config(p, &info.default_version, params, Strategy::Ldfi, 0),
        )?;
        per_exec.push(ms * 1e3 / e as f64);
    }
    let (h, b) = (median(harness), median(bare));
    Ok(json!({
        "protocol": info.name, "hosts": info.nodes.len(), "ticks": params.eot, "runs": runs,
        "run_us": h, "bare_turmoil_us": b, "ratio": h / b,
        "lineage_us": median(lin), "solve_us": median(solve),
        "end_to_end_us_per_execution": median(per_exec), "searches": searches,
    }))
}

fn fmt_ms(v: &Value) -> String {
    v.as_f64().map_or("—".into(), |x| format!("{x:.1}"))
}

fn print_tables(rows: &[Value], costs: &[Value], seeds: u64, runs: usize, budget: u64) {
    println!("Executions to a verdict (fault-free run included); wall time in ms. ldfi: the declared search alone (Molly's measure). random: mean over {seeds} seeds, budget {budget} runs a seed (1,000 where ldfi certifies).");
    println!(
        "{:<15} {:<3} {:<9} {:>9} | {:<15} {:>6} {:>8} | {:>9} {:>8} {:>6} | {:>11} {:>8} | {:>6} {:>8}",
        "protocol", "ver", "eot/eff/c", "space", "ldfi verdict", "execs", "ms", "random", "ms", "found", "exhaustive", "ms", "Molly", "M.random"
    );
    for r in rows {
        let p = &r["params"];
        println!(
            "{:<15} {:<3} {:<9} {:>9.2e} | {:<15} {:>6} {:>8} | {:>9} {:>8} {:>6} | {:>11} {:>8} | {:>6} {:>8}",
            r["protocol"].as_str().unwrap_or(""),
            r["version"].as_str().unwrap_or(""),
            format!("{}/{}/{}", p["eot"], p["eff"], p["crashes"]),
            r["combinations"].as_f64().unwrap_or(0.0),
            r["ldfi"]["verdict"].as_str().unwrap_or(""),
            r["ldfi"]["executions"].as_u64().unwrap_or(0),
            fmt_ms(&r["ldfi"]["ms"]),
            r["random"]["mean_executions"].as_f64().map_or("—".into(), |x| format!("{x:.2}")),
            fmt_ms(&r["random"]["mean_ms"]),
            r["random"]["found"].as_u64().map_or("—".into(), |f| format!("{f}/{seeds}")),
            r["exhaustive"]["executions"].as_u64().map_or("refused".into(), |e| e.to_string()),
            fmt_ms(&r["exhaustive"]["ms"]),
            r["molly_executions"].as_u64().map_or("—".into(), |e| e.to_string()),
            r["molly_random_executions"].as_f64().map_or("—".into(), |e| format!("{e:.2}")),
        );
    }
    println!();
    println!("The default search: declared lineage, then confirmed on happens-before lineage (budget {}), counterexamples minimised by replay.", ldfi_harness::search::CONFIRM_MAX_RUNS);
    println!(
        "{:<15} {:<3} | {:<15} {:<13} {:>7} {:>8} {:>8} {:>9}",
        "protocol", "ver", "verdict", "assurance", "execs", "confirm", "minimize", "ms"
    );
    for r in rows {
        let d = &r["default"];
        println!(
            "{:<15} {:<3} | {:<15} {:<13} {:>7} {:>8} {:>8} {:>9}",
            r["protocol"].as_str().unwrap_or(""),
            r["version"].as_str().unwrap_or(""),
            d["verdict"].as_str().unwrap_or(""),
            d["assurance"].as_str().unwrap_or(""),
            d["executions"].as_u64().unwrap_or(0),
            d["confirm_executions"].as_u64().unwrap_or(0),
            d["minimize_executions"].as_u64().unwrap_or(0),
            fmt_ms(&d["ms"]),
        );
    }
    println!();
    println!("Cost of one execution, release build, median of {runs} runs (µs); bare turmoil = same hosts and ticks, measured interleaved.");
    println!(
        "{:<15} {:>5} {:>5} | {:>9} {:>9} {:>6} | {:>9} {:>9} | {:>12}",
        "protocol", "hosts", "ticks", "run", "bare", "ratio", "lineage", "solve", "end-to-end"
    );
    for c in costs {
        println!(
            "{:<15} {:>5} {:>5} | {:>9.1} {:>9.1} {:>6.2} | {:>9.1} {:>9.1} | {:>12.1}",
            c["protocol"].as_str().unwrap_or(""),
            c["hosts"].as_u64().unwrap_or(0),
            c["ticks"].as_u64().unwrap_or(0),
            c["run_us"].as_f64().unwrap_or(0.0),
            c["bare_turmoil_us"].as_f64().unwrap_or(0.0),
            c["ratio"].as_f64().unwrap_or(0.0),
            c["lineage_us"].as_f64().unwrap_or(0.0),
            c["solve_us"].as_f64().unwrap_or(0.0),
            c["end_to_end_us_per_execution"].as_f64().unwrap_or(0.0),
        );
    }
}

/// `--profile`: `runs` fault-free runs of `name`, then `runs` bare turmoil
/// runs with the same hosts and ticks.
fn profile(name: &str, runs: usize) -> Result<ExitCode, CliError> {
    let reg = registry();
    let p = super::shared::protocol(&reg, name, "--profile")?;
    let info = p.info();
    let cfg = RunConfig {
        version: info.default_version.clone(),
        workload: info.default_workload.clone(),
        params: info.params,
        seed: 0,
        faults: Default::default(),
        lineage: LineageMode::Declared,
        checks: Checks::All,
        crash: Default::default(),
        inputs: None,
    };
    let mut events = 0;
    for _ in 0..runs {
        events += p.run(&cfg)?.trace.events.len();
    }
    for _ in 0..runs {
        bare_turmoil(&info.nodes, info.params.eot)?;
    }
    println!("{name}: {runs} runs ({events} events), then {runs} bare turmoil runs");
    Ok(ExitCode::SUCCESS)
}

/// `--soundness N`: the oracle over seeds `0..N`; every disagreement is
/// printed in full (on stderr with `--json`), and makes the exit code 1.
fn soundness(n: u64, as_json: bool) -> Result<ExitCode, CliError> {
    let cases = ldfi_harness::oracle::run_sample(n);
    let summary = ldfi_harness::oracle::Summary::of(&cases);
    for c in cases.iter().filter(|c| c.disagreement().is_some()) {
        if as_json {
            eprintln!("{c}");
        } else {
            println!("{c}");
        }
    }
    if as_json {
        print_json(&serde_json::to_value(&summary).expect("a summary serializes"));
    } else {
        print!("{summary}");
    }
    Ok(if summary.disagreements > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
