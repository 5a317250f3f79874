//! The lineage graph of a good run as SVG, laid out by [`crate::layout`],
//! with a fault set overlaid: the messages it omits and the derivations
//! its crashes stop are marked with the fault's name, every vertex that no
//! longer holds under it has a dashed red border, and the edges into such
//! vertices are dashed red — so the picture shows how the fault set breaks
//! every way the outcome came about (or which way survives).
//!
//! Drawing simplifications: `true` leaves (workload inputs) are left out,
//! and an `OR` with a single alternative is drawn as that alternative
//! (except the outcome).

use crate::layout::layered;
use crate::svg::{self, text, text_width};
use ldfi_lineage::export::vertex_label;
use ldfi_lineage::{Fault, FaultSet, LineageGraph, NodeIdx, Tick, Vertex, Vid};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Longest vertex label shown in full.
const LABEL_MAX: usize = 36;
const BOX_H: f64 = 28.0;
const LAYER_GAP: f64 = 52.0;

/// What the overlay found: per fault, how many drawn vertices it hits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overlay {
    /// Vertices drawn.
    pub drawn: usize,
    /// Whether the outcome still holds under the fault set.
    pub holds: bool,
    /// Per fault (as written), the vertices it hits directly.
    pub hits: Vec<(String, usize)>,
}

/// The fault of `faults` that stops vertex `v` directly, if any: the
/// `omit` of a message, or the `crash` of a derivation's or sender's node
/// at or before its tick.
fn direct_fault(g: &LineageGraph, v: &Vertex, faults: &FaultSet) -> Option<Fault> {
    let name = |n: NodeIdx| g.nodes.get(n as usize).cloned().unwrap_or_default();
    let crash = |n: NodeIdx, t: Tick| {
        faults
            .faults()
            .iter()
            .find(|f| matches!(f, Fault::Crash { node, at } if *node == name(n) && *at <= t))
    };
    match v {
        Vertex::Message { id, to, .. } => faults
            .faults()
            .iter()
            .find(|f| {
                matches!(f, Fault::Omit { from, to: b, at }
                    if *from == name(id.from) && *b == name(*to) && *at == id.sent)
            })
            .or_else(|| crash(id.from, id.sent))
            .cloned(),
        Vertex::Derivation { node, at, .. } => crash(*node, *at).cloned(),
        Vertex::Crashed { node } | Vertex::CrashedBy { node, .. } => faults
            .faults()
            .iter()
            .find(|f| matches!(f, Fault::Crash { node: n, .. } if *n == name(*node)))
            .cloned(),
        Vertex::RestartedBy { node, at } => faults
            .faults()
            .iter()
            .find(
                |f| matches!(f, Fault::Restart { node: n, at: r } if *n == name(*node) && r <= at),
            )
            .cloned(),
        _ => None,
    }
}

/// The vertex drawn for `v`: single-alternative `OR`s collapse onto
/// their alternative.
fn shown(g: &LineageGraph, mut v: Vid) -> Vid {
    while let Vertex::Or { children, .. } = &g.vertices[v as usize] {
        if children.len() != 1 || v == g.root {
            break;
        }
        v = children[0];
    }
    v
}

/// Drawn vertices (outcome first) and edges between them.
fn drawn(g: &LineageGraph) -> (Vec<Vid>, Vec<(Vid, Vid)>) {
    let mut order = Vec::new();
    let mut seen = BTreeMap::new();
    let mut edges = Vec::new();
    let mut stack = vec![g.root];
    seen.insert(g.root, ());
    while let Some(v) = stack.pop() {
        order.push(v);
        for &c in g.children(v) {
            let c = shown(g, c);
            if matches!(g.vertices[c as usize], Vertex::True) {
                continue;
            }
            if !edges.contains(&(v, c)) {
                edges.push((v, c));
            }
            if seen.insert(c, ()).is_none() {
                stack.push(c);
            }
        }
    }
    (order, edges)
}

