//! The exhaustive strategy: every fault set of the space, smallest first.
//! Only where the space is small enough; refused otherwise.

use super::{Session, Step};
use crate::error::RunError;
use ldfi_lineage::{Fault, FaultSet, FaultSpace};

pub(crate) fn search(s: &mut Session<'_>, space: &FaultSpace) -> Result<(), RunError> {
    let candidates = match s.limits.max_faults {
        Some(max) => space.candidate_sets_at_most(max),
        None => space.candidate_sets(),
    };
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
        if let Fault::Crash { node, .. } = &items[i] {
            let crashing: Vec<&String> = chosen
                .iter()
                .filter_map(|f| match f {
                    Fault::Crash { node, .. } => Some(node),
                    _ => None,
                })
                .collect();
            if crashing.contains(&node) || crashing.len() >= space.crashes as usize {
                continue;
            }
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
