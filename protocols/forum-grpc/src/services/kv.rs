//! `kv`: the posts, by key. Derives `stored(key)` for each insert.

use crate::observe::{CallCtx, Obs};
use crate::proto::kv_server::Kv;
use crate::proto::*;
use ldfi_protocols::web_forum::checks::stored;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tonic::{Request, Response, Status};

/// The key-value store.
pub struct KvSvc {
    obs: Obs,
    map: Mutex<BTreeMap<String, String>>,
}

impl KvSvc {
    /// An empty store reporting to `obs`.
    pub fn new(obs: Obs) -> Self {
        KvSvc {
            obs,
            map: Mutex::new(BTreeMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        // A poisoned lock means a handler panicked: the map is still whole.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
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
        self.map().insert(r.key.clone(), r.value);
        self.obs.derive(&call, stored(&r.key));
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
        self.map().insert(r.key.clone(), r.value);
        Ok(Response::new(ModifyResponse {
            client: r.client,
            key: r.key,
        }))
    }

    async fn get(&self, req: Request<GetRequest>) -> Result<Response<GetResponse>, Status> {
        let r = req.into_inner();
        let value = self.map().get(&r.key).cloned().unwrap_or_default();
        Ok(Response::new(GetResponse {
            client: r.client,
            key: r.key,
            value,
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
