//! The workloads: what each client host asks the frontend, and when —
//! the web-forum model's workloads, over the client library. Each input
//! is its own task (a client does not wait for its login before posting,
//! so a post reaches the frontend while its author's authentication is
//! outstanding). A client derives `acked(c, key)` when a post is answered
//! `ok`.

use super::recorder::{lock, Shared};
use crate::client::ForumClient;
use crate::observe::CallCtx;
use ldfi_harness::Tick;
use ldfi_protocols::web_forum::checks::acked;
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
}

impl Workload {
    /// Every workload, the default first.
    pub const ALL: [Workload; 2] = [Workload::LoginPost, Workload::TwoClients];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::LoginPost => "login-post",
            Workload::TwoClients => "two-clients",
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
            Input::new(LATE, "c1", Op::Edit("hello from c1 (edited)".into())),
        ];
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
                    lock(&rec).derive(me, call.id(), acked(c, &r.key));
                }
            }
        }
        Op::Edit(text) => {
            let _ = client.edit(&call, c, TOPIC, text).await;
        }
        Op::Read => {
            let _ = client.read(&call, c, TOPIC).await;
        }
    }
}
