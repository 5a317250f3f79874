//! A lease-election node: a voter that grants leases, and a candidate that
//! campaigns, renews and serves while it holds a lease.

use super::invariants::{granted, serving};
use super::{election_timeout, Ballot, Msg, LEASE, MAJORITY, RENEW_EVERY};
use ldfi_harness::{Ctx, Node, NodeId, Tick};
use std::collections::{BTreeMap, BTreeSet};

/// The timer after which a quiet node campaigns.
const ELECT: &str = "elect";
/// The timer after which a candidate renews its lease.
const RENEW: &str = "renew";

/// A node of lease-election.
#[derive(Debug)]
pub struct LeaseNode {
    /// Position in [`super::NODES`]: 0 campaigns at tick 1, the others wait longer.
    rank: Tick,
    /// `v2`: serve only once every earlier lease of its voters has ended.
    wait_out: bool,
    /// Voter: the highest ballot granted.
    promised: Option<Ballot>,
    /// Voter: the end of the lease granted to `promised`.
    lease_end: Tick,
    /// Voter: the end of every lease granted to a lower ballot.
    prior_end: Tick,
    /// The highest epoch seen.
    epoch_seen: u32,
    /// Candidate: its latest ballot (grants for it count even after it
    /// stepped down: a voter's grant is a promise whoever asks later).
    ballot: Option<Ballot>,
    /// Candidate: whether it is campaigning or renewing.
    campaigning: bool,
    /// Candidate: who granted each request of this ballot, by send tick.
    grants: BTreeMap<Tick, BTreeSet<String>>,
    /// Candidate: it holds a lease at ticks `< lease_until`.
    lease_until: Tick,
    /// Candidate: the largest `prior_end` of its grants (`v2` serves from it).
    wait_until: Tick,
}

impl LeaseNode {
    /// The node at `rank` in [`super::NODES`]; `wait_out` in `v2`.
    pub fn new(rank: Tick, wait_out: bool) -> Self {
        LeaseNode {
            rank,
            wait_out,
            promised: None,
            lease_end: 0,
            prior_end: 0,
            epoch_seen: 0,
            ballot: None,
            campaigning: false,
            grants: BTreeMap::new(),
            lease_until: 0,
            wait_until: 0,
        }
    }

    /// As a voter, grants `ballot` at `now` if it is not lower than the
    /// promised one; returns the `prior_end` to report.
    fn vote(&mut self, ballot: &Ballot, now: Tick) -> Option<Tick> {
        match &self.promised {
            Some(p) if ballot < p => return None,
            Some(p) if ballot == p => self.lease_end = self.lease_end.max(now + LEASE),
            Some(_) => {
                self.prior_end = self.prior_end.max(self.lease_end);
                self.lease_end = now + LEASE;
            }
            None => self.lease_end = now + LEASE,
        }
        self.promised = Some(ballot.clone());
        self.epoch_seen = self.epoch_seen.max(ballot.epoch);
        Some(self.prior_end)
    }

    fn campaign(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.epoch_seen += 1;
        let me = ctx.name(ctx.me()).to_string();
        self.ballot = Some(Ballot {
            epoch: self.epoch_seen,
            node: me,
        });
        self.campaigning = true;
        self.grants.clear();
        self.wait_until = 0;
        ctx.cancel_timer(ELECT);
        self.request(ctx);
    }

    /// Grants itself a lease and asks every peer for one.
    fn request(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let Some(ballot) = self.ballot.clone().filter(|_| self.campaigning) else {
            return;
        };
        let now = ctx.now();
        let prior = self
            .vote(&ballot, now)
            .expect("a candidate's own ballot is its highest");
        let me = ballot.node.clone();
        self.count_grant(ctx, &me, now, prior);
        let peers = ctx.peers();
        ctx.send_all(&peers, Msg::Request { ballot, sent: now });
        ctx.set_timer(RENEW, RENEW_EVERY);
    }

    fn count_grant(&mut self, ctx: &mut Ctx<'_, Msg>, voter: &str, sent: Tick, prior: Tick) {
        let me = ctx.name(ctx.me()).to_string();
        ctx.derive(granted(&me, voter, sent));
        self.wait_until = self.wait_until.max(prior);
        let voters = self.grants.entry(sent).or_default();
        voters.insert(voter.to_string());
        if voters.len() >= MAJORITY {
            self.lease_until = self.lease_until.max(sent + LEASE);
        }
    }

    fn step_down(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.campaigning = false;
        ctx.cancel_timer(RENEW);
        ctx.set_timer(ELECT, election_timeout(self.rank));
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, ballot: Ballot, sent: Tick) {
        if ctx.name(from) != ballot.node {
            return;
        }
        let now = ctx.now();
        ctx.because([]);
        match self.vote(&ballot, now) {
            Some(prior_end) => ctx.send(
                from,
                Msg::Grant {
                    ballot: ballot.clone(),
                    sent,
                    prior_end,
                },
            ),
            None => {
                let promised = self.promised.clone().expect("refused for a higher promise");
                ctx.send(from, Msg::Refuse { promised });
                return;
            }
        }
        if !self.campaigning {
            ctx.set_timer(ELECT, election_timeout(self.rank));
        } else if self.ballot.as_ref().is_some_and(|mine| *mine < ballot) {
            self.step_down(ctx);
        }
    }

    fn serves(&self, t: Tick) -> bool {
        t < self.lease_until && (!self.wait_out || t >= self.wait_until)
    }
}

impl Node<Msg> for LeaseNode {
    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if self.rank == 0 {
            self.campaign(ctx);
        } else {
            ctx.set_timer(ELECT, self.rank);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request { ballot, sent } => self.on_request(ctx, from, ballot, sent),
            Msg::Grant {
                ballot,
                sent,
                prior_end,
            } if self.ballot.as_ref() == Some(&ballot) => {
                let voter = ctx.name(from).to_string();
                ctx.because([]);
                self.count_grant(ctx, &voter, sent, prior_end);
            }
            Msg::Refuse { promised } => {
                self.epoch_seen = self.epoch_seen.max(promised.epoch);
                if self.campaigning && self.ballot.as_ref().is_some_and(|mine| *mine < promised) {
                    self.step_down(ctx);
                }
            }
            Msg::Grant { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, name: &str) {
        match name {
            ELECT if !self.campaigning => self.campaign(ctx),
            RENEW => self.request(ctx),
            _ => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let now = ctx.now();
        if self.serves(now) {
            let me = ctx.name(ctx.me()).to_string();
            ctx.derive(serving(&me, now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lease::NODES;

    #[test]
    fn a_voter_grants_higher_ballots_and_reports_the_lease_it_replaces() {
        let b = |epoch, node: &str| Ballot {
            epoch,
            node: node.into(),
        };
        let mut v = LeaseNode::new(2, true);
        assert_eq!(v.vote(&b(1, NODES[0]), 2), Some(0));
        assert_eq!(v.vote(&b(1, NODES[0]), 4), Some(0), "a renewal");
        assert_eq!(v.vote(&b(1, NODES[1]), 5), Some(4 + LEASE));
        assert_eq!(v.vote(&b(1, NODES[0]), 6), None, "lower than promised");
    }
}
