//! Resync (v2+): a newly promoted primary sends every other in-sync copy
//! its history — one `ResyncOp` per op (v5: only above the global
//! checkpoint), then a `ResyncDone` listing what it holds — and a copy
//! makes its history match before it accepts new writes (messages from one
//! sender arrive in order). What a copy may replace or roll back is the
//! version's rule ([`decide`](super::history::decide),
//! [`rollback_seqs`]).

use super::copy::CopyNode;
use super::facts;
use super::history::rollback_seqs;
use super::msg::{Msg, Op, Seq, Term};
use ldfi_harness::{Ctx, Fact, NodeId, Trace};

/// The name every resync message starts with.
pub const RESYNC_PREFIX: &str = "Resync";

/// How many resync messages (`ResyncOp`, `ResyncDone`, `ResyncAck`) were
/// sent in a run: sends whose label names a resync message.
pub fn resync_messages(trace: &Trace) -> usize {
    trace
        .events
        .iter()
        .filter(|e| matches!(e, ldfi_harness::Event::Send { label, .. } if label.starts_with(RESYNC_PREFIX)))
        .count()
}

impl CopyNode {
    /// The floor of a resync: the global checkpoint in v5, 0 before.
    fn resync_floor(&self, global_checkpoint: Seq) -> Seq {
        if self.features.checkpoints {
            global_checkpoint
        } else {
            0
        }
    }

    /// Sends the resync to every other in-sync copy (new primary, v2+).
    pub(super) fn start_resync(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let (term, floor) = (self.lead_term(), self.resync_floor(self.global_checkpoint));
        let ops: Vec<(Seq, Op)> = self
            .history
            .above(floor)
            .map(|(s, o)| (s, o.clone()))
            .collect();
        let primary = facts::primary(&self.me, term);
        let held: Vec<Fact> = ops
            .iter()
            .map(|(s, o)| facts::op(&self.me, *s, o.term, &o.id))
            .collect();
        let list: Vec<(Seq, Term)> = ops.iter().map(|(s, o)| (*s, o.term)).collect();
        for c in self.others() {
            let to = ctx.node(&c);
            for ((seq, op), fact) in ops.iter().zip(&held) {
                ctx.because([primary.clone(), fact.clone()]);
                let msg = Msg::ResyncOp {
                    primary_term: term,
                    seq: *seq,
                    term: op.term,
                    id: op.id.clone(),
                    payload: op.payload.clone(),
                    digest: op.digest(*seq),
                    global_checkpoint: floor,
                };
                ctx.send(to, msg);
            }
            ctx.because(held.iter().cloned().chain([primary.clone()]));
            let done = Msg::ResyncDone {
                primary_term: term,
                global_checkpoint: floor,
                ops: list.clone(),
            };
            ctx.send(to, done);
            self.lead_mut().resyncing.insert(c, ctx.now());
        }
    }

    pub(super) fn on_resync_op(
        &mut self,
        ctx: &mut Ctx<'_, Msg>,
        primary_term: Term,
        seq: Seq,
        op: Op,
        global_checkpoint: Seq,
    ) {
        if self.stale(primary_term) {
            return;
        }
        self.learn(primary_term, global_checkpoint);
        self.apply_op(ctx, seq, op);
    }

    /// Rolls back what the version says the new primary's history rules
    /// out, then acknowledges.
    pub(super) fn on_resync_done(
        &mut self,
        ctx: &mut Ctx<'_, Msg>,
        from: NodeId,
        primary_term: Term,
        global_checkpoint: Seq,
        ops: &[(Seq, Term)],
    ) {
        if self.stale(primary_term) {
            return;
        }
        self.learn(primary_term, global_checkpoint);
        let floor = self.resync_floor(global_checkpoint);
        for seq in rollback_seqs(self.features, &self.history, primary_term, floor, ops) {
            let old = self.history.remove(seq).expect("rolled back seqs are held");
            self.record_drop(ctx, seq, &old);
        }
        let mut why: Vec<Fact> = self
            .history
            .above(floor)
            .map(|(s, o)| facts::op(&self.me, s, o.term, &o.id))
            .collect();
        why.extend(self.drops.iter().cloned());
        ctx.because(why);
        let local_checkpoint = self.history.local_checkpoint();
        ctx.send(
            from,
            Msg::ResyncAck {
                primary_term,
                local_checkpoint,
            },
        );
    }

    pub(super) fn on_resync_ack(
        &mut self,
        ctx: &mut Ctx<'_, Msg>,
        from: NodeId,
        primary_term: Term,
        local_checkpoint: Seq,
    ) {
        if self.lead.is_none() || primary_term != self.lead_term() {
            return;
        }
        let n = ctx.name(from).to_string();
        self.lead_mut().resyncing.remove(&n);
        self.note_checkpoint(&n, local_checkpoint);
    }
}
