//! The families that decide by absence: `commit` (a coordinator's
//! decision timer, participants' timeouts, rollbacks) and `lease` (a lease
//! that ends unless renewed, takeover on silence, deposition by message).

use super::blocks::*;
use super::families::{all_at, correctness, names, Draft};
use super::program::{Cond, Pat, Rule, Trigger};
use super::protocol::Spec;
use ldfi_lineage::Tick;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// `commit`: coordinator `co` sends `Prepare`, collects `Yes` votes and
/// decides when its timer fires; participants roll back on `Abort`, and may
/// time out (deciding unilaterally, abort or commit: a bug; asking `co`:
/// correct).
pub fn commit(rng: &mut ChaCha8Rng) -> Draft {
    let ps = names(&["p1", "p2", "p3"][..[1, 1, 2, 2, 3][rng.random_range(0..5)]]);
    let k = ps.len();
    let quorum = if k > 1 && rng.random_bool(0.3) {
        k - 1
    } else {
        k
    };
    let no_voter = rng.random_bool(0.25).then(|| rng.random_range(0..k));
    let on_wait = ["block", "abort", "commit", "ask"][rng.random_range(0..4)];
    let t: Tick = rng.random_range(2..=3);
    let w: Tick = rng.random_range(t - 1..=t + 1);
    let mut nodes = names(&["co"]);
    nodes.extend(ps.iter().cloned());
    let mut co = vec![
        relay_once("Begin", "began", "Prepare", &ps),
        record("Yes", "vote"),
    ];
    co[0].then.push(set_timer("decide", t));
    let yes = vec![derive("commit"), send("Commit", &ps)];
    let no = vec![derive("abort"), send("Abort", &ps)];
    co.push(decide("decide", "vote", &ps, quorum, yes, no));
    if rng.random_bool(0.5) {
        co.extend(retry_until(
            "began",
            "Prepare",
            "vote",
            &ps,
            &["commit", "abort"],
        ));
    }
    if on_wait == "ask" {
        for (rel, tag) in [("commit", "Commit"), ("abort", "Abort")] {
            co.push(Rule::new(
                recv("Query"),
                vec![Cond::Holds(Pat::mine(rel))],
                vec![reply(tag)],
            ));
        }
    }
    let mut programs = vec![co];
    for i in 0..k {
        let mut p = if no_voter == Some(i) {
            vec![store("Prepare", "abort", vec![reply("No")])]
        } else {
            vec![store("Prepare", "prepared", vec![reply("Yes")])]
        };
        p.push(store("Commit", "commit", vec![]));
        p.push(rollback("Abort", &["prepared"], vec![derive("abort")]));
        match on_wait {
            "abort" => {
                p[0].then.push(set_timer("wait", w));
                p.push(timeout_unless(
                    "wait",
                    &["commit", "abort"],
                    vec![derive("abort"), retract("prepared")],
                ));
            }
            "commit" => {
                p[0].then.push(set_timer("wait", w));
                p.push(timeout_unless(
                    "wait",
                    &["commit", "abort"],
                    vec![derive("commit")],
                ));
            }
            "ask" => {
                p[0].then.push(set_timer("wait", w));
                p.push(timeout_unless(
                    "wait",
                    &["commit", "abort"],
                    vec![send("Query", &names(&["co"]))],
                ));
            }
            _ => {}
        }
        programs.push(p);
    }
    let ok = matches!(on_wait, "block" | "ask") && (quorum == k || no_voter.is_none());
    // A participant that waits less than `t` aborts before the decision
    // arrives (with `ask`, it asks before there is an answer and blocks).
    Draft {
        family: "commit",
        variant: format!(
            "quorum {quorum} of {k}, decide after {t}, participants {on_wait} after {w}{}, {}",
            if no_voter.is_some() {
                ", one votes no"
            } else {
                ""
            },
            correctness(ok)
        ),
        specs: vec![Spec::Agree {
            name: "agreement".into(),
            yes: all_at(&nodes, "commit"),
            no: all_at(&nodes, "abort"),
        }],
        inputs: vec![(1, "co".into(), "Begin".into())],
        nodes,
        exempt: vec![],
        spare: vec![],
        programs,
        eot_min: 2 + t,
    }
}

/// `lease`: `a` starts as leader with a lease of `l` ticks, beats every
/// tick and renews on acks (or by itself: a bug); standbys take over after
/// `t` silent ticks, and may depose `a` with a message.
pub fn lease(rng: &mut ChaCha8Rng) -> Draft {
    let nodes = names(&["a", "b", "c"][..[2, 2, 3][rng.random_range(0..3)]]);
    let standbys = nodes[1..].to_vec();
    let l: Tick = rng.random_range(1..=3);
    let t: Tick = rng.random_range(1..=4);
    let renew = ["ack", "self"][rng.random_range(0..2)];
    let depose = rng.random_bool(0.5);
    let mut a = vec![
        Rule::new(
            Trigger::Start,
            vec![],
            vec![derive("leader"), set_timer("lease", l)],
        ),
        every_tick("leader", "Beat", &standbys),
        timeout_unless("lease", &[], vec![retract("leader")]),
    ];
    let renewal = vec![Cond::Holds(Pat::mine("leader"))];
    a.push(match renew {
        "ack" => Rule::new(recv("BeatAck"), renewal, vec![set_timer("lease", l)]),
        _ => Rule::new(Trigger::Tick, renewal, vec![set_timer("lease", l)]),
    });
    if depose {
        a.push(rollback("Depose", &["leader"], vec![]));
    }
    let mut programs = vec![a];
    for (i, _) in standbys.iter().enumerate() {
        let after = t + i as Tick;
        let mut take = vec![derive("leader")];
        if depose {
            take.push(send("Depose", &names(&["a"])));
        }
        programs.push(vec![
            Rule::new(Trigger::Start, vec![], vec![set_timer("takeover", after)]),
            Rule::new(
                recv("Beat"),
                vec![],
                vec![set_timer("takeover", after), reply("BeatAck")],
            ),
            timeout_unless("takeover", &[], take),
        ]);
    }
    let ok = standbys.len() == 1 && renew == "ack" && t > l;
    Draft {
        family: "lease",
        variant: format!(
            "lease {l}, renew by {renew}, takeover after {t}{}, {}",
            if depose { ", depose by message" } else { "" },
            correctness(ok)
        ),
        specs: vec![Spec::AtMostOne {
            name: "at-most-one".into(),
            holders: all_at(&nodes, "leader"),
        }],
        inputs: vec![],
        nodes,
        exempt: vec![],
        spare: vec![],
        programs,
        eot_min: 4,
    }
}
