//! [`lineage_with`]: the lineage of any outcome, absences included, under
//! a chosen precision and crash semantics.
//!
//! **Declared** (the default): what handlers declared. A fact that holds is
//! explained by its derivations (the datafrog rules of [`rules`](crate::rules),
//! after the node's last retraction of it); an absence (`Not(Holds f)`,
//! `Not(HoldsAt(n, f))`, `NoneAt(n, rel)`) by its *negative support*: the
//! guards the protocol declared where it decided not to derive the fact
//! (`Event::Guard`, each resting on its own causes), and the last
//! retraction of the fact at each node that once held it. An absence with
//! no guard at all rests on [`Same(EOT)`](crate::unchanged): nothing that
//! could matter changed — sound, coarse. Declarations are assumptions (a
//! guard claims the fact is derived nowhere else; a positive `because`
//! claims the action happens whenever its causes hold, whatever else
//! arrives); the harness confirms declared certificates with:
//!
//! **Happens-before**: every outcome rests on `Same(EOT)`. No assumption
//! about the protocol at all; the search on it is exhaustive over the
//! classes of fault sets that change something.
//!
//! Both condition every act, absence and `Same(t)` on the run's restarts
//! ([`restarts`](crate::restarts)).
//!
//! Under [`CrashMode::Molly`] a crashed node still derives: derivations
//! lose their "node up" condition (messages keep "sender up").

use crate::build::lineage_marked;
use crate::fact::Fact;
use crate::graph::{LineageGraph, Vertex, Vid};
use crate::prop::{EndView, Prop};
use crate::restarts::History;
use crate::trace::{CrashMode, Event, NodeIdx, Trace};
use crate::unchanged::same_through;
use crate::{lineage, Tick};
use std::collections::BTreeMap;

/// How lineage is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineageOptions {
    /// Crash semantics of the run the trace comes from.
    pub crash: CrashMode,
    /// Ignore declarations: every outcome rests on the unchanged run.
    pub happens_before: bool,
}

/// The lineage of `outcome` (which held in `trace`) under `opts`.
pub fn lineage_with(trace: &Trace, outcome: &Prop, opts: &LineageOptions) -> LineageGraph {
    let mut c = Composer {
        trace,
        synthetic: synthetic(trace),
        end: TraceEnd::new(trace),
        vertices: Vec::new(),
        same_eot: None,
        read_at_end: Vec::new(),
    };
    let root = if opts.happens_before {
        c.same()
    } else {
        c.compose(&nnf(outcome, false))
    };
    let g = LineageGraph {
        nodes: trace.nodes.clone(),
        vertices: c.vertices,
        root,
    };
    let LineageGraph {
        nodes,
        mut vertices,
        root,
    } = crate::restarts::condition_acts(g, trace, &c.read_at_end);
    if opts.crash == CrashMode::Molly {
        for v in &mut vertices {
            if let Vertex::Derivation {
                node,
                at,
                fact,
                causes,
            } = v
            {
                let label = format!("{fact} @{} {at} (computed while down)", trace.name(*node));
                *v = Vertex::And {
                    label,
                    children: std::mem::take(causes),
                };
            }
        }
    }
    tracing::trace!(
        vertices = vertices.len(),
        happens_before = opts.happens_before,
        "lineage graph"
    );
    LineageGraph {
        nodes,
        vertices,
        root,
    }
}

/// Negation normal form: `Not` only directly above an atom.
fn nnf(p: &Prop, neg: bool) -> Prop {
    match (p, neg) {
        (Prop::Not(q), _) => nnf(q, !neg),
        (Prop::And(ps), false) => Prop::And(ps.iter().map(|q| nnf(q, false)).collect()),
        (Prop::Or(ps), false) => Prop::Or(ps.iter().map(|q| nnf(q, false)).collect()),
        (Prop::And(ps), true) => Prop::Or(ps.iter().map(|q| nnf(q, true)).collect()),
        (Prop::Or(ps), true) => Prop::And(ps.iter().map(|q| nnf(q, true)).collect()),
        (Prop::True, true) => Prop::False,
        (Prop::False, true) => Prop::True,
        (atom, false) => atom.clone(),
        (atom, true) => Prop::Not(Box::new(atom.clone())),
    }
}

