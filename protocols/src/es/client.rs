//! The client `C`: sends each workload write to the primary it knows (at
//! the end of the tick it was given, after that tick's cluster state has
//! arrived), never retries, and records the acks it gets.

use super::facts;
use super::msg::Msg;
use super::FIRST_PRIMARY;
use ldfi_harness::{Ctx, Node, NodeId};

/// The client node.
#[derive(Debug)]
pub struct Client {
    /// Its own name.
    me: String,
    /// The primary it sends writes to (none if `M` has no primary left).
    primary: Option<String>,
    /// The newest cluster state version it applied.
    version: u64,
    /// Writes given this tick, not sent yet.
    queue: Vec<(String, String)>,
}

impl Client {
    /// The client called `me`, which starts out knowing the first primary.
    pub fn new(me: &str) -> Self {
        Client {
            me: me.to_string(),
            primary: Some(FIRST_PRIMARY.to_string()),
            version: 0,
            queue: Vec::new(),
        }
    }
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        ctx.because([]);
        ctx.derive(facts::knows_primary(&self.me, FIRST_PRIMARY));
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Write { id, payload } => self.queue.push((id, payload)),
            Msg::ClusterState {
                version, primary, ..
            } if version > self.version => {
                self.version = version;
                if let Some(p) = &primary {
                    ctx.because([]);
                    ctx.derive(facts::knows_primary(&self.me, p));
                }
                self.primary = primary;
            }
            Msg::Ack { id, seq, term, .. } => {
                ctx.because([]);
                ctx.derive(facts::acked(&id, seq, term));
            }
            _ => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let writes = std::mem::take(&mut self.queue);
        let Some(p) = self.primary.clone() else {
            return;
        };
        let to = ctx.node(&p);
        for (id, payload) in writes {
            ctx.because([facts::knows_primary(&self.me, &p)]);
            ctx.send(to, Msg::Write { id, payload });
        }
    }
}
