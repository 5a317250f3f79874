//! A registry of protocols behind one object-safe interface, so a CLI or a
//! test can pick a protocol by name whatever its message type.

use crate::error::RunError;
use crate::inputs::EncodedInput;
use crate::model::{Protocol, ProtocolInfo};
use crate::remote::{Assembled, Decoder, RemoteNode, Wire};
use crate::runner::{run, run_with_bodies, run_with_spec, Bodies, Run, RunConfig};
use ldfi_enforce::Spec;

/// A protocol with its message type erased.
pub trait DynProtocol {
    /// Names, versions, workloads, defaults.
    fn info(&self) -> ProtocolInfo;
    /// Runs it once.
    fn run(&self, cfg: &RunConfig) -> Result<Run, RunError>;
    /// Nodes a search may restart when asked to (`--restarts N`); a run
    /// must accept `restart(n, t)` for each of them. Default: every node
    /// that may fail.
    fn restartable(&self) -> Vec<String> {
        crate::model::may_fail(&self.info())
    }
    /// Runs it once, checked against `spec` instead of its own
    /// enforcement predicates.
    fn run_with_spec(&self, cfg: &RunConfig, spec: &Spec) -> Result<Run, RunError>;
    /// Runs it once (checked against `spec` if given), keeping the
    /// encoding of every message sent.
    fn run_with_bodies(
        &self,
        cfg: &RunConfig,
        spec: Option<&Spec>,
    ) -> Result<(Run, Bodies), RunError>;
    /// The run's workload inputs, encoded, each with its rendering: the
    /// explicit ones of `cfg` if given, else the named workload's.
    fn workload_inputs(&self, cfg: &RunConfig) -> Result<Vec<(EncodedInput, String)>, RunError>;
    /// Hosts one of its nodes alone, for a real process ([`crate::remote::host`]).
    fn host(&self, cfg: &RunConfig, node: &str) -> Result<Box<dyn RemoteNode>, RunError>;
    /// The message layer a sidecar applies ([`Wire::new`]).
    fn wire(&self, cfg: &RunConfig) -> Result<Wire, RunError>;
    /// Decodes its messages for the enforcement checker.
    fn decoder(&self) -> Decoder;
    /// Its enforcement predicates for the run `cfg`, if any.
    fn enforcement_spec(&self, cfg: &RunConfig) -> Result<Option<Spec>, RunError>;
    /// The verdict on a run assembled from real processes, with `spec`'s
    /// predicates instead of its own if given
    /// ([`crate::remote::judge_assembled`]).
    fn judge_assembled(
        &self,
        cfg: &RunConfig,
        run: Assembled,
        spec: Option<&Spec>,
    ) -> Result<Run, RunError>;
}

impl<P: Protocol> DynProtocol for P {
    fn info(&self) -> ProtocolInfo {
        Protocol::info(self)
    }

    fn restartable(&self) -> Vec<String> {
        Protocol::restartable(self)
    }

    fn run(&self, cfg: &RunConfig) -> Result<Run, RunError> {
        run(self, cfg)
    }

    fn run_with_spec(&self, cfg: &RunConfig, spec: &Spec) -> Result<Run, RunError> {
        run_with_spec(self, cfg, Some(spec))
    }

    fn run_with_bodies(
        &self,
        cfg: &RunConfig,
        spec: Option<&Spec>,
    ) -> Result<(Run, Bodies), RunError> {
        run_with_bodies(self, cfg, spec)
    }

    fn workload_inputs(&self, cfg: &RunConfig) -> Result<Vec<(EncodedInput, String)>, RunError> {
        crate::runner::validate(self, cfg)?;
        let setup = crate::runner::setup_of(&Protocol::info(self), cfg);
        Ok(crate::inputs::encode(&crate::runner::workload_of(
            self, &setup, cfg,
        )))
    }

    fn host(&self, cfg: &RunConfig, node: &str) -> Result<Box<dyn RemoteNode>, RunError> {
        crate::remote::host(self, cfg, node)
    }

    fn wire(&self, cfg: &RunConfig) -> Result<Wire, RunError> {
        Wire::new(self, cfg)
    }

    fn decoder(&self) -> Decoder {
        crate::remote::decode::<P::Msg>
    }

    fn enforcement_spec(&self, cfg: &RunConfig) -> Result<Option<Spec>, RunError> {
        crate::runner::spec_of(self, cfg)
    }

    fn judge_assembled(
        &self,
        cfg: &RunConfig,
        run: Assembled,
        spec: Option<&Spec>,
    ) -> Result<Run, RunError> {
        crate::remote::judge_assembled(self, cfg, run, spec)
    }
}

/// A protocol checked against another spec than its own (`--spec FILE`):
/// every run, search and replay through it uses `spec`'s predicates.
pub struct WithSpec<'a> {
    inner: &'a dyn DynProtocol,
    spec: Spec,
}

