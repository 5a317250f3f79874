//! The lineage graph for people and tools: Graphviz DOT and JSON.

use crate::graph::{LineageGraph, Vertex, Vid};
use crate::trace::{NodeIdx, ENV};
use std::fmt::Write;

/// The graph in Graphviz DOT, each vertex pointing at its children (what it
/// needs). Derivations are boxes labelled `fact @node t`, messages ellipses
/// labelled `from→to @t` (with `#seq` after a tick's first send), `Or`s
/// diamonds and `And`s hexagons labelled with what they stand for,
/// crashes red octagons; the outcome has a double border.
///
/// ```
/// use ldfi_lineage::{lineage, to_dot, Fact, Prop, Trace};
/// let g = lineage(&Trace::default(), &Prop::Holds(Fact::new("x", ["1"])));
/// assert!(to_dot(&g).starts_with("digraph lineage {"));
/// ```
pub fn to_dot(g: &LineageGraph) -> String {
    let mut out = String::from("digraph lineage {\n  node [fontname=\"monospace\"];\n");
    for (i, v) in g.vertices.iter().enumerate() {
        let shape = match v {
            Vertex::True | Vertex::False => "plaintext",
            Vertex::Or { .. } => "diamond",
            Vertex::And { .. } => "hexagon",
            Vertex::Derivation { .. } => "box",
            Vertex::Message { .. } => "ellipse",
            Vertex::Crashed { .. } | Vertex::CrashedBy { .. } => "octagon, color=red",
            Vertex::RestartedBy { .. } => "octagon, color=orange",
            Vertex::Not { .. } => "invtriangle",
        };
        let root = if i as Vid == g.root {
            ", peripheries=2"
        } else {
            ""
        };
        let label = escape(&vertex_label(g, v));
        let _ = writeln!(out, "  v{i} [shape={shape}{root}, label=\"{label}\"];");
    }
    for i in 0..g.vertices.len() {
        for c in g.children(i as Vid) {
            let _ = writeln!(out, "  v{i} -> v{c};");
        }
    }
    out.push_str("}\n");
    out
}

/// The graph as JSON (the serde form of [`LineageGraph`]), pretty-printed.
pub fn to_json(g: &LineageGraph) -> String {
    serde_json::to_string_pretty(g).expect("a lineage graph always serializes")
}

/// A one-line description of a vertex: `log(b, x) @b 3` for a derivation,
/// `a→b @1` for a message, `OR log(b, x)` / `AND hb(b, 2)` for the others.
pub fn vertex_label(g: &LineageGraph, v: &Vertex) -> String {
    match v {
        Vertex::True => "true".into(),
        Vertex::False => "false".into(),
        Vertex::Or { label, .. } => format!("OR {label}"),
        Vertex::And { label, .. } => format!("AND {label}"),
        Vertex::Derivation { node, at, fact, .. } => format!("{fact} @{} {at}", name(g, *node)),
        Vertex::Message { id, to, .. } => {
            let seq = if id.seq > 0 {
                format!("#{}", id.seq)
            } else {
                String::new()
            };
            format!("{}→{} @{}{seq}", name(g, id.from), name(g, *to), id.sent)
        }
        Vertex::Crashed { node } => format!("crashed({})", name(g, *node)),
        Vertex::CrashedBy { node, at } => format!("crashed_by({}, {at})", name(g, *node)),
        Vertex::RestartedBy { node, at } => format!("restarted_by({}, {at})", name(g, *node)),
        Vertex::Not { label, .. } => format!("NOT {label}"),
    }
}

/// A node's name in the graph (`env` for the environment, `#n` if unknown).
fn name(g: &LineageGraph, n: NodeIdx) -> String {
    match g.nodes.get(n as usize) {
        _ if n == ENV => "env".into(),
        Some(s) => s.clone(),
        None => format!("#{n}"),
    }
}

/// Escapes a string for a double-quoted DOT label.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{chain_abc, fact};
    use crate::{lineage, Prop};

    #[test]
    fn dot_shows_derivations_messages_and_the_outcome() {
        let t = chain_abc();
        let g = lineage(&t, &Prop::Holds(fact("got", "c")));
        let dot = to_dot(&g);
        assert!(dot.contains("shape=box, label=\"got(c) @c 3\""), "{dot}");
        assert!(dot.contains("shape=ellipse, label=\"a→b @1\""), "{dot}");
        assert!(dot.contains("shape=ellipse, label=\"b→c @2\""), "{dot}");
        assert!(dot.contains("peripheries=2, label=\"OR got(c)\""), "{dot}");
        let edges = dot.lines().filter(|l| l.contains("->")).count();
        let children: usize = (0..g.vertices.len())
            .map(|v| g.children(v as Vid).len())
            .sum();
        assert_eq!(edges, children);
    }

    #[test]
    fn json_round_trips() {
        let t = chain_abc();
        let g = lineage(&t, &Prop::Holds(fact("got", "c")));
        let back: LineageGraph = serde_json::from_str(&to_json(&g)).unwrap();
        assert_eq!(back, g);
    }

    #[test]
    fn dot_escapes_quotes() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
