//! Helpers of `absence_protocols.rs`: one run, one search, replay, the
//! reduced bounds, and a protocol variant with one more exempt node.

use ldfi_harness::registry::DynProtocol;
use ldfi_harness::search::{search, SearchConfig, SearchReport, Strategy};
use ldfi_harness::{
    run, Checks, CrashMode, Fault, FaultSet, Input, Invariant, LineageMode, Node, Params, Protocol,
    ProtocolInfo, Run, RunConfig, Setup, Verdict,
};

/// Reduced bounds where exhaustive search covers the whole space of the
/// three-node protocols: `64·25` and `4096` fault sets.
pub const REDUCED: [Params; 2] = [
    Params {
        eot: 8,
        eff: 2,
        crashes: 1,
    },
    Params {
        eot: 8,
        eff: 3,
        crashes: 0,
    },
];

/// Reduced bounds for a variant with one exempt node (two faulty nodes,
/// two channels): omissions up to tick 4, `256·17` fault sets.
pub const REDUCED_EXEMPT: [Params; 1] = [Params {
    eot: 8,
    eff: 5,
    crashes: 1,
}];

/// `omit(from, to, at)`.
pub fn omit(from: &str, to: &str, at: u32) -> Fault {
    Fault::Omit {
        from: from.into(),
        to: to.into(),
        at,
    }
}

/// `crash(node, at)`.
pub fn crash(node: &str, at: u32) -> Fault {
    Fault::Crash {
        node: node.into(),
        at,
    }
}

/// One run of `p` under `faults`.
pub fn run_once<P: Protocol>(p: &P, v: &str, w: &str, params: Params, faults: &[Fault]) -> Run {
    let cfg = RunConfig {
        version: v.into(),
        workload: w.into(),
        params,
        seed: 0,
        faults: faults.iter().cloned().collect::<FaultSet>(),
        lineage: LineageMode::Declared,
        checks: Checks::All,
        crash: CrashMode::Stop,
        inputs: None,
    };
    run(p, &cfg).expect("a valid run")
}

/// The violated invariant, if any.
pub fn violated(r: &Run) -> Option<&str> {
    match &r.verdict {
        Verdict::Violated { invariant, .. } => Some(invariant),
        _ => None,
    }
}

/// One search with the harness's defaults but `strategy` and `max_runs`.
pub fn search_with(
    p: &dyn DynProtocol,
    v: &str,
    w: &str,
    params: Params,
    strategy: Strategy,
    max_runs: Option<u64>,
) -> SearchReport {
    search_in(p, v, w, params, strategy, max_runs, CrashMode::Stop)
}

/// [`search_with`] under crash semantics `crash`.
pub fn search_in(
    p: &dyn DynProtocol,
    v: &str,
    w: &str,
    params: Params,
    strategy: Strategy,
    max_runs: Option<u64>,
    crash: CrashMode,
) -> SearchReport {
    let mut cfg = SearchConfig::new(v, w, params).strategy(strategy);
    cfg.max_runs = max_runs;
    cfg.crash = crash;
    cfg.exhaustive_limit = 1e12;
    search(p, &cfg, &mut |_| {}).expect("a valid search")
}

/// Asserts that the report's first counterexample replays as violated,
/// with the same invariant.
pub fn assert_replays_violated(p: &dyn DynProtocol, r: &SearchReport) {
    let c = r.counterexamples.first().expect("a counterexample");
    let again = p.run(&c.config).expect("a valid replay");
    assert_eq!(violated(&again), Some(c.invariant()), "{}", c.config.faults);
}

/// One line per search, for `--nocapture`.
pub fn describe(name: &str, v: &str, w: &str, p: Params, r: &SearchReport) -> String {
    let cex = r.counterexamples.first().map_or(String::new(), |c| {
        format!(" {} ({})", c.config.faults, c.invariant())
    });
    format!(
        "{name} {v} {w} eot {} eff {} crashes {}: {} after {} executions ({:?}){cex}",
        p.eot,
        p.eff,
        p.crashes,
        r.conclusion.word(),
        r.executions,
        r.assurance
    )
}

/// A protocol under test: its name, its default bounds, and itself erased.
pub trait Case {
    /// The name printed.
    fn name(&self) -> String;
    /// The default bounds.
    fn params(&self) -> Params;
    /// The protocol, message type erased.
    fn dyn_protocol(&self) -> &dyn DynProtocol;
}

impl<P: Protocol> Case for P {
    fn name(&self) -> String {
        Protocol::info(self).name
    }
    fn params(&self) -> Params {
        Protocol::info(self).params
    }
    fn dyn_protocol(&self) -> &dyn DynProtocol {
        self
    }
}

/// Protocol `P` with node `.1` exempt from faults: two faulty nodes keep
/// the exhaustive space small enough for omissions at later ticks.
pub struct OneReliable<P>(pub P, pub &'static str);

impl<P: Protocol> Protocol for OneReliable<P> {
    type Msg = P::Msg;

    fn info(&self) -> ProtocolInfo {
        let mut info = self.0.info();
        info.name = format!("{} ({} reliable)", info.name, self.1);
        info.exempt.push(self.1.into());
        info
    }
    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<P::Msg>>> {
        self.0.nodes(setup)
    }
    fn inputs(&self, setup: &Setup) -> Vec<Input<P::Msg>> {
        self.0.inputs(setup)
    }
    fn invariants(&self, setup: &Setup) -> Vec<Invariant> {
        self.0.invariants(setup)
    }
}
