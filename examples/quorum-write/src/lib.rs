//! A quorum write, modelled for ldfi: a coordinator stores a value on three
//! replicas and tells the client "done" once enough of them confirm.
//! v1 answers after the first confirmation (a bug: one replica is not a
//! majority); v2 waits for two and re-sends to the silent ones.
#![deny(missing_docs)]

use ldfi::{Ctx, Fact, Input, Invariant, Node, NodeId, Params, Protocol, ProtocolInfo, Setup};
use serde::{Deserialize, Serialize};

/// What the nodes send.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Msg {
    /// Client to coordinator (the workload): write this value.
    Write(u32),
    /// Coordinator to a replica: store it.
    Store(u32),
    /// Replica to coordinator: stored.
    Stored(u32),
}

/// `stored(v)` at a replica; `acked(v)` at the coordinator.
pub fn fact(rel: &str, v: u32) -> Fact {
    Fact::new(rel, [v.to_string()])
}

const REPLICAS: [&str; 3] = ["r1", "r2", "r3"];

/// A node: the coordinator uses `needed` and `confirmed`; replicas only store.
struct QuorumNode {
    needed: usize,
    retry: bool,
    value: Option<u32>,
    confirmed: Vec<NodeId>,
}

impl Node<Msg> for QuorumNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Write(v) => {
                self.value = Some(v);
                let replicas: Vec<NodeId> = REPLICAS.iter().map(|r| ctx.node(r)).collect();
                ctx.send_all(&replicas, Msg::Store(v));
            }
            Msg::Store(v) => {
                ctx.derive(fact("stored", v));
                ctx.send(from, Msg::Stored(v));
            }
            Msg::Stored(v) if !self.confirmed.contains(&from) => {
                self.confirmed.push(from);
                if self.confirmed.len() == self.needed {
                    ctx.derive(fact("acked", v));
                }
            }
            Msg::Stored(_) => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let (true, Some(v)) = (self.retry && self.confirmed.len() < self.needed, self.value) {
            let silent: Vec<NodeId> = (REPLICAS.iter().map(|r| ctx.node(r)))
                .filter(|n| !self.confirmed.contains(n))
                .collect();
            ctx.send_all(&silent, Msg::Store(v));
        }
    }
}

/// The protocol: nodes `coord`, `r1`, `r2`, `r3`; one write of `7` at tick 1.
pub struct QuorumWrite;

impl Protocol for QuorumWrite {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "quorum-write".into(),
            summary: "a coordinator acks a write stored on a quorum of three replicas".into(),
            versions: vec!["v1".into(), "v2".into()],
            default_version: "v2".into(),
            workloads: vec!["one-write".into()],
            default_workload: "one-write".into(),
            nodes: ["coord", "r1", "r2", "r3"].map(String::from).to_vec(),
            exempt: vec![],
            params: Params {
                eot: 5,
                eff: 3,
                crashes: 0,
            },
        }
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let (needed, retry) = if setup.version == "v1" {
            (1, false)
        } else {
            (2, true)
        };
        (setup.nodes.iter())
            .map(|_| -> Box<dyn Node<Msg>> {
                Box::new(QuorumNode {
                    needed,
                    retry,
                    value: None,
                    confirmed: Vec::new(),
                })
            })
            .collect()
    }

    fn inputs(&self, _: &Setup) -> Vec<Input<Msg>> {
        vec![Input {
            at: 1,
            node: "coord".into(),
            msg: Msg::Write(7),
        }]
    }

    fn invariants(&self, _: &Setup) -> Vec<Invariant> {
        // Once acked, the value is on a majority of the replicas (a crashed
        // replica keeps what it stored: durable storage).
        vec![Invariant::new("acked-on-majority", |end| {
            let pre = end.holds_at_prop("coord", &fact("acked", 7));
            (pre, end.held_by_at_least_prop(2, &fact("stored", 7)))
        })]
    }
}
