//! The end state of a run, as invariants read it: which facts hold, at
//! which nodes, and which nodes are down at EOT. Facts are held *at*
//! nodes (`ctx.derive` at node `b` puts the fact at `b`), so an invariant
//! asks "does `b` hold `stored(7)`" without writing `b` into the fact:
//!
//! ```
//! # include!("guide/register.rs");
//! # fn main() {
//! use ldfi_harness::schedule::Schedule;
//! let s = Schedule::parse(r#"{"format":1,"protocol":"register"}"#, "inline".as_ref()).unwrap();
//! let run = ldfi_harness::run(&Register, &s.run_config(&ldfi_harness::Protocol::info(&Register), None, None)).unwrap();
//! let end = &run.end;
//! assert_eq!(end.holders(&stored(7)), ["primary", "backup"]);
//! assert_eq!(end.facts_at("backup"), [&stored(7)]);
//! assert_eq!(end.relation_at("primary", "acked"), [&acked(7)]);
//! assert!(end.up("backup") && end.crashed_at("backup").is_none());
//! // The same questions as `Prop`s, for invariants (the search reads them):
//! assert!(end.eval(&end.held_by_every_up_prop(&stored(7))));
//! assert!(end.eval(&end.held_by_at_least_prop(2, &stored(7))));
//! assert!(!end.eval(&end.absent_prop(&acked(7))));
//! # }
//! ```

use ldfi_lineage::{EndView, Event, Fact, NodeIdx, Prop, Tick};
use std::collections::{BTreeMap, BTreeSet};

/// What holds at EOT: every fact derived (by which nodes), and which nodes
/// are down.
#[derive(Clone, Debug, Default)]
pub struct EndState {
    pub(crate) nodes: Vec<String>,
    pub(crate) facts: BTreeMap<Fact, BTreeSet<NodeIdx>>,
    pub(crate) crashed: BTreeMap<NodeIdx, Tick>,
}

impl EndState {
    /// The end state of a run over `nodes`: `held[i]` the facts node `i`
    /// holds at EOT; crashes (and restarts) read from `events`. Public for
    /// protocols that record their own runs (the gRPC forum).
    pub fn from_run<'a, I, F>(nodes: &[String], held: I, events: &[Event]) -> EndState
    where
        I: IntoIterator<Item = F>,
        F: IntoIterator<Item = &'a Fact>,
    {
        let mut end = EndState {
            nodes: nodes.to_vec(),
            ..EndState::default()
        };
        for (i, facts) in held.into_iter().enumerate() {
            for fact in facts {
                end.facts
                    .entry(fact.clone())
                    .or_default()
                    .insert(i as NodeIdx);
            }
        }
        for e in events {
            match e {
                Event::Crash { node, at } => {
                    end.crashed.insert(*node, *at);
                }
                Event::Restart { node, .. } => {
                    end.crashed.remove(node);
                }
                _ => {}
            }
        }
        end
    }

