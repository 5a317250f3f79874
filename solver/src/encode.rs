//! Tseitin encoding of lineage graphs, with gates shared across graphs.
//!
//! Every reachable vertex becomes a constant or a literal that is
//! *equivalent* to "the vertex holds" as [`LineageGraph::holds_under`]
//! defines it:
//!
//! | vertex | value |
//! |---|---|
//! | `True` / `False` | constant |
//! | `Or` / `And` | `∨` / `∧` of the children |
//! | `Derivation { node, at }` | `∧ causes ∧ ¬down(node, at)` |
//! | `Message { id, to }` | `∧ causes ∧ ¬down(id.from, id.sent) ∧ ¬omit(id.from, to, id.sent)` |
//! | `Crashed { node }` | `down(node, eot)` |
//! | `RestartedBy { node, at }` | `restarted_by(node, at)` |
//! | `Not { child }` | `¬child` (the negated literal; no gate) |
//!
//! A fault that is not a candidate (exempt node, `sent >= eff`, a node the
//! space does not know) is the constant false. Constants fold, duplicate
//! inputs merge, `x ∧ ¬x` folds to false, one-input gates are their input,
//! and each remaining gate gets one auxiliary variable with both directions
//! of the equivalence (`Crashed` puts fault variables under both
//! polarities, and full equivalence keeps every auxiliary variable equal to
//! its vertex's truth value). Identical gates — the same kind over the same
//! input literals, e.g. the same message seen again in a later run's
//! lineage — reuse one variable, so the formula grows with what is new in a
//! graph, not with its size.

use crate::sat::Cnf;
use crate::vars::FaultVars;
use ldfi_lineage::{LineageGraph, NodeIdx, Tick, Vertex};
use std::collections::BTreeMap;
use varisat::Lit;

/// The value of a vertex in the formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    /// A constant.
    Const(bool),
    /// Equivalent to this literal.
    Lit(Lit),
}

/// Gate kind: `∧` or `∨`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    And,
    Or,
}

/// Gates already encoded, by kind and sorted inputs.
#[derive(Default)]
pub(crate) struct Gates {
    known: BTreeMap<(Kind, Vec<Lit>), Lit>,
}

impl Gates {
    /// Number of distinct gates encoded so far.
    pub(crate) fn len(&self) -> usize {
        self.known.len()
    }
}

/// Encodes `g` (already checked, see `error::check_structure`) and returns
/// the value of its root.
pub(crate) fn encode_graph(
    cnf: &mut Cnf,
    gates: &mut Gates,
    vars: &FaultVars,
    g: &LineageGraph,
) -> Val {
    let nodes: Vec<Option<usize>> = g.nodes.iter().map(|n| vars.node(n)).collect();
    let node = |i: NodeIdx| nodes.get(i as usize).copied().flatten();
    let up = |n: NodeIdx, t: Tick| match node(n).and_then(|n| vars.down(n, t)) {
        Some(down) => Val::Lit(!down),
        None => Val::Const(true),
    };
    let reach = reachable(g);
    let mut val = vec![Val::Const(false); g.vertices.len()];
    let mut inputs: Vec<Val> = Vec::new();
    for (i, v) in g.vertices.iter().enumerate() {
        if !reach[i] {
            continue;
        }
        inputs.clear();
        inputs.extend(g.children(i as u32).iter().map(|&c| val[c as usize]));
        val[i] = match v {
            Vertex::True => Val::Const(true),
            Vertex::False => Val::Const(false),
            Vertex::Or { .. } => gate(cnf, gates, Kind::Or, &inputs),
            Vertex::And { .. } => gate(cnf, gates, Kind::And, &inputs),
            Vertex::Derivation { node, at, .. } => {
                inputs.push(up(*node, *at));
                gate(cnf, gates, Kind::And, &inputs)
            }
            Vertex::Message { id, to, .. } => {
                inputs.push(up(id.from, id.sent));
                let omit = node(id.from)
                    .zip(node(*to))
                    .and_then(|(from, to)| vars.omit(from, to, id.sent));
                if let Some(omit) = omit {
                    inputs.push(Val::Lit(!omit));
                }
                gate(cnf, gates, Kind::And, &inputs)
            }
            Vertex::CrashedBy { node: n, at } => match node(*n).and_then(|n| vars.down(n, *at)) {
                Some(down) => Val::Lit(down),
                None => Val::Const(false),
            },
            Vertex::Crashed { node: n } => match node(*n).and_then(|n| vars.crashed(n)) {
                Some(crashed) => Val::Lit(crashed),
                None => Val::Const(false),
            },
            Vertex::RestartedBy { node: n, at } => {
                match node(*n).and_then(|n| vars.restarted_by(n, *at)) {
                    Some(by) => Val::Lit(by),
                    None => Val::Const(false),
                }
            }
            Vertex::Not { .. } => match inputs[0] {
                Val::Const(b) => Val::Const(!b),
                Val::Lit(l) => Val::Lit(!l),
            },
        };
    }
    val[g.root as usize]
}

/// Vertices the root depends on (children come before parents).
fn reachable(g: &LineageGraph) -> Vec<bool> {
    let mut reach = vec![false; g.vertices.len()];
    reach[g.root as usize] = true;
    for v in (0..g.vertices.len()).rev() {
        if reach[v] {
            for &c in g.children(v as u32) {
                reach[c as usize] = true;
            }
        }
    }
    reach
}

/// The value of `kind(inputs)`, folding what folds and sharing gates.
fn gate(cnf: &mut Cnf, gates: &mut Gates, kind: Kind, inputs: &[Val]) -> Val {
    // The constant that decides the gate alone: false for ∧, true for ∨.
    let absorbing = kind == Kind::Or;
    let mut lits = Vec::with_capacity(inputs.len());
    for v in inputs {
        match *v {
            Val::Const(c) if c == absorbing => return Val::Const(absorbing),
            Val::Const(_) => {}
            Val::Lit(l) => lits.push(l),
        }
    }
    lits.sort_unstable();
    lits.dedup();
    if lits.windows(2).any(|w| w[0].var() == w[1].var()) {
        return Val::Const(absorbing);
    }
    match lits.len() {
        0 => Val::Const(!absorbing),
        1 => Val::Lit(lits[0]),
        _ => Val::Lit(new_gate(cnf, gates, kind, lits)),
    }
}

/// The auxiliary variable of a gate over two or more distinct literals.
fn new_gate(cnf: &mut Cnf, gates: &mut Gates, kind: Kind, lits: Vec<Lit>) -> Lit {
    if let Some(&x) = gates.known.get(&(kind, lits.clone())) {
        return x;
    }
    let x = cnf.new_lit();
    // ∧: x → l_i, and (∧ l_i) → x.  ∨: l_i → x, and x → (∨ l_i).
    // The ∨ case is the ∧ case on negated literals and output.
    let (y, sign) = match kind {
        Kind::And => (x, false),
        Kind::Or => (!x, true),
    };
    let mut long = Vec::with_capacity(lits.len() + 1);
    long.push(y);
    for &l in &lits {
        let l = if sign { !l } else { l };
        cnf.clause(&[!y, l]);
        long.push(!l);
    }
    cnf.clause(&long);
    gates.known.insert((kind, lits), x);
    x
}
