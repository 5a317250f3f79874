//! The workloads: what each client host asks the frontend, and when —
//! the web-forum model's workloads, over the client library. Each input
//! is its own task (a client does not wait for its login before posting,
//! so a post reaches the frontend while its author's authentication is
//! outstanding). A client derives `acked(c, key)` and `acked_at(c, key,
//! t)` when a post is answered `ok` at tick `t`, and for a Read (input
//! `n`, given at tick `s`) that is answered, `read(c, n, topic, s)` and
//! `returned(c, n, key)` for each post it got ([`super::invariants`]).

use super::invariants::{acked_at, read, returned};
use super::recorder::{lock, Shared};
use crate::client::ForumClient;
use crate::observe::CallCtx;
use ldfi_harness::Tick;
use ldfi_harness::{Fact, Invariant};
use ldfi_protocols::web_forum::checks::{self, acked};
use ldfi_protocols::web_forum::clients::{password, TOPIC};

/// When the late inputs (edit, read) come: after every login and post
/// has settled, retries included.
pub const LATE: Tick = 14;

/// A workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `c1` logs in (1), posts (2), asks to edit its post (`LATE`).
    LoginPost,
    /// `c1` as in `login-post`; `c2` logs in with a wrong password (1),
    /// tries to post (2), reads the topic (`LATE`).
    TwoClients,
    /// `c1` logs in (1), posts (2), reads the topic (`LATE`): what I3
    /// checks (an acknowledged post is in every later successful Read).
    LoginPostRead,
}

impl Workload {
    /// Every workload, the default first.
    pub const ALL: [Workload; 3] = [
        Workload::LoginPost,
        Workload::TwoClients,
        Workload::LoginPostRead,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::LoginPost => "login-post",
            Workload::TwoClients => "two-clients",
            Workload::LoginPostRead => "login-post-read",
        }
    }

    /// The invariants checked at EOT: the web-forum model's `posts-stored`;
    /// with a Read in the workload, I3 instead (one invariant, for the
    /// reason `ldfi_protocols::web_forum::checks` gives: a second one with
    /// another `pre` adds outcomes the search cannot break).
    pub fn invariants(self) -> Vec<Invariant> {
        match self {
            Workload::LoginPost | Workload::TwoClients => checks::invariants(),
            Workload::LoginPostRead => vec![super::invariants::acked_posts_are_read()],
        }
    }

    /// The workload called `name`, if any.
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// The inputs, numbered in this order.
    pub(crate) fn inputs(self) -> Vec<Input> {
        let mut out = vec![
            Input::new(1, "c1", Op::Login(password("c1"))),
            Input::new(2, "c1", Op::Post("hello from c1".into())),
        ];
        out.push(match self {
            Workload::LoginPostRead => Input::new(LATE, "c1", Op::Read),
            _ => Input::new(LATE, "c1", Op::Edit("hello from c1 (edited)".into())),
        });
        if self == Workload::TwoClients {
            out.extend([
                Input::new(1, "c2", Op::Login("guess".into())),
                Input::new(2, "c2", Op::Post("spam from c2".into())),
                Input::new(LATE, "c2", Op::Read),
            ]);
        }
        out
    }
}

/// What a client asks.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Login(String),
    Post(String),
    Edit(String),
    Read,
}

/// One input: at tick `at`, client `node` asks `op`.
#[derive(Clone, Debug)]
pub(crate) struct Input {
    pub(crate) at: Tick,
    pub(crate) node: &'static str,
    pub(crate) op: Op,
}

impl Input {
    fn new(at: Tick, node: &'static str, op: Op) -> Self {
        Input { at, node, op }
    }

    fn label(&self) -> String {
        match &self.op {
            Op::Login(cred) => format!("Login {{ client: {}, credential: {cred} }}", self.node),
            Op::Post(text) => format!(
                "Post {{ client: {}, topic: {TOPIC}, text: {text} }}",
                self.node
            ),
            Op::Edit(text) => format!(
                "Edit {{ client: {}, topic: {TOPIC}, text: {text} }}",
                self.node
            ),
            Op::Read => format!("Read {{ client: {}, topic: {TOPIC} }}", self.node),
        }
    }
}

/// What client `c` derives when its post is acknowledged, as `key`, at
/// tick `t` (here and on real processes, [`crate::realrun::judge`]).
pub fn post_acked(c: &str, key: &str, t: Tick) -> [Fact; 2] {
    [acked(c, key), acked_at(c, key, t)]
}

/// What client `c` derives when its Read, input `n` given at tick `s`, is
/// answered with the posts `keys`.
pub fn read_answered(c: &str, n: u32, s: Tick, keys: &[String]) -> Vec<Fact> {
    let mut out = vec![read(c, n, TOPIC, s)];
    out.extend(keys.iter().map(|k| returned(c, n, k)));
    out
}

/// Runs input number `n` on its client host: waits for its tick, records
/// it, makes the call.
pub(crate) async fn run_input(rec: Shared, client: ForumClient, n: u32, input: Input) {
    loop {
        let now = lock(&rec).now();
        if now >= input.at {
            break;
        }
        tokio::time::sleep(super::TICK).await;
    }
    let me = lock(&rec).node(input.node);
    let start = lock(&rec).now();
    let id = lock(&rec).input(me, n, input.label());
    let call = CallCtx::new(id);
    let c = input.node;
    match &input.op {
        Op::Login(cred) => {
            let _ = client.login(&call, c, cred).await;
        }
        Op::Post(text) => {
            if let Ok(r) = client.post(&call, c, TOPIC, text).await {
                if r.ok {
                    let mut rec = lock(&rec);
                    let now = rec.now();
                    for f in post_acked(c, &r.key, now) {
                        rec.derive(me, call.id(), f);
                    }
                }
            }
        }
        Op::Edit(text) => {
            let _ = client.edit(&call, c, TOPIC, text).await;
        }
        Op::Read => {
            if let Ok(r) = client.read(&call, c, TOPIC).await {
                let mut rec = lock(&rec);
                for f in read_answered(c, n, start, &r.keys) {
                    rec.derive(me, call.id(), f);
                }
            }
        }
    }
}
