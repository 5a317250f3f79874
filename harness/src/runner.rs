//! The runner: one turmoil host per node, messages as serde-encoded UDP
//! datagrams with a fixed one-tick latency, ticks `1..=EOT`.

use crate::check::{check, Verdict};
use crate::end::EndState;
use crate::error::RunError;
use crate::model::{Params, Protocol, Setup};
use crate::plan::Plan;
use crate::world::{Envelope, World};
use ldfi_lineage::{CrashMode, FaultSet, FaultSpace, NodeIdx, Prop, Tick, Trace};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

/// The UDP port every simulated node listens on.
const PORT: u16 = 7000;
/// One logical tick of simulated time (one turmoil step).
const TICK: Duration = Duration::from_millis(1);
/// Largest datagram a node may send.
const MAX_DATAGRAM: usize = 64 * 1024;

thread_local! {
    /// One receive buffer per thread, reused by every host of every run
    /// (allocating and zeroing 64 KiB per host per run was a tenth of a run).
    static RECV_BUF: RefCell<Vec<u8>> = RefCell::new(vec![0u8; MAX_DATAGRAM]);
}

/// How lineage is recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineageMode {
    /// Honour the protocol's `because` declarations (precise).
    #[default]
    Declared,
    /// Ignore them: every action is caused by everything before it on its
    /// node, as for a protocol with no annotations at all.
    HappensBefore,
}

/// Which checks decide the verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checks {
    /// Invariants first, then enforcement predicates.
    #[default]
    All,
    /// Invariants only.
    Invariants,
    /// Enforcement predicates only (invariants still give the outcome
    /// whose lineage the search breaks).
    Enforcement,
}

impl Checks {
    /// The name used on the command line and in schedule files.
    pub fn name(self) -> &'static str {
        match self {
            Checks::All => "all",
            Checks::Invariants => "invariants",
            Checks::Enforcement => "enforcement",
        }
    }

    /// The mode called `name`.
    pub fn parse(name: &str) -> Option<Checks> {
        [Checks::All, Checks::Invariants, Checks::Enforcement]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

/// Everything that determines a run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Protocol version.
    pub version: String,
    /// Workload.
    pub workload: String,
    /// Bounds.
    pub params: Params,
    /// The seed of every random choice in the run.
    pub seed: u64,
    /// The faults to inject.
    pub faults: FaultSet,
    /// How lineage is recorded.
    pub lineage: LineageMode,
    /// Which checks decide the verdict.
    pub checks: Checks,
    /// What a crash does to a node.
    pub crash: CrashMode,
    /// Explicit workload inputs (from a capture), given instead of the
    /// named workload's; `None` for the workload's own.
    pub inputs: Option<std::sync::Arc<Vec<crate::inputs::EncodedInput>>>,
}

/// The result of one run.
#[derive(Clone, Debug)]
pub struct Run {
    /// Everything that happened.
    pub trace: Trace,
    /// What held at EOT.
    pub end: EndState,
    /// The verdict.
    pub verdict: Verdict,
    /// Per invariant whose `pre` held: (name, `post`), the outcome whose
    /// lineage the search tries to break. Empty for a violated run.
    pub outcomes: Vec<(String, Prop)>,
    /// The invariants whose `pre` did not hold.
    pub vacuous: Vec<String>,
    /// Per invariant whose `pre` did not hold: (name, `¬pre`) — except
    /// those declared `pre_shrinks_with_faults`, listed in `pre_shrinks`.
    pub pre_false: Vec<(String, Prop)>,
    /// Vacuous invariants whose `pre` is declared to shrink with faults.
    pub pre_shrinks: Vec<String>,
    /// Event index → where the `because` its causes came from was called.
    pub sites: Vec<(usize, &'static std::panic::Location<'static>)>,
    /// Under [`Checks::Enforcement`], the invariant this run violates
    /// although no predicate does: set aside, since only predicates decide
    /// the verdict (which is then `Good` with no outcomes). The search
    /// treats such a run as neither a counterexample nor a success to
    /// learn lineage from: it learns only that the run must change.
    pub set_aside: Option<String>,
    /// Every enforcement violation of the run, in the order found (event
    /// `k` of a violation is the run's `k`-th [`Event::Deliver`](ldfi_lineage::Event::Deliver)); the
    /// verdict names the first when it decides it. Empty when enforcement
    /// is not checked.
    pub enforcement: Vec<ldfi_enforce::Violation>,
}

