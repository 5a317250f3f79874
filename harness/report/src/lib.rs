//! HTML reports of ldfi searches, replays and corpus checks: a directory
//! of self-contained pages (inline CSS and SVG, no scripts, no fonts or
//! anything else fetched) that open from `file://`.
//!
//! - a **search** report ([`search`]): the index (verdict, bounds,
//!   counters), a page per counterexample with its spacetime diagram, a
//!   page per enforcement violation with the rule automaton's state along
//!   the offending key's messages, the lineage of the last good run with
//!   the chosen fault set overlaid, and the search history;
//! - a **replay** report ([`replay`]): the run, its lineage, its
//!   enforcement violation;
//! - a **corpus** report ([`corpus`]): an index and a page per schedule.
//!
//! Rendering is pure (data in, pages out); the only run the report makes
//! is the replay of one good run whose lineage it draws (deterministic:
//! the same schedule and seed give the same trace). Every string that
//! comes from a protocol or a user is HTML-escaped. A directory that
//! holds anything but a previous report is refused ([`check_dir`]).
//!
//! Modules:
//! - [`html`] — escaping and the page frame.
//! - [`svg`] — SVG text, style and legends.
//! - [`spacetime`] — a run as a spacetime diagram.
//! - [`layout`] — a layered (Sugiyama-style) DAG layout.
//! - [`lineage`] — a lineage graph with a fault set overlaid.
//! - [`enforce`] — an enforcement violation and its automaton states.
//! - [`history`] — the search history page.
//! - [`figure`] — figures with legends; a run's outcome and lineage.
//! - [`pages`] — the search report's pages; [`replay_pages`] the replay's and corpus's.
//! - [`out`] — writing the directory (marker file, atomic renames).
//! - [`error`] — [`ReportError`].
#![deny(missing_docs)]

pub mod enforce;
pub mod error;
pub mod figure;
pub mod history;
pub mod html;
pub mod layout;
pub mod lineage;
pub mod out;
pub mod pages;
pub mod replay_pages;
pub mod spacetime;
pub mod svg;

pub use error::ReportError;
pub use replay_pages::Replayed;

use html::Page;
use ldfi_harness::registry::{DynProtocol, Registry};
use ldfi_harness::schedule::{Expect, Schedule};
use ldfi_harness::search::{SearchConfig, SearchReport};
use ldfi_harness::{FaultSet, Run, RunConfig};
use std::path::{Path, PathBuf};

/// Fails unless `dir` may receive a report: it does not exist, is empty,
/// or holds a previous report. Writes nothing (call it before a long
/// search so a bad `--report` fails at once).
pub fn check_dir(dir: &Path) -> Result<(), ReportError> {
    out::check(dir)
}

/// Writes the report of a search into `dir`; returns the index page's
/// path. `saved` is where each counterexample was saved, if it was.
pub fn search(
    dir: &Path,
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    report: &SearchReport,
    saved: &[Option<PathBuf>],
) -> Result<PathBuf, ReportError> {
    let last = pages::last_good(report);
    let run = match last {
        Some(n) => Some(p.run(&run_config(
            cfg,
            report.history[n as usize - 1].faults.clone(),
        ))?),
        None => None,
    };
    let data = pages::SearchData {
        protocol: &p.info().name,
        cfg,
        report,
        saved,
        last_good: last.zip(run.as_ref()),
    };
    write(dir, &pages::pages(&data))
}

/// The configuration of one execution of `cfg` with `faults`.
fn run_config(cfg: &SearchConfig, faults: FaultSet) -> RunConfig {
    cfg.run_config(faults)
}

/// Writes the report of one replayed schedule into `dir`; returns the
/// index page's path. For a violated run the lineage drawn is the
/// fault-free run's (re-run here), with the schedule's faults overlaid.
pub fn replay(
    dir: &Path,
    p: &dyn DynProtocol,
    schedule: &Path,
    config: &RunConfig,
    run: &Run,
    expect: Option<&Expect>,
) -> Result<PathBuf, ReportError> {
    let fault_free = if run.verdict.is_violated() {
        let cfg = RunConfig {
            faults: FaultSet::default(),
            ..config.clone()
        };
        Some(p.run(&cfg)?)
    } else {
        None
    };
    let name = p.info().name;
    let r = Replayed {
        path: schedule.to_path_buf(),
        protocol: &name,
        config,
        run,
        expect,
    };
    let good = fault_free.as_ref().unwrap_or(run);
    let lineage_run = (!good.verdict.is_violated()).then_some(good);
    write(dir, &replay_pages::replay_pages(&r, lineage_run))
}

/// Writes the report of a corpus check into `dir`: each of `files` (the
/// schedules under `corpus`) is replayed as `ldfi corpus check` replays
/// it (against `version` if given); one that cannot be read or run is
/// listed with its error. Returns the index page's path.
pub fn corpus(
    dir: &Path,
    registry: &Registry,
    corpus: &Path,
    files: &[PathBuf],
    version: Option<&str>,
) -> Result<PathBuf, ReportError> {
    let mut runs = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        match replay_one(registry, path, version) {
            Ok(r) => runs.push((path.clone(), r)),
            Err(e) => errors.push((path.clone(), e)),
        }
    }
    let all: Vec<Replayed<'_>> = runs
        .iter()
        .map(|(path, (protocol, config, run, expect))| Replayed {
            path: path.clone(),
            protocol,
            config,
            run,
            expect: expect.as_ref(),
        })
        .collect();
    let corpus = corpus.display().to_string();
    write(dir, &replay_pages::corpus_pages(&corpus, &all, &errors))
}

/// A schedule's protocol name, configuration, run and expectation.
type Replay = (String, RunConfig, Run, Option<Expect>);

fn replay_one(reg: &Registry, path: &Path, version: Option<&str>) -> Result<Replay, String> {
    let s = Schedule::load(path).map_err(|e| e.to_string())?;
    let p = reg
        .get(&s.protocol)
        .ok_or_else(|| format!("{}: unknown protocol `{}`", path.display(), s.protocol))?;
    let config = s.run_config(&p.info(), version, None);
    let run = p
        .run(&config)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((p.info().name, config, run, s.expect))
}

/// Frames and writes `pages` (index first); the index path.
fn write(dir: &Path, pages: &[Page]) -> Result<PathBuf, ReportError> {
    let title = pages[0].title.clone();
    let nav: Vec<(String, String)> = pages
        .iter()
        .filter(|p| !p.file.starts_with("schedule-"))
        .map(|p| {
            let label = if p.file == "index.html" {
                "index".to_string()
            } else {
                short(&p.title)
            };
            (p.file.clone(), label)
        })
        .collect();
    let files: Vec<(String, String)> = pages
        .iter()
        .map(|p| (p.file.clone(), html::document(p, &title, &nav)))
        .collect();
    out::prepare(dir)?;
    out::write_all(dir, &files)?;
    Ok(dir.join("index.html"))
}

/// A page title cut for the navigation bar.
fn short(title: &str) -> String {
    let head = title.split(" — ").next().unwrap_or(title);
    svg::fit(head, 32)
}
