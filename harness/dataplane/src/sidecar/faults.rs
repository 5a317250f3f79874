//! Faults: the schedule's message faults applied by message identity, with
//! the simulator's own rule ([`Wire::route`]), and faults by channel
//! identity (the k-th envelope on a channel, [`crate::identity`]) applied
//! with the same rule ([`Wire::deliver`]).

use crate::envelope::id;
use crate::identity::{ChannelFaults, Combined};
use crate::proto::{Envelope, FaultHit};
use ldfi_harness::remote::Wire;
use ldfi_lineage::{Loss, NodeIdx};

/// The copies of `env` to hold for delivery (each with its tick and copy
/// number set, and `channel_seq` to `k`: its k on its channel as this
/// sidecar counted it), or why it is lost; and the channel faults that hit
/// it.
pub fn apply(
    wire: &Wire,
    channel: &ChannelFaults,
    env: &Envelope,
    k: u64,
) -> (Result<Vec<Envelope>, Loss>, Vec<FaultHit>) {
    let m = id(env);
    let to = env.to as NodeIdx;
    let (route, hits) = match channel.on(m.from, to, k) {
        None => (wire.route(m.from, to, m.sent), Vec::new()),
        Some((faults, combined)) => {
            let hits = (faults.into_iter())
                .map(|fault| FaultHit {
                    fault: fault as u32,
                    from: env.from,
                    to: env.to,
                    k,
                    sent: env.sent,
                    seq: env.seq,
                })
                .collect();
            let route = match combined {
                Combined::Omitted => return (Err(Loss::Omitted), hits),
                Combined::Deliver { extra, copies } => wire.deliver(m.sent, extra, copies),
            };
            (route, hits)
        }
    };
    let copies = route
        .arrivals
        .iter()
        .map(|&(at, copy)| Envelope {
            at,
            copy: copy as u32,
            channel_seq: k,
            ..env.clone()
        })
        .collect();
    let fate = match route.lost {
        Some(loss) => Err(loss),
        None => Ok(copies),
    };
    (fate, hits)
}
