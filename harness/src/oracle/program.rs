//! A generated node's program as data: rules of the form
//! `on TRIGGER when CONDITIONS: ACTIONS else: ACTIONS`, and their dump.
//!
//! Every payload is implicit (one value per protocol), so a message is its
//! tag and a fact is a relation over node names: `log(b)`, `vote(co, p1)`.

use ldfi_lineage::{Fact, Tick};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A message between generated nodes (or an input from the environment):
/// its tag, e.g. `Prepare`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg(pub String);

/// An argument of a fact pattern, resolved when a rule fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// The node running the rule.
    Me,
    /// The sender of the message being handled.
    From,
    /// A fixed node.
    Node(String),
}

/// A fact pattern: `rel(args…)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pat {
    /// Relation name.
    pub rel: String,
    /// Arguments.
    pub args: Vec<Arg>,
}

impl Pat {
    /// `rel(me)`.
    pub fn mine(rel: &str) -> Pat {
        Pat {
            rel: rel.into(),
            args: vec![Arg::Me],
        }
    }

    /// `rel(me, from)`.
    pub fn from_sender(rel: &str) -> Pat {
        Pat {
            rel: rel.into(),
            args: vec![Arg::Me, Arg::From],
        }
    }

    /// `rel(me, node)`.
    pub fn about(rel: &str, node: &str) -> Pat {
        Pat {
            rel: rel.into(),
            args: vec![Arg::Me, Arg::Node(node.into())],
        }
    }

    /// The fact this pattern names at node `me` handling a message from `from`.
    ///
    /// # Panics
    /// If the pattern reads the sender where there is none: a generator bug.
    pub fn resolve(&self, me: &str, from: Option<&str>) -> Fact {
        let args = self.args.iter().map(|a| match a {
            Arg::Me => me.to_string(),
            Arg::From => from
                .expect("oracle generator bug: `from` outside a message rule")
                .to_string(),
            Arg::Node(n) => n.clone(),
        });
        Fact::new(&self.rel, args)
    }
}

/// What makes a rule fire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The node starts (tick 1).
    Start,
    /// A message (or input) with this tag arrives.
    Recv(String),
    /// The end of every tick the node is up.
    Tick,
    /// The timer of this name fires.
    Timer(String),
}

/// A condition over the facts the node holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// The node holds this fact.
    Holds(Pat),
    /// The node does not hold this fact.
    Lacks(Pat),
    /// The node holds at least this many of these facts.
    AtLeast(usize, Vec<Pat>),
}

/// A destination of a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum To {
    /// A fixed node.
    Node(String),
    /// The sender of the message being handled.
    From,
}

/// What a rule does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Derive a fact.
    Derive(Pat),
    /// Stop holding a fact (a rollback).
    Retract(Pat),
    /// Send a message with this tag to each destination.
    Send(String, Vec<To>),
    /// Set (or reset) the named timer to fire this many ticks from now.
    SetTimer(String, Tick),
}

/// `on TRIGGER when CONDITIONS: THEN else: OTHERWISE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// When the rule is considered.
    pub on: Trigger,
    /// All must hold for `then`; otherwise `otherwise` runs.
    pub when: Vec<Cond>,
    /// Actions when the conditions hold.
    pub then: Vec<Action>,
    /// Actions when they do not.
    pub otherwise: Vec<Action>,
}

impl Rule {
    /// A rule without an `else` branch.
    pub fn new(on: Trigger, when: Vec<Cond>, then: Vec<Action>) -> Rule {
        Rule {
            on,
            when,
            then,
            otherwise: Vec::new(),
        }
    }
}

impl fmt::Display for Pat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<&str> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Me => "me",
                Arg::From => "from",
                Arg::Node(n) => n.as_str(),
            })
            .collect();
        write!(f, "{}({})", self.rel, args.join(", "))
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Start => write!(f, "start"),
            Trigger::Recv(tag) => write!(f, "recv {tag}"),
            Trigger::Tick => write!(f, "tick"),
            Trigger::Timer(name) => write!(f, "timer {name}"),
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Holds(p) => write!(f, "{p}"),
            Cond::Lacks(p) => write!(f, "¬{p}"),
            Cond::AtLeast(k, ps) => {
                let ps: Vec<String> = ps.iter().map(Pat::to_string).collect();
                write!(f, "{k} of {{{}}}", ps.join(", "))
            }
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Derive(p) => write!(f, "+{p}"),
            Action::Retract(p) => write!(f, "-{p}"),
            Action::SetTimer(name, after) => write!(f, "timer {name} in {after}"),
            Action::Send(tag, to) => {
                let to: Vec<&str> = to
                    .iter()
                    .map(|t| match t {
                        To::Node(n) => n.as_str(),
                        To::From => "from",
                    })
                    .collect();
                write!(f, "send {tag} → {}", to.join(", "))
            }
        }
    }
}

fn list<T: fmt::Display>(items: &[T], sep: &str) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(sep)
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "on {}", self.on)?;
        if !self.when.is_empty() {
            write!(f, " when {}", list(&self.when, " ∧ "))?;
        }
        write!(f, ": {}", list(&self.then, "; "))?;
        if !self.otherwise.is_empty() {
            write!(f, " else: {}", list(&self.otherwise, "; "))?;
        }
        Ok(())
    }
}
