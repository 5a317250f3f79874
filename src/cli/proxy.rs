//! `ldfi proxy`: an enforcement proxy, in one of two modes.
//!
//! - Envelope mode (`--protocol P --node N`): the sidecar in front of one
//!   node of a protocol model (a child of `ldfi dataplane run`).
//! - gRPC mode (`--descriptor SET --spec FILE --upstream ADDR`): a reverse
//!   proxy for any gRPC service (see `proxy_rpc.rs` and the README, "A
//!   gRPC enforcement proxy").
//!
//! Both print `ldfi-ready port=P metrics=M` when they serve;
//! `GET http://127.0.0.1:M/metrics` gives their counters.

use super::node::RunFlags;
use super::shared::{registry, CliError};
use ldfi_dataplane::identity::{ChannelFault, ChannelFaults};
use ldfi_dataplane::sidecar::{enforce::Mode, serve, Config};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    rpc: super::proxy_rpc::RpcFlags,
    /// What to do with a message that violates a predicate: refuse it, or
    /// observe (log, count and forward it, as the simulator delivers it).
    #[arg(long, default_value = "refuse")]
    enforce: String,
    /// Append violation records (JSON lines) to this file.
    #[arg(long)]
    violations: Option<PathBuf>,
    /// Faults by channel identity, as the JSON array of a fault file's
    /// `messages` (`dataplane replay` gives them to its sidecars).
    #[arg(long, value_name = "JSON", default_value = "[]")]
    channel_faults: String,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let mode: Mode = args
        .enforce
        .parse()
        .map_err(|e| CliError::Input(format!("--enforce: {e}")))?;
    if args.rpc.descriptor.is_some() || args.rpc.demo_upstream {
        return super::proxy_rpc::run(args.rpc, &args.run, mode, args.violations);
    }
    let reg = registry();
    let (p, cfg, me) = args.run.resolve(&reg)?;
    let names = p.info().nodes;
    let channel: Vec<ChannelFault> = serde_json::from_str(&args.channel_faults)
        .map_err(|e| CliError::Input(format!("--channel-faults: {e}")))?;
    let channel_faults = ChannelFaults::new(&channel, &names)
        .map_err(|e| CliError::Input(format!("--channel-faults: {e}")))?;
    let config = Config {
        me,
        names,
        wire: p.wire(&cfg)?,
        decoder: p.decoder(),
        spec: p.enforcement_spec(&cfg)?,
        mode,
        violations: args.violations,
        channel_faults,
    };
    ldfi_dataplane::child::ignore_sigpipe();
    serve(config).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
