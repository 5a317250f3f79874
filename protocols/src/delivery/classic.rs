//! classic-deliv: a node relays the payload to every other node exactly
//! once, when it first receives it (the textbook reliable broadcast).

use super::{log, Msg};
use ldfi_harness::{Ctx, Node, NodeId};

/// A node of classic-deliv.
#[derive(Default)]
pub struct ClassicNode {
    /// Whether this node has relayed the payload it received.
    relayed: bool,
}

impl Node<Msg> for ClassicNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        match msg {
            Msg::Broadcast(p) => {
                ctx.because([]);
                ctx.derive(log(&me, &p));
                let peers = ctx.peers();
                ctx.send_all(&peers, Msg::Payload(p));
            }
            Msg::Payload(p) => {
                ctx.because([]);
                // Every receipt justifies the log; only the first is relayed.
                ctx.derive(log(&me, &p));
                if !self.relayed {
                    self.relayed = true;
                    let peers = ctx.peers();
                    ctx.send_all(&peers, Msg::Payload(p));
                }
            }
            Msg::Ack(_) => {}
        }
    }
}
