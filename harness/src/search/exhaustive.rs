//! The exhaustive strategy: every fault set of the space, smallest first.
//! Only where the space is small enough; refused otherwise.

use super::{Session, Step};
use crate::error::RunError;
use ldfi_lineage::{Fault, FaultSet, FaultSpace};

pub(crate) fn search(s: &mut Session<'_>, space: &FaultSpace) -> Result<(), RunError> {
    let restarts = s.report.restarts.clone();
    let candidates = super::candidate_sets(space, &restarts, s.limits.max_faults);
    if candidates > s.cfg.exhaustive_limit {
        return Err(RunError::Params(format!(
            "--strategy exhaustive: {candidates:.3e} candidate fault sets to run (Molly's count of the \
             space: {:.3e}), above the limit of {:.0e}; use --strategy ldfi, or smaller --eot/--eff/--crashes/--max-faults",
            space.combinations(),
            s.cfg.exhaustive_limit
        )));
    }
    let mut items = space.omissions();
    items.extend(space.crash_faults());
    items.extend(restarts.candidates(space));
    let largest = s
        .limits
        .max_faults
        .map_or(items.len(), |m| m.min(items.len()));
    for size in 0..=largest {
        let mut chosen = Vec::new();
        if !each_of_size(s, space, &items, 0, size, &mut chosen)? {
            return Ok(());
        }
    }
    Ok(())
}

/// Runs every valid fault set of `size` items from `items[from..]` extending
/// `chosen`; false when the search must stop.
fn each_of_size(
    s: &mut Session<'_>,
    space: &FaultSpace,
    items: &[Fault],
    from: usize,
    size: usize,
    chosen: &mut Vec<Fault>,
) -> Result<bool, RunError> {
    if chosen.len() == size {
        let set: FaultSet = chosen.iter().cloned().collect();
        return Ok(match s.execute(set)? {
            Step::Good(_) | Step::Continue(_) => true,
            Step::Stop | Step::Budget => false,
        });
    }
    for i in from..items.len() {
        if items.len() - i < size - chosen.len() {
            break;
        }
        if !fits(space, s.report.restarts.budget, chosen, &items[i]) {
            continue;
        }
        chosen.push(items[i].clone());
        let go_on = each_of_size(s, space, items, i + 1, size, chosen)?;
        chosen.pop();
        if !go_on {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `chosen` plus `next` stays in the fault model: one crash tick
/// and one restart tick per node, at most `crashes` crashing and `restarts`
/// restarting nodes, no node both crashing and restarting.
fn fits(space: &FaultSpace, restarts: u32, chosen: &[Fault], next: &Fault) -> bool {
    let (crashing, restarting): (Vec<&String>, Vec<&String>) = {
        let mut c = Vec::new();
        let mut r = Vec::new();
        for f in chosen {
            match f {
                Fault::Crash { node, .. } => c.push(node),
                Fault::Restart { node, .. } => r.push(node),
                _ => {}
            }
        }
        (c, r)
    };
    match next {
        Fault::Crash { node, .. } => {
            !crashing.contains(&node)
                && !restarting.contains(&node)
                && crashing.len() < space.crashes as usize
        }
        Fault::Restart { node, .. } => {
            !restarting.contains(&node)
                && !crashing.contains(&node)
                && restarting.len() < restarts as usize
        }
        _ => true,
    }
}
