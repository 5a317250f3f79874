//! The LDFI strategy: after every run that is not a counterexample, add to
//! each invariant's solver goal a sufficient condition for that invariant
//! to hold again — the lineage of its `post` where its `pre` held, the
//! lineage of `¬pre` where it did not — and run the smallest fault set
//! that breaks every known such condition of some invariant; stop when
//! none is left or one violates.
//!
//! **Soundness.** A fault set the solver never returns is excluded because,
//! for every invariant, some graph of it still holds under that set — and a
//! graph is a *sufficient* condition for the invariant (see
//! `ldfi_lineage::sound`). No fault set is pruned by an assumption about
//! monotonicity unless an invariant declares it
//! (`Invariant::pre_shrinks_with_faults`): a vacuous run contributes the
//! lineage of `¬pre` (with negative support), not a block on its
//! supersets. With declared
//! lineage the graphs rest on the protocol's declarations, so a
//! certificate is then confirmed by a second search on happens-before
//! lineage (`Same(EOT)`: no assumption at all), which starts from every run
//! the first one made.

use super::culprit::find_culprit;
use super::{Assurance, Conclusion, Disagreement, LineageAdded, Phase, Session, Step};
use crate::check::Verdict;
use crate::error::RunError;
use crate::runner::{LineageMode, Run};
use ldfi_lineage::{lineage_with, FaultSet, FaultSpace, LineageGraph, LineageOptions, Prop};
use ldfi_solver::Solver;
use std::collections::BTreeMap;

/// The one goal of a happens-before search: every invariant's graph is the
/// same `Same(EOT)`.
const UNCHANGED: &str = "unchanged run";

/// How one phase of the search ended.
enum Ended {
    /// The solver has nothing left: certified under this phase's lineage.
    Exhausted,
    /// A counterexample stopped it, or the budget ran out.
    Stopped,
}

/// A run the declared phase learned from, with the graphs it added.
pub(super) struct Learned {
    pub(super) faults: FaultSet,
    pub(super) run: Run,
    pub(super) graphs: Vec<(String, LineageGraph)>,
}

pub(crate) fn search(s: &mut Session<'_>, space: &FaultSpace) -> Result<(), RunError> {
    let happens_before = s.cfg.lineage == LineageMode::HappensBefore;
    let opts = LineageOptions {
        crash: s.cfg.crash,
        happens_before,
    };
    let mut learned: Vec<Learned> = Vec::new();
    let mut solver = solver_for(s, space);
    let ended = phase(s, &mut solver, &opts, &mut learned, &BTreeMap::new())?;
    // Stopped, or counterexamples found (all wanted): no certificate to confirm.
    if matches!(ended, Ended::Stopped) || !s.report.counterexamples.is_empty() {
        return Ok(());
    }
    if happens_before {
        s.report.assurance = Assurance::HappensBefore;
        return Ok(());
    }
    if !s.cfg.confirm {
        s.report.assurance = Assurance::Declared;
        return Ok(());
    }
    confirm(s, space, learned)
}

/// Confirms a declared certificate on happens-before lineage, reusing the
/// declared phase's runs.
fn confirm(s: &mut Session<'_>, space: &FaultSpace, learned: Vec<Learned>) -> Result<(), RunError> {
    let opts = LineageOptions {
        crash: s.cfg.crash,
        happens_before: true,
    };
    let declared_executions = s.report.executions;
    let known: BTreeMap<FaultSet, &Run> =
        learned.iter().map(|l| (l.faults.clone(), &l.run)).collect();
    tracing::info!(
        declared_executions,
        "declared lineage certified; confirming on happens-before lineage"
    );
    let budget = s.cfg.confirm_max_runs.map(|b| s.report.executions + b);
    s.limit = match (s.limit, budget) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut solver = solver_for(s, space);
    let mut ignored = Vec::new();
    s.phase = Phase::Confirm;
    let ended = phase(s, &mut solver, &opts, &mut ignored, &known)?;
    s.report.confirm_executions = s.report.executions - declared_executions;
    // The declared phase found no counterexample (else it would not be
    // confirming): any counterexample now is a disagreement, whether the
    // confirmation stopped at it or went on (all counterexamples wanted).
    if let Some(cex) = s.report.counterexamples.first() {
        s.report.disagreement = Some(Disagreement {
            declared_executions,
            culprit: find_culprit(&learned, cex),
        });
        return Ok(());
    }
    match ended {
        Ended::Exhausted => s.report.assurance = Assurance::Confirmed,
        Ended::Stopped => {
            s.report.conclusion = Conclusion::Unconfirmed;
            s.report.assurance = Assurance::Unconfirmed;
        }
    }
    Ok(())
}

