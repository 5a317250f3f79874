//! Property tests: random small graphs over random small fault spaces,
//! checked against `holds_under` and a brute force over all fault sets of
//! up to three faults.

use super::*;
use crate::Solver;
use ldfi_lineage::{FaultSet, FaultSpace, Vertex};
use proptest::prelude::*;

/// Largest fault set the brute force looks at.
const BRUTE_MAX: usize = 3;

fn arb_space() -> impl Strategy<Value = FaultSpace> {
    (
        2usize..=3,
        1u32..=3,
        prop_oneof![1 => Just(0u32), 4 => 1u32..=2],
        0usize..=5,
    )
        .prop_flat_map(|(n, eot, crashes, exempt)| {
            // Mostly omissions at every tick, sometimes fewer or none.
            prop_oneof![2 => Just(eot + 1), 1 => 1..=eot + 1].prop_map(move |eff| {
                let nodes: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
                // exempt: 0 none, else node `exempt - 1` if it exists.
                let exempt = nodes
                    .get(exempt.wrapping_sub(1))
                    .cloned()
                    .into_iter()
                    .collect();
                FaultSpace {
                    nodes,
                    eot,
                    eff,
                    crashes,
                    exempt,
                }
            })
        })
}

/// Raw material for one vertex: a kind and numbers mapped into range.
type Raw = (u8, u16, u16, u32, Vec<u32>);

/// A graph's raw material: node order reversed?, vertices, and the
/// alternatives of an `Or` root (none: the last vertex is the root).
type RawGraph = (bool, Vec<Raw>, Vec<u32>);

fn arb_graph_raw() -> impl Strategy<Value = RawGraph> {
    let vertex = (
        0u8..20,
        any::<u16>(),
        any::<u16>(),
        prop_oneof![4 => 1u32..=3, 1 => 0u32..=4],
        prop::collection::vec(any::<u32>(), 0..=3),
    );
    let alternatives = prop_oneof![Just(Vec::new()), prop::collection::vec(any::<u32>(), 2..=4)];
    (
        any::<bool>(),
        prop::collection::vec(vertex, 1..=10),
        alternatives,
    )
}

/// A well-formed graph over the space's nodes (in reversed order if `rev`):
/// vertex 0 is `True` (a workload input), then mostly messages and
/// derivations, some `Or`/`And`, a few `Crashed` and `False`.
fn make_graph(space: &FaultSpace, (rev, raw, alternatives): &RawGraph) -> LineageGraph {
    let mut nodes = space.nodes.clone();
    if *rev {
        nodes.reverse();
    }
    let n = nodes.len() as u16;
    let mut vertices = vec![Vertex::True];
    for (kind, a, b, t, kids) in raw {
        let i = vertices.len() as u32;
        // Causes may be the input; alternatives and conjuncts are not.
        let causes: Vec<Vid> = kids.iter().map(|k| k % i).collect();
        let mut children: Vec<Vid> = kids.iter().map(|k| 1 + k % (i - 1).max(1)).collect();
        children.retain(|&c| c < i);
        if children.is_empty() {
            children.push(i - 1);
        }
        let v = match kind {
            0..=9 => Vertex::Message {
                id: MsgId {
                    from: a % n,
                    sent: *t,
                    seq: 0,
                },
                // Mostly to another node (self-messages are never lost).
                to: if b % 8 == 0 {
                    a % n
                } else {
                    (a % n + 1 + b % (n - 1)) % n
                },
                causes,
            },
            10..=13 => Vertex::Derivation {
                node: a % n,
                at: *t,
                fact: ldfi_lineage::Fact::new("f", [i]),
                causes,
            },
            14..=16 => Vertex::Or {
                label: String::new(),
                children,
            },
            17 | 18 => Vertex::And {
                label: String::new(),
                children,
            },
            _ if a % 2 == 0 => Vertex::Crashed { node: b % n },
            _ => Vertex::False,
        };
        vertices.push(v);
    }
    if !alternatives.is_empty() {
        let n = vertices.len() as u32 - 1;
        let children = alternatives.iter().map(|k| 1 + k % n).collect();
        vertices.push(Vertex::Or {
            label: String::new(),
            children,
        });
    }
    LineageGraph {
        nodes,
        root: (vertices.len() - 1) as Vid,
        vertices,
    }
}

fn arb_case() -> impl Strategy<Value = (FaultSpace, Vec<LineageGraph>)> {
    (arb_space(), prop::collection::vec(arb_graph_raw(), 1..=3)).prop_map(|(space, raws)| {
        let graphs = raws.iter().map(|raw| make_graph(&space, raw)).collect();
        (space, graphs)
    })
}

