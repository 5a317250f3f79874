//! A thin wrapper over one incremental varisat solver that counts what it
//! is given and hands back models as plain booleans.

use varisat::{ExtendFormula, Lit};

/// What one call to the SAT solver found.
pub(crate) enum Outcome {
    /// A model: `values[v]` is the value of variable index `v`.
    Sat(Vec<bool>),
    /// No model. `assumed` is false when the formula is unsatisfiable
    /// whatever the assumptions (no later solve can succeed).
    Unsat {
        /// True if the assumptions took part in the refutation.
        assumed: bool,
    },
}

/// One incremental SAT instance plus counters.
pub(crate) struct Cnf {
    sat: varisat::Solver<'static>,
    vars: usize,
    clauses: usize,
    solves: usize,
    /// Set once an empty clause was added: nothing can be satisfied any more.
    refuted: bool,
}

impl Cnf {
    /// An empty instance.
    pub(crate) fn new() -> Self {
        Cnf {
            sat: varisat::Solver::new(),
            vars: 0,
            clauses: 0,
            solves: 0,
            refuted: false,
        }
    }

    /// A fresh variable, as its positive literal.
    pub(crate) fn new_lit(&mut self) -> Lit {
        self.vars += 1;
        self.sat.new_lit()
    }

    /// Adds the clause `lits[0] ∨ lits[1] ∨ …` (the empty clause refutes).
    pub(crate) fn clause(&mut self, lits: &[Lit]) {
        self.clauses += 1;
        if lits.is_empty() {
            self.refuted = true;
        } else {
            self.sat.add_clause(lits);
        }
    }

    /// Solves under `hard` and `soft` assumptions (they hold for this call
    /// only). `assumed` in the outcome says whether a soft one took part in
    /// the refutation; hard ones count as part of the formula.
    pub(crate) fn solve(&mut self, hard: &[Lit], soft: &[Lit]) -> Outcome {
        if self.refuted {
            return Outcome::Unsat { assumed: false };
        }
        self.solves += 1;
        // varisat keeps assumptions across solves: always set them.
        let assumptions: Vec<Lit> = hard.iter().chain(soft).copied().collect();
        self.sat.assume(&assumptions);
        let sat = self
            .sat
            .solve()
            .expect("varisat fails only when writing proofs or interrupted, neither is used");
        if sat {
            let model = self.sat.model().expect("a satisfiable solve has a model");
            let mut values = vec![false; self.vars];
            for lit in model {
                values[lit.index()] = lit.is_positive();
            }
            Outcome::Sat(values)
        } else {
            let core = self
                .sat
                .failed_core()
                .expect("an unsatisfiable solve has a core");
            Outcome::Unsat {
                assumed: core.iter().any(|l| soft.contains(l)),
            }
        }
    }

    /// Variables created so far.
    pub(crate) fn vars(&self) -> usize {
        self.vars
    }

    /// Clauses added so far.
    pub(crate) fn clauses(&self) -> usize {
        self.clauses
    }

    /// Calls to the SAT solver so far.
    pub(crate) fn solves(&self) -> usize {
        self.solves
    }
}
