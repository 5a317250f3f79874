//! The datafrog rules against the naive walk, on random traces: both build
//! the same graph, a well-formed DAG of what the outcome reaches, which
//! without faults holds exactly when the outcome did.

use crate::graph::{LineageGraph, Vid};
use crate::testutil::{chain_abc, fact, random_trace};
use crate::{lineage, lineage_naive, Event, Fact, FaultSet, Prop};
use proptest::prelude::*;

/// The graph is a DAG in children-before-parents order, and everything
/// in it is reachable from the root, the last vertex.
fn assert_well_formed(g: &LineageGraph) {
    let n = g.vertices.len() as Vid;
    assert_eq!(g.root, n - 1);
    let mut reached = vec![false; n as usize];
    reached[g.root as usize] = true;
    for v in (0..n).rev() {
        for &c in g.children(v) {
            assert!(c < v, "child {c} of {v} comes after it");
            reached[c as usize] |= reached[v as usize];
        }
    }
    assert!(reached.iter().all(|r| *r), "unreachable vertices in {g:#?}");
}

fn has_crashed(p: &Prop) -> bool {
    match p {
        Prop::Crashed(_) | Prop::CrashedBy(..) => true,
        Prop::And(ps) | Prop::Or(ps) => ps.iter().any(has_crashed),
        _ => false,
    }
}

#[test]
fn agrees_on_the_chain() {
    let t = chain_abc();
    for p in [
        Prop::Holds(fact("got", "c")),
        Prop::And(vec![
            Prop::Holds(fact("got", "c")),
            Prop::Crashed(1),
            Prop::True,
        ]),
        Prop::Or(vec![]),
        Prop::False,
    ] {
        assert_eq!(lineage(&t, &p), lineage_naive(&t, &p), "{p}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn datafrog_rules_agree_with_the_naive_walk(
        seed in any::<u64>(), nodes in 1u32..5, eot in 1u32..8, wild in any::<bool>()
    ) {
        let (t, p) = random_trace(seed, nodes, eot, wild);
        let g = lineage(&t, &p);
        prop_assert_eq!(&g, &lineage_naive(&t, &p));
        assert_well_formed(&g);
        prop_assert_eq!(&g, &lineage(&t, &p), "deterministic");
    }

    /// Without faults, the graph of a well-formed run means the outcome:
    /// it holds exactly when some derivation of each needed fact exists.
    #[test]
    fn the_graph_holds_without_faults_iff_the_outcome_did(
        seed in any::<u64>(), nodes in 1u32..5, eot in 1u32..8
    ) {
        let (t, p) = random_trace(seed, nodes, eot, false);
        prop_assume!(!has_crashed(&p));
        let derived = |f: &Fact| t.events.iter().any(|e| matches!(e, Event::Derive { fact, .. } if fact == f));
        let g = lineage(&t, &p);
        prop_assert_eq!(g.holds_under(&FaultSet::new()), p.eval(&derived, &|_| None));
    }
}
