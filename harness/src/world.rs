//! The harness's side of a run: node states, the message layer that
//! injects faults, and the trace being recorded. Turmoil hosts call
//! [`World::step`] once per node per tick.

use crate::ctx::{Ctx, Local, Outgoing};
use crate::end::EndState;
use crate::model::{Message, Node};
use crate::plan::Plan;
use ldfi_lineage::{Cause, CrashMode, Event, MsgId, NodeIdx, Tick, ENV};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// A message on the wire: identity, delivery tick, copy number, payload.
pub(crate) type Envelope<M> = (MsgId, Tick, u8, M);

/// An encoded envelope and the node it goes to.
pub(crate) type Datagram = (NodeIdx, Vec<u8>);

/// Pending deliveries of one node, in delivery order.
type Inbox<M> = BTreeMap<(Tick, MsgId, u8), M>;

/// Inputs by (tick, node): (input number, message).
pub(crate) type Inputs<M> = BTreeMap<(Tick, NodeIdx), Vec<(u32, M)>>;

/// Builds a fresh node (for `restart`).
pub(crate) type Rebuild<M> = Box<dyn Fn(NodeIdx) -> Box<dyn Node<M>>>;

pub(crate) struct World<M: Message> {
    pub(crate) names: Vec<String>,
    pub(crate) eot: Tick,
    nodes: Vec<Box<dyn Node<M>>>,
    locals: Vec<Local>,
    down: Vec<bool>,
    inbox: Vec<Inbox<M>>,
    /// Inputs by (tick, node): (input number, message).
    inputs: Inputs<M>,
    plan: Plan,
    rebuild: Rebuild<M>,
    honor_because: bool,
    pub(crate) crash_mode: CrashMode,
    pub(crate) events: Vec<Event>,
    /// Event index → the `because` call site its causes came from.
    pub(crate) sites: Vec<(usize, &'static std::panic::Location<'static>)>,
    outbox: Vec<Outgoing<M>>,
    /// Enforcement predicates, fed every delivered message.
    pub(crate) checker: Option<ldfi_enforce::Checker>,
    /// What the checker reported.
    pub(crate) violations: Vec<ldfi_enforce::Violation>,
    /// Labels of the messages seen so far, by encoding: a message is
    /// rendered with `Debug` once per run, not once per send.
    labels: BTreeMap<Vec<u8>, String>,
    /// The encoding of every message sent, by identity, when recorded (to
    /// export a run as a capture); `None` otherwise.
    pub(crate) bodies: Option<BTreeMap<MsgId, Vec<u8>>>,
}

