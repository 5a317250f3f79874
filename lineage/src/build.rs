//! From the rules' result to the [`LineageGraph`]: one vertex per message,
//! derivation, held fact and history prefix the outcome reaches, in a
//! depth-first postorder from the outcome (children before parents).
//!
//! A cause that leads back to a vertex still being built (a circular
//! justification, which a well-formed trace never has) becomes `False`:
//! circular support is no support, and the graph stays acyclic.

use crate::facts::{Facts, Term};
use crate::graph::{LineageGraph, Vertex, Vid};
use crate::labels::{act_vertex, hb_label, held_label, prop_label};
use crate::prop::Prop;
use crate::rules::{needed, Needed};
use crate::trace::{NodeIdx, Trace};

/// The lineage of `outcome` (an invariant's `post`, which held) in `trace`,
/// computed with the datafrog rules of [`rules`](crate::rules).
pub fn lineage(trace: &Trace, outcome: &Prop) -> LineageGraph {
    lineage_marked(trace, outcome).0
}

/// [`lineage`], and the vertices of the facts the outcome reads (each an
/// `Or` of the fact's derivations): what a restart after a derivation can
/// still take away ([`crate::restarts`]).
pub(crate) fn lineage_marked(trace: &Trace, outcome: &Prop) -> (LineageGraph, Vec<Vid>) {
    let fx = Facts::new(trace, outcome);
    let need = needed(&fx);
    let mut b = Builder::new(trace, &fx, &need);
    let g = b.build_in_place(outcome);
    let read: Vec<Vid> = b.fact.iter().copied().filter(|v| *v < ON_STACK).collect();
    (g, read)
}

/// A vertex to build, before it has an index.
#[derive(Clone, Copy, Debug)]
enum Key {
    True,
    False,
    Crashed(NodeIdx, Option<crate::fault::Tick>),
    /// An `And`/`Or` of the outcome proposition (index into `Builder::props`).
    Prop(u32),
    /// All derivations of outcome fact `f`.
    Fact(u32),
    /// A derivation or message (an act id of [`Facts`]).
    Act(u32),
    /// A held fact (`held(h, ..)`).
    Held(u32),
    /// The history prefix ending at step index `s` of [`Facts::step`].
    Hb(u32),
}

const UNSEEN: Vid = Vid::MAX;
const ON_STACK: Vid = Vid::MAX - 1;

/// An `And`/`Or` of the outcome proposition.
struct PropNode {
    and: bool,
    label: String,
    children: Vec<Key>,
}

/// A vertex being built: children `next..end` of its key are still to
/// visit, `vids` are the vertices of those visited.
struct Frame {
    key: Key,
    next: usize,
    end: usize,
    vids: Vec<Vid>,
}

struct Builder<'a> {
    trace: &'a Trace,
    fx: &'a Facts<'a>,
    need: &'a Needed,
    props: Vec<PropNode>,
    vertices: Vec<Vertex>,
    /// Vertex of each act, fact, held fact, step and prop (or UNSEEN/ON_STACK).
    act: Vec<Vid>,
    fact: Vec<Vid>,
    held: Vec<Vid>,
    hb: Vec<Vid>,
    prop: Vec<Vid>,
    truth: [Option<Vid>; 2],
    /// Rendered facts (empty until needed).
    fact_text: Vec<String>,
    crashed: Vec<((NodeIdx, Option<crate::fault::Tick>), Vid)>,
}

impl<'a> Builder<'a> {
    fn new(trace: &'a Trace, fx: &'a Facts<'a>, need: &'a Needed) -> Self {
        Builder {
            trace,
            fx,
            need,
            props: Vec::new(),
            // Upper bound: every needed act, held fact and step, the
            // outcome facts, True and False (props are few).
            vertices: Vec::with_capacity(
                need.act.len() + fx.held.len() + need.step.len() + fx.outcome.len() + 2,
            ),
            act: vec![UNSEEN; fx.events as usize + fx.unsent.len()],
            fact: vec![UNSEEN; fx.facts.len()],
            held: vec![UNSEEN; fx.held.len()],
            hb: vec![UNSEEN; fx.step.len()],
            prop: Vec::new(),
            truth: [None, None],
            fact_text: vec![String::new(); fx.facts.len()],
            crashed: Vec::new(),
        }
    }

