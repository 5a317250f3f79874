//! The spacetime diagram of a run as SVG: a column per node, a row per
//! tick; messages as arrows from send to delivery (lost ones dashed and
//! red, ending in a cross named after the fault), crashes as red bars with
//! the node's lifeline dashed while it is down, derived facts as green
//! dots, the facts a violation is about highlighted, and what is missing at
//! EOT in a last row.

use crate::svg::{self, text, text_width};
use ldfi_lineage::{Event, Fault, FaultSet, Loss, MsgId, NodeIdx, Tick, Trace};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What to point out on a diagram.
#[derive(Clone, Debug, Default)]
pub struct Highlights {
    /// The run's fault set (named on lost messages, crashes and in the footer).
    pub faults: FaultSet,
    /// Facts the violated invariant needed and did not find at EOT (shown
    /// in a last row; facts of the same relations are highlighted).
    pub missing: Vec<String>,
    /// Indices into `trace.events` of deliveries to highlight (an
    /// enforcement violation's witness).
    pub deliveries: BTreeSet<usize>,
}

/// Longest label shown in full (longer ones are cut, with a tooltip).
const LABEL_MAX: usize = 38;
/// Height of one event line.
const LINE: f64 = 18.0;
/// Left gutter (tick numbers).
const GUTTER: f64 = 52.0;
/// Header height (node names).
const HEAD: f64 = 46.0;
/// Lifeline offset inside a column; text starts after it.
const LIFE_DX: f64 = 14.0;
const TEXT_DX: f64 = 24.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Send,
    Deliver,
    Input,
    Derive,
    Highlight,
    Retract,
    Note,
    Crash,
    Lost,
}

struct Item {
    text: String,
    kind: Kind,
}

/// Where an item sits: (tick, node, line within the cell).
type Pos = (Tick, NodeIdx, usize);

/// The grid of items and the messages between them.
struct Grid {
    cells: BTreeMap<(Tick, NodeIdx), Vec<Item>>,
    sends: BTreeMap<(MsgId, NodeIdx), Pos>,
    /// (send key, delivery position, index of the Deliver event).
    delivered: Vec<((MsgId, NodeIdx), Pos, usize)>,
    lost: Vec<((MsgId, NodeIdx), Loss)>,
    /// Per node, ticks it is down: [from, until) intervals.
    down: BTreeMap<NodeIdx, Vec<(Tick, Tick)>>,
}

impl Grid {
    fn push(&mut self, t: Tick, n: NodeIdx, text: String, kind: Kind) -> Pos {
        let list = self.cells.entry((t, n)).or_default();
        list.push(Item { text, kind });
        (t, n, list.len() - 1)
    }
}

/// The relation of a fact written `rel(a, b)`, and its arguments.
fn parse_fact(s: &str) -> (&str, Vec<&str>) {
    match s.split_once('(') {
        Some((rel, rest)) => {
            let args = rest.trim_end_matches(')');
            (rel.trim(), args.split(", ").map(str::trim).collect())
        }
        None => (s.trim(), Vec::new()),
    }
}

