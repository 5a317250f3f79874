//! Subset construction: a rule's regular expression to a table-driven DFA.
//!
//! The alphabet is the set of pattern masks `1..2^n`. Masks that every
//! letter of the expression treats alike form one *class*; the transition
//! table has one column per class, and `class_of_mask` maps a mask to its
//! column, so a step is two array reads.

use std::collections::BTreeMap;

use crate::nfa::{Nfa, Re};

/// At most this many distinct patterns per rule (the mask table has
/// `2^MAX_PATTERNS` entries).
pub(crate) const MAX_PATTERNS: usize = 12;

/// At most this many DFA states per rule.
pub(crate) const MAX_STATES: usize = 4096;

/// At most this much work (NFA states visited) per determinization, so a
/// hostile spec is refused quickly instead of compiling for minutes.
const MAX_WORK: usize = 1 << 23;

/// A deterministic automaton; state 0 is the initial state.
#[derive(Clone, Debug)]
pub(crate) struct Dfa {
    nclasses: usize,
    class_of_mask: Vec<u16>,
    trans: Vec<u32>,
    accepting: Vec<bool>,
}

/// The automaton would exceed [`MAX_STATES`] or the work budget.
#[derive(Debug)]
pub(crate) struct TooLarge;

impl Dfa {
    /// Determinizes `re` over `npatterns` patterns (at most [`MAX_PATTERNS`]).
    pub(crate) fn build(re: &Re, npatterns: usize) -> Result<Dfa, TooLarge> {
        assert!(npatterns <= MAX_PATTERNS, "checked by the resolver");
        let (class_of_mask, reps) = classes(re, npatterns);
        let nfa = Nfa::build(re);
        let mut mark = vec![false; nfa.len()];
        let mut work = 0usize;
        let mut start = vec![nfa.start];
        nfa.closure(&mut start, &mut mark);
        let mut index: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
        let mut sets = vec![start.clone()];
        index.insert(start, 0);
        let mut trans = Vec::new();
        let mut done = 0;
        while done < sets.len() {
            for &rep in &reps {
                work += sets[done].len() + 1;
                if work > MAX_WORK {
                    return Err(TooLarge);
                }
                let next = nfa.step(&sets[done], rep, &mut mark);
                let id = match index.get(&next) {
                    Some(&id) => id,
                    None => {
                        if sets.len() >= MAX_STATES {
                            return Err(TooLarge);
                        }
                        let id = sets.len() as u32;
                        index.insert(next.clone(), id);
                        sets.push(next);
                        id
                    }
                };
                trans.push(id);
            }
            done += 1;
        }
        let accepting = sets.iter().map(|s| s.contains(&nfa.accept)).collect();
        Ok(Dfa {
            nclasses: reps.len(),
            class_of_mask,
            trans,
            accepting,
        })
    }

    /// The state after an event with pattern mask `mask` (non-zero, below
    /// `2^npatterns`).
    #[inline]
    pub(crate) fn step(&self, state: u32, mask: u64) -> u32 {
        let class = usize::from(self.class_of_mask[mask as usize]);
        self.trans[state as usize * self.nclasses + class]
    }

    /// Whether reaching `state` is a violation.
    #[inline]
    pub(crate) fn accepting(&self, state: u32) -> bool {
        self.accepting[state as usize]
    }

    /// Number of states.
    pub(crate) fn len(&self) -> usize {
        self.accepting.len()
    }
}

/// Groups the masks `1..2^n` by which letters accept them; returns each
/// mask's class (index 0 unused) and one representative mask per class.
fn classes(re: &Re, n: usize) -> (Vec<u16>, Vec<u64>) {
    let letters = re.letters();
    let size = 1usize << n;
    let mut class_of_mask = vec![0u16; size];
    let mut by_sig: BTreeMap<Vec<bool>, u16> = BTreeMap::new();
    let mut reps = Vec::new();
    for mask in 1..size as u64 {
        let sig: Vec<bool> = letters.iter().map(|l| l.matches(mask)).collect();
        let next = reps.len() as u16;
        let class = *by_sig.entry(sig).or_insert(next);
        if class == next {
            reps.push(mask);
        }
        class_of_mask[mask as usize] = class;
    }
    (class_of_mask, reps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nfa::Letter;

    fn lit(i: u32) -> Re {
        Re::Letter(Letter {
            any: 1 << i,
            none: 0,
        })
    }

    #[test]
    fn insert_before_auth() {
        // (~auth)* insert, with insert = pattern 0 and auth = pattern 1.
        let not_auth = Re::Letter(Letter { any: !0, none: 2 });
        let re = Re::Seq(vec![Re::Star(Box::new(not_auth)), lit(0)]);
        let d = Dfa::build(&re, 2).unwrap();
        assert!(!d.accepting(0));
        let s = d.step(0, 1);
        assert!(d.accepting(s));
        assert!(d.accepting(d.step(s, 1)));
        let dead = d.step(0, 2);
        assert!(!d.accepting(d.step(dead, 1)));
        // An event matching both patterns is an insert with no *earlier* auth.
        assert!(d.accepting(d.step(0, 3)));
    }

    #[test]
    fn sequence_and_alternation() {
        // a (b | c)+ over three patterns.
        let re = Re::Seq(vec![
            lit(0),
            Re::Plus(Box::new(Re::Alt(vec![lit(1), lit(2)]))),
        ]);
        let d = Dfa::build(&re, 3).unwrap();
        let s = d.step(d.step(0, 1), 4);
        assert!(d.accepting(s));
        assert!(d.accepting(d.step(s, 2)));
        assert!(!d.accepting(d.step(s, 1)));
        assert!(d.len() >= 3);
    }
}
