//! The trace as extensional relations: integer tuples for datafrog (and the
//! `.facts` files of the Soufflé export).
//!
//! Ids: an *act* `x` (a derivation `d` or a message `m`) is the index of its
//! `Derive` or `Send` event in [`Trace::events`]; a message that is referred
//! to but never sent gets an id past the end of the events. Facts are
//! interned in order of first appearance (`f`); the `(node, fact, k)`
//! triples that a `Held` cause or a derivation's own step names are
//! numbered in sorted order (`h`). Nodes are their [`NodeIdx`](crate::NodeIdx); ticks and steps are as
//! in the trace.

use crate::fact::Fact;
use crate::intern::{HeldSlot, Interner};
use crate::prop::Prop;
use crate::trace::{Cause, Event, MsgId, Trace};

/// What one cause of an act stands for, resolved at the acting node: the
/// vertex it becomes in the lineage graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Term {
    /// Always holds (a workload input, or an empty history).
    True,
    /// The act (message or derivation) with this id.
    Act(u32),
    /// The `held(h, ..)` disjunction.
    Held(u32),
    /// The history prefix ending at this index of [`Facts::step`].
    Hb(u32),
}

/// The extensional relations of one trace and one outcome.
#[derive(Clone, Debug, Default)]
pub struct Facts<'t> {
    /// Fact id `f` → the fact.
    pub facts: Vec<&'t Fact>,
    /// `sent(m, from, to, t)`: node `from` sent message `m` to `to` at tick `t`.
    pub sent: Vec<(u32, u32, u32, u32)>,
    /// `delivered(m, node, step)`: message `m` was delivered to `node` as its step `step`.
    pub delivered: Vec<(u32, u32, u32)>,
    /// `derived(d, node, f, t, step)`: `node` derived fact `f` at tick `t` as its step `step`.
    pub derived: Vec<(u32, u32, u32, u32, u32)>,
    /// `step(node, k, e)`: `node`'s step `k` is event `e` (a delivery or a
    /// derivation); sorted by `(node, k)`, one row per step.
    pub step: Vec<(u32, u32, u32)>,
    /// `held(h, node, f, k)`: `h` names "fact `f` as held by `node` at its
    /// step `k`" (any derivation of `f` by `node` at a step `<= k`).
    pub held: Vec<(u32, u32, u32, u32)>,
    /// `cause_msg(x, pos, m)`: cause number `pos` of act `x` is the delivery of message `m`.
    pub cause_msg: Vec<(u32, u32, u32)>,
    /// `cause_held(x, pos, h)`: cause number `pos` of act `x` is the held fact `h`.
    pub cause_held: Vec<(u32, u32, u32)>,
    /// `cause_hb(x, pos, node, k)`: cause number `pos` of act `x` is
    /// everything `node` (the acting node) received and derived in its first
    /// `k` steps. `k` is the last step `node` took at or before the step the
    /// cause names (`0`: none, the empty history).
    pub cause_hb: Vec<(u32, u32, u32, u32)>,
    /// `cause_input(x, pos, i)`: cause number `pos` of act `x` is workload input `i`.
    pub cause_input: Vec<(u32, u32, u32)>,
    /// `jump(node, k, j)`: `j` is the step `node` took `2^i` steps before
    /// its step `k` (for every `i >= 0`), so that a needed step needs every
    /// earlier one within a logarithmic number of rounds.
    pub jump: Vec<(u32, u32, u32)>,
    /// `crashed(node, t)`: `node` crashed at tick `t`.
    pub crashed: Vec<(u32, u32)>,
    /// `outcome(f)`: the outcome reads fact `f` (a `Holds(f)` in its proposition).
    pub outcome: Vec<u32>,
    /// Act `x` → its causes as graph terms: `terms[term_start[x]..term_start[x + 1]]`.
    pub(crate) terms: Vec<Term>,
    pub(crate) term_start: Vec<u32>,
    /// Aligned with `step`: the term the step's event stands for.
    pub(crate) step_term: Vec<Term>,
    /// Number of events: acts are below it, unsent messages from it on.
    pub(crate) events: u32,
    /// Messages referred to but never sent: id `events + i` is `unsent[i]`.
    pub(crate) unsent: Vec<MsgId>,
}

