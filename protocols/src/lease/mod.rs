//! lease-election: primary election with leases (Gray and Cheriton,
//! *Leases*, SOSP 1989; the leader leases of Chubby and Raft), whose
//! guarantee is that something does *not* happen: two nodes serving at
//! the same tick.
//!
//! Nodes `n1`, `n2`, `n3`, each both a *voter* and a possible *candidate*.
//! A candidate campaigns with a ballot `(epoch, name)` (ordered by epoch,
//! then name) and asks every node for a lease of [`LEASE`] ticks
//! (`Request`, stamped with the tick it was sent). A voter grants the
//! highest ballot it has seen (`Grant`), refusing lower ones (`Refuse`),
//! and promises nothing to anyone else for `LEASE` ticks from its grant —
//! unless a *higher* ballot asks, which it grants, reporting in the grant
//! `prior_end`: the end of every lease it granted to a lower ballot. A
//! candidate with grants from a majority (itself included) for a request
//! sent at `r` holds the lease until `r + LEASE` (measured from its own
//! send, so it ends before any voter's promise), serves at every tick
//! while it holds it (the fact `serving(n, t)`), and renews every
//! [`RENEW_EVERY`] ticks. `n1` campaigns at tick 1; `n2` and `n3` campaign
//! when they have heard no request for a while ([`election_timeout`]).
//! A candidate that meets a higher ballot steps down, but its lease runs on.
//!
//! **The bug (`v1`).** A new primary serves as soon as a majority granted
//! it, although a voter that granted it may have granted the old primary a
//! lease that still runs: `{omit(n1, n2, 1)}` — `n2` never hears of `n1`,
//! campaigns at tick 2, `n3` (whose lease to `n1` runs until 6) and `n1`
//! grant it at 3, and `n2` serves at 4, while `n1`'s lease runs until 5. **The fix (`v2`).** The new
//! primary waits out the old lease: it serves only from the largest
//! `prior_end` in its grants on. Any two majorities share a voter, and
//! that voter either granted the old lease first (so its `prior_end`
//! covers it) or the higher ballot first (so it refused the old one).
//!
//! **Invariant** ([`invariants::one_primary`]): at every tick `1..=EOT`,
//! not (two nodes serve) — a [`Prop::Not`](ldfi_harness::Prop::Not) over
//! every pair of `serving` facts, including ticks where nobody served.
//!
//! **Default bounds** ([`PARAMS`]): `EOT = 10`, `EFF = 4`, `crashes = 1`.
//! Omissions at ticks 1–3 reach `n1`'s campaign (1), its grants and a
//! rival's campaign (2; `n2`'s first timer), the rival's grants and the
//! first renewal (3); a crash may come at any tick. EOT 10 leaves a rival
//! elected after the last fault the time to wait out a lease of 4 and
//! serve. At `EOT = 12, EFF = 5` the search had not finished after 4,000
//! executions (a node's not serving rests on everything it received, so
//! nearly every fault set is a candidate), against 2,600 here. Exhaustive search is feasible only at reduced
//! bounds (3 nodes: `6·(EFF−1)` candidate omissions): `EFF = 2,
//! crashes = 1` and `EFF = 3, crashes = 0` at `EOT = 8`, where `v1`'s bug
//! still shows, and `EFF = 5, crashes = 1` with `n3` exempt (the tests).
//!
//! **Lineage declarations.** A voter's `Grant` or `Refuse` is caused by
//! the `Request` alone (`because([])`); a candidate's `granted` fact by
//! the `Grant` alone. Campaigns, renewals, stepping down and `serving`
//! declare nothing (happens-before: everything the node saw). No guards.

pub mod invariants;
pub mod node;

use ldfi_harness::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup, Tick};
use serde::{Deserialize, Serialize};

/// The protocol's name.
pub const NAME: &str = "lease-election";
/// The nodes, in order; `n1` campaigns first.
pub const NODES: [&str; 3] = ["n1", "n2", "n3"];
/// Grants needed for a lease (itself included).
pub const MAJORITY: usize = 2;
/// How long a lease lasts, in ticks.
pub const LEASE: Tick = 4;
/// A candidate renews its lease every this many ticks.
pub const RENEW_EVERY: Tick = 2;
/// Default search bounds (see the module documentation).
pub const PARAMS: Params = Params {
    eot: 10,
    eff: 4,
    crashes: 1,
};

/// Ticks a node that is not campaigning waits for a request before it
/// campaigns: `2 + rank` (`n2` 3, `n3` 4), staggered so that the two rarely
/// campaign at once, and longer than [`RENEW_EVERY`] so that a renewing
/// primary keeps them quiet. At tick 1 the wait is `rank`: `n2` campaigns
/// at tick 2 unless `n1`'s first request has arrived by then.
pub fn election_timeout(rank: Tick) -> Tick {
    2 + rank
}

/// A ballot: ordered by epoch, then by the candidate's name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ballot {
    /// The epoch.
    pub epoch: u32,
    /// The candidate.
    pub node: String,
}

/// Messages of lease-election.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    /// Candidate → voter: grant me a lease (sent at tick `sent`).
    Request {
        /// The candidate's ballot.
        ballot: Ballot,
        /// The tick the request was sent.
        sent: Tick,
    },
    /// Voter → candidate: granted, for the request sent at `sent`.
    Grant {
        /// The ballot granted.
        ballot: Ballot,
        /// The tick the request was sent.
        sent: Tick,
        /// The end of every lease this voter granted to a lower ballot.
        prior_end: Tick,
    },
    /// Voter → candidate: refused; the voter has promised `promised`.
    Refuse {
        /// The higher ballot the voter granted.
        promised: Ballot,
    },
}

/// The two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// A new primary serves at once (the bug).
    V1,
    /// A new primary waits out every lease its voters granted before (the fix).
    V2,
}

impl Version {
    /// Both versions, oldest first.
    pub const ALL: [Version; 2] = [Version::V1, Version::V2];

    /// `v1` or `v2`.
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2 => "v2",
        }
    }

    /// The version called `name`.
    pub fn parse(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// The lease-election protocol; the version is chosen per run.
#[derive(Clone, Copy, Debug, Default)]
pub struct LeaseElection;

impl Protocol for LeaseElection {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: NAME.into(),
            summary: "lease-based primary election, v1 (serves at once) and v2 (waits out leases)"
                .into(),
            versions: Version::ALL.iter().map(|v| v.name().into()).collect(),
            default_version: Version::V2.name().into(),
            workloads: vec!["elect".into()],
            default_workload: "elect".into(),
            nodes: NODES.iter().map(|n| n.to_string()).collect(),
            exempt: vec![],
            params: PARAMS,
        }
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let version = Version::parse(&setup.version)
            .unwrap_or_else(|| panic!("lease-election has no version `{}`", setup.version));
        let wait_out = version == Version::V2;
        (0..setup.nodes.len())
            .map(|rank| -> Box<dyn Node<Msg>> {
                Box::new(node::LeaseNode::new(rank as Tick, wait_out))
            })
            .collect()
    }

    /// None: `n1` campaigns on its own at tick 1.
    fn inputs(&self, _setup: &Setup) -> Vec<Input<Msg>> {
        Vec::new()
    }

    fn invariants(&self, setup: &Setup) -> Vec<Invariant> {
        vec![invariants::one_primary(setup.params.eot)]
    }
}
