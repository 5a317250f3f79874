//! es-replication: Elasticsearch-style primary/backup replication, as it
//! grew — five versions, each one change (see [`version`]), two of them
//! broken. The headline protocol of ldfi; spec in
//! `shared/protocols/es-replication.md`.
//!
//! Nodes: `C` (client), `n1`, `n2`, `n3` (copies of one shard; `n1` starts
//! as primary, all in-sync), `M` (master, an oracle for a consensus group,
//! told of crashes by a perfect failure detector, [`EsReplication::crash_notice`]).
//!
//! **Exempt nodes**: `M` (the spec's oracle) and `C`. A fault at the client
//! only removes a write (a lost `Write`, a crashed `C`) or an
//! acknowledgement (a lost `Ack`); either makes the invariants weaker,
//! never a copy's state worse, so exempting `C` loses no counterexample and
//! keeps the fault space to the three copies.
//!
//! **Default parameters** ([`PARAMS`]): `EOT = 14`, `EFF = 5`,
//! `crashes = 1`. Omissions are possible at ticks 1–4: the first write's
//! `Replicate`s (tick 2), the second concurrent write's (tick 3), the
//! replica acks (3, 4) and a resync after an early failover (tick 4). The
//! latest event that can still matter is an ack timeout of the tick-7
//! write (replicated at 8, failed at 11, announced at 12, acked at 13),
//! so by EOT 14 every run has settled.
//!
//! **Lineage.** Every handler declares why it acts (`because`), and the
//! declarations are tested against happens-before lineage (same search
//! conclusions): a replica stores an op because of the `Replicate` or
//! `ResyncOp` carrying it (`op`), drops one because it held it and a
//! message replaced or rolled it back (`dropped`), and acks because of
//! what it now holds; the primary creates an op from the queued write and
//! its `primary` fact, replicates and fails copies because of that op, and
//! acks the client because of the op, its view and every replica's ack;
//! `M` derives `failed`/`crash_seen` from the message or notice and
//! announces because of every removal and promotion so far. At EOT each
//! copy derives `stored` (per op) and `history` (its whole history, resting
//! on every op it holds and every op it dropped): what the invariants read.
//!
//! Modules: [`version`] (versions and their features), [`msg`] (messages,
//! digest), [`facts`], [`history`] (a copy's history and the per-version
//! rules), [`client`], [`copy`] (a copy and its replica side), [`primary`]
//! (the primary's duties), [`resync`], [`master`], [`workload`],
//! [`invariants`].

pub mod client;
pub mod copy;
pub mod facts;
pub mod history;
pub mod invariants;
pub mod master;
pub mod msg;
pub mod primary;
pub mod resync;
pub mod version;
pub mod workload;

pub use msg::Msg;
pub use resync::resync_messages;
pub use version::{Features, Version};

use ldfi_harness::ldfi_enforce;
use ldfi_harness::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup, Tick};

/// The client's name.
pub const CLIENT: &str = "C";
/// The master's name.
pub const MASTER: &str = "M";
/// The copies, in id order (`M` promotes the highest live in-sync one).
pub const COPIES: [&str; 3] = ["n1", "n2", "n3"];
/// The copy that starts as primary.
pub const FIRST_PRIMARY: &str = "n1";
/// Ticks a primary waits for a copy's acknowledgement before asking `M` to fail it.
pub const ACK_TIMEOUT: Tick = 3;
/// The protocol's name.
pub const NAME: &str = "es-replication";
/// Default search bounds (see the module documentation).
pub const PARAMS: Params = Params {
    eot: 14,
    eff: 5,
    crashes: 1,
};

/// The enforcement predicates (see [`msg`] for the fields they read).
pub const ENFORCEMENT_SPEC: &str = include_str!("../../specs/es-replication.spec");

/// The es-replication family; the version is chosen per run.
#[derive(Clone, Copy, Debug, Default)]
pub struct EsReplication;

fn version_of(setup: &Setup) -> Version {
    Version::parse(&setup.version)
        .unwrap_or_else(|| panic!("es-replication has no version `{}`", setup.version))
}

impl Protocol for EsReplication {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        let names = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        ProtocolInfo {
            name: NAME.into(),
            summary: "Elasticsearch primary/backup replication, v1 (base) to v5 (checkpoints)"
                .into(),
            versions: Version::ALL.iter().map(|v| v.name().to_string()).collect(),
            default_version: Version::NEWEST.name().into(),
            workloads: names(&workload::WORKLOADS),
            default_workload: workload::FAILOVER_THEN_WRITE.into(),
            nodes: names(&[CLIENT, COPIES[0], COPIES[1], COPIES[2], MASTER]),
            exempt: names(&[CLIENT, MASTER]),
            params: PARAMS,
        }
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let features = version_of(setup).features();
        let eot = setup.params.eot;
        setup
            .nodes
            .iter()
            .map(|name| -> Box<dyn Node<Msg>> {
                match name.as_str() {
                    CLIENT => Box::new(client::Client::new(name)),
                    MASTER => Box::new(master::Master::new(features)),
                    _ => Box::new(copy::CopyNode::new(name, features, eot)),
                }
            })
            .collect()
    }

    fn inputs(&self, setup: &Setup) -> Vec<Input<Msg>> {
        workload::inputs(&setup.workload)
    }

    fn invariants(&self, _setup: &Setup) -> Vec<Invariant> {
        invariants::invariants()
    }

    /// The message-level predicates of `protocols/specs/es-replication.spec`.
    fn enforcement(
        &self,
        _setup: &Setup,
    ) -> Result<Option<ldfi_enforce::Spec>, ldfi_enforce::SpecError> {
        ldfi_enforce::Spec::parse("es-replication.spec", ENFORCEMENT_SPEC).map(Some)
    }

    /// None: the model keeps in memory what Elasticsearch keeps on disk
    /// (each copy's operations, its translog), so a restarted copy would
    /// come back empty — a loss Elasticsearch does not have.
    fn restartable(&self) -> Vec<String> {
        Vec::new()
    }

    /// The perfect failure detector: `M` learns of a copy's crash at the next tick.
    fn crash_notice(&self, _setup: &Setup, crashed: &str) -> Vec<(String, Msg)> {
        if !COPIES.contains(&crashed) {
            return Vec::new();
        }
        vec![(
            MASTER.into(),
            Msg::NodeCrashed {
                node: crashed.into(),
            },
        )]
    }
}
