//! The end state of a run, as invariants read it.

use ldfi_lineage::{Fact, NodeIdx, Prop, Tick};
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

    /// Evaluates `p` in this end state.
    pub fn eval(&self, p: &Prop) -> bool {
        p.eval(&|f| self.holds(f), &|n| self.crashed.get(&n).copied())
    }

    /// The facts whose absence makes `p` false.
    pub fn missing(&self, p: &Prop) -> Vec<Fact> {
        p.missing(&|f| self.holds(f), &|n| self.crashed.get(&n).copied())
    }
}
