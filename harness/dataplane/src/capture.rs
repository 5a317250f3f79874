//! Captures: a run's traffic as JSON lines, written by `dataplane run
//! --capture` (real processes) and `replay --export-capture` (a simulated
//! run), read by `dataplane replay` and `search --workload-file`.
//!
//! The first line is the header, `{"type":"header","capture":1,
//! "kind":"envelopes",...}` (a header without `kind` is an envelope
//! capture). The `kind` says how the rest reads; [`open`] reads the header
//! of any kind, and each kind has its own reader ([`CaptureFile::envelopes`]
//! here). An envelope capture then has, per tick, the tick's workload
//! inputs (`"type":"input"`, with the message's postcard encoding in
//! `body`) and the envelopes delivered (`"type":"envelope"`: identity, the
//! k-th on its channel, kind, encoding). `t_us` is the wall-clock offset
//! of the tick in a real run (absent from a simulated one).

use ldfi_harness::files::{read_text, MAX_INPUT_BYTES};
use ldfi_harness::inputs::EncodedInput;
use ldfi_harness::{Event, Fault, Params, RunConfig};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The capture format's version.
pub const FORMAT: u64 = 1;
/// The kind of a capture of node-to-node envelopes (this module's).
pub const ENVELOPES: &str = "envelopes";

/// Why a capture cannot be used: names the file and, for a bad line, its
/// number (1-based).
#[derive(Debug, Error)]
pub enum CaptureError {
    /// The file cannot be read (missing, not regular, too large, not text).
    #[error(transparent)]
    File(#[from] ldfi_harness::files::FileError),
    /// A line that is not what a capture holds there.
    #[error("{}:{line}: {why}", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// Its line number.
        line: usize,
        /// What is wrong.
        why: String,
    },
}

/// The header of a capture (its first line).
#[derive(Clone, Debug, Deserialize)]
pub struct Header {
    /// Format version (1).
    pub capture: u64,
    /// `envelopes` (the default) or another kind.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Protocol name.
    pub protocol: String,
    /// Version.
    pub version: String,
    /// Workload name (whose run the inputs came from).
    pub workload: String,
    /// Bounds of the captured run.
    pub params: Params,
    /// Seed.
    #[serde(default)]
    pub seed: u64,
    /// Node names, by index.
    pub nodes: Vec<String>,
    /// The captured run's faults.
    #[serde(default)]
    pub faults: Vec<Fault>,
}

fn default_kind() -> String {
    ENVELOPES.to_string()
}

/// A capture file whose header has been read; the rest is read by kind.
#[derive(Debug)]
pub struct CaptureFile {
    /// The file.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    text: String,
}

/// One workload input of an envelope capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedInput {
    /// The tick it was given at.
    pub tick: u32,
    /// Its number in the workload.
    pub input: u32,
    /// Receiving node.
    pub node: String,
    /// Its rendering.
    pub label: String,
    /// The message's postcard encoding.
    pub body: Vec<u8>,
}

/// An envelope capture: its inputs in capture order, and how many
/// envelopes it recorded.
#[derive(Clone, Debug)]
pub struct EnvelopeCapture {
    /// The header.
    pub header: Header,
    /// Workload inputs, in capture order (by tick).
    pub inputs: Vec<CapturedInput>,
    /// Envelopes recorded.
    pub envelopes: usize,
}

/// Reads a capture file's header (line 1): any kind.
pub fn open(path: &Path) -> Result<CaptureFile, CaptureError> {
    let text = read_text(path, MAX_INPUT_BYTES)?;
    let bad = |line: usize, why: String| CaptureError::Line {
        path: path.to_path_buf(),
        line,
        why,
    };
    let first = text.lines().next().ok_or_else(|| {
        bad(
            1,
            "empty file; a capture starts with its header line".into(),
        )
    })?;
    let v: Value = serde_json::from_str(first).map_err(|e| bad(1, format!("not JSON: {e}")))?;
    if v["type"] != "header" {
        return Err(bad(
            1,
            "the first line must be the header ({\"type\":\"header\",\"capture\":1,...})".into(),
        ));
    }
    let header: Header =
        serde_json::from_value(v).map_err(|e| bad(1, format!("bad header: {e}")))?;
    if header.capture != FORMAT {
        return Err(bad(
            1,
            format!(
                "field `capture`: format {} (this ldfi reads format {FORMAT})",
                header.capture
            ),
        ));
    }
    Ok(CaptureFile {
        path: path.to_path_buf(),
        header,
        text,
    })
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    Input {
        tick: u32,
        input: u32,
        node: String,
        #[serde(default)]
        label: String,
        body: Option<Vec<u8>>,
    },
    Envelope {
        tick: u32,
        from: String,
        to: String,
        body: Vec<u8>,
    },
}

