//! The recorder: one per simulated run, shared by every host (turmoil runs
//! them all on one thread, in a fixed order). It numbers messages, records
//! the trace, keeps each call's causes, applies the schedule's faults, and
//! feeds the enforcement checker at every delivery.
//!
//! Ticks are turmoil steps: the driver sets [`Recorder::now`] before each
//! step, and everything a host does in that step happens at that tick.

use crate::event::{label, unframe, Decoder};
use crate::identity::{RpcFault, RpcFaultKind};
use ldfi_enforce::{Checker, Dir, MsgEvent, Violation};
use ldfi_harness::LineageMode;
use ldfi_lineage::{Cause, Event, Fact, Fault, FaultSet, Loss, MsgId, NodeIdx, Step, Tick, Trace};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// The recorder as the hosts share it.
pub(crate) type Shared = Arc<Mutex<Recorder>>;

/// Locks the recorder. Every host runs on one thread, so the lock is
/// never contended: finding it held means a guard lives across an await
/// (a bug that would otherwise deadlock the run), and panics saying so. A
/// poisoned lock means a host panicked, which the run reports anyway.
pub(crate) fn lock(rec: &Shared) -> std::sync::MutexGuard<'_, Recorder> {
    match rec.try_lock() {
        Ok(g) => g,
        Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => {
            panic!("web-forum-grpc: the recorder is locked across an await")
        }
    }
}

/// What the RPC layer does with one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Send it as `id`, `delay` ticks late.
    Go { id: MsgId, delay: Tick },
    /// It never arrives: the caller waits (and times out).
    Drop,
    /// It never arrives; the caller gets `UNAVAILABLE` at once.
    Error,
}

/// The id as request metadata carries it (`ldfi-call`): `m:from.sent.seq`.
pub(crate) fn call_id(id: MsgId) -> String {
    format!("m:{}.{}.{}", id.from, id.sent, id.seq)
}

/// The call id of workload input `n`.
pub(crate) fn input_id(n: u32) -> String {
    format!("i:{n}")
}

/// Parses [`call_id`].
pub(crate) fn parse_call_id(s: &str) -> Option<MsgId> {
    let mut it = s.strip_prefix("m:")?.split('.');
    let id = MsgId {
        from: it.next()?.parse().ok()?,
        sent: it.next()?.parse().ok()?,
        seq: it.next()?.parse().ok()?,
    };
    it.next().is_none().then_some(id)
}

/// The faults of a run, compiled.
#[derive(Default)]
pub(crate) struct Plan {
    omit: BTreeSet<(NodeIdx, NodeIdx, Tick)>,
    delay: BTreeMap<(NodeIdx, NodeIdx, Tick), Tick>,
    partitions: Vec<(Vec<NodeIdx>, Vec<NodeIdx>, Tick, Tick)>,
    pub(crate) crash: BTreeMap<NodeIdx, Tick>,
    /// Restarts (`restart(n, t)` faults).
    restart: BTreeSet<(NodeIdx, Tick)>,
    rpc: BTreeMap<(NodeIdx, NodeIdx, String, u32), RpcFaultKind>,
    kills: BTreeMap<NodeIdx, u32>,
}