impl Run {
    /// Everything the run achieved, together: the conjunction of the
    /// `post`s in [`Run::outcomes`] (`True` for a vacuous run), or `None`
    /// for a violated one. Built on demand (the search uses `outcomes`).
    pub fn outcome(&self) -> Option<Prop> {
        match (&self.verdict, self.outcomes.as_slice()) {
            (Verdict::Violated { .. }, _) => None,
            (_, []) => Some(Prop::True),
            (_, [(_, post)]) => Some(post.clone()),
            (_, all) => Some(Prop::And(all.iter().map(|(_, p)| p.clone()).collect())),
        }
    }
}

/// The fault space of a protocol at `params`.
pub fn fault_space(info: &crate::model::ProtocolInfo, params: &Params) -> FaultSpace {
    FaultSpace {
        nodes: info.nodes.clone(),
        eot: params.eot,
        eff: params.eff,
        crashes: params.crashes,
        exempt: info.exempt.clone(),
    }
}

/// The largest EOT a run accepts: a run's memory and time grow with EOT
/// (a protocol where every node sends every tick takes seconds per run at
/// this bound), and no protocol model needs nearly as many ticks.
pub const MAX_EOT: Tick = 1_000;

/// Checks version, workload and parameters against the protocol.
pub fn validate<P: Protocol>(p: &P, cfg: &RunConfig) -> Result<(), RunError> {
    let info = p.info();
    validate_info(&info, cfg)?;
    if let Some(explicit) = &cfg.inputs {
        crate::inputs::decode::<P::Msg>(&info, explicit, cfg.params.eot)?;
    }
    Ok(())
}

/// [`validate`] for a protocol known by its description alone.
pub fn validate_info(info: &crate::model::ProtocolInfo, cfg: &RunConfig) -> Result<(), RunError> {
    let info = info.clone();
    if !info.versions.contains(&cfg.version) {
        return Err(RunError::UnknownVersion {
            protocol: info.name,
            version: cfg.version.clone(),
            known: info.versions.join(", "),
        });
    }
    if !info.workloads.contains(&cfg.workload) {
        return Err(RunError::UnknownWorkload {
            protocol: info.name,
            workload: cfg.workload.clone(),
            known: info.workloads.join(", "),
        });
    }
    if cfg.params.eot == 0 {
        return Err(RunError::Params("eot must be at least 1".into()));
    }
    if cfg.params.eot > MAX_EOT {
        return Err(RunError::Params(format!(
            "eot = {} is above the limit of {MAX_EOT}",
            cfg.params.eot
        )));
    }
    if cfg.params.eff > cfg.params.eot {
        return Err(RunError::Params(format!(
            "eff = {} must not exceed eot = {}",
            cfg.params.eff, cfg.params.eot
        )));
    }
    let faulty = info.nodes.len() - info.exempt.len();
    if cfg.params.crashes as usize > faulty {
        return Err(RunError::Params(format!(
            "crashes = {} but only {faulty} nodes may crash",
            cfg.params.crashes
        )));
    }
    Ok(())
}

/// The run's workload inputs: the explicit ones of `cfg` if given (checked
/// by [`validate`]), else the named workload's.
pub(crate) fn workload_of<P: Protocol>(
    p: &P,
    setup: &Setup,
    cfg: &RunConfig,
) -> Vec<crate::model::Input<P::Msg>> {
    match &cfg.inputs {
        Some(explicit) => crate::inputs::decode(&p.info(), explicit, cfg.params.eot)
            .expect("explicit inputs are validated before a run is built"),
        None => p.inputs(setup),
    }
}

/// Runs `p` under `cfg` in turmoil and checks the result.
pub fn run<P: Protocol>(p: &P, cfg: &RunConfig) -> Result<Run, RunError> {
    run_with_spec(p, cfg, None)
}

