//! Where a test saves a counterexample's schedule, and the shell command
//! that replays it — for the panic messages of `assert_certified` and
//! `assert_counterexample` and of [`crate::corpus::assert_reproduces`].

use std::path::{Path, PathBuf};

/// How to reproduce a counterexample outside the test.
#[derive(Clone, Debug, Default)]
pub struct Reproduce {
    /// Directory for counterexample schedules (default: see
    /// [`default_schedule_dir`]).
    pub dir: Option<PathBuf>,
    /// The binary target that calls `ldfi::cli::main` with this protocol
    /// (default: found under `CARGO_MANIFEST_DIR`, see [`replay_command`]).
    pub bin: Option<String>,
}

/// Where tests save counterexample schedules: `$LDFI_SCHEDULE_DIR` if set;
/// else `ldfi-counterexamples/` in the cargo target directory the test runs
/// from (`target/debug/deps/…` → `target/ldfi-counterexamples/`); else the
/// system's temporary directory.
pub fn default_schedule_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("LDFI_SCHEDULE_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().ok();
    let deps = exe.as_deref().and_then(Path::parent);
    if let Some(deps) = deps.filter(|d| d.file_name().is_some_and(|n| n == "deps")) {
        if let Some(target) = deps.parent().and_then(Path::parent) {
            return target.join("ldfi-counterexamples");
        }
    }
    std::env::temp_dir().join("ldfi-counterexamples")
}

/// The command that replays schedule `path`, to paste into a shell.
///
/// With a binary that calls `ldfi::cli::main` — named by `bin`, or found
/// in the crate under test (`$CARGO_MANIFEST_DIR`, set by `cargo test`) as
/// `src/main.rs` or `src/bin/NAME.rs` mentioning `cli::main` — it is
/// `cargo run -q --manifest-path CRATE/Cargo.toml --bin NAME -- replay PATH`,
/// runnable from any directory. Without one it is `ldfi replay PATH` with a
/// note saying how to get such a binary.
pub fn replay_command_with(path: &Path, bin: Option<&str>) -> String {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let found = match (manifest, bin) {
        (Some(m), Some(bin)) => Some((m, bin.to_string())),
        (Some(m), None) => find_cli_bin(&m),
        (None, _) => None,
    };
    match found {
        Some((crate_dir, bin)) => format!(
            "cargo run -q --manifest-path {} --bin {} -- replay {}",
            quote(&crate_dir.join("Cargo.toml").display().to_string()),
            quote(&bin),
            quote(&path.display().to_string())
        ),
        None => format!(
            "ldfi replay {}   (from a binary whose main is \
             `ldfi::cli::main(Registry::new().with(YourProtocol))`)",
            quote(&path.display().to_string())
        ),
    }
}

/// [`replay_command_with`] the binary found in the crate under test.
pub fn replay_command(path: &Path) -> String {
    replay_command_with(path, None)
}

/// The crate directory and binary target whose source calls `cli::main`:
/// `src/main.rs` (named after the package) or `src/bin/NAME.rs` of the
/// crate at `manifest_dir`, else `src/main.rs` of an enclosing crate (a
/// workspace root whose binary is the CLI, as in ldfi's own repository).
fn find_cli_bin(manifest_dir: &Path) -> Option<(PathBuf, String)> {
    let calls_cli = |p: &Path| std::fs::read_to_string(p).is_ok_and(|s| s.contains("cli::main"));
    if calls_cli(&manifest_dir.join("src/main.rs")) {
        let name = std::env::var("CARGO_PKG_NAME").ok()?;
        return Some((manifest_dir.to_path_buf(), name));
    }
    let mut bins: Vec<PathBuf> = std::fs::read_dir(manifest_dir.join("src/bin"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    bins.sort();
    let own = bins.into_iter().find_map(|p| {
        let rs = p.extension().is_some_and(|x| x == "rs");
        (rs && calls_cli(&p)).then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned()))?
    });
    if let Some(name) = own {
        return Some((manifest_dir.to_path_buf(), name));
    }
    (manifest_dir.ancestors().skip(1).take(3))
        .find(|d| calls_cli(&d.join("src/main.rs")))
        .and_then(|d| Some((d.to_path_buf(), package_name(&d.join("Cargo.toml"))?)))
}

/// The `[package]` name in a manifest (the first `name = "…"` after it).
fn package_name(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let package = text.split("[package]").nth(1)?;
    let line = package
        .lines()
        .find(|l| l.trim_start().starts_with("name"))?;
    let value = line.split_once('=')?.1.trim();
    Some(value.trim_matches('"').to_string())
}

/// `s` quoted for a POSIX shell when it needs it.
fn quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn the_shipped_cli_is_found_from_a_member_crate() {
        // The harness's manifest dir is a member of the ldfi workspace,
        // whose root binary calls `ldfi::cli::main`.
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (dir, bin) = super::find_cli_bin(here).expect("the workspace's ldfi binary");
        assert_eq!(bin, "ldfi");
        assert!(dir.join("src/cli").is_dir(), "{}", dir.display());
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("/tmp/a-b.json"), "/tmp/a-b.json");
        assert_eq!(quote("/tmp/a b.json"), "'/tmp/a b.json'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
