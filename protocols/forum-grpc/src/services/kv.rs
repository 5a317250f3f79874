//! `kv`: the posts, by key, in memory and in a durable [`Store`].
//! Derives `stored(key)` for each insert, and again for each post it
//! recovers from the store after a restart.
//!
//! When a post becomes durable is the variant's business:
//! - every variant but `stale-read` writes through: an `Insert` is
//!   persisted before it is acknowledged, so a restarted `kv` answers
//!   `Get` with every post it ever acknowledged;
//! - `stale-read` writes behind: it acknowledges at once and persists the
//!   post a little later ([`Write::Behind`]); a crash in between loses an
//!   acknowledged post, and the restarted `kv` answers `Get` from its
//!   stale copy. Nothing on the wire differs from a correct `kv`'s.

use super::store::Store;
use crate::observe::{CallCtx, Obs};
use crate::proto::kv_server::Kv;
use crate::proto::*;
use crate::version::Version;
use ldfi_protocols::web_forum::checks::stored;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tonic::{Request, Response, Status};

/// When an acknowledged post becomes durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    /// Before the `Insert` is acknowledged.
    Through,
    /// This long after it is acknowledged (if the service is still in the
    /// same life by then).
    Behind(Duration),
}

impl Write {
    /// The write policy of `version`'s `kv`, writing behind by `delay`.
    pub fn of(version: Version, delay: Duration) -> Write {
        match version {
            Version::StaleRead => Write::Behind(delay),
            Version::Correct | Version::InsertBeforeAuth | Version::EditPost => Write::Through,
        }
    }
}

struct Inner {
    obs: Obs,
    store: Arc<dyn Store>,
    write: Write,
    map: Mutex<BTreeMap<String, String>>,
}

/// The key-value store (cheap to clone: clones share the service).
#[derive(Clone)]
pub struct KvSvc(Arc<Inner>);

impl KvSvc {
    /// A store writing by `write` to `store`, starting with what `store`
    /// holds, reporting to `obs`.
    pub fn new(obs: Obs, store: Arc<dyn Store>, write: Write) -> Self {
        let map = Mutex::new(store.load());
        KvSvc(Arc::new(Inner {
            obs,
            store,
            write,
            map,
        }))
    }

    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        // A poisoned lock means a handler panicked: the map is still whole.
        self.0.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes `key = value` durable by the write policy: now, or later.
    fn write(&self, key: &str, value: &str) -> Result<(), Status> {
        let inner = &self.0;
        match inner.write {
            Write::Through => inner
                .store
                .persist(key, value)
                .map_err(|e| Status::unavailable(format!("kv could not persist: {e}"))),
            Write::Behind(delay) => {
                let (store, obs) = (inner.store.clone(), inner.obs.clone());
                let (key, value, life) = (key.to_string(), value.to_string(), obs.life());
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    // A crash since then took the unwritten post with it.
                    if life.is_some() && obs.life() == life {
                        // Nobody waits for it: a failed write is a lost post.
                        let _ = store.persist(&key, &value);
                    }
                });
                Ok(())
            }
        }
    }

    /// The service restarted: what it held in memory is gone; it starts
    /// again from the store, deriving `stored(key)` for each post there.
    pub fn recover(&self) {
        let posts = self.0.store.load();
        for key in posts.keys() {
            self.0.obs.derive(&CallCtx::default(), stored(key));
        }
        *self.map() = posts;
    }
}

#[tonic::async_trait]
impl Kv for KvSvc {
    async fn insert(
        &self,
        req: Request<InsertRequest>,
    ) -> Result<Response<InsertResponse>, Status> {
        let call = CallCtx::of(&req);
        let r = req.into_inner();
        self.write(&r.key, &r.value)?;
        self.map().insert(r.key.clone(), r.value);
        self.0.obs.derive(&call, stored(&r.key));
        Ok(Response::new(InsertResponse {
            client: r.client,
            key: r.key,
        }))
    }

    async fn modify(
        &self,
        req: Request<ModifyRequest>,
    ) -> Result<Response<ModifyResponse>, Status> {
        let r = req.into_inner();
        self.write(&r.key, &r.value)?;
        self.map().insert(r.key.clone(), r.value);
        Ok(Response::new(ModifyResponse {
            client: r.client,
            key: r.key,
        }))
    }

    async fn get(&self, req: Request<GetRequest>) -> Result<Response<GetResponse>, Status> {
        let call = CallCtx::of(&req);
        let r = req.into_inner();
        let value = self.map().get(&r.key).cloned();
        if value.is_some() {
            // The answer relies on the post being there.
            self.0.obs.because(&call, &stored(&r.key));
        }
        Ok(Response::new(GetResponse {
            client: r.client,
            key: r.key,
            value: value.unwrap_or_default(),
        }))
    }

    async fn delete(
        &self,
        req: Request<DeleteRequest>,
    ) -> Result<Response<DeleteResponse>, Status> {
        let r = req.into_inner();
        self.map().remove(&r.key);
        Ok(Response::new(DeleteResponse {
            client: r.client,
            key: r.key,
        }))
    }
}
