//! simple-deliv: `a` logs the payload and sends it once to `b` and `c`; a
//! receiver logs it.

use super::{log, Msg};
use ldfi_harness::{Ctx, Node, NodeId};

/// A node of simple-deliv.
#[derive(Default)]
pub struct SimpleNode;

impl Node<Msg> for SimpleNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        match msg {
            Msg::Broadcast(p) => {
                ctx.because([]);
                ctx.derive(log(&me, &p));
                ctx.because([log(&me, &p)]);
                let peers = ctx.peers();
                ctx.send_all(&peers, Msg::Payload(p));
            }
            Msg::Payload(p) => {
                ctx.because([]);
                ctx.derive(log(&me, &p));
            }
            Msg::Ack(_) => {}
        }
    }
}
