//! The bad-input sweep: hundreds of malformed flags, schedule files and
//! special files, generated and hand-written. Each case runs the release
//! CLI's code under a memory cap and a timeout and must exit 2 with a
//! first stderr line `error: …` that names the flag, file or field — never
//! a panic, a hang, unbounded memory, or exit 0/1 on garbage.

mod common;
use common::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Address-space cap of each case (the CLI needs far less).
const MEMORY_CAP: u64 = 2 << 30;
/// Wall-clock cap of each case.
const TIMEOUT: Duration = Duration::from_secs(20);

/// One case: arguments, and a string the first error line must contain.
struct Case {
    name: String,
    args: Vec<String>,
    needle: String,
}

fn case(name: impl Into<String>, args: &[&str], needle: &str) -> Case {
    Case {
        name: name.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        needle: needle.to_string(),
    }
}

/// Runs `args` capped; (exit code, stderr). Kills it at the timeout.
fn run_capped(args: &[String]) -> (Option<i32>, String, bool) {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ldfi"));
    cmd.args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; called between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: MEMORY_CAP,
                rlim_max: MEMORY_CAP,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("the ldfi binary starts");
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let step = Duration::from_millis(5);
    let mut waited = Duration::ZERO;
    let (code, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break (status.code(), false);
        }
        if waited >= TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(step);
        waited += step;
    };
    (code, reader.join().expect("stderr reader"), timed_out)
}

/// A valid schedule of simple-deliv, as JSON, to mutate.
fn base() -> serde_json::Value {
    serde_json::json!({
        "format": 1,
        "protocol": "simple-deliv",
        "version": "v1",
        "workload": "broadcast",
        "params": {"eot": 4, "eff": 2, "crashes": 0},
        "seed": 0,
        "faults": [{"omit": {"from": "a", "to": "b", "at": 1}}],
        "expect": {"verdict": "violated", "invariant": "delivery"}
    })
}

/// `base()` with `path` (dotted, `faults.0.omit.at`) set to `v`, or
/// removed when `v` is `None`.
fn mutate(path: &str, v: Option<serde_json::Value>) -> String {
    let mut doc = base();
    let keys: Vec<&str> = path.split('.').collect();
    let mut at = &mut doc;
    for k in &keys[..keys.len() - 1] {
        at = match k.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*k],
        };
    }
    let last = keys[keys.len() - 1];
    match v {
        Some(v) => at[last] = v,
        None => {
            at.as_object_mut().expect("object").remove(last);
        }
    }
    doc.to_string()
}

/// Writes `text` as a schedule file named `name.json`.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(format!("{name}.json"));
    std::fs::write(&p, text).expect("write");
    p
}

