//! Hand-built graphs with known answers.

use super::*;
use crate::{GraphError, Solver};
use ldfi_lineage::{FaultSet, FaultSpace, Vertex};

fn space(eot: Tick, eff: Tick, crashes: u32) -> FaultSpace {
    FaultSpace {
        nodes: vec!["a".into(), "b".into(), "c".into()],
        eot,
        eff,
        crashes,
        exempt: vec![],
    }
}

/// Every answer of `next`, blocking supersets of each (all minimal sets).
fn minimal_sets(solver: &mut Solver) -> Vec<FaultSet> {
    let mut out = Vec::new();
    while let Some(s) = solver.next() {
        solver.block_supersets(&s);
        out.push(s);
        assert!(out.len() < 1000, "runaway enumeration");
    }
    out
}

/// A message from a to b sent at tick 1 with no other cause.
fn one_message() -> LineageGraph {
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    b.msg("a", "b", 1, &[t]);
    b.build()
}

#[test]
fn first_answer_is_the_fault_free_run() {
    let mut s = Solver::new(&space(3, 2, 1));
    assert_eq!(s.next(), Some(FaultSet::new()));
    assert_eq!(s.min_size(), 0);
}

#[test]
fn candidates_are_the_space_s() {
    let mut sp = space(3, 3, 1);
    sp.exempt = vec!["c".into()];
    let s = Solver::new(&sp);
    let mut want = sp.omissions();
    want.extend(sp.crash_faults());
    assert_eq!(s.candidates(), &want[..]);
    assert!(!s.is_candidate(&omit("a", "c", 1)));
    assert!(!s.is_candidate(&omit("a", "b", 3)));
    assert!(s.is_candidate(&omit("a", "b", 2)));
    assert!(s.is_candidate(&crash("b", 3)));
    assert!(!s.is_candidate(&crash("b", 4)));
    assert!(!s.is_candidate(&crash("c", 1)));
}

#[test]
fn one_message_is_broken_by_its_omission_or_its_sender_s_crash() {
    let mut s = Solver::new(&space(3, 2, 1));
    s.add_graph(&one_message());
    let got = minimal_sets(&mut s);
    assert_eq!(
        got.iter().collect::<std::collections::BTreeSet<_>>(),
        [set(&[omit("a", "b", 1)]), set(&[crash("a", 1)])]
            .iter()
            .collect()
    );
}

#[test]
fn a_fact_with_two_derivations_needs_both_broken() {
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    let m1 = b.msg("a", "b", 1, &[t]);
    let d1 = b.derive("b", 2, &[m1]);
    let m2 = b.msg("c", "b", 2, &[t]);
    let d2 = b.derive("b", 3, &[m2]);
    b.or(&[d1, d2]);
    let mut s = Solver::new(&space(3, 3, 0));
    s.add_graph(&b.build());
    assert_eq!(
        minimal_sets(&mut s),
        vec![set(&[omit("a", "b", 1), omit("c", "b", 2)])]
    );
}

#[test]
fn crashing_a_node_does_not_break_an_or_that_its_crash_satisfies() {
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    let m = b.msg("a", "b", 1, &[t]);
    let down = b.crashed("a");
    b.or(&[m, down]);
    let mut s = Solver::new(&space(3, 2, 1));
    s.add_graph(&b.build());
    let first = s.next().unwrap();
    assert_eq!(first, set(&[omit("a", "b", 1)]));
    // Exactly excluded: its supersets come next, none crashing a.
    for more in s {
        assert!(first.is_subset(&more));
        assert!(!more
            .faults()
            .iter()
            .any(|f| matches!(f, Fault::Crash { node, .. } if node == "a")));
    }
}

#[test]
fn a_crash_breaks_derivations_at_or_after_it_only() {
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    b.derive("b", 2, &[t]);
    let mut s = Solver::new(&space(3, 2, 1));
    s.add_graph(&b.build());
    let got = minimal_sets(&mut s);
    assert_eq!(got.len(), 2);
    assert!(got.contains(&set(&[crash("b", 1)])));
    assert!(got.contains(&set(&[crash("b", 2)])));
}

