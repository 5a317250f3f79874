//! A cluster: one node process and one sidecar process per protocol node,
//! all children of the conductor in one process group.

use super::args::{node_args, proxy_args};
use crate::child::{Child, Starting};
use crate::error::DataplaneError;
use crate::identity::ChannelFault;
use crate::proto::sidecar_client::SidecarClient;
use crate::proto::{StatsReply, StatsRequest, TickReply, TickRequest};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use tonic::transport::Channel;

/// The process group of the cluster being run (for Ctrl-C), 0 if none.
pub static GROUP: AtomicI32 = AtomicI32::new(0);

/// The processes of one run.
pub struct Cluster {
    exe: PathBuf,
    run: Vec<String>,
    names: Vec<String>,
    group: i32,
    nodes: Vec<Option<Child>>,
    sidecars: Vec<Child>,
    clients: Vec<SidecarClient<Channel>>,
    /// Processes started so far (relaunches included).
    pub started: usize,
    /// The pid of every process started.
    pub pids: Vec<u32>,
}

impl Cluster {
    /// Starts every node, then every sidecar (`mode`: `refuse` or
    /// `observe`), each after the previous one's handshake.
    pub async fn start(
        exe: &Path,
        run: Vec<String>,
        names: &[String],
        mode: &str,
        violations: Option<&Path>,
        channel_faults: &[ChannelFault],
    ) -> Result<Cluster, DataplaneError> {
        let mut c = Cluster {
            exe: exe.to_path_buf(),
            run,
            names: names.to_vec(),
            group: 0,
            nodes: Vec::new(),
            sidecars: Vec::new(),
            clients: Vec::new(),
            started: 0,
            pids: Vec::new(),
        };
        // Every process at once; then each one's handshake, in order.
        let mut starting = Vec::new();
        for name in names {
            starting.push(c.spawn_bg(node_args(&c.run, name), &format!("node {name}"))?);
        }
        for name in names {
            let args = proxy_args(&c.run, name, mode, violations, channel_faults);
            starting.push(c.spawn_bg(args, &format!("sidecar {name}"))?);
        }
        let mut ready = Vec::new();
        for s in starting {
            ready.push(s.ready()?);
        }
        let sidecars = ready.split_off(names.len());
        c.nodes = ready.into_iter().map(Some).collect();
        for child in sidecars {
            let client = SidecarClient::connect(child.url())
                .await
                .map_err(|e| child.gone(format!("connect: {e}")))?
                .max_decoding_message_size(64 * crate::MAX_ENVELOPE);
            c.clients.push(client);
            c.sidecars.push(child);
        }
        Ok(c)
    }

    fn spawn_bg(&mut self, args: Vec<String>, name: &str) -> Result<Starting, DataplaneError> {
        let child = Starting::spawn(&self.exe, &args, name, self.group)?;
        if self.group == 0 {
            self.group = child.pid() as i32;
            GROUP.store(self.group, Ordering::SeqCst);
        }
        self.started += 1;
        self.pids.push(child.pid());
        Ok(child)
    }

    /// Kills node `i`'s process (`SIGKILL`): a crash.
    pub fn kill_node(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].take() {
            child.kill();
        }
    }

    /// Kills sidecar `i`'s process (`SIGKILL`).
    pub fn kill_sidecar(&mut self, i: usize) {
        self.sidecars[i].kill();
    }

    /// Starts node `i` again (a restart): a new process on a new port.
    pub fn relaunch_node(&mut self, i: usize) -> Result<(), DataplaneError> {
        self.kill_node(i);
        let name = self.names[i].clone();
        let child = self.spawn_bg(node_args(&self.run, &name), &format!("node {name}"))?;
        self.nodes[i] = Some(child.ready()?);
        Ok(())
    }

    /// The request for node `i`'s tick `t` as the cluster is now (its node
    /// up or not, its address), with `resume` (after a restart).
    pub fn tick_request(&self, i: usize, t: u32, resume: Vec<u8>) -> TickRequest {
        TickRequest {
            tick: t,
            up: self.nodes[i].is_some(),
            node: self.nodes[i].as_ref().map(Child::url).unwrap_or_default(),
            peers: self.sidecars.iter().map(Child::url).collect(),
            resume,
        }
    }

    /// A client of sidecar `i`.
    pub fn client(&self, i: usize) -> SidecarClient<Channel> {
        self.clients[i].clone()
    }

    /// Runs tick `t` on every node at once, through its sidecar; the
    /// replies in node order. `resume[i]` goes to node `i` (after a restart).
    pub async fn tick(
        &mut self,
        t: u32,
        resume: &mut [Vec<u8>],
    ) -> Result<Vec<TickReply>, DataplaneError> {
        let mut set = tokio::task::JoinSet::new();
        for (i, client) in self.clients.iter().enumerate() {
            let req = self.tick_request(i, t, std::mem::take(&mut resume[i]));
            let mut client = client.clone();
            set.spawn(async move { (i, client.tick(req).await) });
        }
        let mut replies: Vec<Option<TickReply>> = vec![None; self.names.len()];
        let mut failed = None;
        while let Some(joined) = set.join_next().await {
            let (i, res) = joined.expect("a tick task does not panic");
            match res {
                Ok(r) => replies[i] = Some(r.into_inner()),
                Err(status) => {
                    if failed.is_none() {
                        failed = Some((i, status));
                    }
                }
            }
        }
        if let Some((i, status)) = failed {
            return Err(self.blame(i, &status));
        }
        Ok(replies
            .into_iter()
            .map(|r| r.expect("every node replied"))
            .collect())
    }

    /// The error for a tick of node `i` that failed: the sidecar if it is
    /// gone (its node then received nothing), else the node, else the call.
    pub fn blame(&mut self, i: usize, status: &tonic::Status) -> DataplaneError {
        if !self.sidecars[i].alive() {
            return self.sidecars[i].gone(format!(
                "it stopped; fail closed: node {} received nothing through it ({})",
                self.names[i],
                status.message()
            ));
        }
        if let Some(node) = self.nodes[i].as_mut() {
            if !node.alive() {
                return node.gone(status.message());
            }
        }
        for (j, s) in self.sidecars.iter_mut().enumerate() {
            if !s.alive() {
                let name = &self.names[j];
                return s.gone(format!(
                    "it stopped; fail closed: node {name} received nothing through it"
                ));
            }
        }
        self.sidecars[i].gone(format!("tick failed: {}", status.message()))
    }

    /// Every sidecar's counters (Prometheus text), violation records and
    /// channel-fault hits.
    pub async fn stats(&mut self) -> Result<Vec<StatsReply>, DataplaneError> {
        let mut out = Vec::new();
        for (i, client) in self.clients.iter_mut().enumerate() {
            let r = client
                .stats(StatsRequest {})
                .await
                .map_err(|e| self.sidecars[i].gone(format!("stats: {}", e.message())))?;
            out.push(r.into_inner());
        }
        Ok(out)
    }

    /// The metrics port of sidecar `i`.
    pub fn metrics_port(&self, i: usize) -> Option<u16> {
        self.sidecars[i]
            .field("metrics")
            .and_then(|p| p.parse().ok())
    }

    /// The pids of every live child.
    pub fn pids(&self) -> Vec<u32> {
        let nodes = self.nodes.iter().flatten().map(Child::pid);
        nodes.chain(self.sidecars.iter().map(Child::pid)).collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // The children's own Drop kills them; forget the group.
        let _ = GROUP.compare_exchange(self.group, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}
