//! The variants of the forum, selected when a service starts (and, in
//! simulation, as the protocol's versions). Only the frontend differs.
//!
//! | version | defect | expected |
//! |---|---|---|
//! | `correct` (default) | none | certified |
//! | `insert-before-auth` | when its first `Authenticate` goes unanswered the frontend retries, and on that retry path inserts the posts it holds before `auth` has answered | counterexample: `I2_only_authenticated_clients_post`, needs a lost `Authenticate` or answer, or a crashed `auth` |
//! | `edit-post` | an "edit post" feature that calls `kv.Modify` | counterexample: `I1_posts_immutable`, fault-free |

/// A variant of the forum: the very versions of the `web-forum` message
/// model (one list of variants, one set of names), run here as services.
pub use ldfi_protocols::web_forum::Version;
