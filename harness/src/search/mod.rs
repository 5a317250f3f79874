//! The search: strategies over one fault space, from one fault-free run to
//! a counterexample, a certificate, or a spent budget.
//!
//! - [`Strategy::Ldfi`]: lineage of every good run, minimal fault sets by SAT.
//! - [`Strategy::Random`]: seeded, uniform over the space (the published baseline).
//! - [`Strategy::Exhaustive`]: every fault set in size order, where the space is small.

mod assert;
mod builder;
mod culprit;
mod exhaustive;
mod ldfi;
mod minimize;
mod random;
mod reproduce;

use crate::check::Verdict;
use crate::error::RunError;
use crate::model::Params;
use crate::registry::DynProtocol;
use crate::runner::{fault_space, LineageMode, Run, RunConfig};
use ldfi_lineage::{CrashMode, FaultSet, FaultSpace, RestartSpace};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

pub use assert::{assert_certified, assert_counterexample};
pub use builder::Search;
pub use reproduce::{default_schedule_dir, replay_command, replay_command_with};

/// How to choose the next fault set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Lineage-driven: break every known way to succeed, smallest sets first.
    Ldfi,
    /// Uniformly random fault sets from the space (seeded).
    Random,
    /// Every fault set, smallest first.
    Exhaustive,
}

impl Strategy {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Ldfi => "ldfi",
            Strategy::Random => "random",
            Strategy::Exhaustive => "exhaustive",
        }
    }
}

/// What to search.
#[derive(Clone, Debug)]
pub struct SearchConfig {
    /// Protocol version.
    pub version: String,
    /// Workload.
    pub workload: String,
    /// Bounds.
    pub params: Params,
    /// Seed of each run, and of the random strategy.
    pub seed: u64,
    /// Strategy.
    pub strategy: Strategy,
    /// Stop after this many executions (the fault-free one included).
    pub max_runs: Option<u64>,
    /// Keep going after the first counterexample (minimal ones only).
    pub all_counterexamples: bool,
    /// How lineage is recorded.
    pub lineage: LineageMode,
    /// Which checks decide verdicts.
    pub checks: crate::runner::Checks,
    /// Largest exhaustive space the exhaustive strategy accepts.
    pub exhaustive_limit: f64,
    /// What a crash does to a node.
    pub crash: CrashMode,
    /// Confirm a certificate reached with declared lineage under
    /// happens-before lineage before reporting it (default: yes). Off, the
    /// certificate rests on the protocol's declarations and says so.
    pub confirm: bool,
    /// At most this many executions for the confirmation (on top of
    /// `max_runs`); when it runs out, the certificate is reported as
    /// unconfirmed.
    pub confirm_max_runs: Option<u64>,
    /// Shrink every counterexample by replay until no proper subset of it
    /// violates (default: yes).
    pub minimize: bool,
    /// Explicit workload inputs (from a capture) instead of the named
    /// workload's ([`RunConfig::inputs`]).
    pub inputs: Option<std::sync::Arc<Vec<crate::inputs::EncodedInput>>>,
}

/// Default execution budget of a search (every phase together): at most a
/// few minutes on any shipped protocol, and a bound on the memory the
/// lineage of the runs takes.
pub const DEFAULT_MAX_RUNS: u64 = 100_000;

/// Default budget of the happens-before confirmation of a certificate.
pub const CONFIRM_MAX_RUNS: u64 = 20_000;

impl SearchConfig {
    /// A search of `version`/`workload` within `params`, with defaults for
    /// everything else: ldfi strategy, seed 0, [`DEFAULT_MAX_RUNS`], declared
    /// lineage confirmed under happens-before, all checks, `stop` crashes,
    /// counterexamples minimised by replay, first counterexample only.
    pub fn new(version: &str, workload: &str, params: Params) -> SearchConfig {
        SearchConfig {
            version: version.to_string(),
            workload: workload.to_string(),
            params,
            seed: 0,
            strategy: Strategy::Ldfi,
            max_runs: Some(DEFAULT_MAX_RUNS),
            all_counterexamples: false,
            lineage: LineageMode::Declared,
            checks: crate::runner::Checks::All,
            exhaustive_limit: 1e6,
            crash: CrashMode::Stop,
            confirm: true,
            confirm_max_runs: Some(CONFIRM_MAX_RUNS),
            minimize: true,
            inputs: None,
        }
    }