impl CaptureFile {
    /// Reads the rest as an envelope capture (the kind must be `envelopes`).
    pub fn envelopes(&self) -> Result<EnvelopeCapture, CaptureError> {
        let bad = |line: usize, why: String| CaptureError::Line {
            path: self.path.clone(),
            line,
            why,
        };
        if self.header.kind != ENVELOPES {
            return Err(bad(
                1,
                format!("a `{}` capture, not `{ENVELOPES}`", self.header.kind),
            ));
        }
        let (nodes, eot) = (&self.header.nodes, self.header.params.eot);
        let mut inputs = Vec::new();
        let mut envelopes = 0;
        for (k, text) in self.text.lines().enumerate().skip(1) {
            let n = k + 1;
            if text.trim().is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(text).map_err(|e| bad(n, e.to_string()))?;
            let known = |node: &str, field: &str| {
                if nodes.iter().any(|m| m == node) {
                    Ok(())
                } else {
                    Err(bad(
                        n,
                        format!(
                            "field `{field}`: `{node}` is not a node of the header ({})",
                            nodes.join(", ")
                        ),
                    ))
                }
            };
            let tick = match &line {
                Line::Input { tick, .. } | Line::Envelope { tick, .. } => *tick,
            };
            if tick == 0 || tick > eot {
                return Err(bad(
                    n,
                    format!("field `tick`: {tick} is outside 1..={eot} (the header's eot)"),
                ));
            }
            match line {
                Line::Input {
                    tick,
                    input,
                    node,
                    label,
                    body,
                } => {
                    known(&node, "node")?;
                    let body = body.ok_or_else(|| {
                        bad(n, "input has no `body` (captured before inputs were recorded with their encoding: capture again)".into())
                    })?;
                    inputs.push(CapturedInput {
                        tick,
                        input,
                        node,
                        label,
                        body,
                    });
                }
                Line::Envelope { from, to, body, .. } => {
                    known(&from, "from")?;
                    known(&to, "to")?;
                    let _ = body;
                    envelopes += 1;
                }
            }
        }
        Ok(EnvelopeCapture {
            header: self.header.clone(),
            inputs,
            envelopes,
        })
    }
}

impl EnvelopeCapture {
    /// The inputs as an explicit workload, each at its recorded tick.
    pub fn as_recorded(&self) -> Vec<EncodedInput> {
        self.inputs
            .iter()
            .map(|i| EncodedInput {
                at: i.tick,
                node: i.node.clone(),
                body: i.body.clone(),
            })
            .collect()
    }
}

/// The header line of a run of `protocol` under `cfg` with `nodes`.
/// It starts `{"type":"header","capture":1,"kind":"envelopes",` so that a
/// reader (or a person) knows the kind from the first bytes.
pub fn header(protocol: &str, cfg: &RunConfig, nodes: &[String]) -> String {
    let rest = json!({
        "protocol": protocol, "version": cfg.version, "workload": cfg.workload,
        "params": {"eot": cfg.params.eot, "eff": cfg.params.eff, "crashes": cfg.params.crashes},
        "seed": cfg.seed, "nodes": nodes, "faults": cfg.faults.faults(),
    })
    .to_string();
    format!(
        r#"{{"type":"header","capture":{FORMAT},"kind":"{ENVELOPES}",{}"#,
        &rest[1..]
    )
}