/// Schedule mutations: (name, text, the field the error must name).
fn schedule_cases() -> Vec<(String, String, &'static str)> {
    use serde_json::json;
    let mut out: Vec<(String, String, &'static str)> = Vec::new();
    let mut m = |name: &str, path: &str, v: Option<serde_json::Value>, needle: &'static str| {
        out.push((name.to_string(), mutate(path, v), needle));
    };
    // The top-level fields, each with values of every wrong type.
    let wrong = [
        ("null", json!(null)),
        ("bool", json!(true)),
        ("neg", json!(-1)),
        ("float", json!(1.5)),
        ("str", json!("x")),
        ("arr", json!([1])),
        ("obj", json!({"a": 1})),
    ];
    for (field, needle) in [
        ("format", "format"),
        ("protocol", "protocol"),
        ("version", "version"),
        ("workload", "workload"),
        ("params", "params"),
        ("seed", "seed"),
        ("faults", "faults"),
        ("expect", "expect"),
        ("crash_semantics", "crash_semantics"),
        ("checks", "checks"),
    ] {
        for (w, v) in &wrong {
            // Strings are right for some fields: then an unknown one.
            m(&format!("{field}-{w}"), field, Some(v.clone()), needle);
        }
    }
    for (field, needle) in [("format", "format"), ("protocol", "protocol")] {
        m(&format!("{field}-missing"), field, None, needle);
    }
    // Params: wrong types and out-of-range values, per field.
    for p in ["eot", "eff", "crashes"] {
        for (w, v) in [
            ("neg", json!(-1)),
            ("str", json!("4")),
            ("float", json!(2.5)),
            ("huge", json!(99_999_999_999u64)),
            ("null", json!(null)),
        ] {
            m(
                &format!("params-{p}-{w}"),
                &format!("params.{p}"),
                Some(v),
                p,
            );
        }
    }
    m("params-unknown", "params.bogus", Some(json!(1)), "bogus");
    m("params-eot-zero", "params.eot", Some(json!(0)), "eot");
    m("params-eot-limit", "params.eot", Some(json!(10_001)), "eot");
    m("params-eff-above-eot", "params.eff", Some(json!(9)), "eff");
    m(
        "params-crashes-too-many",
        "params.crashes",
        Some(json!(9)),
        "crashes",
    );
    m("params-array", "params", Some(json!([4, 2, 0])), "params");
    // Faults.
    let f = |v: serde_json::Value| Some(json!([v]));
    let faults: Vec<(&str, Option<serde_json::Value>, &'static str)> = vec![
        ("fault-empty-object", f(json!({})), "faults[0]"),
        (
            "fault-two-kinds",
            f(json!({"omit": {"from": "a", "to": "b", "at": 1}, "crash": {"node": "a", "at": 1}})),
            "faults[0]",
        ),
        (
            "fault-unknown-kind",
            f(json!({"explode": {"node": "a"}})),
            "explode",
        ),
        ("fault-number", f(json!(7)), "faults[0]"),
        (
            "fault-body-array",
            f(json!({"omit": ["a", "b", 1]})),
            "faults[0].omit",
        ),
        (
            "omit-missing-at",
            f(json!({"omit": {"from": "a", "to": "b"}})),
            "at",
        ),
        (
            "omit-at-zero",
            f(json!({"omit": {"from": "a", "to": "b", "at": 0}})),
            "omit(a, b, 0)",
        ),
        (
            "omit-at-eff",
            f(json!({"omit": {"from": "a", "to": "b", "at": 2}})),
            "omit(a, b, 2)",
        ),
        (
            "omit-self",
            f(json!({"omit": {"from": "a", "to": "a", "at": 1}})),
            "faults[0].omit.to",
        ),
        (
            "omit-unknown-node",
            f(json!({"omit": {"from": "a", "to": "zz", "at": 1}})),
            "zz",
        ),
        (
            "omit-extra-field",
            f(json!({"omit": {"from": "a", "to": "b", "at": 1, "why": 1}})),
            "why",
        ),
        (
            "omit-neg-tick",
            f(json!({"omit": {"from": "a", "to": "b", "at": -1}})),
            "at",
        ),
        (
            "omit-huge-tick",
            f(json!({"omit": {"from": "a", "to": "b", "at": 4_294_967_296u64}})),
            "at",
        ),
        (
            "crash-unknown-node",
            f(json!({"crash": {"node": "zz", "at": 1}})),
            "zz",
        ),
        (
            "crash-at-zero",
            f(json!({"crash": {"node": "a", "at": 0}})),
            "crash(a, 0)",
        ),
        (
            "crash-after-eot",
            f(json!({"crash": {"node": "a", "at": 5}})),
            "crash(a, 5)",
        ),
        (
            "crash-over-budget",
            f(json!({"crash": {"node": "a", "at": 1}})),
            "crash",
        ),
        (
            "delay-self",
            f(json!({"delay": {"from": "b", "to": "b", "at": 1, "ticks": 1}})),
            "faults[0].delay.to",
        ),
        (
            "delay-neg",
            f(json!({"delay": {"from": "a", "to": "b", "at": 1, "ticks": -1}})),
            "ticks",
        ),
        (
            "duplicate-self",
            f(json!({"duplicate": {"from": "c", "to": "c", "at": 1}})),
            "faults[0].duplicate.to",
        ),
        (
            "partition-empty-a",
            f(json!({"partition": {"a": [], "b": ["b"], "from": 1, "until": 3}})),
            "faults[0].partition.a",
        ),
        (
            "partition-empty-b",
            f(json!({"partition": {"a": ["a"], "b": [], "from": 1, "until": 3}})),
            "faults[0].partition.b",
        ),
        (
            "partition-overlap",
            f(json!({"partition": {"a": ["a", "b"], "b": ["b"], "from": 1, "until": 3}})),
            "faults[0].partition.b",
        ),
        (
            "partition-repeat",
            f(json!({"partition": {"a": ["a", "a"], "b": ["b"], "from": 1, "until": 3}})),
            "faults[0].partition.a",
        ),
        (
            "partition-backwards",
            f(json!({"partition": {"a": ["a"], "b": ["b"], "from": 3, "until": 2}})),
            "faults[0].partition.until",
        ),
        (
            "partition-unknown-node",
            f(json!({"partition": {"a": ["a"], "b": ["zz"], "from": 1, "until": 2}})),
            "zz",
        ),
        (
            "restart-unknown-node",
            f(json!({"restart": {"node": "zz", "at": 1}})),
            "zz",
        ),
        (
            "restart-at-zero",
            f(json!({"restart": {"node": "a", "at": 0}})),
            "restart(a, 0)",
        ),
    ];
    for (name, v, needle) in faults {
        m(name, "faults", v, needle);
    }
    // Expect.
    for (name, path, v, needle) in [
        (
            "expect-verdict-bogus",
            "expect.verdict",
            json!("bogus"),
            "expect.verdict",
        ),
        (
            "expect-verdict-number",
            "expect.verdict",
            json!(1),
            "expect.verdict",
        ),
        (
            "expect-hash-short",
            "expect.trace_hash",
            json!("abc"),
            "expect.trace_hash",
        ),
        (
            "expect-hash-nonhex",
            "expect.trace_hash",
            json!("zzzzzzzzzzzzzzzz"),
            "expect.trace_hash",
        ),
        (
            "expect-invariant-empty",
            "expect.invariant",
            json!(""),
            "expect.invariant",
        ),
        ("expect-unknown-field", "expect.bogus", json!(1), "bogus"),
        ("expect-array", "expect", json!(["good"]), "expect"),
    ] {
        m(name, path, Some(v), needle);
    }
    m("unknown-top-field", "bogus", Some(json!(1)), "bogus");
    m("unknown-version", "version", Some(json!("v9")), "v9");
    m("unknown-workload", "workload", Some(json!("w9")), "w9");
    m("unknown-protocol", "protocol", Some(json!("nope")), "nope");
    m(
        "unknown-crash-semantics",
        "crash_semantics",
        Some(json!("x")),
        "crash_semantics",
    );
    m("unknown-checks", "checks", Some(json!("some")), "checks");
    m("format-two", "format", Some(json!(2)), "format");
    // Text that is not a schedule at all.
    for (name, text) in [
        ("empty", ""),
        ("truncated", "{\"format\":1,\"protocol\":"),
        ("not-json", "hello"),
        ("array", "[1,2,3]"),
        ("number", "42"),
        ("deep-nesting", &"[".repeat(100_000)),
        ("nul-bytes", "\0\0\0"),
        (
            "bom",
            "\u{feff}{\"format\":1,\"protocol\":\"simple-deliv\"}",
        ),
        (
            "trailing-garbage",
            "{\"format\":1,\"protocol\":\"simple-deliv\"} x",
        ),
        (
            "duplicate-key",
            "{\"format\":1,\"format\":1,\"protocol\":\"simple-deliv\"}",
        ),
    ] {
        out.push((name.to_string(), text.to_string(), ""));
    }
    out
}

