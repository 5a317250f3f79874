//! An acceptance test of the search on es-replication: a mutant of the
//! newest version (v5) whose master promotes the highest-named *live* copy
//! instead of the highest-named live *in-sync* one — so a copy that
//! missed writes and was failed can become primary. The LDFI search must
//! find it at every EFF from 3 to 6 (EOT 14, one crash), with a
//! counterexample that replays as violated; exhaustive search finds it too.

use ldfi_harness::registry::DynProtocol;
use ldfi_harness::search::{search, Conclusion, SearchConfig, SearchReport, Strategy};
use ldfi_harness::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup, Verdict};
use ldfi_protocols::es::master::{Master, Promotion};
use ldfi_protocols::es::workload::FAILOVER_THEN_WRITE;
use ldfi_protocols::es::{EsReplication, Msg, Version, MASTER};

/// es-replication with `M` replaced by the mutant master.
struct Mutant;

impl Protocol for Mutant {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        let mut info = Protocol::info(&EsReplication);
        info.name = "es-replication (mutant: promotes the highest live copy)".into();
        info
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let features = Version::parse(&setup.version)
            .expect("an es-replication version")
            .features();
        let mut nodes = EsReplication.nodes(setup);
        let m = setup.nodes.iter().position(|n| n == MASTER).expect("M");
        nodes[m] = Box::new(Master::with_promotion(features, Promotion::HighestLive));
        nodes
    }

    fn inputs(&self, setup: &Setup) -> Vec<Input<Msg>> {
        EsReplication.inputs(setup)
    }

    fn invariants(&self, setup: &Setup) -> Vec<Invariant> {
        EsReplication.invariants(setup)
    }

    fn crash_notice(&self, setup: &Setup, crashed: &str) -> Vec<(String, Msg)> {
        EsReplication.crash_notice(setup, crashed)
    }

    fn enforcement(
        &self,
        setup: &Setup,
    ) -> Result<Option<ldfi_harness::ldfi_enforce::Spec>, ldfi_harness::ldfi_enforce::SpecError>
    {
        EsReplication.enforcement(setup)
    }
}

fn params(eff: u32) -> Params {
    Params {
        eot: 14,
        eff,
        crashes: 1,
    }
}

fn search_v5(p: &dyn DynProtocol, eff: u32, strategy: Strategy) -> SearchReport {
    let mut cfg = SearchConfig::new(Version::V5.name(), FAILOVER_THEN_WRITE, params(eff));
    cfg.strategy = strategy;
    cfg.max_runs = Some(if strategy == Strategy::Ldfi {
        2_000
    } else {
        200_000
    });
    cfg.exhaustive_limit = 1e40;
    search(p, &cfg, &mut |_| {}).expect("a valid search")
}

fn describe(eff: u32, r: &SearchReport) -> String {
    let cex = r.counterexamples.first().map_or(String::new(), |c| {
        format!(" {} ({})", c.config.faults, c.invariant())
    });
    format!(
        "v5 eot 14 eff {eff} crashes 1: {} after {} executions{cex}",
        r.conclusion.word(),
        r.executions
    )
}

/// The counterexample replays as violated, on the mutant only.
fn assert_replays(r: &SearchReport) {
    let c = r.counterexamples.first().expect("a counterexample");
    let again = Mutant.run(&c.config).expect("a valid replay");
    assert!(
        matches!(&again.verdict, Verdict::Violated { invariant, .. } if invariant == c.invariant()),
        "{}: {:?}",
        c.config.faults,
        again.verdict
    );
    let real = EsReplication.run(&c.config).expect("a valid run");
    assert!(
        !real.verdict.is_violated(),
        "v5 itself breaks under {}",
        c.config.faults
    );
}

#[test]
fn ldfi_finds_the_mutant_at_eff_3_to_6() {
    for eff in 3..=6 {
        let r = search_v5(&Mutant, eff, Strategy::Ldfi);
        println!("ldfi {}", describe(eff, &r));
        assert_eq!(
            r.conclusion,
            Conclusion::Counterexample,
            "{}",
            describe(eff, &r)
        );
        assert_replays(&r);
    }
}

#[test]
fn exhaustive_finds_the_mutant_at_eff_3() {
    let r = search_v5(&Mutant, 3, Strategy::Exhaustive);
    println!("exhaustive {}", describe(3, &r));
    assert_eq!(
        r.conclusion,
        Conclusion::Counterexample,
        "{}",
        describe(3, &r)
    );
    assert_replays(&r);
}
