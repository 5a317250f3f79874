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
            // One goal per invariant: a counterexample to an invariant must
            // break the lineage of its `post` in every run where its `pre`
            // held — not the outcomes of the other invariants.
            Step::Good(run) if run.verdict == Verdict::Good => {
                for (invariant, post) in &run.outcomes {
                    solver.add_graph_for(invariant, &lineage(&run.trace, post));
                }
            }
            Step::Good(_) if faults.is_empty() => {
                return Err(RunError::Params(
                    "the fault-free run is vacuous: no invariant's `pre` holds, so there is nothing to protect; \
                     check the workload and --eot"
                        .into(),
                ));
            }
            // A vacuous run promised nothing. Like Molly, assume the protocol
            // is monotone in faults: more faults cannot make `pre` hold again,
            // so no superset of this set can be a counterexample.
            Step::Good(_) => solver.block_supersets(&faults),
            Step::Continue => solver.block_supersets(&faults),
            Step::Stop | Step::Budget => return Ok(()),
        }
    }
    Ok(())
}
