//! Verdicts are monotone in the bounds: a fault set that breaks a protocol
//! at EFF `k` is still in the space at every EFF above `k` (same EOT and
//! crashes), so a sound search that found a counterexample at `k` must find
//! one at every larger EFF. Checked on every shipped protocol version that
//! has a bug, from the smallest EFF where it shows up to a few above it.
//! (Before vacuous runs taught the lineage of `¬pre`, es-replication's
//! promotion mutant was found at EFF 3, 4 and 6 but certified at 5.)

use ldfi_harness::search::{search, Conclusion, SearchConfig};
use ldfi_harness::Params;

/// (protocol, version, workload, eot, crashes, EFFs to try, in order).
#[allow(clippy::type_complexity)] // a literal table reads best as tuples
const CASES: &[(&str, &str, &str, u32, u32, &[u32])] = &[
    ("simple-deliv", "v1", "broadcast", 4, 0, &[2, 3, 4]),
    ("retry-deliv", "v1", "broadcast", 4, 1, &[1, 2, 3, 4]),
    ("classic-deliv", "v1", "broadcast", 5, 0, &[2, 3, 4]),
    ("es-replication", "v1", "single", 14, 1, &[2, 3, 4, 5, 6]),
    ("es-replication", "v3", "single", 14, 1, &[2, 3, 4, 5, 6]),
    ("lease-election", "v1", "elect", 10, 1, &[1, 2, 3, 4]),
    ("atomic-commit", "v1", "all-yes", 12, 1, &[1, 2, 4, 6]),
];

#[test]
fn a_counterexample_at_eff_k_is_found_at_every_larger_eff() {
    let reg = ldfi_protocols::registry();
    for &(name, version, workload, eot, crashes, effs) in CASES {
        let p = reg.get(name).expect("a shipped protocol");
        let mut found_at: Option<u32> = None;
        for &eff in effs {
            let params = Params { eot, eff, crashes };
            let mut cfg = SearchConfig::new(version, workload, params);
            cfg.confirm_max_runs = Some(5_000);
            let r = search(p, &cfg, &mut |_| {}).expect("the search runs");
            let what = format!("{name} {version} {workload} {eot}/{eff}/{crashes}");
            println!(
                "{what}: {} after {} executions",
                r.conclusion.word(),
                r.executions
            );
            if let Some(k) = found_at {
                assert_eq!(
                    r.conclusion,
                    Conclusion::Counterexample,
                    "{what}: found at EFF {k}, not at {eff}"
                );
            }
            if r.conclusion == Conclusion::Counterexample {
                let c = &r.counterexamples[0];
                let replay = p.run(&c.config).expect("replays");
                assert!(replay.verdict.is_violated(), "{what}: does not replay");
                found_at.get_or_insert(eff);
            }
        }
        assert!(found_at.is_some(), "{name} {version}: no bug in {effs:?}");
    }
}
