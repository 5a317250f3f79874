//! The regression corpus: counterexamples saved as schedule files, named
//! by their content, and replayed to see whether each still does what it
//! recorded. `ldfi corpus check` and [`assert_reproduces`] (for a user's
//! `#[test]`) are the same replay.
//!
//! ```
//! use ldfi_harness::corpus::{classify, Status};
//! use ldfi_harness::schedule::Expect;
//! use ldfi_harness::Verdict;
//! let recorded = Expect { verdict: "violated".into(), invariant: Some("delivery".into()), trace_hash: None };
//! assert_eq!(classify(Some(&recorded), &Verdict::Good, "0123"), Status::Fixed);
//! ```

use crate::check::Verdict;
use crate::error::RunError;
use crate::files::write_new_atomic;
use crate::registry::{DynProtocol, Registry};
use crate::runner::{Run, RunConfig};
use crate::schedule::{Expect, Schedule, ScheduleError};
use crate::search::Counterexample;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a corpus cannot be read, written or replayed. Every message names
/// the file or directory.
#[derive(Debug, Error)]
pub enum CorpusError {
    /// A directory or file cannot be read, created or written.
    #[error("{path}: {what}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was attempted, e.g. `cannot read directory`.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// The corpus path is not a directory.
    #[error("{0}: not a directory (corpus check takes the corpus directory)")]
    NotADirectory(PathBuf),
    /// A schedule file is not a schedule.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A schedule names a protocol this registry does not have.
    #[error("{path}: field `protocol`: unknown protocol `{name}` (known: {known})")]
    UnknownProtocol {
        /// The schedule file.
        path: PathBuf,
        /// The protocol it names.
        name: String,
        /// The known protocols, comma-separated.
        known: String,
    },
    /// The schedule's run could not be made (an unknown version, a fault
    /// outside the bounds...).
    #[error("{path}: {source}")]
    Run {
        /// The schedule file.
        path: PathBuf,
        /// Why.
        source: RunError,
    },
}

/// Whether a schedule still does what it recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Same verdict, invariant and trace hash as recorded.
    Reproduces,
    /// Recorded a violation, now good or vacuous.
    Fixed,
    /// Anything else (or nothing was recorded).
    Changed,
}

impl Status {
    /// `reproduces`, `fixed` or `changed`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Reproduces => "reproduces",
            Status::Fixed => "fixed",
            Status::Changed => "changed",
        }
    }
}

/// One schedule of a corpus, replayed.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The file.
    pub path: PathBuf,
    /// What it says.
    pub schedule: Schedule,
    /// The run it describes (with the version override, if any).
    pub config: RunConfig,
    /// The run.
    pub run: Run,
    /// Its trace hash.
    pub trace_hash: String,
    /// Against what it recorded.
    pub status: Status,
}

/// The violated invariant of `v`, if any.
pub fn violated_invariant(v: &Verdict) -> Option<&str> {
    match v {
        Verdict::Violated { invariant, .. } => Some(invariant),
        _ => None,
    }
}

/// Compares a run's verdict and trace hash with what a schedule recorded.
pub fn classify(expect: Option<&Expect>, verdict: &Verdict, hash: &str) -> Status {
    let Some(e) = expect else {
        return Status::Changed;
    };
    let same_verdict =
        e.verdict == verdict.word() && e.invariant.as_deref() == violated_invariant(verdict);
    if same_verdict && e.trace_hash.as_ref().is_none_or(|h| h == hash) {
        Status::Reproduces
    } else if e.verdict == "violated" && !verdict.is_violated() {
        Status::Fixed
    } else {
        Status::Changed
    }
}

/// The `.json` files under a corpus directory, and the directory links
/// that were not followed.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// Schedule files, sorted.
    pub files: Vec<PathBuf>,
    /// Symbolic links to directories, not followed (a link cycle would
    /// replay files again and again, or never end), sorted.
    pub skipped_links: Vec<PathBuf>,
}

/// Every `.json` file under `dir` (recursively), without following links
/// to directories (links to files are read: they cannot loop).
pub fn schedule_files(dir: &Path) -> Result<Listing, CorpusError> {
    let io = |path: &Path, what, source| CorpusError::Io {
        path: path.to_path_buf(),
        what,
        source,
    };
    let meta = std::fs::metadata(dir).map_err(|e| io(dir, "cannot read directory", e))?;
    if !meta.is_dir() {
        return Err(CorpusError::NotADirectory(dir.to_path_buf()));
    }
    let mut listing = Listing::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| io(&d, "cannot read directory", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io(&d, "cannot read directory", e))?;
            let path = entry.path();
            // `file_type` does not follow links.
            let kind = (entry.file_type()).map_err(|e| io(&path, "cannot read", e))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() && path.is_dir() {
                listing.skipped_links.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                listing.files.push(path);
            }
        }
    }
    listing.files.sort();
    listing.skipped_links.sort();
    Ok(listing)
}