impl<M: Message> World<M> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        names: Vec<String>,
        eot: Tick,
        nodes: Vec<Box<dyn Node<M>>>,
        inputs: Inputs<M>,
        plan: Plan,
        rebuild: Rebuild<M>,
        seed: u64,
        honor_because: bool,
    ) -> Self {
        let n = names.len();
        let locals = (0..n)
            .map(|i| Local {
                step: 0,
                send_seq: 0,
                held: BTreeMap::new(),
                rng: ChaCha8Rng::seed_from_u64(seed ^ ((i as u64 + 1) << 32)),
                timers: BTreeMap::new(),
            })
            .collect();
        World {
            names,
            eot,
            nodes,
            locals,
            down: vec![false; n],
            inbox: (0..n).map(|_| BTreeMap::new()).collect(),
            inputs,
            plan,
            rebuild,
            honor_because,
            crash_mode: CrashMode::Stop,
            events: Vec::new(),
            sites: Vec::new(),
            outbox: Vec::new(),
            checker: None,
            violations: Vec::new(),
            labels: BTreeMap::new(),
            bodies: None,
        }
    }

    /// Runs node `me` for tick `t` given the envelopes that arrived for it;
    /// returns the envelopes to put on the wire.
    ///
    /// The order of a node's tick (documented in the README): a crash or
    /// restart takes effect; `on_start` (tick 1, or after a restart);
    /// `on_tick_start`; workload inputs, in workload order; messages, by
    /// (delivery tick, sender, send tick, position); timers due now, by
    /// name; `on_tick`. A node that is down under `stop` semantics does
    /// none of it (what arrives for it is lost); under `molly` semantics
    /// it does all of it, but nothing it sends leaves it.
    pub(crate) fn step(
        &mut self,
        me: NodeIdx,
        t: Tick,
        arrived: Vec<Envelope<M>>,
    ) -> Vec<Datagram> {
        if !self.handle_tick(me, t, arrived) {
            return Vec::new();
        }
        self.flush(me, t)
    }

    /// Everything of [`World::step`] up to the wire: the node's tick, its
    /// sends left in the outbox. False if the node is down under `stop`
    /// semantics (it did nothing; what was due for it is lost).
    pub(crate) fn handle_tick(&mut self, me: NodeIdx, t: Tick, arrived: Vec<Envelope<M>>) -> bool {
        let i = me as usize;
        for (id, at, copy, msg) in arrived {
            self.inbox[i].insert((at, id, copy), msg);
        }
        let restarted = self.plan.restart.contains(&(me, t));
        if restarted {
            self.nodes[i] = (self.rebuild)(me);
            self.locals[i].timers.clear();
            self.down[i] = false;
            self.events.push(Event::Restart { node: me, at: t });
        } else if self.plan.crash.get(&me) == Some(&t) {
            self.down[i] = true;
            self.events.push(Event::Crash { node: me, at: t });
        }
        let due = self.due(i, t);
        if self.down[i] && self.crash_mode == CrashMode::Stop {
            let due = due.into_iter().map(|((_, id, _), _)| id);
            self.events.extend(crate::remote::lost_while_down(me, due));
            return false;
        }
        self.locals[i].send_seq = 0;
        if t == 1 || restarted {
            self.handle(me, t, None, Vec::new(), |n, ctx| n.on_start(ctx));
        }
        self.handle(me, t, None, Vec::new(), |n, ctx| n.on_tick_start(ctx));
        for (input, msg) in self.inputs.remove(&(t, me)).unwrap_or_default() {
            self.events.push(Event::Input {
                input,
                node: me,
                at: t,
                label: crate::ctx::label(&msg),
            });
            self.handle(me, t, Some(Cause::Input(input)), Vec::new(), |n, ctx| {
                n.on_message(ctx, crate::NodeId(ENV), msg)
            });
        }
        for ((_, id, _), msg) in due {
            self.locals[i].step += 1;
            let step = self.locals[i].step;
            self.events.push(Event::Deliver {
                id,
                to: me,
                at: t,
                step,
            });
            self.enforce(id.from, me, &msg);
            let from = crate::NodeId(id.from);
            self.handle(me, t, Some(Cause::Msg(id)), Vec::new(), |n, ctx| {
                n.on_message(ctx, from, msg)
            });
        }
        self.fire_timers(me, t);
        self.handle(me, t, None, Vec::new(), |n, ctx| n.on_tick(ctx));
        true
    }

    /// Takes the messages due at node `i` by tick `t` out of its inbox.
    fn due(&mut self, i: usize, t: Tick) -> Vec<((Tick, MsgId, u8), M)> {
        let first = MsgId {
            from: 0,
            sent: 0,
            seq: 0,
        };
        let later = match t.checked_add(1) {
            Some(next) => self.inbox[i].split_off(&(next, first, 0)),
            None => BTreeMap::new(),
        };
        std::mem::replace(&mut self.inbox[i], later)
            .into_iter()
            .collect()
    }

    /// Runs `on_timer` for every timer of `me` due at `t`, in name order.
    fn fire_timers(&mut self, me: NodeIdx, t: Tick) {
        let timers = &mut self.locals[me as usize].timers;
        let due: Vec<String> = (timers.iter())
            .filter(|(_, (at, _))| *at == t)
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            let Some((_, causes)) = self.locals[me as usize].timers.remove(&name) else {
                continue; // cancelled by an earlier timer's handler
            };
            self.events.push(Event::Timer {
                node: me,
                at: t,
                name: name.clone(),
            });
            self.handle(me, t, None, causes, |n, ctx| n.on_timer(ctx, &name));
        }
    }

    fn handle(
        &mut self,
        me: NodeIdx,
        t: Tick,
        handling: Option<Cause>,
        timer_causes: Vec<Cause>,
        f: impl FnOnce(&mut dyn Node<M>, &mut Ctx<'_, M>),
    ) {
        let i = me as usize;
        let mut ctx = Ctx {
            now: t,
            me,
            names: &self.names,
            local: &mut self.locals[i],
            events: &mut self.events,
            outbox: &mut self.outbox,
            handling,
            timer_causes,
            narrowed: None,
            honor_because: self.honor_because,
            sites: &mut self.sites,
        };
        f(self.nodes[i].as_mut(), &mut ctx);
    }

    /// Feeds a delivered message to the enforcement predicates.
    fn enforce(&mut self, from: NodeIdx, to: NodeIdx, msg: &M) {
        if let Some(checker) = &mut self.checker {
            observe(checker, &self.names, from, to, msg, &mut self.violations);
        }
    }

    /// Takes what `me` sent this tick out of the outbox, in send order,
    /// with each message's encoding; fills in the labels of their `Send`
    /// events.
    pub(crate) fn take_sends(&mut self) -> Vec<(Outgoing<M>, Vec<u8>)> {
        let mut sends = Vec::new();
        for out in std::mem::take(&mut self.outbox) {
            let body = postcard::to_stdvec(&out.msg).expect("messages serialize");
            let label = match self.labels.get(&body) {
                Some(l) => l.clone(),
                None => {
                    let l = crate::ctx::label(&out.msg);
                    self.labels.insert(body.clone(), l.clone());
                    l
                }
            };
            if let Event::Send { label: slot, .. } = &mut self.events[out.event] {
                *slot = label;
            }
            if let Some(bodies) = &mut self.bodies {
                bodies.insert(out.id, body.clone());
            }
            sends.push((out, body));
        }
        sends
    }

    /// The harness-side state of node `me`.
    pub(crate) fn local_mut(&mut self, me: NodeIdx) -> &mut Local {
        &mut self.locals[me as usize]
    }

    /// The label of a message sent this run, by its encoding.
    pub(crate) fn label_of(&self, body: &[u8]) -> String {
        self.labels.get(body).cloned().unwrap_or_default()
    }

    /// Whether `me` is down (under `molly` semantics it still runs, but
    /// what it sends is lost).
    pub(crate) fn is_down(&self, me: NodeIdx) -> bool {
        self.down[me as usize]
    }

    /// Applies the schedule to what `me` sent this tick. A message a node
    /// sends itself goes straight to its own inbox (turmoil would deliver
    /// it a tick late), with the same fate as any other.
    fn flush(&mut self, me: NodeIdx, t: Tick) -> Vec<Datagram> {
        let mut wire = Vec::new();
        let sender_down = self.down[me as usize];
        for (Outgoing { id, to, msg, .. }, body) in self.take_sends() {
            let route = self.plan.route(id.from, to, t, self.eot, sender_down);
            for (when, c) in route.arrivals {
                if to == me {
                    self.inbox[to as usize].insert((when, id, c), msg.clone());
                } else {
                    wire.push((to, encode(id, when, c, &body)));
                }
            }
            if let Some(reason) = route.lost {
                self.events.push(Event::Lost { id, to, reason });
            }
        }
        wire
    }

    /// The end state: facts held and nodes down at EOT.
    pub(crate) fn end_state(&self) -> EndState {
        let held = self.locals.iter().map(|l| l.held.keys());
        EndState::from_run(&self.names, held, &self.events)
    }
}

