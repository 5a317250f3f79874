//! `frontend`: the only service clients talk to.
//!
//! 1. `Login(c)` → `auth.Authenticate(c)`, retried (up to
//!    [`AUTH_ATTEMPTS`] calls) when an answer does not come within the
//!    timeout; on `ok` it derives `authed(c)` and answers the client.
//! 2. `Post(c, …)` → if `c` is authenticated, `kv.Insert` under a fresh key
//!    carrying `c`; if `c`'s authentication is outstanding, holds the post
//!    (`held(c, topic)`) until `auth` answers (inserts on `ok`, refuses
//!    otherwise); else refuses.
//! 3. `Edit` → refused: posts are immutable.
//! 4. `Read(topic)` → `kv.Get` for each post stored under the topic; the
//!    posts `kv` has, with their keys, or `UNAVAILABLE` if a `Get` went
//!    unanswered (a partial read does not pass for the whole topic).
//!
//! `insert-before-auth` also inserts the held posts as soon as it retries
//! `Authenticate` (before `auth` has answered — I2); `edit-post`
//! implements `Edit` with `kv.Modify` (I1).

use crate::chan::{Chan, Timing};
use crate::observe::{CallCtx, Obs};
use crate::proto::auth_client::AuthClient;
use crate::proto::frontend_server::Frontend;
use crate::proto::kv_client::KvClient;
use crate::proto::*;
use crate::version::Version;
use ldfi_protocols::web_forum::checks::{auth_pending, authed, held};
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::sync::watch;
use tonic::{Request, Response, Status};

/// How many times the frontend calls `Authenticate` for one login.
pub const AUTH_ATTEMPTS: u32 = 3;

/// Where a client's authentication stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Auth {
    /// Outstanding; `retrying` once the first call went unanswered.
    Pending { retrying: bool },
    /// Answered.
    Done(bool),
}

#[derive(Default)]
struct State {
    logins: BTreeMap<String, watch::Sender<Auth>>,
    /// Each client's post per topic: its key.
    posts: BTreeMap<(String, String), String>,
    /// Keys per topic, in insertion order.
    topics: BTreeMap<String, Vec<String>>,
    next_key: u64,
}

/// The frontend service.
pub struct FrontendSvc {
    version: Version,
    obs: Obs,
    timing: Timing,
    auth: AuthClient<Chan>,
    kv: KvClient<Chan>,
    state: Mutex<State>,
}

