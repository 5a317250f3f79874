//! `ldfi proxy --descriptor SET --spec FILE --upstream [NAME=]ADDR ...`:
//! the generic gRPC enforcement proxy (crate `ldfi-rpc`), and its demo
//! upstream (`--demo-upstream`, for tests and the benchmark).

use super::node::RunFlags;
use super::shared::CliError;
use ldfi_dataplane::sidecar::enforce::Mode;
use ldfi_rpc::{faults, server, RpcError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct RpcFlags {
    /// gRPC mode: the services to proxy, as a binary FileDescriptorSet
    /// (`protoc --descriptor_set_out`, `ldfi forum descriptor`) or a
    /// `.proto` file (compiled at runtime). With it, `--faults` is a fault
    /// schedule file.
    #[arg(long, value_name = "SET")]
    pub descriptor: Option<PathBuf>,
    /// gRPC mode: the enforcement spec (reloaded on SIGHUP or when the file
    /// changes; a spec that does not parse keeps the old one).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// gRPC mode: an upstream, `host:port` or `NAME=host:port` (repeat for
    /// several; a service `pkg.Kv` goes to the upstream named `kv`).
    #[arg(long, value_name = "[NAME=]ADDR")]
    upstream: Vec<String>,
    /// gRPC mode: the proxy's name, and the callee of an unnamed upstream.
    #[arg(long, value_name = "SERVICE", default_value = "service")]
    name: String,
    /// gRPC mode: the caller of calls without `ldfi-caller` metadata,
    /// `NAME` or `CALLEE=NAME` (default: `client`).
    #[arg(long, value_name = "[CALLEE=]NAME")]
    caller: Vec<String>,
    /// gRPC mode: an upstream's process id, `NAME=PID` (a `kill` fault
    /// kills it).
    #[arg(long, value_name = "NAME=PID")]
    pid: Vec<String>,
    /// gRPC mode: record every call (JSON lines) to this file.
    #[arg(long, value_name = "FILE")]
    capture: Option<PathBuf>,
    /// gRPC mode: the size limit of one message, bytes.
    #[arg(long, default_value_t = ldfi_rpc::MAX_MESSAGE)]
    max_message: usize,
    /// gRPC mode: where to listen.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Serve the demo services (`ldfi.demo.v1.Auth`, `Kv`) instead: the
    /// upstream of the proxy's tests and benchmark.
    #[arg(long, hide = true)]
    pub demo_upstream: bool,
}

fn input(e: RpcError) -> CliError {
    match e {
        RpcError::Input(m) => CliError::Input(m),
        other => CliError::Internal(other.to_string()),
    }
}

/// `NAME=VALUE` (or `VALUE` alone when `bare` allows it).
fn pair(flag: &str, s: &str, bare: bool) -> Result<(Option<String>, String), CliError> {
    match s.split_once('=') {
        Some((n, v)) if !n.is_empty() && !v.is_empty() => Ok((Some(n.into()), v.into())),
        None if bare && !s.is_empty() => Ok((None, s.into())),
        _ => Err(CliError::Input(format!("{flag} {s}: expected NAME=VALUE"))),
    }
}

pub fn run(
    f: RpcFlags,
    run: &RunFlags,
    mode: Mode,
    violations: Option<PathBuf>,
) -> Result<ExitCode, CliError> {
    if f.demo_upstream {
        ldfi_rpc::demo::serve().map_err(input)?;
        return Ok(ExitCode::SUCCESS);
    }
    let descriptor = f.descriptor.expect("gRPC mode has a descriptor");
    let spec = f
        .spec
        .ok_or_else(|| CliError::Input("--spec FILE is required with --descriptor".into()))?;
    if f.upstream.is_empty() {
        return Err(CliError::Input(
            "--upstream ADDR is required with --descriptor".into(),
        ));
    }
    let mut upstreams = Vec::new();
    for u in &f.upstream {
        let (name, addr) = if u.contains("://") {
            (None, u.clone())
        } else {
            pair("--upstream", u, true)?
        };
        upstreams.push((name.unwrap_or_else(|| f.name.clone()), addr));
    }
    let callers = f
        .caller
        .iter()
        .map(|c| pair("--caller", c, true))
        .collect::<Result<_, _>>()?;
    let mut pids = Vec::new();
    for p in &f.pid {
        let (name, pid) = pair("--pid", p, false)?;
        let pid = pid
            .parse()
            .map_err(|e| CliError::Input(format!("--pid {p}: {e}")))?;
        pids.push((name.expect("named"), pid));
    }
    // `--faults` is shared with the envelope mode, where it is JSON text.
    let faults = match run.faults.as_str() {
        "[]" => faults::Schedule::default(),
        path => faults::load(std::path::Path::new(path)).map_err(input)?,
    };
    let cfg = server::Config {
        name: f.name,
        descriptor,
        spec,
        mode,
        upstreams,
        callers,
        pids,
        faults,
        capture: f.capture,
        violations,
        max_message: f.max_message,
        listen: f.listen,
    };
    server::serve(cfg).map_err(input)?;
    Ok(ExitCode::SUCCESS)
}
