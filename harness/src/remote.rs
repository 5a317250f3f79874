//! The seam between the model and real processes (the dataplane): one node
//! of a protocol hosted alone, the schedule's message faults as a sidecar
//! applies them, and the verdict on a run assembled from many processes.
//!
//! Nothing here is a second implementation: a hosted node runs the same
//! `World::step` as the simulator up to the wire (handlers, timers,
//! `because`, lineage), a sidecar routes with the same rule as the
//! simulator's message layer ([`Wire::route`]), and the conductor's verdict
//! comes from the same end state, checker and judgement as [`run`](crate::run).

use crate::error::RunError;
use crate::model::{Message, Protocol};
use crate::plan::Plan;
use crate::runner::{
    build_world, checker_of, fault_space, judge, setup_of, validate, Run, RunConfig,
};
use crate::world::World;
use ldfi_lineage::{Event, Fact, Loss, MsgId, NodeIdx, Step, Tick, Trace};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::plan::Route;

/// The harness-side state of one node that outlives its process: the
/// conductor keeps the last one a node reported and hands it to the
/// relaunched process at a restart (in the simulator it lives in the world).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The node's step counter.
    pub step: Step,
    /// The facts it holds, with the step each was first derived at.
    pub held: Vec<(Fact, Step)>,
    /// Its RNG's position in its stream: (high, low) 64 bits.
    pub rng_word_pos: (u64, u64),
}

/// A message that arrived for a hosted node: identity, delivery tick,
/// copy number and its encoding.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// The message.
    pub id: MsgId,
    /// Delivery tick.
    pub at: Tick,
    /// Copy number (1 for the second copy of a duplicated message).
    pub copy: u8,
    /// Its serde (postcard) encoding.
    pub body: Vec<u8>,
}

/// A message a hosted node sent this tick, not yet on the wire.
#[derive(Clone, Debug)]
pub struct Outbound {
    /// Its identity.
    pub id: MsgId,
    /// Receiver.
    pub to: NodeIdx,
    /// Its serde (postcard) encoding.
    pub body: Vec<u8>,
    /// Its rendering (as in the trace).
    pub label: String,
    /// Lost at the sender already (its node is down under molly semantics):
    /// it must not be sent.
    pub lost: Option<Loss>,
}

/// One node of a protocol hosted alone, as a dataplane node process runs it.
pub trait RemoteNode {
    /// Restores what a crashed node's harness-side state was (before the
    /// tick of its restart).
    fn resume(&mut self, snapshot: &Snapshot);
    /// Runs tick `t` with the messages due by then. Returns what the node
    /// sent, in send order; nothing is on the wire yet.
    fn step(&mut self, t: Tick, arrived: Vec<Arrival>) -> Result<Vec<Outbound>, RunError>;
    /// After the wire decided: `losses[k]` is what became of the `k`-th
    /// send of the last [`RemoteNode::step`] (`None`: it will arrive).
    /// Returns the tick's events, in order, and the node's state.
    fn finish(&mut self, losses: &[Option<Loss>]) -> (Vec<Event>, Snapshot);
}

/// Hosts node `node` of `p` for the run `cfg`.
pub fn host<P: Protocol>(
    p: &P,
    cfg: &RunConfig,
    node: &str,
) -> Result<Box<dyn RemoteNode>, RunError> {
    validate(p, cfg)?;
    let info = p.info();
    let me = info.nodes.iter().position(|n| n == node).ok_or_else(|| {
        RunError::Params(format!(
            "no node `{node}` in {} (nodes: {})",
            info.name,
            info.nodes.join(", ")
        ))
    })? as NodeIdx;
    let plan = Plan::new(&fault_space(&info, &cfg.params), &cfg.faults)?;
    let setup = setup_of(&info, cfg);
    let mut world = build_world(p, &setup, cfg, plan);
    // The conductor checks the predicates in the run's global order.
    world.checker = None;
    Ok(Box::new(Hosted {
        world,
        me,
        sends: Vec::new(),
    }))
}

struct Hosted<M: Message> {
    world: World<M>,
    me: NodeIdx,
    /// The sends of the last step: (identity, receiver).
    sends: Vec<(MsgId, NodeIdx)>,
}

impl<M: Message> RemoteNode for Hosted<M> {
    fn resume(&mut self, snapshot: &Snapshot) {
        let local = self.world.local_mut(self.me);
        local.step = snapshot.step;
        local.held = snapshot.held.iter().cloned().collect();
        let (hi, lo) = snapshot.rng_word_pos;
        local.rng.set_word_pos(((hi as u128) << 64) | lo as u128);
    }

    fn step(&mut self, t: Tick, arrived: Vec<Arrival>) -> Result<Vec<Outbound>, RunError> {
        let mut envelopes = Vec::with_capacity(arrived.len());
        for a in arrived {
            let msg: M = postcard::from_bytes(&a.body).map_err(|e| {
                RunError::Wire(format!(
                    "message {}/{}/{} cannot be decoded: {e}",
                    a.id.from, a.id.sent, a.id.seq
                ))
            })?;
            envelopes.push((a.id, a.at, a.copy, msg));
        }
        if !self.world.handle_tick(self.me, t, envelopes) {
            self.sends.clear();
            return Ok(Vec::new());
        }
        let down = self.world.is_down(self.me);
        let sends = self.world.take_sends();
        self.sends = sends.iter().map(|(o, _)| (o.id, o.to)).collect();
        Ok(sends
            .into_iter()
            .map(|(o, body)| Outbound {
                label: self.world.label_of(&body),
                id: o.id,
                to: o.to,
                body,
                lost: down.then_some(Loss::SenderDown),
            })
            .collect())
    }

