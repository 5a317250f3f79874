//! A compiled spec: rules as DFAs, service models, and the kind index.

use std::fmt;
use std::sync::Arc;

use crate::dfa::Dfa;
use crate::error::SpecError;
use crate::lookup::LookupMap;
use crate::parser::parse;
use crate::pattern::Pattern;
use crate::resolve::resolve;

/// A compiled rule: its key variables, its distinct patterns (pattern `i` is
/// bit `i` of an event's mask) and its automaton.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) key: Vec<String>,
    pub(crate) patterns: Vec<Pattern>,
    pub(crate) dfa: Dfa,
}

/// A pattern of a rule, as listed in the kind index.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PatRef {
    pub(crate) rule: u32,
    pub(crate) bit: u8,
}

/// A send allowed after a matching receive. `vars` are the receive's
/// variable slots the send uses, ascending.
#[derive(Clone, Debug)]
pub(crate) struct CondSend {
    pub(crate) pattern: Pattern,
    pub(crate) vars: Vec<u8>,
}

/// A message a service may receive, and the sends (indices into
/// [`Model::sends`]) it enables.
#[derive(Clone, Debug)]
pub(crate) struct RecvClause {
    pub(crate) pattern: Pattern,
    pub(crate) sends: Vec<u32>,
}

/// What one service may receive and send.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub(crate) service: String,
    pub(crate) recvs: Vec<RecvClause>,
    pub(crate) free_sends: Vec<Pattern>,
    pub(crate) sends: Vec<CondSend>,
}

/// Everything the checker needs, shared read-only between checkers.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub(crate) rules: Vec<Rule>,
    /// Kind name → index into `by_kind`.
    pub(crate) kind_ids: LookupMap<String, u32>,
    /// Per kind, the rule patterns that name it.
    pub(crate) by_kind: Vec<Vec<PatRef>>,
    /// Rule patterns with kind `_`.
    pub(crate) any_kind: Vec<PatRef>,
    pub(crate) models: Vec<Model>,
    /// Service name → index into `models`.
    pub(crate) model_of: LookupMap<String, u32>,
}

/// A parsed and compiled spec. Cheap to clone (shared).
///
/// ```
/// use ldfi_enforce::{Checker, Dir, MsgEvent, Spec};
/// let spec = Spec::parse("kv.spec", "rule I1 { never [_ -> kv Modify]; }").unwrap();
/// let mut checker = Checker::new(&spec);
/// let ev = MsgEvent::new("frontend", "kv", Dir::Request, "Modify").with("key", "k1");
/// assert_eq!(checker.observe(&ev).len(), 1);
/// assert_eq!(checker.violations()[0].source.name(), "I1");
/// ```
#[derive(Clone)]
pub struct Spec {
    pub(crate) inner: Arc<Compiled>,
}

impl Spec {
    /// Parses and compiles a spec. `file` names the source in errors.
    pub fn parse(file: &str, source: &str) -> Result<Spec, SpecError> {
        let compiled = parse(source)
            .and_then(|ast| resolve(&ast))
            .map_err(|(at, kind)| SpecError::new(file, source, at, kind))?;
        Ok(Spec {
            inner: Arc::new(compiled),
        })
    }

    /// Rule names, in spec order.
    pub fn rule_names(&self) -> Vec<&str> {
        self.inner.rules.iter().map(|r| r.name.as_str()).collect()
    }

    /// The key variables of a rule (without `$`), if the rule exists.
    pub fn rule_key(&self, rule: &str) -> Option<Vec<&str>> {
        let r = self.inner.rules.iter().find(|r| r.name == rule)?;
        Some(r.key.iter().map(String::as_str).collect())
    }

    /// Services that have a model, in spec order.
    pub fn modeled_services(&self) -> Vec<&str> {
        self.inner
            .models
            .iter()
            .map(|m| m.service.as_str())
            .collect()
    }

    /// Total number of DFA states over all rules (a size measure).
    pub fn automaton_states(&self) -> usize {
        self.inner.rules.iter().map(|r| r.dfa.len()).sum()
    }
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("rules", &self.rule_names())
            .field("models", &self.modeled_services())
            .finish()
    }
}
