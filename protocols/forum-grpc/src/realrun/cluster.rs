//! The forum's processes for one real run: `auth`, `kv`, `frontend` (each
//! `ldfi forum serve`) and one enforcement proxy (`ldfi proxy
//! --descriptor`) in front of all three, every one on an OS-assigned
//! loopback port, in one process group, ready by handshake, killed when
//! the cluster is dropped.
//!
//! The proxy sees every call — clients → frontend, frontend → auth and
//! kv — so the spec's rules keyed across services (I2: an `auth` answer
//! before a `kv` insert) and the frontend's model (what it sends after
//! what it received) are checked by one checker, as in simulation. The
//! frontend starts first and learns the proxy's address on its stdin
//! (`--upstreams-from-stdin`); the proxy knows every service's pid, so a
//! kill fault kills that service's process. `kv` keeps its posts in the
//! run's data directory; a service can be killed and started again
//! ([`Svc::relaunch`]) with the same arguments on the same port.

use super::RealError;
use crate::services::Service;
use ldfi_dataplane::child::{Child, Starting};
use ldfi_dataplane::conductor::cluster::GROUP;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The files a run's proxy reads and writes.
pub struct Files {
    /// The forum's descriptor set.
    pub descriptor: PathBuf,
    /// The enforcement spec (`protocols/specs/web-forum.spec`).
    pub spec: PathBuf,
    /// The faults by identity (the proxy's `--faults`).
    pub faults: PathBuf,
    /// The proxy's capture of every call.
    pub capture: PathBuf,
    /// The proxy's violation records.
    pub violations: PathBuf,
}

/// One service: its running process, its earlier lives, and how to start
/// it again.
pub struct Svc {
    /// The service.
    pub service: Service,
    /// The process of its current life.
    pub child: Child,
    /// Its earlier lives (killed), oldest first.
    pub past: Vec<Child>,
    exe: PathBuf,
    args: Vec<String>,
    group: i32,
}

impl Svc {
    /// The loopback port it serves on (every life the same).
    pub fn port(&self) -> Option<u16> {
        self.child.field("port").and_then(|p| p.parse().ok())
    }

    /// Kills its process (`SIGKILL`, then reaped) if it runs; its pid if it did.
    pub fn kill(&mut self) -> Option<u32> {
        if !self.child.alive() {
            return None;
        }
        let pid = self.child.pid();
        self.child.kill();
        Some(pid)
    }

    /// Kills it if it runs and starts it again with the same arguments
    /// (the same `--data-dir`) on the same port, so the proxy's upstream
    /// address stays valid; returns once the new process has announced
    /// itself (its handshake, sent once it listens).
    pub fn relaunch(&mut self) -> Result<(), RealError> {
        self.kill();
        let port = self.port().ok_or_else(|| {
            RealError::Process(format!("{}: no port to restart on", self.service.name()))
        })?;
        let mut args = self.args.clone();
        args.extend(["--port".into(), port.to_string()]);
        let name = self.service.name();
        let child = Starting::spawn(&self.exe, &args, name, self.group)
            .and_then(Starting::ready)
            .map_err(start_err)?;
        self.past.push(std::mem::replace(&mut self.child, child));
        Ok(())
    }
}

/// The running processes.
pub struct Cluster {
    /// The services, in [`Service::ALL`] order.
    pub services: Vec<Svc>,
    /// The proxy.
    pub proxy: Child,
    group: i32,
}

fn start_err(e: ldfi_dataplane::error::DataplaneError) -> RealError {
    RealError::Process(e.to_string())
}

/// How the services run.
pub struct Setup<'a> {
    /// The `ldfi` binary.
    pub exe: &'a Path,
    /// The variant.
    pub version: &'a str,
    /// How long the frontend waits for `auth` and `kv`.
    pub timeout: Duration,
    /// How long a `stale-read` kv keeps a post in memory only.
    pub write_behind: Duration,
    /// `kv`'s data directory (it must exist).
    pub data_dir: &'a Path,
    /// The proxy's mode (refuse or observe).
    pub enforce: &'a str,
}

