//! The enforcement sidecar: a separate process in front of one node; every
//! envelope the node sends or receives passes through it.
//!
//! One layer a file, composed in [`Sidecar::forward`], which reads top to
//! bottom: decode ([`decode`]), enforce ([`enforce`]), inject faults
//! ([`faults`]), hold for delivery ([`inbox`]), count ([`count`]), log
//! refusals ([`log`]). Counters are also served as Prometheus text
//! ([`metrics`]). It fails closed: what it cannot decode or check is
//! refused and logged, never passed.

pub mod count;
pub mod enforce;
pub mod faults;
pub mod inbox;
pub mod log;
pub mod metrics;
pub mod refusals;
mod service;
pub mod stream;

use crate::envelope::loss_name;
use crate::identity::ChannelFaults;
use crate::proto::{Envelope, FaultHit, Route};
use count::{Counters, Outcome};
use enforce::{key_json, rule_name, Enforcer, Mode};
use inbox::Inbox;
use ldfi_harness::remote::{Decoder, Wire};
use ldfi_lineage::NodeIdx;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use tonic::Status;

pub use service::{serve, start, Started};

/// Everything a sidecar is started with.
pub struct Config {
    /// The node it stands in front of.
    pub me: NodeIdx,
    /// Every node's name, by index.
    pub names: Vec<String>,
    /// The schedule's message faults.
    pub wire: Wire,
    /// Decodes the protocol's messages.
    pub decoder: Decoder,
    /// The protocol's enforcement predicates.
    pub spec: Option<ldfi_enforce::Spec>,
    /// What to do with a violating message.
    pub mode: Mode,
    /// Where to append violation records (JSONL), if anywhere.
    pub violations: Option<PathBuf>,
    /// Faults by channel identity (free-running), applied before `wire`'s.
    pub channel_faults: ChannelFaults,
}

/// A sidecar's state: the layers' state, each behind its own lock.
pub struct Sidecar {
    me: NodeIdx,
    names: Vec<String>,
    wire: Wire,
    decoder: Decoder,
    enforcer: Mutex<Enforcer>,
    inbox: Mutex<Inbox>,
    counts: Mutex<Counters>,
    log: Mutex<log::Log>,
    channel_faults: ChannelFaults,
    /// Per channel (sender, receiver): the envelopes that reached this
    /// sidecar for its node so far — the k of the next one.
    seen: Mutex<BTreeMap<(u32, u32), u64>>,
    /// What the channel faults hit.
    hits: Mutex<Vec<FaultHit>>,
}

/// Where an envelope goes after this sidecar.
pub enum Next {
    /// To the receiver's sidecar (the node sent it).
    Peer(NodeIdx),
    /// Held here for the node, or lost: the route to answer with.
    Done(Route),
}

impl Sidecar {
    /// A sidecar in its initial state.
    pub fn new(cfg: Config) -> Sidecar {
        Sidecar {
            me: cfg.me,
            enforcer: Mutex::new(Enforcer::new(cfg.spec.as_ref(), cfg.mode)),
            names: cfg.names,
            wire: cfg.wire,
            decoder: cfg.decoder,
            inbox: Mutex::new(Inbox::default()),
            counts: Mutex::new(Counters::default()),
            log: Mutex::new(log::Log::new(cfg.violations)),
            channel_faults: cfg.channel_faults,
            seen: Mutex::new(BTreeMap::new()),
            hits: Mutex::new(Vec::new()),
        }
    }

