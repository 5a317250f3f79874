//! The LDFI strategy: after every good run, add the lineage of each
//! invariant's `post` (where its `pre` held) to the solver; run the smallest
//! fault set that breaks every known way some invariant was met; stop when
//! none is left (certified) or one violates.

use super::{Session, Step};
use crate::check::Verdict;
use crate::error::RunError;
use ldfi_lineage::{lineage, FaultSpace};
use ldfi_solver::Solver;

pub(crate) fn search(s: &mut Session<'_>, space: &FaultSpace) -> Result<(), RunError> {
    let mut solver = Solver::new(space);
    // The solver's first answer is the empty set: the fault-free run.
    while let Some(faults) = solver.next() {
        match s.execute(faults.clone())? {
            Step::Good(run) if run.verdict == Verdict::Vacuous && faults.is_empty() => {
                return Err(RunError::Params(
                    "the fault-free run is vacuous: no invariant's `pre` holds, so there is nothing to protect; \
                     check the workload and --eot"
                        .into(),
                ));
            }
            Step::Good(run) => learn(&mut solver, &faults, &run),
            Step::Continue => solver.block_supersets(&faults),
            Step::Stop | Step::Budget => return Ok(()),
        }
    }
    Ok(())
}

/// What a good or vacuous run teaches, per invariant (one solver goal
/// each): where `pre` held, the lineage of `post` — a counterexample to that
/// invariant must break it; where `pre` did not hold, that no superset of
/// these faults can be a counterexample to it (Molly's assumption that more
/// faults cannot make a precondition true again).
fn learn(solver: &mut Solver, faults: &ldfi_lineage::FaultSet, run: &crate::runner::Run) {
    for (invariant, post) in &run.outcomes {
        solver.add_graph_for(invariant, &lineage(&run.trace, post));
    }
    for invariant in &run.vacuous {
        solver.block_supersets_for(invariant, faults);
    }
}
