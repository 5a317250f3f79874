//! A spacetime diagram a person can read in a terminal: a column per node,
//! a row per tick; sends, deliveries, derivations, losses and crashes.

use ldfi_lineage::{Event, Loss, MsgId, NodeIdx, Tick, Trace};
use std::collections::BTreeMap;

/// Width of one node's column.
const COL: usize = 26;

/// Renders `trace` as a spacetime diagram.
pub fn spacetime(trace: &Trace) -> String {
    let n = trace.nodes.len();
    let mut cells: BTreeMap<(Tick, NodeIdx), Vec<String>> = BTreeMap::new();
    let mut labels: BTreeMap<(MsgId, NodeIdx), &str> = BTreeMap::new();
    let mut sent_at: BTreeMap<(MsgId, NodeIdx), usize> = BTreeMap::new();
    let push =
        |cells: &mut BTreeMap<(Tick, NodeIdx), Vec<String>>, t: Tick, node: NodeIdx, s: String| {
            cells.entry((t, node)).or_default().push(s);
        };
    for e in &trace.events {
        match e {
            Event::Send { id, to, label, .. } => {
                labels.insert((*id, *to), label);
                let list = cells.entry((id.sent, id.from)).or_default();
                sent_at.insert((*id, *to), list.len());
                list.push(format!("→{} {}", trace.name(*to), label));
            }
            Event::Lost { id, to, reason } => {
                let why = match reason {
                    Loss::Omitted => "✗ omitted",
                    Loss::Partitioned => "✗ partitioned",
                    Loss::ReceiverDown => "✗ receiver down",
                    Loss::AfterEot => "(after EOT)",
                    Loss::SenderDown => "✗ sender down",
                    Loss::Refused => "✗ refused by sidecar",
                };
                if let (Some(list), Some(i)) =
                    (cells.get_mut(&(id.sent, id.from)), sent_at.get(&(*id, *to)))
                {
                    list[*i] = format!("→{} {why}", trace.name(*to));
                }
            }
            Event::Deliver { id, to, at, .. } => {
                let label = labels.get(&(*id, *to)).copied().unwrap_or("?");
                push(
                    &mut cells,
                    *at,
                    *to,
                    format!("←{} {}", trace.name(id.from), label),
                );
            }
            Event::Input {
                node, at, label, ..
            } => push(&mut cells, *at, *node, format!("⇐env {label}")),
            Event::Derive { node, at, fact, .. } => {
                push(&mut cells, *at, *node, format!("+{fact}"))
            }
            Event::Retract { node, at, fact, .. } => {
                push(&mut cells, *at, *node, format!("-{fact}"))
            }
            Event::Guard { node, at, fact, .. } => push(&mut cells, *at, *node, format!("⊘{fact}")),
            Event::Timer { node, at, name } => push(&mut cells, *at, *node, format!("⏰{name}")),
            Event::Crash { node, at } => push(&mut cells, *at, *node, "██ CRASHED".into()),
            Event::Restart { node, at } => push(&mut cells, *at, *node, "↺ restarted".into()),
        }
    }
    let mut out = String::new();
    out.push_str("tick │");
    for i in 0..n {
        out.push_str(&format!(" {:<COL$}│", fit(trace.name(i as NodeIdx))));
    }
    out.push('\n');
    out.push_str(&"─".repeat(5));
    out.push('┼');
    for _ in 0..n {
        out.push_str(&"─".repeat(COL + 1));
        out.push('┼');
    }
    out.push('\n');
    for t in 1..=trace.eot {
        let rows = (0..n)
            .map(|i| cells.get(&(t, i as NodeIdx)).map_or(0, Vec::len))
            .max()
            .unwrap_or(0)
            .max(1);
        for r in 0..rows {
            let tick = if r == 0 {
                format!("{t:>4} │")
            } else {
                "     │".to_string()
            };
            out.push_str(&tick);
            for i in 0..n {
                let idle = if r == 0 && down(trace, i as NodeIdx, t) {
                    "┊ down"
                } else {
                    ""
                };
                let s = cells
                    .get(&(t, i as NodeIdx))
                    .and_then(|c| c.get(r))
                    .map_or(idle, String::as_str);
                out.push_str(&format!(" {:<COL$}│", fit(s)));
            }
            out.push('\n');
        }
    }
    out
}

/// Whether `node` is down at tick `t` because it crashed at an earlier tick
/// (and has not restarted since).
fn down(trace: &Trace, node: NodeIdx, t: Tick) -> bool {
    let mut down = false;
    for e in &trace.events {
        match e {
            Event::Crash { node: n, at } if *n == node && *at < t => down = true,
            Event::Restart { node: n, at } if *n == node && *at <= t => down = false,
            _ => {}
        }
    }
    down
}

/// Truncates to the column width (by characters).
fn fit(s: &str) -> String {
    if s.chars().count() <= COL {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(COL - 1).collect();
        t.push('…');
        t
    }
}
