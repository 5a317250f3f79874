//! redun-deliv: every node that has logged the payload sends it to every
//! other node on every tick.

use super::{log, Msg};
use ldfi_harness::{Ctx, Node, NodeId};

/// A node of redun-deliv.
#[derive(Default)]
pub struct RedunNode {
    /// The payload, once logged.
    logged: Option<String>,
}

impl Node<Msg> for RedunNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        if let Msg::Broadcast(p) | Msg::Payload(p) = msg {
            ctx.because([]);
            ctx.derive(log(&me, &p));
            self.logged = Some(p);
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let Some(p) = self.logged.clone() {
            let me = ctx.name(ctx.me()).to_string();
            ctx.because([log(&me, &p)]);
            let peers = ctx.peers();
            ctx.send_all(&peers, Msg::Payload(p));
        }
    }
}
