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
    /// This does not hold. An absence the search must be able to break:
    /// its lineage is the *negative support* of what the inner proposition
    /// reads (see the crate docs).
    Not(Box<Prop>),
    /// This node holds this fact at EOT.
    HoldsAt(NodeIdx, Fact),
    /// This node holds no fact of this relation at EOT.
    NoneAt(NodeIdx, String),
}

/// What a proposition is evaluated against: the end state of a run.
pub trait EndView {
    /// Whether some node holds `fact` at EOT.
    fn holds(&self, fact: &Fact) -> bool;
    /// Whether node `n` holds `fact` at EOT.
    fn holds_at(&self, n: NodeIdx, fact: &Fact) -> bool;
    /// Whether node `n` holds some fact of relation `rel` at EOT.
    fn any_at(&self, n: NodeIdx, rel: &str) -> bool;
    /// The tick node `n` crashed at, if it is down at EOT.
    fn crashed(&self, n: NodeIdx) -> Option<Tick>;
}

/// An [`EndView`] from two closures (facts held anywhere, crashes); node-
/// specific reads fall back to "anywhere".
pub struct Closures<'a> {
    /// Whether some node holds a fact.
    pub holds: &'a dyn Fn(&Fact) -> bool,
    /// The tick a node crashed at.
    pub crashed: &'a dyn Fn(NodeIdx) -> Option<Tick>,
}

impl EndView for Closures<'_> {
    fn holds(&self, fact: &Fact) -> bool {
        (self.holds)(fact)
    }
    fn holds_at(&self, _n: NodeIdx, fact: &Fact) -> bool {
        (self.holds)(fact)
    }
    fn any_at(&self, _n: NodeIdx, _rel: &str) -> bool {
        false
    }
    fn crashed(&self, n: NodeIdx) -> Option<Tick> {
        (self.crashed)(n)
    }
}

impl Prop {
    /// Evaluates against predicates for facts and for crashes (`crashed(n)`:
    /// the tick node `n` crashed at, if it is down at EOT).
    pub fn eval(
        &self,
        holds: &dyn Fn(&Fact) -> bool,
        crashed: &dyn Fn(NodeIdx) -> Option<Tick>,
    ) -> bool {
        self.eval_in(&Closures { holds, crashed })
    }

    /// Evaluates against an end state.
    pub fn eval_in(&self, end: &dyn EndView) -> bool {
        match self {
            Prop::True => true,
            Prop::False => false,
            Prop::Holds(f) => end.holds(f),
            Prop::HoldsAt(n, f) => end.holds_at(*n, f),
            Prop::NoneAt(n, rel) => !end.any_at(*n, rel),
            Prop::Crashed(n) => end.crashed(*n).is_some(),
            Prop::CrashedBy(n, t) => end.crashed(*n).is_some_and(|c| c <= *t),
            Prop::And(ps) => ps.iter().all(|p| p.eval_in(end)),
            Prop::Or(ps) => ps.iter().any(|p| p.eval_in(end)),
            Prop::Not(p) => !p.eval_in(end),
        }
    }

    /// The negation of `p`, with double negations and constants folded
    /// (also `!p`).
    #[allow(clippy::should_implement_trait)] // it is implemented too; this reads well at call sites
    pub fn not(p: Prop) -> Prop {
        match p {
            Prop::True => Prop::False,
            Prop::False => Prop::True,
            Prop::Not(q) => *q,
            q => Prop::Not(Box::new(q)),
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
        self.missing_in(&Closures { holds, crashed })
    }

    /// [`Prop::missing`] against an end state.
    pub fn missing_in(&self, end: &dyn EndView) -> Vec<Fact> {
        let mut out = Vec::new();
        self.collect_missing(end, &mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_missing(&self, end: &dyn EndView, out: &mut Vec<Fact>) {
        if self.eval_in(end) {
            return;
        }
        match self {
            Prop::Holds(f) | Prop::HoldsAt(_, f) => out.push(f.clone()),
            Prop::And(ps) | Prop::Or(ps) => {
                for p in ps {
                    p.collect_missing(end, out);
                }
            }
            Prop::True
            | Prop::False
            | Prop::Crashed(_)
            | Prop::CrashedBy(..)
            | Prop::Not(_)
            | Prop::NoneAt(..) => {}
        }
    }

    /// Whether this proposition reads an absence anywhere (a `Not`, a
    /// `NoneAt`): its lineage then needs negative support.
    pub fn reads_absence(&self) -> bool {
        match self {
            Prop::Not(_) | Prop::NoneAt(..) => true,
            Prop::And(ps) | Prop::Or(ps) => ps.iter().any(Prop::reads_absence),
            _ => false,
        }
    }
}

impl std::ops::Not for Prop {
    type Output = Prop;
    fn not(self) -> Prop {
        Prop::not(self)
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
            Prop::Not(p) => write!(f, "¬{p}"),
            Prop::HoldsAt(n, x) => write!(f, "{x}@#{n}"),
            Prop::NoneAt(n, rel) => write!(f, "none({rel})@#{n}"),
        }
    }
}
