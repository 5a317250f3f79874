//! The frontend: the only service clients talk to. It logs clients in
//! through `auth`, stores their posts in `kv` (through its
//! [`Board`]), and answers edits and reads.
//!
//! A correct frontend:
//! 1. `Login(c)` → `auth.Authenticate(c)`, re-sent every
//!    [`AUTH_RETRY_TICKS`] ticks until `auth` answers; on `ok` it adds `c`
//!    to its authenticated set and answers the client.
//! 2. `Post(c, …)` → if `c` is authenticated, `kv.Insert` under a fresh key
//!    carrying `c`; if `c`'s authentication is outstanding, holds the post
//!    until `auth` answers (inserts on `ok`, refuses otherwise); else refuses.
//! 3. `Edit` → refused: posts are immutable.
//! 4. `Read(topic)` → `kv.Get` for each post it stored under the topic.
//!
//! The faulty versions change one step each (see [`Version`]):
//! `insert-before-auth` also inserts the held posts when it re-sends
//! `Authenticate` (optimistically, before `auth` has answered — I2);
//! `edit-post` implements `Edit` with `kv.Modify` (I1).

use super::board::{refuse_post, Board, Draft};
use super::checks::{auth_pending, authed, held};
use super::msg::Msg;
use super::{Version, AUTH};
use ldfi_harness::{Ctx, Node, NodeId, Tick};
use std::collections::{BTreeMap, BTreeSet};

/// Ticks the frontend waits for `auth` before re-sending `Authenticate`.
/// A fault-free answer takes 2 ticks.
pub const AUTH_RETRY_TICKS: Tick = 2;

/// A `Login` whose authentication is outstanding.
struct Pending {
    /// The client node to answer.
    from: NodeId,
    /// The credential to check.
    credential: String,
    /// When `Authenticate` was last sent.
    sent_at: Tick,
}

/// The frontend service.
pub struct Frontend {
    version: Version,
    /// Clients `auth` accepted.
    authed: BTreeSet<String>,
    /// Outstanding authentications, by client.
    pending: BTreeMap<String, Pending>,
    /// Posts held until their author's authentication answers, by client.
    held: BTreeMap<String, Vec<Draft>>,
    /// Posts stored and being stored; edits and reads.
    board: Board,
}

impl Frontend {
    /// A frontend of `version`.
    pub fn new(version: Version) -> Self {
        Frontend {
            version,
            authed: BTreeSet::new(),
            pending: BTreeMap::new(),
            held: BTreeMap::new(),
            board: Board::default(),
        }
    }

    fn login(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, client: String, credential: String) {
        if self.authed.contains(&client) {
            ctx.because([authed(&client)]);
            ctx.send(from, Msg::LoginResponse { client, ok: true });
            return;
        }
        ctx.because([]);
        ctx.derive(auth_pending(&client));
        if self.pending.contains_key(&client) {
            return; // the retry timer re-asks auth
        }
        let auth = ctx.node(AUTH);
        let msg = Msg::Authenticate {
            client: client.clone(),
            credential: credential.clone(),
        };
        ctx.send(auth, msg);
        let sent_at = ctx.now();
        let p = Pending {
            from,
            credential,
            sent_at,
        };
        self.pending.insert(client, p);
    }

    fn authenticated(&mut self, ctx: &mut Ctx<'_, Msg>, client: String, ok: bool) {
        if ok {
            ctx.because([]);
            ctx.derive(authed(&client));
            self.authed.insert(client.clone());
        }
        let Some(p) = self.pending.remove(&client) else {
            return; // a late answer to a retry
        };
        ctx.because([auth_pending(&client)]);
        let answer = Msg::LoginResponse {
            client: client.clone(),
            ok,
        };
        ctx.send(p.from, answer);
        for d in self.held.remove(&client).unwrap_or_default() {
            if ok {
                ctx.because([authed(&client), held(&client, &d.topic)]);
                self.board.insert(ctx, d);
            } else {
                ctx.because([held(&client, &d.topic)]);
                refuse_post(ctx, d.from, d.client);
            }
        }
    }

    fn post(&mut self, ctx: &mut Ctx<'_, Msg>, d: Draft) {
        if self.authed.contains(&d.client) {
            ctx.because([authed(&d.client)]);
            self.board.insert(ctx, d);
        } else if self.pending.contains_key(&d.client) {
            ctx.because([]);
            ctx.derive(held(&d.client, &d.topic));
            self.held.entry(d.client.clone()).or_default().push(d);
        } else {
            ctx.because([]);
            refuse_post(ctx, d.from, d.client);
        }
    }

    /// Re-sends `Authenticate` for every login `auth` has not answered in
    /// time; `insert-before-auth` also inserts the held posts then.
    fn retry(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let now = ctx.now();
        let auth = ctx.node(AUTH);
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.sent_at + AUTH_RETRY_TICKS)
            .map(|(c, _)| c.clone())
            .collect();
        for client in due {
            let p = self.pending.get_mut(&client).expect("due is pending");
            p.sent_at = now;
            let msg = Msg::Authenticate {
                client: client.clone(),
                credential: p.credential.clone(),
            };
            ctx.because([auth_pending(&client)]);
            ctx.send(auth, msg);
            if self.version == Version::InsertBeforeAuth {
                for d in self.held.remove(&client).unwrap_or_default() {
                    ctx.because([auth_pending(&client), held(&client, &d.topic)]);
                    self.board.insert(ctx, d);
                }
            }
        }
    }
}

impl Node<Msg> for Frontend {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Login { client, credential } => self.login(ctx, from, client, credential),
            Msg::AuthenticateResponse { client, ok } => self.authenticated(ctx, client, ok),
            Msg::Post {
                client,
                topic,
                text,
            } => {
                let d = Draft {
                    from,
                    client,
                    topic,
                    text,
                };
                self.post(ctx, d)
            }
            Msg::InsertResponse { key, .. } => self.board.inserted(ctx, key),
            Msg::Edit {
                client,
                topic,
                text,
            } => {
                let modify = self.version == Version::EditPost && self.authed.contains(&client);
                let edit = Draft {
                    from,
                    client,
                    topic,
                    text,
                };
                self.board.edit(ctx, edit, modify)
            }
            Msg::ModifyResponse { client, key } => self.board.edited(ctx, client, key),
            Msg::Read { client, topic } => self.board.read(ctx, from, client, topic),
            Msg::GetResponse { client, key, value } => self.board.got(ctx, client, key, value),
            _ => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.retry(ctx);
    }
}
