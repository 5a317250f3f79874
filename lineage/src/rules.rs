//! The lineage rules in datafrog: backwards from the outcome, which acts,
//! held facts and history prefixes the lineage needs, and the alternatives
//! of each disjunction.
//!
//! Semantics (what the rules select, and the graph then encodes): a fact
//! holds if any of its derivations holds; a derivation holds if all its
//! causes hold and its node is up; a message arrives if its causes held, it
//! was not omitted and its sender was up. Only what the outcome reaches is
//! computed — never the closure of the whole history.
//!
//! `need_step` is closed downwards (a history prefix is all of it): R6
//! follows `jump`s of 1, 2, 4, … steps back, which covers a prefix of
//! length `L` in `log L` rounds and `L log L` tuples — the same result as
//! `need_step(n, j) :- need_step(n, k), step(n, j, _), j < k`, which would
//! cost `L²`. Where a rule joins one dynamic relation with static ones (R4,
//! R7, R8), the static part is joined once, before the iteration; R7 and R8
//! read `delivered` and `derived ⋈ held` keyed by `(n, k)` through `step`.

use crate::facts::{Facts, Term};
use datafrog::{Iteration, Relation, RelationLeaper, ValueFilter};

/// What the rules computed: the needed acts and the alternatives of every
/// needed disjunction, each sorted.
#[derive(Clone, Debug, Default)]
pub struct Needed {
    /// `need_act(x)`: the lineage reaches act `x` (a derivation or message).
    pub act: Vec<u32>,
    /// `fact_alt(f, d)`: derivation `d` is an alternative for outcome fact `f`.
    pub fact_alt: Vec<(u32, u32)>,
    /// `held_alt(h, d)`: derivation `d` is an alternative for the needed held fact `h`.
    pub held_alt: Vec<(u32, u32)>,
    /// `need_step(n, k)`: the lineage reaches step `k` of node `n` (through a history prefix).
    pub step: Vec<(u32, u32)>,
}

/// The static relations the rules read, keyed for their joins.
struct Input {
    /// `fact_alt(f, d)`, from R1.
    fact_alt: Relation<(u32, u32)>,
    /// `derived(d, n, f, _, s)` as `((n, f), (s, d))`.
    derived_nf: Relation<((u32, u32), (u32, u32))>,
    /// `cause_msg(x, _, m)` as `(x, m)`.
    cause_msg: Relation<(u32, u32)>,
    /// `cause_held(x, _, h), held(h, n, f, k)` as `(x, ((n, f), (k, h)))`.
    cause_held: Relation<(u32, HeldAt)>,
    /// `cause_hb(x, _, n, k), k > 0` as `(x, (n, k))`.
    cause_hb: Relation<(u32, (u32, u32))>,
    /// `jump(n, k, j)` as `((n, k), j)`.
    jump: Relation<((u32, u32), u32)>,
    /// `delivered(m, n, k)` as `((n, k), m)`.
    step_msg: Relation<((u32, u32), u32)>,
    /// `derived(_, n, f, _, k), held(h, n, f, k)` as `((n, k), ((n, f), (k, h)))`.
    step_held: Relation<((u32, u32), HeldAt)>,
}

impl Input {
    fn new(fx: &Facts<'_>) -> Self {
        let outcome: Relation<(u32, ())> = fx.outcome.iter().map(|&f| (f, ())).collect();
        let derived_f: Relation<(u32, u32)> =
            fx.derived.iter().map(|&(d, _, f, _, _)| (f, d)).collect();
        let held_at = |h: u32| {
            let (_, n, f, k) = fx.held[h as usize];
            ((n, f), (k, h))
        };
        let (mut step_msg, mut step_held) = (Vec::new(), Vec::new());
        for (&(n, k, _), term) in fx.step.iter().zip(&fx.step_term) {
            match *term {
                Term::Act(m) => step_msg.push(((n, k), m)),
                Term::Held(h) => step_held.push(((n, k), held_at(h))),
                Term::True | Term::Hb(_) => unreachable!("a step is a delivery or a derivation"),
            }
        }
        let hb = fx.cause_hb.iter().filter(|r| r.3 > 0);
        Input {
            // R1: fact_alt(f, d) :- outcome(f), derived(d, _, f, _, _).
            fact_alt: Relation::from_join(&outcome, &derived_f, |&f, _, &d| (f, d)),
            derived_nf: (fx.derived.iter())
                .map(|&(d, n, f, _, s)| ((n, f), (s, d)))
                .collect(),
            cause_msg: fx.cause_msg.iter().map(|&(x, _, m)| (x, m)).collect(),
            cause_held: (fx.cause_held.iter())
                .map(|&(x, _, h)| (x, held_at(h)))
                .collect(),
            cause_hb: hb.map(|&(x, _, n, k)| (x, (n, k))).collect(),
            jump: fx.jump.iter().map(|&(n, k, j)| ((n, k), j)).collect(),
            step_msg: Relation::from_vec(step_msg),
            step_held: Relation::from_vec(step_held),
        }
    }
}

