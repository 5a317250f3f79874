//! The invariants, checked at EOT, with every exclusion read positively.
//!
//! A copy is a *live in-sync copy* if it is in `M`'s final in-sync set and
//! not crashed. `M` only ever removes copies, on a `FailCopy` (the fact
//! `failed(n)`) or a crash notice (`crash_seen(n, t)`), so for each copy the
//! invariants read one of:
//! - `crash_seen(n, t)`: `n` is out because it crashed at `t`, and that
//!   crash shaped the cluster state (a promotion, a smaller in-sync set).
//!   The failure detector's notice is an input, without lineage, so the
//!   post carries the crash itself as a *conjunct* ([`crash_shaped`]):
//!   that is how the search learns that the run's good outcome rested on it;
//! - otherwise `Crashed(n) ∨ failed(n) ∨ (what n must hold)`.

use super::facts;
use super::COPIES;
use ldfi_harness::{EndState, Fact, Invariant, Prop};

/// `Prop::True` or `Prop::False`.
fn truth(b: bool) -> Prop {
    if b {
        Prop::True
    } else {
        Prop::False
    }
}

/// The conjunct for a copy `M` saw crash at tick `t`: the crash itself and
/// the fact `crash_seen(n, t)`.
///
/// Known limit: the model API's only crash proposition is `Crashed(n)`
/// ("crashed at some tick"), so the lineage of a run whose primary crashed
/// early (before replicating anything, the run still good) also covers
/// every later crash of that node — including the counterexamples of v1
/// and v3 on `failover-then-write`. The right conjunct is "crashed by tick
/// `t`" (the solver already has `down(n, t)`); with a
/// `Prop::CrashedBy(node, t)` this function becomes
/// `Prop::And(vec![end.crashed_by_prop(n, t), Prop::Holds(seen)])`.
pub fn crash_shaped(end: &EndState, n: &str, t: &str) -> Prop {
    let seen = Fact::new("crash_seen", [n, t]);
    let t: ldfi_harness::Tick = t.parse().expect("crash ticks are numbers");
    Prop::And(vec![end.crashed_by_prop(n, t), Prop::Holds(seen)])
}

/// What copy `n` contributes to a post whose requirement on a live
/// in-sync copy is `ok`.
fn per_copy(end: &EndState, n: &str, ok: Prop) -> Prop {
    if let Some(seen) = args_of(end, "crash_seen", n).next() {
        return crash_shaped(end, n, &seen.args[1]);
    }
    Prop::Or(vec![end.crashed_prop(n), Prop::Holds(facts::failed(n)), ok])
}

/// Whether `n` is a live in-sync copy at EOT.
fn live_in_sync(end: &EndState, n: &str) -> bool {
    !end.crashed(n) && !end.holds(&facts::failed(n))
}

/// Every fact of `rel` whose first argument is `n`.
fn args_of<'a>(end: &'a EndState, rel: &'a str, n: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
    end.facts(rel)
        .filter(move |f| f.args.first().map(String::as_str) == Some(n))
}

/// **durability**: `pre` — `C` received `Ack(id)` for some write; `post` —
/// every live in-sync copy holds each acknowledged write at its sequence
/// number with its term (`stored(n, seq, term, id)`).
pub fn durability() -> Invariant {
    Invariant::new("durability", |end| {
        let acked: Vec<Fact> = end.facts("acked").cloned().collect();
        let mut post = Vec::new();
        for a in &acked {
            let (id, seq, term) = (&a.args[0], &a.args[1], &a.args[2]);
            for n in COPIES {
                let fact = Fact::new("stored", [n, seq, term, id]);
                post.push(per_copy(end, n, Prop::Holds(fact)));
            }
        }
        (truth(!acked.is_empty()), Prop::And(post))
    })
}

/// **agreement**: `pre` — some live in-sync copy holds some operation;
/// `post` — all live in-sync copies hold identical histories
/// (`history(n, digest)` with one digest, that of the first live in-sync copy).
pub fn agreement() -> Invariant {
    Invariant::new("agreement", |end| {
        let live: Vec<&str> = COPIES
            .into_iter()
            .filter(|n| live_in_sync(end, n))
            .collect();
        let pre = live
            .iter()
            .any(|n| args_of(end, "stored", n).next().is_some());
        let reference = live
            .iter()
            .find_map(|n| args_of(end, "history", n).next())
            .map(|f| f.args[1].clone());
        let Some(digest) = reference else {
            return (truth(pre), Prop::True);
        };
        let post = COPIES
            .into_iter()
            .map(|n| {
                let same = Fact::new("history", [n, digest.as_str()]);
                per_copy(end, n, Prop::Holds(same))
            })
            .collect();
        (truth(pre), Prop::And(post))
    })
}

/// Both invariants, durability first (a run that breaks both reports it).
pub fn invariants() -> Vec<Invariant> {
    vec![durability(), agreement()]
}
