//! The proxy's checker: one `ldfi-enforce` checker over every message the
//! proxy forwards, in the order it forwards them, so rules keyed across
//! services (a request to one upstream, a response from another) hold
//! across them. The spec is reloaded on `SIGHUP` or when its file changes;
//! calls in flight and open connections are untouched, and a new spec that
//! does not parse is logged and the old one kept.

use crate::error::RpcError;
use ldfi_enforce::{Checker, MsgEvent, Spec, Violation};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// What the proxy does with a violating message.
pub use ldfi_dataplane::sidecar::enforce::Mode;

/// The checker and where its spec came from.
pub struct Enforcer {
    path: PathBuf,
    mode: Mode,
    state: Mutex<State>,
    /// Reloads that took effect.
    pub reloads: AtomicU64,
    /// Reloads refused (the new spec did not parse; the old one stays).
    pub rejected: AtomicU64,
}

struct State {
    checker: Checker,
    stamp: Option<SystemTime>,
}

fn read(path: &Path) -> Result<Spec, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Spec::parse(&path.display().to_string(), &text).map_err(|e| e.to_string())
}

fn stamp(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Enforcer {
    /// Loads the spec at `path`; a spec that does not parse is bad input.
    pub fn load(path: &Path, mode: Mode) -> Result<Enforcer, RpcError> {
        let spec = read(path).map_err(|why| RpcError::input("--spec", why))?;
        Ok(Enforcer {
            path: path.to_path_buf(),
            mode,
            state: Mutex::new(State {
                checker: Checker::new(&spec),
                stamp: stamp(path),
            }),
            reloads: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        })
    }

    /// Checks one message about to be forwarded: its violations. Under
    /// `refuse` a violating message changes no automaton (it is dropped).
    pub fn check(&self, ev: &MsgEvent) -> Vec<Violation> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let found = match self.mode {
            Mode::Refuse => s.checker.enforce(ev).to_vec(),
            Mode::Observe => s.checker.observe(ev).to_vec(),
        };
        if !found.is_empty() {
            s.checker.take_violations();
        }
        found
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Reloads the spec if its file changed since it was read (or if
    /// `force`); a spec that does not parse keeps the old one. Returns what
    /// happened, for the log: `None` if nothing changed.
    pub fn reload(&self, force: bool) -> Option<Result<(), String>> {
        let now = stamp(&self.path);
        {
            let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if !force && now == s.stamp {
                return None;
            }
        }
        let result = read(&self.path);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.stamp = now;
        Some(match result {
            Ok(spec) => {
                // Automata restart from their initial states: a new spec's
                // states mean nothing to the old one's.
                s.checker = Checker::new(&spec);
                self.reloads.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(why) => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                Err(why)
            }
        })
    }

    /// Reloads on `SIGHUP` and whenever the file changes (checked every
    /// `poll`), logging each outcome on stderr, until the runtime stops.
    pub fn watch(self: std::sync::Arc<Self>, poll: std::time::Duration) {
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let mut hup = signal(SignalKind::hangup()).ok();
            let mut tick = tokio::time::interval(poll);
            loop {
                let forced = tokio::select! {
                    _ = tick.tick() => false,
                    Some(()) = async {
                        match hup.as_mut() {
                            Some(h) => h.recv().await,
                            None => std::future::pending().await,
                        }
                    } => true,
                };
                let what = if forced { "SIGHUP" } else { "spec changed" };
                match self.reload(forced) {
                    Some(Ok(())) => eprintln!("proxy: {what}: reloaded {}", self.path.display()),
                    Some(Err(why)) => eprintln!("proxy: {what}: keeping the old spec: {why}"),
                    None => {}
                }
            }
        });
    }
}