/// One delivered envelope, as a capture records it.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// Sender, receiver (indices).
    pub from: u32,
    /// Receiver.
    pub to: u32,
    /// Send tick.
    pub sent: u32,
    /// Position among the sender's sends in that tick.
    pub seq: u32,
    /// The k-th on its channel (absent from a simulated run's export).
    pub k: Option<u64>,
    /// Copy number.
    pub copy: u32,
    /// Message kind.
    pub kind: String,
    /// Encoding.
    pub body: Vec<u8>,
}

/// The lines of tick `t` (at wall-clock offset `t_us` in a real run): the
/// workload inputs among `events` (this tick's; `workload[i]` is input `i`:
/// crash notices, numbered after the workload, are not captured), then
/// the envelopes delivered.
pub fn tick_lines(
    nodes: &[String],
    t: u32,
    t_us: Option<u128>,
    events: &[Event],
    workload: &[EncodedInput],
    delivered: &[Delivered],
) -> Vec<String> {
    let name = |i: usize| nodes.get(i).cloned().unwrap_or_default();
    let mut out = Vec::new();
    let with_time = |mut v: Value| {
        if let Some(us) = t_us {
            v["t_us"] = json!(us);
        }
        v.to_string()
    };
    for e in events {
        if let Event::Input {
            input, node, label, ..
        } = e
        {
            let Some(w) = workload.get(*input as usize) else {
                continue;
            };
            out.push(with_time(json!({"type": "input", "tick": t, "node": name(*node as usize), "input": input, "label": label, "body": w.body})));
        }
    }
    for d in delivered {
        let mut v = json!({
            "type": "envelope", "tick": t,
            "from": name(d.from as usize), "to": name(d.to as usize),
            "sent": d.sent, "seq": d.seq, "copy": d.copy,
            "kind": d.kind, "body": d.body,
        });
        if let Some(k) = d.k {
            v["k"] = json!(k);
        }
        out.push(with_time(v));
    }
    out
}

/// A simulated run exported as a capture (`replay --export-capture`): the
/// header, then per tick the workload inputs given and the envelopes
/// delivered (`bodies`: each message's encoding; `workload[i]`: input `i`).
/// The k-th-on-its-channel of each envelope is counted as the receiver's
/// sidecar counts it ([`crate::identity::translate::channel_ks`]).
pub fn export(
    protocol: &str,
    cfg: &RunConfig,
    trace: &ldfi_harness::Trace,
    bodies: &ldfi_harness::runner::Bodies,
    workload: &[EncodedInput],
) -> Vec<String> {
    use std::collections::BTreeMap;
    let ks = crate::identity::translate::channel_ks(trace);
    let mut sent = BTreeMap::new();
    for e in &trace.events {
        if let Event::Send { id, label, .. } = e {
            let k = ks.get(id).map(|(_, k)| *k);
            sent.insert(*id, (k, crate::envelope::kind_of(label).to_string()));
        }
    }
    let mut copies: BTreeMap<_, u32> = BTreeMap::new();
    let mut by_tick: BTreeMap<u32, (Vec<Event>, Vec<Delivered>)> = BTreeMap::new();
    for e in &trace.events {
        match e {
            Event::Input { at, .. } => by_tick.entry(*at).or_default().0.push(e.clone()),
            Event::Deliver { id, to, at, .. } => {
                let copy = copies.entry((*id, *to)).or_insert(0);
                let (k, kind) = sent.get(id).cloned().unwrap_or_default();
                by_tick.entry(*at).or_default().1.push(Delivered {
                    from: id.from as u32,
                    to: *to as u32,
                    sent: id.sent,
                    seq: id.seq,
                    k,
                    copy: *copy,
                    kind,
                    body: bodies.get(id).cloned().unwrap_or_default(),
                });
                *copy += 1;
            }
            _ => {}
        }
    }
    let mut out = vec![header(protocol, cfg, &trace.nodes)];
    for (t, (inputs, delivered)) in by_tick {
        out.extend(tick_lines(
            &trace.nodes,
            t,
            None,
            &inputs,
            workload,
            &delivered,
        ));
    }
    out
}
