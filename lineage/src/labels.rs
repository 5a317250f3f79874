//! Labels and payloads of lineage vertices, shared by [`lineage`](crate::lineage)
//! and [`lineage_naive`](crate::lineage_naive) so both build identical graphs.

use crate::graph::{Vertex, Vid};
use crate::prop::Prop;
use crate::trace::{Event, Trace};

/// The vertex of a `Derive` or `Send` event with the given cause vertices.
pub(crate) fn act_vertex(e: &Event, causes: Vec<Vid>) -> Vertex {
    match e {
        Event::Derive { node, at, fact, .. } => Vertex::Derivation {
            node: *node,
            at: *at,
            fact: fact.clone(),
            causes,
        },
        Event::Send { id, to, .. } => Vertex::Message {
            id: *id,
            to: *to,
            causes,
        },
        _ => unreachable!("acts are sends and derivations"),
    }
}

/// Label of the disjunction "`fact` as held by `node` at its step `k`",
/// e.g. `log(b, x) at b by step 3`.
pub(crate) fn held_label(fact: &str, node: &str, k: u32) -> String {
    let mut label = String::with_capacity(fact.len() + node.len() + 20);
    for part in [fact, " at ", node, " by step "] {
        label.push_str(part);
    }
    push_u32(&mut label, k);
    label
}

/// Label of the history prefix of `node` up to its step `k`, e.g. `hb(b, 3)`.
pub(crate) fn hb_label(node: &str, k: u32) -> String {
    let mut label = String::with_capacity(node.len() + 16);
    for part in ["hb(", node, ", "] {
        label.push_str(part);
    }
    push_u32(&mut label, k);
    label.push(')');
    label
}

/// Appends `k` in decimal (without the formatting machinery: labels are
/// made for every vertex of every lineage).
fn push_u32(s: &mut String, mut k: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (k % 10) as u8;
        k /= 10;
        if k == 0 {
            break;
        }
    }
    s.push_str(std::str::from_utf8(&buf[i..]).expect("digits are ASCII"));
}

/// A proposition rendered with node names, e.g. `(log(b, x) ∧ crashed(a))`.
pub(crate) fn prop_label(p: &Prop, trace: &Trace) -> String {
    let join = |ps: &[Prop], op: &str| {
        let parts: Vec<String> = ps.iter().map(|q| prop_label(q, trace)).collect();
        format!("({})", parts.join(op))
    };
    match p {
        Prop::True => "true".into(),
        Prop::False => "false".into(),
        Prop::Holds(f) => f.to_string(),
        Prop::Crashed(n) => format!("crashed({})", trace.name(*n)),
        Prop::CrashedBy(n, t) => format!("crashed_by({}, {t})", trace.name(*n)),
        Prop::And(ps) => join(ps, " ∧ "),
        Prop::Or(ps) => join(ps, " ∨ "),
        Prop::Not(q) => format!("¬{}", prop_label(q, trace)),
        Prop::HoldsAt(n, f) => format!("{f} at {}", trace.name(*n)),
        Prop::NoneAt(n, rel) => format!("no {rel} at {}", trace.name(*n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_well() {
        assert_eq!(
            held_label("log(b, x)", "b", 30),
            "log(b, x) at b by step 30"
        );
        assert_eq!(hb_label("b", 0), "hb(b, 0)");
        assert_eq!(hb_label("b", u32::MAX), "hb(b, 4294967295)");
    }
}
