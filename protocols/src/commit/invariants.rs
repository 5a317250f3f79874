//! The facts atomic-commit derives and its two invariants, read at EOT.
//!
//! Both are about what did *not* happen, so both are written with
//! [`Prop::Not`]: the search must be able to break the absence of an
//! `abort` (a timeout that fires) as well as the presence of a `commit`.

use super::{COORDINATOR, PARTICIPANTS};
use ldfi_harness::{Fact, Invariant, Prop};

/// `vote(p, yes|no)`: participant `p` voted.
pub fn vote(p: &str, yes: bool) -> Fact {
    Fact::new("vote", [p, if yes { "yes" } else { "no" }])
}

/// `got_vote(c, p, yes|no)`: the coordinator received `p`'s vote.
pub fn got_vote(p: &str, yes: bool) -> Fact {
    Fact::new("got_vote", [COORDINATOR, p, if yes { "yes" } else { "no" }])
}

/// `commit(n)`: node `n` decided to commit.
pub fn commit(n: &str) -> Fact {
    Fact::new("commit", [n])
}

/// `abort(n)`: node `n` decided to abort.
pub fn abort(n: &str) -> Fact {
    Fact::new("abort", [n])
}

/// `commit(n)` or `abort(n)`.
pub fn decision(n: &str, commit_it: bool) -> Fact {
    if commit_it {
        commit(n)
    } else {
        abort(n)
    }
}

/// Every node, coordinator first.
fn all_nodes() -> impl Iterator<Item = &'static str> {
    std::iter::once(COORDINATOR).chain(PARTICIPANTS)
}

/// Some node holds the fact `f(n)`.
fn somewhere(f: fn(&str) -> Fact) -> Prop {
    Prop::Or(all_nodes().map(|n| Prop::Holds(f(n))).collect())
}

/// **agreement**: not (some node committed and some node aborted).
pub fn agreement() -> Invariant {
    Invariant::new("agreement", |_end| {
        let split = Prop::And(vec![somewhere(commit), somewhere(abort)]);
        (Prop::True, Prop::not(split))
    })
}

/// **validity**: no node committed unless every participant voted *yes*.
pub fn validity() -> Invariant {
    Invariant::new("validity", |_end| {
        let all_yes = PARTICIPANTS
            .iter()
            .map(|p| Prop::Holds(vote(p, true)))
            .collect();
        let post = Prop::Or(vec![Prop::not(somewhere(commit)), Prop::And(all_yes)]);
        (Prop::True, post)
    })
}

/// Both invariants, agreement first.
pub fn invariants() -> Vec<Invariant> {
    vec![agreement(), validity()]
}
