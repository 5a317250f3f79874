//! A generated protocol: nodes with programs, inputs, invariants as data,
//! bounds, and its readable dump.

use super::node::ProgramNode;
use super::program::{Msg, Rule};
use crate::end::EndState;
use crate::model::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup};
use ldfi_lineage::{Fact, Prop, Tick};
use std::fmt;
use std::sync::Arc;

/// A node and a fact it may hold.
pub type Held = (String, Fact);

/// An invariant of a generated protocol.
#[derive(Clone, Debug)]
pub enum Spec {
    /// Durability: if some listed node holds its `pre` fact (and is up,
    /// with `pre_live`), every listed replica holds its fact or is down.
    Durable {
        /// Invariant name.
        name: String,
        /// The client-side facts, any of which promises durability.
        pre: Vec<Held>,
        /// Whether a `pre` fact counts only at a node that is up.
        pre_live: bool,
        /// Whether `pre` is folded to `True`/`False` from the end state (as
        /// the shipped delivery invariant does) rather than built as a
        /// proposition over the facts it reads.
        fold_pre: bool,
        /// What must then hold at every live replica.
        post: Vec<Held>,
    },
    /// Agreement: no `yes` fact held together with a `no` fact.
    Agree {
        /// Invariant name.
        name: String,
        /// One side (e.g. `commit(n)` at `n`).
        yes: Vec<Held>,
        /// The conflicting side (e.g. `abort(n)` at `n`).
        no: Vec<Held>,
    },
    /// At most one: no two live nodes hold their fact at once.
    AtMostOne {
        /// Invariant name.
        name: String,
        /// Each node and the fact that makes it, e.g., leader.
        holders: Vec<Held>,
    },
}

fn held_at(end: &EndState, (node, fact): &Held) -> Prop {
    Prop::HoldsAt(end.node(node), fact.clone())
}

impl Spec {
    /// The invariant's name.
    pub fn name(&self) -> &str {
        match self {
            Spec::Durable { name, .. }
            | Spec::Agree { name, .. }
            | Spec::AtMostOne { name, .. } => name,
        }
    }

    /// `(pre, post)` in end state `end`.
    fn props(&self, end: &EndState) -> (Prop, Prop) {
        match self {
            Spec::Durable {
                pre,
                pre_live,
                fold_pre,
                post,
                ..
            } => {
                let promised = Prop::Or(
                    pre.iter()
                        .map(|h| match pre_live {
                            true => {
                                Prop::And(vec![held_at(end, h), Prop::not(end.crashed_prop(&h.0))])
                            }
                            false => held_at(end, h),
                        })
                        .collect(),
                );
                let promised = match fold_pre {
                    true if end.eval(&promised) => Prop::True,
                    true => Prop::False,
                    false => promised,
                };
                let post = post
                    .iter()
                    .map(|h| Prop::Or(vec![end.crashed_prop(&h.0), held_at(end, h)]))
                    .collect();
                (promised, Prop::And(post))
            }
            Spec::Agree { yes, no, .. } => {
                let mut post = Vec::new();
                for y in yes {
                    for n in no {
                        let both = Prop::And(vec![held_at(end, y), held_at(end, n)]);
                        post.push(Prop::Not(Box::new(both)));
                    }
                }
                (Prop::True, Prop::And(post))
            }
            Spec::AtMostOne { holders, .. } => {
                let mut post = Vec::new();
                for (i, a) in holders.iter().enumerate() {
                    for b in &holders[i + 1..] {
                        let both = Prop::And(vec![held_at(end, a), held_at(end, b)]);
                        post.push(Prop::Or(vec![
                            end.crashed_prop(&a.0),
                            end.crashed_prop(&b.0),
                            Prop::Not(Box::new(both)),
                        ]));
                    }
                }
                (Prop::True, Prop::And(post))
            }
        }
    }
}

