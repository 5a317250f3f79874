//! retry-deliv: like simple-deliv, but `a` re-sends to every other node on
//! every tick.

use super::{log, Msg};
use ldfi_harness::{Ctx, Node, NodeId};

/// A node of retry-deliv.
#[derive(Default)]
pub struct RetryNode {
    /// The payload this node originates, once asked to.
    origin: Option<String>,
}

impl Node<Msg> for RetryNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        match msg {
            Msg::Broadcast(p) => {
                ctx.because([]);
                ctx.derive(log(&me, &p));
                self.origin = Some(p);
            }
            Msg::Payload(p) => {
                ctx.because([]);
                ctx.derive(log(&me, &p));
            }
            Msg::Ack(_) => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let Some(p) = self.origin.clone() {
            let me = ctx.name(ctx.me()).to_string();
            ctx.because([log(&me, &p)]);
            let peers = ctx.peers();
            ctx.send_all(&peers, Msg::Payload(p));
        }
    }
}
