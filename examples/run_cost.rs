//! Runs one delivery protocol fault-free N times, and N bare turmoil runs
//! with the same hosts and ticks: a fixed workload to profile the harness
//! with (`valgrind --tool=callgrind target/release/examples/run_cost redun-deliv 200`).

use ldfi_harness::{bare_turmoil, RunConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "redun-deliv".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let reg = ldfi_protocols::registry();
    let Some(p) = reg.get(&name) else {
        eprintln!(
            "unknown protocol `{name}` (known: {})",
            reg.names().join(", ")
        );
        std::process::exit(2);
    };
    let info = p.info();
    let cfg = RunConfig {
        version: info.default_version.clone(),
        workload: info.default_workload.clone(),
        params: info.params,
        seed: 0,
        faults: Default::default(),
        lineage: Default::default(),
        checks: Default::default(),
    };
    let mut events = 0;
    for _ in 0..n {
        events += p.run(&cfg).expect("runs").trace.events.len();
    }
    for _ in 0..n {
        bare_turmoil(&info.nodes, info.params.eot).expect("runs");
    }
    println!("{name}: {n} runs, {events} events, and {n} bare runs");
}
