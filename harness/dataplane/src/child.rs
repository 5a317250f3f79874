//! Child processes: each started in the conductor's process group, ready
//! when it prints its handshake line, killed when its owner drops it.
//!
//! A child also exits by itself when its stdin closes (the conductor's end
//! of the pipe closes when the conductor dies, however it dies), so no
//! child outlives the process that started it.

use crate::error::DataplaneError;
use crate::READY;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a child may take to print its handshake (a bound on a broken
/// child, not a wait: a healthy one answers in milliseconds).
const HANDSHAKE_BOUND: Duration = Duration::from_secs(30);
/// Stderr lines kept per child for error messages.
const STDERR_LINES: usize = 12;

/// A child spawned and not yet ready: [`Starting::ready`] waits for its
/// handshake. Children started together start in parallel.
pub struct Starting {
    child: Child,
    handshake: mpsc::Receiver<Option<String>>,
    err_thread: std::thread::JoinHandle<()>,
}

impl Starting {
    /// Spawns `exe args` as `name` in process group `group` (0: a new
    /// group led by this child).
    pub fn spawn(
        exe: &Path,
        args: &[String],
        name: &str,
        group: i32,
    ) -> Result<Starting, DataplaneError> {
        let mut cmd = Command::new(exe);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(group);
        let mut child = cmd.spawn().map_err(|e| DataplaneError::Start {
            process: name.to_string(),
            why: format!("cannot run {}: {e}", exe.display()),
            stderr: Vec::new(),
        })?;
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let err_pipe = child.stderr.take().expect("stderr is piped");
        let tail = stderr.clone();
        let err_thread = std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut t = tail.lock().expect("stderr tail lock");
                if t.len() == STDERR_LINES {
                    t.pop_front();
                }
                t.push_back(line);
            }
        });
        let out = child.stdout.take().expect("stdout is piped");
        let (tx, handshake) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            let first = loop {
                match lines.next() {
                    Some(Ok(l)) if l.starts_with(READY) => break Some(l),
                    Some(Ok(_)) => continue,
                    _ => break None,
                }
            };
            let _ = tx.send(first);
            // Keep draining so the child never blocks on a full pipe.
            for _ in lines {}
        });
        let child = Child {
            name: name.to_string(),
            child,
            stderr,
            ready: Vec::new(),
        };
        Ok(Starting {
            child,
            handshake,
            err_thread,
        })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.pid()
    }

    /// Waits for the handshake line; an error names the child and quotes
    /// its last stderr lines.
    pub fn ready(self) -> Result<Child, DataplaneError> {
        let Starting {
            mut child,
            handshake,
            err_thread,
        } = self;
        match handshake.recv_timeout(HANDSHAKE_BOUND) {
            Ok(Some(line)) => {
                child.ready = parse_ready(&line);
                Ok(child)
            }
            Ok(None) | Err(_) => {
                let why = match child.child.try_wait() {
                    Ok(Some(status)) => format!("exited ({status}) before its handshake"),
                    _ => format!("no handshake within {HANDSHAKE_BOUND:?}"),
                };
                child.kill();
                let _ = err_thread.join();
                Err(DataplaneError::Start {
                    process: child.name.clone(),
                    why,
                    stderr: child.stderr_tail(),
                })
            }
        }
    }
}

/// A running child, killed (`SIGKILL`) and reaped when dropped.
pub struct Child {
    name: String,
    child: std::process::Child,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// The handshake's `key=value` fields.
    pub ready: Vec<(String, String)>,
}

impl Child {
    /// Starts `exe args` as `name` in process group `group` (0: a new group
    /// led by this child) and waits for its handshake line.
    pub fn start(
        exe: &Path,
        args: &[String],
        name: &str,
        group: i32,
    ) -> Result<Child, DataplaneError> {
        Starting::spawn(exe, args, name, group)?.ready()
    }

    /// The value of handshake field `key` (e.g. `port`).
    pub fn field(&self, key: &str) -> Option<&str> {
        self.ready
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `http://127.0.0.1:PORT` from the handshake.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.field("port").unwrap_or("0"))
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its name (e.g. `node n1`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its last stderr lines.
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr
            .lock()
            .expect("stderr tail lock")
            .iter()
            .cloned()
            .collect()
    }

    /// The error for a call to this child that failed.
    pub fn gone(&self, why: impl std::fmt::Display) -> DataplaneError {
        DataplaneError::Gone {
            process: self.name.clone(),
            pid: self.pid(),
            why: why.to_string(),
            stderr: self.stderr_tail(),
        }
    }

    /// Writes `line` and a newline to its stdin (a child that learns
    /// something after its handshake, e.g. the address of a proxy started
    /// after it); its stdin stays open.
    pub fn tell(&mut self, line: &str) -> Result<(), DataplaneError> {
        use std::io::Write;
        let Some(stdin) = self.child.stdin.as_mut() else {
            return Err(self.gone("its stdin is closed"));
        };
        let wrote = writeln!(stdin, "{line}").and_then(|_| stdin.flush());
        wrote.map_err(|e| self.gone(format!("write to its stdin: {e}")))
    }

    /// Whether it is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills it with `SIGKILL` and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `key=value` fields of a handshake line.
pub fn parse_ready(line: &str) -> Vec<(String, String)> {
    line.split_whitespace()
        .skip(1)
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Prints the handshake line (`ldfi-ready k=v ...`) and flushes it.
pub fn announce(fields: &[(&str, String)]) {
    use std::io::Write;
    let mut line = READY.to_string();
    for (k, v) in fields {
        line.push_str(&format!(" {k}={v}"));
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// In a child: exits the process when stdin closes (its conductor died).
pub fn exit_with_parent() {
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut sink);
        std::process::exit(0);
    });
}

/// On Ctrl-C (SIGINT) or SIGTERM, kills the running cluster's process
/// group and exits 130. Idempotent.
pub fn kill_group_on_interrupt() {
    extern "C" fn on_signal(_: libc::c_int) {
        let pgid = crate::conductor::cluster::GROUP.load(std::sync::atomic::Ordering::SeqCst);
        // SAFETY: killpg and _exit are async-signal-safe.
        unsafe {
            if pgid > 0 {
                libc::killpg(pgid, libc::SIGKILL);
            }
            libc::_exit(130);
        }
    }
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Ignores SIGPIPE: a process that talks to peers over sockets must see a
/// peer that died as an error on the call, not die itself.
pub fn ignore_sigpipe() {
    // SAFETY: sets a signal's disposition to ignore; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Restores SIGPIPE's default once the children are gone, so that output
/// piped into a reader that stops (`| head`) ends the process quietly, as
/// for every other command, instead of failing the next write.
pub fn default_sigpipe() {
    // SAFETY: sets a signal's disposition to its default; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Kills every process of group `pgid` (Ctrl-C in the conductor).
pub fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: killpg only sends a signal; a stale group id fails harmlessly.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_fields() {
        let f = parse_ready("ldfi-ready port=4100 metrics=4101");
        assert_eq!(
            f,
            vec![
                ("port".into(), "4100".into()),
                ("metrics".into(), "4101".into())
            ]
        );
    }

    #[test]
    fn a_child_that_dies_before_its_handshake_is_named_with_its_stderr() {
        let args = vec!["-c".to_string(), "echo boom >&2; exit 3".to_string()];
        let e = Child::start(Path::new("/bin/sh"), &args, "node n9", 0)
            .err()
            .expect("fails");
        let text = e.to_string();
        assert!(text.contains("node n9 failed to start"), "{text}");
        assert!(text.contains("boom"), "{text}");
    }
}