#[test]
fn the_crash_budget_is_respected() {
    let g = {
        let mut b = Builder::new(&["a", "b", "c"]);
        let t = b.truth();
        let da = b.derive("a", 2, &[t]);
        let db = b.derive("b", 2, &[t]);
        b.or(&[da, db]);
        b.build()
    };
    let mut one = Solver::new(&space(3, 2, 1));
    one.add_graph(&g);
    assert_eq!(one.next(), None);
    assert!(one.is_exhausted());

    let mut two = Solver::new(&space(3, 2, 2));
    two.add_graph(&g);
    let got = minimal_sets(&mut two);
    assert_eq!(got.len(), 4, "crash(a, 1|2) × crash(b, 1|2): {got:?}");
    assert!(got.iter().all(|s| s.len() == 2));
}

#[test]
fn one_crash_time_per_node() {
    let s = Solver::new(&space(3, 1, 1));
    // No lineage: enumerate everything the budget allows, exactly.
    let mut all = Vec::new();
    for x in s {
        all.push(x);
    }
    // {} and crash(n, t) for 3 nodes × 3 ticks.
    assert_eq!(all.len(), 1 + 9);
}

#[test]
fn omissions_only_before_eff() {
    let g = {
        let mut b = Builder::new(&["a", "b", "c"]);
        let t = b.truth();
        b.msg("a", "b", 2, &[t]);
        b.build()
    };
    let mut early = Solver::new(&space(3, 2, 0));
    early.add_graph(&g);
    assert_eq!(early.next(), None);
    let mut late = Solver::new(&space(3, 3, 0));
    late.add_graph(&g);
    assert_eq!(late.next(), Some(set(&[omit("a", "b", 2)])));
}

#[test]
fn exempt_nodes_never_fail() {
    let mut sp = space(3, 3, 2);
    sp.exempt = vec!["a".into()];
    let mut s = Solver::new(&sp);
    s.add_graph(&one_message());
    assert_eq!(s.next(), None);

    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    let m = b.msg("b", "a", 1, &[t]);
    b.derive("a", 2, &[m]);
    let mut s = Solver::new(&sp);
    s.add_graph(&b.build());
    // b→a can't be lost (a is exempt), a can't crash: only b's crash.
    assert_eq!(minimal_sets(&mut s), vec![set(&[crash("b", 1)])]);
}

#[test]
fn answers_come_smallest_first() {
    // Break m3 (one fault), or both m1 and m2 (two).
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    let m1 = b.msg("a", "b", 1, &[t]);
    let m2 = b.msg("c", "b", 1, &[t]);
    let either = b.or(&[m1, m2]);
    let m3 = b.msg("b", "c", 2, &[t]);
    b.and(&[either, m3]);
    let mut s = Solver::new(&space(3, 3, 0));
    s.add_graph(&b.build());
    assert_eq!(
        minimal_sets(&mut s),
        vec![
            set(&[omit("b", "c", 2)]),
            set(&[omit("a", "b", 1), omit("c", "b", 1)])
        ]
    );
}

#[test]
fn sizes_beyond_the_first_cutoff() {
    // Seven alternative messages: all seven must be lost.
    let nodes = ["a", "b", "c", "d", "e"];
    let mut b = Builder::new(&nodes);
    let t = b.truth();
    let ms: Vec<_> = [
        ("a", "b"),
        ("c", "b"),
        ("d", "b"),
        ("e", "b"),
        ("a", "c"),
        ("d", "e"),
        ("e", "a"),
    ]
    .iter()
    .map(|(f, to)| b.msg(f, to, 1, &[t]))
    .collect();
    b.or(&ms);
    let sp = FaultSpace {
        nodes: nodes.iter().map(|n| n.to_string()).collect(),
        eot: 3,
        eff: 2,
        crashes: 0,
        exempt: vec![],
    };
    let mut s = Solver::new(&sp);
    s.add_graph(&b.build());
    let first = s.next().unwrap();
    assert_eq!(first.len(), 7);
    s.block_supersets(&first);
    assert_eq!(s.next(), None);
}