impl<'t> Facts<'t> {
    /// Extracts the relations of `trace` and of the outcome `outcome`.
    pub fn new(trace: &'t Trace, outcome: &'t Prop) -> Self {
        let mut fx = Facts::default();
        let mut int = Interner::default();
        fx.reserve(trace, &mut int);
        fx.first_pass(trace, &mut int);
        for (e, ev) in trace.events.iter().enumerate() {
            fx.term_start.push(fx.terms.len() as u32);
            match ev {
                Event::Send { id, causes, .. } => {
                    fx.causes(e as u32, id.from as u32, causes, &mut int);
                }
                Event::Derive { node, causes, .. } => {
                    fx.causes(e as u32, *node as u32, causes, &mut int);
                }
                Event::Deliver { id, to, step, .. } => {
                    let m = fx.msg(*id, &mut int);
                    fx.delivered.push((m, *to as u32, *step));
                }
                Event::Crash { node, at } => fx.crashed.push((*node as u32, *at)),
                Event::Lost { .. }
                | Event::Input { .. }
                | Event::Restart { .. }
                | Event::Retract { .. }
                | Event::Guard { .. }
                | Event::Timer { .. } => {}
            }
        }
        fx.term_start.push(fx.terms.len() as u32);
        fx.number_held(&mut int.held);
        fx.outcome_facts(outcome, &mut int);
        fx.outcome.sort_unstable();
        fx.outcome.dedup();
        fx
    }

    /// Interns sends, derivations (and their own held triples) and steps.
    fn first_pass(&mut self, trace: &'t Trace, int: &mut Interner<'t>) {
        for (e, ev) in trace.events.iter().enumerate() {
            let e = e as u32;
            match ev {
                Event::Send { id, to, .. } => {
                    int.msg.push((*id, e));
                    self.sent.push((e, id.from as u32, *to as u32, id.sent));
                }
                Event::Derive {
                    node,
                    at,
                    step,
                    fact,
                    ..
                } => {
                    let f = self.fact(fact, int);
                    self.derived.push((e, *node as u32, f, *at, *step));
                    self.step.push((*node as u32, *step, e));
                }
                Event::Deliver { to, step, .. } => self.step.push((*to as u32, *step, e)),
                _ => {}
            }
        }
        int.msg.sort_unstable();
        int.msg.dedup_by_key(|&mut (id, _)| id);
        self.step.sort_unstable();
        self.step.dedup_by_key(|&mut (n, k, _)| (n, k));
        let steps = self.step.len();
        self.jump
            .reserve(steps * (steps.max(1).ilog2() as usize + 1));
        let mut first = 0;
        for i in 0..self.step.len() {
            let (n, k, e) = self.step[i];
            let term = match &trace.events[e as usize] {
                Event::Deliver { id, .. } => Term::Act(self.msg(*id, int)),
                Event::Derive { .. } => {
                    let d = self.derived.partition_point(|r| r.0 < e);
                    let triple = (n, self.derived[d].2, k);
                    int.held.push((triple, HeldSlot::Step(i as u32)));
                    Term::Held(u32::MAX)
                }
                _ => unreachable!("steps are deliveries and derivations"),
            };
            self.step_term.push(term);
            if self.step[first].0 != n {
                first = i;
            }
            let mut dist = (i - first).next_power_of_two();
            while dist > 0 {
                if dist <= i - first {
                    self.jump.push((n, k, self.step[i - dist].1));
                }
                dist /= 2;
            }
        }
    }

