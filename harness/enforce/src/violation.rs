//! What the checker reports.

use std::fmt;

use crate::value::Value;

/// What was violated.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A `rule`, by name.
    Rule(String),
    /// The service received a message its model does not list.
    UnexpectedRecv {
        /// The modeled service.
        service: String,
    },
    /// The service sent a message its model does not allow, or allows only
    /// after a receive that had not happened.
    UnexpectedSend {
        /// The modeled service.
        service: String,
    },
}

impl Source {
    /// The rule name, or the service whose model was broken.
    pub fn name(&self) -> &str {
        match self {
            Source::Rule(n) => n,
            Source::UnexpectedRecv { service } | Source::UnexpectedSend { service } => service,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Rule(n) => write!(f, "rule `{n}`"),
            Source::UnexpectedRecv { service } => {
                write!(f, "model `{service}`: unexpected receive")
            }
            Source::UnexpectedSend { service } => write!(f, "model `{service}`: unexpected send"),
        }
    }
}

/// One violation: what was broken, for which key, by which event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule or model.
    pub source: Source,
    /// The rule's key variables (without `$`) and their values; empty for an
    /// unkeyed rule or a model.
    pub key: Vec<(String, Value)>,
    /// Index (0-based, in observation order) of the violating event.
    pub event: u64,
    /// Indices of the events that led to the violation, oldest first, ending
    /// with `event`: for a rule, the events that moved this key's automaton
    /// to a new state before it (the most recent ones, at most
    /// [`WITNESS_MAX`] indices in all); for a model, just `event`.
    pub witness: Vec<u64>,
    /// For a rule: the state of this key's automaton after each event of
    /// `witness` (same length; the last is the accepting state `event`
    /// led to; the automaton starts in state 0). Empty for a model. For
    /// reports: DFA state numbers, stable for one spec.
    pub states: Vec<u32>,
}

/// At most this many event indices in a rule violation's witness.
pub const WITNESS_MAX: usize = 8;

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if !self.key.is_empty() {
            f.write_str(" for")?;
            for (i, (name, v)) in self.key.iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                write!(f, "{sep}${name} = {v}")?;
            }
        }
        write!(f, " at event {} (witness:", self.event)?;
        for w in &self.witness {
            write!(f, " {w}")?;
        }
        f.write_str(")")
    }
}

/// The last [`WITNESS_MAX`] events that changed a key's state, and the
/// state each led to, inline.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path {
    buf: [u64; WITNESS_MAX],
    states: [u32; WITNESS_MAX],
    pushed: u64,
}

impl Path {
    pub(crate) const EMPTY: Path = Path {
        buf: [0; WITNESS_MAX],
        states: [0; WITNESS_MAX],
        pushed: 0,
    };

    pub(crate) fn push(&mut self, event: u64, state: u32) {
        let slot = (self.pushed % WITNESS_MAX as u64) as usize;
        self.buf[slot] = event;
        self.states[slot] = state;
        self.pushed += 1;
    }

    /// `last` preceded by the most recent kept events before it, oldest
    /// first, at most [`WITNESS_MAX`] in all.
    pub(crate) fn witness(&self, last: u64) -> Vec<u64> {
        let mut out: Vec<u64> = self.kept(last).map(|i| self.buf[i]).collect();
        out.push(last);
        out
    }

    /// The states after the events of [`Path::witness`]`(last)`, ending
    /// with `last_state`, the state `last` leads to.
    pub(crate) fn states(&self, last: u64, last_state: u32) -> Vec<u32> {
        let mut out: Vec<u32> = self.kept(last).map(|i| self.states[i]).collect();
        out.push(last_state);
        out
    }

    /// Buffer slots of the kept events before `last`, oldest first.
    fn kept(&self, last: u64) -> impl Iterator<Item = usize> {
        let mut end = self.pushed;
        if end > 0 && self.buf[((end - 1) % WITNESS_MAX as u64) as usize] == last {
            end -= 1;
        }
        let n = end.min(WITNESS_MAX as u64 - 1);
        (end - n..end).map(|i| (i % WITNESS_MAX as u64) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keeps_the_last_events() {
        let mut p = Path::EMPTY;
        assert_eq!(p.witness(3), vec![3]);
        assert_eq!(p.states(3, 1), vec![1]);
        for i in 0..10 {
            p.push(i, i as u32 + 100);
        }
        assert_eq!(p.witness(9), (2..10).collect::<Vec<_>>());
        assert_eq!(p.states(9, 109), (102..110).collect::<Vec<_>>());
        assert_eq!(p.witness(12), vec![3, 4, 5, 6, 7, 8, 9, 12]);
        assert_eq!(p.states(12, 7), vec![103, 104, 105, 106, 107, 108, 109, 7]);
    }

    #[test]
    fn display() {
        let v = Violation {
            source: Source::Rule("I2".into()),
            key: vec![("c".into(), Value::from("c1"))],
            event: 4,
            witness: vec![1, 4],
            states: vec![1, 2],
        };
        assert_eq!(
            v.to_string(),
            r#"rule `I2` for $c = "c1" at event 4 (witness: 1 4)"#
        );
    }
}