    fn build_in_place(&mut self, outcome: &Prop) -> LineageGraph {
        let root_key = self.prop_key(outcome);
        self.prop = vec![UNSEEN; self.props.len()];
        let root = self.dfs(root_key);
        LineageGraph {
            nodes: self.trace.nodes.clone(),
            vertices: std::mem::take(&mut self.vertices),
            root,
        }
    }

    /// Flattens the outcome proposition; `Holds(f)` becomes the fact's disjunction.
    fn prop_key(&mut self, p: &Prop) -> Key {
        match p {
            Prop::True => Key::True,
            Prop::False => Key::False,
            // Absences and node-specific reads: see `sound::lineage_with`;
            // this positive lineage gives them no support.
            Prop::Not(_) | Prop::HoldsAt(..) | Prop::NoneAt(..) => Key::False,
            Prop::Crashed(n) => Key::Crashed(*n, None),
            Prop::CrashedBy(n, t) => Key::Crashed(*n, Some(*t)),
            Prop::Holds(f) => {
                let i = self.fx.facts.iter().position(|g| *g == f);
                Key::Fact(i.expect("outcome facts are interned") as u32)
            }
            Prop::And(ps) | Prop::Or(ps) => {
                let i = self.props.len();
                self.props.push(PropNode {
                    and: matches!(p, Prop::And(_)),
                    label: prop_label(p, self.trace),
                    children: Vec::new(),
                });
                let children = ps.iter().map(|q| self.prop_key(q)).collect();
                self.props[i].children = children;
                Key::Prop(i as u32)
            }
        }
    }

    /// Builds the vertex of `root` and everything below it; returns its index.
    fn dfs(&mut self, root: Key) -> Vid {
        let mut stack: Vec<Frame> = Vec::with_capacity(64);
        if let Some(v) = self.enter(root, &mut stack) {
            return v;
        }
        loop {
            let top = stack.last_mut().expect("the root frame is on the stack");
            if top.next < top.end {
                let child = self.child(top.key, top.next);
                top.next += 1;
                if let Some(v) = self.enter(child, &mut stack) {
                    stack.last_mut().expect("parent frame").vids.push(v);
                }
                continue;
            }
            let frame = stack.pop().expect("a frame");
            let vertex = self.finish(frame.key, frame.vids);
            let v = self.push(vertex);
            *self.slot(frame.key) = v;
            match stack.last_mut() {
                Some(parent) => parent.vids.push(v),
                None => return v,
            }
        }
    }

    /// Starts on `key`: its vertex if it is already built or a leaf, else
    /// pushes a frame for it and returns `None`.
    fn enter(&mut self, key: Key, stack: &mut Vec<Frame>) -> Option<Vid> {
        match key {
            Key::True => return Some(self.truth(true)),
            Key::False => return Some(self.truth(false)),
            Key::Crashed(node, by) => return Some(self.crashed(node, by)),
            _ => {}
        }
        match *self.slot(key) {
            UNSEEN => {}
            ON_STACK => return Some(self.truth(false)),
            v => return Some(v),
        }
        let (next, end) = self.span(key);
        let unsent = matches!(key, Key::Act(x) if x >= self.fx.events);
        if unsent || (next == end && matches!(key, Key::Fact(_) | Key::Held(_))) {
            // No derivation, or a message never sent: `False`.
            let v = self.truth(false);
            *self.slot(key) = v;
            return Some(v);
        }
        *self.slot(key) = ON_STACK;
        let vids = Vec::with_capacity(end - next);
        stack.push(Frame {
            key,
            next,
            end,
            vids,
        });
        None
    }

    /// Where the children of `key` are: `child(key, i)` for `i` in the range.
    fn span(&self, key: Key) -> (usize, usize) {
        let (fx, need) = (self.fx, self.need);
        let range = |rel: &[(u32, u32)], k: u32| {
            let lo = rel.partition_point(|&(a, _)| a < k);
            (lo, lo + rel[lo..].partition_point(|&(a, _)| a == k))
        };
        match key {
            Key::Prop(i) => (0, self.props[i as usize].children.len()),
            Key::Fact(f) => range(&need.fact_alt, f),
            Key::Held(h) => range(&need.held_alt, h),
            Key::Act(x) if x >= fx.events => (0, 0),
            Key::Act(x) => {
                debug_assert!(need.act.binary_search(&x).is_ok(), "act {x} not needed");
                let x = x as usize;
                (fx.term_start[x] as usize, fx.term_start[x + 1] as usize)
            }
            Key::Hb(_) => (0, 2),
            Key::True | Key::False | Key::Crashed(..) => (0, 0),
        }
    }