    /// Resolves the causes of act `x` at acting node `n`.
    fn causes(&mut self, x: u32, n: u32, causes: &'t [Cause], int: &mut Interner<'t>) {
        for (pos, c) in causes.iter().enumerate() {
            let pos = pos as u32;
            let term = match c {
                Cause::Input(i) => {
                    self.cause_input.push((x, pos, *i));
                    Term::True
                }
                Cause::Msg(id) => {
                    let m = self.msg(*id, int);
                    self.cause_msg.push((x, pos, m));
                    Term::Act(m)
                }
                Cause::Held(fact, k) => {
                    let f = self.fact(fact, int);
                    let (term, row) = (self.terms.len() as u32, self.cause_held.len() as u32);
                    int.held.push(((n, f, *k), HeldSlot::Cause { term, row }));
                    self.cause_held.push((x, pos, u32::MAX));
                    Term::Held(u32::MAX)
                }
                Cause::Hb(k) => {
                    let (term, k) = self.hb(n, *k);
                    self.cause_hb.push((x, pos, n, k));
                    term
                }
            };
            self.terms.push(term);
        }
    }

    /// The history of node `n` up to its step `k`: the last step it took at
    /// or before `k` (and that step), or `True` (and 0) if none.
    fn hb(&self, n: u32, k: u32) -> (Term, u32) {
        let end = self.step.partition_point(|&(m, j, _)| (m, j) <= (n, k));
        match end.checked_sub(1) {
            Some(s) if self.step[s].0 == n => (Term::Hb(s as u32), self.step[s].1),
            _ => (Term::True, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{chain_abc, fact, mid, TraceBuilder};

    #[test]
    fn chain_relations() {
        let t = chain_abc();
        let p = Prop::Holds(fact("got", "c"));
        let fx = Facts::new(&t, &p);
        assert_eq!(fx.sent, [(0, 0, 1, 1), (2, 1, 2, 2)]);
        assert_eq!(fx.delivered, [(0, 1, 1), (2, 2, 1)]);
        assert_eq!(fx.derived, [(4, 2, 0, 3, 2)]);
        assert_eq!(fx.step, [(1, 1, 1), (2, 1, 3), (2, 2, 4)]);
        assert_eq!(
            fx.held,
            [(0, 2, 0, 2)],
            "got(c) as c holds it at its step 2"
        );
        assert_eq!(fx.cause_msg, [(2, 0, 0), (4, 0, 2)]);
        assert_eq!(fx.cause_input, [(0, 0, 0)]);
        assert_eq!(fx.outcome, [0]);
        assert_eq!(fx.facts, [&fact("got", "c")]);
        assert_eq!(fx.jump, [(2, 2, 1)]);
    }

    #[test]
    fn jumps_are_powers_of_two_back() {
        let mut tb = TraceBuilder::new(&["a"], 9);
        for k in 1..=6 {
            tb.derive(0, k, k, fact("x", &k.to_string()), vec![]);
        }
        let t = tb.done();
        let fx = Facts::new(&t, &Prop::True);
        let from =
            |k: u32| -> Vec<u32> { fx.jump.iter().filter(|r| r.1 == k).map(|r| r.2).collect() };
        assert_eq!(from(1), [] as [u32; 0]);
        assert_eq!(from(5), [1, 3, 4]);
        assert_eq!(from(6), [2, 4, 5]);
    }

    #[test]
    fn hb_is_resolved_to_the_last_step_taken() {
        let m = mid(0, 1, 0);
        let t = TraceBuilder::new(&["a", "b"], 3)
            .send(m, 1, vec![Cause::Hb(0)])
            .deliver(m, 1, 2, 1)
            .send(
                mid(1, 2, 0),
                0,
                vec![Cause::Hb(7), Cause::Hb(1), Cause::Hb(0)],
            )
            .send(
                mid(0, 2, 0),
                1,
                vec![Cause::Hb(7), Cause::Msg(mid(1, 9, 0))],
            )
            .done();
        let fx = Facts::new(&t, &Prop::True);
        assert_eq!(
            fx.terms,
            [
                Term::True,
                Term::Hb(0),
                Term::Hb(0),
                Term::True,
                Term::True,
                Term::Act(4)
            ]
        );
        let hb: Vec<_> = fx.cause_hb.iter().map(|r| (r.0, r.3)).collect();
        assert_eq!(
            hb,
            [(0, 0), (2, 1), (2, 1), (2, 0), (3, 0)],
            "k resolved to the last step taken"
        );
        assert_eq!(fx.unsent, [mid(1, 9, 0)]);
        assert_eq!(fx.cause_msg, [(3, 1, 4)]);
    }
}
