//! Recorded traffic: every call through the proxy as one JSON line —
//! identity, method, request and response messages (proto JSON), status,
//! timing. The first line is the header; it carries the descriptor set
//! (base64), so a capture replays without any other file.
//!
//! ```text
//! {"type":"header","capture":1,"kind":"rpc","proxy":"kv","upstreams":["kv"],"descriptor":"CpQB..."}
//! {"type":"call","seq":0,"caller":"frontend","callee":"kv","path":"/ldfi.demo.v1.Kv/Insert","method":"Insert",
//!  "request":[{"client":"c1","key":"k1"}],"response":[{"client":"c1","key":"k1"}],
//!  "status":0,"message":"","start_us":1520,"duration_us":310}
//! ```
//!
//! `start_us` is the call's arrival (µs since the proxy started) and
//! `duration_us` the time until its status; calls are written when they
//! end, numbered (`seq`) in arrival order.

use crate::error::RpcError;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Mutex;

/// The capture format's version.
pub const CAPTURE: u32 = 1;

/// One recorded call.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Call {
    /// Arrival order at the proxy, from 0.
    pub seq: u64,
    /// The caller.
    pub caller: String,
    /// The callee.
    pub callee: String,
    /// `/pkg.Service/Method`.
    pub path: String,
    /// The method's name.
    pub method: String,
    /// The request messages (proto JSON), in order.
    pub request: Vec<Value>,
    /// The response messages (proto JSON), in order.
    pub response: Vec<Value>,
    /// The gRPC status code.
    pub status: u32,
    /// The status message.
    pub message: String,
    /// Arrival, µs since the proxy started.
    pub start_us: u64,
    /// Arrival to status, µs.
    pub duration_us: u64,
}

/// Appends calls to a capture file, one line each, flushed per call.
pub struct Writer {
    out: Mutex<std::io::BufWriter<std::fs::File>>,
}

impl Writer {
    /// Creates `path` and writes its header.
    pub fn create(
        path: &Path,
        proxy: &str,
        upstreams: &[String],
        descriptor: &[u8],
    ) -> Result<Writer, RpcError> {
        let file = std::fs::File::create(path)
            .map_err(|e| RpcError::input(format!("--capture {}", path.display()), e))?;
        let w = Writer {
            out: Mutex::new(std::io::BufWriter::new(file)),
        };
        let header = serde_json::json!({
            "type": "header", "capture": CAPTURE, "kind": "rpc", "proxy": proxy, "upstreams": upstreams,
            "descriptor": base64::engine::general_purpose::STANDARD.encode(descriptor),
        });
        w.line(&header.to_string());
        Ok(w)
    }

    /// Writes one call.
    pub fn call(&self, c: &Call) {
        let mut v = serde_json::to_value(c).expect("a call serializes");
        v.as_object_mut()
            .expect("an object")
            .insert("type".into(), "call".into());
        self.line(&v.to_string());
    }

    fn line(&self, s: &str) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = writeln!(out, "{s}").and_then(|_| out.flush()) {
            eprintln!("proxy: cannot write the capture: {e}");
        }
    }
}

/// A capture read back.
pub struct Capture {
    /// The descriptor set's bytes.
    pub descriptor: Vec<u8>,
    /// The calls, by `seq`.
    pub calls: Vec<Call>,
    /// The upstreams' names (their own outbound calls are not client calls).
    pub upstreams: Vec<String>,
}

/// The `kind` of a capture's header (`rpc`, `envelopes`), read from its
/// first line; errors name the file.
pub fn kind(path: &Path) -> Result<String, RpcError> {
    let what = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| RpcError::input(&what, e))?;
    let mut first = String::new();
    std::io::BufReader::new(f)
        .read_line(&mut first)
        .map_err(|e| RpcError::input(&what, e))?;
    let h: Value =
        serde_json::from_str(&first).map_err(|e| RpcError::input(format!("{what}:1"), e))?;
    if h["type"] != "header" || h["capture"] != CAPTURE {
        return Err(RpcError::input(
            format!("{what}:1"),
            "not a capture header (type \"header\", capture 1)",
        ));
    }
    // Captures from before `kind` existed are envelope captures.
    Ok(h["kind"].as_str().unwrap_or("envelopes").to_string())
}

/// Reads an rpc capture; errors name the file and line.
pub fn read(path: &Path) -> Result<Capture, RpcError> {
    let what = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RpcError::input(&what, e))?;
    let mut lines = text.lines().enumerate();
    let (_, first) = lines
        .next()
        .ok_or_else(|| RpcError::input(&what, "empty file"))?;
    let h: Value =
        serde_json::from_str(first).map_err(|e| RpcError::input(format!("{what}:1"), e))?;
    if h["kind"] != "rpc" {
        return Err(RpcError::input(
            format!("{what}:1"),
            "field `kind`: not \"rpc\"",
        ));
    }
    let descriptor = h["descriptor"]
        .as_str()
        .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
        .ok_or_else(|| RpcError::input(format!("{what}:1"), "field `descriptor`: not base64"))?;
    let upstreams = h["upstreams"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut calls = Vec::new();
    for (i, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let c: Call = serde_json::from_str(line)
            .map_err(|e| RpcError::input(format!("{what}:{}", i + 1), e))?;
        calls.push(c);
    }
    calls.sort_by_key(|c| c.seq);
    Ok(Capture {
        descriptor,
        calls,
        upstreams,
    })
}
