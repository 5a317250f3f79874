//! An outside crate's protocol (copied into a temporary crate by
//! `tests/user_crate.rs`): `sender` hands one value to `receiver`; v1 sends
//! once, v2 re-sends every tick until the receiver confirms.

use ldfi::{Ctx, Fact, Input, Invariant, Node, NodeId, Params, Prop, Protocol, ProtocolInfo, Setup};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Msg {
    Hand(u8),
    Value(u8),
    Got(u8),
}

pub fn got(v: u8) -> Fact {
    Fact::new("got", [v.to_string()])
}

struct Peer {
    retry: bool,
    unconfirmed: Option<u8>,
}

impl Node<Msg> for Peer {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Hand(v) => {
                self.unconfirmed = Some(v);
                let to = ctx.node("receiver");
                ctx.send(to, Msg::Value(v));
            }
            Msg::Value(v) => {
                ctx.derive(got(v));
                ctx.send(from, Msg::Got(v));
            }
            Msg::Got(_) => self.unconfirmed = None,
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let (true, Some(v)) = (self.retry, self.unconfirmed) {
            let to = ctx.node("receiver");
            ctx.send(to, Msg::Value(v));
        }
    }
}

pub struct Handoff;

impl Protocol for Handoff {
    type Msg = Msg;
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "handoff".into(),
            summary: "one value from sender to receiver".into(),
            versions: vec!["v1".into(), "v2".into()],
            default_version: "v2".into(),
            workloads: vec!["one".into()],
            default_workload: "one".into(),
            nodes: vec!["sender".into(), "receiver".into()],
            exempt: vec![],
            params: Params { eot: 4, eff: 2, crashes: 0 },
        }
    }
    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let retry = setup.version == "v2";
        (setup.nodes.iter())
            .map(|_| Box::new(Peer { retry, unconfirmed: None }) as Box<dyn Node<Msg>>)
            .collect()
    }
    fn inputs(&self, _: &Setup) -> Vec<Input<Msg>> {
        vec![Input { at: 1, node: "sender".into(), msg: Msg::Hand(5) }]
    }
    fn invariants(&self, _: &Setup) -> Vec<Invariant> {
        vec![Invariant::new("handed-over", |end| {
            (Prop::True, end.holds_at_prop("receiver", &got(5)))
        })]
    }
}
