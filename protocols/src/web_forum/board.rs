//! The frontend's side of the stored posts: inserting a post under a fresh
//! key and acknowledging it once `kv` has it, edits, and reads. What the
//! frontend does *before* a post may be inserted — authentication — is in
//! [`frontend`](super::frontend).

use super::msg::Msg;
use super::KV;
use ldfi_harness::{Ctx, NodeId};
use std::collections::{BTreeMap, BTreeSet};

/// A post on its way: who to answer, and where it goes.
pub struct Draft {
    /// The client node to answer.
    pub from: NodeId,
    /// The author.
    pub client: String,
    /// The topic.
    pub topic: String,
    /// The text.
    pub text: String,
}

/// A `Read` waiting for `kv`'s answers.
struct Reading {
    /// The client node to answer.
    from: NodeId,
    /// The topic read.
    topic: String,
    /// Keys not answered yet.
    waiting: BTreeSet<String>,
    /// Texts answered so far, by key.
    texts: BTreeMap<String, String>,
}

/// The posts the frontend stored or is storing, and the edits and reads of
/// them in flight.
#[derive(Default)]
pub struct Board {
    /// Number of the next post per client (keys are `topic/client-n`).
    next: BTreeMap<String, u32>,
    /// Inserts waiting for `kv`, by key.
    inserting: BTreeMap<String, Draft>,
    /// Stored posts: (client, topic) → key.
    posts: BTreeMap<(String, String), String>,
    /// Edits waiting for `kv`: key → client node to answer.
    editing: BTreeMap<String, NodeId>,
    /// Reads waiting for `kv`, by reader.
    reading: BTreeMap<String, Reading>,
}

impl Board {
    /// Sends `d` to `kv` under a fresh key, carrying its author (the caller
    /// has declared why).
    pub fn insert(&mut self, ctx: &mut Ctx<'_, Msg>, d: Draft) {
        let n = self.next.entry(d.client.clone()).or_insert(0);
        *n += 1;
        let key = format!("{}/{}-{n}", d.topic, d.client);
        let kv = ctx.node(KV);
        let msg = Msg::Insert {
            client: d.client.clone(),
            key: key.clone(),
            value: d.text.clone(),
        };
        ctx.send(kv, msg);
        self.inserting.insert(key, d);
    }

    /// `kv` stored `key`: acknowledge the post to its author.
    pub fn inserted(&mut self, ctx: &mut Ctx<'_, Msg>, key: String) {
        let Some(d) = self.inserting.remove(&key) else {
            return;
        };
        ctx.because([]);
        let answer = Msg::PostResponse {
            client: d.client.clone(),
            ok: true,
            key: key.clone(),
        };
        ctx.send(d.from, answer);
        self.posts.insert((d.client, d.topic), key);
    }

    /// An `Edit` of `client`'s post under `topic`: with `modify` (the
    /// `edit-post` feature, for an authenticated author) it becomes a
    /// `kv.Modify`; otherwise it is refused — posts are immutable.
    pub fn edit(&mut self, ctx: &mut Ctx<'_, Msg>, edit: Draft, modify: bool) {
        let Draft {
            from,
            client,
            topic,
            text,
        } = edit;
        ctx.because([]);
        match self.posts.get(&(client.clone(), topic)).cloned() {
            Some(key) if modify => {
                let kv = ctx.node(KV);
                let msg = Msg::Modify {
                    client,
                    key: key.clone(),
                    value: text,
                };
                ctx.send(kv, msg);
                self.editing.insert(key, from);
            }
            _ => ctx.send(from, Msg::EditResponse { client, ok: false }),
        }
    }

    /// `kv` overwrote `key`: answer the edit.
    pub fn edited(&mut self, ctx: &mut Ctx<'_, Msg>, client: String, key: String) {
        if let Some(from) = self.editing.remove(&key) {
            ctx.because([]);
            ctx.send(from, Msg::EditResponse { client, ok: true });
        }
    }

    /// A `Read` of `topic`: a `kv.Get` per post stored under it, or an
    /// empty answer straight away.
    pub fn read(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, client: String, topic: String) {
        ctx.because([]);
        let keys: BTreeSet<String> = self
            .posts
            .iter()
            .filter(|((_, t), _)| *t == topic)
            .map(|(_, k)| k.clone())
            .collect();
        let kv = ctx.node(KV);
        for key in &keys {
            let msg = Msg::Get {
                client: client.clone(),
                key: key.clone(),
            };
            ctx.send(kv, msg);
        }
        let r = Reading {
            from,
            topic,
            waiting: keys,
            texts: BTreeMap::new(),
        };
        self.reading.insert(client.clone(), r);
        self.answer_read(ctx, client);
    }

    /// `kv` answered one `Get` of `client`'s read.
    pub fn got(&mut self, ctx: &mut Ctx<'_, Msg>, client: String, key: String, value: String) {
        let Some(r) = self.reading.get_mut(&client) else {
            return;
        };
        r.waiting.remove(&key);
        r.texts.insert(key, value);
        ctx.because([]);
        self.answer_read(ctx, client);
    }

    /// Answers `client`'s read once every `Get` of it is answered.
    fn answer_read(&mut self, ctx: &mut Ctx<'_, Msg>, client: String) {
        if !self
            .reading
            .get(&client)
            .is_some_and(|r| r.waiting.is_empty())
        {
            return;
        }
        let r = self.reading.remove(&client).expect("just looked");
        let answer = Msg::ReadResponse {
            client,
            topic: r.topic,
            posts: r.texts.into_values().collect(),
        };
        ctx.send(r.from, answer);
    }
}

/// Answers a post that will not be stored.
pub fn refuse_post(ctx: &mut Ctx<'_, Msg>, to: NodeId, client: String) {
    let key = String::new();
    let answer = Msg::PostResponse {
        client,
        ok: false,
        key,
    };
    ctx.send(to, answer);
}