    /// The configuration of one run of this search, with `faults`.
    pub fn run_config(&self, faults: FaultSet) -> RunConfig {
        RunConfig {
            version: self.version.clone(),
            workload: self.workload.clone(),
            params: self.params,
            seed: self.seed,
            faults,
            lineage: self.lineage,
            checks: self.checks,
            crash: self.crash,
            inputs: self.inputs.clone(),
        }
    }

    /// The same search for every field but `strategy`.
    pub fn strategy(mut self, s: Strategy) -> SearchConfig {
        self.strategy = s;
        self
    }
}

/// How a search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conclusion {
    /// A fault set within the bounds violates an invariant.
    Counterexample,
    /// No fault set within the bounds can break all known lineage
    /// (exhaustive: no fault set in the space violates).
    Certified,
    /// The run budget was spent first.
    BudgetExhausted,
    /// Declared lineage certified, but the happens-before confirmation ran
    /// out of budget before it could agree or disagree: no certificate.
    Unconfirmed,
    /// Stopped from outside (Ctrl-C) before it ended: no certificate; the
    /// counterexamples found so far are in the report.
    Interrupted,
    /// The fault-free run already violates ([`SearchReport::fault_free`]):
    /// there is nothing for faults to break — the bounds leave the
    /// protocol too little time, or the version is broken without faults.
    /// Not a counterexample (it has no faults); nothing is saved.
    FaultFreeViolation,
}

/// What a verdict of "no counterexample" rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assurance {
    /// Not a certificate (a counterexample, or a spent budget).
    None,
    /// Certified on happens-before lineage: no assumption about the
    /// protocol (exhaustive over fault sets that change something).
    HappensBefore,
    /// Certified on declared lineage, and confirmed on happens-before.
    Confirmed,
    /// Certified on declared lineage only (`--trust-declarations`): it
    /// rests on every `because` and `guard` being right.
    Declared,
    /// Exhaustive: every fault set of the space was run.
    Exhaustive,
    /// Declared lineage certified; the confirmation ran out of budget.
    Unconfirmed,
}

/// Declared lineage certified, happens-before lineage found a
/// counterexample: a declaration hides a cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// Executions the declared search needed to (wrongly) certify.
    pub declared_executions: u64,
    /// The `because` call (`file:line`) whose declared causes promised an
    /// act the counterexample's run does not have, if one was found.
    pub culprit: Option<String>,
}

impl Conclusion {
    /// `counterexample`, `certified` or `budget-exhausted`.
    pub fn word(self) -> &'static str {
        match self {
            Conclusion::Counterexample => "counterexample",
            Conclusion::Certified => "certified",
            Conclusion::BudgetExhausted => "budget-exhausted",
            Conclusion::Unconfirmed => "unconfirmed",
            Conclusion::Interrupted => "interrupted",
            Conclusion::FaultFreeViolation => "fault-free-violation",
        }
    }
}

/// A violating run.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The run's configuration (its faults are the counterexample).
    pub config: RunConfig,
    /// The run.
    pub run: Run,
    /// Execution number (1 = the fault-free run) at which it was found.
    pub found_at: u64,
    /// The fault set first found, when replay showed a proper subset of it
    /// violates too (this counterexample is that subset).
    pub shrunk_from: Option<FaultSet>,
    /// True when every proper subset was replayed and none violates;
    /// false when the set was too large for that and was only shrunk
    /// fault by fault (no single fault can be dropped).
    pub minimal_checked: bool,
}

impl Counterexample {
    /// The violated invariant.
    pub fn invariant(&self) -> &str {
        match &self.run.verdict {
            Verdict::Violated { invariant, .. } => invariant,
            _ => unreachable!("a counterexample is a violated run"),
        }
    }
}

