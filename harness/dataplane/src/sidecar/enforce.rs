//! Enforcement: the protocol's spec, checked by the same `ldfi-enforce`
//! checker as in simulation, over everything the node receives and sends.
//!
//! A sidecar sees one node's traffic, so it judges that node's behaviour:
//! every envelope in and out advances the automata, and a violation is
//! raised on what the node *sends* (an inbound message would be judged
//! against a history the sidecar only half saw). The simulator's checker,
//! which sees the whole run, decides the verdict of a conducted run.

use ldfi_enforce::{Checker, MsgEvent, Spec, Violation};
use serde_json::{json, Value};

/// What a sidecar does with a message that violates a predicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Refuse it (ucheck-style): a gRPC status naming the rule.
    Refuse,
    /// Log and count it, and forward it anyway (lockstep conformance: the
    /// simulator delivers it too).
    Observe,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "refuse" => Ok(Mode::Refuse),
            "observe" => Ok(Mode::Observe),
            other => Err(format!(
                "unknown enforcement mode `{other}` (refuse, observe)"
            )),
        }
    }
}

/// The checker of one sidecar.
pub struct Enforcer {
    checker: Option<Checker>,
    mode: Mode,
}

impl Enforcer {
    /// Checks `spec` (none: nothing is ever refused by a predicate).
    pub fn new(spec: Option<&Spec>, mode: Mode) -> Enforcer {
        Enforcer {
            checker: spec.map(Checker::new),
            mode,
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Feeds a message the node receives.
    pub fn inbound(&mut self, ev: &MsgEvent) {
        if let Some(c) = &mut self.checker {
            c.observe(ev);
            c.take_violations();
        }
    }

    /// Feeds a message the node sends; the violations it causes. Under
    /// `refuse` a violating message changes no automaton (it is dropped).
    pub fn outbound(&mut self, ev: &MsgEvent) -> Vec<Violation> {
        let Some(c) = &mut self.checker else {
            return Vec::new();
        };
        let found = match self.mode {
            Mode::Refuse => c.enforce(ev).to_vec(),
            Mode::Observe => c.observe(ev).to_vec(),
        };
        c.take_violations();
        found
    }

    /// Events checked so far.
    pub fn events_seen(&self) -> u64 {
        self.checker.as_ref().map_or(0, Checker::events_seen)
    }
}

/// The name a violation goes by: its rule, or the model broken.
pub fn rule_name(v: &Violation) -> String {
    v.source.name().to_string()
}

/// A violation's key as a JSON object.
pub fn key_json(v: &Violation) -> Value {
    let mut key = serde_json::Map::new();
    for (name, value) in &v.key {
        key.insert(name.clone(), json!(value.to_string()));
    }
    Value::Object(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldfi_enforce::Dir;

    const SPEC: &str = "let ok = _ -> s Ok{id = $i};\nlet use_ = s -> db Use{id = $i};\nrule use_after_ok { key $i; forbid use_ before ok; }\n";

    fn ev(src: &str, dst: &str, kind: &str, id: i64) -> MsgEvent {
        MsgEvent::new(src, dst, Dir::Request, kind).with("id", id)
    }

    #[test]
    fn refuses_what_the_node_sends_out_of_order_and_keeps_serving() {
        let spec = Spec::parse("t.spec", SPEC).expect("parses");
        let mut e = Enforcer::new(Some(&spec), Mode::Refuse);
        assert_eq!(
            rule_name(&e.outbound(&ev("s", "db", "Use", 1))[0]),
            "use_after_ok"
        );
        e.inbound(&ev("c", "s", "Ok", 2));
        assert!(e.outbound(&ev("s", "db", "Use", 2)).is_empty());
        assert_eq!(e.events_seen(), 3);
    }

    #[test]
    fn no_spec_refuses_nothing() {
        let mut e = Enforcer::new(None, Mode::Refuse);
        assert!(e.outbound(&ev("s", "db", "Use", 1)).is_empty());
    }
}
