//! A fault set checked against the bounds and compiled for fast lookup
//! during a run.

use crate::error::FaultError;
use ldfi_lineage::{Fault, FaultSet, FaultSpace, Loss, NodeIdx, Tick};
use std::collections::{BTreeMap, BTreeSet};

/// What the message layer does with one send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Lost by an `omit`.
    Omitted,
    /// Lost by a `partition`.
    Partitioned,
    /// Delivered `extra` ticks late, `copies` times (1, or 2 if duplicated).
    Deliver { extra: Tick, copies: u8 },
}

/// Where one send goes: its arrivals `(delivery tick, copy)` within EOT,
/// and why it is lost, if it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    /// Delivery ticks and copy numbers, each at most EOT.
    pub arrivals: Vec<(Tick, u8)>,
    /// Why the message is lost (also `AfterEot` when it arrives too late).
    pub lost: Option<Loss>,
}

/// The compiled schedule.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    omit: BTreeSet<(NodeIdx, NodeIdx, Tick)>,
    pub(crate) crash: BTreeMap<NodeIdx, Tick>,
    delay: BTreeMap<(NodeIdx, NodeIdx, Tick), Tick>,
    duplicate: BTreeSet<(NodeIdx, NodeIdx, Tick)>,
    partitions: Vec<(Vec<NodeIdx>, Vec<NodeIdx>, Tick, Tick)>,
    pub(crate) restart: BTreeSet<(NodeIdx, Tick)>,
}

impl Plan {
    /// Checks `faults` against `space` and compiles them. Every rule a fault
    /// can break has its own error naming the fault and the rule.
    pub(crate) fn new(space: &FaultSpace, faults: &FaultSet) -> Result<Plan, FaultError> {
        let mut plan = Plan::default();
        for f in faults.faults() {
            plan.add(space, f)?;
        }
        if plan.crash.len() > space.crashes as usize {
            return Err(FaultError::TooManyCrashes {
                crashing: plan.crash.len(),
                allowed: space.crashes,
            });
        }
        Ok(plan)
    }

    fn add(&mut self, space: &FaultSpace, f: &Fault) -> Result<(), FaultError> {
        let node = |name: &str| -> Result<NodeIdx, FaultError> {
            let i = space.nodes.iter().position(|n| n == name);
            i.map(|i| i as NodeIdx)
                .ok_or_else(|| FaultError::UnknownNode {
                    fault: f.to_string(),
                    node: name.to_string(),
                    known: space.nodes.join(", "),
                })
        };
        let faulty = |name: &str| -> Result<NodeIdx, FaultError> {
            let i = node(name)?;
            if space.exempt.iter().any(|e| e == name) {
                return Err(FaultError::Exempt {
                    fault: f.to_string(),
                    node: name.to_string(),
                });
            }
            Ok(i)
        };
        let tick = |t: Tick| -> Result<Tick, FaultError> {
            if t == 0 || t > space.eot {
                return Err(FaultError::TickOutOfRange {
                    fault: f.to_string(),
                    tick: t,
                    eot: space.eot,
                });
            }
            Ok(t)
        };
        crate::schedule_check::check_fault(f).map_err(|(_, _, message)| FaultError::Invalid {
            fault: f.to_string(),
            message,
        })?;
        match f {
            Fault::Omit { from, to, at } => {
                let (a, b) = (faulty(from)?, faulty(to)?);
                tick(*at)?;
                if *at >= space.eff {
                    return Err(FaultError::OmitAtOrAfterEff {
                        fault: f.to_string(),
                        eff: space.eff,
                    });
                }
                self.omit.insert((a, b, *at));
            }
            Fault::Crash { node: n, at } => {
                let i = faulty(n)?;
                tick(*at)?;
                if self.crash.insert(i, *at).is_some() {
                    return Err(FaultError::CrashTwice { node: n.clone() });
                }
            }
            Fault::Delay {
                from,
                to,
                at,
                ticks,
            } => {
                let key = (node(from)?, node(to)?, tick(*at)?);
                self.delay.insert(key, *ticks);
            }
            Fault::Duplicate { from, to, at } => {
                let key = (node(from)?, node(to)?, tick(*at)?);
                self.duplicate.insert(key);
            }
            Fault::Partition { a, b, from, until } => {
                let a = a.iter().map(|n| node(n)).collect::<Result<Vec<_>, _>>()?;
                let b = b.iter().map(|n| node(n)).collect::<Result<Vec<_>, _>>()?;
                tick(*from)?;
                if until <= from {
                    return Err(FaultError::EmptyPartition {
                        fault: f.to_string(),
                    });
                }
                self.partitions.push((a, b, *from, *until));
            }
            Fault::Restart { node: n, at } => {
                let i = faulty(n)?;
                self.restart.insert((i, tick(*at)?));
            }
        }
        Ok(())
    }

    /// What happens to what `from` sends `to` at tick `t`.
    pub(crate) fn fate(&self, from: NodeIdx, to: NodeIdx, t: Tick) -> Fate {
        if self.omit.contains(&(from, to, t)) {
            return Fate::Omitted;
        }
        let cut = self.partitions.iter().any(|(a, b, s, u)| {
            let across =
                (a.contains(&from) && b.contains(&to)) || (b.contains(&from) && a.contains(&to));
            across && *s <= t && t < *u
        });
        if cut {
            return Fate::Partitioned;
        }
        Fate::Deliver {
            extra: self.delay.get(&(from, to, t)).copied().unwrap_or(0),
            copies: if self.duplicate.contains(&(from, to, t)) {
                2
            } else {
                1
            },
        }
    }

    /// Where what `from` sends `to` at tick `t` goes, for a run ending at
    /// `eot`: the one rule the simulator's message layer and the dataplane's
    /// sidecar both apply. A sender that is down (molly semantics) loses it.
    pub(crate) fn route(
        &self,
        from: NodeIdx,
        to: NodeIdx,
        t: Tick,
        eot: Tick,
        sender_down: bool,
    ) -> Route {
        let lost = |reason| Route {
            arrivals: Vec::new(),
            lost: Some(reason),
        };
        match self.fate(from, to, t) {
            _ if sender_down => lost(Loss::SenderDown),
            Fate::Omitted => lost(Loss::Omitted),
            Fate::Partitioned => lost(Loss::Partitioned),
            Fate::Deliver { extra, copies } => deliver(t, extra, copies, eot),
        }
    }
}

/// Where a message sent at tick `t` that is not lost goes, `extra` ticks
/// late, in `copies` copies, for a run ending at `eot`: at `t + 1 + extra`
/// (copy `c` a tick after copy `c − 1`), each within EOT, or lost
/// `AfterEot`.
pub(crate) fn deliver(t: Tick, extra: Tick, copies: u8, eot: Tick) -> Route {
    // Saturating: a delay past EOT means "never arrives".
    let at = t.saturating_add(1).saturating_add(extra);
    let arrivals = (0..copies)
        .map(|c| (at.saturating_add(c as Tick), c))
        .filter(|(when, _)| *when <= eot)
        .collect();
    Route {
        arrivals,
        lost: (at > eot).then_some(Loss::AfterEot),
    }
}