/// Runs the rules over `fx`.
pub fn needed(fx: &Facts<'_>) -> Needed {
    let input = Input::new(fx);
    let Input {
        fact_alt,
        derived_nf,
        cause_msg,
        cause_held,
        cause_hb,
        jump,
        step_msg,
        step_held,
    } = &input;
    // derived(d, n, f, _, s), s <= k: the derivations a held fact stands for.
    let alternatives = || {
        (
            derived_nf.extend_with(|&(nf, _): &HeldAt| nf),
            ValueFilter::from(|&(_, (k, _)): &HeldAt, &(s, _): &(u32, u32)| s <= k),
        )
    };

    let mut it = Iteration::new();
    let need_act = it.variable::<(u32, ())>("need_act");
    let need_held = it.variable::<HeldAt>("need_held");
    let need_step = it.variable::<(u32, u32)>("need_step");

    // R2: need_act(d) :- fact_alt(_, d).
    need_act.extend(fact_alt.iter().map(|&(_, d)| (d, ())));
    while it.changed() {
        // R3: need_act(m) :- need_act(x), cause_msg(x, _, m).
        need_act.from_join(&need_act, cause_msg, |_, _, &m| (m, ()));
        // R4: need_held(n, f, k, h) :- need_act(x), cause_held(x, _, h), held(h, n, f, k).
        need_held.from_join(&need_act, cause_held, |_, _, &nfkh| nfkh);
        // R5: need_step(n, k) :- need_act(x), cause_hb(x, _, n, k), k > 0.
        need_step.from_join(&need_act, cause_hb, |_, _, &nk| nk);
        // R6: need_step(n, j) :- need_step(n, k), jump(n, k, j).
        need_step.from_leapjoin(&need_step, jump.extend_with(|&nk| nk), |&(n, _), &j| (n, j));
        // R7: need_act(m) :- need_step(n, k), delivered(m, n, k).
        need_act.from_leapjoin(&need_step, step_msg.extend_with(|&nk| nk), |_, &m| (m, ()));
        // R8: need_held(n, f, k, h) :- need_step(n, k), derived(_, n, f, _, k), held(h, n, f, k).
        let held = step_held.extend_with(|&nk| nk);
        need_held.from_leapjoin(&need_step, held, |_, &nfkh| nfkh);
        // R9: need_act(d) :- need_held(n, f, k, _), derived(d, n, f, _, s), s <= k.
        need_act.from_leapjoin(&need_held, alternatives(), |_, &(_, d)| (d, ()));
    }
    let need_held = need_held.complete();
    // R10: held_alt(h, d) :- need_held(n, f, k, h), derived(d, n, f, _, s), s <= k.
    let held_alt =
        Relation::from_leapjoin(&need_held, alternatives(), |&(_, (_, h)), &(_, d)| (h, d));
    Needed {
        act: need_act.complete().iter().map(|&(x, ())| x).collect(),
        fact_alt: input.fact_alt.elements,
        held_alt: held_alt.elements,
        step: need_step.complete().elements,
    }
}

/// A held fact as `((node, fact), (k, h))`, keyed for the join with `derived`.
type HeldAt = ((u32, u32), (u32, u32));
