//! Captures: a conducted run's traffic as JSON lines — its workload inputs
//! and every envelope delivered, each with its tick and the wall-clock
//! offset (µs from the first tick) at which its tick began.

use crate::proto::Envelope;
use ldfi_lineage::{Event, Trace};
use serde_json::json;

/// The lines of one tick: inputs of `events` (this tick's), then the
/// envelopes delivered, in node order.
pub fn tick_lines(
    trace_nodes: &[String],
    t: u32,
    t_us: u128,
    events: &[Event],
    delivered: &[Envelope],
) -> Vec<String> {
    let name = |i: usize| trace_nodes.get(i).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for e in events {
        if let Event::Input {
            input, node, label, ..
        } = e
        {
            out.push(json!({"type": "input", "tick": t, "t_us": t_us, "node": name(*node as usize), "input": input, "label": label}).to_string());
        }
    }
    for env in delivered {
        out.push(
            json!({
                "type": "envelope", "tick": t, "t_us": t_us,
                "from": name(env.from as usize), "to": name(env.to as usize),
                "sent": env.sent, "seq": env.seq, "k": env.channel_seq, "copy": env.copy,
                "kind": env.kind, "body": env.body,
            })
            .to_string(),
        );
    }
    out
}

/// The first line: what run this is.
pub fn header(protocol: &str, cfg: &ldfi_harness::RunConfig, trace: &Trace) -> String {
    json!({
        "type": "header", "capture": 1, "protocol": protocol, "version": cfg.version, "workload": cfg.workload,
        "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
        "seed": cfg.seed, "nodes": trace.nodes, "faults": cfg.faults.faults(),
    })
    .to_string()
}
