//! `Ctx`: everything a handler may do, and the lineage it records for free.
//!
//! Lineage is safe by default: what a handler sends or derives without
//! saying why is caused by everything its node received and derived before
//! (happens-before, [`Cause::Hb`]). After [`Ctx::because`], the handler's
//! next actions are caused by exactly the message it handles plus the
//! declared facts — narrower, so the search needs fewer executions.

use crate::model::Message;
use ldfi_lineage::{Cause, Event, Fact, MsgId, NodeIdx, Step, Tick, ENV};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fmt;

/// A node of the running protocol (an index into its node list).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) NodeIdx);

impl NodeId {
    /// The environment: the sender of workload inputs.
    pub const ENV: NodeId = NodeId(ENV);

    /// The index of this node in the protocol's node list.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A node's harness-side state: its step counter, the facts it holds, its
/// RNG, and the sequence number of its next send in this tick.
pub(crate) struct Local {
    pub(crate) step: Step,
    pub(crate) send_seq: u32,
    pub(crate) held: BTreeMap<Fact, Step>,
    pub(crate) rng: ChaCha8Rng,
    /// Pending timers by name: (tick it fires at, causes when it was set).
    pub(crate) timers: BTreeMap<String, (Tick, Vec<Cause>)>,
}

/// A message a handler asked to send, with its identity and the index of
/// its `Send` event (whose label the world fills in).
pub(crate) struct Outgoing<M> {
    pub(crate) id: MsgId,
    pub(crate) to: NodeIdx,
    pub(crate) msg: M,
    pub(crate) event: usize,
}

/// What a handler can see and do.
pub struct Ctx<'a, M: Message> {
    pub(crate) now: Tick,
    pub(crate) me: NodeIdx,
    pub(crate) names: &'a [String],
    pub(crate) local: &'a mut Local,
    pub(crate) events: &'a mut Vec<Event>,
    pub(crate) outbox: &'a mut Vec<Outgoing<M>>,
    /// The message or input being handled, if any.
    pub(crate) handling: Option<Cause>,
    /// For a timer's handler: the causes the timer was set for.
    pub(crate) timer_causes: Vec<Cause>,
    /// Set by `because`: the explicit causes of the next actions, and
    /// where the declaration was made.
    pub(crate) narrowed: Option<(Vec<Cause>, &'static std::panic::Location<'static>)>,
    /// Event index → the `because` call site its causes came from.
    pub(crate) sites: &'a mut Vec<(usize, &'static std::panic::Location<'static>)>,
    /// False in happens-before mode: `because` is ignored.
    pub(crate) honor_because: bool,
}

