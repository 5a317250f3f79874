//! Ctrl-C during a search: the first one asks the search to stop before its
//! next execution (so what was found is saved and summarised, exit 130);
//! a second one kills the process as usual.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the SIGINT handler.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Installs the handler (once per process; `SA_RESETHAND` restores the
/// default for the second Ctrl-C).
pub fn install() {
    #[cfg(unix)]
    // SAFETY: a zeroed sigaction with a handler that only stores an atomic;
    // installed from the main thread before the search starts.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
        sa.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
    }
}

/// The exit code of an interrupted command (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;
