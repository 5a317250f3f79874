//! The primary's duties: take one client write per tick, assign it the
//! next sequence number, replicate it to every other in-sync copy, answer
//! the client once they all acknowledged, ask `M` to fail a copy that has
//! not answered within [`ACK_TIMEOUT`] ticks, and (v5) track the global
//! checkpoint.

use super::copy::CopyNode;
use super::facts;
use super::msg::{Msg, Op, Seq, Term};
use super::{ACK_TIMEOUT, CLIENT, MASTER};
use ldfi_harness::{Ctx, Fact, NodeId, Tick};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What a copy keeps while it is the primary.
#[derive(Debug, Default)]
pub struct Lead {
    /// The term it leads (its `primary(p, term)` fact).
    pub(super) term: Term,
    /// Client writes not yet replicated: `(id, payload)`.
    pub(super) queue: VecDeque<(String, String)>,
    /// Replicated writes not yet answered, by seq.
    pub(super) pending: BTreeMap<Seq, Pending>,
    /// Copies sent a resync, not yet acknowledged, with the tick it was sent.
    pub(super) resyncing: BTreeMap<String, Tick>,
    /// The latest local checkpoint each copy reported (v5).
    pub(super) checkpoints: BTreeMap<String, Seq>,
    /// Copies it asked `M` to fail.
    pub(super) fail_requested: BTreeSet<String>,
}

/// A replicated write awaiting acknowledgements.
#[derive(Debug)]
pub struct Pending {
    pub(super) id: String,
    pub(super) term: Term,
    pub(super) sent_at: Tick,
    pub(super) acked: BTreeSet<String>,
    pub(super) answered: bool,
}

impl CopyNode {
    /// Takes the primary's role for the current term.
    pub(super) fn become_primary(&mut self, ctx: &mut Ctx<'_, Msg>) {
        ctx.because([]);
        ctx.derive(facts::primary(&self.me, self.term));
        let mut lead = Lead {
            term: self.term,
            ..Lead::default()
        };
        for c in self.others() {
            lead.checkpoints.insert(c, self.global_checkpoint);
        }
        self.lead = Some(lead);
    }

    /// The other copies of the in-sync set.
    pub(super) fn others(&self) -> Vec<String> {
        self.in_sync
            .iter()
            .filter(|c| **c != self.me)
            .cloned()
            .collect()
    }

    pub(super) fn accept_write(&mut self, ctx: &mut Ctx<'_, Msg>, id: String, payload: String) {
        let Some(lead) = self.lead.as_mut() else {
            return; // not the primary: the write is lost (C does not retry)
        };
        ctx.because([]);
        ctx.derive(facts::queued(&self.me, &id));
        lead.queue.push_back((id, payload));
    }

    /// Assigns the next queued write a seq, stores it and replicates it.
    pub(super) fn replicate_next(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let Some((id, payload)) = self.lead.as_mut().and_then(|l| l.queue.pop_front()) else {
            return;
        };
        let (seq, term) = (self.history.next_seq(), self.lead_term());
        let op = Op { term, id, payload };
        let digest = op.digest(seq);
        let fact = facts::op(&self.me, seq, term, &op.id);
        ctx.because([
            facts::queued(&self.me, &op.id),
            facts::primary(&self.me, term),
        ]);
        ctx.derive(fact.clone());
        ctx.because([fact]);
        let global_checkpoint = self.global_checkpoint;
        for c in self.others() {
            let msg = Msg::Replicate {
                seq,
                term,
                id: op.id.clone(),
                payload: op.payload.clone(),
                digest,
                global_checkpoint,
            };
            let to = ctx.node(&c);
            ctx.send(to, msg);
        }
        let pending = Pending {
            id: op.id.clone(),
            term,
            sent_at: ctx.now(),
            acked: BTreeSet::new(),
            answered: false,
        };
        self.history.insert(seq, op);
        self.lead_mut().pending.insert(seq, pending);
        self.advance_global_checkpoint();
        self.try_ack(ctx, seq);
    }

    pub(super) fn on_replica_ack(
        &mut self,
        ctx: &mut Ctx<'_, Msg>,
        from: NodeId,
        seq: Seq,
        term: Term,
        local_checkpoint: Seq,
    ) {
        let n = ctx.name(from).to_string();
        let me = self.me.clone();
        let Some(p) = self.lead.as_mut().and_then(|l| l.pending.get_mut(&seq)) else {
            return;
        };
        if p.term != term {
            return;
        }
        ctx.because([]);
        ctx.derive(facts::replica_acked(&me, seq, term, &n));
        p.acked.insert(n.clone());
        self.note_checkpoint(&n, local_checkpoint);
        self.try_ack(ctx, seq);
    }