impl FrontendSvc {
    /// A frontend of `version` calling `auth` and `kv`.
    pub fn new(version: Version, obs: Obs, timing: Timing, auth: Chan, kv: Chan) -> Self {
        FrontendSvc {
            version,
            obs,
            timing,
            auth: AuthClient::new(auth),
            kv: KvClient::new(kv),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn auth_of(&self, client: &str) -> Option<Auth> {
        self.state().logins.get(client).map(|s| *s.borrow())
    }

    /// Calls `auth` until it answers or the attempts run out.
    async fn authenticate(&self, call: &CallCtx, client: &str, credential: &str) -> bool {
        for attempt in 0..AUTH_ATTEMPTS {
            if attempt > 0 {
                self.obs.because(call, &auth_pending(client));
                self.set(client, Auth::Pending { retrying: true });
            }
            let req = call.outbound(AuthenticateRequest {
                client: client.to_string(),
                credential: credential.to_string(),
            });
            let mut auth = self.auth.clone();
            let answer =
                tokio::time::timeout(self.timing.rpc_timeout, auth.authenticate(req)).await;
            if let Ok(Ok(r)) = answer {
                return r.into_inner().ok;
            }
        }
        false
    }

    fn set(&self, client: &str, a: Auth) {
        if let Some(s) = self.state().logins.get(client) {
            s.send_replace(a);
        }
    }

    /// Inserts `client`'s post; its key, or `None` if `kv` did not answer.
    async fn insert(
        &self,
        call: &CallCtx,
        client: &str,
        topic: &str,
        text: &str,
    ) -> Option<String> {
        let key = {
            let mut st = self.state();
            st.next_key += 1;
            format!("{topic}/{}", st.next_key)
        };
        let req = call.outbound(InsertRequest {
            client: client.to_string(),
            key: key.clone(),
            value: text.to_string(),
        });
        let mut kv = self.kv.clone();
        match tokio::time::timeout(self.timing.rpc_timeout, kv.insert(req)).await {
            Ok(Ok(_)) => {
                let mut st = self.state();
                st.posts
                    .insert((client.to_string(), topic.to_string()), key.clone());
                st.topics
                    .entry(topic.to_string())
                    .or_default()
                    .push(key.clone());
                Some(key)
            }
            _ => None,
        }
    }

    /// Waits for `client`'s outstanding authentication; true if the post
    /// may be inserted now.
    async fn await_auth(&self, call: &CallCtx, client: &str, topic: &str) -> bool {
        let Some(mut rx) = self.state().logins.get(client).map(|s| s.subscribe()) else {
            return false;
        };
        loop {
            let now = *rx.borrow_and_update();
            match now {
                Auth::Done(ok) => {
                    if ok {
                        self.obs.because(call, &authed(client));
                    }
                    self.obs.because(call, &held(client, topic));
                    return ok;
                }
                Auth::Pending { retrying: true } if self.version == Version::InsertBeforeAuth => {
                    self.obs.because(call, &auth_pending(client));
                    self.obs.because(call, &held(client, topic));
                    return true;
                }
                Auth::Pending { .. } => {}
            }
            if rx.changed().await.is_err() {
                return false;
            }
        }
    }
}

fn refused(client: String) -> Response<PostResponse> {
    Response::new(PostResponse {
        client,
        ok: false,
        key: String::new(),
    })
}

#[tonic::async_trait]
impl Frontend for FrontendSvc {
    async fn login(&self, req: Request<LoginRequest>) -> Result<Response<LoginResponse>, Status> {
        let call = CallCtx::of(&req);
        let r = req.into_inner();
        let client = r.client;
        match self.auth_of(&client) {
            Some(Auth::Done(true)) => {
                self.obs.because(&call, &authed(&client));
                return Ok(Response::new(LoginResponse { client, ok: true }));
            }
            Some(Auth::Pending { .. }) => {
                // Another login of the same client is asking auth: wait for it.
                let ok = self.await_auth(&call, &client, "").await;
                return Ok(Response::new(LoginResponse { client, ok }));
            }
            _ => {}
        }
        self.obs.derive(&call, auth_pending(&client));
        self.state().logins.insert(
            client.clone(),
            watch::Sender::new(Auth::Pending { retrying: false }),
        );
        let ok = self.authenticate(&call, &client, &r.credential).await;
        if ok {
            self.obs.derive(&call, authed(&client));
        }
        self.set(&client, Auth::Done(ok));
        if !ok {
            self.state().logins.remove(&client);
        }
        Ok(Response::new(LoginResponse { client, ok }))
    }

    async fn post(&self, req: Request<PostRequest>) -> Result<Response<PostResponse>, Status> {
        let call = CallCtx::of(&req);
        let r = req.into_inner();
        let may = match self.auth_of(&r.client) {
            Some(Auth::Done(true)) => {
                self.obs.because(&call, &authed(&r.client));
                true
            }
            Some(Auth::Pending { .. }) => {
                self.obs.derive(&call, held(&r.client, &r.topic));
                self.await_auth(&call, &r.client, &r.topic).await
            }
            _ => false,
        };
        if !may {
            return Ok(refused(r.client));
        }
        Ok(
            match self.insert(&call, &r.client, &r.topic, &r.text).await {
                Some(key) => Response::new(PostResponse {
                    client: r.client,
                    ok: true,
                    key,
                }),
                None => refused(r.client),
            },
        )
    }

    async fn edit(&self, req: Request<EditRequest>) -> Result<Response<EditResponse>, Status> {
        let call = CallCtx::of(&req);
        let r = req.into_inner();
        let key = self
            .state()
            .posts
            .get(&(r.client.clone(), r.topic.clone()))
            .cloned();
        let authed_now = self.auth_of(&r.client) == Some(Auth::Done(true));
        let ok = match key {
            Some(key) if self.version == Version::EditPost && authed_now => {
                self.obs.because(&call, &authed(&r.client));
                let req = call.outbound(ModifyRequest {
                    client: r.client.clone(),
                    key,
                    value: r.text,
                });
                let mut kv = self.kv.clone();
                matches!(
                    tokio::time::timeout(self.timing.rpc_timeout, kv.modify(req)).await,
                    Ok(Ok(_))
                )
            }
            // Posts are immutable.
            _ => false,
        };
        Ok(Response::new(EditResponse {
            client: r.client,
            ok,
        }))
    }

    async fn read(&self, req: Request<ReadRequest>) -> Result<Response<ReadResponse>, Status> {
        let call = CallCtx::of(&req);
        let r = req.into_inner();
        let keys = self
            .state()
            .topics
            .get(&r.topic)
            .cloned()
            .unwrap_or_default();
        let (mut posts, mut found) = (Vec::new(), Vec::new());
        for key in keys {
            let req = call.outbound(GetRequest {
                client: r.client.clone(),
                key: key.clone(),
            });
            let mut kv = self.kv.clone();
            let value = match tokio::time::timeout(self.timing.rpc_timeout, kv.get(req)).await {
                Ok(Ok(v)) => v.into_inner().value,
                // A read that could not ask kv about every post fails: it
                // must not pass for the topic's whole content.
                _ => return Err(Status::unavailable(format!("kv did not answer Get {key}"))),
            };
            // Empty: kv has no such post.
            if !value.is_empty() {
                posts.push(value);
                found.push(key);
            }
        }
        Ok(Response::new(ReadResponse {
            client: r.client,
            topic: r.topic,
            posts,
            keys: found,
        }))
    }
}
