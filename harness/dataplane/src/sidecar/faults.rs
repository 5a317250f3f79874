//! Faults: the schedule's message faults applied by message identity, with
//! the simulator's own rule ([`Wire::route`]).

use crate::envelope::id;
use crate::proto::Envelope;
use ldfi_harness::remote::Wire;
use ldfi_lineage::{Loss, NodeIdx};

/// The copies of `env` to hold for delivery (each with its tick and copy
/// number set), or why it is lost.
pub fn apply(wire: &Wire, env: &Envelope) -> Result<Vec<Envelope>, Loss> {
    let m = id(env);
    let route = wire.route(m.from, env.to as NodeIdx, m.sent);
    let copies = route
        .arrivals
        .iter()
        .map(|&(at, copy)| Envelope {
            at,
            copy: copy as u32,
            ..env.clone()
        })
        .collect();
    match route.lost {
        Some(loss) => Err(loss),
        None => Ok(copies),
    }
}
