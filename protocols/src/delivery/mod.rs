//! The broadcast-delivery suite (SIGMOD 2015; Molly): five small reliable
//! broadcast protocols with known answers and published execution counts.
//!
//! Nodes `a`, `b`, `c`; at tick 1 the environment asks `a` to broadcast
//! `hello`; `log(n, p)` records that `n` delivered `p`. One invariant for
//! all five ([`delivery_invariant`]).

mod ack;
mod classic;
mod redun;
mod retry;
mod simple;

use ldfi_harness::{Fact, Input, Invariant, Node, Params, Prop, Protocol, ProtocolInfo, Setup};
use serde::{Deserialize, Serialize};

pub use ack::AckNode;
pub use classic::ClassicNode;
pub use redun::RedunNode;
pub use retry::RetryNode;
pub use simple::SimpleNode;

/// Messages of the delivery suite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    /// Input: broadcast this payload (from the environment).
    Broadcast(String),
    /// The payload, node to node.
    Payload(String),
    /// Acknowledgement of a payload (ack-deliv).
    Ack(String),
}

/// The payload the workload broadcasts.
pub const PAYLOAD: &str = "hello";
/// The node that originates the broadcast.
pub const ORIGIN: &str = "a";

/// `log(node, payload)`.
pub fn log(node: &str, payload: &str) -> Fact {
    Fact::new("log", [node, payload])
}

/// Which of the five protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Send once, no retries.
    Simple,
    /// The origin re-sends every tick.
    Retry,
    /// Every node that logged sends every tick.
    Redun,
    /// Re-send until acknowledged.
    Ack,
    /// Relay once on first receipt.
    Classic,
}

/// A protocol of the delivery suite.
pub struct Delivery(pub Kind);

impl Delivery {
    fn name(&self) -> &'static str {
        match self.0 {
            Kind::Simple => "simple-deliv",
            Kind::Retry => "retry-deliv",
            Kind::Redun => "redun-deliv",
            Kind::Ack => "ack-deliv",
            Kind::Classic => "classic-deliv",
        }
    }

    fn summary_and_params(&self) -> (&'static str, Params) {
        let p = |eot, eff, crashes| Params { eot, eff, crashes };
        match self.0 {
            Kind::Simple => ("a sends the payload once to b and c", p(4, 2, 0)),
            Kind::Retry => ("a re-sends the payload every tick", p(4, 2, 1)),
            Kind::Redun => ("every node that logged sends every tick", p(11, 10, 1)),
            Kind::Ack => ("re-send to each peer until it acknowledges", p(8, 7, 1)),
            Kind::Classic => ("relay once on first receipt", p(5, 3, 0)),
        }
    }
}

impl Protocol for Delivery {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        let (summary, params) = self.summary_and_params();
        ProtocolInfo {
            name: self.name().into(),
            summary: summary.into(),
            versions: vec!["v1".into()],
            default_version: "v1".into(),
            workloads: vec!["broadcast".into()],
            default_workload: "broadcast".into(),
            nodes: vec!["a".into(), "b".into(), "c".into()],
            exempt: vec![],
            params,
        }
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        setup
            .nodes
            .iter()
            .map(|_| -> Box<dyn Node<Msg>> {
                match self.0 {
                    Kind::Simple => Box::new(SimpleNode),
                    Kind::Retry => Box::new(RetryNode::default()),
                    Kind::Redun => Box::new(RedunNode::default()),
                    Kind::Ack => Box::new(AckNode::default()),
                    Kind::Classic => Box::new(ClassicNode::default()),
                }
            })
            .collect()
    }

    fn inputs(&self, _setup: &Setup) -> Vec<Input<Msg>> {
        vec![Input {
            at: 1,
            node: ORIGIN.into(),
            msg: Msg::Broadcast(PAYLOAD.into()),
        }]
    }

    fn invariants(&self, _setup: &Setup) -> Vec<Invariant> {
        vec![delivery_invariant()]
    }
}

/// The suite's invariant. `pre`: some node that did not originate the
/// broadcast and has not crashed logged the payload. `post`: every node
/// that has not crashed logged it. Both are built from what they read
/// (`pre` is a `Prop`, not a Rust `bool`). The suite declares Molly's
/// assumption that more faults never make `pre` true (a lost message or a
/// crash only removes logs): a vacuous run rules out its supersets in the
/// declared search; the happens-before confirmation does not rely on it.
pub fn delivery_invariant() -> Invariant {
    Invariant::new("delivery", |end| {
        let nodes = end.nodes().to_vec();
        let pre = (nodes.iter())
            .filter(|n| n.as_str() != ORIGIN)
            .map(|n| Prop::And(vec![end.up_prop(n), Prop::Holds(log(n, PAYLOAD))]))
            .collect();
        let post = nodes
            .iter()
            .map(|n| Prop::Or(vec![end.crashed_prop(n), Prop::Holds(log(n, PAYLOAD))]))
            .collect();
        (Prop::Or(pre), Prop::And(post))
    })
    .pre_shrinks_with_faults()
}
