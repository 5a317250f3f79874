//! The wire's holding pen: envelopes that arrived for the node, held
//! until their delivery tick, handed over in delivery order.

use crate::envelope::id;
use crate::proto::Envelope;
use ldfi_lineage::{MsgId, Tick};
use std::collections::BTreeMap;

/// Envelopes by (delivery tick, identity, copy): the simulator's inbox order.
#[derive(Debug, Default)]
pub struct Inbox {
    held: BTreeMap<(Tick, MsgId, u32), Envelope>,
}

impl Inbox {
    /// Holds `env` (its `at` and `copy` set) until its tick.
    pub fn hold(&mut self, env: Envelope) {
        self.held.insert((env.at, id(&env), env.copy), env);
    }

    /// Takes every envelope due by tick `t`, in delivery order.
    pub fn due(&mut self, t: Tick) -> Vec<Envelope> {
        let later = match t.checked_add(1) {
            Some(next) => self.held.split_off(&(
                next,
                MsgId {
                    from: 0,
                    sent: 0,
                    seq: 0,
                },
                0,
            )),
            None => BTreeMap::new(),
        };
        std::mem::replace(&mut self.held, later)
            .into_values()
            .collect()
    }

    /// Envelopes held.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(from: u32, sent: u32, seq: u32, at: u32) -> Envelope {
        Envelope {
            from,
            sent,
            seq,
            at,
            ..Envelope::default()
        }
    }

    #[test]
    fn hands_over_what_is_due_in_delivery_order() {
        let mut inbox = Inbox::default();
        inbox.hold(env(2, 1, 0, 2));
        inbox.hold(env(0, 1, 1, 2));
        inbox.hold(env(0, 1, 0, 4));
        inbox.hold(env(1, 1, 0, 2));
        let due: Vec<_> = inbox.due(3).iter().map(|e| (e.from, e.seq)).collect();
        assert_eq!(due, vec![(0, 1), (1, 0), (2, 0)]);
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox.due(4).len(), 1);
        assert!(inbox.is_empty());
    }
}
