//! The five versions of es-replication, each one commit in the protocol's
//! history, and the one change each makes ([`Features`]).
//!
//! | version | change | expected |
//! |---|---|---|
//! | `v1` | the base protocol | counterexample (agreement) |
//! | `v2` | + resync from a new primary, rolling back what it lacks | certified |
//! | `v3` | + keep own op at a known seq; resync never rolls back | counterexample (durability) |
//! | `v4` | + primary terms: higher term replaces, older terms roll back | certified |
//! | `v5` | + local/global checkpoints: resync and roll back only above the global checkpoint | certified |

/// A version of the protocol, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// The base protocol: a newly promoted primary just carries on.
    V1,
    /// Resync: a new primary makes every in-sync copy's history equal to its own.
    V2,
    /// Sequence-number optimization: a copy that holds an op at an incoming
    /// seq keeps its own (and acks); resync only adds.
    V3,
    /// Primary terms: ops are `(term, seq)`; a higher term replaces.
    V4,
    /// Checkpoints: resync and roll back only above the global checkpoint.
    V5,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 5] = [
        Version::V1,
        Version::V2,
        Version::V3,
        Version::V4,
        Version::V5,
    ];

    /// The newest version, the default.
    pub const NEWEST: Version = Version::V5;

    /// The name used on the command line (`v1` … `v5`).
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2 => "v2",
            Version::V3 => "v3",
            Version::V4 => "v4",
            Version::V5 => "v5",
        }
    }

    /// The version called `name`, if any.
    pub fn parse(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.name() == name)
    }

    /// What this version does: every change up to and including its own.
    pub fn features(self) -> Features {
        Features {
            resync: self >= Version::V2,
            seqno_keep_own: self >= Version::V3,
            primary_terms: self >= Version::V4,
            checkpoints: self >= Version::V5,
        }
    }

    /// The change this version makes over the previous one, in one line.
    pub fn change(self) -> &'static str {
        match self {
            Version::V1 => "the base protocol; a newly promoted primary just carries on",
            Version::V2 => {
                "a new primary resyncs its whole history; copies roll back what it lacks"
            }
            Version::V3 => {
                "a copy keeps its own op at a known seq and still acks; resync only adds"
            }
            Version::V4 => "primary terms: a higher term replaces; resync rolls back older terms",
            Version::V5 => "checkpoints: resync and roll back only above the global checkpoint",
        }
    }
}

/// One flag per change in the protocol's history. A version has the flags
/// of every version up to it ([`Version::features`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// v2+: a newly promoted primary sends its history (`ResyncOp`s, then
    /// `ResyncDone`) to every other in-sync copy.
    pub resync: bool,
    /// v3+: a copy that already holds an op at an incoming sequence number
    /// keeps its own, drops the incoming payload, and still acknowledges.
    pub seqno_keep_own: bool,
    /// v4+: `M` bumps the term at every promotion; an incoming op with a
    /// higher term replaces the one at its seq; requests from an older
    /// term than a copy knows are refused.
    pub primary_terms: bool,
    /// v5: copies report local checkpoints, the primary sends the global
    /// checkpoint with every `Replicate`, and resync and rollback stay
    /// above it.
    pub checkpoints: bool,
}

impl Features {
    /// Whether a copy rolls back, on `ResyncDone`, the ops the new primary
    /// does not have: v2 (all of them), v4 (those from older terms), v5
    /// (those from older terms above the global checkpoint). v3 never does.
    pub fn resync_rolls_back(self) -> bool {
        self.resync && (!self.seqno_keep_own || self.primary_terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_features_accumulate() {
        for v in Version::ALL {
            assert_eq!(Version::parse(v.name()), Some(v));
        }
        assert_eq!(Version::V1.features(), Features::default());
        let v5 = Version::V5.features();
        assert!(v5.resync && v5.seqno_keep_own && v5.primary_terms && v5.checkpoints);
        assert!(Version::V2.features().resync_rolls_back());
        assert!(!Version::V3.features().resync_rolls_back());
        assert!(Version::V4.features().resync_rolls_back());
    }
}