    /// Node names, in order.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// Index of node `name`.
    ///
    /// # Panics
    /// If there is no such node: a bug in the invariant.
    pub fn node(&self, name: &str) -> NodeIdx {
        self.nodes
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("invariant bug: no node named `{name}`")) as NodeIdx
    }

    /// The name of node `n`.
    ///
    /// # Panics
    /// If there is no such node: a bug in the invariant.
    pub fn node_name(&self, n: NodeIdx) -> &str {
        (self.nodes.get(n as usize)).unwrap_or_else(|| panic!("invariant bug: no node {n}"))
    }

    /// Whether some node derived `fact`.
    pub fn holds(&self, fact: &Fact) -> bool {
        self.facts.contains_key(fact)
    }

    /// Every fact of relation `rel`, in order.
    pub fn facts<'a>(&'a self, rel: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
        self.facts.keys().filter(move |f| f.rel == rel)
    }

    /// Whether node `name` is down at EOT.
    pub fn crashed(&self, name: &str) -> bool {
        self.crashed.contains_key(&self.node(name))
    }

    /// `Prop::CrashedBy` for node `name`: crashed at or before tick `t`.
    pub fn crashed_by_prop(&self, name: &str, t: Tick) -> Prop {
        Prop::CrashedBy(self.node(name), t)
    }

    /// `Prop::Crashed` for node `name`.
    pub fn crashed_prop(&self, name: &str) -> Prop {
        Prop::Crashed(self.node(name))
    }

    /// The tick node `name` crashed at, if it is down at EOT.
    pub fn crashed_at(&self, name: &str) -> Option<Tick> {
        self.crashed.get(&self.node(name)).copied()
    }

    /// Whether node `name` is up at EOT.
    pub fn up(&self, name: &str) -> bool {
        !self.crashed(name)
    }

    /// Whether node `name` holds `fact` at EOT.
    pub fn holds_at(&self, name: &str, fact: &Fact) -> bool {
        let n = self.node(name);
        self.facts.get(fact).is_some_and(|s| s.contains(&n))
    }

    /// The nodes that hold `fact` at EOT, in order.
    pub fn holders(&self, fact: &Fact) -> Vec<&str> {
        (self.facts.get(fact).into_iter().flatten())
            .map(|n| self.nodes[*n as usize].as_str())
            .collect()
    }

    /// The facts node `name` holds at EOT, in order.
    pub fn facts_at(&self, name: &str) -> Vec<&Fact> {
        let n = self.node(name);
        (self.facts.iter())
            .filter(|(_, s)| s.contains(&n))
            .map(|(f, _)| f)
            .collect()
    }

    /// The facts of relation `rel` node `name` holds at EOT, in order.
    pub fn relation_at(&self, name: &str, rel: &str) -> Vec<&Fact> {
        let n = self.node(name);
        (self.facts.iter())
            .filter(|(f, s)| f.rel == rel && s.contains(&n))
            .map(|(f, _)| f)
            .collect()
    }

    /// `Prop` "every node that is up at EOT holds `fact`": for each node,
    /// crashed or holding it.
    pub fn held_by_every_up_prop(&self, fact: &Fact) -> Prop {
        Prop::And(
            (0..self.nodes.len() as NodeIdx)
                .map(|n| Prop::Or(vec![Prop::Crashed(n), Prop::HoldsAt(n, fact.clone())]))
                .collect(),
        )
    }

    /// `Prop` "at least `k` nodes hold `fact` at EOT" (a quorum): one
    /// alternative per `k`-subset of the nodes, so meant for the handful
    /// of nodes a model has. `k = 0` is true.
    pub fn held_by_at_least_prop(&self, k: usize, fact: &Fact) -> Prop {
        let n = self.nodes.len();
        let mut alternatives = Vec::new();
        if k > n {
            return Prop::Or(alternatives);
        }
        let mut pick: Vec<usize> = (0..k).collect();
        loop {
            alternatives.push(Prop::And(
                (pick.iter())
                    .map(|&i| Prop::HoldsAt(i as NodeIdx, fact.clone()))
                    .collect(),
            ));
            // The next k-subset in lexicographic order.
            let Some(i) = (0..k).rev().find(|&i| pick[i] < n - k + i) else {
                break;
            };
            pick[i] += 1;
            for j in i + 1..k {
                pick[j] = pick[j - 1] + 1;
            }
        }
        Prop::Or(alternatives)
    }

    /// `Prop` "node `name` is up at EOT" (`¬Crashed`): an absence the
    /// search can break by crashing it.
    pub fn up_prop(&self, name: &str) -> Prop {
        Prop::not(Prop::Crashed(self.node(name)))
    }

    /// `Prop` "node `name` holds `fact` at EOT".
    pub fn holds_at_prop(&self, name: &str, fact: &Fact) -> Prop {
        Prop::HoldsAt(self.node(name), fact.clone())
    }

    /// `Prop` "no node holds `fact` at EOT" (`¬Holds`): an absence, with
    /// negative support.
    pub fn absent_prop(&self, fact: &Fact) -> Prop {
        Prop::not(Prop::Holds(fact.clone()))
    }

    /// `Prop` "node `name` holds no fact of relation `rel` at EOT".
    pub fn none_at_prop(&self, name: &str, rel: &str) -> Prop {
        Prop::NoneAt(self.node(name), rel.to_string())
    }

    /// Evaluates `p` in this end state.
    pub fn eval(&self, p: &Prop) -> bool {
        p.eval_in(self)
    }

    /// The facts whose absence makes `p` false.
    pub fn missing(&self, p: &Prop) -> Vec<Fact> {
        p.missing_in(self)
    }
}

impl EndView for EndState {
    fn holds(&self, fact: &Fact) -> bool {
        self.facts.contains_key(fact)
    }
    fn holds_at(&self, n: NodeIdx, fact: &Fact) -> bool {
        self.facts.get(fact).is_some_and(|s| s.contains(&n))
    }
    fn any_at(&self, n: NodeIdx, rel: &str) -> bool {
        self.facts
            .iter()
            .any(|(f, s)| f.rel == rel && s.contains(&n))
    }
    fn crashed(&self, n: NodeIdx) -> Option<Tick> {
        self.crashed.get(&n).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(holders: &[usize]) -> EndState {
        let f = Fact::new("stored", ["7"]);
        EndState {
            nodes: ["a", "b", "c", "d"].map(String::from).to_vec(),
            facts: [(f, holders.iter().map(|&n| n as NodeIdx).collect())].into(),
            crashed: [(3, 2)].into(),
        }
    }

    #[test]
    fn quorums_are_every_k_subset() {
        let f = Fact::new("stored", ["7"]);
        let Prop::Or(alts) = end(&[]).held_by_at_least_prop(2, &f) else {
            panic!("an Or")
        };
        assert_eq!(alts.len(), 6, "4 choose 2");
        for (holders, k, holds) in [
            (&[0, 2][..], 2, true),
            (&[0, 2], 3, false),
            (&[0, 1, 2, 3], 4, true),
            (&[], 0, true),
            (&[0], 5, false),
        ] {
            let e = end(holders);
            assert_eq!(
                e.eval(&e.held_by_at_least_prop(k, &f)),
                holds,
                "{holders:?} {k}"
            );
        }
    }

    #[test]
    fn every_up_node_skips_the_crashed() {
        let f = Fact::new("stored", ["7"]);
        let e = end(&[0, 1, 2]);
        assert!(e.eval(&e.held_by_every_up_prop(&f)), "d is down");
        assert_eq!(e.crashed_at("d"), Some(2));
        let e = end(&[0, 1]);
        assert!(!e.eval(&e.held_by_every_up_prop(&f)));
        assert_eq!(e.relation_at("a", "stored"), [&f]);
        assert_eq!(e.node_name(2), "c");
    }
}
