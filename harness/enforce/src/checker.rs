//! The checker: consumes message events, keeps one automaton state per rule
//! and key, and reports violations.

use std::sync::Arc;

use crate::event::MsgEvent;
use crate::intern::{KeyIds, ValueInterner};
use crate::lookup::LookupMap;
use crate::model_check::ModelState;
use crate::pattern::MAX_VARS;
use crate::spec::{Compiled, Spec};
use crate::violation::{Path, Source, Violation};

/// Slot order of a rule key: key variable `i` is slot `i`.
const KEY_ORDER: [u8; MAX_VARS] = [0, 1, 2, 3, 4, 5, 6, 7];

/// One key's automaton.
#[derive(Clone, Copy, Debug)]
struct Instance {
    state: u32,
    path: Path,
}

/// A rule and key an event concerns, and the mask of the rule's patterns it
/// matched for that key.
#[derive(Clone, Copy, Debug)]
struct Hit {
    rule: u32,
    key: KeyIds,
    mask: u64,
    /// State before and after the event (set by `judge_hits`).
    cur: u32,
    next: u32,
}

/// Checks a stream of events against a [`Spec`].
///
/// State is per rule and key value, so keys never share state. A key whose
/// automaton is still in its initial state takes no memory. An event whose
/// kind no rule pattern names (and whose ends have no model) is skipped after
/// one hash lookup.
#[derive(Debug)]
pub struct Checker {
    spec: Arc<Compiled>,
    seen: u64,
    values: ValueInterner,
    instances: Vec<LookupMap<KeyIds, Instance>>,
    models: ModelState,
    violations: Vec<Violation>,
    hits: Vec<Hit>,
}

impl Checker {
    /// A checker in the initial state.
    pub fn new(spec: &Spec) -> Checker {
        let spec = Arc::clone(&spec.inner);
        Checker {
            instances: spec.rules.iter().map(|_| LookupMap::default()).collect(),
            spec,
            seen: 0,
            values: ValueInterner::default(),
            models: ModelState::default(),
            violations: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Checks the next event; returns the violations it caused (also kept
    /// in [`Checker::violations`]). The event's index is the number of
    /// events observed before it. State advances also for a violating event
    /// (the simulator's view: the message happened).
    pub fn observe(&mut self, ev: &MsgEvent) -> &[Violation] {
        self.check(ev, false)
    }

    /// Like [`Checker::observe`], but a violating event changes no state, as
    /// if it had been dropped (a proxy's view, ucheck-style: the caller drops
    /// the message when the result is not empty). It still takes an index.
    pub fn enforce(&mut self, ev: &MsgEvent) -> &[Violation] {
        self.check(ev, true)
    }

    fn check(&mut self, ev: &MsgEvent, drop_violating: bool) -> &[Violation] {
        let idx = self.seen;
        self.seen += 1;
        let first = self.violations.len();
        self.collect_hits(ev);
        self.judge_hits(idx);
        let modeled = !self.spec.models.is_empty();
        if modeled {
            self.models
                .judge(&self.spec, &self.values, ev, idx, &mut self.violations);
        }
        if !(drop_violating && self.violations.len() > first) {
            commit_hits(&self.hits, &mut self.instances, idx);
            if modeled {
                self.models.commit(&self.spec, &mut self.values, ev);
            }
        }
        &self.violations[first..]
    }

    /// Every violation so far, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Removes and returns the violations found so far (a long-running
    /// proxy drains them so they do not accumulate).
    pub fn take_violations(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.violations)
    }

    /// Consumes the checker, returning its violations.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// Number of events observed.
    pub fn events_seen(&self) -> u64 {
        self.seen
    }

    /// Number of (rule, key) automata not in their initial state.
    pub fn live_keys(&self) -> usize {
        self.instances.iter().map(LookupMap::len).sum()
    }

    /// Finds, per rule and key, which of the rule's patterns the event
    /// matches. Only patterns naming the event's kind (or `_`) are tried.
    fn collect_hits(&mut self, ev: &MsgEvent) {
        let Checker {
            spec, values, hits, ..
        } = self;
        hits.clear();
        let named = match spec.kind_ids.get(ev.kind.as_str()) {
            Some(&k) => &spec.by_kind[k as usize][..],
            None => &[],
        };
        let any_kind = spec.any_kind.iter().map(|pr| (pr, false));
        for (pr, kind_known) in named.iter().map(|pr| (pr, true)).chain(any_kind) {
            let rule = &spec.rules[pr.rule as usize];
            let pattern = &rule.patterns[usize::from(pr.bit)];
            let shape = if kind_known {
                pattern.matches_shape_but_kind(ev)
            } else {
                pattern.matches_shape(ev)
            };
            if !shape {
                continue;
            }
            let order = &KEY_ORDER[..rule.key.len()];
            let bit = 1u64 << pr.bit;
            pattern.for_each_binding(ev, &mut |slots| {
                let key = values.key_of(slots, order);
                match hits.iter_mut().find(|h| h.rule == pr.rule && h.key == key) {
                    Some(h) => h.mask |= bit,
                    None => hits.push(Hit {
                        rule: pr.rule,
                        key,
                        mask: bit,
                        cur: 0,
                        next: 0,
                    }),
                }
            });
        }
        if !spec.any_kind.is_empty() {
            hits.sort_by_key(|h| h.rule);
        }
    }

    /// Computes each hit key's next state; reports accepting ones. Changes
    /// no automaton (see [`Checker::commit_hits`]).
    fn judge_hits(&mut self, idx: u64) {
        let Checker {
            spec,
            values,
            instances,
            violations,
            hits,
            ..
        } = self;
        for h in hits.iter_mut() {
            let rule = &spec.rules[h.rule as usize];
            let inst = instances[h.rule as usize].get(&h.key);
            h.cur = inst.map_or(0, |i| i.state);
            h.next = rule.dfa.step(h.cur, h.mask);
            if rule.dfa.accepting(h.next) {
                let key = rule
                    .key
                    .iter()
                    .zip(h.key)
                    .map(|(name, id)| (name.clone(), values.value(id).clone()))
                    .collect();
                let path = inst.map_or(Path::EMPTY, |i| i.path);
                violations.push(Violation {
                    source: Source::Rule(rule.name.clone()),
                    key,
                    event: idx,
                    witness: path.witness(idx),
                    states: path.states(idx, h.next),
                });
            }
        }
    }
}

/// Moves each hit key's automaton to the state [`Checker::judge_hits`]
/// computed, recording `idx` on its path.
fn commit_hits(hits: &[Hit], instances: &mut [LookupMap<KeyIds, Instance>], idx: u64) {
    for h in hits {
        if h.next == h.cur {
            continue;
        }
        let inst = instances[h.rule as usize].get_or_insert_with(h.key, || Instance {
            state: 0,
            path: Path::EMPTY,
        });
        inst.state = h.next;
        inst.path.push(idx, h.next);
    }
}
