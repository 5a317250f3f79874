//! A copy of the shard (`n1`, `n2`, `n3`): its state, the replica side of
//! replication, cluster-state changes, and the snapshot of its history it
//! derives at EOT for the invariants. The primary's duties are in
//! [`primary`](super::primary), resync in [`resync`](super::resync).

use super::facts;
use super::history::{decide, Apply, History};
use super::msg::{Msg, Op, Seq, Term};
use super::primary::Lead;
use super::version::Features;
use super::{COPIES, FIRST_PRIMARY};
use ldfi_harness::{Ctx, Fact, Node, NodeId, Tick};

/// A copy of the shard; one of them is the primary (its `lead` is set).
#[derive(Debug)]
pub struct CopyNode {
    pub(super) me: String,
    pub(super) features: Features,
    pub(super) eot: Tick,
    pub(super) history: History,
    /// Every `dropped` fact this copy derived (the snapshot rests on them).
    pub(super) drops: Vec<Fact>,
    /// The highest primary term it knows.
    pub(super) term: Term,
    /// The newest cluster state version it applied.
    pub(super) version: u64,
    /// The in-sync set of that cluster state.
    pub(super) in_sync: Vec<String>,
    /// The global checkpoint it knows (v5; 0 before).
    pub(super) global_checkpoint: Seq,
    /// Set while this copy is the primary.
    pub(super) lead: Option<Lead>,
}

impl CopyNode {
    /// The copy called `me` of a version with `features`, in a run ending at `eot`.
    pub fn new(me: &str, features: Features, eot: Tick) -> Self {
        CopyNode {
            me: me.to_string(),
            features,
            eot,
            history: History::default(),
            drops: Vec::new(),
            term: 1,
            version: 0,
            in_sync: COPIES.iter().map(|c| c.to_string()).collect(),
            global_checkpoint: 0,
            lead: None,
        }
    }

    /// Whether a request of `term` comes from a deposed primary (v4+).
    pub(super) fn stale(&self, term: Term) -> bool {
        self.features.primary_terms && term < self.term
    }

    /// Learns the term and global checkpoint a request carries.
    pub(super) fn learn(&mut self, term: Term, global_checkpoint: Seq) {
        self.term = self.term.max(term);
        if self.features.checkpoints {
            self.global_checkpoint = self.global_checkpoint.max(global_checkpoint);
        }
    }

    /// Applies an incoming op at `seq` by the version's rule, deriving
    /// `op` for what it stores (again, if it already held it) and
    /// `dropped` for what it replaces.
    pub(super) fn apply_op(&mut self, ctx: &mut Ctx<'_, Msg>, seq: Seq, incoming: Op) {
        let fact = facts::op(&self.me, seq, incoming.term, &incoming.id);
        match decide(self.features, self.history.get(seq), &incoming) {
            Apply::KeepOwn => return,
            Apply::Same => {}
            Apply::Store => {
                if let Some(old) = self.history.insert(seq, incoming) {
                    self.record_drop(ctx, seq, &old);
                }
            }
        }
        ctx.because([]);
        ctx.derive(fact);
    }

    /// Derives `dropped` for an op this copy no longer holds.
    pub(super) fn record_drop(&mut self, ctx: &mut Ctx<'_, Msg>, seq: Seq, old: &Op) {
        let gone = facts::dropped(&self.me, seq, old.term, &old.id);
        ctx.because([facts::op(&self.me, seq, old.term, &old.id)]);
        ctx.derive(gone.clone());
        self.drops.push(gone);
    }

    /// The `op` fact of what this copy holds at `seq`.
    pub(super) fn held(&self, seq: Seq) -> Option<Fact> {
        let op = self.history.get(seq)?;
        Some(facts::op(&self.me, seq, op.term, &op.id))
    }

    fn on_replicate(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, seq: Seq, op: Op, gcp: Seq) {
        if self.stale(op.term) {
            return;
        }
        self.learn(op.term, gcp);
        let (term, id) = (op.term, op.id.clone());
        self.apply_op(ctx, seq, op);
        let stored = self
            .history
            .get(seq)
            .expect("an op is held at seq once applied");
        let digest = stored.digest(seq);
        let why = self.held(seq).expect("an op is held at seq once applied");
        ctx.because([why]);
        let local_checkpoint = self.history.local_checkpoint();
        ctx.send(
            from,
            Msg::ReplicaAck {
                seq,
                term,
                id,
                digest,
                local_checkpoint,
            },
        );
    }

    fn on_cluster_state(
        &mut self,
        ctx: &mut Ctx<'_, Msg>,
        version: u64,
        term: Term,
        primary: Option<String>,
        in_sync: Vec<String>,
    ) {
        if version <= self.version {
            return;
        }
        ctx.because([]);
        ctx.derive(facts::view(&self.me, version));
        self.version = version;
        self.in_sync = in_sync;
        self.term = self.term.max(term);
        let chosen = primary.as_deref() == Some(self.me.as_str());
        match (chosen, self.lead.is_some()) {
            (true, false) => {
                self.become_primary(ctx);
                if self.features.resync {
                    self.start_resync(ctx);
                }
            }
            (false, true) => self.lead = None,
            _ => {}
        }
        if self.lead.is_some() {
            self.advance_global_checkpoint();
            self.try_ack_all(ctx);
        }
    }

    /// At EOT: `stored` for every op it holds, and `history` for the whole
    /// history — resting on every op it holds and every op it dropped.
    fn snapshot(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let mut why = Vec::new();
        let held: Vec<(Seq, Op)> = self.history.iter().map(|(s, o)| (s, o.clone())).collect();
        for (seq, op) in held {
            let fact = facts::op(&self.me, seq, op.term, &op.id);
            ctx.because([fact.clone()]);
            ctx.derive(facts::stored(&self.me, seq, op.term, &op.id));
            why.push(fact);
        }
        why.extend(self.drops.iter().cloned());
        ctx.because(why);
        ctx.derive(facts::history(&self.me, self.history.digest()));
    }
}

impl Node<Msg> for CopyNode {
    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if self.me == FIRST_PRIMARY {
            self.become_primary(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Write { id, payload } => self.accept_write(ctx, id, payload),
            Msg::Replicate {
                seq,
                term,
                id,
                payload,
                global_checkpoint,
                ..
            } => {
                let op = Op { term, id, payload };
                self.on_replicate(ctx, from, seq, op, global_checkpoint);
            }
            Msg::ReplicaAck {
                seq,
                term,
                local_checkpoint,
                ..
            } => self.on_replica_ack(ctx, from, seq, term, local_checkpoint),
            Msg::ClusterState {
                version,
                term,
                primary,
                in_sync,
            } => self.on_cluster_state(ctx, version, term, primary, in_sync),
            Msg::ResyncOp {
                primary_term,
                seq,
                term,
                id,
                payload,
                global_checkpoint,
                ..
            } => {
                let op = Op { term, id, payload };
                self.on_resync_op(ctx, primary_term, seq, op, global_checkpoint);
            }
            Msg::ResyncDone {
                primary_term,
                global_checkpoint,
                ops,
            } => self.on_resync_done(ctx, from, primary_term, global_checkpoint, &ops),
            Msg::ResyncAck {
                primary_term,
                local_checkpoint,
            } => self.on_resync_ack(ctx, from, primary_term, local_checkpoint),
            Msg::Ack { .. } | Msg::FailCopy { .. } | Msg::NodeCrashed { .. } => {}
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if self.lead.is_some() {
            self.replicate_next(ctx);
            self.check_timeouts(ctx);
        }
        if ctx.now() == self.eot {
            self.snapshot(ctx);
        }
    }
}