    /// One envelope through the stack. Outbound (the node sent it):
    /// decode, enforce, then on to the receiver's sidecar. Inbound (for
    /// the node): decode, feed the checker, apply the faults, hold for
    /// delivery, count. A message sent to oneself is both, in that order.
    pub fn forward(&self, env: &Envelope) -> Result<Next, Status> {
        let (from, to) = (env.from as usize, env.to as usize);
        if from >= self.names.len() || to >= self.names.len() {
            return Err(self.refuse(
                env,
                "?",
                None,
                "bad-endpoint",
                json!({"from": env.from, "to": env.to}),
                "unknown node index",
            ));
        }
        let channel = format!("{}->{}", self.names[from], self.names[to]);
        let me = self.me as usize;
        if from != me && to != me {
            return Err(self.refuse(
                env,
                &channel,
                None,
                "not-my-node",
                json!({}),
                "envelope does not concern this sidecar's node",
            ));
        }
        let (event, label) = match (self.decoder)(&self.names[from], &self.names[to], &env.body) {
            Ok(d) => d,
            Err(why) => {
                return Err(self.refuse(env, &channel, None, "undecodable", json!(why), &why))
            }
        };
        if from == me {
            let found = self.lock(&self.enforcer).outbound(&event);
            if let Some(v) = found.first() {
                let detail =
                    json!({"key": key_json(v), "violation": v.to_string(), "witness": v.witness});
                if self.lock(&self.enforcer).mode() == Mode::Refuse {
                    let why = format!("violates {v}");
                    return Err(self.refuse(
                        env,
                        &channel,
                        Some(&label),
                        &rule_name(v),
                        detail,
                        &why,
                    ));
                }
                self.lock(&self.log).record(
                    env,
                    &channel,
                    Some(&label),
                    "flagged",
                    &rule_name(v),
                    detail,
                );
                self.lock(&self.counts).add(&channel, Outcome::Flagged);
            }
            if to != me {
                return Ok(Next::Peer(to as NodeIdx));
            }
        }
        self.lock(&self.enforcer).inbound(&event);
        let k = {
            let mut seen = self.lock(&self.seen);
            let next = seen.entry((env.from, env.to)).or_insert(0);
            *next += 1;
            *next - 1
        };
        let (fate, hits) = faults::apply(&self.wire, &self.channel_faults, env, k);
        if !hits.is_empty() {
            self.lock(&self.hits).extend(hits);
        }
        let route = match fate {
            Ok(copies) => {
                let mut inbox = self.lock(&self.inbox);
                copies.into_iter().for_each(|c| inbox.hold(c));
                self.lock(&self.counts).add(&channel, Outcome::Forwarded);
                Route {
                    lost: String::new(),
                    refused: String::new(),
                }
            }
            Err(loss) => {
                self.lock(&self.counts)
                    .add(&channel, Outcome::DroppedByFault);
                Route {
                    lost: loss_name(Some(loss)),
                    refused: String::new(),
                }
            }
        };
        Ok(Next::Done(route))
    }

    /// Counts, logs and builds the status of a refusal.
    fn refuse(
        &self,
        env: &Envelope,
        channel: &str,
        label: Option<&str>,
        rule: &str,
        detail: serde_json::Value,
        why: &str,
    ) -> Status {
        self.lock(&self.log)
            .record(env, channel, label, "refused", rule, detail);
        self.lock(&self.counts).add(channel, Outcome::Refused);
        let status = format!(
            "refused by `{rule}` at sidecar of {}: {why}",
            self.names[self.me as usize]
        );
        if rule == "undecodable" || rule == "bad-endpoint" || rule == "not-my-node" {
            Status::invalid_argument(status)
        } else {
            Status::permission_denied(status)
        }
    }

    /// Logs a call the transport answered with an error status (code
    /// `code`); the service's own refusals are logged already.
    pub fn transport_refusal(&self, path: &str, code: &str, message: &str) {
        if message.starts_with("refused by") {
            return;
        }
        let detail = json!({"path": path, "grpc_status": code, "grpc_message": message});
        self.lock(&self.log).record(
            &Envelope::default(),
            "-",
            None,
            "refused",
            "transport",
            detail,
        );
        self.lock(&self.counts).add("-", Outcome::Refused);
    }

    /// Takes the envelopes due at the node by tick `t`.
    pub fn due(&self, t: ldfi_lineage::Tick) -> Vec<Envelope> {
        self.lock(&self.inbox).due(t)
    }

    /// The counters as Prometheus text.
    pub fn prometheus(&self) -> String {
        self.lock(&self.counts)
            .prometheus(&self.names[self.me as usize])
    }

    /// The violation records so far (JSONL).
    pub fn violations(&self) -> String {
        self.lock(&self.log).jsonl()
    }

    /// What the faults by channel identity hit so far.
    pub fn hits(&self) -> Vec<FaultHit> {
        self.lock(&self.hits).clone()
    }

    fn lock<'a, T>(&self, m: &'a Mutex<T>) -> std::sync::MutexGuard<'a, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }
}
