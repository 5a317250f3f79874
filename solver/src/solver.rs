//! The public solver: smallest fault sets that break every lineage graph
//! given so far, one at a time.

use crate::encode::{encode_graph, Gates, Val};
use crate::error::{check_structure, GraphError};
use crate::sat::{Cnf, Outcome};
use crate::totalizer::Totalizer;
use crate::vars::FaultVars;
use ldfi_lineage::{Fault, FaultSet, FaultSpace, LineageGraph, RestartSpace};
use varisat::Lit;

/// First cutoff of the size totalizer (bounds up to `cutoff − 1`); it
/// doubles whenever a search needs more.
const FIRST_SIZE_CUTOFF: usize = 4;

/// Counters, for reports and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Candidate faults (one SAT variable each).
    pub candidates: usize,
    /// SAT variables, helpers included.
    pub variables: usize,
    /// Clauses added.
    pub clauses: usize,
    /// Calls to the SAT solver.
    pub solves: usize,
    /// Lineage graphs added.
    pub graphs: usize,
    /// Distinct `∧`/`∨` gates encoded across all graphs.
    pub gates: usize,
    /// Fault sets returned by [`Solver::next`].
    pub returned: usize,
}

/// Finds the smallest fault sets of a [`FaultSpace`] that falsify the
/// outcome of every [`LineageGraph`] added so far, smallest first.
///
/// Answers come from `next` (the solver is a fused [`Iterator`] of
/// [`FaultSet`]s); between two answers the caller adds the lineage of the
/// run it made with the last one ([`Solver::add_graph`]) or, when that run
/// was a counterexample, blocks it ([`Solver::block_supersets`]).
///
/// One incremental SAT instance lives as long as the solver: graphs and
/// blocking clauses only ever add constraints, so the size of the smallest
/// solution never goes down and each [`Solver::next`] resumes where the
/// last one stopped. The same sequence of calls gives the same answers in
/// every process.
///
/// The solver is not `Send` (varisat's solver is not).
pub struct Solver {
    cnf: Cnf,
    vars: FaultVars,
    gates: Gates,
    /// Every node name of the space, exempt ones included.
    space_nodes: Vec<String>,
    /// Counts true candidates; rebuilt with a larger cutoff on demand.
    size: Option<Totalizer>,
    size_cutoff: usize,
    /// No solution has fewer faults than this.
    min_size: usize,
    /// Set once no solution can exist any more.
    done: bool,
    /// No answer has more faults than this ([`Solver::limit_size`]).
    max_size: Option<usize>,
    graphs: usize,
    returned: usize,
    /// Goals by name, each with its selector: a goal is met when every
    /// graph added to it is falsified.
    goals: Vec<(String, Lit)>,
    /// Assumed at every solve: "some goal with lineage is met".
    goal_act: Option<Lit>,
    /// Sets blocked for goals that have no graph yet (clauses without the
    /// selector), applied when the goal appears.
    pending: Vec<(String, Vec<Lit>)>,
}

impl Solver {
    /// A solver over the candidate faults of `space`, with the fault model
    /// asserted (one crash time per node, at most `space.crashes` crashed
    /// nodes) and no lineage yet: its first answer is the empty set.
    pub fn new(space: &FaultSpace) -> Solver {
        Solver::with_restarts(space, &RestartSpace::default())
    }

    /// [`Solver::new`] with `restart(n, t)` candidates as well (after the
    /// crashes): at most one per node, at most `restarts.budget` restarting
    /// nodes, none of them crashing too.
    pub fn with_restarts(space: &FaultSpace, restarts: &RestartSpace) -> Solver {
        let mut cnf = Cnf::new();
        let vars = FaultVars::new(&mut cnf, space, restarts);
        Solver {
            cnf,
            vars,
            gates: Gates::default(),
            space_nodes: space.nodes.clone(),
            size: None,
            size_cutoff: FIRST_SIZE_CUTOFF,
            min_size: 0,
            done: false,
            max_size: None,
            graphs: 0,
            returned: 0,
            goals: Vec::new(),
            goal_act: None,
            pending: Vec::new(),
        }
    }

    /// Excludes `set` and its supersets for goal `goal` only: a run with
    /// `set` showed that goal's precondition false, and (assuming, like
    /// Molly, that more faults cannot make it true again) no superset can
    /// be a counterexample to it. Other goals may still use these sets.
    pub fn block_supersets_for(&mut self, goal: &str, set: &FaultSet) {
        let Some(lits) = self.lits_of(set) else {
            return;
        };
        let mut clause: Vec<Lit> = lits.iter().map(|&l| !l).collect();
        match self.goals.iter().find(|(n, _)| n == goal) {
            Some((_, sel)) => {
                clause.push(!*sel);
                self.cnf.clause(&clause);
            }
            None => self.pending.push((goal.to_string(), clause)),
        }
    }

