//! The model API: what a protocol author writes.
//!
//! A protocol is a set of named nodes, each a plain state machine
//! ([`Node`]) driven by the harness through `on_start`, `on_message` and
//! `on_tick`, acting only through its [`Ctx`]. A [`Protocol`] declares its
//! nodes, versions, workloads, invariants and default parameters.

use crate::ctx::Ctx;
use crate::end::EndState;
use ldfi_lineage::{Prop, Tick};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// What nodes send each other: any serde type. Messages travel the
/// simulated network as serde-encoded datagrams; `Debug` renders them in
/// traces and diagrams.
pub trait Message: Serialize + DeserializeOwned + Clone + Debug + 'static {}
impl<T: Serialize + DeserializeOwned + Clone + Debug + 'static> Message for T {}

/// A node of a protocol: a deterministic state machine. Handlers read the
/// node's state and the message and record on `ctx` what they want done.
pub trait Node<M: Message>: 'static {
    /// Called once at tick 1 (and again after a `restart`), before anything else.
    fn on_start(&mut self, _ctx: &mut Ctx<'_, M>) {}
    /// Called for each delivered message, and for each workload input
    /// (then `from` is [`NodeId::ENV`](crate::NodeId::ENV)).
    fn on_message(&mut self, ctx: &mut Ctx<'_, M>, from: crate::NodeId, msg: M);
    /// Called at the start of every tick the node is up (after `on_start`,
    /// before inputs and messages).
    fn on_tick_start(&mut self, _ctx: &mut Ctx<'_, M>) {}
    /// Called when timer `name` (set with [`Ctx::set_timer`]) fires: after
    /// the tick's messages, before `on_tick`.
    fn on_timer(&mut self, _ctx: &mut Ctx<'_, M>, _name: &str) {}
    /// Called at the end of every tick the node is up.
    fn on_tick(&mut self, _ctx: &mut Ctx<'_, M>) {}
}

/// The default bounds of a search (Molly's `--EOT --EFF --crashes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    /// End of time: ticks run `1..=eot`.
    pub eot: Tick,
    /// End of finite failures: omissions only at ticks `< eff`.
    pub eff: Tick,
    /// At most this many nodes crash.
    pub crashes: u32,
}

/// What a protocol says about itself: names, versions, workloads, defaults.
#[derive(Clone, Debug)]
pub struct ProtocolInfo {
    /// Name used on the command line, e.g. `simple-deliv`.
    pub name: String,
    /// One line for `ldfi list`.
    pub summary: String,
    /// Versions, oldest first (at least one).
    pub versions: Vec<String>,
    /// The version used when none is given.
    pub default_version: String,
    /// Workload names (at least one).
    pub workloads: Vec<String>,
    /// The workload used when none is given.
    pub default_workload: String,
    /// Node names, in order.
    pub nodes: Vec<String>,
    /// Nodes that never fail (an oracle such as a consensus-backed master).
    pub exempt: Vec<String>,
    /// Default search bounds.
    pub params: Params,
}

/// The nodes of `info` that may fail (not exempt), in order: who may
/// restart unless a protocol says otherwise.
pub fn may_fail(info: &ProtocolInfo) -> Vec<String> {
    (info.nodes.iter())
        .filter(|n| !info.exempt.contains(n))
        .cloned()
        .collect()
}

/// Which run a protocol is asked to build: the version, workload and bounds.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Protocol version.
    pub version: String,
    /// Workload name.
    pub workload: String,
    /// Bounds of this run.
    pub params: Params,
    /// Node names, in order.
    pub nodes: Vec<String>,
}

/// A workload input: `msg` is given to `node` at tick `at` (from
/// [`NodeId::ENV`](crate::NodeId::ENV)). Inputs are never lost.
#[derive(Clone, Debug)]
pub struct Input<M> {
    /// Tick.
    pub at: Tick,
    /// Receiving node's name.
    pub node: String,
    /// The input.
    pub msg: M,
}

/// An invariant `pre ⇒ post`, both read from the end state as [`Prop`]s.
///
/// The same `Prop` decides the verdict and is the outcome whose lineage the
/// search tries to break, so build it from exactly what you read — including
/// exclusions such as "unless that node crashed" ([`Prop::Crashed`]).
pub struct Invariant {
    /// Name reported on violation, e.g. `delivery`.
    pub name: String,
    /// Computes `(pre, post)` from the end state.
    #[allow(clippy::type_complexity)]
    pub check: Box<dyn Fn(&EndState) -> (Prop, Prop)>,
    /// Declared with [`Invariant::pre_shrinks_with_faults`].
    pub pre_shrinks_with_faults: bool,
}

impl Invariant {
    /// An invariant named `name` computing `(pre, post)` with `check`.
    pub fn new(name: &str, check: impl Fn(&EndState) -> (Prop, Prop) + 'static) -> Self {
        Invariant {
            name: name.to_string(),
            check: Box::new(check),
            pre_shrinks_with_faults: false,
        }
    }

    /// Declares Molly's assumption for this invariant: a fault set that
    /// leaves `pre` false leaves it false under any superset (more faults
    /// never make `pre` true). The declared search then rules out the
    /// supersets of a vacuous run for this invariant instead of learning
    /// the lineage of `¬pre` — far fewer executions where `pre` reads an
    /// absence. Like `because`, it is a declaration: the default search
    /// confirms certificates on happens-before lineage, which ignores it.
    /// Wrong for protocols with timeouts that act sooner when messages are
    /// lost (a write acknowledged once a silent replica is failed out).
    pub fn pre_shrinks_with_faults(mut self) -> Self {
        self.pre_shrinks_with_faults = true;
        self
    }
}

/// A protocol model. Implement this in your own crate and hand it to the
/// harness; the shipped protocols use nothing else.
pub trait Protocol: 'static {
    /// The message type its nodes exchange.
    type Msg: Message;
    /// Names, versions, workloads and default parameters.
    fn info(&self) -> ProtocolInfo;
    /// Builds the nodes for `setup`, one per name in `setup.nodes`, in order.
    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Self::Msg>>>;
    /// The workload's inputs.
    fn inputs(&self, setup: &Setup) -> Vec<Input<Self::Msg>>;
    /// The invariants checked at EOT.
    fn invariants(&self, setup: &Setup) -> Vec<Invariant>;
    /// A perfect failure detector: what to tell whom (as inputs, at tick
    /// `t+1`) when node `crashed` crashes at `t`. Default: nothing.
    fn crash_notice(&self, _setup: &Setup, _crashed: &str) -> Vec<(String, Self::Msg)> {
        Vec::new()
    }
    /// Nodes a search may restart when asked to (`--restarts N`): a restart
    /// rebuilds the node from [`Protocol::nodes`] and runs `on_start` again,
    /// losing everything it held in memory. Default: every node that may
    /// fail (not in [`ProtocolInfo::exempt`]).
    fn restartable(&self) -> Vec<String> {
        may_fail(&self.info())
    }
    /// Enforcement predicates (models and forbidden message sequences)
    /// checked on every delivered message of every run. Default: none.
    /// Messages are seen as `MsgEvent::from_rpc_message(sender, receiver,
    /// &msg)`: the enum variant is the kind, a `…Response` variant is a
    /// response. A spec that does not parse is an error of every run that
    /// checks predicates (with its `file:line:col`), not a panic.
    fn enforcement(
        &self,
        _setup: &Setup,
    ) -> Result<Option<ldfi_enforce::Spec>, ldfi_enforce::SpecError> {
        Ok(None)
    }
}
