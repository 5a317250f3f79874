//! The same enforcement predicates check every simulated run: the search
//! finds es-replication v3's bug through the digest predicate alone, and the
//! fixed versions pass it.

use ldfi_harness::search::{search, Conclusion, SearchConfig, Strategy};
use ldfi_harness::{Checks, LineageMode};

fn es(version: &str, checks: Checks) -> ldfi_harness::search::SearchReport {
    let reg = ldfi_protocols::registry();
    let p = reg.get("es-replication").expect("es-replication");
    let info = p.info();
    let cfg = SearchConfig {
        version: version.into(),
        workload: info.default_workload.clone(),
        params: info.params,
        seed: 0,
        strategy: Strategy::Ldfi,
        max_runs: Some(2_000),
        all_counterexamples: false,
        lineage: LineageMode::Declared,
        checks,
        exhaustive_limit: 1e6,
        crash: Default::default(),
        inputs: None,
        confirm: true,
        confirm_max_runs: Some(ldfi_harness::search::CONFIRM_MAX_RUNS),
        minimize: true,
    };
    search(p, &cfg, &mut |_| {}).expect("search runs")
}

#[test]
fn v3_is_caught_by_the_digest_predicate_and_by_durability() {
    let by_wire = es("v3", Checks::Enforcement);
    assert_eq!(by_wire.conclusion, Conclusion::Counterexample);
    assert_eq!(
        by_wire.counterexamples[0].invariant(),
        "replica_ack_digest_matches_replicate"
    );
    let by_state = es("v3", Checks::Invariants);
    assert_eq!(by_state.conclusion, Conclusion::Counterexample);
    assert_eq!(by_state.counterexamples[0].invariant(), "durability");
    println!(
        "v3: digest predicate after {} executions, durability after {}",
        by_wire.executions, by_state.executions
    );
}

#[test]
fn fixed_versions_pass_the_predicates() {
    for v in ["v4", "v5"] {
        let r = es(v, Checks::Enforcement);
        assert_eq!(r.conclusion, Conclusion::Certified, "{v}");
    }
}
