//! Schedule files: a run written down (JSON, `"format": 1`).
//!
//! ```json
//! {"format":1,"protocol":"simple-deliv","params":{"eot":4,"eff":2,"crashes":0},
//!  "faults":[{"omit":{"from":"a","to":"b","at":1}}]}
//! ```
//! Only `format` and `protocol` are required. Defaults: `version` and
//! `workload` the protocol's defaults, each of `params.eot`, `params.eff`,
//! `params.crashes` the protocol's default, `seed` 0, `faults` none,
//! `expect` none (nothing to compare against), `inputs` none (the
//! workload's own inputs; explicit ones come from a capture).

use crate::model::ProtocolInfo;
use crate::runner::{LineageMode, RunConfig};
use crate::Params;
use ldfi_lineage::{CrashMode, Fault, FaultSet, Tick};

use crate::files::{read_text, FileError, MAX_INPUT_BYTES};
use crate::runner::Checks;
use crate::schedule_check::{check_faults, check_shape, FieldError};
use serde::{Deserialize, Serialize};

fn is_stop(c: &CrashMode) -> bool {
    *c == CrashMode::Stop
}

fn is_all(c: &Checks) -> bool {
    *c == Checks::All
}
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The only schedule format there is so far.
pub const FORMAT: u32 = 1;

/// Parameters a schedule may override; a missing one is the protocol's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsOverride {
    /// End of time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eot: Option<Tick>,
    /// End of finite failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eff: Option<Tick>,
    /// Crash budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashes: Option<u32>,
}

impl ParamsOverride {
    /// These overrides applied to `base`.
    pub fn apply(&self, base: Params) -> Params {
        Params {
            eot: self.eot.unwrap_or(base.eot),
            eff: self.eff.unwrap_or(base.eff),
            crashes: self.crashes.unwrap_or(base.crashes),
        }
    }
}

/// What a run of this schedule is expected to give (recorded with counterexamples).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `good`, `vacuous` or `violated`.
    pub verdict: String,
    /// The violated invariant, if violated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invariant: Option<String>,
    /// The trace hash recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_hash: Option<String>,
}

/// A schedule file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Must be 1.
    pub format: u32,
    /// Protocol name.
    pub protocol: String,
    /// Version (default: the protocol's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Workload (default: the protocol's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// Bounds (each default: the protocol's).
    #[serde(default)]
    pub params: ParamsOverride,
    /// Seed (default 0).
    #[serde(default)]
    pub seed: u64,
    /// Crash semantics, `stop` (the default) or `molly`.
    #[serde(default, skip_serializing_if = "is_stop")]
    pub crash_semantics: CrashMode,
    /// Which checks decide the verdict: `all` (the default), `invariants`
    /// or `enforcement` (recorded by a search run with `--checks`).
    #[serde(default, skip_serializing_if = "is_all")]
    pub checks: Checks,
    /// Faults to inject (default none).
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Explicit workload inputs (from a capture, `search --workload-file`),
    /// given instead of the workload's own; the workload's name still says
    /// which run they came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<crate::inputs::EncodedInput>>,
    /// Expected result (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// Why a schedule file cannot be used. Every message names the file.
#[derive(Debug, Error)]
pub enum ScheduleError {
    /// The file cannot be read (missing, not a regular file, too large).
    #[error(transparent)]
    File(#[from] FileError),
    /// A field has a value no schedule may have.
    #[error("{path}: field `{field}`: {message}")]
    Field {
        /// The file.
        path: PathBuf,
        /// The field's path, e.g. `faults[0].omit`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Not valid JSON, or not a schedule.
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// serde's message, with line and column.
        message: String,
    },
    /// A format this version does not read.
    #[error(
        "{path}: field `format`: unsupported format {found} (this ldfi reads format {FORMAT})"
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// What it said.
        found: u32,
    },
}

impl Schedule {
    /// Parses a schedule from JSON text; `path` is used in errors.
    ///
    /// Strict: besides the types, struct-like fields must be JSON objects,
    /// `expect` must hold known values, and faults must obey the rules that
    /// hold whatever the protocol (see `schedule_check`).
    pub fn parse(text: &str, path: &Path) -> Result<Schedule, ScheduleError> {
        let json = |e: serde_json::Error| ScheduleError::Json {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let field = |e: FieldError| ScheduleError::Field {
            path: path.to_path_buf(),
            field: e.field,
            message: e.message,
        };
        let doc: serde_json::Value = serde_json::from_str(text).map_err(json)?;
        if let Some(f) = doc.get("format") {
            if f.as_u64() != Some(u64::from(FORMAT)) {
                return Err(ScheduleError::Field {
                    path: path.to_path_buf(),
                    field: "format".into(),
                    message: format!("unsupported format {f} (this ldfi reads format {FORMAT})"),
                });
            }
        }
        check_shape(&doc).map_err(field)?;
        // Typed, with the path of the field a type error is in (serde's
        // own message names the type, not the field).
        let mut de = serde_json::Deserializer::from_str(text);
        let s: Schedule = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.into_inner();
            if at == "." || at.is_empty() {
                json(inner)
            } else {
                ScheduleError::Field {
                    path: path.to_path_buf(),
                    field: at,
                    message: inner.to_string(),
                }
            }
        })?;
        if s.format != FORMAT {
            return Err(ScheduleError::Format {
                path: path.to_path_buf(),
                found: s.format,
            });
        }
        check_faults(&s.faults).map_err(field)?;
        Ok(s)
    }

    /// Reads and parses a schedule file.
    pub fn load(path: &Path) -> Result<Schedule, ScheduleError> {
        let text = read_text(path, MAX_INPUT_BYTES)?;
        Schedule::parse(&text, path)
    }

    /// The run this schedule describes, for a protocol with `info`, with
    /// optional version and workload overrides (from the command line).
    pub fn run_config(
        &self,
        info: &ProtocolInfo,
        version: Option<&str>,
        workload: Option<&str>,
    ) -> RunConfig {
        RunConfig {
            version: version
                .map(str::to_string)
                .or_else(|| self.version.clone())
                .unwrap_or_else(|| info.default_version.clone()),
            workload: workload
                .map(str::to_string)
                .or_else(|| self.workload.clone())
                .unwrap_or_else(|| info.default_workload.clone()),
            params: self.params.apply(info.params),
            seed: self.seed,
            faults: self.faults.iter().cloned().collect::<FaultSet>(),
            lineage: LineageMode::Declared,
            checks: self.checks,
            crash: self.crash_semantics,
            inputs: self.inputs.clone().map(std::sync::Arc::new),
        }
    }

    /// A complete schedule for `cfg` (every field written out).
    pub fn from_run(protocol: &str, cfg: &RunConfig, expect: Option<Expect>) -> Schedule {
        Schedule {
            format: FORMAT,
            protocol: protocol.to_string(),
            version: Some(cfg.version.clone()),
            workload: Some(cfg.workload.clone()),
            params: ParamsOverride {
                eot: Some(cfg.params.eot),
                eff: Some(cfg.params.eff),
                crashes: Some(cfg.params.crashes),
            },
            seed: cfg.seed,
            crash_semantics: cfg.crash,
            checks: cfg.checks,
            faults: cfg.faults.faults().to_vec(),
            inputs: cfg.inputs.as_ref().map(|i| i.to_vec()),
            expect,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("schedules serialize");
        s.push('\n');
        s
    }

    /// A file name derived from the content: equal schedules get equal names.
    pub fn file_name(&self) -> String {
        let h = ldfi_lineage::trace::fnv1a(self.to_json().as_bytes());
        format!("{:016x}.json", h)
    }
}
