//! The random strategy: the fault-free run, then fault sets drawn
//! uniformly from the space (each omission with probability ½; `crashes`
//! distinct nodes, each crashing at a uniform tick in `1..=EOT+1`, where
//! `EOT+1` means it does not crash) — Molly's random baseline. With
//! `max_faults`, a draw with more faults keeps a uniformly chosen subset
//! of that many (so the draws are no longer uniform over the space).

use super::{Conclusion, Session, Step};
use crate::error::RunError;
use ldfi_lineage::{Fault, FaultSet, FaultSpace, RestartSpace};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Runs drawn when no `--max-runs` is given.
const DEFAULT_BUDGET: u64 = 100_000;

pub(crate) fn search(s: &mut Session<'_>, space: &FaultSpace) -> Result<(), RunError> {
    let mut rng = ChaCha8Rng::seed_from_u64(s.cfg.seed ^ 0x5eed_0f7a_9d0a);
    let omissions = space.omissions();
    let nodes: Vec<String> = space.faulty_nodes().cloned().collect();
    let budget = s.cfg.max_runs.unwrap_or(DEFAULT_BUDGET);
    let mut faults = FaultSet::new();
    loop {
        if s.report.executions >= budget {
            s.report.conclusion = Conclusion::BudgetExhausted;
            return Ok(());
        }
        match s.execute(faults)? {
            Step::Good(_) | Step::Continue(_) => {}
            Step::Stop | Step::Budget => return Ok(()),
        }
        faults = draw(&mut rng, space, &omissions, &nodes);
        if s.report.restarts.budget > 0 {
            faults = draw_restarts(&mut rng, space, &s.report.restarts, faults);
        }
        if let Some(max) = s.limits.max_faults {
            faults = keep_at_most(&mut rng, faults, max);
        }
    }
}

/// `faults` with up to `restarts.budget` restarts added: distinct
/// restartable nodes that do not crash in `faults`, each restarting at a
/// uniform tick in `2..=EOT+1` (`EOT+1`: it does not).
fn draw_restarts(
    rng: &mut ChaCha8Rng,
    space: &FaultSpace,
    restarts: &RestartSpace,
    faults: FaultSet,
) -> FaultSet {
    let crashing: Vec<&String> = faults
        .faults()
        .iter()
        .filter_map(|f| match f {
            Fault::Crash { node, .. } => Some(node),
            _ => None,
        })
        .collect();
    let mut pick: Vec<String> = restarts
        .restartable(space)
        .into_iter()
        .filter(|n| !crashing.contains(&n))
        .collect();
    pick.shuffle(rng);
    let mut set: Vec<Fault> = faults.faults().to_vec();
    for node in pick.into_iter().take(restarts.budget as usize) {
        let at = rng.random_range(2..=space.eot + 1);
        if at <= space.eot {
            set.push(Fault::Restart { node, at });
        }
    }
    set.into_iter().collect()
}

/// One uniform draw from the space.
pub(crate) fn draw(
    rng: &mut ChaCha8Rng,
    space: &FaultSpace,
    omissions: &[Fault],
    nodes: &[String],
) -> FaultSet {
    let mut set: Vec<Fault> = omissions
        .iter()
        .filter(|_| rng.random_bool(0.5))
        .cloned()
        .collect();
    let mut pick = nodes.to_vec();
    pick.shuffle(rng);
    for node in pick.into_iter().take(space.crashes as usize) {
        let at = rng.random_range(1..=space.eot + 1);
        if at <= space.eot {
            set.push(Fault::Crash { node, at });
        }
    }
    set.into_iter().collect()
}

/// `set`, or a uniformly chosen subset of `max` of its faults.
fn keep_at_most(rng: &mut ChaCha8Rng, set: FaultSet, max: usize) -> FaultSet {
    if set.len() <= max {
        return set;
    }
    let mut all: Vec<Fault> = set.faults().to_vec();
    all.shuffle(rng);
    all.truncate(max);
    all.into_iter().collect()
}
