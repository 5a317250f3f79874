//! A participant: votes when asked, adopts the coordinator's decision, and
//! on a decision timeout either aborts on its own (`v1`, the bug) or asks
//! the coordinator again (`v2`).

use super::invariants::{abort, decision, vote};
use super::{Msg, Version, COORDINATOR, DECISION_TIMEOUT};
use ldfi_harness::{Ctx, Node, NodeId};

/// The decision timer's name.
const DECISION: &str = "decision";

/// A participant node.
#[derive(Debug)]
pub struct Participant {
    /// How it votes.
    yes: bool,
    /// Which version it runs.
    version: Version,
    /// Whether it has voted.
    voted: bool,
    /// Its decision, once taken: commit (true) or abort.
    decided: Option<bool>,
}

impl Participant {
    /// A participant that votes `yes` (or not), running `version`.
    pub fn new(yes: bool, version: Version) -> Self {
        Participant {
            yes,
            version,
            voted: false,
            decided: None,
        }
    }

    fn on_prepare(&mut self, ctx: &mut Ctx<'_, Msg>, me: &str) {
        if self.voted {
            return;
        }
        self.voted = true;
        ctx.because([]);
        ctx.derive(vote(me, self.yes));
        let c = ctx.node(COORDINATOR);
        ctx.send(c, Msg::Vote { yes: self.yes });
        if self.yes {
            ctx.set_timer(DECISION, DECISION_TIMEOUT);
        } else {
            // A *no* voter may abort on the spot: `c` cannot commit without it.
            ctx.because([vote(me, false)]);
            ctx.derive(abort(me));
            self.decided = Some(false);
        }
    }

    fn on_decision(&mut self, ctx: &mut Ctx<'_, Msg>, me: &str, commit: bool) {
        if self.decided.is_some_and(|d| d != commit) {
            // Only `v1` can get here: it aborted alone and cannot undo it.
            return;
        }
        ctx.because([]);
        ctx.derive(decision(me, commit));
        self.decided = Some(commit);
        ctx.cancel_timer(DECISION);
    }
}

impl Node<Msg> for Participant {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        let from_coordinator = ctx.name(from) == COORDINATOR;
        match msg {
            Msg::Prepare if from_coordinator => self.on_prepare(ctx, &me),
            Msg::Decision { commit } if from_coordinator => self.on_decision(ctx, &me, commit),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, name: &str) {
        if name != DECISION || self.decided.is_some() {
            return;
        }
        match self.version {
            Version::V1 => {
                let me = ctx.name(ctx.me()).to_string();
                ctx.derive(abort(&me));
                self.decided = Some(false);
            }
            Version::V2 => {
                let c = ctx.node(COORDINATOR);
                ctx.send(c, Msg::Query);
                ctx.set_timer(DECISION, DECISION_TIMEOUT);
            }
        }
    }
}
