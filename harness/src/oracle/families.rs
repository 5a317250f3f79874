//! The protocol families the generator draws from, each with knobs that
//! make it correct or deliberately buggy (`commit` and `lease`, which
//! decide by timeouts, are in [`timeouts`](super::timeouts)).
//!
//! - `broadcast`: deliver a payload to every node (simple, retry, classic
//!   relay, redundant, ack-until) — durability.
//! - `replicate`: a primary replicates a write and commits after acks or by
//!   a timeout that rolls back — durability of what the client was told.
//! - `commit`: two-phase commit where the coordinator decides by timeout and
//!   participants roll back on abort or time out — agreement.
//! - `lease`: a leader holds a lease renewed by heartbeats; standbys take
//!   over on silence — at most one leader.

use super::blocks::*;
use super::program::Rule;
use super::protocol::Spec;
use ldfi_lineage::{Fact, Tick};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A protocol before its bounds are chosen.
pub struct Draft {
    /// Family name.
    pub family: &'static str,
    /// Variant description.
    pub variant: String,
    /// Node names, in order.
    pub nodes: Vec<String>,
    /// Nodes that never fail.
    pub exempt: Vec<String>,
    /// Nodes to exempt first when the fault space must shrink (those whose
    /// failures matter least to the invariant).
    pub spare: Vec<String>,
    /// Programs, in node order.
    pub programs: Vec<Vec<Rule>>,
    /// Inputs: (tick, node, tag).
    pub inputs: Vec<(Tick, String, String)>,
    /// Invariants.
    pub specs: Vec<Spec>,
    /// The first EOT at which the fault-free run keeps its promises.
    pub eot_min: Tick,
}

pub(crate) fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub(crate) fn all_at(nodes: &[String], rel: &str) -> Vec<(String, Fact)> {
    nodes
        .iter()
        .map(|n| (n.clone(), Fact::new(rel, [n])))
        .collect()
}

fn except(nodes: &[String], me: &str) -> Vec<String> {
    nodes.iter().filter(|n| *n != me).cloned().collect()
}

pub(crate) fn correctness(ok: bool) -> &'static str {
    if ok {
        "meant correct"
    } else {
        "meant buggy"
    }
}

/// `broadcast`: `a` gets `Bcast` at tick 1 and sends `Data` to the others.
pub fn broadcast(rng: &mut ChaCha8Rng) -> Draft {
    let nodes = names(&["a", "b", "c", "d"][..rng.random_range(2..=4)]);
    let others = nodes[1..].to_vec();
    let kinds = ["simple", "retry", "classic", "redundant", "ack-until"];
    let kind = kinds[rng.random_range(0..kinds.len())];
    let mut programs = vec![vec![store("Bcast", "log", vec![send("Data", &others)])]];
    for n in &others {
        programs.push(match kind {
            "classic" => vec![relay_once("Data", "log", "Data", &except(&nodes, n))],
            "ack-until" => vec![store("Data", "log", vec![reply("Ack")])],
            _ => vec![store("Data", "log", vec![])],
        });
    }
    for (i, n) in nodes.iter().enumerate() {
        let peers = except(&nodes, n);
        match kind {
            "retry" if i == 0 => programs[0].push(every_tick("log", "Data", &peers)),
            "redundant" => programs[i].push(every_tick("log", "Data", &peers)),
            "ack-until" => {
                programs[i].push(record("Ack", "acked"));
                programs[i].extend(retry_until("log", "Data", "acked", &peers, &[]));
            }
            _ => {}
        }
    }
    let ok = matches!(kind, "redundant" | "ack-until");
    Draft {
        family: "broadcast",
        variant: format!("{kind}, {}", correctness(ok)),
        specs: vec![Spec::Durable {
            name: "delivery".into(),
            pre: all_at(&others, "log"),
            pre_live: true,
            fold_pre: rng.random_bool(0.5),
            post: all_at(&nodes, "log"),
        }],
        inputs: vec![(1, "a".into(), "Bcast".into())],
        nodes,
        exempt: vec![],
        spare: vec![],
        programs,
        eot_min: 3,
    }
}

/// `replicate`: an optional client `c` asks primary `p` to write; `p`
/// stores, sends `Data` to the replicas and commits on acks (or early, or
/// by a timeout that aborts and rolls the replicas back).
pub fn replicate(rng: &mut ChaCha8Rng) -> Draft {
    let client = rng.random_bool(0.5);
    let replicas = names(&["r1", "r2"][..rng.random_range(1..=2)]);
    let k = replicas.len();
    let quorum = if k > 1 && rng.random_bool(0.3) {
        k - 1
    } else {
        k
    };
    let commit = ["acks", "early", "timeout"][rng.random_range(0..3)];
    let retry = rng.random_bool(0.5);
    let wait: Tick = rng.random_range(2..=3);
    let mut nodes = if client {
        names(&["c", "p"])
    } else {
        names(&["p"])
    };
    nodes.extend(replicas.iter().cloned());
    let (req, start) = if client { ("Req", 2) } else { ("Write", 1) };
    let mut told = vec![derive("committed")];
    if client {
        told.push(send("Done", &names(&["c"])));
    }
    let mut p = vec![
        relay_once(req, "log", "Data", &replicas),
        record("Ack", "acked"),
    ];
    let decided_at = match commit {
        "early" => {
            p[0].then.extend(told.clone());
            start
        }
        "acks" => {
            p.push(on_quorum("Ack", "acked", &replicas, quorum, told.clone()));
            start + 2
        }
        _ => {
            p[0].then.push(set_timer("commit", wait));
            let undo = vec![derive("aborted"), retract("log"), send("Undo", &replicas)];
            p.push(decide(
                "commit",
                "acked",
                &replicas,
                quorum,
                told.clone(),
                undo,
            ));
            start + wait
        }
    };
    if retry {
        p.extend(retry_until("log", "Data", "acked", &replicas, &["aborted"]));
    }
    let mut programs = Vec::new();
    if client {
        let mut c = vec![
            store("Write", "wrote", vec![send("Req", &names(&["p"]))]),
            record("Done", "answered"),
        ];
        if rng.random_bool(0.5) {
            c.extend(retry_until("wrote", "Req", "answered", &names(&["p"]), &[]));
        }
        programs.push(c);
    }
    programs.push(p);
    for _ in &replicas {
        programs.push(vec![
            store("Data", "log", vec![reply("Ack")]),
            rollback("Undo", &["log"], vec![]),
        ]);
    }
    let pre = if client {
        vec![("c".to_string(), Fact::new("answered", ["c", "p"]))]
    } else {
        all_at(&names(&["p"]), "committed")
    };
    let ok = commit != "early" && quorum == k;
    Draft {
        family: "replicate",
        variant: format!(
            "commit on {commit} (quorum {quorum} of {k}, wait {wait}), {}retry, {}",
            if retry { "" } else { "no " },
            correctness(ok)
        ),
        specs: vec![Spec::Durable {
            name: "durability".into(),
            pre,
            pre_live: false,
            fold_pre: rng.random_bool(0.5),
            post: all_at(&replicas, "log"),
        }],
        inputs: vec![(1, nodes[0].clone(), "Write".into())],
        exempt: if client && rng.random_bool(0.5) {
            names(&["c"])
        } else {
            vec![]
        },
        spare: if client { names(&["c"]) } else { vec![] },
        nodes,
        programs,
        eot_min: decided_at + if client { 2 } else { 1 },
    }
}