fn class_of(v: &Vertex) -> &'static str {
    match v {
        Vertex::Derivation { .. } => "derivation",
        Vertex::Message { .. } => "message",
        Vertex::Or { .. } => "or",
        Vertex::And { .. } => "and",
        Vertex::Crashed { .. } | Vertex::CrashedBy { .. } | Vertex::RestartedBy { .. } => "crash",
        Vertex::Not { .. } => "not",
        Vertex::True | Vertex::False => "false",
    }
}

/// The graph `g` with `faults` overlaid, as an SVG element, and what the
/// overlay found.
pub fn lineage_svg(g: &LineageGraph, faults: &FaultSet) -> (String, Overlay) {
    let values = g.values_under(faults);
    let (verts, edges) = drawn(g);
    let index: BTreeMap<Vid, usize> = verts.iter().enumerate().map(|(i, &v)| (v, i)).collect();
    let labels: Vec<String> = verts
        .iter()
        .map(|&v| {
            let l = vertex_label(g, &g.vertices[v as usize]);
            if v == g.root {
                format!("outcome: {l}")
            } else {
                l
            }
        })
        .collect();
    let hits: Vec<Option<Fault>> = verts
        .iter()
        .map(|&v| direct_fault(g, &g.vertices[v as usize], faults))
        .collect();
    let widths: Vec<f64> = labels
        .iter()
        .zip(&hits)
        .map(|(l, h)| {
            let fault_w = h.as_ref().map_or(0.0, |f| text_width(&format!("✗ {f}")));
            text_width(&svg::fit(l, LABEL_MAX)).max(fault_w) + 20.0
        })
        .collect();
    let e: Vec<(usize, usize)> = edges.iter().map(|(p, c)| (index[p], index[c])).collect();
    let lay = layered(&widths, BOX_H, LAYER_GAP, &e);
    let faults_list = faults.faults();
    let foot = lay.height + 10.0;
    let height = foot + 28.0 + faults_list.len().max(1) as f64 * 18.0;
    let width = lay.width.max(420.0);
    let mut out = String::new();
    svg::open(&mut out, width, height, "lineage graph");
    for (k, pts) in lay.edges.iter().enumerate() {
        let child = verts[e[k].1];
        let class = if values[child as usize] {
            "edge"
        } else {
            "edge cut"
        };
        let _ = writeln!(
            out,
            "<path class=\"{class}\" d=\"{}\" marker-end=\"url(#arrow-edge)\"/>",
            curve(pts)
        );
    }
    for (i, &v) in verts.iter().enumerate() {
        let vx = &g.vertices[v as usize];
        let (cx, cy, w) = (lay.x[i], lay.y[i], widths[i]);
        let mut class = class_of(vx).to_string();
        if hits[i].is_some() && matches!(vx, Vertex::Message { .. }) {
            class = "omitted".into();
        }
        if !values[v as usize] {
            class.push_str(" false");
        }
        if v == g.root {
            class.push_str(" root");
        }
        let rx = if matches!(vx, Vertex::Message { .. }) {
            BOX_H / 2.0
        } else {
            3.0
        };
        let _ = writeln!(
            out,
            "<rect class=\"v {class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BOX_H}\" rx=\"{rx}\"><title>{}{}</title></rect>",
            cx - w / 2.0,
            cy - BOX_H / 2.0,
            crate::html::esc(&labels[i]),
            if values[v as usize] { " — holds under the fault set" } else { " — broken by the fault set" },
        );
        let tw = text_width(&svg::fit(&labels[i], LABEL_MAX));
        text(
            &mut out,
            cx - tw / 2.0,
            cy + 4.0,
            "vlabel",
            &labels[i],
            LABEL_MAX,
        );
        if let Some(f) = &hits[i] {
            let s = format!("✗ {f}");
            let fw = text_width(&s);
            text(
                &mut out,
                cx - fw / 2.0,
                cy + BOX_H / 2.0 + 14.0,
                "bad",
                &s,
                60,
            );
        }
    }
    footer(&mut out, faults_list, &hits, foot);
    out.push_str("</svg>\n");
    let overlay = Overlay {
        drawn: verts.len(),
        holds: values[g.root as usize],
        hits: faults_list
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    hits.iter().filter(|h| h.as_ref() == Some(f)).count(),
                )
            })
            .collect(),
    };
    (out, overlay)
}