    /// Child number `i` of `key` (an index in its `span`).
    fn child(&self, key: Key, i: usize) -> Key {
        let fx = self.fx;
        match key {
            Key::Prop(p) => self.props[p as usize].children[i],
            Key::Fact(_) => Key::Act(self.need.fact_alt[i].1),
            Key::Held(_) => Key::Act(self.need.held_alt[i].1),
            Key::Act(_) => term_key(fx.terms[i]),
            Key::Hb(s) if i == 0 => match s.checked_sub(1) {
                Some(p) if fx.step[p as usize].0 == fx.step[s as usize].0 => Key::Hb(p),
                _ => Key::True,
            },
            Key::Hb(s) => term_key(fx.step_term[s as usize]),
            Key::True | Key::False | Key::Crashed(..) => unreachable!("leaves have no children"),
        }
    }

    fn finish(&mut self, key: Key, children: Vec<Vid>) -> Vertex {
        let fx = self.fx;
        match key {
            Key::Prop(i) => {
                let p = &self.props[i as usize];
                let label = p.label.clone();
                match p.and {
                    true => Vertex::And { label, children },
                    false => Vertex::Or { label, children },
                }
            }
            Key::Fact(f) => Vertex::Or {
                label: self.fact_text(f).to_string(),
                children,
            },
            Key::Held(h) => {
                let (_, n, f, k) = fx.held[h as usize];
                let name = Trace::name(self.trace, n as NodeIdx);
                let label = held_label(self.fact_text(f), name, k);
                Vertex::Or { label, children }
            }
            Key::Hb(s) => {
                let (n, k, _) = fx.step[s as usize];
                let label = hb_label(self.trace.name(n as NodeIdx), k);
                Vertex::And { label, children }
            }
            Key::Act(x) => act_vertex(&self.trace.events[x as usize], children),
            Key::True | Key::False | Key::Crashed(..) => unreachable!("leaves have no frame"),
        }
    }

    /// The text of fact `f`, rendered once.
    fn fact_text(&mut self, f: u32) -> &str {
        let text = &mut self.fact_text[f as usize];
        if text.is_empty() {
            *text = self.fx.facts[f as usize].to_string();
        }
        text
    }

    fn slot(&mut self, key: Key) -> &mut Vid {
        match key {
            Key::Prop(i) => &mut self.prop[i as usize],
            Key::Fact(f) => &mut self.fact[f as usize],
            Key::Act(x) => &mut self.act[x as usize],
            Key::Held(h) => &mut self.held[h as usize],
            Key::Hb(s) => &mut self.hb[s as usize],
            Key::True | Key::False | Key::Crashed(..) => unreachable!("leaves have no slot"),
        }
    }

    fn push(&mut self, v: Vertex) -> Vid {
        self.vertices.push(v);
        (self.vertices.len() - 1) as Vid
    }

    fn truth(&mut self, b: bool) -> Vid {
        if let Some(v) = self.truth[b as usize] {
            return v;
        }
        let v = self.push(if b { Vertex::True } else { Vertex::False });
        self.truth[b as usize] = Some(v);
        v
    }

    fn crashed(&mut self, node: NodeIdx, by: Option<crate::fault::Tick>) -> Vid {
        if let Some(&(_, v)) = self.crashed.iter().find(|(n, _)| *n == (node, by)) {
            return v;
        }
        let v = self.push(match by {
            None => Vertex::Crashed { node },
            Some(at) => Vertex::CrashedBy { node, at },
        });
        self.crashed.push(((node, by), v));
        v
    }
}

fn term_key(t: Term) -> Key {
    match t {
        Term::True => Key::True,
        Term::Act(x) => Key::Act(x),
        Term::Held(h) => Key::Held(h),
        Term::Hb(s) => Key::Hb(s),
    }
}
