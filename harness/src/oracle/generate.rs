//! The generator: one seed, one protocol — a family, its knobs, whether it
//! declares lineage, and bounds small enough for the exhaustive search.

use super::families::{self, Draft};
use super::protocol::GeneratedProtocol;
use super::timeouts;
use crate::model::Params;
use ldfi_lineage::Tick;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The largest fault space a generated protocol is given: the exhaustive
/// search runs at most this many executions on it (fault-free included).
pub const SPACE_CAP: u64 = 256;

/// The number of fault sets the exhaustive strategy enumerates with
/// `faulty` nodes that may fail: every subset of the omissions, times no
/// crash or one crash of one node at one tick.
pub fn space_size(faulty: usize, params: &Params) -> u64 {
    let omissions = faulty * faulty.saturating_sub(1) * (params.eff.saturating_sub(1) as usize);
    let crash_choices = if params.crashes > 0 {
        1 + faulty as u64 * params.eot as u64
    } else {
        1
    };
    (1u64 << omissions.min(62)).saturating_mul(crash_choices)
}

/// The protocol drawn from `seed` (ChaCha8; the same seed gives the same
/// protocol). Even seeds declare lineage with `because`/`guard`, odd seeds
/// declare none.
pub fn generate(seed: u64) -> GeneratedProtocol {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0004_ac1e_5eed);
    let mut draft = match rng.random_range(0..4) {
        0 => families::broadcast(&mut rng),
        1 => families::replicate(&mut rng),
        2 => timeouts::commit(&mut rng),
        _ => timeouts::lease(&mut rng),
    };
    let params = bounds(&mut rng, &mut draft);
    let mut exempt = draft.exempt;
    exempt.sort_by_key(|n| draft.nodes.iter().position(|m| m == n));
    GeneratedProtocol {
        seed,
        family: draft.family.to_string(),
        variant: draft.variant,
        declared: seed.is_multiple_of(2),
        nodes: draft.nodes,
        exempt,
        programs: draft.programs.into_iter().map(Into::into).collect(),
        inputs: draft.inputs,
        specs: draft.specs,
        params,
    }
}

/// Draws EOT 4–7 (at least the draft's minimum), EFF 2–4 and 0–1 crashes,
/// then shrinks them — or exempts nodes from failing — until the space is
/// at most [`SPACE_CAP`].
fn bounds(rng: &mut ChaCha8Rng, draft: &mut Draft) -> Params {
    let eot: Tick = rng.random_range(draft.eot_min.max(4)..=7.max(draft.eot_min));
    let mut params = Params {
        eot,
        eff: rng.random_range(2..=4.min(eot - 1)),
        crashes: rng.random_range(0..=1),
    };
    loop {
        let faulty: Vec<String> = (draft.nodes.iter())
            .filter(|n| !draft.exempt.contains(n))
            .cloned()
            .collect();
        if space_size(faulty.len(), &params) <= SPACE_CAP {
            return params;
        }
        // Shrink one bound, chosen at random among those that can shrink,
        // so that every combination keeps appearing; exempting a node is
        // favoured, as it keeps a larger EFF (omissions after tick 1).
        let mut moves = Vec::new();
        if params.eff > 2 {
            moves.push(0);
        }
        if params.crashes > 0 {
            moves.push(1);
        }
        if faulty.len() > 2 {
            moves.extend([2, 2, 2]);
        }
        match moves[rng.random_range(0..moves.len())] {
            0 => params.eff -= 1,
            1 => params.crashes = 0,
            _ => {
                let spare = draft.spare.iter().find(|n| faulty.contains(n));
                let pick = match spare {
                    Some(n) => n.clone(),
                    None => faulty[rng.random_range(0..faulty.len())].clone(),
                };
                draft.exempt.push(pick);
            }
        }
    }
}
