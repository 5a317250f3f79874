//! `ldfi forum`: the web forum's gRPC services as real processes
//! (`serve`), a load generator for them (`load`), and their descriptor set
//! (`descriptor`).

use super::shared::{print_json, CliError};
use ldfi_forum_grpc::real::{serve, ServeConfig, ServeError};
use ldfi_forum_grpc::services::Service;
use ldfi_forum_grpc::Version;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Serve one service on an OS-assigned loopback port; prints
    /// `ldfi-ready port=P` once it serves, exits when stdin closes.
    ///
    /// Example: ldfi forum serve --service frontend --upstream-auth 127.0.0.1:4100 --upstream-kv 127.0.0.1:4101
    Serve {
        /// auth, kv or frontend.
        #[arg(long)]
        service: String,
        /// The variant: correct, insert-before-auth, edit-post or
        /// stale-read (a kv that acknowledges before it persists).
        #[arg(long, default_value = "correct")]
        variant: String,
        /// The auth service the frontend calls (host:port).
        #[arg(long)]
        upstream_auth: Option<String>,
        /// The kv service the frontend calls (host:port).
        #[arg(long)]
        upstream_kv: Option<String>,
        /// How long the frontend waits for one call to auth or kv, ms.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
        rpc_timeout_ms: u64,
        /// The frontend: after the handshake, read `auth=ADDR kv=ADDR` from
        /// one stdin line (its upstreams may then start after it, e.g. a
        /// proxy in front of all three services).
        #[arg(long)]
        upstreams_from_stdin: bool,
        /// kv only: keep the posts in DIR/kv.log (DIR must exist), so a
        /// restarted kv has them; default: in memory only.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// kv, variant stale-read: how long an acknowledged post stays in
        /// memory only before it is persisted, ms.
        #[arg(long, default_value_t = ldfi_forum_grpc::real::WRITE_BEHIND.as_millis() as u64,
              value_parser = clap::value_parser!(u64).range(1..=600_000))]
        write_behind_ms: u64,
        /// Listen on this loopback port (e.g. the port of the process it
        /// replaces, so callers keep its address); default: OS-assigned.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        port: Option<u16>,
    },
    /// Drive a frontend with clients that log in, post, ask to edit and
    /// read; prints one JSON report (calls, refusals, p50/p99 latency);
    /// exit 1 if a call failed.
    Load {
        /// The frontend (host:port).
        #[arg(long)]
        target: String,
        /// Clients calling at once.
        #[arg(long, default_value_t = 8)]
        clients: u32,
        /// Posts per client.
        #[arg(long, default_value_t = 10)]
        posts: u32,
    },
    /// LDFI (`ldfi search --protocol web-forum-grpc`) beside a
    /// Filibuster-style enumeration (every single RPC fault on every call,
    /// then every pair) on the same simulated services: executions of
    /// each, per version, side by side.
    ///
    /// Example: ldfi forum filibuster
    Filibuster {
        /// Versions to compare (default: all).
        #[arg(long)]
        version: Vec<String>,
        /// Workload (default: the protocol's).
        #[arg(long)]
        workload: Option<String>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write the services' encoded FileDescriptorSet (for `prost-reflect`,
    /// a generic proxy, grpcurl) to OUT.
    Descriptor {
        /// Where to write it.
        out: PathBuf,
    },
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Serve {
            service,
            variant,
            upstream_auth,
            upstream_kv,
            rpc_timeout_ms,
            upstreams_from_stdin,
            data_dir,
            write_behind_ms,
            port,
        } => {
            let service = Service::parse(&service).ok_or_else(|| {
                CliError::Input(format!(
                    "--service: unknown service `{service}` (services: auth, kv, frontend)"
                ))
            })?;
            let version = Version::parse(&variant).ok_or_else(|| {
                CliError::Input(format!(
                    "--variant: unknown variant `{variant}` (variants: {})",
                    Version::names()
                ))
            })?;
            let cfg = ServeConfig {
                service,
                version,
                upstream_auth,
                upstream_kv,
                rpc_timeout: std::time::Duration::from_millis(rpc_timeout_ms),
                upstreams_from_stdin,
                data_dir,
                write_behind: std::time::Duration::from_millis(write_behind_ms),
                port,
            };
            serve(&cfg).map_err(|e| match e {
                ServeError::Config(m) => CliError::Input(m),
                ServeError::Serve(m) => CliError::Internal(m),
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Sub::Load {
            target,
            clients,
            posts,
        } => {
            if clients == 0 {
                return Err(CliError::Input("--clients: must be at least 1".into()));
            }
            let rt =
                ldfi_dataplane::node::runtime().map_err(|e| CliError::Internal(e.to_string()))?;
            // The channel's worker starts on this runtime.
            let _guard = rt.enter();
            let client = ldfi_forum_grpc::client::ForumClient::connect(&target)
                .map_err(|e| CliError::Input(format!("--target: {e}")))?;
            let cfg = ldfi_forum_grpc::load::LoadConfig { clients, posts };
            let report = rt.block_on(ldfi_forum_grpc::load::run(client, cfg));
            print_json(&serde_json::to_value(&report).expect("a report serializes"));
            Ok(if report.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Sub::Filibuster {
            version,
            workload,
            json,
        } => filibuster(version, workload, json),
        Sub::Descriptor { out } => {
            std::fs::write(&out, ldfi_forum_grpc::DESCRIPTOR_SET).map_err(|e| {
                CliError::Input(format!("descriptor: cannot write {}: {e}", out.display()))
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `ldfi forum filibuster`.
fn filibuster(
    versions: Vec<String>,
    workload: Option<String>,
    json: bool,
) -> Result<ExitCode, CliError> {
    use ldfi_harness::search::Search;
    let p = ldfi_forum_grpc::ForumGrpc;
    let info = ldfi_forum_grpc::ForumGrpc::describe();
    let versions = if versions.is_empty() {
        info.versions.clone()
    } else {
        versions
    };
    let workload = workload.unwrap_or(info.default_workload.clone());
    let mut rows = Vec::new();
    for v in &versions {
        let report = Search::new(&p)
            .version(v)
            .workload(&workload)
            .run()
            .map_err(|e| CliError::Input(e.to_string()))?;
        // The enumeration's own fault space, for a like-for-like count: any
        // message of the run lost (EFF = EOT), no crash, at most two faults.
        let params = info.params;
        let same_space = Search::new(&p)
            .version(v)
            .workload(&workload)
            .bounds(params.eot, params.eot, 0)
            .max_faults(2)
            .run()
            .map_err(|e| CliError::Input(e.to_string()))?;
        let cfg = Search::new(&p)
            .version(v)
            .workload(&workload)
            .config()
            .run_config(Default::default());
        let fb = ldfi_forum_grpc::filibuster::enumerate(&cfg, true)
            .map_err(|e| CliError::Input(e.to_string()))?;
        let verdict = report.conclusion.word();
        rows.push(serde_json::json!({
            "version": v,
            "ldfi_verdict": verdict,
            "ldfi_executions": report.executions,
            "ldfi_declared_executions": report.executions - report.confirm_executions,
            "ldfi_confirm_executions": report.confirm_executions,
            "ldfi_two_faults_verdict": same_space.conclusion.word(),
            "ldfi_two_faults_executions": same_space.executions,
            "ldfi_two_faults_bounds": {"eot": params.eot, "eff": params.eot, "crashes": 0, "max_faults": 2},
            "filibuster_executions": fb.executions,
            "filibuster_singles": fb.singles,
            "filibuster_pairs": fb.pairs,
            "filibuster_calls": fb.calls,
            "filibuster_found": fb.violation.as_ref().map(|(s, what)| serde_json::json!({
                "at": fb.first_violation, "violates": what,
                "faults": s.calls.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            })),
        }));
    }
    if json {
        print_json(&serde_json::json!({ "workload": workload, "rows": rows }));
        return Ok(ExitCode::SUCCESS);
    }
    println!("workload {workload}");
    println!(
        "ldfi: default bounds (EOT {}, EFF {}, {} crash), executions as total (declared + confirmation);",
        info.params.eot, info.params.eff, info.params.crashes
    );
    println!(
        "ldfi ≤2: the enumeration's space — any message lost (EFF {}), no crash, at most 2 faults",
        info.params.eot
    );
    println!(
        "{:<20} {:<22} {:>16} {:>26} {:>22}  filibuster found",
        "version", "ldfi verdict", "ldfi executions", "ldfi ≤2 (verdict)", "filibuster executions"
    );
    for r in &rows {
        let found = match &r["filibuster_found"] {
            serde_json::Value::Null => "nothing (all singles and pairs)".to_string(),
            f => format!(
                "{} at execution {} ({})",
                f["violates"].as_str().unwrap_or(""),
                f["at"],
                f["faults"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ),
        };
        println!(
            "{:<20} {:<22} {:>16} {:>26} {:>22}  {found}",
            r["version"].as_str().unwrap_or(""),
            r["ldfi_verdict"].as_str().unwrap_or(""),
            format!(
                "{} ({}+{})",
                r["ldfi_executions"], r["ldfi_declared_executions"], r["ldfi_confirm_executions"]
            ),
            format!(
                "{} ({})",
                r["ldfi_two_faults_executions"],
                r["ldfi_two_faults_verdict"].as_str().unwrap_or("")
            ),
            r["filibuster_executions"].to_string(),
        );
    }
    Ok(ExitCode::SUCCESS)
}
