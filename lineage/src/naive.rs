//! The naive reference: the same lineage graph as [`lineage`](crate::lineage),
//! computed by walking the trace's events directly (linear scans, no
//! interning, no datafrog). The optimised rules are tested against it.

use crate::fact::Fact;
use crate::graph::{LineageGraph, Vertex, Vid};
use crate::labels::{act_vertex, hb_label, held_label, prop_label};
use crate::prop::Prop;
use crate::trace::{Cause, Event, MsgId, NodeIdx, Step, Trace};
use std::collections::BTreeMap;

/// The lineage of `outcome` in `trace`, by the naive reference evaluation:
/// slow (quadratic in the trace), for tests and cross-checks.
pub fn lineage_naive(trace: &Trace, outcome: &Prop) -> LineageGraph {
    let mut props = Vec::new();
    let root = prop_key(outcome, &mut props);
    let mut naive = Naive {
        trace,
        props,
        memo: BTreeMap::new(),
        vertices: Vec::new(),
    };
    let root = naive.run(root);
    LineageGraph {
        nodes: trace.nodes.clone(),
        vertices: naive.vertices,
        root,
    }
}

/// A vertex of the lineage, named by what it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NKey<'a> {
    True,
    False,
    Crashed(NodeIdx, Option<crate::fault::Tick>),
    /// The `And`/`Or` proposition at this preorder index.
    Prop(usize),
    /// Some node derived this fact.
    Fact(&'a Fact),
    /// The message with this id.
    Msg(MsgId),
    /// The derivation at this event index.
    Der(usize),
    /// The fact as held by the node at its step `k`.
    Held(NodeIdx, &'a Fact, Step),
    /// The node's history up to its step `k`, `k` a step it took.
    Hb(NodeIdx, Step),
}

#[derive(Clone, Copy)]
enum Slot {
    OnStack,
    Done(Vid),
}

enum Todo<'a> {
    Enter(NKey<'a>),
    Finish(NKey<'a>),
}

struct Naive<'a> {
    trace: &'a Trace,
    /// Each `And`/`Or` of the outcome, with the keys of its parts.
    props: Vec<(&'a Prop, Vec<NKey<'a>>)>,
    memo: BTreeMap<NKey<'a>, Slot>,
    vertices: Vec<Vertex>,
}

/// The key of a proposition, numbering its `And`s and `Or`s in preorder.
fn prop_key<'a>(p: &'a Prop, props: &mut Vec<(&'a Prop, Vec<NKey<'a>>)>) -> NKey<'a> {
    match p {
        Prop::True => NKey::True,
        Prop::False => NKey::False,
        Prop::Not(_) | Prop::HoldsAt(..) | Prop::NoneAt(..) => NKey::False,
        Prop::Crashed(n) => NKey::Crashed(*n, None),
        Prop::CrashedBy(n, t) => NKey::Crashed(*n, Some(*t)),
        Prop::Holds(f) => NKey::Fact(f),
        Prop::And(ps) | Prop::Or(ps) => {
            let i = props.len();
            props.push((p, Vec::new()));
            props[i].1 = ps.iter().map(|q| prop_key(q, props)).collect();
            NKey::Prop(i)
        }
    }
}

impl<'a> Naive<'a> {
    /// Depth-first, children in order, each vertex after its children.
    fn run(&mut self, root: NKey<'a>) -> Vid {
        let mut todo = vec![Todo::Enter(root)];
        while let Some(t) = todo.pop() {
            match t {
                Todo::Enter(k) => self.enter(k, &mut todo),
                Todo::Finish(k) => {
                    let kids: Vec<Vid> = self
                        .children(k)
                        .expect("finished keys have children")
                        .into_iter()
                        .map(|c| self.vid(c))
                        .collect();
                    let v = self.push(self.vertex(k, kids));
                    self.memo.insert(k, Slot::Done(v));
                }
            }
        }
        self.vid(root)
    }

    fn enter(&mut self, k: NKey<'a>, todo: &mut Vec<Todo<'a>>) {
        match self.memo.get(&k) {
            Some(Slot::Done(_)) => return,
            // A cycle: the edge becomes `False` (created now, in visit order).
            Some(Slot::OnStack) => return self.leaf(NKey::False),
            None => {}
        }
        match self.children(k) {
            None => self.leaf(k),
            Some(kids) => {
                self.memo.insert(k, Slot::OnStack);
                todo.push(Todo::Finish(k));
                todo.extend(kids.into_iter().rev().map(Todo::Enter));
            }
        }
    }

    /// Creates the vertex of a key without children (`True`, `False`,
    /// `Crashed`; a fact or message nobody derived or sent is `False`).
    fn leaf(&mut self, k: NKey<'a>) {
        let v = match k {
            NKey::True | NKey::False | NKey::Crashed(..) => {
                if self.memo.contains_key(&k) {
                    return;
                }
                self.push(match k {
                    NKey::True => Vertex::True,
                    NKey::Crashed(node, None) => Vertex::Crashed { node },
                    NKey::Crashed(node, Some(at)) => Vertex::CrashedBy { node, at },
                    _ => Vertex::False,
                })
            }
            _ => {
                self.leaf(NKey::False);
                self.vid(NKey::False)
            }
        };
        self.memo.insert(k, Slot::Done(v));
    }

