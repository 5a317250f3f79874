//! Tests of the solver against [`LineageGraph::holds_under`], the graph
//! semantics, with a brute-force reference over small fault spaces.

mod props;
mod unit;

use ldfi_lineage::{Fact, Fault, FaultSet, FaultSpace, LineageGraph, MsgId, Tick, Vertex, Vid};

/// Builds a lineage graph vertex by vertex (children first).
pub(crate) struct Builder {
    g: LineageGraph,
}

impl Builder {
    pub(crate) fn new(nodes: &[&str]) -> Self {
        Builder {
            g: LineageGraph {
                nodes: nodes.iter().map(|n| n.to_string()).collect(),
                vertices: Vec::new(),
                root: 0,
            },
        }
    }

    pub(crate) fn push(&mut self, v: Vertex) -> Vid {
        self.g.vertices.push(v);
        (self.g.vertices.len() - 1) as Vid
    }

    fn idx(&self, name: &str) -> u16 {
        self.g
            .nodes
            .iter()
            .position(|n| n == name)
            .expect("known node") as u16
    }

    pub(crate) fn truth(&mut self) -> Vid {
        self.push(Vertex::True)
    }

    pub(crate) fn msg(&mut self, from: &str, to: &str, sent: Tick, causes: &[Vid]) -> Vid {
        let v = Vertex::Message {
            id: MsgId {
                from: self.idx(from),
                sent,
                seq: 0,
            },
            to: self.idx(to),
            causes: causes.to_vec(),
        };
        self.push(v)
    }

    pub(crate) fn derive(&mut self, node: &str, at: Tick, causes: &[Vid]) -> Vid {
        let v = Vertex::Derivation {
            node: self.idx(node),
            at,
            fact: Fact::new("f", [node]),
            causes: causes.to_vec(),
        };
        self.push(v)
    }

    pub(crate) fn or(&mut self, children: &[Vid]) -> Vid {
        self.push(Vertex::Or {
            label: "or".into(),
            children: children.to_vec(),
        })
    }

    pub(crate) fn and(&mut self, children: &[Vid]) -> Vid {
        self.push(Vertex::And {
            label: "and".into(),
            children: children.to_vec(),
        })
    }

    pub(crate) fn crashed(&mut self, node: &str) -> Vid {
        let node = self.idx(node);
        self.push(Vertex::Crashed { node })
    }

    /// The graph with its last vertex as root.
    pub(crate) fn build(mut self) -> LineageGraph {
        self.g.root = (self.g.vertices.len() - 1) as Vid;
        self.g
    }
}

pub(crate) fn omit(from: &str, to: &str, at: Tick) -> Fault {
    Fault::Omit {
        from: from.into(),
        to: to.into(),
        at,
    }
}

pub(crate) fn crash(node: &str, at: Tick) -> Fault {
    Fault::Crash {
        node: node.into(),
        at,
    }
}

pub(crate) fn set(faults: &[Fault]) -> FaultSet {
    faults.iter().cloned().collect()
}

/// True if `set` is a fault set the space allows (the budget, stated
/// independently of the solver's encoding).
pub(crate) fn within_budget(space: &FaultSpace, set: &FaultSet) -> bool {
    let faulty = |n: &String| space.nodes.contains(n) && !space.exempt.contains(n);
    let mut crashed: Vec<&String> = Vec::new();
    for f in set.faults() {
        match f {
            Fault::Omit { from, to, at } => {
                if from == to || !faulty(from) || !faulty(to) || *at < 1 || *at >= space.eff {
                    return false;
                }
            }
            Fault::Crash { node, at } => {
                if !faulty(node) || *at < 1 || *at > space.eot || crashed.contains(&node) {
                    return false;
                }
                crashed.push(node);
            }
            _ => return false,
        }
    }
    crashed.len() <= space.crashes as usize
}

/// Every fault set of at most `max` faults within the budget, by brute force.
pub(crate) fn all_sets(space: &FaultSpace, max: usize) -> Vec<FaultSet> {
    let mut candidates = space.omissions();
    candidates.extend(space.crash_faults());
    let mut out = Vec::new();
    let mut pick = Vec::new();
    subsets(&candidates, 0, max, &mut pick, &mut out);
    out.retain(|s| within_budget(space, s));
    out
}

fn subsets(c: &[Fault], from: usize, max: usize, pick: &mut Vec<Fault>, out: &mut Vec<FaultSet>) {
    out.push(pick.iter().cloned().collect());
    if pick.len() == max {
        return;
    }
    for i in from..c.len() {
        pick.push(c[i].clone());
        subsets(c, i + 1, max, pick, out);
        pick.pop();
    }
}

/// True if `set` falsifies the outcome of every graph.
pub(crate) fn breaks_all(graphs: &[LineageGraph], set: &FaultSet) -> bool {
    graphs.iter().all(|g| !g.holds_under(set))
}

/// The proper subsets of `set`.
pub(crate) fn proper_subsets(set: &FaultSet) -> Vec<FaultSet> {
    let f = set.faults();
    (0..(1u64 << f.len()) - 1)
        .map(|mask| {
            f.iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, x)| x.clone())
                .collect()
        })
        .collect()
}