fn flag_cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let s = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["search", "--no-save", "--protocol", "simple-deliv"];
        v.extend_from_slice(rest);
        v.into_iter().map(String::from).collect()
    };
    for flag in [
        "--eot",
        "--eff",
        "--crashes",
        "--max-runs",
        "--seed",
        "--confirm-max-runs",
    ] {
        for bad in [
            "",
            "-1",
            "abc",
            "1.5",
            "99999999999999999999999",
            "0x10",
            " 3",
        ] {
            out.push(Case {
                name: format!("search {flag} {bad:?}"),
                args: s(&[flag, bad]),
                needle: flag.to_string(),
            });
        }
    }
    for flag in ["--strategy", "--checks", "--crash-semantics"] {
        for bad in ["", "bogus", "LDFI "] {
            out.push(Case {
                name: format!("search {flag} {bad:?}"),
                args: s(&[flag, bad]),
                needle: flag.to_string(),
            });
        }
    }
    let spec = dir.join("broken.spec");
    std::fs::write(&spec, "rule X { never [_ -> kv Modify] ").expect("write");
    let spec = spec.to_str().expect("utf-8").to_string();
    let a_file = dir.join("a-file");
    std::fs::write(&a_file, "x").expect("write");
    let a_file = a_file.to_str().expect("utf-8").to_string();
    let semantic: Vec<(&str, Vec<String>, &str)> = vec![
        ("eot zero", s(&["--eot", "0"]), "eot"),
        ("eot above limit", s(&["--eot", "10001"]), "eot"),
        (
            "eff above eot",
            s(&["--eot", "4", "--eff", "2000000"]),
            "--eff",
        ),
        ("crashes above nodes", s(&["--crashes", "4"]), "--crashes"),
        ("max-runs zero", s(&["--max-runs", "0"]), "--max-runs"),
        ("unknown version", s(&["--version", "v9"]), "v9"),
        ("unknown workload", s(&["--workload", "w9"]), "w9"),
        (
            "no predicates",
            s(&["--checks", "enforcement"]),
            "enforcement",
        ),
        ("spec missing", s(&["--spec", "no/such.spec"]), "--spec"),
        ("spec is a directory", s(&["--spec", "scenarios"]), "--spec"),
        ("spec broken", s(&["--spec", &spec]), "broken.spec:1:"),
        ("spec is /dev/zero", s(&["--spec", "/dev/zero"]), "--spec"),
        (
            "corpus is a file",
            s(&["--corpus", &a_file])
                .into_iter()
                .filter(|a| a != "--no-save")
                .collect(),
            "a-file",
        ),
        (
            "version with all-versions",
            s(&["--version", "v1", "--all-versions"]),
            "--all-versions",
        ),
        (
            "trust with happens-before",
            s(&["--trust-declarations", "--happens-before"]),
            "--trust-declarations",
        ),
        ("unknown flag", s(&["--frobnicate"]), "--frobnicate"),
        (
            "eot too short (es)",
            vec![
                "search",
                "--no-save",
                "--protocol",
                "es-replication",
                "--eot",
                "2",
                "--eff",
                "1",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "--eot",
        ),
        (
            "exhaustive too large",
            s(&["--strategy", "exhaustive", "--eot", "40", "--eff", "30"]),
            "--strategy exhaustive",
        ),
    ];
    for (name, args, needle) in semantic {
        out.push(Case {
            name: name.to_string(),
            args,
            needle: needle.to_string(),
        });
    }
    out.push(case(
        "unknown protocol",
        &["search", "--protocol", "nope"],
        "nope",
    ));
    out.push(case("missing protocol", &["search"], "--protocol"));
    out.push(case("bare ldfi", &[], "Usage"));
    out.push(case("unknown subcommand", &["frobnicate"], "frobnicate"));
    out.push(case(
        "corpus missing dir",
        &["corpus", "check", "no/such/dir"],
        "no/such/dir",
    ));
    out.push(case(
        "corpus file not dir",
        &["corpus", "check", &a_file],
        "a-file",
    ));
    out.push(case(
        "explain bad format",
        &["explain", "x.json", "--format", "svg"],
        "--format",
    ));
    out.push(case(
        "replay missing file",
        &["replay", "no/such.json"],
        "no/such.json",
    ));
    out.push(case(
        "replay a directory",
        &["replay", "scenarios"],
        "scenarios",
    ));
    out.push(case(
        "replay /dev/zero",
        &["replay", "/dev/zero"],
        "/dev/zero",
    ));
    out.push(case(
        "replay /dev/null",
        &["replay", "/dev/null"],
        "/dev/null",
    ));
    out.push(case(
        "replay bad --checks",
        &[
            "replay",
            "scenarios/simple-deliv-omit.json",
            "--checks",
            "x",
        ],
        "--checks",
    ));
    out.push(case(
        "replay unknown version",
        &[
            "replay",
            "scenarios/simple-deliv-omit.json",
            "--version",
            "v9",
        ],
        "v9",
    ));
    out
}

