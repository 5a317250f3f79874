//! Fault variables: one SAT variable per candidate fault of a
//! [`FaultSpace`], the shared `down(n, t)` helpers, and the fault model's
//! own constraints (one crash time per node, at most `crashes` crashed
//! nodes).
//!
//! Candidates, in [`FaultSpace::omissions`] then [`FaultSpace::crash_faults`]
//! order:
//! - `omit(from, to, t)` for distinct non-exempt `from`, `to` and `1 <= t < eff`;
//! - `crash(n, t)` for non-exempt `n` and `1 <= t <= eot` (none if `crashes == 0`);
//! - `restart(n, t)` for the [`RestartSpace`]'s nodes and `2 <= t <= eot`.
//!
//! Helpers: `down(n, t) ↔ crash(n, 1) ∨ … ∨ crash(n, t)`, encoded as a chain
//! `down(n, t) ↔ down(n, t−1) ∨ crash(n, t)`. The same chain gives
//! at-most-one crash time per node (`crash(n, t) → ¬down(n, t−1)`), and
//! `down(n, eot)` is "n crashes" for the crash budget. Restarts have the
//! same chain, `restarted_by(n, t)`, with at most one restart per node, at
//! most `budget` restarting nodes, and `¬(crashes(n) ∧ restarts(n))`.

use crate::sat::Cnf;
use crate::totalizer::Totalizer;
use ldfi_lineage::{Fault, FaultSet, FaultSpace, RestartSpace, Tick};
use std::collections::BTreeMap;
use varisat::Lit;

/// The fault variables of one fault space.
pub(crate) struct FaultVars {
    /// Non-exempt node names, protocol order, without duplicates.
    nodes: Vec<String>,
    /// Position of each name in `nodes`.
    index: BTreeMap<String, usize>,
    eot: Tick,
    eff: Tick,
    /// Candidate faults and their literals, in candidate order.
    faults: Vec<Fault>,
    lits: Vec<Lit>,
    /// `omit[((t−1)·N + from)·N + to]`, `None` on the diagonal.
    omit: Vec<Option<Lit>>,
    /// `crash[n][t−1]`; empty rows when crashes are off.
    crash: Vec<Vec<Lit>>,
    /// `down[n][t−1]`; empty rows when crashes are off.
    down: Vec<Vec<Lit>>,
    /// `(node index, restart[t−2], restarted_by[t−2])` of each node that
    /// may restart (ticks `2..=eot`).
    restart: Vec<(usize, Vec<Lit>, Vec<Lit>)>,
}

impl FaultVars {
    /// Allocates the candidates of `space` and asserts the fault model.
    pub(crate) fn new(cnf: &mut Cnf, space: &FaultSpace, restarts: &RestartSpace) -> Self {
        let mut nodes: Vec<String> = Vec::new();
        for n in space.faulty_nodes() {
            if !nodes.contains(n) {
                nodes.push(n.clone());
            }
        }
        let index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let mut vars = FaultVars {
            nodes,
            index,
            eot: space.eot,
            eff: space.eff,
            faults: Vec::new(),
            lits: Vec::new(),
            omit: Vec::new(),
            crash: Vec::new(),
            down: Vec::new(),
            restart: Vec::new(),
        };
        vars.alloc_omissions(cnf);
        if space.crashes > 0 {
            vars.alloc_crashes(cnf);
            vars.bound_crashes(cnf, space.crashes as usize);
        }
        let restartable = restarts.restartable(space);
        if !restartable.is_empty() && space.eot >= 2 {
            vars.alloc_restarts(cnf, &restartable);
            vars.bound_restarts(cnf, restarts.budget as usize);
        }
        vars
    }

    fn alloc_restarts(&mut self, cnf: &mut Cnf, restartable: &[String]) {
        for name in restartable {
            let n = self.index[name];
            let (mut restart, mut by): (Vec<Lit>, Vec<Lit>) = (Vec::new(), Vec::new());
            for t in 2..=self.eot {
                let r = cnf.new_lit();
                self.push(
                    r,
                    Fault::Restart {
                        node: name.clone(),
                        at: t,
                    },
                );
                let b = by_tick(cnf, by.last().copied(), r);
                restart.push(r);
                by.push(b);
            }
            // A node does not both crash and restart.
            if let (Some(crashed), Some(&restarts)) = (self.crashed(n), by.last()) {
                cnf.clause(&[!crashed, !restarts]);
            }
            self.restart.push((n, restart, by));
        }
    }

    /// At most `budget` nodes restart.
    fn bound_restarts(&mut self, cnf: &mut Cnf, budget: usize) {
        let restarting: Vec<Lit> = self
            .restart
            .iter()
            .filter_map(|(_, _, by)| by.last().copied())
            .collect();
        at_most(cnf, &restarting, budget);
    }

    /// `restarted_by(node, t)`: the node restarted at some tick `<= t`.
    /// `None` when that cannot happen (it may not restart, or `t < 2`).
    pub(crate) fn restarted_by(&self, node: usize, t: Tick) -> Option<Lit> {
        let (_, _, by) = self.restart.iter().find(|(n, _, _)| *n == node)?;
        if t < 2 {
            return None;
        }
        let t = (t as usize).min(by.len() + 1);
        by.get(t - 2).copied()
    }