    /// Adds `g` to the goal named `goal` (e.g. an invariant). Goals are
    /// alternatives: an answer must falsify every graph of *some* goal
    /// (and every graph added with [`Solver::add_graph`]). Use one goal per
    /// invariant, adding a run's graph of an invariant's `post` only when
    /// its `pre` held: a counterexample to that invariant must break all of
    /// them, whatever the other invariants' runs showed.
    ///
    /// A goal seen for the first time makes more sets candidates: the
    /// search restarts from size 0 (sets already returned stay excluded).
    ///
    /// # Panics
    ///
    /// As [`Solver::add_graph`], for a malformed graph.
    pub fn add_graph_for(&mut self, goal: &str, g: &LineageGraph) {
        if let Err(e) = check_structure(g) {
            panic!("{e}");
        }
        self.graphs += 1;
        let sel = match self.goals.iter().find(|(n, _)| n == goal) {
            Some((_, l)) => *l,
            None => self.new_goal(goal),
        };
        match encode_graph(&mut self.cnf, &mut self.gates, &self.vars, g) {
            Val::Const(false) => {}
            Val::Const(true) => self.cnf.clause(&[!sel]),
            Val::Lit(root) => self.cnf.clause(&[!sel, !root]),
        }
    }

    /// Registers a goal; the disjunction of all goals is re-asserted under
    /// a fresh activation literal (the old one is simply no longer assumed).
    fn new_goal(&mut self, goal: &str) -> Lit {
        let sel = self.cnf.new_lit();
        self.goals.push((goal.to_string(), sel));
        let act = self.cnf.new_lit();
        let mut clause: Vec<Lit> = self.goals.iter().map(|(_, l)| *l).collect();
        clause.push(!act);
        self.cnf.clause(&clause);
        self.goal_act = Some(act);
        self.done = false;
        self.min_size = 0;
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(g, _)| g == goal);
        self.pending = rest;
        for (_, mut clause) in mine {
            clause.push(!sel);
            self.cnf.clause(&clause);
        }
        sel
    }

    /// Requires every later answer to falsify `g`'s root (the good outcome
    /// of the run `g` comes from), on top of every graph added before.
    ///
    /// Nodes of `g` that the space does not name, like exempt nodes, never
    /// fail. Use [`Solver::try_add_graph`] for graphs that did not come
    /// from `ldfi-lineage`.
    ///
    /// # Panics
    ///
    /// If `g` is malformed (a child listed after its parent, the root or a
    /// node index out of range): graphs built by `ldfi-lineage` never are.
    pub fn add_graph(&mut self, g: &LineageGraph) {
        if let Err(e) = check_structure(g) {
            panic!("{e}");
        }
        self.encode(g);
    }

    /// [`Solver::add_graph`] for graphs from outside (e.g. a JSON file):
    /// checks the graph first, and also rejects node names the space does
    /// not have. On error nothing is added.
    pub fn try_add_graph(&mut self, g: &LineageGraph) -> Result<(), GraphError> {
        check_structure(g)?;
        if let Some(name) = g.nodes.iter().find(|n| !self.space_nodes.contains(n)) {
            return Err(GraphError::UnknownNode { name: name.clone() });
        }
        self.encode(g);
        Ok(())
    }

    fn encode(&mut self, g: &LineageGraph) {
        self.graphs += 1;
        match encode_graph(&mut self.cnf, &mut self.gates, &self.vars, g) {
            Val::Const(false) => {}
            Val::Const(true) => self.cnf.clause(&[]),
            Val::Lit(root) => self.cnf.clause(&[!root]),
        }
    }

    /// `Iterator::next`: the smallest set left, or `None` for good.
    fn next_set(&mut self) -> Option<FaultSet> {
        let mut upper: Option<(usize, Vec<bool>)> = None;
        let mut stepped = false;
        while !self.done {
            if self.max_size.is_some_and(|max| self.min_size > max) {
                self.done = true;
                break;
            }
            if let Some((m, _)) = &upper {
                if self.min_size >= *m {
                    let (_, values) = upper.take().expect("checked above");
                    return Some(self.answer(&values));
                }
            }
            let bound = self.at_most(self.min_size);
            let hard: Vec<Lit> = self.goal_act.into_iter().collect();
            match self.cnf.solve(&hard, bound.as_slice()) {
                Outcome::Sat(values) => return Some(self.answer(&values)),
                Outcome::Unsat { assumed: false } => self.done = true,
                Outcome::Unsat { assumed: true } => {
                    self.min_size += 1;
                    // Stepping more than once: find out whether any
                    // solution is left, and an upper bound on its size.
                    if stepped && upper.is_none() {
                        upper = self.any_solution();
                    }
                    stepped = true;
                }
            }
        }
        None
    }

    /// A solution of any size and that size, or `None` (and done).
    fn any_solution(&mut self) -> Option<(usize, Vec<bool>)> {
        let hard: Vec<Lit> = self.goal_act.into_iter().collect();
        match self.cnf.solve(&hard, &[]) {
            Outcome::Sat(values) => Some((self.vars.fault_set(&values).len(), values)),
            Outcome::Unsat { .. } => {
                self.done = true;
                None
            }
        }
    }

    /// Records and excludes the solution in `values`.
    fn answer(&mut self, values: &[bool]) -> FaultSet {
        let set = self.vars.fault_set(values);
        assert_eq!(set.len(), self.min_size, "solutions come smallest first");
        tracing::debug!(size = set.len(), graphs = self.graphs, "solver answer");
        let clause: Vec<Lit> = self
            .vars
            .lits()
            .iter()
            .map(|&l| {
                if values[l.index()] == l.is_positive() {
                    !l
                } else {
                    l
                }
            })
            .collect();
        self.cnf.clause(&clause);
        self.returned += 1;
        set
    }

    /// The assumption "at most `k` candidates are true" (none if trivial).
    fn at_most(&mut self, k: usize) -> Option<Lit> {
        let fits = self.size.as_ref().is_some_and(|t| t.can_bound(k));
        if !fits {
            while self.size_cutoff <= k {
                self.size_cutoff *= 2;
            }
            let inputs = self.vars.lits().to_vec();
            self.size = Some(Totalizer::build(&mut self.cnf, &inputs, self.size_cutoff));
        }
        let size = self.size.as_ref().expect("built above");
        size.more_than(k).map(|over| !over)
    }

    /// Excludes `set` and every superset of it (a counterexample found:
    /// adding faults to it is not a new bug). Blocking the empty set ends
    /// the search. A set holding a fault that is not a candidate of the
    /// space has no superset among the candidates: nothing to block.
    pub fn block_supersets(&mut self, set: &FaultSet) {
        if let Some(lits) = self.lits_of(set) {
            let clause: Vec<Lit> = lits.iter().map(|&l| !l).collect();
            self.cnf.clause(&clause);
        }
    }

    /// Excludes exactly `set` (its supersets stay candidates).
    pub fn block_exactly(&mut self, set: &FaultSet) {
        if let Some(mut lits) = self.lits_of(set) {
            lits.sort_unstable();
            let clause: Vec<Lit> = self
                .vars
                .lits()
                .iter()
                .map(|&l| {
                    if lits.binary_search(&l).is_ok() {
                        !l
                    } else {
                        l
                    }
                })
                .collect();
            self.cnf.clause(&clause);
        }
    }

    /// The literals of `set`'s faults, or `None` if one is no candidate.
    fn lits_of(&self, set: &FaultSet) -> Option<Vec<Lit>> {
        set.faults().iter().map(|f| self.vars.lit_of(f)).collect()
    }

    /// Answers no fault set of more than `max` faults: once every smaller
    /// one is used up, the solver is exhausted. Answers still come smallest
    /// first, so a search that stops here has tried (or ruled out with its
    /// graphs) every set of at most `max` faults — the bound of a
    /// certificate like "no `max` faults break it".
    pub fn limit_size(&mut self, max: usize) {
        self.max_size = Some(max);
        if self.min_size > max {
            self.done = true;
        }
    }

    /// True if `fault` is a candidate: the solver may choose it.
    pub fn is_candidate(&self, fault: &Fault) -> bool {
        self.vars.lit_of(fault).is_some()
    }

    /// Every candidate fault, in [`FaultSpace::omissions`], then
    /// [`FaultSpace::crash_faults`], then [`RestartSpace::candidates`] order.
    pub fn candidates(&self) -> &[Fault] {
        self.vars.faults()
    }

    /// No solution has fewer faults than this (it only grows).
    pub fn min_size(&self) -> usize {
        self.min_size
    }

    /// True once `next` has answered `None`: nothing is left
    /// within the bounds, whatever is added later.
    pub fn is_exhausted(&self) -> bool {
        self.done
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        Stats {
            candidates: self.vars.lits().len(),
            variables: self.cnf.vars(),
            clauses: self.cnf.clauses(),
            solves: self.cnf.solves(),
            graphs: self.graphs,
            gates: self.gates.len(),
            returned: self.returned,
        }
    }
}

impl Iterator for Solver {
    type Item = FaultSet;

    /// The next smallest fault set that falsifies every graph added so far,
    /// fits the budget, and was neither returned nor blocked before; `None`
    /// when there is none (with every lineage known, the certificate).
    ///
    /// When it returns a set of size `k`, no set of fewer than `k` faults
    /// satisfies the constraints. The returned set is excluded (exactly it:
    /// its supersets stay candidates). Among sets of one size the order is
    /// the SAT solver's, deterministic.
    fn next(&mut self) -> Option<FaultSet> {
        self.next_set()
    }
}

/// Once `None`, always `None`: constraints only ever grow.
impl std::iter::FusedIterator for Solver {}