/// [`run`], with the enforcement predicates of `spec` instead of the
/// protocol's own when `spec` is given (`--spec FILE`).
pub fn run_with_spec<P: Protocol>(
    p: &P,
    cfg: &RunConfig,
    spec: Option<&ldfi_enforce::Spec>,
) -> Result<Run, RunError> {
    run_inner(p, cfg, spec, false).map(|(run, _)| run)
}

/// The encoding of each message a run sent, by identity.
pub type Bodies = BTreeMap<ldfi_lineage::MsgId, Vec<u8>>;

/// [`run_with_spec`], also keeping the encoding of every message sent (to
/// export the run as a capture: `ldfi replay --export-capture`).
pub fn run_with_bodies<P: Protocol>(
    p: &P,
    cfg: &RunConfig,
    spec: Option<&ldfi_enforce::Spec>,
) -> Result<(Run, Bodies), RunError> {
    run_inner(p, cfg, spec, true)
}

fn run_inner<P: Protocol>(
    p: &P,
    cfg: &RunConfig,
    spec: Option<&ldfi_enforce::Spec>,
    keep_bodies: bool,
) -> Result<(Run, Bodies), RunError> {
    validate(p, cfg)?;
    let info = p.info();
    let plan = Plan::new(&fault_space(&info, &cfg.params), &cfg.faults)?;
    let setup = setup_of(&info, cfg);
    let checker = checker_of(p, &setup, cfg, spec)?;
    let mut world = build_world(p, &setup, cfg, plan);
    world.checker = checker;
    if keep_bodies {
        world.bodies = Some(BTreeMap::new());
    }
    let world = Rc::new(RefCell::new(world));
    simulate(&world, &info.nodes, cfg)?;
    let world = Rc::try_unwrap(world)
        .map_err(|_| RunError::Sim("a host outlived the simulation".into()))?;
    let mut world = world.into_inner();
    let bodies = world.bodies.take().unwrap_or_default();
    let end = world.end_state();
    let trace = Trace {
        nodes: world.names,
        eot: world.eot,
        events: world.events,
    };
    let run = judge(p, &setup, cfg, trace, end, &world.violations, world.sites);
    Ok((run, bodies))
}

/// The enforcement checker of a run: `spec`'s predicates if given, else
/// the protocol's own; none when only invariants are checked.
pub(crate) fn checker_of<P: Protocol>(
    p: &P,
    setup: &Setup,
    cfg: &RunConfig,
    spec: Option<&ldfi_enforce::Spec>,
) -> Result<Option<ldfi_enforce::Checker>, RunError> {
    if cfg.checks == Checks::Invariants {
        return Ok(None);
    }
    let spec = match spec {
        Some(s) => Some(s.clone()),
        None => p
            .enforcement(setup)
            .map_err(|e| RunError::Spec(spec_error_line(&e)))?,
    };
    if spec.is_none() && cfg.checks == Checks::Enforcement {
        return Err(RunError::NoPredicates {
            protocol: p.info().name,
        });
    }
    Ok(spec.map(|s| ldfi_enforce::Checker::new(&s)))
}

/// The protocol's own enforcement predicates for the run `cfg`.
pub(crate) fn spec_of<P: Protocol>(
    p: &P,
    cfg: &RunConfig,
) -> Result<Option<ldfi_enforce::Spec>, RunError> {
    p.enforcement(&setup_of(&p.info(), cfg))
        .map_err(|e| RunError::Spec(spec_error_line(&e)))
}

/// The run's verdict from its end state and what the enforcement
/// predicates reported: invariants first, then predicates (as `cfg.checks`
/// says). The simulator and the dataplane's conductor both end here.
pub(crate) fn judge<P: Protocol>(
    p: &P,
    setup: &Setup,
    cfg: &RunConfig,
    trace: Trace,
    end: EndState,
    violations: &[ldfi_enforce::Violation],
    sites: Vec<(usize, &'static std::panic::Location<'static>)>,
) -> Run {
    let mut run = judge_recorded(&p.invariants(setup), cfg, trace, end, violations);
    run.sites = sites;
    run
}

