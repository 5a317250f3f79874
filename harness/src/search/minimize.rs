//! Minimal means minimal: before a counterexample is reported, replay its
//! proper subsets until none violates.
//!
//! With timeouts and absence, violation is not monotone in the fault set:
//! `{a, b, c}` may violate while every 2-subset is good and `{a}` alone
//! violates again. So "no single fault can be dropped" is not enough. Up to
//! [`FULL_CHECK_MAX`] faults every proper subset is replayed, smallest
//! first, and the first that violates replaces the set (all smaller ones
//! were good, so it is minimal); a larger set is first shrunk fault by
//! fault, then checked in full if it got small enough.

use super::{Counterexample, Session};
use crate::error::RunError;
use crate::runner::{Run, RunConfig};
use ldfi_lineage::{Fault, FaultSet};

/// Largest set whose every proper subset is replayed (2^12 − 2 runs).
pub(crate) const FULL_CHECK_MAX: usize = 12;

/// The smallest violating subset of `config.faults` (`run` is its violated
/// run), as a counterexample.
pub(super) fn shrink(
    s: &mut Session<'_>,
    config: RunConfig,
    run: Run,
) -> Result<Counterexample, RunError> {
    let found_at = s.report.executions;
    let original = config.faults.clone();
    let (mut config, mut run) = (config, run);
    if original.len() > FULL_CHECK_MAX {
        (config, run) = one_by_one(s, config, run)?;
    }
    let minimal_checked = config.faults.len() <= FULL_CHECK_MAX;
    if minimal_checked {
        if let Some((c, r)) = smallest_violating_subset(s, &config.faults)? {
            (config, run) = (c, r);
        }
    }
    let shrunk_from = (config.faults != original).then_some(original);
    Ok(Counterexample {
        config,
        run,
        found_at,
        shrunk_from,
        minimal_checked,
    })
}

/// Drops faults one at a time while the rest still violates.
fn one_by_one(
    s: &mut Session<'_>,
    mut config: RunConfig,
    mut run: Run,
) -> Result<(RunConfig, Run), RunError> {
    let mut i = 0;
    while i < config.faults.len() {
        let rest: FaultSet = (config.faults.faults().iter().enumerate())
            .filter(|(j, _)| *j != i)
            .map(|(_, f)| f.clone())
            .collect();
        match replay(s, rest)? {
            Some((c, r)) => (config, run) = (c, r),
            None => i += 1,
        }
    }
    Ok((config, run))
}

/// Every proper subset of `set`, smallest first; the first that violates.
fn smallest_violating_subset(
    s: &mut Session<'_>,
    set: &FaultSet,
) -> Result<Option<(RunConfig, Run)>, RunError> {
    let faults: Vec<Fault> = set.faults().to_vec();
    let n = faults.len();
    for size in 0..n {
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize != size {
                continue;
            }
            let subset: FaultSet = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| faults[i].clone())
                .collect();
            if let Some(found) = replay(s, subset)? {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// Runs `faults`; the run if it violates. Counted as an execution; a set
/// the search already ran and found good is not run again.
fn replay(s: &mut Session<'_>, faults: FaultSet) -> Result<Option<(RunConfig, Run)>, RunError> {
    if s.seen.get(&faults) == Some(&false) {
        return Ok(None);
    }
    let config = s.config(faults);
    let run = s.p.run(&config)?;
    s.report.executions += 1;
    s.report.minimize_executions += 1;
    s.record(&config.faults, &run.verdict, super::Phase::Minimize);
    s.seen
        .insert(config.faults.clone(), run.verdict.is_violated());
    Ok(run.verdict.is_violated().then_some((config, run)))
}
