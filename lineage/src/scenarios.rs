//! Hand-written scenarios for [`lineage`](crate::lineage): the shape of
//! the graph for each kind of cause, and what it means under faults
//! ([`LineageGraph::holds_under`](crate::LineageGraph::holds_under)).

use crate::testutil::{chain_abc, fact, mid, TraceBuilder};
use crate::{lineage_naive, Cause, Fault, FaultSet, LineageGraph, Prop, Trace, Vertex, Vid};

/// The lineage by the datafrog rules, checked against the naive walk.
fn lineage(t: &Trace, p: &Prop) -> LineageGraph {
    let g = crate::lineage(t, p);
    assert_eq!(g, lineage_naive(t, p), "rules and naive walk disagree");
    g
}

fn omit(from: &str, to: &str, at: u32) -> Fault {
    let (from, to) = (from.into(), to.into());
    Fault::Omit { from, to, at }
}

fn crash(node: &str, at: u32) -> Fault {
    Fault::Crash {
        node: node.into(),
        at,
    }
}

fn holds(g: &LineageGraph, faults: &[Fault]) -> bool {
    g.holds_under(&faults.iter().cloned().collect::<FaultSet>())
}

/// The vertex whose `And`/`Or` label is `label`.
fn labelled(g: &LineageGraph, label: &str) -> Vid {
    let found = g.vertices.iter().position(|v| match v {
        Vertex::And { label: l, .. } | Vertex::Or { label: l, .. } => l == label,
        _ => false,
    });
    found.unwrap_or_else(|| panic!("no vertex {label} in {g:#?}")) as Vid
}

fn count(g: &LineageGraph, pred: impl Fn(&Vertex) -> bool) -> usize {
    g.vertices.iter().filter(|v| pred(v)).count()
}

fn is_msg(v: &Vertex) -> bool {
    matches!(v, Vertex::Message { .. })
}

fn is_der(v: &Vertex) -> bool {
    matches!(v, Vertex::Derivation { .. })
}

#[test]
fn message_chain_a_b_c() {
    let g = lineage(&chain_abc(), &Prop::Holds(fact("got", "c")));
    let (ab, bc) = (mid(0, 1, 0), mid(1, 2, 0));
    let got = fact("got", "c");
    let expect = vec![
        Vertex::True,
        Vertex::Message {
            id: ab,
            to: 1,
            causes: vec![0],
        },
        Vertex::Message {
            id: bc,
            to: 2,
            causes: vec![1],
        },
        Vertex::Derivation {
            node: 2,
            at: 3,
            fact: got.clone(),
            causes: vec![2],
        },
        Vertex::Or {
            label: "got(c)".into(),
            children: vec![3],
        },
    ];
    assert_eq!(g.vertices, expect);
    assert_eq!(g.root, 4);
    assert!(holds(&g, &[]));
    assert!(!holds(&g, &[omit("a", "b", 1)]), "the only a→b message");
    assert!(!holds(&g, &[omit("b", "c", 2)]), "the only b→c message");
    assert!(!holds(&g, &[crash("b", 2)]), "b crashed before forwarding");
    assert!(holds(&g, &[crash("b", 3)]), "b crashed after forwarding");
    assert!(!holds(&g, &[crash("c", 3)]));
    assert!(holds(&g, &[omit("a", "b", 2), omit("c", "b", 1)]));
}

/// a sends to b at 1 and retries at 2; b logs on each delivery.
fn retry() -> Trace {
    let (m1, m2) = (mid(0, 1, 0), mid(0, 2, 0));
    let log = || fact("log", "b");
    TraceBuilder::new(&["a", "b"], 4)
        .send(m1, 1, vec![Cause::Input(0)])
        .deliver(m1, 1, 2, 1)
        .derive(1, 2, 2, log(), vec![Cause::Msg(m1)])
        .send(m2, 1, vec![Cause::Input(0)])
        .deliver(m2, 1, 3, 3)
        .derive(1, 3, 4, log(), vec![Cause::Msg(m2)])
        .done()
}