/// True if `p` reads nothing node-specific or absent: the plain positive
/// lineage explains it in one pass.
fn plain(p: &Prop) -> bool {
    match p {
        Prop::Not(_) | Prop::HoldsAt(..) | Prop::NoneAt(..) => false,
        Prop::And(ps) | Prop::Or(ps) => ps.iter().all(plain),
        _ => true,
    }
}

/// The trace with every guard and retraction turned into the derivation of
/// a synthetic fact (`guard#e`, `retract#e`, `e` its event index), so that
/// the datafrog rules explain its causes like any other derivation's.
fn synthetic(trace: &Trace) -> Option<Trace> {
    let special = |e: &Event| matches!(e, Event::Guard { .. } | Event::Retract { .. });
    if !trace.events.iter().any(special) {
        return None;
    }
    let mut t = trace.clone();
    for (i, e) in t.events.iter_mut().enumerate() {
        let (node, at, step, causes, kind) = match e {
            Event::Guard {
                node,
                at,
                step,
                causes,
                ..
            } => (*node, *at, *step, std::mem::take(causes), "guard"),
            Event::Retract {
                node,
                at,
                step,
                causes,
                ..
            } => (*node, *at, *step, std::mem::take(causes), "retract"),
            _ => continue,
        };
        *e = Event::Derive {
            node,
            at,
            step,
            fact: synthetic_fact(kind, i),
            causes,
        };
    }
    Some(t)
}

fn synthetic_fact(kind: &str, event: usize) -> Fact {
    Fact::new(&format!("{kind}#{event}"), Vec::<String>::new())
}

/// What held at EOT, read off the trace.
struct TraceEnd {
    held: BTreeMap<(NodeIdx, Fact), ()>,
    crashed: BTreeMap<NodeIdx, Tick>,
}

impl TraceEnd {
    fn new(trace: &Trace) -> Self {
        let mut end = TraceEnd {
            held: BTreeMap::new(),
            crashed: BTreeMap::new(),
        };
        for e in &trace.events {
            match e {
                Event::Derive { node, fact, .. } => {
                    end.held.insert((*node, fact.clone()), ());
                }
                Event::Retract { node, fact, .. } => {
                    end.held.remove(&(*node, fact.clone()));
                }
                Event::Crash { node, at } => {
                    end.crashed.insert(*node, *at);
                }
                Event::Restart { node, .. } => {
                    end.crashed.remove(node);
                }
                _ => {}
            }
        }
        end
    }
}

impl EndView for TraceEnd {
    fn holds(&self, fact: &Fact) -> bool {
        self.held.keys().any(|(_, f)| f == fact)
    }
    fn holds_at(&self, n: NodeIdx, fact: &Fact) -> bool {
        self.held.contains_key(&(n, fact.clone()))
    }
    fn any_at(&self, n: NodeIdx, rel: &str) -> bool {
        self.held.keys().any(|(m, f)| *m == n && f.rel == rel)
    }
    fn crashed(&self, n: NodeIdx) -> Option<Tick> {
        self.crashed.get(&n).copied()
    }
}

struct Composer<'a> {
    trace: &'a Trace,
    synthetic: Option<Trace>,
    end: TraceEnd,
    vertices: Vec<Vertex>,
    same_eot: Option<Vid>,
    /// Vertices of facts the outcome reads at EOT (see `restarts`).
    read_at_end: Vec<Vid>,
}