/// A protocol drawn by [`generate`](fn@super::generate): everything needed to
/// run it, and what the generator meant it to be.
#[derive(Clone, Debug)]
pub struct GeneratedProtocol {
    /// The seed it was drawn from.
    pub seed: u64,
    /// Its family (`broadcast`, `replicate`, `commit`, `lease`).
    pub family: String,
    /// The variant drawn, and whether it was meant to be correct.
    pub variant: String,
    /// Whether its nodes declare lineage with `because`/`guard`.
    pub declared: bool,
    /// Node names, in order.
    pub nodes: Vec<String>,
    /// Nodes that never fail.
    pub exempt: Vec<String>,
    /// Each node's program, in node order.
    pub programs: Vec<Arc<[Rule]>>,
    /// Workload inputs: (tick, node, tag).
    pub inputs: Vec<(Tick, String, String)>,
    /// Invariants.
    pub specs: Vec<Spec>,
    /// The bounds to search at.
    pub params: Params,
}

impl Protocol for GeneratedProtocol {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: format!("oracle-{}", self.seed),
            summary: format!("generated {} ({})", self.family, self.variant),
            versions: vec!["v1".into()],
            default_version: "v1".into(),
            workloads: vec!["generated".into()],
            default_workload: "generated".into(),
            nodes: self.nodes.clone(),
            exempt: self.exempt.clone(),
            params: self.params,
        }
    }

    fn nodes(&self, _setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        self.programs
            .iter()
            .map(|p| -> Box<dyn Node<Msg>> { Box::new(ProgramNode::new(p.clone(), self.declared)) })
            .collect()
    }

    fn inputs(&self, _setup: &Setup) -> Vec<Input<Msg>> {
        self.inputs
            .iter()
            .map(|(at, node, tag)| Input {
                at: *at,
                node: node.clone(),
                msg: Msg(tag.clone()),
            })
            .collect()
    }

    fn invariants(&self, _setup: &Setup) -> Vec<Invariant> {
        self.specs
            .iter()
            .map(|s| {
                let spec = s.clone();
                Invariant::new(s.name(), move |end| spec.props(end))
            })
            .collect()
    }
}

fn held_list(hs: &[Held]) -> String {
    let v: Vec<String> = hs.iter().map(|(n, f)| format!("{f}@{n}")).collect();
    v.join(", ")
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Durable {
                name,
                pre,
                pre_live,
                fold_pre,
                post,
            } => write!(
                f,
                "{name}: if a{} node holds one of {{{}}}{}, every live one holds {{{}}}",
                if *pre_live { " live" } else { "" },
                held_list(pre),
                if *fold_pre {
                    " (pre folded to true/false)"
                } else {
                    ""
                },
                held_list(post)
            ),
            Spec::Agree { name, yes, no } => write!(
                f,
                "{name}: none of {{{}}} together with one of {{{}}}",
                held_list(yes),
                held_list(no)
            ),
            Spec::AtMostOne { name, holders } => write!(
                f,
                "{name}: no two live nodes hold {{{}}}",
                held_list(holders)
            ),
        }
    }
}

impl fmt::Display for GeneratedProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lineage = if self.declared {
            "declared (because/guard)"
        } else {
            "none (happens-before)"
        };
        writeln!(
            f,
            "protocol oracle-{}: {} — {}",
            self.seed, self.family, self.variant
        )?;
        writeln!(f, "  lineage  {lineage}")?;
        let exempt = if self.exempt.is_empty() {
            String::new()
        } else {
            format!(" (never fail: {})", self.exempt.join(", "))
        };
        writeln!(f, "  nodes    {}{exempt}", self.nodes.join(", "))?;
        let p = &self.params;
        writeln!(
            f,
            "  bounds   eot {}, eff {}, crashes {}",
            p.eot, p.eff, p.crashes
        )?;
        for (at, node, tag) in &self.inputs {
            writeln!(f, "  input    tick {at}: {tag} → {node}")?;
        }
        for (name, rules) in self.nodes.iter().zip(&self.programs) {
            writeln!(f, "  node {name}:")?;
            for r in rules.iter() {
                writeln!(f, "    {r}")?;
            }
        }
        for s in &self.specs {
            writeln!(f, "  invariant {s}")?;
        }
        Ok(())
    }
}