impl Plan {
    /// Compiles checked faults over `names`; `Err` names a fault the RPC
    /// layer cannot apply.
    pub(crate) fn new(
        names: &[String],
        faults: &FaultSet,
        rpc: &[RpcFault],
        kills: &[crate::identity::Kill],
        restartable: &[&str],
    ) -> Result<Plan, String> {
        let ix = |n: &str| -> Result<NodeIdx, String> {
            names
                .iter()
                .position(|m| m == n)
                .map(|i| i as NodeIdx)
                .ok_or_else(|| format!("unknown node `{n}` (nodes: {})", names.join(", ")))
        };
        let mut plan = Plan::default();
        for f in faults.faults() {
            match f {
                Fault::Omit { from, to, at } => {
                    plan.omit.insert((ix(from)?, ix(to)?, *at));
                }
                Fault::Crash { node, at } => {
                    plan.crash.insert(ix(node)?, *at);
                }
                Fault::Delay {
                    from,
                    to,
                    at,
                    ticks,
                } => {
                    plan.delay.insert((ix(from)?, ix(to)?, *at), *ticks);
                }
                Fault::Partition { a, b, from, until } => {
                    let a = a.iter().map(|n| ix(n)).collect::<Result<_, _>>()?;
                    let b = b.iter().map(|n| ix(n)).collect::<Result<_, _>>()?;
                    plan.partitions.push((a, b, *from, *until));
                }
                Fault::Restart { node, at } if restartable.contains(&node.as_str()) => {
                    plan.restart.insert((ix(node)?, *at));
                }
                Fault::Restart { .. } => {
                    return Err(format!(
                        "fault {f}: web-forum-grpc restarts {} only (a service whose state \
                         a restart rebuilds)",
                        restartable.join(" and ")
                    ))
                }
                Fault::Duplicate { .. } => {
                    return Err(format!(
                        "fault {f}: web-forum-grpc applies omit, crash, delay, partition and \
                         restart (an RPC is not duplicated by its transport)"
                    ))
                }
            }
        }
        for r in rpc {
            let key = (ix(&r.caller)?, ix(&r.callee)?, r.method.clone(), r.k);
            plan.rpc.insert(key, r.kind.clone());
        }
        for k in kills {
            plan.kills.insert(ix(&k.node)?, k.after);
        }
        Ok(plan)
    }

    fn cut(&self, from: NodeIdx, to: NodeIdx, t: Tick) -> Option<Loss> {
        if self.omit.contains(&(from, to, t)) {
            return Some(Loss::Omitted);
        }
        let across = |a: &Vec<NodeIdx>, b: &Vec<NodeIdx>| a.contains(&from) && b.contains(&to);
        self.partitions
            .iter()
            .any(|(a, b, s, u)| (across(a, b) || across(b, a)) && *s <= t && t < *u)
            .then_some(Loss::Partitioned)
    }
}

/// Everything recorded in one run.
pub(crate) struct Recorder {
    names: Vec<String>,
    now: Tick,
    events: Vec<Event>,
    steps: Vec<Step>,
    seq: BTreeMap<(NodeIdx, Tick), u32>,
    /// Per call being served (or workload input): the causes of what is
    /// done while serving it, in the order learned.
    acc: BTreeMap<String, Vec<Cause>>,
    held: Vec<BTreeSet<Fact>>,
    checker: Option<Checker>,
    violations: Vec<Violation>,
    /// The checker event of each message in flight.
    in_flight: BTreeMap<MsgId, MsgEvent>,
    /// Messages delivered or lost.
    settled: BTreeSet<MsgId>,
    plan: Plan,
    /// Requests whose responses are dropped (by identity).
    drop_response: BTreeSet<MsgId>,
    calls: BTreeMap<(NodeIdx, NodeIdx, String), u32>,
    /// Requests received, per node (for kills by identity).
    received: BTreeMap<NodeIdx, u32>,
    /// Nodes down now (crashed, or killed by identity), since when.
    down: BTreeMap<NodeIdx, Tick>,
    /// Each node's life: bumped by every restart.
    lives: Vec<u64>,
    decoder: Decoder,
    /// Whether declared causes count ([`LineageMode::Declared`]); if not,
    /// everything a node does is caused by everything it saw before.
    declared: bool,
}

