//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ldfi_enforce::{Checker, Dir, MsgEvent, Spec, Value, Violation};

/// A request event with fields.
pub fn req(src: &str, dst: &str, kind: &str, fields: &[(&str, Value)]) -> MsgEvent {
    with_fields(MsgEvent::new(src, dst, Dir::Request, kind), fields)
}

/// A response event with fields.
pub fn resp(src: &str, dst: &str, kind: &str, fields: &[(&str, Value)]) -> MsgEvent {
    with_fields(MsgEvent::new(src, dst, Dir::Response, kind), fields)
}

fn with_fields(mut ev: MsgEvent, fields: &[(&str, Value)]) -> MsgEvent {
    for (n, v) in fields {
        ev = ev.with(*n, v.clone());
    }
    ev
}

/// A string value.
pub fn s(x: &str) -> Value {
    Value::from(x)
}

/// An integer value.
pub fn i(x: i64) -> Value {
    Value::from(x)
}

/// Parses `src` (panicking with the error, in tests only).
pub fn spec(src: &str) -> Spec {
    Spec::parse("test.spec", src).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a stream through a fresh checker; returns all violations.
pub fn run(spec: &Spec, events: &[MsgEvent]) -> Vec<Violation> {
    let mut c = Checker::new(spec);
    for ev in events {
        c.observe(ev);
    }
    c.into_violations()
}

/// Each violation as one line (its `Display`), for golden comparisons.
pub fn lines(vs: &[Violation]) -> Vec<String> {
    vs.iter().map(ToString::to_string).collect()
}