impl Composer<'_> {
    fn push(&mut self, v: Vertex) -> Vid {
        self.vertices.push(v);
        (self.vertices.len() - 1) as Vid
    }

    fn source(&self) -> &Trace {
        self.synthetic.as_ref().unwrap_or(self.trace)
    }

    /// Appends `g`'s vertices (keeping only the root's children for which
    /// `keep` holds, if the root is an `Or`) and returns its root.
    /// [`Composer::merge`] of a graph whose vertices `read` are facts the
    /// outcome reads at EOT.
    fn merge_read(
        &mut self,
        g: LineageGraph,
        read: Vec<Vid>,
        keep: &dyn Fn(&Vertex) -> bool,
    ) -> Vid {
        let base = self.vertices.len() as Vid;
        self.read_at_end.extend(read.into_iter().map(|v| v + base));
        self.merge(g, keep)
    }

    fn merge(&mut self, g: LineageGraph, keep: &dyn Fn(&Vertex) -> bool) -> Vid {
        let base = self.vertices.len() as Vid;
        let root = g.root;
        for (i, mut v) in g.vertices.into_iter().enumerate() {
            shift(&mut v, base);
            if i as Vid == root {
                if let Vertex::Or { children, .. } = &mut v {
                    let vs = &self.vertices;
                    children.retain(|c| keep(&vs[*c as usize]));
                }
            }
            self.vertices.push(v);
        }
        base + root
    }

    fn same(&mut self) -> Vid {
        if let Some(v) = self.same_eot {
            return v;
        }
        let v = same_through(self.trace, self.trace.eot, &mut self.vertices);
        self.same_eot = Some(v);
        v
    }

    fn compose(&mut self, p: &Prop) -> Vid {
        if plain(p) && self.synthetic.is_none() {
            let (g, read) = lineage_marked(self.trace, p);
            return self.merge_read(g, read, &|_| true);
        }
        match p {
            Prop::True => self.push(Vertex::True),
            Prop::False => self.push(Vertex::False),
            Prop::And(ps) | Prop::Or(ps) => {
                let children = ps.iter().map(|q| self.compose(q)).collect();
                let label = crate::labels::prop_label(p, self.trace);
                self.push(match p {
                    Prop::And(_) => Vertex::And { label, children },
                    _ => Vertex::Or { label, children },
                })
            }
            Prop::Crashed(n) => self.push(Vertex::Crashed { node: *n }),
            Prop::CrashedBy(n, at) => self.push(Vertex::CrashedBy { node: *n, at: *at }),
            Prop::Holds(f) => self.held(None, f),
            Prop::HoldsAt(n, f) => self.held(Some(*n), f),
            Prop::NoneAt(n, rel) => self.absent(Some(*n), &|f: &Fact| f.rel == *rel),
            Prop::Not(q) => self.negative(q),
        }
    }

    /// The lineage of `f` held at EOT (by `node`, or by any node): its
    /// derivations after the holder's last retraction.
    fn held(&mut self, node: Option<NodeIdx>, f: &Fact) -> Vid {
        let live = self.live_derivations(node, f);
        if live.is_empty() {
            return self.push(Vertex::False);
        }
        let (g, read) = lineage_marked(self.source(), &Prop::Holds(f.clone()));
        self.merge_read(g, read, &|v| match v {
            Vertex::Derivation { node, at, .. } => live.contains(&(*node, *at)),
            // Under molly semantics derivations are rewritten later; here
            // every root child is a derivation.
            _ => true,
        })
    }

    /// `(node, tick)` of the derivations of `f` that still count at EOT.
    fn live_derivations(&self, node: Option<NodeIdx>, f: &Fact) -> Vec<(NodeIdx, Tick)> {
        let mut per_node: BTreeMap<NodeIdx, Vec<(NodeIdx, Tick)>> = BTreeMap::new();
        for e in &self.trace.events {
            match e {
                Event::Derive {
                    node: n, at, fact, ..
                } if fact == f && node.is_none_or(|m| m == *n) => {
                    per_node.entry(*n).or_default().push((*n, *at));
                }
                Event::Retract { node: n, fact, .. } if fact == f => {
                    per_node.remove(n);
                }
                _ => {}
            }
        }
        per_node.into_values().flatten().collect()
    }

    /// `Not(q)` for an atom `q` (the outcome is in negation normal form).
    fn negative(&mut self, q: &Prop) -> Vid {
        match q {
            Prop::Crashed(_) | Prop::CrashedBy(..) => {
                if q.eval_in(&self.end) {
                    return self.push(Vertex::False);
                }
                let child = self.compose(q);
                let label = format!("¬{}", crate::labels::prop_label(q, self.trace));
                self.push(Vertex::Not { label, child })
            }
            Prop::Holds(f) => {
                let f = f.clone();
                self.absent(None, &|g: &Fact| *g == f)
            }
            Prop::HoldsAt(n, f) => {
                let f = f.clone();
                self.absent(Some(*n), &|g: &Fact| *g == f)
            }
            Prop::NoneAt(n, rel) => {
                let held: Vec<Fact> = (self.end.held.keys())
                    .filter(|(m, f)| m == n && f.rel == *rel)
                    .map(|(_, f)| f.clone())
                    .collect();
                let children = held.iter().map(|f| self.held(Some(*n), f)).collect();
                let label = format!("some {rel} at {}", self.trace.name(*n));
                self.push(Vertex::Or { label, children })
            }
            Prop::True => self.push(Vertex::False),
            Prop::False => self.push(Vertex::True),
            other => unreachable!("negation normal form puts Not above atoms only: {other}"),
        }
    }

    /// The negative support of "no fact matching `m` at `node` (or at any
    /// node)": false if one holds; else every declared guard against such a
    /// fact and the last retraction of each that was once held; with no
    /// guard at all, the unchanged run.
    fn absent(&mut self, node: Option<NodeIdx>, m: &dyn Fn(&Fact) -> bool) -> Vid {
        let at_node = |n: NodeIdx| node.is_none_or(|x| x == n);
        if (self.end.held.keys()).any(|(n, f)| at_node(*n) && m(f)) {
            return self.push(Vertex::False);
        }
        let mut guards = Vec::new();
        let mut last_retract: BTreeMap<(NodeIdx, &Fact), usize> = BTreeMap::new();
        for (i, e) in self.trace.events.iter().enumerate() {
            match e {
                Event::Guard { node: n, fact, .. } if at_node(*n) && m(fact) => guards.push(i),
                Event::Retract { node: n, fact, .. } if at_node(*n) && m(fact) => {
                    last_retract.insert((*n, fact), i);
                }
                _ => {}
            }
        }
        if guards.is_empty() {
            return self.same();
        }
        let mut events: Vec<(usize, &str)> = guards.into_iter().map(|i| (i, "guard")).collect();
        events.extend(last_retract.into_values().map(|i| (i, "retract")));
        // A restarted node may derive what it guarded against: the absence
        // also rests on every node's restarts (see `restarts`).
        let mut children = History::new(self.trace).all_through(self.trace.eot, &mut self.vertices);
        for (i, kind) in events {
            let g = lineage(self.source(), &Prop::Holds(synthetic_fact(kind, i)));
            children.push(self.merge(g, &|_| true));
        }
        self.push(Vertex::And {
            label: "negative support".into(),
            children,
        })
    }
}

/// Adds `base` to every child index of `v`.
pub(crate) fn shift(v: &mut Vertex, base: Vid) {
    match v {
        Vertex::Or { children, .. } | Vertex::And { children, .. } => {
            children.iter_mut().for_each(|c| *c += base)
        }
        Vertex::Derivation { causes, .. } | Vertex::Message { causes, .. } => {
            causes.iter_mut().for_each(|c| *c += base)
        }
        Vertex::Not { child, .. } => *child += base,
        Vertex::True
        | Vertex::False
        | Vertex::Crashed { .. }
        | Vertex::CrashedBy { .. }
        | Vertex::RestartedBy { .. } => {}
    }
}
