//! redun-deliv: every node that has logged the payload sends it to every
//! other node on every tick.

use super::{log, Msg};
use ldfi_harness::{Ctx, Fact, Node, NodeId};

/// A node of redun-deliv.
#[derive(Default)]
pub struct RedunNode {
    /// The payload and its `log` fact, once logged.
    logged: Option<(Msg, Fact)>,
}

impl Node<Msg> for RedunNode {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        if let Msg::Broadcast(p) | Msg::Payload(p) = msg {
            ctx.because([]);
            // Every receipt is another derivation of the same fact.
            match &self.logged {
                Some((_, fact)) if fact.args[1] == p => ctx.derive(fact.clone()),
                _ => {
                    let fact = log(ctx.name(ctx.me()), &p);
                    ctx.derive(fact.clone());
                    self.logged = Some((Msg::Payload(p), fact));
                }
            }
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let Some((payload, fact)) = &self.logged {
            ctx.because([fact.clone()]);
            for peer in ctx.peers() {
                ctx.send(peer, payload.clone());
            }
        }
    }
}