    /// Answers the client for `seq` once every other in-sync copy acknowledged it.
    pub(super) fn try_ack(&mut self, ctx: &mut Ctx<'_, Msg>, seq: Seq) {
        let others = self.others();
        let (me, version) = (self.me.clone(), self.version);
        let Some(op) = self.history.get(seq).cloned() else {
            return;
        };
        let Some(p) = self.lead.as_mut().and_then(|l| l.pending.get_mut(&seq)) else {
            return;
        };
        if p.answered || !others.iter().all(|c| p.acked.contains(c)) {
            return;
        }
        p.answered = true;
        let mut why = vec![facts::op(&me, seq, p.term, &p.id)];
        if version > 0 {
            why.push(facts::view(&me, version));
        }
        why.extend(
            others
                .iter()
                .map(|c| facts::replica_acked(&me, seq, p.term, c)),
        );
        let msg = Msg::Ack {
            id: p.id.clone(),
            seq,
            term: p.term,
            digest: op.digest(seq),
            replicas: others,
            acked_by: p.acked.iter().cloned().collect(),
        };
        ctx.because(why);
        let to = ctx.node(CLIENT);
        ctx.send(to, msg);
    }

    /// [`CopyNode::try_ack`] for every pending write (the in-sync set shrank).
    pub(super) fn try_ack_all(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let seqs: Vec<Seq> = self.lead_mut().pending.keys().copied().collect();
        for seq in seqs {
            self.try_ack(ctx, seq);
        }
    }

    /// Asks `M` to fail every in-sync copy that has not answered a write
    /// or a resync within [`ACK_TIMEOUT`] ticks.
    pub(super) fn check_timeouts(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let (now, others, me, term) = (ctx.now(), self.others(), &self.me, self.lead_term());
        let lead = self
            .lead
            .as_ref()
            .expect("only the primary checks timeouts");
        let mut late: Vec<(String, Fact)> = Vec::new();
        for (seq, p) in &lead.pending {
            if !p.answered && now >= p.sent_at + ACK_TIMEOUT {
                let why = facts::op(me, *seq, p.term, &p.id);
                let missing = others.iter().filter(|c| !p.acked.contains(*c));
                late.extend(missing.map(|c| (c.clone(), why.clone())));
            }
        }
        for (c, at) in &lead.resyncing {
            if now >= at + ACK_TIMEOUT && others.contains(c) {
                late.push((c.clone(), facts::primary(me, term)));
            }
        }
        for (copy, why) in late {
            if !self.lead_mut().fail_requested.insert(copy.clone()) {
                continue;
            }
            ctx.because([why]);
            let to = ctx.node(MASTER);
            ctx.send(to, Msg::FailCopy { copy, term });
        }
    }

    /// Records a copy's local checkpoint and advances the global one (v5).
    pub(super) fn note_checkpoint(&mut self, copy: &str, local_checkpoint: Seq) {
        if !self.features.checkpoints {
            return;
        }
        let known = self
            .lead_mut()
            .checkpoints
            .entry(copy.to_string())
            .or_default();
        *known = (*known).max(local_checkpoint);
        self.advance_global_checkpoint();
    }

    /// The global checkpoint: the minimum local checkpoint over the in-sync
    /// copies, itself included; it never goes back (v5; stays 0 before).
    pub(super) fn advance_global_checkpoint(&mut self) {
        if !self.features.checkpoints {
            return;
        }
        let own = self.history.local_checkpoint();
        let lead = self
            .lead
            .as_ref()
            .expect("only the primary tracks the global checkpoint");
        let min = self
            .others()
            .iter()
            .map(|c| lead.checkpoints.get(c).copied().unwrap_or(0))
            .fold(own, Seq::min);
        self.global_checkpoint = self.global_checkpoint.max(min);
    }

    /// The term this primary leads.
    pub(super) fn lead_term(&self) -> Term {
        self.lead
            .as_ref()
            .expect("only the primary has a lead")
            .term
    }

    pub(super) fn lead_mut(&mut self) -> &mut Lead {
        self.lead.as_mut().expect("only the primary has a lead")
    }
}
