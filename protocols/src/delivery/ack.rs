//! ack-deliv: a node that has logged the payload keeps sending it to each
//! peer until that peer acknowledges; a receiver logs and acks. Acks persist.

use super::{log, Msg};
use ldfi_harness::{Ctx, Fact, Node, NodeId};
use std::collections::BTreeSet;

/// A node of ack-deliv.
#[derive(Default)]
pub struct AckNode {
    /// The payload and its `log` fact, once logged.
    logged: Option<(String, Fact)>,
    /// Peers that acknowledged it.
    acked: BTreeSet<NodeId>,
}

/// `acked(n, peer, p)`: `n` knows `peer` has `p`.
fn acked(n: &str, peer: &str, p: &str) -> Fact {
    Fact::new("acked", [n, peer, p])
}

impl Node<Msg> for AckNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        match msg {
            Msg::Broadcast(p) => {
                let fact = log(&me, &p);
                ctx.because([]);
                ctx.derive(fact.clone());
                self.logged = Some((p, fact));
            }
            Msg::Payload(p) => {
                ctx.because([]);
                let fact = match &self.logged {
                    Some((q, fact)) if *q == p => fact.clone(),
                    _ => log(&me, &p),
                };
                ctx.derive(fact.clone());
                ctx.send(from, Msg::Ack(p.clone()));
                self.logged = Some((p, fact));
            }
            Msg::Ack(p) => {
                let peer = ctx.name(from).to_string();
                ctx.because([]);
                ctx.derive(acked(&me, &peer, &p));
                self.acked.insert(from);
            }
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let Some((p, fact)) = &self.logged {
            ctx.because([fact.clone()]);
            for peer in ctx.peers() {
                if !self.acked.contains(&peer) {
                    ctx.send(peer, Msg::Payload(p.clone()));
                }
            }
        }
    }
}