#[test]
fn a_fact_derived_twice_is_an_or_of_two_derivations() {
    let g = lineage(&retry(), &Prop::Holds(fact("log", "b")));
    let root = g.children(g.root);
    assert_eq!(root.len(), 2);
    assert!(root.iter().all(|&c| is_der(&g.vertices[c as usize])));
    assert_eq!(count(&g, is_msg), 2);
    assert!(
        holds(&g, &[omit("a", "b", 1)]),
        "the retry still gets through"
    );
    assert!(holds(&g, &[omit("a", "b", 2)]));
    assert!(!holds(&g, &[omit("a", "b", 1), omit("a", "b", 2)]));
    assert!(!holds(&g, &[crash("a", 1)]));
}

/// b: step 1 gets m1 from a, step 2 derives `x`, step 3 gets m2 from c,
/// step 4 derives `done` by happens-before over its first 3 steps.
fn hb_trace(k: u32) -> Trace {
    let (m1, m2) = (mid(0, 1, 0), mid(2, 1, 0));
    TraceBuilder::new(&["a", "b", "c"], 4)
        .send(m1, 1, vec![])
        .send(m2, 1, vec![])
        .deliver(m1, 1, 2, 1)
        .derive(1, 2, 2, fact("x", "b"), vec![Cause::Msg(m1)])
        .deliver(m2, 1, 2, 3)
        .derive(1, 3, 4, fact("done", "b"), vec![Cause::Hb(k)])
        .done()
}

#[test]
fn hb_causes_expand_to_a_shared_chain() {
    let g = lineage(&hb_trace(3), &Prop::Holds(fact("done", "b")));
    let (h1, h2, h3) = (
        labelled(&g, "hb(b, 1)"),
        labelled(&g, "hb(b, 2)"),
        labelled(&g, "hb(b, 3)"),
    );
    let held_x = labelled(&g, "x(b) at b by step 2");
    let t = g.vertices.iter().position(|v| *v == Vertex::True).unwrap() as Vid;
    let msg = |from| {
        let i = g
            .vertices
            .iter()
            .position(|v| matches!(v, Vertex::Message { id, .. } if id.from == from));
        i.unwrap() as Vid
    };
    assert_eq!(g.children(h3), [h2, msg(2)]);
    assert_eq!(g.children(h2), [h1, held_x]);
    assert_eq!(g.children(h1), [t, msg(0)]);
    assert_eq!(
        count(&g, is_msg),
        2,
        "m1 is shared by hb(b, 1) and x's derivation"
    );
    assert!(!holds(&g, &[omit("c", "b", 1)]), "done needs all b got");
    assert!(!holds(&g, &[omit("a", "b", 1)]));
    // Hb(k) past the derivation's own step would include itself: a
    // circular justification, cut to False (never in a well-formed trace).
    let g9 = lineage(&hb_trace(9), &Prop::Holds(fact("done", "b")));
    let own = labelled(&g9, "done(b) at b by step 4");
    assert_eq!(g9.vertices[g9.children(own)[0] as usize], Vertex::False);
    // Hb(0) is the empty history.
    let g0 = lineage(&hb_trace(0), &Prop::Holds(fact("done", "b")));
    assert_eq!(count(&g0, is_msg), 0);
    assert!(holds(&g0, &[omit("a", "b", 1), omit("c", "b", 1)]));
}

/// b derives `f` at step 1 (input) and at step 3 (on m); c derives `f`
/// too; b derives `g` from `f` as held at step `k`.
fn held_trace(k: u32) -> Trace {
    let m = mid(0, 1, 0);
    TraceBuilder::new(&["a", "b", "c"], 4)
        .send(m, 1, vec![])
        .derive(1, 1, 1, fact("f", "1"), vec![Cause::Input(0)])
        .derive(2, 1, 1, fact("f", "1"), vec![Cause::Input(1)])
        .deliver(m, 1, 2, 2)
        .derive(1, 2, 3, fact("f", "1"), vec![Cause::Msg(m)])
        .derive(
            1,
            3,
            4,
            fact("g", "1"),
            vec![Cause::Held(fact("f", "1"), k)],
        )
        .done()
}

