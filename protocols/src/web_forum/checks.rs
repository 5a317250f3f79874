//! What the web forum is checked against: the facts its nodes derive, the
//! invariants read from them at EOT, and the enforcement spec
//! (`protocols/specs/web-forum.spec`) checked on every delivered message.
//!
//! The invariant is what the search breaks: its `post` is the outcome whose
//! lineage it tries to falsify. `stored(key)` reaches back through the auth
//! path (`Login` → `Authenticate` → `AuthenticateResponse` → `Insert`, and
//! the `Post` held meanwhile), so the solver proposes losing those messages
//! and crashing `auth` — which is what sends a frontend down its retry
//! path, where `insert-before-auth` breaks I2. I1 and I2 themselves are
//! properties of the message order, which no end-state fact records: only
//! the spec sees them.
//!
//! There is one invariant on purpose. The search conjoins the outcomes of
//! all good runs, and a run's outcome is the `post` of the invariants whose
//! `pre` held *in that run*. A second invariant with a different `pre` (say
//! "every client that asked to log in was answered") would, in a run that
//! lost the post but still logged the client in, contribute an outcome that
//! only late, un-omittable messages support — and the search would stop,
//! certified, without trying the auth faults.

use ldfi_harness::ldfi_enforce::Spec;
use ldfi_harness::{Fact, Invariant, Prop};
use std::sync::OnceLock;

/// `acked(c, key)`: client `c` was told its post is stored under `key` (at `c`).
pub fn acked(c: &str, key: &str) -> Fact {
    Fact::new("acked", [c, key])
}

/// `stored(key)`: `kv` stored a post under `key` (at `kv`).
pub fn stored(key: &str) -> Fact {
    Fact::new("stored", [key])
}

/// `auth_pending(c)`: the frontend was asked to log `c` in (at `frontend`).
pub fn auth_pending(c: &str) -> Fact {
    Fact::new("auth_pending", [c])
}

/// `authed(c)`: `auth` accepted `c`'s credential (at `frontend`).
pub fn authed(c: &str) -> Fact {
    Fact::new("authed", [c])
}

/// `held(c, topic)`: the frontend holds `c`'s post under `topic` until `c`'s
/// authentication answers (at `frontend`).
pub fn held(c: &str, topic: &str) -> Fact {
    Fact::new("held", [c, topic])
}

/// `posts-stored`: every post a client was told is stored is in `kv`.
/// `pre`: some client holds `acked(c, key)`; `post`: `stored(key)` for each.
pub fn posts_stored() -> Invariant {
    Invariant::new("posts-stored", |end| {
        let keys: Vec<String> = end.facts("acked").map(|f| f.args[1].clone()).collect();
        let pre = if keys.is_empty() {
            Prop::False
        } else {
            Prop::True
        };
        let post = keys.iter().map(|k| Prop::Holds(stored(k))).collect();
        (pre, Prop::And(post))
    })
    // Molly's assumption, declared (and confirmed by the default search):
    // a lost post or reply never makes a client see an acknowledgement.
    .pre_shrinks_with_faults()
}

/// The invariants of every version and workload.
pub fn invariants() -> Vec<Invariant> {
    vec![posts_stored()]
}

/// I1's rule name in the spec: `kv` never receives `Modify` or `Delete`.
pub const I1: &str = "I1_posts_immutable";
/// I2's rule name in the spec: no `Insert` for `c` before `auth` said yes to `c`.
pub const I2: &str = "I2_only_authenticated_clients_post";

/// Where the spec lives, as named in parse errors.
pub const SPEC_FILE: &str = "protocols/specs/web-forum.spec";
/// The spec's source, compiled in.
pub const SPEC_SOURCE: &str = include_str!("../../specs/web-forum.spec");

/// The enforcement spec, parsed once per process; a parse error (with its
/// `file:line:col`) is returned, never a panic.
pub fn spec() -> Result<Spec, ldfi_harness::ldfi_enforce::SpecError> {
    static SPEC: OnceLock<Result<Spec, ldfi_harness::ldfi_enforce::SpecError>> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_FILE, SPEC_SOURCE))
        .clone()
}
