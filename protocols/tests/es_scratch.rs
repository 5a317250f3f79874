use ldfi_harness::{run, Fault, FaultSet, LineageMode, RunConfig};
use ldfi_protocols::es::{EsReplication, PARAMS};

fn cfg(v: &str, w: &str, faults: Vec<Fault>) -> RunConfig {
    RunConfig {
        version: v.into(),
        workload: w.into(),
        params: PARAMS,
        seed: 1,
        faults: faults.into_iter().collect::<FaultSet>(),
        lineage: LineageMode::Declared,
    }
}
fn omit(f: &str, t: &str, at: u32) -> Fault {
    Fault::Omit {
        from: f.into(),
        to: t.into(),
        at,
    }
}
fn crash(n: &str, at: u32) -> Fault {
    Fault::Crash { node: n.into(), at }
}

#[test]
fn scratch() {
    let v = std::env::var("V").unwrap_or("v1".into());
    let w = std::env::var("W").unwrap_or("single".into());
    let faults = match std::env::var("F").as_deref() {
        Ok("a") => vec![omit("n1", "n3", 2), crash("n1", 3)],
        Ok("b") => vec![omit("n1", "n2", 2), crash("n1", 3)],
        _ => vec![],
    };
    let r = run(&EsReplication, &cfg(&v, &w, faults)).unwrap();
    println!("{}", ldfi_harness::diagram::spacetime(&r.trace));
    println!("verdict {:?}", r.verdict);
    println!("outcome {:?}", r.outcome);
}

#[test]
fn scratch_search() {
    use ldfi_harness::search::{search, SearchConfig, Strategy};
    let v = std::env::var("V").unwrap_or("v1".into());
    let w = std::env::var("W").unwrap_or("single".into());
    let hb = std::env::var("HB").is_ok();
    let cfg = SearchConfig {
        version: v.clone(),
        workload: w.clone(),
        params: PARAMS,
        seed: 1,
        strategy: Strategy::Ldfi,
        max_runs: Some(3000),
        all_counterexamples: false,
        lineage: if hb {
            LineageMode::HappensBefore
        } else {
            LineageMode::Declared
        },
        exhaustive_limit: 1e6,
    };
    let verbose = std::env::var("VERBOSE").is_ok();
    let rep = search(&EsReplication, &cfg, &mut |p| {
        if verbose {
            println!("  try {} {}", p.executions, p.trying)
        }
    })
    .unwrap();
    println!(
        "{v} {w}: {} after {} runs (vacuous {})",
        rep.conclusion.word(),
        rep.executions,
        rep.vacuous_runs
    );
    for c in &rep.counterexamples {
        println!(
            "  cex {} {} at {}",
            c.config.faults,
            c.invariant(),
            c.found_at
        );
    }
}

#[test]
fn scratch_exhaustive() {
    use ldfi_harness::search::{search, SearchConfig, Strategy};
    let v = std::env::var("V").unwrap_or("v1".into());
    let w = std::env::var("W").unwrap_or("single".into());
    let max: u64 = std::env::var("MAX")
        .map(|m| m.parse().unwrap())
        .unwrap_or(3000);
    let cfg = SearchConfig {
        version: v.clone(),
        workload: w.clone(),
        params: PARAMS,
        seed: 1,
        strategy: Strategy::Exhaustive,
        max_runs: Some(max),
        all_counterexamples: true,
        lineage: LineageMode::Declared,
        exhaustive_limit: 1e30,
    };
    let rep = search(&EsReplication, &cfg, &mut |_| {}).unwrap();
    println!(
        "{v} {w}: {} after {} runs (vacuous {}) cex {}",
        rep.conclusion.word(),
        rep.executions,
        rep.vacuous_runs,
        rep.counterexamples.len()
    );
    let mut by_size = std::collections::BTreeMap::new();
    for c in &rep.counterexamples {
        *by_size.entry(c.config.faults.len()).or_insert(0) += 1;
    }
    println!("  by size {:?}", by_size);
    for c in rep.counterexamples.iter().take(8) {
        println!("  cex {} {}", c.config.faults, c.invariant());
    }
}
