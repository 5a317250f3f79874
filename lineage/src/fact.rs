//! Facts: the named, persistent pieces of state a protocol derives.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A fact such as `log(b, hello)`: a relation name and its arguments.
///
/// Facts persist once derived. They are what invariants read at EOT and what
/// lineage explains. Two facts are the same fact when relation and arguments
/// are equal. A `Fact` is shared: cloning it (as every cause that names it
/// does) is a reference-count increment; its parts read through `Deref`
/// (`fact.rel`, `fact.args`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fact(Arc<FactData>);

/// The parts of a [`Fact`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FactData {
    /// Relation name, e.g. `log`.
    pub rel: String,
    /// Arguments, rendered as strings, e.g. `["b", "hello"]`.
    pub args: Vec<String>,
}

impl std::ops::Deref for Fact {
    type Target = FactData;

    fn deref(&self) -> &FactData {
        &self.0
    }
}

impl Fact {
    /// A fact with relation `rel` and the given arguments.
    ///
    /// ```
    /// let f = ldfi_lineage::Fact::new("log", ["b", "hello"]);
    /// assert_eq!(f.to_string(), "log(b, hello)");
    /// ```
    pub fn new<I, S>(rel: &str, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: ToString,
    {
        Fact(Arc::new(FactData {
            rel: rel.to_string(),
            args: args.into_iter().map(|a| a.to_string()).collect(),
        }))
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.rel)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{a}")?;
        }
        write!(f, ")")
    }
}