/// The verdict on a run a protocol recorded itself (one that runs real
/// service code instead of a [`Protocol`] model, such as the gRPC forum):
/// `invariants` on `end` first, then the enforcement `violations` (the
/// checker fed at every [`Event::Deliver`](ldfi_lineage::Event::Deliver)
/// of `trace`, in order), as `cfg.checks` says — the same judgement as
/// every simulated and real-process run.
pub fn judge_recorded(
    invariants: &[crate::model::Invariant],
    cfg: &RunConfig,
    trace: Trace,
    end: EndState,
    violations: &[ldfi_enforce::Violation],
) -> Run {
    let mut checked = check(invariants, &end);
    let mut set_aside = None;
    if cfg.checks == Checks::Enforcement {
        if let Verdict::Violated { invariant, .. } = &checked.verdict {
            set_aside = Some(invariant.clone());
            checked.verdict = Verdict::Good;
        }
    }
    let enforce_first = cfg.checks == Checks::Enforcement || !checked.verdict.is_violated();
    if let (true, Some(v)) = (
        enforce_first && cfg.checks != Checks::Invariants,
        violations.first(),
    ) {
        checked.verdict = Verdict::Violated {
            invariant: violation_name(&v.source),
            missing: vec![v.to_string()],
        };
        checked.outcomes.clear();
    }
    Run {
        trace,
        end,
        verdict: checked.verdict,
        outcomes: checked.outcomes,
        vacuous: checked.vacuous,
        pre_false: checked.pre_false,
        pre_shrinks: checked.pre_shrinks,
        sites: Vec::new(),
        set_aside,
        enforcement: violations.to_vec(),
    }
}

/// The setup of a run of `p` under `cfg`.
pub(crate) fn setup_of(info: &crate::model::ProtocolInfo, cfg: &RunConfig) -> Setup {
    Setup {
        version: cfg.version.clone(),
        workload: cfg.workload.clone(),
        params: cfg.params,
        nodes: info.nodes.clone(),
    }
}

pub(crate) fn build_world<P: Protocol>(
    p: &P,
    setup: &Setup,
    cfg: &RunConfig,
    plan: Plan,
) -> World<P::Msg> {
    let index = |name: &str| setup.nodes.iter().position(|n| n == name);
    let mut inputs: crate::world::Inputs<P::Msg> = BTreeMap::new();
    let mut count = 0u32;
    for input in workload_of(p, setup, cfg) {
        let node = index(&input.node).unwrap_or_else(|| {
            panic!(
                "protocol model bug: input for unknown node `{}`",
                input.node
            )
        });
        inputs
            .entry((input.at, node as NodeIdx))
            .or_default()
            .push((count, input.msg));
        count += 1;
    }
    for (&node, &at) in &plan.crash {
        for (to, msg) in p.crash_notice(setup, &setup.nodes[node as usize]) {
            let to = index(&to).unwrap_or_else(|| {
                panic!("protocol model bug: crash notice for unknown node `{to}`")
            });
            if at < setup.params.eot {
                inputs
                    .entry((at + 1, to as NodeIdx))
                    .or_default()
                    .push((count, msg));
            }
            count += 1;
        }
    }
    let nodes = p.nodes(setup);
    assert_eq!(
        nodes.len(),
        setup.nodes.len(),
        "protocol model bug: one node per name"
    );
    let (setup2, p_nodes) = (setup.clone(), move |s: &Setup| p.nodes(s));
    // Restarts rebuild one node from a fresh set; build them up front so the
    // world does not borrow the protocol.
    let fresh: Vec<_> = if plan.restart.is_empty() {
        Vec::new()
    } else {
        plan.restart
            .iter()
            .map(|(n, _)| (*n, p_nodes(&setup2)))
            .collect()
    };
    let fresh = RefCell::new(fresh);
    let rebuild = Box::new(move |n: NodeIdx| {
        let mut fresh = fresh.borrow_mut();
        let pos = fresh
            .iter()
            .position(|(m, _)| *m == n)
            .expect("a fresh node per restart");
        let (_, mut set) = fresh.remove(pos);
        set.swap_remove(n as usize)
    });
    let mut world = World::new(
        setup.nodes.clone(),
        setup.params.eot,
        nodes,
        inputs,
        plan,
        rebuild,
        cfg.seed,
        cfg.lineage == LineageMode::Declared,
    );
    world.crash_mode = cfg.crash;
    world
}