/// A smooth path through `pts` (vertical tangents at every point).
fn curve(pts: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let off = BOX_H / 2.0;
    let pts: Vec<(f64, f64)> = pts
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            if i == 0 {
                (x, y + off)
            } else if i == pts.len() - 1 {
                (x, y - off - 2.0)
            } else {
                (x, y)
            }
        })
        .collect();
    let _ = write!(d, "M{:.1},{:.1}", pts[0].0, pts[0].1);
    for w in pts.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        let my = (y1 + y2) / 2.0;
        let _ = write!(d, " C{x1:.1},{my:.1} {x2:.1},{my:.1} {x2:.1},{y2:.1}");
    }
    d
}

fn footer(out: &mut String, faults: &[Fault], hits: &[Option<Fault>], y: f64) {
    if faults.is_empty() {
        text(
            out,
            16.0,
            y + 14.0,
            "muted",
            "fault set: {} (no faults)",
            80,
        );
        return;
    }
    text(out, 16.0, y + 14.0, "head", "fault set", 20);
    for (i, f) in faults.iter().enumerate() {
        let n = hits.iter().filter(|h| h.as_ref() == Some(f)).count();
        let note = match n {
            0 => format!("{f}  (touches no drawn vertex)"),
            1 => format!("{f}  (hits 1 vertex)"),
            n => format!("{f}  (hits {n} vertices)"),
        };
        text(out, 116.0, y + 14.0 + i as f64 * 18.0, "bad", &note, 90);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::overlaps;
    use ldfi_harness::RunConfig;

    /// The lineage of a shipped protocol's fault-free run.
    fn graph(protocol: &str, version: &str) -> LineageGraph {
        let reg = ldfi_protocols::registry();
        let p = reg.get(protocol).expect("shipped");
        let info = p.info();
        let cfg = RunConfig {
            version: version.into(),
            workload: info.default_workload.clone(),
            params: info.params,
            seed: 0,
            faults: FaultSet::default(),
            lineage: Default::default(),
            checks: Default::default(),
            crash: Default::default(),
            inputs: None,
        };
        let run = p.run(&cfg).expect("runs");
        crate::figure::lineage_of(&run, cfg.crash).expect("a good run has lineage")
    }

    #[test]
    fn shipped_lineage_lays_out_without_overlapping_boxes() {
        for (protocol, version) in [
            ("es-replication", "v5"),
            ("web-forum", "correct"),
            ("ack-deliv", "v1"),
        ] {
            let g = graph(protocol, version);
            let (verts, edges) = drawn(&g);
            let index: BTreeMap<Vid, usize> =
                verts.iter().enumerate().map(|(i, &v)| (v, i)).collect();
            let widths: Vec<f64> = verts
                .iter()
                .map(|&v| {
                    text_width(&svg::fit(
                        &vertex_label(&g, &g.vertices[v as usize]),
                        LABEL_MAX,
                    )) + 20.0
                })
                .collect();
            let e: Vec<(usize, usize)> = edges.iter().map(|(p, c)| (index[p], index[c])).collect();
            let lay = layered(&widths, BOX_H, LAYER_GAP, &e);
            assert_eq!(overlaps(&lay, &widths), None, "{protocol}");
            let (svg, o) = lineage_svg(&g, &FaultSet::default());
            assert!(o.holds, "{protocol}: the fault-free outcome holds");
            assert_eq!(o.drawn, verts.len());
            assert!(svg.contains("outcome: "), "{protocol}");
        }
    }

    #[test]
    fn an_omission_breaks_the_message_it_names() {
        let g = graph("web-forum", "correct");
        let omit = Fault::Omit {
            from: "frontend".into(),
            to: "auth".into(),
            at: 2,
        };
        let faults: FaultSet = [omit.clone()].into_iter().collect();
        let (svg, o) = lineage_svg(&g, &faults);
        assert_eq!(o.hits, vec![(omit.to_string(), 1)], "{o:?}");
        assert!(svg.contains("v omitted"), "the lost message is marked");
        assert!(svg.contains(&format!("✗ {omit}")));
    }
}
