//! The master `M`: an oracle standing for a correct consensus group. It
//! owns the cluster state `(term, primary, in_sync)`, removes a copy on the
//! primary's `FailCopy` or on the failure detector's crash notice, promotes
//! the live in-sync copy with the highest id when the primary crashes
//! (bumping the term from v4 on), and announces every change to every live
//! copy and to `C`.
//!
//! Every removal is a fact (`failed(n)`, `crash_seen(n)`), so invariants
//! that exclude a copy read the exclusion positively.

use super::facts;
use super::msg::{Msg, Term};
use super::version::Features;
use super::{CLIENT, COPIES, FIRST_PRIMARY};
use ldfi_harness::{Ctx, Fact, Node, NodeId};
use std::collections::BTreeSet;

/// Which copy `M` promotes when the primary crashes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Promotion {
    /// The live in-sync copy with the highest id: the protocol.
    #[default]
    HighestInSync,
    /// A mutant for tests: the live copy with the highest id, in sync or
    /// not (a stale copy can become primary).
    HighestLive,
}

/// The master node.
#[derive(Debug)]
pub struct Master {
    features: Features,
    promotion: Promotion,
    term: Term,
    version: u64,
    primary: Option<String>,
    in_sync: Vec<String>,
    crashed: BTreeSet<String>,
    /// The facts the current cluster state rests on (removals, promotions).
    state: Vec<Fact>,
}

impl Master {
    /// The master of a run of a version with `features`.
    pub fn new(features: Features) -> Self {
        Master::with_promotion(features, Promotion::default())
    }

    /// The master of a run of a version with `features`, promoting by `promotion`.
    pub fn with_promotion(features: Features, promotion: Promotion) -> Self {
        Master {
            features,
            promotion,
            term: 1,
            version: 0,
            primary: Some(FIRST_PRIMARY.to_string()),
            in_sync: COPIES.iter().map(|c| c.to_string()).collect(),
            crashed: BTreeSet::new(),
            state: Vec::new(),
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Msg>, node: String) {
        self.crashed.insert(node.clone());
        let seen = facts::crash_seen(&node, ctx.now() - 1);
        ctx.because([]);
        ctx.derive(seen.clone());
        self.state.push(seen);
        let was_in_sync = self.in_sync.contains(&node);
        self.in_sync.retain(|c| *c != node);
        let was_primary = self.primary.as_ref() == Some(&node);
        if was_primary {
            self.promote(ctx);
        }
        if was_in_sync || was_primary {
            self.announce(ctx);
        }
    }

    /// Makes the live in-sync copy with the highest id the primary (the
    /// live copy with the highest id, under the `HighestLive` mutant).
    fn promote(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.primary = match self.promotion {
            Promotion::HighestInSync => self.in_sync.iter().max().cloned(),
            Promotion::HighestLive => COPIES
                .iter()
                .filter(|c| !self.crashed.contains(**c))
                .max()
                .map(|c| c.to_string()),
        };
        if self.features.primary_terms {
            self.term += 1;
        }
        if let Some(p) = &self.primary {
            let fact = facts::promoted(p, self.term);
            ctx.because([]);
            ctx.derive(fact.clone());
            self.state.push(fact);
        }
    }

    fn on_fail_copy(&mut self, ctx: &mut Ctx<'_, Msg>, from: &str, copy: String, term: Term) {
        let from_primary = self.primary.as_deref() == Some(from);
        let current = !self.features.primary_terms || term == self.term;
        if !from_primary || !current || !self.in_sync.contains(&copy) || copy == from {
            return;
        }
        let failed = facts::failed(&copy);
        ctx.because([]);
        ctx.derive(failed.clone());
        self.state.push(failed);
        self.in_sync.retain(|c| *c != copy);
        self.announce(ctx);
    }

    /// Sends the new cluster state to every live copy and to the client.
    fn announce(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.version += 1;
        let msg = Msg::ClusterState {
            version: self.version,
            term: self.term,
            primary: self.primary.clone(),
            in_sync: self.in_sync.clone(),
        };
        ctx.because(self.state.clone());
        let live = COPIES.iter().filter(|c| !self.crashed.contains(**c));
        for to in live.chain([&CLIENT]) {
            let to = ctx.node(to);
            ctx.send(to, msg.clone());
        }
    }
}

impl Node<Msg> for Master {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::NodeCrashed { node } if from == NodeId::ENV => self.on_crash(ctx, node),
            Msg::FailCopy { copy, term } => {
                let from = ctx.name(from).to_string();
                self.on_fail_copy(ctx, &from, copy, term);
            }
            _ => {}
        }
    }
}