#[test]
fn every_bad_input_exits_2_naming_the_cause() {
    let dir = temp_dir("bad-input-sweep");
    let mut cases = flag_cases(&dir);
    for (name, text, needle) in schedule_cases() {
        let path = file(&dir, &name, &text);
        let p = path.to_str().expect("utf-8").to_string();
        // The error names the file, and the field where there is one.
        let needles: Vec<&str> = if needle.is_empty() {
            vec![&p]
        } else {
            vec![&p, needle]
        };
        for cmd in ["replay", "explain"] {
            for n in &needles {
                cases.push(Case {
                    name: format!("{cmd} {name} (names {n})"),
                    args: vec![cmd.to_string(), p.clone()],
                    needle: n.to_string(),
                });
            }
        }
    }
    // Special files: a FIFO would block a naive reader, /dev/zero would
    // grow it without end, a large file is refused by size.
    let fifo = dir.join("pipe.json");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("path");
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let big = dir.join("big.json");
    std::fs::write(&big, vec![b' '; 17 << 20]).expect("write");
    for (what, p) in [("fifo", &fifo), ("large", &big)] {
        for cmd in ["replay", "explain"] {
            let p = p.to_str().expect("utf-8");
            cases.push(case(format!("{cmd} {what}"), &[cmd, p], p));
        }
    }
    assert!(cases.len() >= 200, "only {} cases", cases.len());

    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<&[Case]> = cases.chunks(cases.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut bad = Vec::new();
                    for c in chunk {
                        let (code, err, timed_out) = run_capped(&c.args);
                        // The cause is the first line; clap names a missing
                        // argument on the line under it.
                        let first: String = err
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .take(2)
                            .collect::<Vec<_>>()
                            .join(" ");
                        let ok = !timed_out
                            && code == Some(2)
                            && !err.contains("panicked")
                            && (first.starts_with("error:") || c.needle == "Usage")
                            && (first.contains(&c.needle)
                                || (c.needle == "Usage" && err.contains("Usage")));
                        if !ok {
                            bad.push(format!(
                                "{}: exit {code:?}{}; expected `{}` in the first line of: {}",
                                c.name,
                                if timed_out { " (TIMED OUT)" } else { "" },
                                c.needle,
                                err.trim_end()
                            ));
                        }
                    }
                    bad
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs mishandled:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