#[test]
fn unbreakable_lineage_means_none_for_good() {
    let mut b = Builder::new(&["a", "b", "c"]);
    b.truth();
    let mut s = Solver::new(&space(3, 2, 1));
    s.add_graph(&b.build());
    assert_eq!(s.next(), None);
    assert!(s.is_exhausted());
    s.add_graph(&one_message());
    assert_eq!(s.next(), None);
}

#[test]
fn the_conjunction_across_runs() {
    // Run 1 went a→b at tick 1; run 2 (with that lost) retried at tick 2.
    let mut s = Solver::new(&space(4, 3, 0));
    assert_eq!(s.next(), Some(FaultSet::new()));
    s.add_graph(&one_message());
    let lose = set(&[omit("a", "b", 1)]);
    assert_eq!(s.next(), Some(lose.clone()));
    let retry = {
        let mut b = Builder::new(&["a", "b", "c"]);
        let t = b.truth();
        b.msg("a", "b", 2, &[t]);
        b.build()
    };
    assert!(retry.holds_under(&lose));
    s.add_graph(&retry);
    assert_eq!(s.next(), Some(set(&[omit("a", "b", 1), omit("a", "b", 2)])));
}

#[test]
fn block_exactly_keeps_supersets() {
    let mut s = Solver::new(&space(3, 2, 0));
    s.add_graph(&one_message());
    s.block_exactly(&set(&[omit("a", "b", 1)]));
    let next = s.next().unwrap();
    assert_eq!(next.len(), 2);
    assert!(next.faults().contains(&omit("a", "b", 1)));
    // A set with a fault outside the space blocks nothing.
    s.block_supersets(&set(&[omit("a", "b", 9)]));
    assert!(s.next().is_some());
    s.block_supersets(&FaultSet::new());
    assert_eq!(s.next(), None);
}

#[test]
fn equal_graphs_share_their_gates() {
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    let m1 = b.msg("a", "b", 1, &[t]);
    let m2 = b.msg("c", "b", 1, &[t]);
    b.or(&[m1, m2]);
    let g = b.build();
    let mut s = Solver::new(&space(3, 2, 1));
    s.add_graph(&g);
    let before = s.stats();
    s.add_graph(&g);
    let after = s.stats();
    assert_eq!(before.gates, after.gates);
    assert_eq!(before.variables, after.variables);
    assert_eq!(after.graphs, 2);
}

