//! Determinism: every shipped scenario, run twice in this process and once
//! more through `ldfi replay` in another, gives the same trace hash.

mod common;
use common::*;
use ldfi_harness::schedule::Schedule;

#[test]
fn every_scenario_has_one_trace_hash() {
    let reg = ldfi_protocols::registry();
    let files = scenarios();
    assert!(files.len() >= 8, "{files:?}");
    for path in files {
        let s = Schedule::load(&path).expect("shipped scenarios parse");
        let p = reg.get(&s.protocol).expect("known protocol");
        let cfg = s.run_config(&p.info(), None, None);
        let first = p.run(&cfg).expect("runs");
        let second = p.run(&cfg).expect("runs");
        assert_eq!(first.trace, second.trace, "{}", path.display());
        let h = first.trace.hash();
        let o = ldfi(&["replay", path.to_str().expect("utf-8"), "--json"]);
        assert_eq!(
            json(&o)["trace_hash"].as_str(),
            Some(h.as_str()),
            "{}",
            path.display()
        );
        if let Some(e) = &s.expect {
            assert_eq!(e.verdict, first.verdict.word(), "{}", path.display());
        }
    }
}

#[test]
fn seeds_change_nothing_but_what_uses_them() {
    // The delivery protocols draw no random numbers: a different seed must
    // give the same trace (turmoil's own randomness must not leak in).
    let reg = ldfi_protocols::registry();
    let p = reg.get("ack-deliv").expect("ack-deliv");
    let info = p.info();
    let mut cfg = ldfi_harness::RunConfig {
        version: info.default_version.clone(),
        workload: info.default_workload.clone(),
        params: info.params,
        seed: 1,
        faults: Default::default(),
        lineage: Default::default(),
        checks: Default::default(),
        crash: Default::default(),
        inputs: None,
    };
    let a = p.run(&cfg).expect("runs").trace.hash();
    cfg.seed = 99;
    let b = p.run(&cfg).expect("runs").trace.hash();
    assert_eq!(a, b);
}