/// Replays one schedule file on `p` (against `version` instead of the
/// schedule's own, if given).
pub fn replay(
    p: &dyn DynProtocol,
    path: &Path,
    schedule: Schedule,
    version: Option<&str>,
) -> Result<Replayed, CorpusError> {
    let config = schedule.run_config(&p.info(), version, None);
    let run = p.run(&config).map_err(|source| CorpusError::Run {
        path: path.to_path_buf(),
        source,
    })?;
    let trace_hash = run.trace.hash();
    let status = classify(schedule.expect.as_ref(), &run.verdict, &trace_hash);
    Ok(Replayed {
        path: path.to_path_buf(),
        schedule,
        config,
        run,
        trace_hash,
        status,
    })
}

/// A corpus replayed: each file's outcome (an unreadable or unrunnable
/// file is an error naming it; the rest are still replayed).
#[derive(Debug)]
pub struct Checked {
    /// Each schedule file, in order, replayed or why not.
    pub results: Vec<(PathBuf, Result<Replayed, CorpusError>)>,
    /// Links to directories, not followed.
    pub skipped_links: Vec<PathBuf>,
}

/// Replays every schedule under `dir`, each on the protocol it names in
/// `reg` (against `version` instead of its own, if given): what
/// `ldfi corpus check` prints.
///
/// # Errors
/// Only when `dir` itself cannot be listed; a bad file is an error in
/// its row.
pub fn check(reg: &Registry, dir: &Path, version: Option<&str>) -> Result<Checked, CorpusError> {
    let listing = schedule_files(dir)?;
    let results = (listing.files.into_iter())
        .map(|path| {
            let r = replay_file(reg, &path, version);
            (path, r)
        })
        .collect();
    Ok(Checked {
        results,
        skipped_links: listing.skipped_links,
    })
}

/// Loads and replays one schedule file on the protocol it names.
fn replay_file(
    reg: &Registry,
    path: &Path,
    version: Option<&str>,
) -> Result<Replayed, CorpusError> {
    let s = Schedule::load(path)?;
    let p = reg
        .get(&s.protocol)
        .ok_or_else(|| CorpusError::UnknownProtocol {
            path: path.to_path_buf(),
            name: s.protocol.clone(),
            known: reg.names().join(", "),
        })?;
    replay(p, path, s, version)
}

/// Saves a counterexample of `protocol` under `dir` (created if missing),
/// named by its content with its verdict and trace hash recorded: the same
/// counterexample is never saved twice, and no other file is overwritten.
pub fn save(protocol: &str, c: &Counterexample, dir: &Path) -> Result<PathBuf, CorpusError> {
    let expect = Expect {
        verdict: c.run.verdict.word().to_string(),
        invariant: violated_invariant(&c.run.verdict).map(str::to_string),
        trace_hash: Some(c.run.trace.hash()),
    };
    let schedule = Schedule::from_run(protocol, &c.config, Some(expect));
    let text = schedule.to_json();
    let io = |path: &Path, what, source| CorpusError::Io {
        path: path.to_path_buf(),
        what,
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, "cannot create", e))?;
    let name = schedule.file_name();
    let stem = name.trim_end_matches(".json");
    for n in 0.. {
        let path = if n == 0 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem}-{n}.json"))
        };
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == text => return Ok(path),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Atomic, and never over a file that appeared meanwhile.
                match write_new_atomic(&path, text.as_bytes()) {
                    Ok(()) => return Ok(path),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(io(&path, "cannot write", e)),
                }
            }
            Err(e) => return Err(io(&path, "cannot read", e)),
        }
    }
    unreachable!("some name is free")
}

/// For a `#[test]`: replays every schedule under `dir` on `p` and panics
/// unless each reproduces what it recorded (a fixed bug's schedules belong
/// under another version, or deleted). Schedules of other protocols are
/// skipped. Returns what was replayed.
///
/// # Panics
/// On drift (naming each file, its status, and the `ldfi replay` command),
/// an unreadable corpus, or a corpus with no schedule of `p`.
pub fn assert_reproduces(p: &dyn DynProtocol, dir: impl AsRef<Path>) -> Vec<Replayed> {
    let dir = dir.as_ref();
    let name = p.info().name;
    let fail = |e: CorpusError| -> ! { panic!("corpus {}: {e}", dir.display()) };
    let mut out = Vec::new();
    for path in schedule_files(dir).unwrap_or_else(|e| fail(e)).files {
        let s = Schedule::load(&path).unwrap_or_else(|e| fail(e.into()));
        if s.protocol == name {
            out.push(replay(p, &path, s, None).unwrap_or_else(|e| fail(e)));
        }
    }
    assert!(
        !out.is_empty(),
        "corpus {}: no schedule of `{name}`",
        dir.display()
    );
    let drift: Vec<String> = (out.iter())
        .filter(|r| r.status != Status::Reproduces)
        .map(|r| {
            format!(
                "{} {}: now {} {} (trace {}); replay: {}",
                r.status.word(),
                r.path.display(),
                r.run.verdict,
                r.config.version,
                r.trace_hash,
                crate::search::replay_command(&r.path)
            )
        })
        .collect();
    assert!(
        drift.is_empty(),
        "corpus {}: {} of {} schedules of `{name}` do not reproduce:\n{}",
        dir.display(),
        drift.len(),
        out.len(),
        drift.join("\n")
    );
    out
}
