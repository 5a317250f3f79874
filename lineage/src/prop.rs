//! Propositions over the end state of a run: what an invariant reads.

use crate::fact::Fact;
use crate::fault::Tick;
use crate::trace::NodeIdx;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A proposition over the facts held at EOT and the nodes that crashed.
///
/// An invariant builds its `pre` and `post` as `Prop`s from the end state;
/// the harness evaluates them for the verdict, and lineage uses the very
/// same structure as the outcome to explain and to break. That is how the
/// search learns everything the invariant read — including exclusions
/// (`Crashed(n)`, or a positive fact such as `failed(n)`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Prop {
    /// Always true.
    True,
    /// Always false.
    False,
    /// Some node derived this fact by EOT.
    Holds(Fact),
    /// This node crashed (and is down at EOT).
    Crashed(NodeIdx),
    /// This node crashed at or before this tick.
    CrashedBy(NodeIdx, Tick),
    /// All of these.
    And(Vec<Prop>),
    /// Any of these.
    Or(Vec<Prop>),
}

impl Prop {
    /// Evaluates against predicates for facts and for crashes (`crashed(n)`:
    /// the tick node `n` crashed at, if it is down at EOT).
    pub fn eval(
        &self,
        holds: &dyn Fn(&Fact) -> bool,
        crashed: &dyn Fn(NodeIdx) -> Option<Tick>,
    ) -> bool {
        match self {
            Prop::True => true,
            Prop::False => false,
            Prop::Holds(f) => holds(f),
            Prop::Crashed(n) => crashed(*n).is_some(),
            Prop::CrashedBy(n, t) => crashed(*n).is_some_and(|c| c <= *t),
            Prop::And(ps) => ps.iter().all(|p| p.eval(holds, crashed)),
            Prop::Or(ps) => ps.iter().any(|p| p.eval(holds, crashed)),
        }
    }

    /// The facts whose absence makes this proposition false: for a false
    /// `And`, the missing facts of its false parts; for a false `Or`, those
    /// of all its parts. Empty if the proposition holds.
    pub fn missing(
        &self,
        holds: &dyn Fn(&Fact) -> bool,
        crashed: &dyn Fn(NodeIdx) -> Option<Tick>,
    ) -> Vec<Fact> {
        let mut out = Vec::new();
        self.collect_missing(holds, crashed, &mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_missing(
        &self,
        holds: &dyn Fn(&Fact) -> bool,
        crashed: &dyn Fn(NodeIdx) -> Option<Tick>,
        out: &mut Vec<Fact>,
    ) {
        if self.eval(holds, crashed) {
            return;
        }
        match self {
            Prop::Holds(f) => out.push(f.clone()),
            Prop::And(ps) | Prop::Or(ps) => {
                for p in ps {
                    p.collect_missing(holds, crashed, out);
                }
            }
            Prop::True | Prop::False | Prop::Crashed(_) | Prop::CrashedBy(..) => {}
        }
    }
}

impl fmt::Display for Prop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, ps: &[Prop], op: &str| -> fmt::Result {
            write!(f, "(")?;
            for (i, p) in ps.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{p}")?;
            }
            write!(f, ")")
        };
        match self {
            Prop::True => write!(f, "true"),
            Prop::False => write!(f, "false"),
            Prop::Holds(x) => write!(f, "{x}"),
            Prop::Crashed(n) => write!(f, "crashed(#{n})"),
            Prop::CrashedBy(n, t) => write!(f, "crashed_by(#{n}, {t})"),
            Prop::And(ps) => join(f, ps, "∧"),
            Prop::Or(ps) => join(f, ps, "∨"),
        }
    }
}
