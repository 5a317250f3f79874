//! The clients: the workloads that say what each client is asked to do and
//! when, and the client node that does it.
//!
//! A client forwards each input to the frontend as it comes (it does not
//! wait for its login to finish before posting), so in a fault-free run a
//! post reaches the frontend while its author's authentication is still
//! outstanding, and the frontend holds it until `auth` answers. A client
//! sends each request once and records a post's acknowledgement as
//! `acked(c, key)`.
//!
//! | workload | inputs |
//! |---|---|
//! | `login-post` (default) | `c1`: `Login` at 1, `Post` at 2, `Edit` of that post at 6 |
//! | `two-clients` | `c1` as above; `c2` with a wrong password: `Login` at 1, `Post` at 2, `Read` at 6 |

use super::checks::acked;
use super::msg::Msg;
use super::FRONTEND;
use ldfi_harness::{Ctx, Input, Node, NodeId, Tick};

/// The topic every workload posts to.
pub const TOPIC: &str = "general";

/// A client's password, as `auth`'s credential table holds it.
pub fn password(client: &str) -> String {
    format!("pw-{client}")
}

/// A workload of the web forum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `c1` logs in, posts, then asks to edit its post.
    LoginPost,
    /// `c1` as in `login-post`; `c2` logs in with a wrong password, tries to
    /// post, then reads the topic.
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

    /// The inputs, in tick order per client.
    pub fn inputs(self) -> Vec<Input<Msg>> {
        let mut out = author("c1");
        if self == Workload::TwoClients {
            out.extend(intruder("c2"));
        }
        out
    }
}

/// An input `msg` to `node` at tick `at`.
fn input(at: Tick, node: &str, msg: Msg) -> Input<Msg> {
    Input {
        at,
        node: node.into(),
        msg,
    }
}

/// A client with the right password: logs in, posts, edits its post.
fn author(c: &str) -> Vec<Input<Msg>> {
    let client = || c.to_string();
    vec![
        input(
            1,
            c,
            Msg::Login {
                client: client(),
                credential: password(c),
            },
        ),
        input(
            2,
            c,
            Msg::Post {
                client: client(),
                topic: TOPIC.into(),
                text: format!("hello from {c}"),
            },
        ),
        input(
            6,
            c,
            Msg::Edit {
                client: client(),
                topic: TOPIC.into(),
                text: format!("hello from {c} (edited)"),
            },
        ),
    ]
}

/// A client with a wrong password: logs in, tries to post, reads the topic.
fn intruder(c: &str) -> Vec<Input<Msg>> {
    let client = || c.to_string();
    vec![
        input(
            1,
            c,
            Msg::Login {
                client: client(),
                credential: "guess".into(),
            },
        ),
        input(
            2,
            c,
            Msg::Post {
                client: client(),
                topic: TOPIC.into(),
                text: format!("spam from {c}"),
            },
        ),
        input(
            6,
            c,
            Msg::Read {
                client: client(),
                topic: TOPIC.into(),
            },
        ),
    ]
}

/// A client node (`c1`, `c2`).
#[derive(Default)]
pub struct Client;

impl Node<Msg> for Client {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        ctx.because([]);
        if from == NodeId::ENV {
            let frontend = ctx.node(FRONTEND);
            ctx.send(frontend, msg);
        } else if let Msg::PostResponse { ok: true, key, .. } = msg {
            let me = ctx.name(ctx.me()).to_string();
            ctx.derive(acked(&me, &key));
        }
        // Other answers (logins, refusals, edits, reads): nothing the
        // invariant reads.
    }
}