/// What a search found.
#[derive(Clone, Debug)]
pub struct SearchReport {
    /// How it ended.
    pub conclusion: Conclusion,
    /// Executions, the fault-free one included.
    pub executions: u64,
    /// Counterexamples, in the order found (minimal ones).
    pub counterexamples: Vec<Counterexample>,
    /// Size of the exhaustive space (Molly's formula).
    pub combinations: f64,
    /// Fault sets the space really holds: subsets of the omissions before
    /// EFF between distinct faulty nodes, with at most `crashes` crashes,
    /// one per node — what the exhaustive strategy runs (only those of at
    /// most `max_faults` faults when that is set).
    pub candidate_sets: f64,
    /// The search's [`SearchLimits::max_faults`]: what a certificate covers.
    pub max_faults: Option<usize>,
    /// The search's restarts: [`SearchLimits::restarts`] and the nodes that
    /// may restart (none when the budget is 0).
    pub restarts: RestartSpace,
    /// Runs whose invariants were all vacuous.
    pub vacuous_runs: u64,
    /// What "no counterexample" rests on.
    pub assurance: Assurance,
    /// Executions of the happens-before confirmation (included in `executions`).
    pub confirm_executions: u64,
    /// Executions spent replaying subsets of counterexamples (included).
    pub minimize_executions: u64,
    /// Set when the confirmation contradicted the declared certificate.
    pub disagreement: Option<Disagreement>,
    /// The fault-free run was vacuous (no invariant's `pre` held): the
    /// search then looked for fault sets that make one hold.
    pub fault_free_vacuous: bool,
    /// The fault-free run, when it violates ([`Conclusion::FaultFreeViolation`]).
    pub fault_free: Option<Box<Run>>,
    /// Every execution, in order (`history[i]` is execution `i + 1`), for
    /// reports: a fault set and a verdict word each, a few counters for
    /// the ones whose lineage the solver learned.
    pub history: Vec<Execution>,
}

/// Which part of a search made an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The search proper (declared lineage, or the only phase).
    Search,
    /// The happens-before confirmation of a declared certificate.
    Confirm,
    /// Replaying a subset of a counterexample to shrink it.
    Minimize,
}

/// One execution of a search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Execution {
    /// The fault set run.
    pub faults: FaultSet,
    /// `good`, `vacuous` or `violated`.
    pub verdict: &'static str,
    /// Which part of the search ran it.
    pub phase: Phase,
    /// What its lineage added to the solver (ldfi only; `None` for a
    /// violated run, a minimisation replay, or another strategy).
    pub lineage: Option<LineageAdded>,
}

/// How much lineage one run contributed to the solver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineageAdded {
    /// Lineage graphs added (one per goal).
    pub graphs: usize,
    /// Vertices of those graphs, in all.
    pub vertices: usize,
    /// `∧`/`∨` gates the solver had not seen in any earlier graph: the
    /// part of this run's lineage that was new to the search.
    pub new_gates: usize,
}

/// Where the search is, for progress displays.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// Executions so far (including this one once `verdict` is set).
    pub executions: u64,
    /// The fault set about to run, or just run.
    pub trying: &'a FaultSet,
    /// Counterexamples so far.
    pub found: usize,
    /// `None` before the run; its verdict after.
    pub verdict: Option<&'a Verdict>,
    /// After the run, under `Checks::Enforcement`: the invariant it
    /// violates although no predicate does (set aside, not a counterexample).
    pub set_aside: Option<&'a str>,
    /// Set once, right after a new (minimal) counterexample is found — the
    /// moment to save it, before the search goes on or is interrupted.
    pub counterexample: Option<&'a Counterexample>,
    /// Size of the ldfi solver's problem so far (zero for the other
    /// strategies).
    pub solver: SolverSize,
}

/// How much the ldfi solver knows: lineage graphs added, SAT clauses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SolverSize {
    /// Lineage graphs added (over both phases).
    pub graphs: usize,
    /// Clauses of the SAT instance of the current phase.
    pub clauses: usize,
}