#[test]
fn the_same_calls_give_the_same_answers() {
    let run = || {
        let mut s = Solver::new(&space(4, 3, 1));
        let mut b = Builder::new(&["c", "b", "a"]);
        let t = b.truth();
        let m1 = b.msg("a", "b", 1, &[t]);
        let m2 = b.msg("c", "b", 2, &[t]);
        let d = b.derive("b", 3, &[m1]);
        b.or(&[d, m2]);
        s.add_graph(&b.build());
        (0..40).map_while(|_| s.next()).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn graph_node_order_need_not_match_the_space_s() {
    let mut b = Builder::new(&["c", "b", "a"]);
    let t = b.truth();
    b.msg("a", "b", 1, &[t]);
    let mut s = Solver::new(&space(3, 2, 0));
    s.add_graph(&b.build());
    assert_eq!(s.next(), Some(set(&[omit("a", "b", 1)])));
}

#[test]
fn malformed_graphs_are_rejected() {
    let mut s = Solver::new(&space(3, 2, 1));
    let mut g = one_message();
    g.root = 7;
    assert_eq!(
        s.try_add_graph(&g),
        Err(GraphError::RootOutOfRange { root: 7, len: 2 })
    );
    let mut g = one_message();
    g.vertices.insert(
        0,
        Vertex::And {
            label: "x".into(),
            children: vec![1],
        },
    );
    g.root = 2;
    assert_eq!(
        s.try_add_graph(&g),
        Err(GraphError::ChildOutOfOrder {
            vertex: 0,
            child: 1
        })
    );
    let mut g = one_message();
    g.vertices.push(Vertex::Crashed { node: 9 });
    g.root = 2;
    assert!(matches!(
        s.try_add_graph(&g),
        Err(GraphError::NodeOutOfRange { node: 9, .. })
    ));
    let mut g = one_message();
    g.nodes[2] = "zed".into();
    assert_eq!(
        s.try_add_graph(&g),
        Err(GraphError::UnknownNode { name: "zed".into() })
    );
    assert!(GraphError::UnknownNode { name: "zed".into() }
        .to_string()
        .contains("zed"));
    assert_eq!(s.stats().graphs, 0);
    assert_eq!(s.try_add_graph(&one_message()), Ok(()));
}

#[test]
#[should_panic(expected = "not listed before it")]
fn add_graph_panics_on_a_malformed_graph() {
    let mut s = Solver::new(&space(3, 2, 1));
    let mut g = one_message();
    g.vertices[0] = Vertex::Or {
        label: "x".into(),
        children: vec![1],
    };
    s.add_graph(&g);
}

/// An outcome nobody can break (derived after EFF from inputs only).
fn unbreakable() -> LineageGraph {
    let mut b = Builder::new(&["a", "b", "c"]);
    b.truth();
    b.build()
}

#[test]
fn goals_are_alternatives_an_unbreakable_goal_does_not_end_the_search() {
    // With one conjunction, an unbreakable outcome would certify at once.
    let mut hard = Solver::new(&space(3, 2, 0));
    assert_eq!(hard.next(), Some(FaultSet::new()));
    hard.add_graph(&unbreakable());
    assert_eq!(hard.next(), None);
    // As separate goals, the breakable one still yields its minimal set.
    let mut s = Solver::new(&space(3, 2, 0));
    assert_eq!(s.next(), Some(FaultSet::new()));
    s.add_graph_for("durability", &one_message());
    s.add_graph_for("agreement", &unbreakable());
    let sets = minimal_sets(&mut s);
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].to_string(), "{omit(a, b, 1)}");
}

#[test]
fn a_new_goal_reopens_a_finished_search() {
    let mut s = Solver::new(&space(3, 2, 0));
    assert_eq!(s.next(), Some(FaultSet::new()));
    s.add_graph_for("x", &unbreakable());
    assert_eq!(s.next(), None);
    s.add_graph_for("y", &one_message());
    assert_eq!(
        s.next().map(|f| f.to_string()),
        Some("{omit(a, b, 1)}".to_string())
    );
}

#[test]
fn a_size_limit_ends_the_search_below_bigger_answers() {
    // Two alternative messages: only the pair breaks the run.
    let mut b = Builder::new(&["a", "b", "c"]);
    let t = b.truth();
    let m1 = b.msg("a", "b", 1, &[t]);
    let m2 = b.msg("c", "b", 1, &[t]);
    b.or(&[m1, m2]);
    let g = b.build();
    let mut capped = Solver::new(&space(3, 2, 0));
    capped.limit_size(1);
    assert_eq!(capped.next(), Some(FaultSet::new()));
    capped.add_graph(&g);
    assert_eq!(capped.next(), None, "the only answer has two faults");
    assert!(capped.is_exhausted());
    // The same constraints without the limit answer the pair.
    let mut free = Solver::new(&space(3, 2, 0));
    assert_eq!(free.next(), Some(FaultSet::new()));
    free.add_graph(&g);
    assert_eq!(
        free.next(),
        Some(set(&[omit("a", "b", 1), omit("c", "b", 1)]))
    );
    // Limit 2 allows it; limit 0 allows only the fault-free run.
    let mut two = Solver::new(&space(3, 2, 0));
    two.limit_size(2);
    two.next();
    two.add_graph(&g);
    assert_eq!(two.next().map(|s| s.len()), Some(2));
    let mut zero = Solver::new(&space(3, 2, 0));
    zero.limit_size(0);
    assert_eq!(zero.next(), Some(FaultSet::new()));
    assert_eq!(zero.next(), None);
}

fn restart(node: &str, at: Tick) -> Fault {
    Fault::Restart {
        node: node.into(),
        at,
    }
}