impl Recorder {
    pub(crate) fn new(
        names: Vec<String>,
        plan: Plan,
        checker: Option<Checker>,
        lineage: LineageMode,
    ) -> Recorder {
        let n = names.len();
        Recorder {
            names,
            now: 0,
            events: Vec::new(),
            steps: vec![0; n],
            seq: BTreeMap::new(),
            acc: BTreeMap::new(),
            held: vec![BTreeSet::new(); n],
            checker,
            violations: Vec::new(),
            in_flight: BTreeMap::new(),
            settled: BTreeSet::new(),
            plan,
            drop_response: BTreeSet::new(),
            calls: BTreeMap::new(),
            received: BTreeMap::new(),
            down: BTreeMap::new(),
            lives: vec![0; n],
            decoder: Decoder::forum(),
            declared: lineage == LineageMode::Declared,
        }
    }

    /// The current tick.
    pub(crate) fn now(&self) -> Tick {
        self.now
    }

    /// Starts tick `t`: restarts due now take effect, then crashes. The
    /// nodes restarted, in order: each starts a new life with none of the
    /// facts it held (its volatile state is gone); what it recovers from
    /// durable state it derives again.
    pub(crate) fn tick(&mut self, t: Tick) -> Vec<NodeIdx> {
        self.now = t;
        let restarted: Vec<NodeIdx> = (self.plan.restart.iter())
            .filter(|(_, at)| *at == t)
            .map(|(n, _)| *n)
            .collect();
        for &node in &restarted {
            self.down.remove(&node);
            self.lives[node as usize] += 1;
            self.events.push(Event::Restart { node, at: t });
            // What it held is gone: said in the trace, so that lineage
            // explains a fact it holds at EOT by what it derived since.
            for fact in std::mem::take(&mut self.held[node as usize]) {
                let step = self.step(node);
                self.events.push(Event::Retract {
                    node,
                    at: t,
                    step,
                    fact,
                    causes: Vec::new(),
                });
            }
        }
        let due: Vec<NodeIdx> = (self.plan.crash.iter())
            .filter(|(_, at)| **at == t)
            .map(|(n, _)| *n)
            .collect();
        for node in due {
            self.go_down(node);
        }
        restarted
    }

    /// `node` goes down now (until a restart, if any).
    fn go_down(&mut self, node: NodeIdx) {
        let t = self.now;
        self.down.insert(node, t);
        self.events.push(Event::Crash { node, at: t });
    }

    /// `node`'s current life, `None` while it is down.
    pub(crate) fn life(&self, node: NodeIdx) -> Option<u64> {
        (!self.down(node)).then(|| self.lives[node as usize])
    }

    /// The index of node `name`.
    pub(crate) fn node(&self, name: &str) -> NodeIdx {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("a host is a node") as NodeIdx
    }

    /// The name of node `n`.
    pub(crate) fn name(&self, n: NodeIdx) -> &str {
        &self.names[n as usize]
    }

    fn down(&self, n: NodeIdx) -> bool {
        self.down.contains_key(&n)
    }

    fn next_id(&mut self, from: NodeIdx) -> MsgId {
        let seq = self.seq.entry((from, self.now)).or_insert(0);
        let id = MsgId {
            from,
            sent: self.now,
            seq: *seq,
        };
        *seq += 1;
        id
    }

    fn step(&mut self, n: NodeIdx) -> Step {
        self.steps[n as usize] += 1;
        self.steps[n as usize]
    }

    fn causes(&self, node: NodeIdx, call: Option<&str>) -> Vec<Cause> {
        let hb = Cause::Hb(self.steps[node as usize]);
        match call.and_then(|c| self.acc.get(c)) {
            Some(c) if self.declared => c.clone(),
            // Happens-before: everything the node saw so far (and the
            // workload input it acts on, which is always there).
            Some(c) => std::iter::once(hb)
                .chain(c.iter().filter(|c| matches!(c, Cause::Input(_))).cloned())
                .collect(),
            // Safe by default: everything the node saw so far.
            None => vec![hb],
        }
    }

    fn lose(&mut self, id: MsgId, to: NodeIdx, reason: Loss) {
        self.in_flight.remove(&id);
        self.settled.insert(id);
        self.events.push(Event::Lost { id, to, reason });
    }

