//! The web forum's messages: one enum whose variants are the RPCs, so the
//! harness's enforcement sees each as `MsgEvent::from_rpc_message` does — the
//! variant is the method, a `…Response` variant is that method's response.
//!
//! Every RPC carries the `client` it is on behalf of (the ucheck
//! mitigation): I2 is keyed by client, and the wire is all a checker sees.
//! The field names are the ones `specs/web-forum.spec` reads.
//!
//! | variant | from → to |
//! |---|---|
//! | `Login`, `Post`, `Edit`, `Read` | client → frontend (and env → client as workload inputs) |
//! | `LoginResponse`, `PostResponse`, `EditResponse`, `ReadResponse` | frontend → client |
//! | `Authenticate` / `AuthenticateResponse` | frontend ↔ auth |
//! | `Insert`, `Modify`, `Get`, `Delete` and their responses | frontend ↔ kv |

use serde::{Deserialize, Serialize};

/// A message of the web forum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    /// Log `client` in with `credential`.
    Login {
        /// The client logging in.
        client: String,
        /// Its password.
        credential: String,
    },
    /// The frontend's answer to `Login`.
    LoginResponse {
        /// The client.
        client: String,
        /// Whether `auth` accepted the credential.
        ok: bool,
    },
    /// Publish `text` under `topic` as `client`.
    Post {
        /// The author.
        client: String,
        /// The topic posted to.
        topic: String,
        /// The post.
        text: String,
    },
    /// The frontend's answer to `Post`.
    PostResponse {
        /// The author.
        client: String,
        /// Whether the post is stored.
        ok: bool,
        /// The post's key in `kv` (empty when refused).
        key: String,
    },
    /// Replace the text of `client`'s post under `topic` (posts are
    /// immutable: a correct frontend refuses).
    Edit {
        /// The author.
        client: String,
        /// The topic of the post to edit.
        topic: String,
        /// The new text.
        text: String,
    },
    /// The frontend's answer to `Edit`.
    EditResponse {
        /// The author.
        client: String,
        /// Whether the post was changed.
        ok: bool,
    },
    /// Read every post under `topic` (no login needed).
    Read {
        /// The reader.
        client: String,
        /// The topic.
        topic: String,
    },
    /// The frontend's answer to `Read`.
    ReadResponse {
        /// The reader.
        client: String,
        /// The topic.
        topic: String,
        /// The texts of the posts the frontend knows under it, in key order.
        posts: Vec<String>,
    },
    /// frontend → auth: check `client`'s credential.
    Authenticate {
        /// The client.
        client: String,
        /// The credential to check.
        credential: String,
    },
    /// auth → frontend: the verdict on a credential.
    AuthenticateResponse {
        /// The client.
        client: String,
        /// Whether the credential is the client's.
        ok: bool,
    },
    /// frontend → kv: store a new post.
    Insert {
        /// On whose behalf (read by I2).
        client: String,
        /// A fresh key under the topic.
        key: String,
        /// The post's text.
        value: String,
    },
    /// kv → frontend: the post is stored.
    InsertResponse {
        /// On whose behalf.
        client: String,
        /// The key stored.
        key: String,
    },
    /// frontend → kv: overwrite a stored post (forbidden by I1).
    Modify {
        /// On whose behalf.
        client: String,
        /// The key.
        key: String,
        /// The new text.
        value: String,
    },
    /// kv → frontend: the post is overwritten.
    ModifyResponse {
        /// On whose behalf.
        client: String,
        /// The key.
        key: String,
    },
    /// frontend → kv: read one post.
    Get {
        /// On whose behalf.
        client: String,
        /// The key.
        key: String,
    },
    /// kv → frontend: one post (empty if absent).
    GetResponse {
        /// On whose behalf.
        client: String,
        /// The key.
        key: String,
        /// Its text.
        value: String,
    },
    /// frontend → kv: remove a post (forbidden by I1; no shipped frontend sends it).
    Delete {
        /// On whose behalf.
        client: String,
        /// The key.
        key: String,
    },
    /// kv → frontend: the post is gone.
    DeleteResponse {
        /// On whose behalf.
        client: String,
        /// The key.
        key: String,
    },
}