impl<'a> WithSpec<'a> {
    /// `inner`, checked against `spec`.
    pub fn new(inner: &'a dyn DynProtocol, spec: Spec) -> Self {
        WithSpec { inner, spec }
    }
}

impl DynProtocol for WithSpec<'_> {
    fn info(&self) -> ProtocolInfo {
        self.inner.info()
    }

    fn restartable(&self) -> Vec<String> {
        self.inner.restartable()
    }

    fn run(&self, cfg: &RunConfig) -> Result<Run, RunError> {
        self.inner.run_with_spec(cfg, &self.spec)
    }

    fn run_with_spec(&self, cfg: &RunConfig, spec: &Spec) -> Result<Run, RunError> {
        self.inner.run_with_spec(cfg, spec)
    }

    fn run_with_bodies(
        &self,
        cfg: &RunConfig,
        spec: Option<&Spec>,
    ) -> Result<(Run, Bodies), RunError> {
        self.inner
            .run_with_bodies(cfg, Some(spec.unwrap_or(&self.spec)))
    }

    fn workload_inputs(&self, cfg: &RunConfig) -> Result<Vec<(EncodedInput, String)>, RunError> {
        self.inner.workload_inputs(cfg)
    }

    fn host(&self, cfg: &RunConfig, node: &str) -> Result<Box<dyn RemoteNode>, RunError> {
        self.inner.host(cfg, node)
    }

    fn wire(&self, cfg: &RunConfig) -> Result<Wire, RunError> {
        self.inner.wire(cfg)
    }

    fn decoder(&self) -> Decoder {
        self.inner.decoder()
    }

    fn enforcement_spec(&self, _cfg: &RunConfig) -> Result<Option<Spec>, RunError> {
        Ok(Some(self.spec.clone()))
    }

    fn judge_assembled(
        &self,
        cfg: &RunConfig,
        run: Assembled,
        spec: Option<&Spec>,
    ) -> Result<Run, RunError> {
        self.inner
            .judge_assembled(cfg, run, Some(spec.unwrap_or(&self.spec)))
    }
}

/// Protocols by name, in the order added. A registry is shared by the
/// whole command line (it lives for the process), so its protocols are
/// `Send + Sync` — plain data, as protocol descriptions are.
///
/// ```
/// use ldfi_harness::registry::Registry;
/// # use ldfi_harness::{Input, Invariant, Node, Params, Protocol, ProtocolInfo, Setup};
/// # struct Mine;
/// # impl Protocol for Mine {
/// #     type Msg = ();
/// #     fn info(&self) -> ProtocolInfo { ProtocolInfo { name: "mine".into(), summary: String::new(),
/// #         versions: vec!["v1".into()], default_version: "v1".into(), workloads: vec!["w".into()],
/// #         default_workload: "w".into(), nodes: vec!["a".into()], exempt: vec![],
/// #         params: Params { eot: 2, eff: 1, crashes: 0 } } }
/// #     fn nodes(&self, _: &Setup) -> Vec<Box<dyn Node<()>>> { vec![] }
/// #     fn inputs(&self, _: &Setup) -> Vec<Input<()>> { vec![] }
/// #     fn invariants(&self, _: &Setup) -> Vec<Invariant> { vec![] }
/// # }
/// let reg = Registry::new().with(Mine);
/// assert_eq!(reg.names(), ["mine"]);
/// assert!(reg.get("mine").is_some());
/// ```
#[derive(Default)]
pub struct Registry {
    protocols: Vec<Box<dyn DynProtocol + Send + Sync>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Adds a protocol.
    pub fn add<P: Protocol + Send + Sync>(&mut self, p: P) {
        self.protocols.push(Box::new(p));
    }

    /// This registry with `p` added (a builder for `main`).
    pub fn with<P: Protocol + Send + Sync>(mut self, p: P) -> Self {
        self.add(p);
        self
    }

    /// Adds a protocol that implements [`DynProtocol`] itself (one that
    /// runs its own code rather than a [`Protocol`] model, such as the
    /// gRPC forum).
    pub fn add_dyn(&mut self, p: Box<dyn DynProtocol + Send + Sync>) {
        self.protocols.push(p);
    }

    /// This registry with `p` added ([`Registry::add_dyn`]).
    pub fn with_dyn(mut self, p: Box<dyn DynProtocol + Send + Sync>) -> Self {
        self.add_dyn(p);
        self
    }

    /// The protocol called `name`.
    pub fn get(&self, name: &str) -> Option<&dyn DynProtocol> {
        self.protocols
            .iter()
            .find(|p| p.info().name == name)
            .map(|p| p.as_ref() as &dyn DynProtocol)
    }

    /// Every protocol, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn DynProtocol> {
        self.protocols
            .iter()
            .map(|p| p.as_ref() as &dyn DynProtocol)
    }

    /// Every protocol's name, in order.
    pub fn names(&self) -> Vec<String> {
        self.iter().map(|p| p.info().name).collect()
    }
}
