//! The building blocks programs are made of: each returns the rules of one
//! behaviour (store and forward, retry until acknowledged, acknowledge,
//! decide by timeout, hold a lease, roll back on a message).

use super::program::{Action, Cond, Pat, Rule, To, Trigger};
use ldfi_lineage::Tick;

/// `Recv(tag)`.
pub fn recv(tag: &str) -> Trigger {
    Trigger::Recv(tag.into())
}

/// `Timer(name)`.
pub fn timer(name: &str) -> Trigger {
    Trigger::Timer(name.into())
}

/// Sends `tag` to each of `to`.
pub fn send(tag: &str, to: &[String]) -> Action {
    Action::Send(tag.into(), to.iter().map(|n| To::Node(n.clone())).collect())
}

/// Replies `tag` to the sender.
pub fn reply(tag: &str) -> Action {
    Action::Send(tag.into(), vec![To::From])
}

/// `+rel(me)`.
pub fn derive(rel: &str) -> Action {
    Action::Derive(Pat::mine(rel))
}

/// `-rel(me)`.
pub fn retract(rel: &str) -> Action {
    Action::Retract(Pat::mine(rel))
}

/// Sets timer `name` to `after` ticks from now.
pub fn set_timer(name: &str, after: Tick) -> Action {
    Action::SetTimer(name.into(), after)
}

/// On `tag`: derive `rel(me)`, then `then` (e.g. forward it).
pub fn store(tag: &str, rel: &str, then: Vec<Action>) -> Rule {
    let mut actions = vec![derive(rel)];
    actions.extend(then);
    Rule::new(recv(tag), vec![], actions)
}

/// On the first `tag` only: derive `rel(me)` and forward `fwd` to `to`
/// (a relay that acts once).
pub fn relay_once(tag: &str, rel: &str, fwd: &str, to: &[String]) -> Rule {
    Rule::new(
        recv(tag),
        vec![Cond::Lacks(Pat::mine(rel))],
        vec![derive(rel), send(fwd, to)],
    )
}

/// On `tag` from a peer: record `rel(me, from)` (the peer acknowledged or voted).
pub fn record(tag: &str, rel: &str) -> Rule {
    Rule::new(
        recv(tag),
        vec![],
        vec![Action::Derive(Pat::from_sender(rel))],
    )
}

/// On `tag`: reply `ack` to the sender.
pub fn ack(tag: &str, ack: &str) -> Rule {
    Rule::new(recv(tag), vec![], vec![reply(ack)])
}

/// Every tick while holding `rel(me)`: send `tag` to `to`.
pub fn every_tick(rel: &str, tag: &str, to: &[String]) -> Rule {
    Rule::new(
        Trigger::Tick,
        vec![Cond::Holds(Pat::mine(rel))],
        vec![send(tag, to)],
    )
}

/// Every tick while holding `rel(me)` and lacking `acked(me, peer)`
/// (and every `stop` fact): re-send `tag` to `peer`, one rule per peer.
pub fn retry_until(
    rel: &str,
    tag: &str,
    acked: &str,
    peers: &[String],
    stop: &[&str],
) -> Vec<Rule> {
    peers
        .iter()
        .map(|peer| {
            let mut when = vec![
                Cond::Holds(Pat::mine(rel)),
                Cond::Lacks(Pat::about(acked, peer)),
            ];
            when.extend(stop.iter().map(|s| Cond::Lacks(Pat::mine(s))));
            Rule::new(
                Trigger::Tick,
                when,
                vec![send(tag, std::slice::from_ref(peer))],
            )
        })
        .collect()
}

/// On timer `name`: if at least `k` of `rel(me, peer)` hold, `yes`, else
/// `no` — a decision by absence.
pub fn decide(
    name: &str,
    rel: &str,
    peers: &[String],
    k: usize,
    yes: Vec<Action>,
    no: Vec<Action>,
) -> Rule {
    let votes = peers.iter().map(|p| Pat::about(rel, p)).collect();
    Rule {
        on: timer(name),
        when: vec![Cond::AtLeast(k, votes)],
        then: yes,
        otherwise: no,
    }
}

/// On each `tag`: once at least `k` of `rel(me, peer)` hold, `then`.
pub fn on_quorum(tag: &str, rel: &str, peers: &[String], k: usize, then: Vec<Action>) -> Rule {
    let votes = peers.iter().map(|p| Pat::about(rel, p)).collect();
    Rule::new(recv(tag), vec![Cond::AtLeast(k, votes)], then)
}

/// On timer `name`, unless `rel(me)` or any of `unless` holds: `then` (a
/// timeout that acts because nothing arrived).
pub fn timeout_unless(name: &str, unless: &[&str], then: Vec<Action>) -> Rule {
    let when = unless.iter().map(|r| Cond::Lacks(Pat::mine(r))).collect();
    Rule::new(timer(name), when, then)
}

/// On `tag`: retract each of `rels` at this node (a rollback), then `then`.
pub fn rollback(tag: &str, rels: &[&str], then: Vec<Action>) -> Rule {
    let mut actions: Vec<Action> = rels.iter().map(|r| retract(r)).collect();
    actions.extend(then);
    Rule::new(recv(tag), vec![], actions)
}
