//! atomic-commit: two-phase commit with timeouts (Gray 1978; Bernstein,
//! Hadzilacos and Goodman, *Concurrency Control and Recovery in Database
//! Systems*, 1987, ch. 7), whose guarantee is that something does *not*
//! happen: no node commits while another aborts.
//!
//! Nodes: `c` (coordinator), `p1`, `p2` (participants). At tick 1 the
//! environment gives `c` a transaction (`Begin`):
//! 1. `c` sends `Prepare` (the vote request) to every participant and sets
//!    its vote timer ([`VOTE_TIMEOUT`]).
//! 2. A participant votes (`vote(p, yes|no)`). A *no* voter aborts on the
//!    spot; a *yes* voter is uncertain and sets its decision timer
//!    ([`DECISION_TIMEOUT`]).
//! 3. `c` decides: commit once every vote arrived and is *yes*, abort on a
//!    *no* vote or when its vote timer fires undecided. It forces the
//!    decision to its log (the fact `commit(c)` or `abort(c)`) and sends
//!    it at the next tick ([`coordinator`]): a crash in between leaves a
//!    decided coordinator that told nobody.
//! 4. A participant adopts the decision it receives (`commit(p)`/`abort(p)`).
//!
//! **The bug (`v1`).** A participant that voted *yes* and hears no decision
//! before its timer fires aborts unilaterally, as if it had not voted. If
//! `c` had decided to commit, the outcome is split: `{crash(c, 4)}` (decided
//! at 3, crashed before sending) or `{omit(c, p1, 4)}` (the decision lost).
//! **The fix (`v2`).** A *yes* voter never decides on its own: on timeout
//! it asks `c` (`Query`) and waits again — 2PC's blocking, the price of
//! atomicity. In both versions `c` aborts on its vote timer only if it has
//! not decided, and answers a query only once decided.
//!
//! **Invariants** ([`invariants`]): `agreement` — not (some node committed
//! and some node aborted), a [`Prop::Not`](ldfi_harness::Prop::Not) over
//! facts of every node; `validity` — no node committed unless every
//! participant voted *yes*. Neither has a precondition: a precondition
//! made true by a timeout would be pruned by the search's vacuity rule.
//!
//! **Workloads.** `all-yes` (default) and `p2-votes-no`.
//!
//! **Default bounds** ([`PARAMS`]): `EOT = 12`, `EFF = 7`, `crashes = 1`.
//! The decision is sent at tick 4 and a waiting participant's queries at
//! 6 and 10 (answered at 7 and 11), so omissions at ticks 1–6 reach every
//! message of the vote and decision rounds and the first query, and by
//! EOT 12 the second query has been answered: a participant that lost the
//! decision and its first query still learns it. Exhaustive search is
//! feasible only at reduced bounds (3 nodes: `6·(EFF−1)` candidate
//! omissions): `EFF = 2, crashes = 1` and `EFF = 3, crashes = 0` at
//! `EOT = 8`, and `EFF = 5, crashes = 1` with `p2` exempt, which reaches
//! the decision's omission (the tests compare ldfi with exhaustive at
//! each). At `EFF = 3, crashes = 0` `v1` has no counterexample: lost votes
//! or vote requests only make `c` abort.
//!
//! **Lineage declarations.** `c`: `Prepare` because of `Begin` alone;
//! `got_vote(c, p, v)` because of the `Vote`; the commit decision because
//! of every *yes* `got_vote`, with `guard(abort(c))` (it did not abort
//! because those votes arrived before its timer); an abort on a *no* vote
//! because of that vote, with `guard(commit(c))`; sending a decision
//! (to all, or in answer to a `Query`) because of the decision fact.
//! Participants: `vote` because of `Prepare`; a *no* voter's abort because
//! of its vote; adopting a decision because of the `Decision` message.
//! The vote-timeout abort and `v1`'s unilateral abort declare nothing
//! (happens-before: everything the node saw).

pub mod coordinator;
pub mod invariants;
pub mod participant;

use ldfi_harness::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup, Tick};
use serde::{Deserialize, Serialize};

/// The protocol's name.
pub const NAME: &str = "atomic-commit";
/// The coordinator's name.
pub const COORDINATOR: &str = "c";
/// The participants, in order.
pub const PARTICIPANTS: [&str; 2] = ["p1", "p2"];
/// Ticks `c` waits for votes after sending `Prepare` (votes arrive after 2).
pub const VOTE_TIMEOUT: Tick = 3;
/// Ticks a *yes* voter waits for the decision (it arrives after 3).
pub const DECISION_TIMEOUT: Tick = 4;
/// Every participant votes *yes* (the default workload).
pub const ALL_YES: &str = "all-yes";
/// `p2` votes *no*.
pub const P2_VOTES_NO: &str = "p2-votes-no";
/// Default search bounds (see the module documentation).
pub const PARAMS: Params = Params {
    eot: 12,
    eff: 7,
    crashes: 1,
};

/// Messages of atomic-commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    /// Input to `c`: run the transaction.
    Begin,
    /// `c` → participant: vote.
    Prepare,
    /// Participant → `c`: its vote.
    Vote {
        /// Whether it votes to commit.
        yes: bool,
    },
    /// `c` → participant: the decision.
    Decision {
        /// Commit (true) or abort.
        commit: bool,
    },
    /// Participant → `c` (`v2`): what did you decide?
    Query,
}

/// The two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// A *yes* voter aborts unilaterally on its decision timeout (the bug).
    V1,
    /// A *yes* voter asks `c` on timeout and never decides alone (the fix).
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

/// The atomic-commit protocol; the version is chosen per run.
#[derive(Clone, Copy, Debug, Default)]
pub struct AtomicCommit;

impl Protocol for AtomicCommit {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        let mut nodes = vec![COORDINATOR.to_string()];
        nodes.extend(PARTICIPANTS.iter().map(|p| p.to_string()));
        ProtocolInfo {
            name: NAME.into(),
            summary: "two-phase commit with timeouts, v1 (unilateral abort) and v2 (blocking)"
                .into(),
            versions: Version::ALL.iter().map(|v| v.name().into()).collect(),
            default_version: Version::V2.name().into(),
            workloads: vec![ALL_YES.into(), P2_VOTES_NO.into()],
            default_workload: ALL_YES.into(),
            nodes,
            exempt: vec![],
            params: PARAMS,
        }
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let version = Version::parse(&setup.version)
            .unwrap_or_else(|| panic!("atomic-commit has no version `{}`", setup.version));
        setup
            .nodes
            .iter()
            .map(|name| -> Box<dyn Node<Msg>> {
                if name == COORDINATOR {
                    Box::new(coordinator::Coordinator::default())
                } else {
                    let yes = !(setup.workload == P2_VOTES_NO && name == "p2");
                    Box::new(participant::Participant::new(yes, version))
                }
            })
            .collect()
    }

    fn inputs(&self, _setup: &Setup) -> Vec<Input<Msg>> {
        vec![Input {
            at: 1,
            node: COORDINATOR.into(),
            msg: Msg::Begin,
        }]
    }

    fn invariants(&self, _setup: &Setup) -> Vec<Invariant> {
        invariants::invariants()
    }
}
