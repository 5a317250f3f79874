//! The two backend services the frontend calls: `auth` (checks credentials
//! against its table) and `kv` (the key-value store that holds the posts).
//! Both answer every request they get, each request on its own, so a
//! frontend's retry gets a fresh answer.

use super::checks::stored;
use super::clients::password;
use super::msg::Msg;
use ldfi_harness::{Ctx, Node, NodeId};
use std::collections::BTreeMap;

/// The `auth` service: `Authenticate(client, credential) → {ok}`.
pub struct Auth {
    /// Client → its password.
    table: BTreeMap<String, String>,
}

impl Auth {
    /// An `auth` that knows the password of each of `clients`.
    pub fn new(clients: &[&str]) -> Self {
        Auth {
            table: clients
                .iter()
                .map(|c| (c.to_string(), password(c)))
                .collect(),
        }
    }
}

impl Node<Msg> for Auth {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        if let Msg::Authenticate { client, credential } = msg {
            let ok = self.table.get(&client) == Some(&credential);
            ctx.because([]);
            ctx.send(from, Msg::AuthenticateResponse { client, ok });
        }
    }
}

/// The `kv` service: `Insert`, `Modify`, `Get`, `Delete` over one map.
/// `Insert` derives `stored(key)` — on every insert of that key, since each
/// one justifies it.
#[derive(Default)]
pub struct Kv {
    /// Key → post text.
    store: BTreeMap<String, String>,
}

impl Node<Msg> for Kv {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        ctx.because([]);
        let reply = match msg {
            Msg::Insert { client, key, value } => {
                ctx.derive(stored(&key));
                self.store.insert(key.clone(), value);
                Msg::InsertResponse { client, key }
            }
            Msg::Modify { client, key, value } => {
                self.store.insert(key.clone(), value);
                Msg::ModifyResponse { client, key }
            }
            Msg::Get { client, key } => {
                let value = self.store.get(&key).cloned().unwrap_or_default();
                Msg::GetResponse { client, key, value }
            }
            Msg::Delete { client, key } => {
                self.store.remove(&key);
                Msg::DeleteResponse { client, key }
            }
            _ => return,
        };
        ctx.send(from, reply);
    }
}