#[test]
fn held_causes_take_the_nodes_derivations_up_to_step_k() {
    let g = lineage(&held_trace(2), &Prop::Holds(fact("g", "1")));
    let held = labelled(&g, "f(1) at b by step 2");
    assert_eq!(g.children(held).len(), 1, "only b's step-1 derivation");
    assert_eq!(count(&g, is_msg), 0, "the step-3 derivation is not lineage");
    assert_eq!(count(&g, is_der), 2);
    let g3 = lineage(&held_trace(3), &Prop::Holds(fact("g", "1")));
    let held = labelled(&g3, "f(1) at b by step 3");
    assert_eq!(
        g3.children(held).len(),
        2,
        "both of b's derivations, not c's"
    );
    assert_eq!(count(&g3, is_msg), 1);
    assert!(holds(&g3, &[omit("a", "b", 1)]));
    let g0 = lineage(&held_trace(0), &Prop::Holds(fact("g", "1")));
    let der_g = g0.children(g0.root)[0];
    assert_eq!(g0.vertices[g0.children(der_g)[0] as usize], Vertex::False);
    assert!(!holds(&g0, &[]), "nothing held at step 0");
}

#[test]
fn crashed_in_the_outcome() {
    let t = chain_abc();
    let p = Prop::And(vec![Prop::Holds(fact("got", "c")), Prop::Crashed(0)]);
    let g = lineage(&t, &p);
    let Vertex::And { label, children } = &g.vertices[g.root as usize] else {
        panic!("{g:#?}");
    };
    assert_eq!(label, "(got(c) ∧ crashed(a))");
    assert_eq!(
        g.vertices[children[1] as usize],
        Vertex::Crashed { node: 0 }
    );
    assert!(!holds(&g, &[]));
    assert!(holds(&g, &[crash("a", 2)]), "a crashed after sending");
    assert!(!holds(&g, &[crash("a", 1)]));
}

#[test]
fn unreachable_events_are_absent() {
    let mut tb = TraceBuilder(chain_abc());
    let ca = mid(2, 1, 0);
    tb.send(ca, 0, vec![Cause::Input(3)]).deliver(ca, 0, 2, 1);
    tb.derive(0, 2, 2, fact("other", "a"), vec![Cause::Msg(ca)])
        .crash(2, 4);
    let g = lineage(&tb.done(), &Prop::Holds(fact("got", "c")));
    assert_eq!(g, lineage(&chain_abc(), &Prop::Holds(fact("got", "c"))));
}

#[test]
fn missing_facts_and_messages_are_false() {
    let g = lineage(&chain_abc(), &Prop::Holds(fact("nope", "c")));
    assert_eq!(g.vertices, vec![Vertex::False]);
    let ghost = mid(0, 9, 0);
    let t = TraceBuilder::new(&["a"], 2)
        .derive(0, 1, 1, fact("x", "a"), vec![Cause::Msg(ghost)])
        .done();
    let g = lineage(&t, &Prop::Holds(fact("x", "a")));
    assert_eq!(g.vertices[0], Vertex::False);
    assert!(!holds(&g, &[]));
}

#[test]
fn circular_support_is_cut() {
    // b derives `x` at step 1 from `x` as held at step 1: itself.
    let t = TraceBuilder::new(&["a", "b"], 2)
        .derive(
            1,
            1,
            1,
            fact("x", "b"),
            vec![Cause::Held(fact("x", "b"), 1)],
        )
        .done();
    let g = lineage(&t, &Prop::Holds(fact("x", "b")));
    for v in 0..g.vertices.len() as Vid {
        assert!(g.children(v).iter().all(|&c| c < v), "{g:#?}");
    }
    assert!(!holds(&g, &[]));
}
