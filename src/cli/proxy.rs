//! `ldfi proxy`: the enforcement sidecar in front of one node (a child of
//! `ldfi dataplane run`; it prints `ldfi-ready port=P metrics=M` when it
//! serves). `GET http://127.0.0.1:M/metrics` gives its counters.

use super::node::RunFlags;
use super::shared::{registry, CliError};
use ldfi_dataplane::sidecar::{enforce::Mode, serve, Config};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    run: RunFlags,
    /// What to do with a message that violates a predicate: refuse it, or
    /// observe (log, count and forward it, as the simulator delivers it).
    #[arg(long, default_value = "refuse")]
    enforce: String,
    /// Append violation records (JSON lines) to this file.
    #[arg(long)]
    violations: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let reg = registry();
    let (p, cfg, me) = args.run.resolve(&reg)?;
    let mode: Mode = args
        .enforce
        .parse()
        .map_err(|e| CliError::Input(format!("--enforce: {e}")))?;
    let config = Config {
        me,
        names: p.info().nodes,
        wire: p.wire(&cfg)?,
        decoder: p.decoder(),
        spec: p.enforcement_spec(&cfg)?,
        mode,
        violations: args.violations,
    };
    ldfi_dataplane::child::ignore_sigpipe();
    serve(config).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
