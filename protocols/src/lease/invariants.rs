//! The facts lease-election derives and its invariant.

use super::NODES;
use ldfi_harness::{Fact, Invariant, Prop, Tick};

/// `serving(n, t)`: node `n` held a lease and served at tick `t`.
pub fn serving(n: &str, t: Tick) -> Fact {
    Fact::new("serving", [n.to_string(), t.to_string()])
}

/// `granted(n, voter, r)`: candidate `n` received `voter`'s grant for its
/// request sent at tick `r`.
pub fn granted(n: &str, voter: &str, r: Tick) -> Fact {
    Fact::new("granted", [n.to_string(), voter.to_string(), r.to_string()])
}

/// "Two nodes serve at tick `t`": some pair of `serving` facts.
fn two_serve_at(t: Tick) -> Prop {
    let mut pairs = Vec::new();
    for (i, a) in NODES.iter().enumerate() {
        for b in &NODES[i + 1..] {
            pairs.push(Prop::And(vec![
                Prop::Holds(serving(a, t)),
                Prop::Holds(serving(b, t)),
            ]));
        }
    }
    Prop::Or(pairs)
}

/// **one-primary**: at every tick `1..=eot`, at most one node serves. Read
/// at every tick, those where nobody served included, so the search can
/// break the absence of either `serving` fact.
pub fn one_primary(eot: Tick) -> Invariant {
    Invariant::new("one-primary", move |_end| {
        let post = (1..=eot).map(|t| Prop::not(two_serve_at(t))).collect();
        (Prop::True, Prop::And(post))
    })
}
