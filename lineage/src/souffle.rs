//! Lineage for people's own Datalog: the relations of [`Facts`] and the
//! computed lineage graph as Soufflé `.facts` files (tab-separated, one row a
//! line), and [`LINEAGE_DL`], the rules of [`rules`](crate::rules) as a
//! Soufflé program over them.
//!
//! Files and their relations (ids as in [`facts`](crate::facts)):
//! - `node.facts`: `node(n, name)`; `fact.facts`: `fact(f, text)`;
//!   `message.facts`: `message(m, from, t, seq)`, the id of every message.
//! - The trace: `sent`, `delivered`, `derived`, `step`, `held`,
//!   `cause_msg`, `cause_held`, `cause_hb`, `cause_input`, `crashed`,
//!   `outcome`, as documented on [`Facts`].
//! - The lineage graph ldfi computed: `vertex(v, kind, label)` (kind one of
//!   `true false or and derivation message crashed`), `edge(v, pos, w)`
//!   (child number `pos` of `v` is `w`), `root(v)`.

use crate::build::lineage;
use crate::export::vertex_label;
use crate::facts::Facts;
use crate::graph::{Vertex, Vid};
use crate::prop::Prop;
use crate::trace::{Event, Trace};
use std::fmt::Write;

/// The Soufflé program: declarations and `.input`s matching the files of
/// [`to_souffle_facts`], and the lineage rules R1–R10 with their results
/// as `.output`s. Run it with `souffle -F DIR -D OUT lineage.dl`.
pub const LINEAGE_DL: &str = include_str!("lineage.dl");

/// The `.facts` files of `trace` and `outcome`: `(file name, contents)`, in
/// the order the module documentation lists them.
pub fn to_souffle_facts(trace: &Trace, outcome: &Prop) -> Vec<(String, String)> {
    let fx = Facts::new(trace, outcome);
    let g = lineage(trace, outcome);
    let mut files = Vec::new();
    let mut file = |name: &str, rows: String| files.push((format!("{name}.facts"), rows));

    let names = trace.nodes.iter().enumerate();
    file(
        "node",
        rows(names.map(|(n, s)| format!("{n}\t{}", clean(s)))),
    );
    let facts = fx.facts.iter().enumerate();
    file(
        "fact",
        rows(facts.map(|(f, x)| format!("{f}\t{}", clean(&x.to_string())))),
    );
    let sent = trace
        .events
        .iter()
        .enumerate()
        .filter_map(|(e, ev)| match ev {
            Event::Send { id, .. } => Some((e as u32, *id)),
            _ => None,
        });
    let unsent = fx
        .unsent
        .iter()
        .enumerate()
        .map(|(i, id)| (fx.events + i as u32, *id));
    let msgs = sent.chain(unsent);
    file(
        "message",
        rows(msgs.map(|(m, id)| format!("{m}\t{}\t{}\t{}", id.from, id.sent, id.seq))),
    );
    file(
        "sent",
        rows(fx.sent.iter().map(|r| tsv(&[r.0, r.1, r.2, r.3]))),
    );
    file(
        "delivered",
        rows(fx.delivered.iter().map(|r| tsv(&[r.0, r.1, r.2]))),
    );
    file(
        "derived",
        rows(fx.derived.iter().map(|r| tsv(&[r.0, r.1, r.2, r.3, r.4]))),
    );
    file("step", rows(fx.step.iter().map(|r| tsv(&[r.0, r.1, r.2]))));
    file(
        "held",
        rows(fx.held.iter().map(|r| tsv(&[r.0, r.1, r.2, r.3]))),
    );
    file(
        "cause_msg",
        rows(fx.cause_msg.iter().map(|r| tsv(&[r.0, r.1, r.2]))),
    );
    file(
        "cause_held",
        rows(fx.cause_held.iter().map(|r| tsv(&[r.0, r.1, r.2]))),
    );
    file(
        "cause_hb",
        rows(fx.cause_hb.iter().map(|r| tsv(&[r.0, r.1, r.2, r.3]))),
    );
    file(
        "cause_input",
        rows(fx.cause_input.iter().map(|r| tsv(&[r.0, r.1, r.2]))),
    );
    file("crashed", rows(fx.crashed.iter().map(|r| tsv(&[r.0, r.1]))));
    file("outcome", rows(fx.outcome.iter().map(|f| f.to_string())));

    let vertices = g.vertices.iter().enumerate().map(|(v, x)| {
        let label = clean(&vertex_label(&g, x));
        format!("{v}\t{}\t{label}", kind(x))
    });
    file("vertex", rows(vertices));
    let mut edges = String::new();
    for v in 0..g.vertices.len() as Vid {
        for (pos, w) in g.children(v).iter().enumerate() {
            let _ = writeln!(edges, "{v}\t{pos}\t{w}");
        }
    }
    file("edge", edges);
    file("root", format!("{}\n", g.root));
    files
}

/// A vertex's kind as the `vertex` relation names it.
fn kind(v: &Vertex) -> &'static str {
    match v {
        Vertex::True => "true",
        Vertex::False => "false",
        Vertex::Or { .. } => "or",
        Vertex::And { .. } => "and",
        Vertex::Derivation { .. } => "derivation",
        Vertex::Message { .. } => "message",
        Vertex::Crashed { .. } | Vertex::CrashedBy { .. } => "crashed",
        Vertex::RestartedBy { .. } => "restarted",
        Vertex::Not { .. } => "not",
    }
}

fn tsv(cols: &[u32]) -> String {
    let cols: Vec<String> = cols.iter().map(u32::to_string).collect();
    cols.join("\t")
}

fn rows(lines: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// A symbol for a `.facts` file: tabs and line breaks become spaces.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{chain_abc, fact};

    #[test]
    fn every_file_is_declared_and_read_by_the_program() {
        let files = to_souffle_facts(&chain_abc(), &Prop::Holds(fact("got", "c")));
        assert_eq!(files.len(), 17);
        for (name, rows) in &files {
            let rel = name.strip_suffix(".facts").unwrap();
            assert!(
                LINEAGE_DL.contains(&format!(".decl {rel}(")),
                "{rel} undeclared"
            );
            assert!(
                LINEAGE_DL.contains(&format!(".input {rel}\n")),
                "{rel} not read"
            );
            let arity = LINEAGE_DL.split(&format!(".decl {rel}(")).nth(1).unwrap();
            let arity = arity.split(')').next().unwrap().matches(':').count();
            for row in rows.lines() {
                assert_eq!(row.split('\t').count(), arity, "{name}: {row}");
            }
        }
    }

    #[test]
    fn chain_rows() {
        let files = to_souffle_facts(&chain_abc(), &Prop::Holds(fact("got", "c")));
        let get = |n: &str| &files.iter().find(|(f, _)| f == n).unwrap().1;
        assert_eq!(get("node.facts"), "0\ta\n1\tb\n2\tc\n");
        // a sends m0 at 1; b gets it (step 1), sends m2 at 2; c gets it and derives.
        assert_eq!(get("sent.facts"), "0\t0\t1\t1\n2\t1\t2\t2\n");
        assert_eq!(get("cause_msg.facts"), "2\t0\t0\n4\t0\t2\n");
        assert!(get("vertex.facts").contains("derivation\tgot(c) @c 3\n"));
        assert_eq!(
            get("root.facts").trim(),
            (get("vertex.facts").lines().count() - 1).to_string()
        );
    }
}