    fn feed(&mut self, id: MsgId) {
        let ev = self.in_flight.remove(&id);
        if let (Some(checker), Some(ev)) = (&mut self.checker, ev) {
            self.violations.extend(checker.observe(&ev).iter().cloned());
        }
    }

    /// The event of a message `bytes` of method `path`, and its label.
    fn decode(&self, from: NodeIdx, to: NodeIdx, path: &str, dir: Dir, bytes: &[u8]) -> MsgEvent {
        let (src, dst) = (&self.names[from as usize], &self.names[to as usize]);
        let Some(m) = self.decoder.method(path) else {
            return MsgEvent::new(src.as_str(), dst.as_str(), dir, path);
        };
        let body = unframe(bytes).and_then(|b| self.decoder.event(src, dst, &m, dir, b));
        body.unwrap_or_else(|_| MsgEvent::new(src.as_str(), dst.as_str(), dir, m.name()))
    }

    /// A workload input `n` given to `node` now; its call id.
    pub(crate) fn input(&mut self, node: NodeIdx, n: u32, what: String) -> String {
        self.events.push(Event::Input {
            input: n,
            node,
            at: self.now,
            label: what,
        });
        let id = input_id(n);
        self.acc.insert(id.clone(), vec![Cause::Input(n)]);
        id
    }

    /// `caller` sends a request of `path` to `callee` while serving `cause`.
    pub(crate) fn send_request(
        &mut self,
        caller: NodeIdx,
        callee: NodeIdx,
        path: &str,
        bytes: &[u8],
        cause: Option<&str>,
    ) -> Fate {
        if self.down(caller) {
            return Fate::Drop;
        }
        let ev = self.decode(caller, callee, path, Dir::Request, bytes);
        let k = self
            .calls
            .entry((caller, callee, ev.kind.clone()))
            .or_insert(0);
        *k += 1;
        let ident = (caller, callee, ev.kind.clone(), *k);
        let id = self.next_id(caller);
        let causes = self.causes(caller, cause);
        self.events.push(Event::Send {
            id,
            to: callee,
            label: label(&ev),
            causes,
        });
        self.in_flight.insert(id, ev);
        let mut delay = self
            .plan
            .delay
            .get(&(caller, callee, self.now))
            .copied()
            .unwrap_or(0);
        match self.plan.rpc.get(&ident).cloned() {
            Some(RpcFaultKind::DropRequest) => {
                self.lose(id, callee, Loss::Omitted);
                return Fate::Drop;
            }
            Some(RpcFaultKind::Error) => {
                self.lose(id, callee, Loss::Omitted);
                return Fate::Error;
            }
            Some(RpcFaultKind::DropResponse) => {
                self.drop_response.insert(id);
            }
            Some(RpcFaultKind::Delay { ticks }) => delay += ticks,
            None => {}
        }
        if let Some(reason) = self.plan.cut(caller, callee, self.now) {
            self.lose(id, callee, reason);
            return Fate::Drop;
        }
        Fate::Go { id, delay }
    }

    /// Request `id` arrives at `me`; the call id it is served under, or
    /// `None` if `me` is down (it is lost).
    pub(crate) fn deliver_request(&mut self, me: NodeIdx, id: MsgId) -> Option<String> {
        if self.settled.contains(&id) {
            return None;
        }
        if self.down(me) {
            self.lose(id, me, Loss::ReceiverDown);
            return None;
        }
        let received = self.received.entry(me).or_insert(0);
        if self.plan.kills.get(&me) == Some(received) {
            // Killed once: a restarted node counts on.
            *received += 1;
            self.go_down(me);
            self.lose(id, me, Loss::ReceiverDown);
            return None;
        }
        *received += 1;
        let step = self.step(me);
        self.settled.insert(id);
        self.events.push(Event::Deliver {
            id,
            to: me,
            at: self.now,
            step,
        });
        self.feed(id);
        let call = call_id(id);
        self.acc.insert(call.clone(), vec![Cause::Msg(id)]);
        Some(call)
    }

