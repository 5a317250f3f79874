//! The variants of the forum, selected when a service starts (and, in
//! simulation, as the protocol's versions). Only the frontend differs.
//!
//! | version | defect | expected |
//! |---|---|---|
//! | `correct` (default) | none | certified |
//! | `insert-before-auth` | when its first `Authenticate` goes unanswered the frontend retries, and on that retry path inserts the posts it holds before `auth` has answered | counterexample: `I2_only_authenticated_clients_post`, needs a lost `Authenticate` or answer, or a crashed `auth` |
//! | `edit-post` | an "edit post" feature that calls `kv.Modify` | counterexample: `I1_posts_immutable`, fault-free |

/// A variant of the forum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The forum of the spec.
    Correct,
    /// Inserts held posts on its `Authenticate` retry path (violates I2).
    InsertBeforeAuth,
    /// Implements `Edit` with `kv.Modify` (violates I1).
    EditPost,
}

impl Version {
    /// Every version, the default first.
    pub const ALL: [Version; 3] = [
        Version::Correct,
        Version::InsertBeforeAuth,
        Version::EditPost,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Version::Correct => "correct",
            Version::InsertBeforeAuth => "insert-before-auth",
            Version::EditPost => "edit-post",
        }
    }

    /// The version called `name`, if any.
    pub fn parse(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Every version's name, comma-separated (for error messages).
    pub fn names() -> String {
        Version::ALL.map(Version::name).join(", ")
    }
}