impl Cluster {
    /// Starts the services of `setup` (`kv` keeping its posts in its data
    /// directory), then the proxy.
    pub fn start(setup: &Setup, files: &Files) -> Result<Cluster, RealError> {
        let Setup {
            exe,
            version,
            timeout,
            write_behind,
            data_dir,
            enforce,
        } = *setup;
        let mut group = 0;
        let mut starting = Vec::new();
        for svc in Service::ALL {
            // Every service gets the variant: a variant may live in any of them.
            let mut args: Vec<String> = [
                "forum",
                "serve",
                "--service",
                svc.name(),
                "--variant",
                version,
            ]
            .map(String::from)
            .into();
            match svc {
                Service::Frontend => args.extend([
                    "--rpc-timeout-ms".into(),
                    timeout.as_millis().max(1).to_string(),
                    "--upstreams-from-stdin".into(),
                ]),
                Service::Kv => args.extend([
                    "--data-dir".into(),
                    data_dir.display().to_string(),
                    "--write-behind-ms".into(),
                    write_behind.as_millis().max(1).to_string(),
                ]),
                Service::Auth => {}
            }
            let s = Starting::spawn(exe, &args, svc.name(), group).map_err(start_err)?;
            if group == 0 {
                group = s.pid() as i32;
                GROUP.store(group, Ordering::SeqCst);
            }
            starting.push((svc, s, args));
        }
        let mut services = Vec::new();
        for (service, s, args) in starting {
            services.push(Svc {
                service,
                child: s.ready().map_err(start_err)?,
                past: Vec::new(),
                exe: exe.to_path_buf(),
                args,
                group,
            });
        }
        let addr = |c: &Child| format!("127.0.0.1:{}", c.field("port").unwrap_or("0"));
        let mut args: Vec<String> = ["proxy", "--name", "forum", "--enforce", enforce]
            .map(String::from)
            .into();
        let path = |p: &Path| p.display().to_string();
        for (flag, p) in [
            ("--descriptor", &files.descriptor),
            ("--spec", &files.spec),
            ("--faults", &files.faults),
            ("--capture", &files.capture),
            ("--violations", &files.violations),
        ] {
            args.extend([flag.into(), path(p)]);
        }
        for s in &services {
            let name = s.service.name();
            args.extend(["--upstream".into(), format!("{name}={}", addr(&s.child))]);
            args.extend(["--pid".into(), format!("{name}={}", s.child.pid())]);
        }
        let proxy = Starting::spawn(exe, &args, "proxy", group)
            .and_then(Starting::ready)
            .map_err(start_err)?;
        let mut cluster = Cluster {
            services,
            proxy,
            group,
        };
        let to = addr(&cluster.proxy);
        let line = format!("auth={to} kv={to}");
        cluster
            .service(Service::Frontend)
            .tell(&line)
            .map_err(start_err)?;
        Ok(cluster)
    }

    /// The child serving `svc`.
    pub fn service(&mut self, svc: Service) -> &mut Child {
        &mut self
            .services
            .iter_mut()
            .find(|s| s.service == svc)
            .expect("every service runs")
            .child
    }

    /// The proxy's address (`host:port`), where clients call the frontend.
    pub fn proxy_addr(&self) -> String {
        format!("127.0.0.1:{}", self.proxy.field("port").unwrap_or("0"))
    }

    /// The proxy's Prometheus text (empty if it does not answer).
    pub fn metrics(&self) -> String {
        self.proxy
            .field("metrics")
            .and_then(|port| ldfi_dataplane::sidecar::metrics::scrape(port).ok())
            .unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // The children's own Drop kills them; forget the group.
        let _ = GROUP.compare_exchange(self.group, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}
