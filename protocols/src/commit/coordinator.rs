//! The coordinator `c`: asks for votes, decides once, forces the decision
//! to its log (the fact) and sends it at the next tick, and answers
//! participants that ask. The same in both versions.

use super::invariants::{decision, got_vote};
use super::{Msg, COORDINATOR, PARTICIPANTS, VOTE_TIMEOUT};
use ldfi_harness::{Ctx, Node, NodeId};
use std::collections::BTreeMap;

/// The vote timer's name.
const VOTES: &str = "votes";
/// The timer that sends a logged decision (one tick after deciding).
const SEND: &str = "send";

/// The coordinator node.
#[derive(Debug, Default)]
pub struct Coordinator {
    /// The votes received so far, by participant.
    votes: BTreeMap<String, bool>,
    /// The decision, once taken: commit (true) or abort.
    decided: Option<bool>,
}

impl Coordinator {
    fn on_vote(&mut self, ctx: &mut Ctx<'_, Msg>, from: &str, yes: bool) {
        if self.decided.is_some() || !PARTICIPANTS.contains(&from) {
            return;
        }
        ctx.because([]);
        ctx.derive(got_vote(from, yes));
        self.votes.insert(from.to_string(), yes);
        if !yes {
            ctx.because([got_vote(from, false)]);
            ctx.guard(decision(COORDINATOR, true));
            self.decide(ctx, false);
        } else if PARTICIPANTS
            .iter()
            .all(|p| self.votes.get(*p) == Some(&true))
        {
            ctx.because(PARTICIPANTS.map(|p| got_vote(p, true)));
            // It did not abort because every vote arrived before its timer.
            ctx.guard(decision(COORDINATOR, false));
            self.decide(ctx, true);
        }
    }

    /// Logs the decision (with the causes already declared) and sends it
    /// at the next tick.
    fn decide(&mut self, ctx: &mut Ctx<'_, Msg>, commit: bool) {
        ctx.derive(decision(COORDINATOR, commit));
        self.decided = Some(commit);
        ctx.cancel_timer(VOTES);
        ctx.set_timer(SEND, 1);
    }

    fn send_decision(&self, ctx: &mut Ctx<'_, Msg>, to: &[NodeId]) {
        if let Some(commit) = self.decided {
            ctx.because([decision(COORDINATOR, commit)]);
            ctx.send_all(to, Msg::Decision { commit });
        }
    }
}

impl Node<Msg> for Coordinator {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Begin if from == NodeId::ENV => {
                ctx.because([]);
                let participants: Vec<NodeId> = PARTICIPANTS.iter().map(|p| ctx.node(p)).collect();
                ctx.send_all(&participants, Msg::Prepare);
                ctx.set_timer(VOTES, VOTE_TIMEOUT);
            }
            Msg::Vote { yes } => {
                let from = ctx.name(from).to_string();
                self.on_vote(ctx, &from, yes);
            }
            Msg::Query => self.send_decision(ctx, &[from]),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, name: &str) {
        match name {
            VOTES if self.decided.is_none() => self.decide(ctx, false),
            SEND => {
                let participants: Vec<NodeId> = PARTICIPANTS.iter().map(|p| ctx.node(p)).collect();
                self.send_decision(ctx, &participants);
            }
            _ => {}
        }
    }
}