    /// `me` answers request `req` (of `path`) with `bytes`, or with the
    /// error status `status` (no message: as the generic proxy does, the
    /// checker sees no event for it).
    pub(crate) fn send_response(
        &mut self,
        me: NodeIdx,
        req: MsgId,
        path: &str,
        bytes: &[u8],
        status: Option<String>,
    ) -> Fate {
        if self.down(me) {
            return Fate::Drop;
        }
        let caller = req.from;
        let ev = self.decode(me, caller, path, Dir::Response, bytes);
        let id = self.next_id(me);
        let causes = self.causes(me, Some(&call_id(req)));
        let label = match &status {
            Some(s) => format!("{}Response status {s}", ev.kind),
            None => label(&ev),
        };
        self.events.push(Event::Send {
            id,
            to: caller,
            label,
            causes,
        });
        if status.is_none() {
            self.in_flight.insert(id, ev);
        }
        if self.drop_response.contains(&req) {
            self.lose(id, caller, Loss::Omitted);
            return Fate::Drop;
        }
        if let Some(reason) = self.plan.cut(me, caller, self.now) {
            self.lose(id, caller, reason);
            return Fate::Drop;
        }
        let delay = self
            .plan
            .delay
            .get(&(me, caller, self.now))
            .copied()
            .unwrap_or(0);
        Fate::Go { id, delay }
    }

    /// Response `id` arrives at `caller`, which made the call while serving
    /// `cause`; false if `caller` is down (it is lost).
    pub(crate) fn deliver_response(
        &mut self,
        caller: NodeIdx,
        id: MsgId,
        cause: Option<&str>,
    ) -> bool {
        if self.settled.contains(&id) {
            return false;
        }
        if self.down(caller) {
            self.lose(id, caller, Loss::ReceiverDown);
            return false;
        }
        let step = self.step(caller);
        self.settled.insert(id);
        self.events.push(Event::Deliver {
            id,
            to: caller,
            at: self.now,
            step,
        });
        self.feed(id);
        if let Some(acc) = cause.and_then(|c| self.acc.get_mut(c)) {
            acc.push(Cause::Msg(id));
        }
        true
    }

    /// `node` derives `fact` while serving `call`.
    pub(crate) fn derive(&mut self, node: NodeIdx, call: Option<&str>, fact: Fact) {
        if self.down(node) {
            return;
        }
        let causes = self.causes(node, call);
        let step = self.step(node);
        self.events.push(Event::Derive {
            node,
            at: self.now,
            step,
            fact: fact.clone(),
            causes,
        });
        self.held[node as usize].insert(fact);
    }

    /// What `node` does next while serving `call` relies on `fact`, if it
    /// holds it.
    pub(crate) fn because(&mut self, node: NodeIdx, call: Option<&str>, fact: &Fact) {
        if !self.held[node as usize].contains(fact) {
            return;
        }
        let cause = Cause::Held(fact.clone(), self.steps[node as usize]);
        if let Some(acc) = call.and_then(|c| self.acc.get_mut(c)) {
            if !acc.contains(&cause) {
                acc.push(cause);
            }
        }
    }

    /// The trace (messages still in flight at EOT lost `AfterEot`), the
    /// facts each node holds, and the checker's violations.
    pub(crate) fn finish(mut self, eot: Tick) -> (Trace, Vec<BTreeSet<Fact>>, Vec<Violation>) {
        let open: Vec<(MsgId, NodeIdx)> = self
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Send { id, to, .. } if !self.settled.contains(id) => Some((*id, *to)),
                _ => None,
            })
            .collect();
        for (id, to) in open {
            self.events.push(Event::Lost {
                id,
                to,
                reason: Loss::AfterEot,
            });
        }
        let trace = Trace {
            nodes: self.names,
            eot,
            events: self.events,
        };
        (trace, self.held, self.violations)
    }
}