    /// The literal of `restart(node, t)`, if that restart is a candidate.
    fn restart(&self, node: usize, t: Tick) -> Option<Lit> {
        let (_, restart, _) = self.restart.iter().find(|(n, _, _)| *n == node)?;
        restart.get((t as usize).checked_sub(2)?).copied()
    }

    fn alloc_omissions(&mut self, cnf: &mut Cnf) {
        let n = self.nodes.len();
        for t in 1..self.eff {
            for from in 0..n {
                for to in 0..n {
                    if from == to {
                        self.omit.push(None);
                        continue;
                    }
                    let lit = cnf.new_lit();
                    self.omit.push(Some(lit));
                    let fault = Fault::Omit {
                        from: self.nodes[from].clone(),
                        to: self.nodes[to].clone(),
                        at: t,
                    };
                    self.push(lit, fault);
                }
            }
        }
    }

    fn alloc_crashes(&mut self, cnf: &mut Cnf) {
        for n in 0..self.nodes.len() {
            let mut crash = Vec::new();
            let mut down: Vec<Lit> = Vec::new();
            for t in 1..=self.eot {
                let c = cnf.new_lit();
                let fault = Fault::Crash {
                    node: self.nodes[n].clone(),
                    at: t,
                };
                self.push(c, fault);
                let d = by_tick(cnf, down.last().copied(), c);
                crash.push(c);
                down.push(d);
            }
            self.crash.push(crash);
            self.down.push(down);
        }
    }

    /// At most `budget` nodes crash.
    fn bound_crashes(&mut self, cnf: &mut Cnf, budget: usize) {
        let crashed: Vec<Lit> = (0..self.nodes.len())
            .filter_map(|n| self.crashed(n))
            .collect();
        at_most(cnf, &crashed, budget);
    }

    fn push(&mut self, lit: Lit, fault: Fault) {
        self.faults.push(fault);
        self.lits.push(lit);
    }

    /// Index of a non-exempt node of the space, by name.
    pub(crate) fn node(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The literal of `omit(from, to, t)`, if that omission is a candidate.
    pub(crate) fn omit(&self, from: usize, to: usize, t: Tick) -> Option<Lit> {
        if t == 0 || t >= self.eff {
            return None;
        }
        let n = self.nodes.len();
        self.omit[((t as usize - 1) * n + from) * n + to]
    }

    /// The literal of `crash(node, t)`, if that crash is a candidate.
    pub(crate) fn crash(&self, node: usize, t: Tick) -> Option<Lit> {
        let row = self.crash.get(node)?;
        row.get((t as usize).checked_sub(1)?).copied()
    }

    /// `down(node, t)`: the node crashed at some tick `<= t`. `None` when
    /// that cannot happen (crashes off, or `t == 0`).
    pub(crate) fn down(&self, node: usize, t: Tick) -> Option<Lit> {
        let row = self.down.get(node)?;
        if t == 0 {
            return None;
        }
        let t = (t as usize).min(row.len());
        row.get(t.checked_sub(1)?).copied()
    }

    /// "`node` crashes at some tick", if it can.
    pub(crate) fn crashed(&self, node: usize) -> Option<Lit> {
        self.down(node, self.eot)
    }

    /// Literals of every candidate fault, in candidate order.
    pub(crate) fn lits(&self) -> &[Lit] {
        &self.lits
    }

    /// Candidate faults, in candidate order.
    pub(crate) fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The literal of `fault`, if it is a candidate of the space.
    pub(crate) fn lit_of(&self, fault: &Fault) -> Option<Lit> {
        match fault {
            Fault::Omit { from, to, at } => self.omit(self.node(from)?, self.node(to)?, *at),
            Fault::Crash { node, at } => self.crash(self.node(node)?, *at),
            Fault::Restart { node, at } => self.restart(self.node(node)?, *at),
            _ => None,
        }
    }

    /// The candidate faults true in a model.
    pub(crate) fn fault_set(&self, values: &[bool]) -> FaultSet {
        self.faults
            .iter()
            .zip(&self.lits)
            .filter(|(_, lit)| values[lit.index()] == lit.is_positive())
            .map(|(f, _)| f.clone())
            .collect()
    }
}

/// The next link of a "by tick t" chain: `by(t) ↔ by(t−1) ∨ x(t)` (just
/// `x(t)` at the first tick), with at most one `x` per chain
/// (`x(t) → ¬by(t−1)`): one crash time, or one restart, per node.
fn by_tick(cnf: &mut Cnf, prev: Option<Lit>, x: Lit) -> Lit {
    let Some(prev) = prev else {
        return x;
    };
    let by = cnf.new_lit();
    cnf.clause(&[!x, by]);
    cnf.clause(&[!prev, by]);
    cnf.clause(&[!by, prev, x]);
    cnf.clause(&[!x, !prev]);
    by
}

/// At most `budget` of `lits` are true.
fn at_most(cnf: &mut Cnf, lits: &[Lit], budget: usize) {
    let tot = Totalizer::build(cnf, lits, budget + 1);
    if let Some(over) = tot.more_than(budget) {
        cnf.clause(&[!over]);
    }
}
