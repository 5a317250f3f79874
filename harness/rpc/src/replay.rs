//! Replaying a capture: each recorded client call (one whose caller is not
//! itself an upstream of the proxy: a service's own outbound calls happen
//! again when it serves the replayed ones) is sent again, as its recorded
//! caller, to a target (the services, or a proxy in front of them), in
//! recorded order; the responses are compared with the recording. A
//! difference is a different status code or different response messages
//! (compared as proto JSON; the status message only when the codes differ).

use crate::capture::{self, Call};
use crate::client::{self, Reply};
use crate::error::RpcError;
use prost_reflect::{DescriptorPool, DynamicMessage};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// How fast calls are sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// Back to back, each after the previous one answered.
    Fast,
    /// At most this many calls per second.
    Rate(f64),
    /// Each at its recorded offset from the first.
    AsRecorded,
}

/// One difference between the recording and the replay.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Difference {
    /// The call's `seq`.
    pub seq: u64,
    /// Its caller, callee and method path.
    pub call: String,
    /// `status` or `response`.
    pub what: String,
    /// As recorded.
    pub recorded: Value,
    /// As replayed.
    pub replayed: Value,
}

/// What a replay found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Calls replayed.
    pub calls: usize,
    /// Calls whose status and responses were identical.
    pub identical: usize,
    /// Every difference, in call order.
    pub differences: Vec<Difference>,
}

/// Replays the rpc capture at `path` against `target` (`host:port` or
/// `http://host:port`).
pub async fn replay(path: &Path, target: &str, pace: Pace) -> Result<Report, RpcError> {
    let cap = capture::read(path)?;
    let pool = DescriptorPool::decode(cap.descriptor.as_slice())
        .map_err(|e| RpcError::input(format!("{}:1: field `descriptor`", path.display()), e))?;
    let base = if target.contains("://") {
        target.trim_end_matches('/').to_string()
    } else {
        format!("http://{target}")
    };
    let h2 = client::h2();
    let start = crate::load::wall_now();
    let first_us = cap.calls.first().map_or(0, |c| c.start_us);
    let mut report = Report {
        calls: 0,
        identical: 0,
        differences: Vec::new(),
    };
    let clients = cap
        .calls
        .iter()
        .filter(|c| !cap.upstreams.contains(&c.caller));
    for (i, call) in clients.enumerate() {
        let due = match pace {
            Pace::Fast => Duration::ZERO,
            Pace::Rate(r) => Duration::from_secs_f64(i as f64 / r.max(1e-9)),
            Pace::AsRecorded => Duration::from_micros(call.start_us.saturating_sub(first_us)),
        };
        let waited = crate::load::wall_now().duration_since(start);
        if due > waited {
            tokio::time::sleep(due - waited).await;
        }
        let what = || format!("{}: call seq {}", path.display(), call.seq);
        let method = pool
            .services()
            .flat_map(|s| s.methods().collect::<Vec<_>>())
            .find(|m| format!("/{}/{}", m.parent_service().full_name(), m.name()) == call.path)
            .ok_or_else(|| {
                RpcError::input(
                    what(),
                    format!(
                        "method {} is not in the capture's descriptor set",
                        call.path
                    ),
                )
            })?;
        let mut requests = Vec::new();
        for r in &call.request {
            let m = DynamicMessage::deserialize(method.input(), r.clone())
                .map_err(|e| RpcError::input(what(), e))?;
            requests.push(bytes::Bytes::from(prost::Message::encode_to_vec(&m)));
        }
        let reply = client::call(&h2, &base, &call.path, Some(&call.caller), &requests).await?;
        let before = report.differences.len();
        compare(call, &reply, &method.output(), &mut report.differences);
        report.calls += 1;
        if report.differences.len() == before {
            report.identical += 1;
        }
    }
    Ok(report)
}

fn compare(
    call: &Call,
    reply: &Reply,
    output: &prost_reflect::MessageDescriptor,
    out: &mut Vec<Difference>,
) {
    let name = format!("{} -> {} {}", call.caller, call.callee, call.path);
    let diff = |what: &str, recorded: Value, replayed: Value| Difference {
        seq: call.seq,
        call: name.clone(),
        what: what.into(),
        recorded,
        replayed,
    };
    if reply.code != call.status {
        out.push(diff(
            "status",
            serde_json::json!({"code": call.status, "message": call.message}),
            serde_json::json!({"code": reply.code, "message": reply.message}),
        ));
    }
    let replayed: Vec<Value> = reply
        .messages
        .iter()
        .map(
            |b| match DynamicMessage::decode(output.clone(), b.as_ref()) {
                Ok(m) => serde_json::to_value(&m).unwrap_or(Value::Null),
                Err(e) => Value::String(format!("undecodable: {e}")),
            },
        )
        .collect();
    if replayed != call.response {
        out.push(diff(
            "response",
            Value::from(call.response.clone()),
            Value::from(replayed),
        ));
    }
}
