//! Figures with their legends: a run's spacetime diagram, a good run's
//! lineage with a fault set overlaid.

use crate::enforce;
use crate::lineage::{lineage_svg, Overlay};
use crate::spacetime::{spacetime_svg, Highlights};
use crate::svg::legend_item;
use ldfi_harness::{CrashMode, FaultSet, Run, Verdict};
use ldfi_lineage::{lineage_with, LineageGraph, LineageOptions, Prop};

/// The spacetime diagram of `run` under `faults`, with its legend. The
/// violating facts (those of the missing facts' relations) and, for an
/// enforcement violation, its witness messages are highlighted.
pub fn spacetime(run: &Run, faults: &FaultSet) -> String {
    let mut h = Highlights {
        faults: faults.clone(),
        ..Highlights::default()
    };
    if let Some(v) = enforce::deciding(&run.verdict, &run.enforcement) {
        h.deliveries = enforce::witness_events(&run.trace, v);
    } else if let Verdict::Violated { missing, .. } = &run.verdict {
        h.missing = missing.clone();
    }
    let mut out = String::from("<div class=\"legend\">");
    for (k, m) in [
        ("msg", "message (send → delivery)"),
        ("lost", "lost message (the fault that lost it at its end)"),
        ("crash", "crash"),
        ("down", "node down"),
        ("derive", "fact derived"),
        ("hl", "fact of a relation the violation is about"),
        ("missing", "missing at EOT"),
        ("witness", "enforcement witness message"),
    ] {
        out.push_str(&legend_item(k, m));
    }
    out.push_str("</div>\n<div class=\"figure\">\n");
    out.push_str(&spacetime_svg(&run.trace, &h));
    out.push_str("</div>\n<p class=\"note\">Hover a cut label for its full text. A message sent at tick t arrives at t+1.</p>\n");
    out
}

/// What the search breaks in a good run: the `post` of each invariant
/// whose `pre` held and the `¬pre` of each vacuous one, together (`None`
/// for a violated run, or when nothing was promised or refuted).
pub fn outcome(run: &Run) -> Option<Prop> {
    if run.verdict.is_violated() {
        return None;
    }
    let mut all: Vec<Prop> = run
        .outcomes
        .iter()
        .chain(&run.pre_false)
        .map(|(_, p)| p.clone())
        .collect();
    match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(Prop::And(all)),
    }
}

/// The declared lineage of `run`'s outcome, as `ldfi explain` builds it.
pub fn lineage_of(run: &Run, crash: CrashMode) -> Option<LineageGraph> {
    let prop = outcome(run)?;
    let opts = LineageOptions {
        crash,
        happens_before: false,
    };
    Some(lineage_with(&run.trace, &prop, &opts))
}

/// The lineage figure with its legend, and what the overlay found.
pub fn lineage(g: &LineageGraph, faults: &FaultSet) -> (String, Overlay) {
    let (svg, overlay) = lineage_svg(g, faults);
    let mut out = String::from("<div class=\"legend\">");
    for (k, m) in [
        ("derivation", "derivation: fact @node tick"),
        ("message", "message: from→to @send tick"),
        ("or", "OR (alternatives) / AND (all needed)"),
        ("omitted", "message the fault set loses"),
        ("false", "no longer holds under the fault set"),
        ("lost", "edge into a broken vertex"),
    ] {
        out.push_str(&legend_item(k, m));
    }
    out.push_str("</div>\n<p class=\"note\">Arrows point from a vertex to what it needs. Inputs (always true) are not drawn; an OR with one alternative is drawn as that alternative.</p>\n<div class=\"figure\">\n");
    out.push_str(&svg);
    out.push_str("</div>\n");
    (out, overlay)
}
