//! The search history page: every execution's fault set, verdict and how
//! much new lineage it gave the solver, as a chart and a table.

use crate::html::{badge, esc};
use crate::svg::{self, text};
use ldfi_harness::search::{Execution, Phase};
use std::fmt::Write;

/// At most this many rows in the table (the chart shows every execution).
const ROWS_MAX: usize = 5000;

fn phase_word(p: Phase) -> &'static str {
    match p {
        Phase::Search => "search",
        Phase::Confirm => "confirm",
        Phase::Minimize => "minimize",
    }
}

/// The body of the history page.
pub fn body(history: &[Execution]) -> String {
    let mut out = String::new();
    let count = |f: &dyn Fn(&Execution) -> bool| history.iter().filter(|e| f(e)).count();
    let _ = writeln!(
        out,
        "<p>{} executions: {} in the search, {} confirming on happens-before lineage, {} replaying subsets of a counterexample to shrink it; {} violated, {} vacuous.</p>",
        history.len(),
        count(&|e| e.phase == Phase::Search),
        count(&|e| e.phase == Phase::Confirm),
        count(&|e| e.phase == Phase::Minimize),
        count(&|e| e.verdict == "violated"),
        count(&|e| e.verdict == "vacuous"),
    );
    out.push_str("<p class=\"note\"><b>New gates</b>: the AND/OR gates of the run's lineage the solver had not seen in any earlier run — how much the run taught the search. Executions that taught nothing new are what an unlucky order of fault sets costs.</p>\n");
    out.push_str("<h2>New lineage per execution</h2>\n<div class=\"figure\">");
    out.push_str(&chart(history));
    out.push_str("</div>\n<h2>Executions</h2>\n");
    out.push_str("<table>\n<tr><th>#</th><th>phase</th><th>fault set</th><th>verdict</th><th>graphs</th><th>vertices</th><th>new gates</th></tr>\n");
    for (i, e) in history.iter().enumerate().take(ROWS_MAX) {
        let class = match (e.verdict, e.phase) {
            ("violated", _) => " class=\"violated\"",
            (_, Phase::Minimize) => " class=\"minimize\"",
            _ => "",
        };
        let (g, v, n) = e.lineage.map_or(("—".into(), "—".into(), "—".into()), |l| {
            (
                l.graphs.to_string(),
                l.vertices.to_string(),
                l.new_gates.to_string(),
            )
        });
        let _ = writeln!(
            out,
            "<tr{class}><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{g}</td><td>{v}</td><td>{n}</td></tr>",
            i + 1,
            phase_word(e.phase),
            esc(&e.faults.to_string()),
            badge(e.verdict),
        );
    }
    out.push_str("</table>\n");
    if history.len() > ROWS_MAX {
        let _ = writeln!(
            out,
            "<p class=\"note\">The table shows the first {ROWS_MAX} executions of {}.</p>",
            history.len()
        );
    }
    out
}

/// Bars of new gates per execution; violated executions marked red.
fn chart(history: &[Execution]) -> String {
    let n = history.len().max(1);
    let bar = (900.0 / n as f64).clamp(1.0, 24.0);
    let plot_h = 160.0;
    let left = 56.0;
    let width = left + bar * n as f64 + 30.0;
    let max = history
        .iter()
        .filter_map(|e| e.lineage.map(|l| l.new_gates))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut out = String::new();
    svg::open(
        &mut out,
        width.max(400.0),
        plot_h + 60.0,
        "new lineage per execution",
    );
    let base = 20.0 + plot_h;
    let _ = writeln!(
        out,
        "<line class=\"life\" x1=\"{left}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\"/>",
        width - 20.0
    );
    text(&mut out, 4.0, 28.0, "tick", &format!("{max:.0}"), 8);
    text(&mut out, 4.0, base, "tick", "0", 8);
    for (i, e) in history.iter().enumerate() {
        let x = left + i as f64 * bar;
        let (h, fill) = match (e.verdict, e.lineage) {
            ("violated", _) => (plot_h, "#c62828"),
            (_, Some(l)) => ((l.new_gates as f64 / max * plot_h).max(1.0), "#1f5fbf"),
            (_, None) => (2.0, "#b0b8c6"),
        };
        let w = (bar - if bar > 3.0 { 1.0 } else { 0.0 }).max(1.0);
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"><title>#{}: {} {}</title></rect>",
            base - h,
            i + 1,
            esc(&e.faults.to_string()),
            e.verdict
        );
    }
    text(&mut out, left, base + 20.0, "tick", "execution 1", 14);
    let last = format!("execution {}", history.len());
    text(
        &mut out,
        (width - 20.0 - svg::text_width(&last)).max(left + 100.0),
        base + 20.0,
        "tick",
        &last,
        20,
    );
    text(&mut out, left, base + 38.0, "muted", "blue: new gates · red: violated · grey: taught the solver nothing (minimisation, other strategies)", 110);
    out.push_str("</svg>\n");
    out
}