fn grid(trace: &Trace, h: &Highlights) -> Grid {
    let hl_rels: BTreeSet<&str> = h.missing.iter().map(|m| parse_fact(m).0).collect();
    let mut g = Grid {
        cells: BTreeMap::new(),
        sends: BTreeMap::new(),
        delivered: Vec::new(),
        lost: Vec::new(),
        down: BTreeMap::new(),
    };
    let mut labels: BTreeMap<(MsgId, NodeIdx), &str> = BTreeMap::new();
    let mut crashed: BTreeMap<NodeIdx, Tick> = BTreeMap::new();
    for (i, e) in trace.events.iter().enumerate() {
        match e {
            Event::Send { id, to, label, .. } => {
                labels.insert((*id, *to), label);
                let p = g.push(
                    id.sent,
                    id.from,
                    format!("→{} {label}", trace.name(*to)),
                    Kind::Send,
                );
                g.sends.insert((*id, *to), p);
            }
            Event::Lost { id, to, reason } => {
                g.lost.push(((*id, *to), *reason));
                if *reason != Loss::AfterEot {
                    let why = loss_words(trace, &h.faults, &(*id, *to), *reason);
                    let text = format!("✗ →{} lost: {why}", trace.name(*to));
                    g.push(id.sent, id.from, text, Kind::Lost);
                }
            }
            Event::Deliver { id, to, at, .. } => {
                let label = labels.get(&(*id, *to)).copied().unwrap_or("?");
                let text = format!("←{} {label}", trace.name(id.from));
                let p = g.push(*at, *to, text, Kind::Deliver);
                g.delivered.push(((*id, *to), p, i));
            }
            Event::Input {
                node, at, label, ..
            } => {
                g.push(*at, *node, format!("⇐env {label}"), Kind::Input);
            }
            Event::Derive { node, at, fact, .. } => {
                let kind = if hl_rels.contains(fact.rel.as_str()) {
                    Kind::Highlight
                } else {
                    Kind::Derive
                };
                g.push(*at, *node, format!("+{fact}"), kind);
            }
            Event::Retract { node, at, fact, .. } => {
                g.push(*at, *node, format!("−{fact}"), Kind::Retract);
            }
            Event::Guard { node, at, fact, .. } => {
                g.push(*at, *node, format!("⊘ not {fact}"), Kind::Note);
            }
            Event::Timer { node, at, name } => {
                g.push(*at, *node, format!("⏰ {name}"), Kind::Note);
            }
            Event::Crash { node, at } => {
                let name = trace.name(*node).to_string();
                let fault = Fault::Crash {
                    node: name,
                    at: *at,
                };
                let text = if h.faults.faults().contains(&fault) {
                    format!("✗ {fault}: CRASHED")
                } else {
                    "✗ CRASHED".to_string()
                };
                g.push(*at, *node, text, Kind::Crash);
                crashed.insert(*node, *at);
            }
            Event::Restart { node, at } => {
                g.push(*at, *node, "↺ restarted".into(), Kind::Note);
                if let Some(from) = crashed.remove(node) {
                    g.down.entry(*node).or_default().push((from, *at));
                }
            }
        }
    }
    for (node, from) in crashed {
        g.down.entry(node).or_default().push((from, trace.eot + 1));
    }
    g
}

/// Geometry: column x positions and widths, row tops and heights.
struct Geo {
    col_x: Vec<f64>,
    col_w: Vec<f64>,
    row_y: BTreeMap<Tick, f64>,
    row_h: BTreeMap<Tick, f64>,
    bottom: f64,
}

impl Geo {
    fn life_x(&self, n: NodeIdx) -> f64 {
        self.col_x[n as usize] + LIFE_DX
    }

    /// Baseline of a cell's line.
    fn y(&self, (t, _, line): Pos) -> f64 {
        self.row_y[&t] + 16.0 + line as f64 * LINE
    }

    fn point(&self, p: Pos) -> (f64, f64) {
        (self.life_x(p.1), self.y(p) - 4.0)
    }
}

fn geometry(trace: &Trace, g: &Grid) -> Geo {
    let n = trace.nodes.len();
    let mut col_w: Vec<f64> = (0..n)
        .map(|i| (text_width(trace.name(i as NodeIdx)) * 1.2 + 40.0).max(150.0))
        .collect();
    for ((_, node), items) in &g.cells {
        let i = *node as usize;
        if i < n {
            for it in items {
                let w = text_width(&svg::fit(&it.text, LABEL_MAX)) + TEXT_DX + 16.0;
                col_w[i] = col_w[i].max(w);
            }
        }
    }
    let mut col_x = Vec::with_capacity(n);
    let mut x = GUTTER;
    for w in &col_w {
        col_x.push(x);
        x += w;
    }
    let (mut row_y, mut row_h) = (BTreeMap::new(), BTreeMap::new());
    let mut y = HEAD;
    for t in 1..=trace.eot.max(1) {
        let lines = (0..n)
            .map(|i| g.cells.get(&(t, i as NodeIdx)).map_or(0, Vec::len))
            .max()
            .unwrap_or(0)
            .max(1);
        let h = lines as f64 * LINE + 12.0;
        row_y.insert(t, y);
        row_h.insert(t, h);
        y += h;
    }
    Geo {
        col_x,
        col_w,
        row_y,
        row_h,
        bottom: y,
    }
}