/// Feeds a delivered message to the enforcement predicates; keeps what
/// they report.
pub(crate) fn observe<M: Message>(
    checker: &mut ldfi_enforce::Checker,
    names: &[String],
    from: NodeIdx,
    to: NodeIdx,
    msg: &M,
    violations: &mut Vec<ldfi_enforce::Violation>,
) {
    let (src, dst) = (&names[from as usize], &names[to as usize]);
    let ev = ldfi_enforce::MsgEvent::from_rpc_message(src.as_str(), dst.as_str(), msg)
        .unwrap_or_else(|e| panic!("protocol model bug: message {msg:?} cannot be checked: {e}"));
    violations.extend(checker.observe(&ev).iter().cloned());
}

/// A datagram: the envelope header, then the encoded message.
fn encode(id: MsgId, at: Tick, copy: u8, body: &[u8]) -> Vec<u8> {
    let mut out = postcard::to_stdvec(&(id, at, copy)).expect("headers serialize");
    out.extend_from_slice(body);
    out
}

/// Reads a datagram written by [`encode`].
pub(crate) fn decode<M: Message>(bytes: &[u8]) -> Envelope<M> {
    let ((id, at, copy), body): ((MsgId, Tick, u8), _) =
        postcard::take_from_bytes(bytes).expect("the harness decodes the headers it wrote");
    let msg = postcard::from_bytes(body).expect("the harness decodes the messages it encoded");
    (id, at, copy, msg)
}
