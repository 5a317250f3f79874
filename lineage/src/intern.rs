//! Interning for [`Facts`]: facts, message ids and held triples to `u32`
//! ids, and the capacity of each relation.

use crate::fact::Fact;
use crate::facts::{Facts, Term};
use crate::prop::Prop;
use crate::trace::{Cause, Event, MsgId, Trace};
use std::collections::BTreeMap;

/// Interning tables used while extracting.
#[derive(Default)]
pub(crate) struct Interner<'t> {
    /// Facts, numbered in order of first appearance.
    pub(crate) fact: BTreeMap<&'t Fact, u32>,
    /// Sent messages and their ids, sorted.
    pub(crate) msg: Vec<(MsgId, u32)>,
    /// Held triples `(node, fact, k)` and where their id goes; numbered in
    /// sorted order once all are known.
    pub(crate) held: Vec<((u32, u32, u32), HeldSlot)>,
}

/// Where a held fact's id is to be written.
#[derive(Clone, Copy)]
pub(crate) enum HeldSlot {
    /// `step_term[i]`.
    Step(u32),
    /// `terms[term]` and `cause_held[row]`.
    Cause { term: u32, row: u32 },
}

impl<'t> Facts<'t> {
    /// Reserves room for every relation, so extraction does not reallocate.
    pub(crate) fn reserve(&mut self, trace: &Trace, int: &mut Interner<'t>) {
        let n = trace.events.len();
        self.events = n as u32;
        let mut kinds = [0usize; 4];
        for e in &trace.events {
            if let Event::Send { causes, .. } | Event::Derive { causes, .. } = e {
                for c in causes {
                    kinds[match c {
                        Cause::Msg(_) => 0,
                        Cause::Held(..) => 1,
                        Cause::Hb(_) => 2,
                        Cause::Input(_) => 3,
                    }] += 1;
                }
            }
        }
        self.terms.reserve(kinds.iter().sum());
        self.cause_msg.reserve(kinds[0]);
        self.cause_held.reserve(kinds[1]);
        self.cause_hb.reserve(kinds[2]);
        self.cause_input.reserve(kinds[3]);
        self.term_start.reserve(n + 1);
        self.sent.reserve(n);
        self.held.reserve(n);
        self.derived.reserve(n);
        self.delivered.reserve(n);
        self.step.reserve(n);
        self.step_term.reserve(n);
        int.msg.reserve(n);
        int.held.reserve(n + kinds[1]);
    }

    pub(crate) fn fact(&mut self, fact: &'t Fact, int: &mut Interner<'t>) -> u32 {
        let next = self.facts.len() as u32;
        let f = *int.fact.entry(fact).or_insert(next);
        if f == next {
            self.facts.push(fact);
        }
        f
    }

    /// Numbers the held triples in sorted order and writes their ids.
    pub(crate) fn number_held(&mut self, pending: &mut [((u32, u32, u32), HeldSlot)]) {
        pending.sort_unstable_by_key(|&(triple, _)| triple);
        for &((n, f, k), slot) in pending.iter() {
            if self
                .held
                .last()
                .is_none_or(|&(_, m, g, j)| (m, g, j) != (n, f, k))
            {
                self.held.push((self.held.len() as u32, n, f, k));
            }
            let h = self.held.len() as u32 - 1;
            match slot {
                HeldSlot::Step(i) => self.step_term[i as usize] = Term::Held(h),
                HeldSlot::Cause { term, row } => {
                    self.terms[term as usize] = Term::Held(h);
                    self.cause_held[row as usize].2 = h;
                }
            }
        }
    }

    /// The id of message `id`: its `Send` event, or a fresh id past the
    /// events if it was never sent.
    pub(crate) fn msg(&mut self, id: MsgId, int: &mut Interner<'t>) -> u32 {
        if let Ok(i) = int.msg.binary_search_by_key(&id, |&(m, _)| m) {
            return int.msg[i].1;
        }
        let i = match self.unsent.iter().position(|&m| m == id) {
            Some(i) => i,
            None => {
                self.unsent.push(id);
                self.unsent.len() - 1
            }
        };
        self.events + i as u32
    }

    pub(crate) fn outcome_facts(&mut self, p: &'t Prop, int: &mut Interner<'t>) {
        match p {
            Prop::Holds(fact) => {
                let f = self.fact(fact, int);
                self.outcome.push(f);
            }
            Prop::And(ps) | Prop::Or(ps) => ps.iter().for_each(|q| self.outcome_facts(q, int)),
            Prop::True
            | Prop::False
            | Prop::Crashed(_)
            | Prop::CrashedBy(..)
            | Prop::Not(_)
            | Prop::HoldsAt(..)
            | Prop::NoneAt(..) => {}
        }
    }
}
