//! An enforcement violation, read back from a run: the offending key's
//! messages and the rule automaton's state after each, as a table and a
//! strip of states.
//!
//! The checker sees every delivered message, in delivery order: its event
//! `k` is the run's `k`-th delivery ([`ldfi_harness::Run::enforcement`]).

use crate::html::{code, esc};
use crate::svg::{self, text, text_width};
use ldfi_harness::ldfi_enforce::{Source, Violation};
use ldfi_harness::{Event, Trace, Verdict};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The violation that decided `verdict`, if it was an enforcement one.
pub fn deciding<'a>(verdict: &Verdict, found: &'a [Violation]) -> Option<&'a Violation> {
    let Verdict::Violated { missing, .. } = verdict else {
        return None;
    };
    let first = found.first()?;
    (missing.first() == Some(&first.to_string())).then_some(first)
}

/// Index into `trace.events` of each delivery, in order.
fn deliveries(trace: &Trace) -> Vec<usize> {
    (trace.events.iter().enumerate())
        .filter(|(_, e)| matches!(e, Event::Deliver { .. }))
        .map(|(i, _)| i)
        .collect()
}

/// Indices into `trace.events` of the violation's witness deliveries.
pub fn witness_events(trace: &Trace, v: &Violation) -> BTreeSet<usize> {
    let d = deliveries(trace);
    v.witness
        .iter()
        .filter_map(|&k| d.get(k as usize).copied())
        .collect()
}

/// One witness step: tick, from → to, message label.
fn describe(trace: &Trace, event: usize) -> (String, String, String) {
    let Some(Event::Deliver { id, to, at, .. }) = trace.events.get(event) else {
        return ("?".into(), "?".into(), "?".into());
    };
    let label = trace.events.iter().find_map(|e| match e {
        Event::Send {
            id: i,
            to: t,
            label,
            ..
        } if i == id && t == to => Some(label.clone()),
        _ => None,
    });
    (
        at.to_string(),
        format!("{} → {}", trace.name(id.from), trace.name(*to)),
        label.unwrap_or_default(),
    )
}

/// The HTML section for `v`: what was broken, for which key, and the
/// automaton's state along the key's messages.
pub fn section(trace: &Trace, v: &Violation) -> String {
    let d = deliveries(trace);
    let mut out = String::new();
    let key = if v.key.is_empty() {
        "— (unkeyed)".to_string()
    } else {
        v.key
            .iter()
            .map(|(k, val)| format!("${k} = {val}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what = match &v.source {
        Source::Rule(r) => format!("rule {}", code(r)),
        Source::UnexpectedRecv { service } => format!(
            "the model of {} (it received a message its model does not list)",
            code(service)
        ),
        Source::UnexpectedSend { service } => format!(
            "the model of {} (it sent a message its model does not allow)",
            code(service)
        ),
    };
    let _ = writeln!(
        out,
        "{}",
        crate::html::kv_table(&[
            ("broken", what),
            ("key", esc(&key)),
            (
                "violating message",
                format!(
                    "checker event {} (the run's delivery #{})",
                    v.event,
                    v.event + 1
                )
            ),
            ("as the checker says", code(&v.to_string())),
        ])
    );
    if v.states.is_empty() {
        out.push_str("<p class=\"note\">A service model keeps no automaton: the message below is the whole witness.</p>\n");
    } else {
        let _ = writeln!(out, "<p>The rule's automaton for this key starts in state 0; each message below moved it to a new state (the checker keeps the last {} such messages). The last state accepts: the forbidden sequence was seen.</p>", ldfi_harness::ldfi_enforce::WITNESS_MAX);
        out.push_str("<div class=\"figure\">");
        out.push_str(&strip(trace, v, &d));
        out.push_str("</div>\n");
    }
    out.push_str("<table>\n<tr><th>step</th><th>checker event</th><th>tick</th><th>message</th><th>payload</th><th>state after</th></tr>\n");
    if !v.states.is_empty() {
        out.push_str(
            "<tr><td>0</td><td>—</td><td>—</td><td>—</td><td>—</td><td>0 (start)</td></tr>\n",
        );
    }
    for (i, &k) in v.witness.iter().enumerate() {
        let (tick, route, label) = d.get(k as usize).map_or_else(
            || ("?".into(), "?".into(), "?".into()),
            |&e| describe(trace, e),
        );
        let state = match v.states.get(i) {
            Some(s) if i + 1 == v.states.len() => format!("{s} (accepting: violation)"),
            Some(s) => s.to_string(),
            None => "—".into(),
        };
        let row = if k == v.event {
            " class=\"violated\""
        } else {
            ""
        };
        let _ = writeln!(out, "<tr{row}><td>{}</td><td>{k}</td><td>{tick}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>", i + 1, esc(&route), esc(&label), esc(&state));
    }
    out.push_str("</table>\n");
    out
}

/// States as circles, messages as labelled arrows between them.
fn strip(trace: &Trace, v: &Violation, d: &[usize]) -> String {
    const STEP: f64 = 300.0;
    const R: f64 = 20.0;
    let n = v.states.len() + 1;
    let width = 40.0 + (n - 1) as f64 * STEP + 2.0 * R + 40.0;
    let mut out = String::new();
    svg::open(&mut out, width, 110.0, "automaton states");
    let cx = |i: usize| 40.0 + R + i as f64 * STEP;
    for i in 0..n {
        let state = if i == 0 { 0 } else { v.states[i - 1] };
        let last = i + 1 == n;
        let stroke = if last { "#c62828" } else { "#1f5fbf" };
        let _ = writeln!(out, "<circle cx=\"{:.1}\" cy=\"50\" r=\"{R}\" fill=\"#ffffff\" stroke=\"{stroke}\" stroke-width=\"2.5\"/>", cx(i));
        if last {
            let _ = writeln!(out, "<circle cx=\"{:.1}\" cy=\"50\" r=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>", cx(i), R - 5.0);
        }
        let s = state.to_string();
        text(&mut out, cx(i) - text_width(&s) / 2.0, 54.0, "head", &s, 6);
        let caption = if i == 0 {
            "start"
        } else if last {
            "violation"
        } else {
            ""
        };
        text(
            &mut out,
            cx(i) - text_width(caption) / 2.0,
            90.0,
            if last { "bad" } else { "muted" },
            caption,
            12,
        );
        if i > 0 {
            let (x1, x2) = (cx(i - 1) + R + 2.0, cx(i) - R - 4.0);
            let class = if last { "msg witness" } else { "msg" };
            let marker = if last { "arrow-hl" } else { "arrow" };
            let _ = writeln!(out, "<line class=\"{class}\" x1=\"{x1:.1}\" y1=\"50\" x2=\"{x2:.1}\" y2=\"50\" marker-end=\"url(#{marker})\"/>");
            let k = v.witness[i - 1];
            let label = d.get(k as usize).map_or_else(
                || format!("event {k}"),
                |&e| {
                    let (tick, route, label) = describe(trace, e);
                    format!("t{tick} {route}: {label}")
                },
            );
            let max = 34;
            let tw = text_width(&svg::fit(&label, max));
            text(&mut out, (x1 + x2) / 2.0 - tw / 2.0, 38.0, "", &label, max);
        }
    }
    out.push_str("</svg>\n");
    out
}
