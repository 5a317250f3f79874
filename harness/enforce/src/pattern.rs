//! Compiled message patterns: matching an event and enumerating the
//! variable bindings it yields, without allocating.

use crate::ast::OpAst;
use crate::event::{Dir, MsgEvent};
use crate::value::{Value, ValueRef};

/// At most this many variables per rule key or model clause.
pub(crate) const MAX_VARS: usize = 8;

/// Variable slots during matching; `None` while unbound.
pub(crate) type Slots<'e> = [Option<ValueRef<'e>>; MAX_VARS];

/// What one end of a message must be.
#[derive(Clone, Debug)]
pub(crate) enum EndSel {
    Any,
    Node(String),
    Slot(u8),
}

/// A test on one field against literals.
#[derive(Clone, Debug)]
pub(crate) enum Test {
    Cmp(OpAst, Value),
    In(Vec<Value>),
    Contains(Value),
}

/// A field binding: `field == $v` (one value) or `field contains $v` (each
/// element of a list in turn).
#[derive(Clone, Debug)]
pub(crate) struct FieldBind {
    pub(crate) field: String,
    pub(crate) slot: u8,
    pub(crate) each: bool,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    pub(crate) dir: Option<Dir>,
    /// `None` matches every kind.
    pub(crate) kind: Option<String>,
    pub(crate) src: EndSel,
    pub(crate) dst: EndSel,
    pub(crate) tests: Vec<(String, Test)>,
    pub(crate) binds: Vec<FieldBind>,
    /// Bit `i` set when the pattern binds slot `i`.
    pub(crate) used: u16,
}

impl Test {
    fn holds(&self, v: &Value) -> bool {
        match self {
            Test::Cmp(OpAst::Eq, lit) => v == lit,
            Test::Cmp(OpAst::Ne, lit) => v != lit,
            Test::Cmp(op, lit) => v.compare(lit).is_some_and(|o| match op {
                OpAst::Lt => o.is_lt(),
                OpAst::Le => o.is_le(),
                OpAst::Gt => o.is_gt(),
                OpAst::Ge => o.is_ge(),
                _ => false,
            }),
            Test::In(items) => items.contains(v),
            Test::Contains(lit) => match (v, lit) {
                (Value::List(items), lit) => items.contains(lit),
                (Value::Str(s), Value::Str(sub)) => s.contains(sub.as_str()),
                _ => false,
            },
        }
    }
}

fn end_ok(sel: &EndSel, node: &str) -> bool {
    match sel {
        EndSel::Node(n) => n == node,
        EndSel::Any | EndSel::Slot(_) => true,
    }
}

/// Binds `slot` to `v`, or checks it equals the value bound before.
fn assign<'e>(slots: &mut Slots<'e>, slot: u8, v: ValueRef<'e>) -> bool {
    let cell = &mut slots[usize::from(slot)];
    match cell {
        None => {
            *cell = Some(v);
            true
        }
        Some(old) => *old == v,
    }
}

impl Pattern {
    /// Direction, kind, literal ends and field tests (not variables).
    pub(crate) fn matches_shape(&self, ev: &MsgEvent) -> bool {
        self.kind.as_ref().is_none_or(|k| *k == ev.kind) && self.matches_shape_but_kind(ev)
    }

    /// [`Pattern::matches_shape`] for an event whose kind is known to match
    /// (it was found through the kind index).
    #[inline]
    pub(crate) fn matches_shape_but_kind(&self, ev: &MsgEvent) -> bool {
        self.dir.is_none_or(|d| d == ev.dir)
            && end_ok(&self.src, &ev.src)
            && end_ok(&self.dst, &ev.dst)
            && self
                .tests
                .iter()
                .all(|(f, t)| ev.field(f).is_some_and(|v| t.holds(v)))
    }

    /// Calls `f` once per complete binding of the pattern's variables (once
    /// with no variables; several times when `contains` binds list
    /// elements). Call only after [`Pattern::matches_shape`] holds.
    pub(crate) fn for_each_binding<'e, F: FnMut(&Slots<'e>)>(&self, ev: &'e MsgEvent, f: &mut F) {
        let mut slots: Slots<'e> = [None; MAX_VARS];
        if let EndSel::Slot(s) = self.src {
            assign(&mut slots, s, ValueRef::Str(&ev.src));
        }
        if let EndSel::Slot(s) = self.dst {
            if !assign(&mut slots, s, ValueRef::Str(&ev.dst)) {
                return;
            }
        }
        self.bind_from(0, ev, &mut slots, f);
    }

    fn bind_from<'e, F: FnMut(&Slots<'e>)>(
        &self,
        i: usize,
        ev: &'e MsgEvent,
        slots: &mut Slots<'e>,
        f: &mut F,
    ) {
        let Some(b) = self.binds.get(i) else {
            f(slots);
            return;
        };
        let Some(v) = ev.field(&b.field) else {
            return;
        };
        let saved = slots[usize::from(b.slot)];
        if b.each {
            let Value::List(items) = v else {
                return;
            };
            for item in items {
                if assign(slots, b.slot, ValueRef::of(item)) {
                    self.bind_from(i + 1, ev, slots, f);
                }
                slots[usize::from(b.slot)] = saved;
            }
        } else {
            if assign(slots, b.slot, ValueRef::of(v)) {
                self.bind_from(i + 1, ev, slots, f);
            }
            slots[usize::from(b.slot)] = saved;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat() -> Pattern {
        Pattern {
            dir: None,
            kind: Some("Ack".into()),
            src: EndSel::Slot(0),
            dst: EndSel::Node("C".into()),
            tests: vec![("id".into(), Test::Cmp(OpAst::Ge, Value::Int(2)))],
            binds: vec![FieldBind {
                field: "replicas".into(),
                slot: 1,
                each: true,
            }],
            used: 0b11,
        }
    }

    #[test]
    fn contains_binds_each_element() {
        let ev = MsgEvent::new("n1", "C", Dir::Request, "Ack")
            .with("id", 2u32)
            .with("replicas", vec!["n2", "n3"]);
        let p = pat();
        assert!(p.matches_shape(&ev));
        let mut seen = Vec::new();
        p.for_each_binding(&ev, &mut |s: &Slots<'_>| {
            seen.push((s[0].unwrap().to_value(), s[1].unwrap().to_value()))
        });
        assert_eq!(
            seen,
            vec![
                (Value::from("n1"), Value::from("n2")),
                (Value::from("n1"), Value::from("n3"))
            ]
        );
    }

    #[test]
    fn shape_rejects() {
        let p = pat();
        let ev = MsgEvent::new("n1", "C", Dir::Request, "Ack").with("id", 1u32);
        assert!(!p.matches_shape(&ev));
        let ev = MsgEvent::new("n1", "M", Dir::Request, "Ack").with("id", 5u32);
        assert!(!p.matches_shape(&ev));
        let ev = MsgEvent::new("n1", "C", Dir::Request, "Ack").with("id", "5");
        assert!(!p.matches_shape(&ev));
    }
}
