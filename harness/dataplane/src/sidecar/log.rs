//! Logging: one JSON object a line per refused or flagged envelope.

use crate::proto::Envelope;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;

/// The violation log of a sidecar: kept in memory (for `Stats`) and
/// appended to a file if one was given.
#[derive(Debug, Default)]
pub struct Log {
    lines: Vec<String>,
    file: Option<PathBuf>,
}

impl Log {
    /// A log that also appends to `file`.
    pub fn new(file: Option<PathBuf>) -> Log {
        Log {
            lines: Vec::new(),
            file,
        }
    }

    /// Records what happened to `env` (`message` its rendering, or `None`
    /// if it could not be decoded) and why.
    pub fn record(
        &mut self,
        env: &Envelope,
        channel: &str,
        message: Option<&str>,
        action: &str,
        rule: &str,
        detail: Value,
    ) {
        let line = json!({
            "action": action,
            "rule": rule,
            "channel": channel,
            "sent": env.sent,
            "seq": env.seq,
            "k": env.channel_seq,
            "kind": env.kind,
            "message": message,
            "detail": detail,
        })
        .to_string();
        if let Some(path) = &self.file {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path);
            if let Err(e) = file.and_then(|mut f| writeln!(f, "{line}")) {
                eprintln!("sidecar: cannot append to {}: {e}", path.display());
            }
        }
        self.lines.push(line);
    }

    /// Every record so far, one a line.
    pub fn jsonl(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }
}
