//! `ldfi bench --shipped`: every shipped protocol × version × workload,
//! ldfi (the default search: declared lineage, confirmed on happens-before)
//! against exhaustive search, at the largest bounds where exhaustive is
//! feasible. A certificate that exhaustive search contradicts is a
//! soundness bug; the command exits 1 on any disagreement.

use super::shared::{print_json, registry, CliError};
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::search::{
    search_limited, Conclusion, SearchConfig, SearchLimits, SearchReport, Strategy,
};
use ldfi_harness::Params;
use ldfi_lineage::RestartSpace;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// Most candidate fault sets exhaustive search may run in one row.
pub const EXHAUSTIVE_LIMIT: f64 = 2.0e4;

/// The protocol's default bounds with EFF (then crashes) lowered until the
/// exhaustive space (with at most `restarts` restarting nodes) fits
/// `limit`; `None` if nothing fits.
pub fn feasible_bounds(p: &dyn DynProtocol, limit: f64, restarts: u32) -> Option<Params> {
    let info = p.info();
    let mut params = info.params;
    let restarts = RestartSpace {
        nodes: p.restartable(),
        budget: restarts,
    };
    loop {
        let space = ldfi_harness::fault_space(&info, &params);
        if restarts.candidate_sets(&space, None) <= limit {
            return Some(params);
        }
        if params.eff > 1 {
            params.eff -= 1;
        } else if params.crashes > 0 {
            params.crashes -= 1;
            params.eff = info.params.eff;
        } else {
            return None;
        }
    }
}

fn searched(
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    limits: SearchLimits,
) -> Result<SearchReport, CliError> {
    let never = AtomicBool::new(false);
    Ok(search_limited(p, cfg, limits, &mut |_| {}, &never)?)
}

/// One row: both searches on one configuration.
pub fn row(
    p: &dyn DynProtocol,
    version: &str,
    workload: &str,
    params: Params,
    restarts: u32,
) -> Result<Value, CliError> {
    let cfg = SearchConfig::new(version, workload, params);
    let limits = SearchLimits::default().with_restarts(restarts);
    let ldfi = searched(p, &cfg, limits)?;
    let mut ex_cfg = cfg.clone().strategy(Strategy::Exhaustive);
    ex_cfg.exhaustive_limit = EXHAUSTIVE_LIMIT;
    let ex = searched(p, &ex_cfg, limits)?;
    let size = |r: &SearchReport| r.counterexamples.first().map(|c| c.config.faults.len());
    let replays = ldfi
        .counterexamples
        .iter()
        .all(|c| (p.run(&c.config)).is_ok_and(|r| r.verdict.is_violated()));
    let unsound =
        ldfi.conclusion == Conclusion::Certified && ex.conclusion == Conclusion::Counterexample;
    let spurious =
        ldfi.conclusion == Conclusion::Counterexample && ex.conclusion == Conclusion::Certified;
    Ok(json!({
        "protocol": p.info().name, "version": version, "workload": workload,
        "params": {"eot": params.eot, "eff": params.eff, "crashes": params.crashes},
        "restarts": restarts,
        "ldfi": {
            "verdict": ldfi.conclusion.word(), "assurance": ldfi.assurance,
            "executions": ldfi.executions, "confirm_executions": ldfi.confirm_executions,
            "size": size(&ldfi), "replays": replays,
        },
        "exhaustive": {"verdict": ex.conclusion.word(), "executions": ex.executions, "minimal_size": size(&ex)},
        "disagree": unsound || spurious || !replays,
    }))
}

/// `--shipped`: the table (or JSON); exit 1 on any disagreement.
pub fn run(as_json: bool, restarts: u32) -> Result<ExitCode, CliError> {
    let reg = registry();
    let mut rows = Vec::new();
    for p in reg.iter() {
        let info = p.info();
        let Some(params) = feasible_bounds(p, EXHAUSTIVE_LIMIT, restarts) else {
            continue;
        };
        for v in &info.versions {
            for w in &info.workloads {
                rows.push(row(p, v, w, params, restarts)?);
            }
        }
    }
    let bad = rows.iter().filter(|r| r["disagree"] == true).count();
    if as_json {
        print_json(&json!({"rows": rows, "disagreements": bad, "restarts": restarts}));
    } else {
        print_table(&rows);
        let with = match restarts {
            0 => String::new(),
            n => format!(" (both searches restart at most {n} node(s) per run)"),
        };
        println!("{} configurations, {bad} disagreements{with}", rows.len());
    }
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_table(rows: &[Value]) {
    println!(
        "{:<15} {:<17} {:<20} {:<9} | {:<15} {:<13} {:>6} {:>7} {:>4} | {:<15} {:>6} {:>4} |",
        "protocol",
        "version",
        "workload",
        "bounds",
        "ldfi",
        "assurance",
        "execs",
        "confirm",
        "size",
        "exhaustive",
        "execs",
        "min"
    );
    for r in rows {
        let (l, e, p) = (&r["ldfi"], &r["exhaustive"], &r["params"]);
        let n = |v: &Value| v.as_u64().map_or("—".into(), |x| x.to_string());
        println!(
            "{:<15} {:<17} {:<20} {:<9} | {:<15} {:<13} {:>6} {:>7} {:>4} | {:<15} {:>6} {:>4} |{}",
            r["protocol"].as_str().unwrap_or(""),
            r["version"].as_str().unwrap_or(""),
            r["workload"].as_str().unwrap_or(""),
            format!("{}/{}/{}", p["eot"], p["eff"], p["crashes"]),
            l["verdict"].as_str().unwrap_or(""),
            l["assurance"].as_str().unwrap_or(""),
            n(&l["executions"]),
            n(&l["confirm_executions"]),
            n(&l["size"]),
            e["verdict"].as_str().unwrap_or(""),
            n(&e["executions"]),
            n(&e["minimal_size"]),
            if r["disagree"] == true {
                " DISAGREE"
            } else {
                ""
            },
        );
    }
}
