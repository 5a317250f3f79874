//! Acceptance: a crate outside this workspace, with a path dependency on
//! it, models a protocol (`tests/user_crate/*.rs`), gets `list`, `search`,
//! `replay`, `explain`, `corpus check` and `bench --shipped` through
//! `ldfi::cli::main`, and runs searches in
//! its own `#[test]`s with the test API — and the replay command a failing
//! `assert_certified()` prints reproduces the violation when pasted into a
//! shell.
//!
//! The outside crate builds offline into this workspace's own target
//! directory (the parent of `CARGO_TARGET_TMPDIR`) with this workspace's
//! lock file, so its dependencies are the ones already compiled: only the
//! ldfi crates and the outside crate itself are built (about 50–85 s on a
//! busy 2-core machine the first time, 8 s after).

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes the outside crate under the temporary target dir.
fn make_crate() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("user-crate");
    let _ = std::fs::remove_dir_all(&dir);
    for d in ["src", "tests"] {
        std::fs::create_dir_all(dir.join(d)).expect("crate dirs");
    }
    let manifest = format!(
        r#"[package]
name = "handoff"
version = "0.1.0"
edition = "2021"

[dependencies]
ldfi = {{ path = {root:?} }}
serde = {{ version = "1", features = ["derive", "rc"] }}

# Not part of any enclosing workspace.
[workspace]
"#,
        root = root().display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("manifest");
    // The same dependency versions as this workspace: resolved offline,
    // and already compiled in the shared target dir after the first run.
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock file");
    let src = root().join("tests/user_crate");
    for (from, to) in [
        ("lib.rs", "src/lib.rs"),
        ("bin.rs", "src/main.rs"),
        ("search.rs", "tests/search.rs"),
    ] {
        std::fs::copy(src.join(from), dir.join(to)).expect("crate source");
    }
    dir
}

/// Where the outside crate builds.
fn target_dir() -> PathBuf {
    (Path::new(env!("CARGO_TARGET_TMPDIR")).parent())
        .expect("the tmp dir is in the target dir")
        .to_path_buf()
}

/// `cargo` (the one running these tests) with the outside crate's
/// environment: its target dir, offline.
fn cargo(dir: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("RUST_LOG")
        .env_remove("LDFI_SCHEDULE_DIR");
    c
}

fn run(c: &mut Command) -> Output {
    c.output().expect("the command runs")
}

fn text(o: &Output) -> String {
    format!("{}\n{}", stdout(o), stderr(o))
}

#[test]
fn an_outside_crate_gets_the_cli_and_the_test_api() {
    let dir = make_crate();
    // Its own tests: a counterexample for v1, a certificate for v2.
    let o = run(cargo(&dir).args(["test", "-q", "--offline"]));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(stdout(&o).contains("2 passed"), "{}", text(&o));

    // Its own `ldfi` binary, built by the tests above.
    let bin = target_dir().join("debug/handoff");
    let ldfi = |args: &[&str]| run(Command::new(&bin).args(args).current_dir(&dir));
    let o = ldfi(&["list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(stdout(&o).contains("\"handoff\""), "{}", text(&o));
    assert!(!stdout(&o).contains("simple-deliv"), "{}", text(&o));

    let o = ldfi(&[
        "search",
        "--protocol",
        "handoff",
        "--version",
        "v1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let j = json(&o);
    assert_eq!(j["verdict"], "counterexample");
    let saved = j["counterexample"]["schedule"].as_str().expect("saved");
    assert!(saved.starts_with("scenarios/corpus/handoff/v1/"), "{saved}");

    let o = ldfi(&["replay", saved]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stdout(&o).contains("handed-over"), "{}", text(&o));

    let o = ldfi(&["corpus", "check", "scenarios/corpus", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["schedules"], 1);

    let o = ldfi(&["bench", "--shipped", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["rows"][0]["protocol"], "handoff");
    let o = ldfi(&["bench", "--smoke"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("bench --shipped"), "{}", text(&o));

    let good = dir.join("fault-free.json");
    std::fs::write(&good, r#"{"format":1,"protocol":"handoff"}"#).expect("schedule");
    let o = ldfi(&["explain", good.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(stdout(&o).contains("digraph"), "{}", text(&o));

    // Unknown protocols are bad input, naming the ones this binary knows.
    let o = ldfi(&["search", "--protocol", "simple-deliv"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("known: handoff"), "{}", text(&o));

    // A failing assert_certified prints a replay command...
    let o = run(cargo(&dir).args(["test", "-q", "--offline", "--", "--ignored"]));
    assert_eq!(o.status.code(), Some(101), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains("violates      handed-over"), "{out}");
    assert!(
        out.contains("fault set     {omit(sender, receiver, 1)}"),
        "{out}"
    );
    let command = (out.lines())
        .find_map(|l| l.strip_prefix("replay        "))
        .unwrap_or_else(|| panic!("no replay command in:\n{out}"))
        .to_string();
    assert!(command.starts_with("cargo run"), "{command}");
    assert!(
        command.contains(
            &target_dir()
                .join("ldfi-counterexamples")
                .display()
                .to_string()
        ),
        "{command}"
    );
    // ...that, pasted into a shell elsewhere, reproduces the violation.
    let cargo_dir = std::env::var("CARGO")
        .ok()
        .and_then(|c| Path::new(&c).parent().map(Path::to_path_buf));
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(d) = cargo_dir {
        let mut dirs = vec![d];
        dirs.extend(std::env::split_paths(&path));
        path = std::env::join_paths(dirs).expect("PATH");
    }
    let o = run(Command::new("sh")
        .args(["-c", &command])
        .current_dir(std::env::temp_dir())
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_NET_OFFLINE", "true"));
    assert_eq!(o.status.code(), Some(1), "{command}\n{}", text(&o));
    assert!(stdout(&o).contains("handed-over"), "{}", text(&o));
    assert!(stdout(&o).contains("as recorded"), "{}", text(&o));
}
