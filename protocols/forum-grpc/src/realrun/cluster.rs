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
//! kill fault kills that service's process.

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

/// The running processes.
pub struct Cluster {
    /// The services, in [`Service::ALL`] order.
    pub services: Vec<(Service, Child)>,
    /// The proxy.
    pub proxy: Child,
    group: i32,
}

fn start_err(e: ldfi_dataplane::error::DataplaneError) -> RealError {
    RealError::Process(e.to_string())
}

impl Cluster {
    /// Starts the services of `version` (the frontend waiting `timeout`
    /// for its upstreams), then the proxy (`enforce`: refuse or observe).
    pub fn start(
        exe: &Path,
        version: &str,
        timeout: Duration,
        enforce: &str,
        files: &Files,
    ) -> Result<Cluster, RealError> {
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
            if svc == Service::Frontend {
                args.extend([
                    "--rpc-timeout-ms".into(),
                    timeout.as_millis().max(1).to_string(),
                    "--upstreams-from-stdin".into(),
                ]);
            }
            let s = Starting::spawn(exe, &args, svc.name(), group).map_err(start_err)?;
            if group == 0 {
                group = s.pid() as i32;
                GROUP.store(group, Ordering::SeqCst);
            }
            starting.push((svc, s));
        }
        let mut services = Vec::new();
        for (svc, s) in starting {
            services.push((svc, s.ready().map_err(start_err)?));
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
        for (svc, c) in &services {
            args.extend(["--upstream".into(), format!("{}={}", svc.name(), addr(c))]);
            args.extend(["--pid".into(), format!("{}={}", svc.name(), c.pid())]);
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
            .find(|(s, _)| *s == svc)
            .expect("every service runs")
            .1
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