/// Runs a search. `progress` is called before and after each execution.
pub fn search(
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<SearchReport, RunError> {
    search_until(p, cfg, progress, &AtomicBool::new(false))
}

/// [`search`], stopping with [`Conclusion::Interrupted`] before the next
/// execution once `stop` is set (e.g. by a Ctrl-C handler).
pub fn search_until(
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    progress: &mut dyn FnMut(&Progress<'_>),
    stop: &AtomicBool,
) -> Result<SearchReport, RunError> {
    search_limited(p, cfg, SearchLimits::default(), progress, stop)
}

/// Bounds of a search on top of a [`SearchConfig`]'s. Kept apart from it
/// so that code building a `SearchConfig` field by field keeps compiling
/// as bounds are added; build one with its methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SearchLimits {
    /// At most this many faults (omissions and crashes together) in one
    /// fault set, on top of EFF and the crash budget: a certificate then
    /// says "no fault set of at most this many faults breaks it", and
    /// every strategy honours it. `None`: no such bound.
    pub max_faults: Option<usize>,
    /// At most this many nodes restart in one run (`restart(n, t)`: the
    /// node loses its memory and starts again at once), each at most once,
    /// none that also crashes; only the nodes the protocol declares
    /// ([`DynProtocol::restartable`]). 0 (the default): no restarts, Molly's
    /// fault model.
    pub restarts: u32,
}

impl SearchLimits {
    /// These limits with at most `n` restarting nodes per run.
    pub fn with_restarts(mut self, n: u32) -> Self {
        self.restarts = n;
        self
    }

    /// These limits with at most `k` faults per fault set (`None`: any).
    pub fn with_max_faults(mut self, k: Option<usize>) -> Self {
        self.max_faults = k;
        self
    }
}

/// [`search_until`] within `limits` as well as `cfg`'s bounds.
pub fn search_limited(
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    limits: SearchLimits,
    progress: &mut dyn FnMut(&Progress<'_>),
    stop: &AtomicBool,
) -> Result<SearchReport, RunError> {
    let info = p.info();
    let space = fault_space(&info, &cfg.params);
    let restarts = RestartSpace {
        nodes: p.restartable(),
        budget: limits.restarts,
    };
    let restarts = RestartSpace {
        nodes: restarts.restartable(&space),
        ..restarts
    };
    let mut s = Session {
        p,
        cfg,
        limits,
        progress,
        report: SearchReport {
            conclusion: Conclusion::Certified,
            executions: 0,
            counterexamples: Vec::new(),
            combinations: space.combinations(),
            max_faults: limits.max_faults,
            candidate_sets: candidate_sets(&space, &restarts, limits.max_faults),
            restarts: restarts.clone(),
            vacuous_runs: 0,
            assurance: Assurance::None,
            confirm_executions: 0,
            minimize_executions: 0,
            disagreement: None,
            fault_free_vacuous: false,
            fault_free: None,
            history: Vec::new(),
        },
        limit: cfg.max_runs,
        seen: Default::default(),
        stop,
        interrupted: false,
        phase: Phase::Search,
        solver: SolverSize::default(),
    };
    match cfg.strategy {
        Strategy::Ldfi => ldfi::search(&mut s, &space)?,
        Strategy::Random => random::search(&mut s, &space)?,
        Strategy::Exhaustive => exhaustive::search(&mut s, &space)?,
    }
    if s.report.conclusion == Conclusion::Certified && cfg.strategy == Strategy::Exhaustive {
        s.report.assurance = Assurance::Exhaustive;
    }
    if s.interrupted {
        s.report.conclusion = Conclusion::Interrupted;
    } else if !s.report.counterexamples.is_empty() {
        // All counterexamples wanted: the budget may end the search after
        // some were found; it is still a counterexample verdict.
        s.report.conclusion = Conclusion::Counterexample;
    }
    if s.report.conclusion != Conclusion::Certified {
        s.report.assurance = match s.report.conclusion {
            Conclusion::Unconfirmed => Assurance::Unconfirmed,
            _ => Assurance::None,
        };
    }
    Ok(s.report)
}

/// How many fault sets the space holds within the limits: what the
/// exhaustive strategy runs.
pub(crate) fn candidate_sets(
    space: &FaultSpace,
    restarts: &RestartSpace,
    max_faults: Option<usize>,
) -> f64 {
    match (restarts.budget, max_faults) {
        (0, Some(max)) => space.candidate_sets_at_most(max),
        (0, None) => space.candidate_sets(),
        _ => restarts.candidate_sets(space, max_faults),
    }
}

/// State shared by the strategies: running fault sets and keeping count.
pub(crate) struct Session<'a> {
    p: &'a dyn DynProtocol,
    cfg: &'a SearchConfig,
    /// Bounds beyond `cfg`'s.
    limits: SearchLimits,
    progress: &'a mut dyn FnMut(&Progress<'_>),
    report: SearchReport,
    /// Stop once this many executions were made (the run budget, lowered
    /// for a confirmation).
    limit: Option<u64>,
    /// Fault sets run so far and whether they violated (minimisation does
    /// not replay what is known).
    seen: std::collections::BTreeMap<FaultSet, bool>,
    /// Set from outside to stop before the next execution.
    stop: &'a AtomicBool,
    /// The search stopped because `stop` was set.
    interrupted: bool,
    /// The phase new executions belong to.
    phase: Phase,
    /// What the ldfi strategy's solver holds, for progress displays.
    pub(crate) solver: SolverSize,
}

