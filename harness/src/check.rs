//! The checker: each invariant `pre ⇒ post` over the end state.

use crate::end::EndState;
use crate::model::Invariant;
use ldfi_lineage::{Fact, Prop};
use serde::Serialize;
use std::fmt;

/// The verdict on one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Some invariant's `pre` held, and every invariant whose `pre` held had its `post` hold.
    Good,
    /// No invariant's `pre` held: nothing was promised, nothing broken.
    Vacuous,
    /// `pre` held and `post` did not.
    Violated {
        /// The invariant (or enforcement predicate) violated.
        invariant: String,
        /// What is missing (facts of `post` that do not hold), or the
        /// predicate's explanation.
        missing: Vec<String>,
    },
}

impl Verdict {
    /// `good`, `vacuous` or `violated`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Vacuous => "vacuous",
            Verdict::Violated { .. } => "violated",
        }
    }

    /// True for `Violated`.
    pub fn is_violated(&self) -> bool {
        matches!(self, Verdict::Violated { .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Violated { invariant, missing } => {
                write!(f, "violated: {invariant}")?;
                if !missing.is_empty() {
                    write!(f, " (missing: {})", missing.join(", "))?;
                }
                Ok(())
            }
            v => write!(f, "{}", v.word()),
        }
    }
}

/// The result of checking: the verdict, and what the search should try to
/// break — the `post` of each invariant whose `pre` held (empty when the
/// run is violated).
pub struct Checked {
    /// The verdict.
    pub verdict: Verdict,
    /// Per invariant whose `pre` held: (name, `post`).
    pub outcomes: Vec<(String, Prop)>,
    /// The invariants whose `pre` did not hold (vacuous in this run).
    pub vacuous: Vec<String>,
    /// Per vacuous invariant: (name, `¬pre`), the absence the search must
    /// break to make it a counterexample candidate.
    pub pre_false: Vec<(String, Prop)>,
    /// The vacuous invariants declared [`Invariant::pre_shrinks_with_faults`](crate::Invariant::pre_shrinks_with_faults).
    pub pre_shrinks: Vec<String>,
}

/// Checks every invariant against the end state.
pub fn check(invariants: &[Invariant], end: &EndState) -> Checked {
    let mut promised = Vec::new();
    let mut vacuous = Vec::new();
    let mut pre_false = Vec::new();
    let mut pre_shrinks = Vec::new();
    for inv in invariants {
        let (pre, post) = (inv.check)(end);
        if !end.eval(&pre) {
            vacuous.push(inv.name.clone());
            if inv.pre_shrinks_with_faults {
                pre_shrinks.push(inv.name.clone());
            } else {
                pre_false.push((inv.name.clone(), Prop::not(pre)));
            }
            continue;
        }
        if !end.eval(&post) {
            let missing = end.missing(&post).iter().map(Fact::to_string).collect();
            return Checked {
                verdict: Verdict::Violated {
                    invariant: inv.name.clone(),
                    missing,
                },
                outcomes: Vec::new(),
                vacuous: Vec::new(),
                pre_false: Vec::new(),
                pre_shrinks: Vec::new(),
            };
        }
        promised.push((inv.name.clone(), post));
    }
    if promised.is_empty() {
        return Checked {
            verdict: Verdict::Vacuous,
            outcomes: Vec::new(),
            vacuous,
            pre_false,
            pre_shrinks,
        };
    }
    Checked {
        verdict: Verdict::Good,
        outcomes: promised,
        vacuous,
        pre_false,
        pre_shrinks,
    }
}
