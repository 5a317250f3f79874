//! Regular expressions over message classes, and their Thompson NFA.
//!
//! A rule numbers its distinct patterns `0..n`. An event is summarised, per
//! key, by the mask of the patterns it matches; a [`Letter`] is a set of such
//! masks.

/// A set of pattern masks: `m` is in it iff `m & any != 0 && m & none == 0`.
/// A pattern `i` is `{any: 1 << i, none: 0}`; `_` is `{any: !0, none: 0}`;
/// `~S` is `{any: !0, none: S}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Letter {
    pub(crate) any: u64,
    pub(crate) none: u64,
}

impl Letter {
    /// Whether an event with pattern mask `m` is in the set.
    pub(crate) fn matches(self, m: u64) -> bool {
        m & self.any != 0 && m & self.none == 0
    }
}

/// A regular expression over letters.
#[derive(Clone, Debug)]
pub(crate) enum Re {
    Letter(Letter),
    Seq(Vec<Re>),
    Alt(Vec<Re>),
    Star(Box<Re>),
    Plus(Box<Re>),
    Opt(Box<Re>),
}

impl Re {
    /// Every distinct letter in the expression, sorted.
    pub(crate) fn letters(&self) -> Vec<Letter> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect(&self, out: &mut Vec<Letter>) {
        match self {
            Re::Letter(l) => out.push(*l),
            Re::Seq(v) | Re::Alt(v) => v.iter().for_each(|r| r.collect(out)),
            Re::Star(r) | Re::Plus(r) | Re::Opt(r) => r.collect(out),
        }
    }
}

/// A Thompson NFA: one start and one accepting state.
#[derive(Debug, Default)]
pub(crate) struct Nfa {
    eps: Vec<Vec<u32>>,
    edges: Vec<Vec<(Letter, u32)>>,
    pub(crate) start: u32,
    pub(crate) accept: u32,
}

impl Nfa {
    /// Builds the NFA of `re`.
    pub(crate) fn build(re: &Re) -> Nfa {
        let mut nfa = Nfa::default();
        let (start, accept) = nfa.frag(re);
        nfa.start = start;
        nfa.accept = accept;
        nfa
    }

    fn state(&mut self) -> u32 {
        self.eps.push(Vec::new());
        self.edges.push(Vec::new());
        u32::try_from(self.eps.len() - 1).expect("NFA size bounded by the spec's length")
    }

    fn eps(&mut self, from: u32, to: u32) {
        self.eps[from as usize].push(to);
    }

    /// A fragment for `re`: its entry and exit states.
    fn frag(&mut self, re: &Re) -> (u32, u32) {
        let s = self.state();
        let e = self.state();
        match re {
            Re::Letter(l) => self.edges[s as usize].push((*l, e)),
            Re::Seq(items) => {
                let mut cur = s;
                for item in items {
                    let (is, ie) = self.frag(item);
                    self.eps(cur, is);
                    cur = ie;
                }
                self.eps(cur, e);
            }
            Re::Alt(items) => {
                for item in items {
                    let (is, ie) = self.frag(item);
                    self.eps(s, is);
                    self.eps(ie, e);
                }
            }
            Re::Star(r) | Re::Plus(r) | Re::Opt(r) => {
                let (is, ie) = self.frag(r);
                self.eps(s, is);
                self.eps(ie, e);
                if !matches!(re, Re::Opt(_)) {
                    self.eps(ie, is);
                }
                if !matches!(re, Re::Plus(_)) {
                    self.eps(s, e);
                }
            }
        }
        (s, e)
    }

    /// Number of states.
    pub(crate) fn len(&self) -> usize {
        self.eps.len()
    }

    /// Extends `set` with every state reachable by ε-moves; sorts it.
    /// `mark` has one `false` per state and is left all `false`.
    pub(crate) fn closure(&self, set: &mut Vec<u32>, mark: &mut [bool]) {
        for &s in set.iter() {
            mark[s as usize] = true;
        }
        let mut stack = set.clone();
        while let Some(s) = stack.pop() {
            for &t in &self.eps[s as usize] {
                if !mark[t as usize] {
                    mark[t as usize] = true;
                    set.push(t);
                    stack.push(t);
                }
            }
        }
        for &s in set.iter() {
            mark[s as usize] = false;
        }
        set.sort_unstable();
    }

    /// The states reached from `set` by an event with pattern mask `m`,
    /// ε-closed. `mark` as for [`Nfa::closure`].
    pub(crate) fn step(&self, set: &[u32], m: u64, mark: &mut [bool]) -> Vec<u32> {
        let mut next = Vec::new();
        for &s in set {
            for &(l, t) in &self.edges[s as usize] {
                if l.matches(m) && !mark[t as usize] {
                    mark[t as usize] = true;
                    next.push(t);
                }
            }
        }
        for &t in &next {
            mark[t as usize] = false;
        }
        self.closure(&mut next, mark);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_then_letter() {
        let a = Letter { any: 1, none: 0 };
        let not_b = Letter { any: !0, none: 2 };
        let re = Re::Seq(vec![Re::Star(Box::new(Re::Letter(not_b))), Re::Letter(a)]);
        let nfa = Nfa::build(&re);
        let mut mark = vec![false; nfa.len()];
        let mut s = vec![nfa.start];
        nfa.closure(&mut s, &mut mark);
        assert!(!s.contains(&nfa.accept));
        let after_a = nfa.step(&s, 1, &mut mark);
        assert!(after_a.contains(&nfa.accept));
        assert!(nfa.step(&s, 2, &mut mark).is_empty());
        assert!(mark.iter().all(|m| !m));
        assert_eq!(re.letters(), vec![a, not_b]);
    }
}