/// The diagram of `trace` as an SVG element.
pub fn spacetime_svg(trace: &Trace, h: &Highlights) -> String {
    let g = grid(trace, h);
    let geo = geometry(trace, &g);
    let n = trace.nodes.len();
    let width = geo.col_x.last().map_or(GUTTER, |x| x + geo.col_w[n - 1]) + 20.0;
    let missing = missing_by_column(trace, &h.missing);
    let missing_lines = missing.values().map(Vec::len).max().unwrap_or(0);
    let missing_h = if missing_lines > 0 {
        missing_lines as f64 * LINE + 30.0
    } else {
        0.0
    };
    let faults = h.faults.faults();
    let foot_y = geo.bottom + missing_h + 14.0;
    let height = foot_y + 24.0 + faults.len().max(1) as f64 * LINE;
    let mut out = String::new();
    svg::open(&mut out, width, height, "spacetime diagram");
    rows(&mut out, trace, &geo, width);
    lifelines(&mut out, trace, &g, &geo);
    let lost = messages(&mut out, &g, &geo, h);
    items(&mut out, &g, &geo);
    lost_labels(&mut out, &lost);
    if missing_lines > 0 {
        missing_row(&mut out, &geo, &missing, width);
    }
    footer(&mut out, faults, foot_y);
    out.push_str("</svg>\n");
    out
}

/// Tick bands, tick numbers and node names.
fn rows(out: &mut String, trace: &Trace, geo: &Geo, width: f64) {
    for (t, y) in &geo.row_y {
        if t % 2 == 0 {
            let h = geo.row_h[t];
            let _ = writeln!(
                out,
                "<rect x=\"0\" y=\"{y:.1}\" width=\"{width:.0}\" height=\"{h:.1}\" fill=\"#f6f8fb\"/>"
            );
        }
        text(out, 10.0, y + 16.0, "tick", &format!("t{t}"), 8);
    }
    text(out, 10.0, 28.0, "tick", "tick", 8);
    for i in 0..trace.nodes.len() {
        let name = trace.name(i as NodeIdx);
        text(out, geo.col_x[i] + 6.0, 28.0, "head", name, 40);
    }
}

/// Each node's lifeline: solid while up, dashed red while down.
fn lifelines(out: &mut String, trace: &Trace, g: &Grid, geo: &Geo) {
    let top = HEAD - 8.0;
    let tick_y = |t: Tick| geo.row_y.get(&t).copied().unwrap_or(geo.bottom);
    for i in 0..trace.nodes.len() {
        let x = geo.life_x(i as NodeIdx);
        let mut y = top;
        for (from, until) in g.down.get(&(i as NodeIdx)).into_iter().flatten() {
            let (a, b) = (tick_y(*from) + 24.0, tick_y(*until));
            let _ = writeln!(
                out,
                "<line class=\"life\" x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{x:.1}\" y2=\"{a:.1}\"/>"
            );
            let _ = writeln!(
                out,
                "<line class=\"down\" x1=\"{x:.1}\" y1=\"{a:.1}\" x2=\"{x:.1}\" y2=\"{b:.1}\"/>"
            );
            y = b;
        }
        let end = geo.bottom;
        if y < end {
            let _ = writeln!(
                out,
                "<line class=\"life\" x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{x:.1}\" y2=\"{end:.1}\"/>"
            );
        }
    }
}