#[test]
fn restarts_are_candidates_only_when_asked_for() {
    let sp = space(3, 2, 1);
    assert!(!Solver::new(&sp).is_candidate(&restart("b", 2)));
    let r = ldfi_lineage::RestartSpace {
        nodes: vec!["b".into(), "x".into()],
        budget: 1,
    };
    let s = Solver::with_restarts(&sp, &r);
    let mut want = sp.omissions();
    want.extend(sp.crash_faults());
    want.extend([restart("b", 2), restart("b", 3)]);
    assert_eq!(s.candidates(), &want[..], "no restart at tick 1, none of x");
}

#[test]
fn a_restart_breaks_what_its_node_does_from_then_on() {
    // b derives at 2 and 3 (either will do); a restart of b at 2 breaks
    // both, at 3 only the second — and b never both crashes and restarts.
    let mut b = Builder::new(&["a", "b", "c"]);
    let by1 = b.push(Vertex::RestartedBy { node: 1, at: 2 });
    let by2 = b.push(Vertex::RestartedBy { node: 1, at: 3 });
    let up1 = b.push(Vertex::Not {
        label: "no restart(b) by 2".into(),
        child: by1,
    });
    let up2 = b.push(Vertex::Not {
        label: "no restart(b) by 3".into(),
        child: by2,
    });
    let d1 = b.derive("b", 2, &[up1]);
    let d2 = b.derive("b", 3, &[up2]);
    b.or(&[d1, d2]);
    let g = b.build();
    let sp = space(3, 1, 1);
    let r = ldfi_lineage::RestartSpace {
        nodes: vec!["a".into(), "b".into(), "c".into()],
        budget: 1,
    };
    let mut s = Solver::with_restarts(&sp, &r);
    assert_eq!(s.next(), Some(FaultSet::new()));
    s.add_graph(&g);
    let mut found = minimal_sets(&mut s);
    found.sort();
    for f in &found {
        assert!(!g.holds_under(f), "{f} must break the graph");
    }
    assert_eq!(
        found,
        vec![
            set(&[crash("b", 1)]),
            set(&[crash("b", 2)]),
            set(&[restart("b", 2)])
        ]
    );
}

#[test]
fn the_restart_budget_and_one_restart_per_node_hold() {
    // Two derivations by different nodes at 3, each broken by its own restart.
    let mut b = Builder::new(&["a", "b", "c"]);
    let ra = b.push(Vertex::RestartedBy { node: 0, at: 3 });
    let rb = b.push(Vertex::RestartedBy { node: 1, at: 3 });
    b.or(&[ra, rb]);
    // "some node restarted": the solver must falsify it, so no restarts at
    // all is the only way — then the second graph asks for both.
    let none = b.build();
    let sp = space(3, 1, 0);
    let r = |budget| ldfi_lineage::RestartSpace {
        nodes: vec!["a".into(), "b".into()],
        budget,
    };
    let mut s = Solver::with_restarts(&sp, &r(1));
    s.next();
    s.add_graph(&none);
    assert_eq!(s.next(), None, "falsifying an empty set of restarts is all");
    let mut b = Builder::new(&["a", "b", "c"]);
    let ra = b.push(Vertex::RestartedBy { node: 0, at: 3 });
    let rb = b.push(Vertex::RestartedBy { node: 1, at: 3 });
    let na = b.push(Vertex::Not {
        label: "a".into(),
        child: ra,
    });
    let nb = b.push(Vertex::Not {
        label: "b".into(),
        child: rb,
    });
    b.or(&[na, nb]);
    let both = b.build();
    let mut one = Solver::with_restarts(&sp, &r(1));
    one.next();
    one.add_graph(&both);
    assert_eq!(one.next(), None, "budget 1: a and b cannot both restart");
    let mut two = Solver::with_restarts(&sp, &r(2));
    two.next();
    two.add_graph(&both);
    let answer = two.next().expect("budget 2 allows both");
    assert_eq!(answer.len(), 2);
    assert!(!both.holds_under(&answer));
}