/// A spec error's first line, `file:line:col: what` (the excerpt under it
/// is for people reading the spec, not for a one-line error).
fn spec_error_line(e: &ldfi_enforce::SpecError) -> String {
    format!("{}:{}:{}: {}", e.file, e.line, e.col, e.kind)
}

fn simulate<M: crate::model::Message>(
    world: &Rc<RefCell<World<M>>>,
    names: &[String],
    cfg: &RunConfig,
) -> Result<(), RunError> {
    let eot = cfg.params.eot;
    let mut sim = turmoil::Builder::new()
        .tick_duration(TICK)
        .min_message_latency(TICK)
        .max_message_latency(TICK)
        .simulation_duration(TICK * (eot + 8))
        .rng_seed(cfg.seed)
        .build();
    for (i, name) in names.iter().enumerate() {
        let world = world.clone();
        let names: Vec<String> = names.to_vec();
        sim.host(name.as_str(), move || {
            host(world.clone(), names.clone(), i as NodeIdx, eot)
        });
    }
    for _ in 0..=eot + 1 {
        sim.step().map_err(|e| RunError::Sim(e.to_string()))?;
    }
    drop(sim);
    Ok(())
}

async fn host<M: crate::model::Message>(
    world: Rc<RefCell<World<M>>>,
    names: Vec<String>,
    me: NodeIdx,
    eot: Tick,
) -> turmoil::Result {
    let sock =
        turmoil::net::UdpSocket::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT))
            .await?;
    let addrs: Vec<SocketAddr> = names
        .iter()
        .map(|n| SocketAddr::new(turmoil::lookup(n.as_str()), PORT))
        .collect();
    for t in 1..=eot {
        tokio::time::sleep(TICK).await;
        let mut arrived: Vec<Envelope<M>> = Vec::new();
        RECV_BUF.with_borrow_mut(|buf| {
            while let Ok((n, _)) = sock.try_recv_from(buf) {
                arrived.push(crate::world::decode(&buf[..n]));
            }
        });
        let out = world.borrow_mut().step(me, t, arrived);
        for (to, bytes) in out {
            assert!(
                bytes.len() <= MAX_DATAGRAM,
                "protocol model bug: message larger than {MAX_DATAGRAM} bytes"
            );
            sock.send_to(&bytes, addrs[to as usize]).await?;
        }
    }
    Ok(())
}

/// A bare turmoil run with the same hosts and ticks as a protocol run and
/// nothing else: each host binds its UDP socket and, every tick, wakes and
/// polls it. The baseline that the harness's overhead is measured against.
pub fn bare_turmoil(names: &[String], eot: Tick) -> Result<(), RunError> {
    let mut sim = turmoil::Builder::new()
        .tick_duration(TICK)
        .min_message_latency(TICK)
        .max_message_latency(TICK)
        .simulation_duration(TICK * (eot + 8))
        .build();
    for name in names {
        sim.host(name.as_str(), move || async move {
            let sock = turmoil::net::UdpSocket::bind(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                PORT,
            ))
            .await?;
            let mut buf = [0u8; 64];
            for _ in 1..=eot {
                tokio::time::sleep(TICK).await;
                while sock.try_recv_from(&mut buf).is_ok() {}
            }
            Ok(())
        });
    }
    for _ in 0..=eot + 1 {
        sim.step().map_err(|e| RunError::Sim(e.to_string()))?;
    }
    Ok(())
}

/// The name a verdict gives an enforcement violation: the rule's name, or
/// which service model was broken.
fn violation_name(s: &ldfi_enforce::Source) -> String {
    match s {
        ldfi_enforce::Source::Rule(n) => n.clone(),
        other => other.to_string(),
    }
}

/// Checks `faults` against `space` as every run does (nodes, ticks, EFF,
/// the crash budget): for protocols that record their own runs.
pub fn check_faults(space: &FaultSpace, faults: &FaultSet) -> Result<(), crate::error::FaultError> {
    Plan::new(space, faults).map(|_| ())
}
