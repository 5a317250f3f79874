//! Syntax tree of a spec, as parsed, with byte offsets for error messages.

use crate::event::Dir;
use crate::value::Value;

/// A name (pattern, rule, service, field or variable) and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) text: String,
    pub(crate) at: usize,
}

/// A whole spec file.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpecAst {
    pub(crate) lets: Vec<LetAst>,
    pub(crate) models: Vec<ModelAst>,
    pub(crate) rules: Vec<RuleAst>,
}

/// `let NAME = PATTERN;`
#[derive(Clone, Debug)]
pub(crate) struct LetAst {
    pub(crate) name: Name,
    pub(crate) pattern: PatternAst,
}

/// One end of a message: a node name, `_` or a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EndAst {
    Any,
    Node(String),
    Var(Name),
}

/// A comparison in a field constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpAst {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Contains,
}

impl OpAst {
    /// The operator's spelling.
    pub(crate) fn text(self) -> &'static str {
        match self {
            OpAst::Eq => "==",
            OpAst::Ne => "!=",
            OpAst::Lt => "<",
            OpAst::Le => "<=",
            OpAst::Gt => ">",
            OpAst::Ge => ">=",
            OpAst::In => "in",
            OpAst::Contains => "contains",
        }
    }
}

/// The right-hand side of a field constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OperandAst {
    Lit(Value),
    Var(Name),
}

/// `field op operand`
#[derive(Clone, Debug)]
pub(crate) struct ConstraintAst {
    pub(crate) field: Name,
    pub(crate) op: OpAst,
    pub(crate) operand: OperandAst,
}

/// A message pattern: `[src -> dst] [request|response] Kind [{...}]`.
#[derive(Clone, Debug)]
pub(crate) struct PatternAst {
    pub(crate) at: usize,
    pub(crate) src: EndAst,
    pub(crate) dst: EndAst,
    pub(crate) dir: Option<Dir>,
    /// `None` for `_`.
    pub(crate) kind: Option<String>,
    pub(crate) fields: Vec<ConstraintAst>,
}

/// `model SERVICE { clause* }`
#[derive(Clone, Debug)]
pub(crate) struct ModelAst {
    pub(crate) service: Name,
    pub(crate) clauses: Vec<ClauseAst>,
}

/// A model clause. Patterns already carry the service as `dst` (receive) or
/// `src` (send).
#[derive(Clone, Debug)]
pub(crate) enum ClauseAst {
    /// `recv P;` or `recv P => send Q;` or `recv P => { send Q; ... }`
    Recv {
        pattern: PatternAst,
        sends: Vec<PatternAst>,
    },
    /// `send P;` (allowed at any time)
    Send(PatternAst),
}

/// `rule NAME { [key $a, ...;] body; }`
#[derive(Clone, Debug)]
pub(crate) struct RuleAst {
    pub(crate) name: Name,
    pub(crate) key: Vec<Name>,
    pub(crate) body: BodyAst,
}

/// What a rule forbids.
#[derive(Clone, Debug)]
pub(crate) enum BodyAst {
    /// `never EVENTS`
    Never(RegexAst),
    /// `forbid REGEX`
    Forbid(RegexAst),
    /// `forbid EVENTS before EVENTS`
    Before(RegexAst, RegexAst),
}

/// A regular expression over messages.
#[derive(Clone, Debug)]
pub(crate) enum RegexAst {
    /// A `let` pattern by name.
    Named(Name),
    /// `[pattern]`
    Inline(PatternAst),
    /// `_`: any message the rule cares about.
    Any(usize),
    /// `~X`: any message the rule cares about that does not match `X`.
    Not(Box<RegexAst>, usize),
    /// Juxtaposition.
    Seq(Vec<RegexAst>),
    /// `a | b`
    Alt(Vec<RegexAst>),
    /// `x*`
    Star(Box<RegexAst>),
    /// `x+`
    Plus(Box<RegexAst>),
    /// `x?`
    Opt(Box<RegexAst>),
}

impl RegexAst {
    /// Where the expression starts.
    pub(crate) fn at(&self) -> usize {
        match self {
            RegexAst::Named(n) => n.at,
            RegexAst::Inline(p) => p.at,
            RegexAst::Any(at) | RegexAst::Not(_, at) => *at,
            RegexAst::Seq(v) | RegexAst::Alt(v) => v.first().map_or(0, RegexAst::at),
            RegexAst::Star(r) | RegexAst::Plus(r) | RegexAst::Opt(r) => r.at(),
        }
    }
}