/// What one execution gave.
pub(crate) enum Step {
    /// A good (or vacuous) run to learn from.
    Good(Box<Run>),
    /// A counterexample; the search should stop.
    Stop,
    /// A counterexample (this minimal fault set); the search goes on (all
    /// counterexamples wanted).
    Continue(FaultSet),
    /// The budget is spent.
    Budget,
}

impl Session<'_> {
    /// Runs one fault set, counting it; records a counterexample.
    pub(crate) fn execute(&mut self, faults: FaultSet) -> Result<Step, RunError> {
        if self.stop.load(Ordering::Relaxed) {
            self.interrupted = true;
            return Ok(Step::Budget);
        }
        if let Some(max) = self.limit {
            if self.report.executions >= max {
                self.report.conclusion = Conclusion::BudgetExhausted;
                return Ok(Step::Budget);
            }
        }
        (self.progress)(&Progress {
            executions: self.report.executions,
            trying: &faults,
            found: self.report.counterexamples.len(),
            verdict: None,
            set_aside: None,
            counterexample: None,
            solver: self.solver,
        });
        let config = self.config(faults);
        let run = self.p.run(&config)?;
        self.report.executions += 1;
        self.record(&config.faults, &run.verdict, self.phase);
        (self.seen).insert(config.faults.clone(), run.verdict.is_violated());
        (self.progress)(&Progress {
            executions: self.report.executions,
            trying: &config.faults,
            found: self.report.counterexamples.len(),
            verdict: Some(&run.verdict),
            set_aside: run.set_aside.as_deref(),
            counterexample: None,
            solver: self.solver,
        });
        tracing::debug!(
            execution = self.report.executions,
            faults = %config.faults,
            verdict = run.verdict.word(),
            "executed"
        );
        if config.faults.is_empty() && run.verdict.is_violated() {
            self.report.conclusion = Conclusion::FaultFreeViolation;
            self.report.fault_free = Some(Box::new(run));
            return Ok(Step::Stop);
        }
        if run.verdict == Verdict::Vacuous {
            self.report.vacuous_runs += 1;
            if config.faults.is_empty() {
                self.report.fault_free_vacuous = true;
            }
        }
        if !run.verdict.is_violated() {
            return Ok(Step::Good(Box::new(run)));
        }
        self.report.conclusion = Conclusion::Counterexample;
        tracing::info!(execution = self.report.executions, faults = %config.faults, verdict = %run.verdict, "violation");
        let found_at = self.report.executions;
        let cex = if self.cfg.minimize {
            minimize::shrink(self, config, run)?
        } else {
            Counterexample {
                config,
                run,
                found_at,
                shrunk_from: None,
                minimal_checked: false,
            }
        };
        let faults = cex.config.faults.clone();
        let known = (self.report.counterexamples.iter()).any(|c| c.config.faults == faults);
        if !known {
            (self.progress)(&Progress {
                executions: self.report.executions,
                trying: &faults,
                found: self.report.counterexamples.len() + 1,
                verdict: Some(&cex.run.verdict),
                set_aside: None,
                counterexample: Some(&cex),
                solver: self.solver,
            });
            self.report.counterexamples.push(cex);
        }
        Ok(if self.cfg.all_counterexamples {
            Step::Continue(faults)
        } else {
            Step::Stop
        })
    }

    /// Appends an execution to the history.
    pub(crate) fn record(&mut self, faults: &FaultSet, verdict: &Verdict, phase: Phase) {
        self.report.history.push(Execution {
            faults: faults.clone(),
            verdict: verdict.word(),
            phase,
            lineage: None,
        });
    }

    /// Notes what the last execution's lineage added to the solver.
    pub(crate) fn note_lineage(&mut self, added: LineageAdded) {
        if let Some(last) = self.report.history.last_mut() {
            last.lineage = Some(added);
        }
    }

    /// The run configuration of this search with `faults`.
    pub(crate) fn config(&self, faults: FaultSet) -> RunConfig {
        self.cfg.run_config(faults)
    }
}
