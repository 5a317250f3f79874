//! The trace of one run: every send, delivery, loss, crash and derivation,
//! with its causes, in a canonical order.

use crate::fact::Fact;
use crate::fault::Tick;
use serde::{Deserialize, Serialize};

/// Index of a node in [`Trace::nodes`].
pub type NodeIdx = u16;

/// The pseudo-node that stands for the environment (workload inputs).
pub const ENV: NodeIdx = u16::MAX;

/// Identifies a message: its sender, send tick and position among the
/// sender's sends in that tick. Stable across runs that share a prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MsgId {
    /// Sender.
    pub from: NodeIdx,
    /// Tick at which it was sent.
    pub sent: Tick,
    /// Index among the sender's sends at that tick.
    pub seq: u32,
}

/// Position of an event in one node's local history (deliveries and
/// derivations), counted from 1. `Hb(n, k)` means "the first `k` events of
/// node `n`".
pub type Step = u32;

/// Why a send or derivation happened.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Cause {
    /// Happens-before (the default): everything the acting node received
    /// and derived in its first `k` steps.
    Hb(Step),
    /// The delivery of this message to the acting node.
    Msg(MsgId),
    /// This fact, as held by the acting node at its step `k` (any of its
    /// derivations at steps `<= k` will do).
    Held(Fact, Step),
    /// A workload input (always present).
    Input(u32),
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// An `omit` fault.
    Omitted,
    /// A `partition` fault.
    Partitioned,
    /// The receiver was down when it arrived.
    ReceiverDown,
    /// It would arrive after EOT.
    AfterEot,
    /// Its sender had crashed (under [`CrashMode::Molly`] a crashed node
    /// still computes and sends, but nothing it sends leaves it).
    SenderDown,
    /// An enforcement sidecar refused it (a predicate forbids it, or it
    /// could not be decoded). Only on the real dataplane, under
    /// `--enforce refuse`; never in simulation.
    Refused,
}

/// What a crash does to a node: the crash semantics of the fault model,
/// explicit in every search and schedule.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CrashMode {
    /// From the crash on the node does nothing: it receives, derives and
    /// sends nothing (ldfi's default).
    #[default]
    Stop,
    /// Molly's: the node keeps receiving and computing (and deriving), and
    /// only stops sending.
    Molly,
}

impl CrashMode {
    /// `stop` or `molly`.
    pub fn name(self) -> &'static str {
        match self {
            CrashMode::Stop => "stop",
            CrashMode::Molly => "molly",
        }
    }
}

/// One event of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// `from` sent message `id` to `to`.
    Send {
        /// The message.
        id: MsgId,
        /// Receiver.
        to: NodeIdx,
        /// A readable rendering of the payload.
        label: String,
        /// Why it was sent.
        causes: Vec<Cause>,
    },
    /// `to` received message `id` (sent to it) at tick `at`; its step `step`.
    Deliver {
        /// The message.
        id: MsgId,
        /// Receiver.
        to: NodeIdx,
        /// Delivery tick.
        at: Tick,
        /// Receiver's step number for this delivery.
        step: Step,
    },
    /// Message `id` to `to` was lost.
    Lost {
        /// The message.
        id: MsgId,
        /// Intended receiver.
        to: NodeIdx,
        /// Why.
        reason: Loss,
    },
    /// Workload input number `input` was given to `node` at tick `at`.
    Input {
        /// Input number (position in the workload).
        input: u32,
        /// Receiving node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
        /// A readable rendering.
        label: String,
    },
    /// `node` derived `fact` at tick `at`, its step `step`.
    Derive {
        /// Deriving node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
        /// Node's step number for this derivation.
        step: Step,
        /// The fact.
        fact: Fact,
        /// Why.
        causes: Vec<Cause>,
    },
    /// `node` stopped holding `fact` at tick `at`, its step `step`
    /// ([`Ctx::retract`](https://docs.rs/ldfi-harness)): the fact holds at
    /// EOT only through a derivation after the last retraction.
    Retract {
        /// Retracting node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
        /// Node's step number for this retraction.
        step: Step,
        /// The fact.
        fact: Fact,
        /// Why.
        causes: Vec<Cause>,
    },
    /// A declared guard: at tick `at`, `node` decided *not* to derive
    /// `fact`, because of `causes` — the negative support of the fact's
    /// absence.
    Guard {
        /// Deciding node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
        /// Node's step number for this decision.
        step: Step,
        /// The fact not derived.
        fact: Fact,
        /// Why not.
        causes: Vec<Cause>,
    },
    /// Timer `name` of `node` fired at tick `at`.
    Timer {
        /// The node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
        /// The timer's name.
        name: String,
    },
    /// `node` crashed at tick `at` (does nothing from `at` on).
    Crash {
        /// The node.
        node: NodeIdx,
        /// First tick it is down.
        at: Tick,
    },
    /// `node` restarted with fresh state at tick `at`.
    Restart {
        /// The node.
        node: NodeIdx,
        /// Tick.
        at: Tick,
    },
}

/// The record of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Node names; a [`NodeIdx`] indexes this.
    pub nodes: Vec<String>,
    /// Last tick.
    pub eot: Tick,
    /// Events in the order they happened (deterministic for a schedule and seed).
    pub events: Vec<Event>,
}

impl Trace {
    /// Name of a node (`env` for [`ENV`]).
    pub fn name(&self, n: NodeIdx) -> &str {
        if n == ENV {
            "env"
        } else {
            &self.nodes[n as usize]
        }
    }

    /// Index of the node called `name`.
    pub fn node(&self, name: &str) -> Option<NodeIdx> {
        self.nodes
            .iter()
            .position(|n| n == name)
            .map(|i| i as NodeIdx)
    }

    /// Tick at which `node` crashed, if it did (and did not restart after).
    pub fn crashed_at(&self, node: NodeIdx) -> Option<Tick> {
        let mut at = None;
        for e in &self.events {
            match e {
                Event::Crash { node: n, at: t } if *n == node => at = Some(*t),
                Event::Restart { node: n, .. } if *n == node => at = None,
                _ => {}
            }
        }
        at
    }

    /// A stable 64-bit hash over a canonical encoding of the trace (FNV-1a
    /// over its JSON form), printed as 16 hex digits. Equal traces hash
    /// equal in every process and on every machine.
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("a trace always serializes");
        format!("{:016x}", fnv1a(&bytes))
    }
}

/// FNV-1a, 64 bits: a stable hash (std's hashers promise no stability).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
