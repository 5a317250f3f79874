//! es-replication, run by run: fault-free runs are good, the spec's
//! counterexamples replay by hand (violated on v1/v3, good on the fixed
//! versions), runs are deterministic, the wire predicates see v3's bug, and
//! v5 resyncs with fewer messages than v4.

use ldfi_harness::{run, Checks, Fault, FaultSet, LineageMode, Run, RunConfig, Verdict};
use ldfi_protocols::es::workload::{CONCURRENT, FAILOVER_THEN_WRITE, SINGLE, WORKLOADS};
use ldfi_protocols::es::{resync_messages, EsReplication, Version, PARAMS};

fn omit(from: &str, to: &str, at: u32) -> Fault {
    Fault::Omit {
        from: from.into(),
        to: to.into(),
        at,
    }
}

fn crash(node: &str, at: u32) -> Fault {
    Fault::Crash {
        node: node.into(),
        at,
    }
}

fn config(v: Version, workload: &str, faults: &[Fault], checks: Checks) -> RunConfig {
    RunConfig {
        version: v.name().into(),
        workload: workload.into(),
        params: PARAMS,
        seed: 7,
        faults: faults.iter().cloned().collect::<FaultSet>(),
        lineage: LineageMode::Declared,
        checks,
        crash: Default::default(),
        inputs: None,
    }
}

fn run_es(v: Version, workload: &str, faults: &[Fault]) -> Run {
    run(&EsReplication, &config(v, workload, faults, Checks::All)).expect("a valid run")
}

fn violated(r: &Run) -> Option<&str> {
    match &r.verdict {
        Verdict::Violated { invariant, .. } => Some(invariant),
        _ => None,
    }
}

const FIXED: [Version; 3] = [Version::V2, Version::V4, Version::V5];

#[test]
fn every_fault_free_run_is_good() {
    for v in Version::ALL {
        for w in WORKLOADS {
            let r = run_es(v, w, &[]);
            assert_eq!(r.verdict, Verdict::Good, "{} {w} fault-free", v.name());
        }
    }
}

/// The spec's v1 bug: a `Replicate` to one replica is lost, the primary
/// crashes before it fails the lagging copy, and `M` promotes the copy
/// with the highest id. With one write, `n2` lags and `n3` (which has the
/// write) is promoted; with two concurrent writes, the first is fully
/// replicated and the second only partly.
#[test]
fn v1_diverges_after_failover_and_resync_fixes_it() {
    let cases: [(&str, Vec<Fault>); 3] = [
        (SINGLE, vec![omit("n1", "n2", 2), crash("n1", 3)]),
        (CONCURRENT, vec![omit("n1", "n3", 3), crash("n1", 5)]),
        (
            FAILOVER_THEN_WRITE,
            vec![omit("n1", "n2", 2), crash("n1", 5)],
        ),
    ];
    for (w, faults) in &cases {
        let r = run_es(Version::V1, w, faults);
        assert_eq!(violated(&r), Some("agreement"), "v1 {w}: {:?}", r.verdict);
        for v in FIXED {
            let r = run_es(v, w, faults);
            assert_eq!(r.verdict, Verdict::Good, "{} {w}", v.name());
        }
    }
}

/// The spec's v3 bug: `n3` misses the first write, the primary crashes
/// before failing it, `n3` is promoted and reuses seq 1 for the second
/// write; `n2` keeps its own op at seq 1 yet acks, so `C` is told a write
/// is durable that a live in-sync copy does not hold.
#[test]
fn v3_loses_an_acknowledged_write_and_terms_fix_it() {
    let faults = [omit("n1", "n3", 2), crash("n1", 5)];
    let r = run_es(Version::V3, FAILOVER_THEN_WRITE, &faults);
    assert_eq!(violated(&r), Some("durability"), "{:?}", r.verdict);
    assert!(r.end.holds(&ldfi_protocols::es::facts::acked("w2", 1, 1)));
    for v in FIXED {
        let r = run_es(v, FAILOVER_THEN_WRITE, &faults);
        assert_eq!(r.verdict, Verdict::Good, "{}", v.name());
    }
    // Without a write after the failover the same faults leave the copies
    // disagreeing forever: v3's resync never rolls back.
    let r = run_es(Version::V3, SINGLE, &faults);
    assert_eq!(violated(&r), Some("agreement"), "{:?}", r.verdict);
}

/// The digest carried by `ReplicaAck` makes v3's bug visible on the wire,
/// and no fixed version ever trips a predicate on these runs.
#[test]
fn the_wire_predicates_catch_the_kept_op() {
    let faults = [omit("n1", "n3", 2), crash("n1", 5)];
    let cfg = config(
        Version::V3,
        FAILOVER_THEN_WRITE,
        &faults,
        Checks::Enforcement,
    );
    let r = run(&EsReplication, &cfg).expect("a valid run");
    assert_eq!(
        violated(&r),
        Some("replica_ack_digest_matches_replicate"),
        "{:?}",
        r.verdict
    );
    for v in Version::ALL {
        for w in WORKLOADS {
            for faults in [&[][..], &faults[..]] {
                if v == Version::V3 && !faults.is_empty() && w == FAILOVER_THEN_WRITE {
                    continue;
                }
                let cfg = config(v, w, faults, Checks::Enforcement);
                let r = run(&EsReplication, &cfg).expect("a valid run");
                assert!(
                    !r.verdict.is_violated(),
                    "{} {w}: {:?}",
                    v.name(),
                    r.verdict
                );
            }
        }
    }
}

#[test]
fn runs_are_deterministic() {
    let faults = [omit("n1", "n3", 2), crash("n1", 5)];
    for v in Version::ALL {
        for w in WORKLOADS {
            for f in [&[][..], &faults[..]] {
                let (a, b) = (run_es(v, w, f), run_es(v, w, f));
                assert_eq!(a.trace.hash(), b.trace.hash(), "{} {w} {f:?}", v.name());
            }
        }
    }
}

/// Lineage declarations never change what happens, only why.
#[test]
fn lineage_mode_does_not_change_verdicts() {
    let faults = [omit("n1", "n2", 2), crash("n1", 4)];
    for v in Version::ALL {
        for w in WORKLOADS {
            let declared = run_es(v, w, &faults);
            let mut cfg = config(v, w, &faults, Checks::All);
            cfg.lineage = LineageMode::HappensBefore;
            let hb = run(&EsReplication, &cfg).expect("a valid run");
            assert_eq!(declared.verdict, hb.verdict, "{} {w}", v.name());
        }
    }
}

/// v5 resyncs only above the global checkpoint: after a late failover
/// (the primary crashes once both writes are replicated and the first is
/// below the global checkpoint), it sends fewer resync messages than v4.
#[test]
fn checkpoints_shrink_the_resync() {
    let faults = [crash("n1", 10)];
    let v4 = run_es(Version::V4, FAILOVER_THEN_WRITE, &faults);
    let v5 = run_es(Version::V5, FAILOVER_THEN_WRITE, &faults);
    assert_eq!((&v4.verdict, &v5.verdict), (&Verdict::Good, &Verdict::Good));
    let (m4, m5) = (resync_messages(&v4.trace), resync_messages(&v5.trace));
    println!("resync messages after crash(n1, 10): v4 {m4}, v5 {m5}");
    assert_eq!(
        (m4, m5),
        (4, 3),
        "v4: 2 ops + done + ack; v5: 1 op + done + ack"
    );
    // Before v2 nothing is resynced at all.
    assert_eq!(
        resync_messages(&run_es(Version::V1, FAILOVER_THEN_WRITE, &faults).trace),
        0
    );
}