/// The fault that lost `key`, if the fault set names it.
fn omit_of(trace: &Trace, faults: &FaultSet, key: &(MsgId, NodeIdx)) -> Option<String> {
    let (id, to) = key;
    let (from, to) = (trace.name(id.from), trace.name(*to));
    faults.faults().iter().find_map(|f| match f {
        Fault::Omit { from: a, to: b, at } if a == from && b == to && *at == id.sent => {
            Some(f.to_string())
        }
        _ => None,
    })
}

/// Draws the messages; returns the labels of lost ones (x, y, text), to
/// be drawn over everything else.
fn messages(out: &mut String, g: &Grid, geo: &Geo, h: &Highlights) -> Vec<(f64, f64, String)> {
    let mut labels = Vec::new();
    for (key, to_pos, event) in &g.delivered {
        let Some(from_pos) = g.sends.get(key) else {
            continue;
        };
        let (x1, y1) = geo.point(*from_pos);
        let (x2, y2) = geo.point(*to_pos);
        let (class, marker) = if h.deliveries.contains(event) {
            ("msg witness", "arrow-hl")
        } else {
            ("msg", "arrow")
        };
        if key.0.from == key.1 {
            let bend = x1 - 12.0;
            let _ = writeln!(out, "<path class=\"{class}\" d=\"M{x1:.1},{y1:.1} C{bend:.1},{y1:.1} {bend:.1},{y2:.1} {x2:.1},{y2:.1}\" marker-end=\"url(#{marker})\"/>");
        } else {
            let _ = writeln!(out, "<line class=\"{class}\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" marker-end=\"url(#{marker})\"/>");
        }
    }
    for (key, reason) in &g.lost {
        let Some(from_pos) = g.sends.get(key) else {
            continue;
        };
        let (x1, y1) = geo.point(*from_pos);
        let x_to = geo.life_x(key.1);
        let next = geo
            .row_y
            .get(&(from_pos.0 + 1))
            .copied()
            .unwrap_or(geo.bottom);
        // Where it would have arrived: the receiver's lifeline, next tick.
        let (x2, y2) = if key.1 == key.0.from {
            (x1 + 30.0, next + 8.0)
        } else {
            (x_to, next + 8.0)
        };
        if *reason == Loss::AfterEot {
            let _ = writeln!(out, "<line class=\"late\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"/>");
            continue;
        }
        let _ = writeln!(out, "<line class=\"lost\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" marker-end=\"url(#arrow-bad)\"/>");
        labels.push((x2 - 4.0, y2 + 9.0, "✗".to_string()));
    }
    labels
}

/// Why a message was lost, naming the fault when the set has it.
fn loss_words(trace: &Trace, faults: &FaultSet, key: &(MsgId, NodeIdx), reason: Loss) -> String {
    match reason {
        Loss::Omitted => omit_of(trace, faults, key).unwrap_or_else(|| "omitted".into()),
        Loss::Partitioned => "partitioned".into(),
        Loss::ReceiverDown => "receiver down".into(),
        Loss::SenderDown => "sender down".into(),
        Loss::Refused => "refused by the enforcement sidecar".into(),
        Loss::AfterEot => "after EOT".into(),
    }
}

/// Lost messages' labels, on a backing so they read over anything.
fn lost_labels(out: &mut String, labels: &[(f64, f64, String)]) {
    for (x, y, s) in labels {
        let w = text_width(&svg::fit(s, 40)) + 6.0;
        let _ = writeln!(
            out,
            "<rect class=\"back\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"15\"/>",
            x - 3.0,
            y - 11.5
        );
        text(out, *x, *y, "bad", s, 40);
    }
}

fn items(out: &mut String, g: &Grid, geo: &Geo) {
    for ((t, node), list) in &g.cells {
        let x = geo.col_x[*node as usize];
        for (line, it) in list.iter().enumerate() {
            let y = geo.y((*t, *node, line));
            let lx = x + LIFE_DX;
            let tx = x + TEXT_DX;
            let class = match it.kind {
                Kind::Crash => {
                    let w = text_width(&svg::fit(&it.text, LABEL_MAX)) + 12.0;
                    let _ = writeln!(out, "<rect class=\"crash\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" rx=\"3\"/>", tx - 5.0, y - 12.0);
                    "bad"
                }
                Kind::Highlight => {
                    let w = text_width(&svg::fit(&it.text, LABEL_MAX)) + 10.0;
                    let _ = writeln!(out, "<rect class=\"hl\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" rx=\"3\"/>", tx - 4.0, y - 12.0);
                    let _ = writeln!(
                        out,
                        "<circle class=\"hl\" cx=\"{lx:.1}\" cy=\"{:.1}\" r=\"4\"/>",
                        y - 4.0
                    );
                    "hl"
                }
                Kind::Derive => {
                    let _ = writeln!(
                        out,
                        "<circle class=\"derive\" cx=\"{lx:.1}\" cy=\"{:.1}\" r=\"3.5\"/>",
                        y - 4.0
                    );
                    ""
                }
                Kind::Send | Kind::Deliver | Kind::Input => {
                    let _ = writeln!(
                        out,
                        "<circle class=\"ev\" cx=\"{lx:.1}\" cy=\"{:.1}\" r=\"2.5\"/>",
                        y - 4.0
                    );
                    ""
                }
                Kind::Retract | Kind::Note => "muted",
                Kind::Lost => "bad",
            };
            if !matches!(it.kind, Kind::Crash | Kind::Highlight) {
                // A backing so arrows pass under labels, not through them.
                let w = text_width(&svg::fit(&it.text, LABEL_MAX)) + 4.0;
                let _ = writeln!(
                    out,
                    "<rect class=\"back\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"15\"/>",
                    tx - 2.0,
                    y - 11.5
                );
            }
            let class = if it.kind == Kind::Crash {
                "crashlabel"
            } else {
                class
            };
            text(out, tx, y, class, &it.text, LABEL_MAX);
        }
    }
}

/// Missing facts by the column of the first node they name (column 0
/// when they name none).
fn missing_by_column(trace: &Trace, missing: &[String]) -> BTreeMap<usize, Vec<String>> {
    let mut by: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for m in missing {
        let (_, args) = parse_fact(m);
        let col = args
            .iter()
            .find_map(|a| trace.node(a))
            .map_or(0, |n| n as usize);
        by.entry(col).or_default().push(m.clone());
    }
    by
}

fn missing_row(out: &mut String, geo: &Geo, by: &BTreeMap<usize, Vec<String>>, width: f64) {
    let y0 = geo.bottom;
    let _ = writeln!(
        out,
        "<line class=\"grid\" x1=\"0\" y1=\"{y0:.1}\" x2=\"{width:.0}\" y2=\"{y0:.1}\"/>"
    );
    text(out, 10.0, y0 + 20.0, "bad", "EOT", 8);
    for (col, facts) in by {
        let x = geo.col_x.get(*col).copied().unwrap_or(GUTTER) + TEXT_DX;
        for (i, f) in facts.iter().enumerate() {
            let y = y0 + 20.0 + i as f64 * LINE;
            let label = format!("missing: {f}");
            let w = text_width(&svg::fit(&label, LABEL_MAX)) + 10.0;
            let _ = writeln!(out, "<rect class=\"missing\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" rx=\"3\"/>", x - 4.0, y - 12.0);
            text(out, x, y, "missing", &label, LABEL_MAX);
        }
    }
}

/// Every fault of the set, one per line.
fn footer(out: &mut String, faults: &[Fault], y: f64) {
    if faults.is_empty() {
        text(out, 10.0, y + 4.0, "muted", "fault set: {} (no faults)", 80);
        return;
    }
    text(out, 10.0, y + 4.0, "head", "fault set", 20);
    for (i, f) in faults.iter().enumerate() {
        text(
            out,
            110.0,
            y + 4.0 + i as f64 * LINE,
            "bad",
            &f.to_string(),
            80,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_parse_into_relation_and_arguments() {
        assert_eq!(
            parse_fact("history(n3, e03d)"),
            ("history", vec!["n3", "e03d"])
        );
        assert_eq!(parse_fact("done"), ("done", vec![]));
    }
}