impl<M: Message> Ctx<'_, M> {
    /// The current tick.
    pub fn now(&self) -> Tick {
        self.now
    }

    /// This node.
    pub fn me(&self) -> NodeId {
        NodeId(self.me)
    }

    /// The name of a node (`env` for [`NodeId::ENV`]).
    pub fn name(&self, node: NodeId) -> &str {
        if node == NodeId::ENV {
            "env"
        } else {
            &self.names[node.index()]
        }
    }

    /// The node called `name`.
    ///
    /// # Panics
    /// If no node has that name: a bug in the protocol model.
    pub fn node(&self, name: &str) -> NodeId {
        let i = self.names.iter().position(|n| n == name);
        NodeId(i.unwrap_or_else(|| panic!("protocol model bug: no node named `{name}`")) as NodeIdx)
    }

    /// Every node, in order.
    pub fn nodes(&self) -> Vec<NodeId> {
        (0..self.names.len())
            .map(|i| NodeId(i as NodeIdx))
            .collect()
    }

    /// Every node but this one, in order.
    pub fn peers(&self) -> Vec<NodeId> {
        self.nodes()
            .into_iter()
            .filter(|n| n.0 != self.me)
            .collect()
    }

    /// Whether this node has derived `fact`.
    pub fn holds(&self, fact: &Fact) -> bool {
        self.local.held.contains_key(fact)
    }

    /// The node's seeded RNG (derived from the run's seed and the node).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.local.rng
    }

    /// Declares why this handler acts: from now until it returns, what it
    /// sends or derives is caused by exactly the message being handled (if
    /// any) plus these facts, which this node must hold. A later call
    /// replaces an earlier one.
    ///
    /// # Panics
    /// If this node does not hold one of the facts: a wrong declaration
    /// would hide a cause from the search, so it is a loud bug.
    #[track_caller]
    pub fn because<I: IntoIterator<Item = Fact>>(&mut self, facts: I) {
        let site = std::panic::Location::caller();
        let mut causes: Vec<Cause> = self.handling.iter().cloned().collect();
        causes.extend(self.timer_causes.iter().cloned());
        for f in facts {
            assert!(
                self.local.held.contains_key(&f),
                "protocol model bug: node {} at tick {} declared because({f}) but does not hold it",
                self.names[self.me as usize],
                self.now
            );
            causes.push(Cause::Held(f, self.local.step));
        }
        self.narrowed = Some((causes, site));
    }

    /// Sets timer `name` to fire `after` ticks from now (`after >= 1`):
    /// `on_timer(name)` runs then, unless the timer is cancelled or set
    /// again first, or the node is down. What the timer's handler does is
    /// caused, by default, by what this handler's actions are caused by
    /// now (its declared causes, or its node's history).
    ///
    /// # Panics
    /// If `after` is 0: a timer cannot fire in the tick it was set.
    pub fn set_timer(&mut self, name: &str, after: Tick) {
        assert!(after >= 1, "protocol model bug: set_timer({name:?}, 0)");
        let causes = self.causes();
        let at = self.now.saturating_add(after);
        self.local.timers.insert(name.to_string(), (at, causes));
    }

    /// Cancels timer `name`; true if it was pending.
    pub fn cancel_timer(&mut self, name: &str) -> bool {
        self.local.timers.remove(name).is_some()
    }

    /// Whether timer `name` is pending.
    pub fn timer_pending(&self, name: &str) -> bool {
        self.local.timers.contains_key(name)
    }

    /// This node stops holding `fact` (a rollback, an abort, a lease that
    /// ends). The retraction has lineage like a derivation: breaking its
    /// causes makes the fact hold again, and a fact that holds at EOT rests
    /// only on derivations after its node's last retraction of it.
    /// Retracting a fact the node does not hold does nothing.
    pub fn retract(&mut self, fact: Fact) {
        if self.local.held.remove(&fact).is_none() {
            return;
        }
        let causes = self.causes();
        self.local.step += 1;
        self.note_site();
        self.events.push(Event::Retract {
            node: self.me,
            at: self.now,
            step: self.local.step,
            fact,
            causes,
        });
    }

    /// Declares negative support: at this decision the handler did *not*
    /// derive `fact`, because of the causes it declared with
    /// [`Ctx::because`] (e.g. a decision timer that commits because every
    /// vote arrived guards against `abort`). An invariant that reads the
    /// absence of `fact` then rests on these causes instead of on the whole
    /// run staying unchanged. A guard is a claim — "`fact` is derived only
    /// at decisions where a guard's causes fail" — and the default search
    /// confirms certificates that rely on it under happens-before lineage.
    /// Ignored under happens-before lineage.
    pub fn guard(&mut self, fact: Fact) {
        if !self.honor_because {
            return;
        }
        let causes = self.causes();
        self.local.step += 1;
        self.note_site();
        self.events.push(Event::Guard {
            node: self.me,
            at: self.now,
            step: self.local.step,
            fact,
            causes,
        });
    }

    /// Records where the causes of the event about to be pushed were declared.
    fn note_site(&mut self) {
        if let (Some((_, site)), true) = (&self.narrowed, self.honor_because) {
            self.sites.push((self.events.len(), site));
        }
    }

    /// Sends `msg` to `to` (itself included); it arrives at the next tick
    /// unless a fault says otherwise.
    pub fn send(&mut self, to: NodeId, msg: M) {
        assert!(to != NodeId::ENV, "protocol model bug: cannot send to env");
        let id = MsgId {
            from: self.me,
            sent: self.now,
            seq: self.local.send_seq,
        };
        self.local.send_seq += 1;
        let causes = self.causes();
        self.note_site();
        let event = self.events.len();
        self.events.push(Event::Send {
            id,
            to: to.0,
            label: String::new(),
            causes,
        });
        self.outbox.push(Outgoing {
            id,
            to: to.0,
            msg,
            event,
        });
    }

    /// Sends `msg` to every node in `to`.
    pub fn send_all(&mut self, to: &[NodeId], msg: M) {
        for n in to {
            self.send(*n, msg.clone());
        }
    }

    /// Derives `fact` at this node. Deriving a fact again records an
    /// alternative derivation: call it on every event that justifies the
    /// fact, not only the first.
    pub fn derive(&mut self, fact: Fact) {
        let causes = self.causes();
        self.local.step += 1;
        let step = self.local.step;
        self.local.held.entry(fact.clone()).or_insert(step);
        self.note_site();
        self.events.push(Event::Derive {
            node: self.me,
            at: self.now,
            step,
            fact,
            causes,
        });
    }

    fn causes(&self) -> Vec<Cause> {
        match (&self.narrowed, self.honor_because) {
            (Some((c, _)), true) => c.clone(),
            _ => vec![Cause::Hb(self.local.step)],
        }
    }
}

/// A short rendering of a message for traces and diagrams.
pub(crate) fn label<M: fmt::Debug>(msg: &M) -> String {
    format!("{msg:?}")
}
