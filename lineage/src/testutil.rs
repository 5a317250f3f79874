//! Test helpers: hand-written traces and random well-formed ones.

use crate::fact::Fact;
use crate::prop::Prop;
use crate::trace::{Cause, Event, Loss, MsgId, NodeIdx, Step, Trace};
use crate::Tick;

/// `rel(arg)`.
pub(crate) fn fact(rel: &str, arg: &str) -> Fact {
    Fact::new(rel, [arg])
}

/// A message id.
pub(crate) fn mid(from: NodeIdx, sent: Tick, seq: u32) -> MsgId {
    MsgId { from, sent, seq }
}

/// Appends events to a trace.
pub(crate) struct TraceBuilder(pub Trace);

impl TraceBuilder {
    pub fn new(nodes: &[&str], eot: Tick) -> Self {
        let nodes = nodes.iter().map(|n| n.to_string()).collect();
        TraceBuilder(Trace {
            nodes,
            eot,
            events: Vec::new(),
        })
    }
    pub fn send(&mut self, id: MsgId, to: NodeIdx, causes: Vec<Cause>) -> &mut Self {
        let label = format!("m{}", self.0.events.len());
        self.0.events.push(Event::Send {
            id,
            to,
            label,
            causes,
        });
        self
    }
    pub fn deliver(&mut self, id: MsgId, to: NodeIdx, at: Tick, step: Step) -> &mut Self {
        self.0.events.push(Event::Deliver { id, to, at, step });
        self
    }
    pub fn derive(
        &mut self,
        node: NodeIdx,
        at: Tick,
        step: Step,
        fact: Fact,
        causes: Vec<Cause>,
    ) -> &mut Self {
        self.0.events.push(Event::Derive {
            node,
            at,
            step,
            fact,
            causes,
        });
        self
    }
    pub fn crash(&mut self, node: NodeIdx, at: Tick) -> &mut Self {
        self.0.events.push(Event::Crash { node, at });
        self
    }
    pub fn done(&mut self) -> Trace {
        std::mem::take(&mut self.0)
    }
}

/// a sends to b at 1 (on input 0); b forwards to c at 2; c derives `got(c)` at 3.
pub(crate) fn chain_abc() -> Trace {
    let (ab, bc) = (mid(0, 1, 0), mid(1, 2, 0));
    TraceBuilder::new(&["a", "b", "c"], 4)
        .send(ab, 1, vec![Cause::Input(0)])
        .deliver(ab, 1, 2, 1)
        .send(bc, 2, vec![Cause::Msg(ab)])
        .deliver(bc, 2, 3, 1)
        .derive(2, 3, 2, fact("got", "c"), vec![Cause::Msg(bc)])
        .done()
}

/// A small deterministic generator (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) % n.max(1) as u64) as u32
    }
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

/// A random run of `n` nodes over `eot` ticks, and an outcome over its facts.
/// With `wild`, causes may also point forward or at messages never sent
/// (circular or dangling lineage), as a malformed trace could.
pub(crate) fn random_trace(seed: u64, n: u32, eot: Tick, wild: bool) -> (Trace, Prop) {
    let mut r = Rng::new(seed);
    let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
    let mut t = Trace {
        nodes: names,
        eot,
        events: Vec::new(),
    };
    let mut hist: Vec<History> = (0..n).map(|_| History::default()).collect();
    let mut in_flight: Vec<(MsgId, NodeIdx)> = Vec::new();
    let mut down = vec![false; n as usize];
    let mut inputs = 0;
    for at in 1..=eot {
        let arriving: Vec<(MsgId, NodeIdx)> = std::mem::take(&mut in_flight);
        for node in 0..n as NodeIdx {
            let i = node as usize;
            for &(id, _) in arriving.iter().filter(|(_, to)| *to == node) {
                if down[i] || r.chance(20) {
                    t.events.push(Event::Lost {
                        id,
                        to: node,
                        reason: Loss::Omitted,
                    });
                } else {
                    hist[i].step += 1;
                    let step = hist[i].step;
                    t.events.push(Event::Deliver {
                        id,
                        to: node,
                        at,
                        step,
                    });
                    hist[i].got.push(id);
                }
            }
            if down[i] {
                continue;
            }
            if r.chance(5) {
                t.events.push(Event::Crash { node, at });
                down[i] = true;
                continue;
            }
            for _ in 0..r.below(3) {
                let causes = random_causes(&mut r, &hist[i], &mut inputs, wild);
                hist[i].step += 1;
                let (step, f) = (hist[i].step, fact("f", &r.below(5).to_string()));
                hist[i].held.push((f.clone(), step));
                t.events.push(Event::Derive {
                    node,
                    at,
                    step,
                    fact: f,
                    causes,
                });
            }
            for seq in 0..r.below(3) {
                let to = r.below(n) as NodeIdx;
                let id = mid(node, at, seq);
                let causes = random_causes(&mut r, &hist[i], &mut inputs, wild);
                t.events.push(Event::Send {
                    id,
                    to,
                    label: String::new(),
                    causes,
                });
                in_flight.push((id, to));
            }
        }
    }
    let outcome = random_prop(&mut r, n, 2);
    (t, outcome)
}

/// What a node has done so far in a random run.
#[derive(Default)]
struct History {
    step: Step,
    got: Vec<MsgId>,
    held: Vec<(Fact, Step)>,
}

/// Causes as a node at this point of its history could declare them (with
/// `wild`, also forward steps, facts it does not hold, unsent messages).
fn random_causes(r: &mut Rng, h: &History, inputs: &mut u32, wild: bool) -> Vec<Cause> {
    let mut cs = Vec::new();
    let pick = |r: &mut Rng, n: usize| r.below(n as u32) as usize;
    for _ in 0..r.below(4) {
        cs.push(match r.below(5) {
            0 => {
                *inputs += 1;
                Cause::Input(*inputs)
            }
            1 if !h.got.is_empty() => Cause::Msg(h.got[pick(r, h.got.len())]),
            2 if !h.held.is_empty() && !wild => {
                let (f, first) = &h.held[pick(r, h.held.len())];
                Cause::Held(f.clone(), first + r.below(h.step - first + 1))
            }
            1 if wild => Cause::Msg(mid(0, 99, r.below(2))),
            2 if wild => Cause::Held(fact("f", &r.below(5).to_string()), r.below(h.step + 3)),
            _ if wild => Cause::Hb(r.below(h.step + 3)),
            _ => Cause::Hb(r.below(h.step + 1)),
        });
    }
    cs
}

/// A random proposition over `f(0)`..`f(5)` (`f(5)` is never derived) and crashes.
pub(crate) fn random_prop(r: &mut Rng, nodes: u32, depth: u32) -> Prop {
    match r.below(if depth == 0 { 4 } else { 6 }) {
        0 if r.chance(30) => Prop::Crashed(r.below(nodes) as NodeIdx),
        0..=2 => Prop::Holds(fact("f", &r.below(6).to_string())),
        3 => [Prop::True, Prop::False][r.below(2) as usize].clone(),
        k => {
            let ps = (0..r.below(4))
                .map(|_| random_prop(r, nodes, depth - 1))
                .collect();
            if k == 4 {
                Prop::And(ps)
            } else {
                Prop::Or(ps)
            }
        }
    }
}