/// A solver over `space`, bounded by the search's `max_faults`.
fn solver_for(s: &Session<'_>, space: &FaultSpace) -> Solver {
    let mut solver = Solver::with_restarts(space, &s.report.restarts);
    if let Some(max) = s.limits.max_faults {
        solver.limit_size(max);
    }
    solver
}

/// One search to its end on lineage `opts`; `known` runs are not executed
/// again (their lineage is learned directly).
fn phase(
    s: &mut Session<'_>,
    solver: &mut Solver,
    opts: &LineageOptions,
    learned: &mut Vec<Learned>,
    known: &BTreeMap<FaultSet, &Run>,
) -> Result<Ended, RunError> {
    // The solver's first answer is the empty set: the fault-free run.
    let graphs_before = s.solver.graphs;
    while let Some(faults) = solver.next() {
        let stats = solver.stats();
        s.solver = super::SolverSize {
            graphs: graphs_before + stats.graphs,
            clauses: stats.clauses,
        };
        if let Some(run) = known.get(&faults) {
            learn(solver, opts, run);
            continue;
        }
        match s.execute(faults.clone())? {
            Step::Good(run) => {
                let gates = solver.stats().gates;
                let graphs = learn(solver, opts, &run);
                s.note_lineage(LineageAdded {
                    graphs: graphs.len(),
                    vertices: graphs.iter().map(|(_, g)| g.vertices.len()).sum(),
                    new_gates: solver.stats().gates - gates,
                });
                if !opts.happens_before {
                    // Declared: no superset makes these invariants' `pre` true.
                    for invariant in &run.pre_shrinks {
                        solver.block_supersets_for(invariant, &faults);
                    }
                    // `--checks enforcement`, a run that breaks an invariant
                    // but no predicate: no counterexample, and no success
                    // whose lineage explains the invariant. The declared
                    // phase (invariant lineage steering toward runs off the
                    // happy path) assumes that more faults on top of a
                    // broken invariant find no predicate violation a
                    // smaller set does not, and tries no superset of it.
                    // The happens-before confirmation checks the
                    // assumption: there every run, this one included,
                    // teaches only that it must change.
                    if run.set_aside.is_some() {
                        solver.block_supersets(&faults);
                    }
                    learned.push(Learned {
                        faults,
                        run: *run,
                        graphs,
                    });
                }
            }
            Step::Continue(minimal) => solver.block_supersets(&minimal),
            Step::Stop | Step::Budget => return Ok(Ended::Stopped),
        }
    }
    Ok(Ended::Exhausted)
}

/// Adds what a run that is not a counterexample teaches; returns the
/// graphs added, by goal.
fn learn(solver: &mut Solver, opts: &LineageOptions, run: &Run) -> Vec<(String, LineageGraph)> {
    debug_assert!(!matches!(run.verdict, Verdict::Violated { .. }));
    if opts.happens_before {
        let g = lineage_with(&run.trace, &Prop::True, opts);
        solver.add_graph_for(UNCHANGED, &g);
        return vec![(UNCHANGED.to_string(), g)];
    }
    let mut added = Vec::new();
    let opaque = LineageOptions {
        happens_before: true,
        ..*opts
    };
    for (invariant, prop) in run.outcomes.iter().chain(&run.pre_false) {
        // A `pre` or `post` that is a bare constant was decided in Rust
        // from reads the search cannot see: it rests on the unchanged run.
        let constant = matches!(prop, Prop::True | Prop::False);
        let g = lineage_with(&run.trace, prop, if constant { &opaque } else { opts });
        solver.add_graph_for(invariant, &g);
        added.push((invariant.clone(), g));
    }
    added
}