    /// The vertex of a finished or leaf key; a key still on the stack is a
    /// cycle and stands for `False`.
    fn vid(&self, k: NKey<'a>) -> Vid {
        match self.memo.get(&k) {
            Some(Slot::Done(v)) => *v,
            _ => match self.memo.get(&NKey::False) {
                Some(Slot::Done(v)) => *v,
                _ => unreachable!("a cycle creates False when it is found"),
            },
        }
    }

    fn push(&mut self, v: Vertex) -> Vid {
        self.vertices.push(v);
        (self.vertices.len() - 1) as Vid
    }

    /// The children of a key, or `None` if it is a leaf.
    fn children(&self, k: NKey<'a>) -> Option<Vec<NKey<'a>>> {
        let ev = &self.trace.events;
        let kids: Vec<NKey<'a>> = match k {
            NKey::True | NKey::False | NKey::Crashed(..) => return None,
            NKey::Prop(i) => return Some(self.props[i].1.clone()),
            NKey::Fact(f) => (0..ev.len())
                .filter(|&i| matches!(&ev[i], Event::Derive { fact, .. } if fact == f))
                .map(NKey::Der)
                .collect(),
            NKey::Held(n, f, k) => (0..ev.len())
                .filter(|&i| matches!(&ev[i], Event::Derive { node, fact, step, .. } if *node == n && fact == f && *step <= k))
                .map(NKey::Der)
                .collect(),
            NKey::Der(i) => match &ev[i] {
                Event::Derive { node, causes, .. } => return Some(self.causes(*node, causes)),
                _ => unreachable!("Der keys are derivations"),
            },
            NKey::Msg(id) => {
                return ev.iter().find_map(|e| match e {
                    Event::Send { id: m, causes, .. } if *m == id => Some(self.causes(id.from, causes)),
                    _ => None,
                })
            }
            NKey::Hb(n, k) => {
                let at_k = ev.iter().find_map(|e| match e {
                    Event::Deliver { id, to, step, .. } if *to == n && *step == k => Some(NKey::Msg(*id)),
                    Event::Derive { node, fact, step, .. } if *node == n && *step == k => Some(NKey::Held(n, fact, k)),
                    _ => None,
                });
                let prev = if k == 0 { NKey::True } else { self.hb(n, k - 1) };
                vec![prev, at_k.expect("Hb keys name steps taken")]
            }
        };
        if kids.is_empty() {
            None
        } else {
            Some(kids)
        }
    }

    /// The causes of an act at its acting node `n`.
    fn causes(&self, n: NodeIdx, causes: &'a [Cause]) -> Vec<NKey<'a>> {
        let cause = |c: &'a Cause| match c {
            Cause::Input(_) => NKey::True,
            Cause::Msg(id) => NKey::Msg(*id),
            Cause::Held(f, k) => NKey::Held(n, f, *k),
            Cause::Hb(k) => self.hb(n, *k),
        };
        causes.iter().map(cause).collect()
    }

    /// Node `n`'s history up to its step `k`: the last step it took at or
    /// before `k`, or `True`.
    fn hb(&self, n: NodeIdx, k: Step) -> NKey<'a> {
        let steps = self.trace.events.iter().filter_map(|e| match e {
            Event::Deliver { to, step, .. } if *to == n && *step <= k => Some(*step),
            Event::Derive { node, step, .. } if *node == n && *step <= k => Some(*step),
            _ => None,
        });
        steps.max().map_or(NKey::True, |s| NKey::Hb(n, s))
    }

    fn vertex(&self, k: NKey<'a>, children: Vec<Vid>) -> Vertex {
        let t = self.trace;
        match k {
            NKey::Prop(i) => {
                let (p, _) = self.props[i];
                let label = prop_label(p, t);
                match p {
                    Prop::And(_) => Vertex::And { label, children },
                    _ => Vertex::Or { label, children },
                }
            }
            NKey::Fact(f) => Vertex::Or {
                label: f.to_string(),
                children,
            },
            NKey::Held(n, f, k) => Vertex::Or {
                label: held_label(&f.to_string(), t.name(n), k),
                children,
            },
            NKey::Hb(n, k) => Vertex::And {
                label: hb_label(t.name(n), k),
                children,
            },
            NKey::Der(i) => act_vertex(&t.events[i], children),
            NKey::Msg(id) => {
                let send = t
                    .events
                    .iter()
                    .find(|e| matches!(e, Event::Send { id: m, .. } if *m == id));
                act_vertex(send.expect("messages with children were sent"), children)
            }
            NKey::True | NKey::False | NKey::Crashed(..) => unreachable!("leaves"),
        }
    }
}
