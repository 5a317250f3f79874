//! web-forum: the running example of ucheck ("Verification in the Age of
//! Microservices", HotOS 2017) — a forum of three services checked by
//! enforcement predicates on the wire. Spec in
//! `shared/protocols/web-forum.md`; the predicates in
//! `protocols/specs/web-forum.spec`.
//!
//! Nodes: `frontend`, `auth`, `kv` (the services) and the clients `c1`,
//! `c2` (`c2` is idle in the default workload). No node is exempt.
//!
//! **Versions** ([`Version`]):
//!
//! | version | defect | expected |
//! |---|---|---|
//! | `correct` (default) | none | certified |
//! | `insert-before-auth` | on its `Authenticate` retry path the frontend also inserts the held posts before `auth` has answered | counterexample: `I2_only_authenticated_clients_post`, needs a lost or late `Authenticate` or answer, or a crashed `auth` |
//! | `edit-post` | an "edit post" feature that calls `kv.Modify` | counterexample: `I1_posts_immutable`, in the fault-free run |
//! | `stale-read` | `kv` acknowledges an insert before it is durable; restarted after a crash it answers `Get` from a stale copy | not modelled here: a node of this model has no durable state to survive a restart. [`Version::MODELLED`] leaves it out, so `--protocol web-forum --version stale-read` is an unknown version (exit 2); it is a version of `web-forum-grpc`, whose `kv` keeps its posts in a store |
//!
//! **Invariant** ([`checks`]): `posts-stored` — a post the client was told
//! is stored is in `kv`. It cannot see I1 or I2, which are about message
//! order; it is there so the search has something to break whose lineage
//! runs through the auth path. The enforcement spec decides I1 and I2
//! ([`WebForum::enforcement`]).
//!
//! **Default parameters** ([`PARAMS`]): `EOT = 10`, `EFF = 4`,
//! `crashes = 1`. Fault-free, `c1`'s post is acknowledged at tick 7 and a
//! run is settled by tick 10 (`c2`'s read answered). Omissions at ticks 1–3
//! cover the clients' `Login` (1) and `Post` (2), the first `Authenticate`
//! (2) and its answer (3) — the faults that reach the frontend's retry
//! path. The slowest recovery, an `Authenticate` re-sent at tick 4, gets
//! the post acknowledged at tick 9, within EOT.
//!
//! Modules: [`msg`], [`clients`] (workloads and the client node),
//! [`frontend`] (logins and the auth path), [`board`] (the frontend's
//! posts: inserts, edits, reads), [`services`] (`auth`, `kv`), [`checks`]
//! (facts, the invariant, the spec).

pub mod board;
pub mod checks;
pub mod clients;
pub mod frontend;
pub mod msg;
pub mod services;

pub use clients::Workload;
pub use msg::Msg;

use ldfi_harness::ldfi_enforce::Spec;
use ldfi_harness::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup};

/// The protocol's name.
pub const NAME: &str = "web-forum";
/// The frontend's name.
pub const FRONTEND: &str = "frontend";
/// The authentication service's name.
pub const AUTH: &str = "auth";
/// The key-value store's name.
pub const KV: &str = "kv";
/// The clients, in order.
pub const CLIENTS: [&str; 2] = ["c1", "c2"];
/// Default search bounds (see the module documentation).
pub const PARAMS: Params = Params {
    eot: 10,
    eff: 4,
    crashes: 1,
};

/// A version of the forum: the faulty variants of `web-forum.md`. The
/// first three differ in the frontend only; `stale-read` in `kv` (a
/// version of `web-forum-grpc` only: see [`Version::MODELLED`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The frontend of the spec.
    Correct,
    /// Inserts held posts when it re-sends `Authenticate` (violates I2).
    InsertBeforeAuth,
    /// Implements `Edit` with `kv.Modify` (violates I1).
    EditPost,
    /// `kv` acknowledges an `Insert` before the post is durable (write
    /// behind); a crash in between leaves the restarted `kv` answering
    /// `Get` from a stale copy (violates I3, which no wire-level
    /// predicate sees).
    StaleRead,
}

impl Version {
    /// Every version, the default first.
    pub const ALL: [Version; 4] = [
        Version::Correct,
        Version::InsertBeforeAuth,
        Version::EditPost,
        Version::StaleRead,
    ];

    /// The versions this message model runs. `stale-read` is not one: its
    /// defect needs a `kv` whose durable state survives a crash and
    /// restart, and a node of this model is rebuilt from nothing by a
    /// restart (which the search never proposes either). `web-forum-grpc`
    /// runs it.
    pub const MODELLED: [Version; 3] = [
        Version::Correct,
        Version::InsertBeforeAuth,
        Version::EditPost,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Version::Correct => "correct",
            Version::InsertBeforeAuth => "insert-before-auth",
            Version::EditPost => "edit-post",
            Version::StaleRead => "stale-read",
        }
    }

    /// The version called `name`, if any.
    pub fn parse(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Every version's name, comma-separated (for error messages).
    pub fn names() -> String {
        Version::ALL.map(Version::name).join(", ")
    }
}

/// The web forum.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebForum;

fn version_of(setup: &Setup) -> Version {
    Version::parse(&setup.version)
        .filter(|v| Version::MODELLED.contains(v))
        .unwrap_or_else(|| panic!("web-forum has no version `{}`", setup.version))
}

impl Protocol for WebForum {
    type Msg = Msg;

    fn info(&self) -> ProtocolInfo {
        let nodes = [FRONTEND, AUTH, KV].into_iter().chain(CLIENTS);
        ProtocolInfo {
            name: NAME.into(),
            summary: "ucheck's web forum (frontend, auth, kv) with enforced I1 and I2".into(),
            versions: Version::MODELLED.iter().map(|v| v.name().into()).collect(),
            default_version: Version::Correct.name().into(),
            workloads: Workload::ALL.iter().map(|w| w.name().into()).collect(),
            default_workload: Workload::LoginPost.name().into(),
            nodes: nodes.map(String::from).collect(),
            exempt: vec![],
            params: PARAMS,
        }
    }

    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        let version = version_of(setup);
        setup
            .nodes
            .iter()
            .map(|n| -> Box<dyn Node<Msg>> {
                match n.as_str() {
                    FRONTEND => Box::new(frontend::Frontend::new(version)),
                    AUTH => Box::new(services::Auth::new(&CLIENTS)),
                    KV => Box::new(services::Kv::default()),
                    _ => Box::new(clients::Client),
                }
            })
            .collect()
    }

    fn inputs(&self, setup: &Setup) -> Vec<Input<Msg>> {
        Workload::parse(&setup.workload)
            .unwrap_or_else(|| panic!("web-forum has no workload `{}`", setup.workload))
            .inputs()
    }

    fn invariants(&self, _setup: &Setup) -> Vec<Invariant> {
        checks::invariants()
    }

    /// I1, I2 and the service models of `protocols/specs/web-forum.spec`,
    /// the same for every version: the spec describes the forum, not a
    /// frontend.
    fn enforcement(
        &self,
        _setup: &Setup,
    ) -> Result<Option<Spec>, ldfi_harness::ldfi_enforce::SpecError> {
        checks::spec().map(Some)
    }
}