    fn finish(&mut self, losses: &[Option<Loss>]) -> (Vec<Event>, Snapshot) {
        assert_eq!(losses.len(), self.sends.len(), "one fate per send");
        for (&(id, to), lost) in self.sends.iter().zip(losses) {
            if let Some(reason) = *lost {
                self.world.events.push(Event::Lost { id, to, reason });
            }
        }
        self.sends.clear();
        self.world.sites.clear();
        let events = std::mem::take(&mut self.world.events);
        let local = self.world.local_mut(self.me);
        let pos = local.rng.get_word_pos();
        let snapshot = Snapshot {
            step: local.step,
            held: local.held.iter().map(|(f, s)| (f.clone(), *s)).collect(),
            rng_word_pos: ((pos >> 64) as u64, pos as u64),
        };
        (events, snapshot)
    }
}

/// The `Lost` events of what was due at node `to` while it was down.
pub fn lost_while_down(to: NodeIdx, due: impl IntoIterator<Item = MsgId>) -> Vec<Event> {
    due.into_iter()
        .map(|id| Event::Lost {
            id,
            to,
            reason: Loss::ReceiverDown,
        })
        .collect()
}

/// The schedule's message faults, as a sidecar applies them.
#[derive(Clone, Debug)]
pub struct Wire {
    plan: Plan,
    eot: Tick,
}

impl Wire {
    /// The message layer of the run `cfg` of `p`.
    pub fn new<P: Protocol>(p: &P, cfg: &RunConfig) -> Result<Wire, RunError> {
        validate(p, cfg)?;
        let plan = Plan::new(&fault_space(&p.info(), &cfg.params), &cfg.faults)?;
        Ok(Wire {
            plan,
            eot: cfg.params.eot,
        })
    }

    /// Where what `from` sends `to` at tick `t` goes (the sender is up).
    pub fn route(&self, from: NodeIdx, to: NodeIdx, t: Tick) -> Route {
        self.plan.route(from, to, t, self.eot, false)
    }

    /// Where a message sent at tick `t` goes when a fault addressed to it
    /// by another identity (the dataplane's k-th envelope on a channel)
    /// delays it `extra` ticks and delivers `copies` copies: the same rule
    /// as [`Wire::route`]'s for a delay or duplicate.
    pub fn deliver(&self, t: Tick, extra: Tick, copies: u8) -> Route {
        crate::plan::deliver(t, extra, copies, self.eot)
    }
}

/// Decodes a message of a protocol (type erased) into what the enforcement
/// checker reads, and its rendering: `(sender, receiver, encoding)`.
pub type Decoder = fn(&str, &str, &[u8]) -> Result<(ldfi_enforce::MsgEvent, String), String>;

/// The [`Decoder`] of message type `M`.
pub fn decode<M: Message>(
    from: &str,
    to: &str,
    body: &[u8],
) -> Result<(ldfi_enforce::MsgEvent, String), String> {
    let msg: M = postcard::from_bytes(body).map_err(|e| format!("undecodable message: {e}"))?;
    let ev = ldfi_enforce::MsgEvent::from_rpc_message(from, to, &msg)
        .map_err(|e| format!("message {msg:?} cannot be checked: {e}"))?;
    Ok((ev, crate::ctx::label(&msg)))
}

/// A run assembled from real processes: its trace (the events of every
/// node's ticks, in the simulator's order), the facts each node held at
/// EOT, and the encoding of every delivered message.
#[derive(Clone, Debug, Default)]
pub struct Assembled {
    /// The trace.
    pub trace: Trace,
    /// Per node, in order: the facts it holds at EOT.
    pub held: Vec<Vec<Fact>>,
    /// The encoding of each delivered message.
    pub bodies: BTreeMap<MsgId, Vec<u8>>,
}

/// The verdict on an assembled run, exactly as [`run`](crate::run) gives
/// it: the end state, the enforcement predicates fed every delivery in
/// trace order, invariants then predicates.
pub fn judge_assembled<P: Protocol>(
    p: &P,
    cfg: &RunConfig,
    run: Assembled,
    spec: Option<&ldfi_enforce::Spec>,
) -> Result<Run, RunError> {
    validate(p, cfg)?;
    let info = p.info();
    let setup = setup_of(&info, cfg);
    let end = crate::end::EndState::from_run(&run.trace.nodes, &run.held, &run.trace.events);
    let mut violations = Vec::new();
    if let Some(mut checker) = checker_of(p, &setup, cfg, spec)? {
        for e in &run.trace.events {
            let Event::Deliver { id, to, .. } = e else {
                continue;
            };
            let body = run
                .bodies
                .get(id)
                .ok_or_else(|| RunError::Wire(format!("no message body for delivered {id:?}")))?;
            let msg: P::Msg = postcard::from_bytes(body)
                .map_err(|e| RunError::Wire(format!("message {id:?}: {e}")))?;
            crate::world::observe(
                &mut checker,
                &run.trace.nodes,
                id.from,
                *to,
                &msg,
                &mut violations,
            );
        }
    }
    Ok(judge(
        p,
        &setup,
        cfg,
        run.trace,
        end,
        &violations,
        Vec::new(),
    ))
}
