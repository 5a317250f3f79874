//! Progress and logs: nothing but the result when piped; `RUST_LOG`
//! selects `tracing` events on stderr, never on stdout.

mod common;
use common::*;
use std::process::Command;

#[test]
fn piped_search_shows_no_progress() {
    let o = ldfi(&["search", "--protocol", "retry-deliv", "--no-save"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "stderr is not a terminal: no progress");
    assert!(!stdout(&o).contains('\r'), "{}", stdout(&o));
    let o = ldfi(&["search", "--protocol", "retry-deliv", "--no-save", "--json"]);
    assert_eq!(stderr(&o), "");
    assert_eq!(json(&o)["verdict"], "counterexample");
}

#[test]
fn rust_log_selects_tracing_events_on_stderr() {
    let o = Command::new(env!("CARGO_BIN_EXE_ldfi"))
        .args([
            "search",
            "--protocol",
            "simple-deliv",
            "--no-save",
            "--json",
        ])
        .env("RUST_LOG", "ldfi_harness=debug,ldfi_solver=debug")
        .current_dir(root())
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("executed"), "{err}");
    assert!(err.contains("solver answer"), "{err}");
    assert!(err.contains("violation"), "{err}");
    // stdout stays one JSON object.
    assert_eq!(json(&o)["verdict"], "counterexample");
}
