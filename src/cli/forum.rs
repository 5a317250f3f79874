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
        /// The variant: correct, insert-before-auth or edit-post.
        #[arg(long, default_value = "correct")]
        variant: String,
        /// The auth service the frontend calls (host:port).
        #[arg(long)]
        upstream_auth: Option<String>,
        /// The kv service the frontend calls (host:port).
        #[arg(long)]
        upstream_kv: Option<String>,
    },
    /// Drive a frontend with clients that log in, post, ask to edit and
    /// read; prints one JSON report (calls, refusals, p50/p99 latency).
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
        Sub::Descriptor { out } => {
            std::fs::write(&out, ldfi_forum_grpc::DESCRIPTOR_SET).map_err(|e| {
                CliError::Input(format!("descriptor: cannot write {}: {e}", out.display()))
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