/// What every answer must satisfy, whatever the mode.
fn check_answer(
    space: &FaultSpace,
    graphs: &[LineageGraph],
    got: &FaultSet,
) -> Result<(), TestCaseError> {
    prop_assert!(within_budget(space, got), "{got} is outside the budget");
    prop_assert!(breaks_all(graphs, got), "{got} does not break every graph");
    for sub in proper_subsets(got) {
        prop_assert!(
            !breaks_all(graphs, &sub),
            "{got} is not minimal: {sub} breaks every graph too"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// All graphs up front, `block_supersets` after each answer: the answers
    /// are exactly the subset-minimal breaking sets, smallest first.
    #[test]
    fn minimal_sets_smallest_first((space, graphs) in arb_case()) {
        let mut solver = Solver::new(&space);
        for g in &graphs {
            solver.add_graph(g);
        }
        let mut got = Vec::new();
        while let Some(s) = solver.next() {
            check_answer(&space, &graphs, &s)?;
            if let Some(last) = got.last() {
                let last: &FaultSet = last;
                prop_assert!(last.len() <= s.len(), "{last} came before {s}");
            }
            solver.block_supersets(&s);
            got.push(s);
            prop_assert!(got.len() < 2000);
        }
        let breaking: Vec<FaultSet> = all_sets(&space, BRUTE_MAX)
            .into_iter()
            .filter(|s| breaks_all(&graphs, s))
            .collect();
        let minimal: std::collections::BTreeSet<&FaultSet> = breaking
            .iter()
            .filter(|s| proper_subsets(s).iter().all(|sub| !breaks_all(&graphs, sub)))
            .collect();
        let small: std::collections::BTreeSet<&FaultSet> =
            got.iter().filter(|s| s.len() <= BRUTE_MAX).collect();
        prop_assert_eq!(small, minimal);
        let brute_min = breaking.iter().map(|s| s.len()).min();
        let solver_min = got.first().map(|s| s.len()).filter(|&k| k <= BRUTE_MAX);
        prop_assert_eq!(brute_min, solver_min);
    }

    /// The search loop: graphs arrive one at a time, from runs of the sets
    /// the solver proposed; a proposal no graph survives is a
    /// counterexample and is blocked with its supersets.
    #[test]
    fn incremental_search((space, pool) in arb_case()) {
        let mut solver = Solver::new(&space);
        let mut added: Vec<LineageGraph> = Vec::new();
        let mut returned: Vec<FaultSet> = Vec::new();
        let mut blocked: Vec<FaultSet> = Vec::new();
        let small = all_sets(&space, BRUTE_MAX);
        let mut last = 0;
        while let Some(s) = solver.next() {
            check_answer(&space, &added, &s)?;
            prop_assert!(s.len() >= last, "size went down to {}", s.len());
            prop_assert!(!returned.contains(&s), "{s} returned twice");
            last = s.len();
            // Nothing smaller was left.
            for t in small.iter().filter(|t| t.len() < s.len()) {
                let excluded = returned.contains(t) || blocked.iter().any(|b| b.is_subset(t));
                prop_assert!(excluded || !breaks_all(&added, t), "{t} is smaller than {s}");
            }
            returned.push(s.clone());
            match pool.iter().find(|g| g.holds_under(&s)) {
                Some(g) => {
                    added.push(g.clone());
                    solver.add_graph(g);
                }
                None => {
                    solver.block_supersets(&s);
                    blocked.push(s);
                }
            }
            prop_assert!(returned.len() < 2000);
        }
        // None: every small set is excluded or survives some graph.
        for t in &small {
            let excluded = returned.contains(t) || blocked.iter().any(|b| b.is_subset(t));
            prop_assert!(excluded || !breaks_all(&added, t), "{t} was never proposed");
        }
    }

    /// Exact exclusion only, no new graphs: every breaking set within the
    /// budget comes out once, by size.
    #[test]
    fn exact_enumeration((space, graphs) in arb_case()) {
        prop_assume!(space.omissions().len() + space.crash_faults().len() <= 10);
        let mut solver = Solver::new(&space);
        for g in &graphs {
            solver.add_graph(g);
        }
        let mut got = Vec::new();
        for s in solver {
            prop_assert!(within_budget(&space, &s));
            prop_assert!(breaks_all(&graphs, &s));
            got.push(s);
            prop_assert!(got.len() <= 1 << 10);
        }
        prop_assert!(got.windows(2).all(|w| w[0].len() <= w[1].len()));
        let mut want: Vec<FaultSet> = all_sets(&space, usize::MAX)
            .into_iter()
            .filter(|s| breaks_all(&graphs, s))
            .collect();
        want.sort();
        got.sort();
        prop_assert_eq!(got, want);
    }
}
