//! The search: strategies over one fault space, from one fault-free run to
//! a counterexample, a certificate, or a spent budget.
//!
//! - [`Strategy::Ldfi`]: lineage of every good run, minimal fault sets by SAT.
//! - [`Strategy::Random`]: seeded, uniform over the space (the published baseline).
//! - [`Strategy::Exhaustive`]: every fault set in size order, where the space is small.

mod exhaustive;
mod ldfi;
mod random;

use crate::check::Verdict;
use crate::error::RunError;
use crate::model::Params;
use crate::registry::DynProtocol;
use crate::runner::{fault_space, LineageMode, Run, RunConfig};
use ldfi_lineage::FaultSet;
use serde::Serialize;

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
}

impl Conclusion {
    /// `counterexample`, `certified` or `budget-exhausted`.
    pub fn word(self) -> &'static str {
        match self {
            Conclusion::Counterexample => "counterexample",
            Conclusion::Certified => "certified",
            Conclusion::BudgetExhausted => "budget-exhausted",
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
    /// Runs whose invariants were all vacuous.
    pub vacuous_runs: u64,
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
}

/// Runs a search. `progress` is called before and after each execution.
pub fn search(
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<SearchReport, RunError> {
    let info = p.info();
    let space = fault_space(&info, &cfg.params);
    let mut s = Session {
        p,
        cfg,
        progress,
        report: SearchReport {
            conclusion: Conclusion::Certified,
            executions: 0,
            counterexamples: Vec::new(),
            combinations: space.combinations(),
            vacuous_runs: 0,
        },
    };
    match cfg.strategy {
        Strategy::Ldfi => ldfi::search(&mut s, &space)?,
        Strategy::Random => random::search(&mut s, &space)?,
        Strategy::Exhaustive => exhaustive::search(&mut s, &space)?,
    }
    Ok(s.report)
}

/// State shared by the strategies: running fault sets and keeping count.
pub(crate) struct Session<'a> {
    p: &'a dyn DynProtocol,
    cfg: &'a SearchConfig,
    progress: &'a mut dyn FnMut(&Progress<'_>),
    report: SearchReport,
}

/// What one execution gave.
pub(crate) enum Step {
    /// A good (or vacuous) run to learn from.
    Good(Box<Run>),
    /// A counterexample; the search should stop.
    Stop,
    /// A counterexample; the search goes on (all counterexamples wanted).
    Continue,
    /// The budget is spent.
    Budget,
}

impl Session<'_> {
    /// Runs one fault set, counting it; records a counterexample.
    pub(crate) fn execute(&mut self, faults: FaultSet) -> Result<Step, RunError> {
        if let Some(max) = self.cfg.max_runs {
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
        });
        let config = RunConfig {
            version: self.cfg.version.clone(),
            workload: self.cfg.workload.clone(),
            params: self.cfg.params,
            seed: self.cfg.seed,
            faults,
            lineage: self.cfg.lineage,
            checks: self.cfg.checks,
        };
        let run = self.p.run(&config)?;
        self.report.executions += 1;
        (self.progress)(&Progress {
            executions: self.report.executions,
            trying: &config.faults,
            found: self.report.counterexamples.len(),
            verdict: Some(&run.verdict),
        });
        if run.verdict == Verdict::Vacuous {
            self.report.vacuous_runs += 1;
        }
        if !run.verdict.is_violated() {
            return Ok(Step::Good(Box::new(run)));
        }
        self.report.conclusion = Conclusion::Counterexample;
        self.report.counterexamples.push(Counterexample {
            config,
            run,
            found_at: self.report.executions,
        });
        Ok(if self.cfg.all_counterexamples {
            Step::Continue
        } else {
            Step::Stop
        })
    }
}
