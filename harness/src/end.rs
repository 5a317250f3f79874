//! The end state of a run, as invariants read it.

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
    /// holds at EOT; crashes (and restarts) read from `events`.
    pub(crate) fn from_run<'a, I, F>(nodes: &[String], held: I, events: &[Event]) -> EndState
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
