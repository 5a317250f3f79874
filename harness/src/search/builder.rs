//! [`Search`]: the search as a builder, for a user's `#[test]`.

use super::assert::{expect, Expected};
use super::reproduce::Reproduce;
use super::{search_limited, Progress, SearchConfig, SearchLimits, SearchReport, Strategy};
use crate::error::RunError;
use crate::model::Params;
use crate::registry::DynProtocol;
use crate::runner::LineageMode;
use ldfi_lineage::{CrashMode, Tick};
use std::path::PathBuf;

/// A search of one protocol with defaults for everything: the protocol's
/// default version, workload and bounds, the ldfi strategy, seed 0, no run
/// budget, declared lineage confirmed on happens-before lineage, `stop`
/// crashes, counterexamples minimised by replay. Change what the test is
/// about, then [`run`](Search::run) it or assert its verdict:
///
/// ```
/// # include!("../guide/register.rs");
/// # fn main() {
/// use ldfi_harness::search::Search;
///
/// // v1 acknowledges before the backup has the value: a lost copy breaks it.
/// let found = Search::new(&Register).version("v1").bounds(5, 3, 0).assert_counterexample();
/// assert_eq!(found.counterexamples[0].invariant(), "acked-is-replicated");
///
/// // v2 waits for the backup's ack: nothing within the bounds breaks it.
/// Search::new(&Register).version("v2").bounds(5, 3, 0).assert_certified();
/// # }
/// ```
///
/// A failing [`assert_certified`](Search::assert_certified) saves the
/// counterexample's schedule (under `target/ldfi-counterexamples/`, or
/// [`schedule_dir`](Search::schedule_dir)) and prints the command that
/// replays it with the crate's own `ldfi` binary (one whose main calls
/// `ldfi::cli::main`; see [`cli_bin`](Search::cli_bin)).
pub struct Search<'p> {
    p: &'p dyn DynProtocol,
    cfg: SearchConfig,
    limits: SearchLimits,
    reproduce: Reproduce,
    progress: Box<dyn FnMut(&Progress<'_>) + 'p>,
}

impl<'p> Search<'p> {
    /// A search of `p` with its defaults.
    pub fn new(p: &'p dyn DynProtocol) -> Self {
        let info = p.info();
        let cfg = SearchConfig::new(&info.default_version, &info.default_workload, info.params);
        Search {
            p,
            cfg,
            limits: SearchLimits::default(),
            reproduce: Reproduce::default(),
            progress: Box::new(|_| {}),
        }
    }

    /// Searches this version.
    pub fn version(mut self, v: &str) -> Self {
        self.cfg.version = v.to_string();
        self
    }

    /// Runs this workload.
    pub fn workload(mut self, w: &str) -> Self {
        self.cfg.workload = w.to_string();
        self
    }

    /// Bounds: the last tick, the end of lost messages (omissions at
    /// ticks `< eff`), and how many nodes may crash.
    pub fn bounds(mut self, eot: Tick, eff: Tick, crashes: u32) -> Self {
        self.cfg.params = Params { eot, eff, crashes };
        self
    }

    /// The seed of every run (and of the random strategy).
    pub fn seed(mut self, seed: u64) -> Self {
        self.cfg.seed = seed;
        self
    }

    /// How fault sets are chosen (default [`Strategy::Ldfi`]).
    pub fn strategy(mut self, s: Strategy) -> Self {
        self.cfg.strategy = s;
        self
    }

    /// Stops after this many executions (then neither verdict holds).
    pub fn max_runs(mut self, n: u64) -> Self {
        self.cfg.max_runs = Some(n);
        self
    }

    /// At most `n` faults (omissions and crashes together) per fault set:
    /// the certificate covers every set of at most `n` faults within the
    /// bounds ([`SearchLimits::max_faults`]).
    pub fn max_faults(mut self, n: usize) -> Self {
        self.limits = self.limits.with_max_faults(Some(n));
        self
    }

    /// Also restarts, of at most `n` nodes per fault set (each at most
    /// once, never one that also crashes), among the nodes the protocol
    /// declares restartable ([`SearchLimits::restarts`]).
    pub fn restarts(mut self, n: u32) -> Self {
        self.limits = self.limits.with_restarts(n);
        self
    }

    /// What a crash does (default [`CrashMode::Stop`]).
    pub fn crash_semantics(mut self, c: CrashMode) -> Self {
        self.cfg.crash = c;
        self
    }

    /// Searches on happens-before lineage, ignoring `because` and `guard`.
    pub fn happens_before(mut self) -> Self {
        self.cfg.lineage = LineageMode::HappensBefore;
        self
    }

    /// Accepts a certificate resting on the declarations (no confirmation).
    pub fn trust_declarations(mut self) -> Self {
        self.cfg.confirm = false;
        self
    }

    /// Finds every minimal counterexample instead of the first.
    pub fn all_counterexamples(mut self) -> Self {
        self.cfg.all_counterexamples = true;
        self
    }

    /// Any other setting of the underlying [`SearchConfig`].
    pub fn configure(mut self, f: impl FnOnce(&mut SearchConfig)) -> Self {
        f(&mut self.cfg);
        self
    }

    /// Saves counterexample schedules here instead of the default
    /// ([`default_schedule_dir`](super::default_schedule_dir)).
    pub fn schedule_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.reproduce.dir = Some(dir.into());
        self
    }

    /// The binary target (of the crate under test) whose main calls
    /// `ldfi::cli::main`, for the printed replay command; by default one is
    /// looked for in `src/main.rs` and `src/bin/`.
    pub fn cli_bin(mut self, name: &str) -> Self {
        self.reproduce.bin = Some(name.to_string());
        self
    }

    /// Calls `f` before and after every execution (for a progress display).
    pub fn on_progress(mut self, f: impl FnMut(&Progress<'_>) + 'p) -> Self {
        self.progress = Box::new(f);
        self
    }

    /// The configuration as it stands.
    pub fn config(&self) -> &SearchConfig {
        &self.cfg
    }

    /// Runs the search.
    ///
    /// # Errors
    /// A version, workload or bound the protocol does not have.
    pub fn run(mut self) -> Result<SearchReport, RunError> {
        let never = std::sync::atomic::AtomicBool::new(false);
        search_limited(self.p, &self.cfg, self.limits, &mut *self.progress, &never)
    }

    /// Runs the search and panics unless it certifies (confirmed on
    /// happens-before lineage, unless [`trust_declarations`](Self::trust_declarations)).
    ///
    /// # Panics
    /// With the violated invariant, the minimal fault set, the saved
    /// schedule and the command that replays it; or on an unconfirmed
    /// certificate, a spent budget, or bad configuration.
    pub fn assert_certified(mut self) -> SearchReport {
        expect(
            Expected::Certified,
            self.p,
            &self.cfg,
            self.limits,
            &self.reproduce,
            &mut *self.progress,
        )
    }

    /// Runs the search and panics unless it finds a counterexample;
    /// returns the report (its first counterexample is minimal by replay).
    ///
    /// # Panics
    /// If the search certifies, is unconfirmed, spends its budget, or errs.
    pub fn assert_counterexample(mut self) -> SearchReport {
        expect(
            Expected::Counterexample,
            self.p,
            &self.cfg,
            self.limits,
            &self.reproduce,
            &mut *self.progress,
        )
    }
}
