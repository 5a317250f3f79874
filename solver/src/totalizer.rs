//! Cardinality by totalizer (Bailleux & Boufkhad, 2003), one direction only.
//!
//! varisat has no cardinality constraints, so counts are encoded as a tree of
//! unary adders: each tree node gets output literals `o_1 … o_m`, and the
//! clauses force `o_s` whenever at least `s` of the node's inputs are true.
//! Only that direction is needed to bound a count from above: assuming (or
//! asserting) `¬o_{k+1}` says "at most `k` inputs are true". The outputs are
//! truncated at a cutoff, so a bound up to `cutoff − 1` costs
//! `O(n · cutoff²)` clauses instead of `O(n²)`.

use crate::sat::Cnf;
use varisat::Lit;

/// The outputs of a totalizer over some inputs.
pub(crate) struct Totalizer {
    /// `outputs[i]` is forced true when at least `i + 1` inputs are true.
    outputs: Vec<Lit>,
    /// Number of inputs.
    inputs: usize,
}

impl Totalizer {
    /// Encodes a totalizer over `inputs` with outputs up to `cutoff`
    /// (`cutoff >= 1`).
    pub(crate) fn build(cnf: &mut Cnf, inputs: &[Lit], cutoff: usize) -> Self {
        assert!(cutoff >= 1, "a totalizer counts to at least one");
        let outputs = if inputs.is_empty() {
            Vec::new()
        } else {
            count(cnf, inputs, cutoff)
        };
        Totalizer {
            outputs,
            inputs: inputs.len(),
        }
    }

    /// The literal whose falsity bounds the count to at most `k`, or `None`
    /// when the count can never exceed `k` (no literal needed).
    ///
    /// Panics if `k` is beyond the cutoff the totalizer was built with; see
    /// [`Totalizer::can_bound`].
    pub(crate) fn more_than(&self, k: usize) -> Option<Lit> {
        if k >= self.inputs {
            return None;
        }
        assert!(
            self.can_bound(k),
            "totalizer cutoff too small for bound {k}"
        );
        Some(self.outputs[k])
    }

    /// True if [`Totalizer::more_than`] can express the bound `k`.
    pub(crate) fn can_bound(&self, k: usize) -> bool {
        k >= self.inputs || k < self.outputs.len()
    }
}

/// Outputs of the subtree over `inputs` (non-empty), truncated at `cutoff`.
fn count(cnf: &mut Cnf, inputs: &[Lit], cutoff: usize) -> Vec<Lit> {
    if inputs.len() == 1 {
        return vec![inputs[0]];
    }
    let (left, right) = inputs.split_at(inputs.len() / 2);
    let a = count(cnf, left, cutoff);
    let b = count(cnf, right, cutoff);
    let m = (a.len() + b.len()).min(cutoff);
    let out: Vec<Lit> = (0..m).map(|_| cnf.new_lit()).collect();
    // a_i ∧ b_j → o_{i+j}, with a_0 = b_0 = true; only sums up to m matter.
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            let s = i + j;
            if s == 0 || s > m {
                continue;
            }
            let mut clause = Vec::with_capacity(3);
            if i > 0 {
                clause.push(!a[i - 1]);
            }
            if j > 0 {
                clause.push(!b[j - 1]);
            }
            clause.push(out[s - 1]);
            cnf.clause(&clause);
        }
    }
    out
}
