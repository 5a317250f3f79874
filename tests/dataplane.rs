//! The real dataplane end to end: schedules run on real processes (every
//! node a gRPC server behind an enforcement sidecar) give the simulated
//! verdict and trace hash, sidecars flag and refuse what the predicates
//! forbid, a dead sidecar fails closed, and no child outlives its run.

mod common;

use common::{json, ldfi, root, stderr, temp_dir};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Writes a schedule file.
fn schedule(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("writes the schedule");
    path
}

/// The `ldfi node` / `ldfi proxy` processes of this binary whose command
/// line contains `marker` (all of them if `marker` is empty) and whose
/// conductor is gone (re-parented), or that carry `marker`.
fn leftover_children(marker: &str) -> Vec<String> {
    let exe = env!("CARGO_BIN_EXE_ldfi");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmd
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let child = args.first().is_some_and(|a| a == exe)
            && args.get(1).is_some_and(|a| a == "node" || a == "proxy");
        if !child {
            continue;
        }
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|s| s.split_whitespace().nth(1))
            .unwrap_or("0");
        let orphan = ppid == "1" || ppid == "0";
        if orphan || (!marker.is_empty() && args.iter().any(|a| a == marker)) {
            found.push(args.join(" "));
        }
    }
    found
}

fn assert_no_children_left(marker: &str) {
    // SIGKILL is delivered asynchronously: on a loaded machine a killed
    // child can still be listed for a moment after the conductor exits.
    // Bounded: five seconds, then whatever is left is a leak.
    let mut left = leftover_children(marker);
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        left = leftover_children(marker);
    }
    assert!(left.is_empty(), "children outlived their run: {left:#?}");
}

/// Every pid a run reported is gone.
fn assert_pids_gone(out: &Value) {
    let pids = out["pids"].as_array().expect("pids");
    assert!(!pids.is_empty());
    for pid in pids {
        let pid = pid.as_u64().expect("pid");
        let alive = std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|c| c.contains("ldfi"));
        assert!(!alive, "process {pid} survived its run");
    }
}

#[test]
fn fault_free_es_replication_is_good_and_conforms_on_every_version() {
    let dir = temp_dir("dataplane-fault-free");
    for v in ["v1", "v2", "v3", "v4", "v5"] {
        let body =
            format!(r#"{{"format":1,"protocol":"es-replication","version":"{v}","seed":9101}}"#);
        let file = schedule(&dir, &format!("{v}.json"), &body);
        let out = ldfi(&["dataplane", "run", "--json", file.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(0), "{v}: {}", stderr(&out));
        let j = json(&out);
        assert_eq!(j["verdict"], "good", "{v}");
        assert_eq!(j["conforms"], true, "{v}: {}", j["first_difference"]);
        assert_eq!(j["trace_hash"], j["simulated"]["trace_hash"], "{v}");
        assert_eq!(j["processes"], 10, "{v}: five nodes, five sidecars");
        let forwarded: u64 = j["counters"]
            .as_array()
            .expect("counters")
            .iter()
            .map(|c| c["forwarded"].as_u64().unwrap_or(0))
            .sum();
        assert!(forwarded > 0, "{v}: the sidecars counted the envelopes");
        assert_pids_gone(&j);
    }
    assert_no_children_left("9101");
}

/// `ldfi corpus check --dataplane DIR --json`: every schedule reproduces.
fn corpus_reproduces(dir: &str, at_least: usize) {
    let out = ldfi(&["corpus", "check", "--dataplane", "--json", dir]);
    let j = json(&out);
    let bad: Vec<&Value> = j["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["status"] != "reproduces")
        .collect();
    assert!(
        bad.is_empty(),
        "{dir}: on real processes: {bad:#?}\n{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        j["schedules"].as_u64().expect("count") as usize >= at_least,
        "{dir}: {}",
        j["schedules"]
    );
}

#[test]
fn every_es_replication_corpus_schedule_reproduces_on_real_processes() {
    let n = std::fs::read_dir(root().join("scenarios/corpus/es-replication/v1"))
        .expect("v1")
        .count()
        + std::fs::read_dir(root().join("scenarios/corpus/es-replication/v3"))
            .expect("v3")
            .count();
    corpus_reproduces("scenarios/corpus/es-replication", n);
}

#[test]
fn delivery_suite_counterexamples_reproduce_on_real_processes() {
    corpus_reproduces("scenarios/corpus/retry-deliv", 2);
}

#[test]
fn the_v3_counterexample_is_flagged_at_the_sidecar_by_the_digest_predicate() {
    let file = "scenarios/corpus/es-replication/v3/04dddc768afef81e.json";
    let out = ldfi(&["dataplane", "run", "--json", file]);
    assert_eq!(out.status.code(), Some(1), "violated: {}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["conforms"], true);
    assert_eq!(j["invariant"], "durability");
    let flagged: Vec<&Value> = j["sidecar_violations"]
        .as_array()
        .expect("violations")
        .iter()
        .collect();
    assert!(
        flagged.iter().any(
            |v| v["rule"] == "replica_ack_digest_matches_replicate" && v["action"] == "flagged"
        ),
        "{flagged:#?}"
    );
    // Refusing it instead: the sidecar drops the bad ReplicaAck, says so
    // in a JSONL record and a counter, and the run departs from simulation.
    let dir = temp_dir("dataplane-refuse");
    let log = dir.join("violations.jsonl");
    let out = ldfi(&[
        "dataplane",
        "run",
        "--json",
        "--enforce",
        "refuse",
        "--violations",
        log.to_str().expect("utf-8"),
        file,
    ]);
    let j = json(&out);
    assert_eq!(j["conformance_checked"], false);
    let refused: u64 = j["counters"]
        .as_array()
        .expect("counters")
        .iter()
        .map(|c| c["refused"].as_u64().unwrap_or(0))
        .sum();
    assert!(refused >= 1, "{}", j["counters"]);
    let text = std::fs::read_to_string(&log).expect("the sidecars wrote violation records");
    let record: Value =
        serde_json::from_str(text.lines().next().expect("a record")).expect("JSON line");
    assert_eq!(record["rule"], "replica_ack_digest_matches_replicate");
    assert_eq!(record["action"], "refused");
    assert_eq!(record["kind"], "ReplicaAck");
    assert!(
        record["message"]
            .as_str()
            .is_some_and(|m| m.contains("digest")),
        "{record}"
    );
    assert!(record["detail"]["key"]["s"].is_string(), "{record}");
    assert_pids_gone(&j);
}

#[test]
fn killing_the_primary_at_its_tick_gives_the_simulated_outcome() {
    let file = "scenarios/es-replication-v4-failover.json";
    let replay = json(&ldfi(&["replay", "--json", file]));
    let out = ldfi(&["dataplane", "run", "--json", file]);
    let j = json(&out);
    assert_eq!(j["conforms"], true, "{}", j["first_difference"]);
    assert_eq!(j["verdict"], replay["verdict"]);
    assert_eq!(j["trace_hash"], replay["trace_hash"]);
    // A crash and a restart: the node's process is killed, then relaunched
    // with its harness-side state.
    let dir = temp_dir("dataplane-restart");
    let body = r#"{"format":1,"protocol":"es-replication","version":"v4","seed":9103,
        "faults":[{"crash":{"node":"n2","at":3}},{"restart":{"node":"n2","at":6}}]}"#;
    let file = schedule(&dir, "restart.json", body);
    let out = ldfi(&["dataplane", "run", "--json", file.to_str().expect("utf-8")]);
    let j = json(&out);
    assert_eq!(j["conforms"], true, "{}", j["first_difference"]);
    assert_eq!(j["processes"], 11, "n2 relaunched once");
    assert_pids_gone(&j);
    assert_no_children_left("9103");
}

#[test]
fn a_killed_sidecar_fails_closed_and_the_conductor_names_it() {
    let dir = temp_dir("dataplane-kill-sidecar");
    let file = schedule(
        &dir,
        "ff.json",
        r#"{"format":1,"protocol":"es-replication","seed":9104}"#,
    );
    let out = ldfi(&[
        "dataplane",
        "run",
        "--kill-sidecar",
        "n2@3",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("sidecar n2") && err.contains("fail closed"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert_no_children_left("9104");
}

#[test]
fn bad_dataplane_input_is_exit_2_with_a_reason() {
    let out = ldfi(&["dataplane", "run", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/file.json"));
    let out = ldfi(&[
        "dataplane",
        "run",
        "--kill-sidecar",
        "zz@1",
        "scenarios/simple-deliv-omit.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--kill-sidecar"), "{}", stderr(&out));
    let out = ldfi(&["node", "--protocol", "simple-deliv", "--node", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--node"), "{}", stderr(&out));
    let out = ldfi(&[
        "proxy",
        "--protocol",
        "simple-deliv",
        "--node",
        "b",
        "--faults",
        "[{\"omit\":{}}]",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--faults"), "{}", stderr(&out));
}

#[test]
fn a_capture_records_the_workload_and_every_delivered_envelope() {
    let dir = temp_dir("dataplane-capture");
    let cap = dir.join("capture.jsonl");
    let out = ldfi(&[
        "dataplane",
        "run",
        "--json",
        "--capture",
        cap.to_str().expect("utf-8"),
        "scenarios/retry-deliv-omit-only.json",
    ]);
    let j = json(&out);
    assert_eq!(j["conforms"], true);
    let lines: Vec<Value> = std::fs::read_to_string(&cap)
        .expect("the capture was written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines[0]["type"], "header");
    assert_eq!(lines[0]["protocol"], "retry-deliv");
    let of = |t: &str| lines.iter().filter(|l| l["type"] == t).count() as u64;
    assert!(of("input") >= 1);
    let forwarded: u64 = j["counters"]
        .as_array()
        .expect("counters")
        .iter()
        .map(|c| c["forwarded"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        of("envelope"),
        forwarded,
        "every envelope held for delivery was delivered and captured"
    );
    assert!(lines
        .iter()
        .filter(|l| l["type"] == "envelope")
        .all(|l| l["body"].is_array() && l["t_us"].is_u64()));
}

#[test]
fn ctrl_c_kills_every_child_of_the_conductor() {
    let dir = temp_dir("dataplane-ctrl-c");
    let file = schedule(
        &dir,
        "long.json",
        r#"{"format":1,"protocol":"es-replication","params":{"eot":900},"seed":9105}"#,
    );
    let mut conductor = std::process::Command::new(env!("CARGO_BIN_EXE_ldfi"))
        .args(["dataplane", "run", file.to_str().expect("utf-8")])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the conductor starts");
    // Wait (bounded) until its ten children are up; the run lasts seconds.
    let mut up = 0;
    for _ in 0..400 {
        up = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .filter(|e| {
                std::fs::read(e.path().join("cmdline"))
                    .is_ok_and(|c| c.split(|b| *b == 0).any(|a| a == b"9105"))
            })
            .count();
        if up >= 10 || conductor.try_wait().expect("waits").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(up >= 10, "the children started ({up} found)");
    // SAFETY: sends SIGINT to the child we started.
    unsafe {
        libc::kill(conductor.id() as i32, libc::SIGINT);
    }
    let status = conductor.wait().expect("the conductor exits");
    assert_eq!(status.code(), Some(130));
    assert_no_children_left("9105");
}

/// The lines of a capture file, as JSON.
fn capture_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("the capture was written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn an_exported_workload_replays_free_running_with_the_simulated_verdict() {
    let dir = temp_dir("dataplane-export");
    let ff = schedule(
        &dir,
        "ff.json",
        r#"{"format":1,"protocol":"es-replication","version":"v1"}"#,
    );
    let cap = dir.join("cap.jsonl");
    let cap_s = cap.to_str().expect("utf-8");
    let out = ldfi(&[
        "replay",
        ff.to_str().expect("utf-8"),
        "--export-capture",
        cap_s,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&cap).expect("exported");
    assert!(
        text.starts_with(r#"{"type":"header","capture":1,"kind":"envelopes","#),
        "{text}"
    );
    let lines = capture_lines(&cap);
    let inputs: Vec<&Value> = lines.iter().filter(|l| l["type"] == "input").collect();
    assert_eq!(inputs.len(), 2, "failover-then-write gives two writes");
    assert!(inputs.iter().all(|i| i["body"].is_array()));
    assert!(lines
        .iter()
        .filter(|l| l["type"] == "envelope")
        .all(|l| l["body"].is_array() && l["k"].is_u64()));
    // Never over an existing file, and refused before anything runs.
    let again = ldfi(&[
        "replay",
        ff.to_str().expect("utf-8"),
        "--export-capture",
        cap_s,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("not overwritten"),
        "{}",
        stderr(&again)
    );
    assert!(common::stdout(&again).is_empty());
    // The workload, free-running on real processes, under a corpus
    // counterexample's faults: the simulated verdict.
    let cx = "scenarios/corpus/es-replication/v1/36bbd613d8a8d501.json";
    let out = ldfi(&[
        "dataplane",
        "replay",
        cap_s,
        "--schedule",
        cx,
        "--tick-ms",
        "300",
        "--json",
    ]);
    let j = json(&out);
    let violated = j["verdict"] == "violated";
    assert_eq!(out.status.code(), Some(if violated { 1 } else { 0 }), "{j}");
    assert_eq!(j["mode"], "free-running");
    assert_eq!(j["trace_hash_comparable"], false);
    assert_eq!(j["simulated"]["verdict"], "violated");
    // Paced as simulated unless the machine could not keep a node's tick
    // within 300 ms (then the output says so; see the README).
    if j["overruns"] == 0 {
        assert_eq!(j["verdict"], "violated");
        assert_eq!(j["invariant"], "agreement");
        assert_eq!(j["same_verdict"], true, "{j}");
        assert_eq!(j["stranded"], 0, "{j}");
    }
    let dropped: u64 = (j["counters"].as_array().expect("counters").iter())
        .map(|c| c["dropped_by_fault"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        dropped, 1,
        "omit(n1, n2, 2) drops n1's Replicate to n2: {j}"
    );
    assert_pids_gone(&j);
}

#[test]
fn a_captured_workload_searched_in_simulation_gives_a_counterexample_that_replays() {
    let dir = temp_dir("dataplane-workload-file");
    let ff = schedule(
        &dir,
        "ff.json",
        r#"{"format":1,"protocol":"es-replication","version":"v1"}"#,
    );
    // Real traffic in...
    let cap = dir.join("real.jsonl");
    let cap_s = cap.to_str().expect("utf-8");
    let out = ldfi(&[
        "dataplane",
        "run",
        ff.to_str().expect("utf-8"),
        "--capture",
        cap_s,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // ...minimal fault sets out...
    let corpus = dir.join("cx");
    let out = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--version",
        "v1",
        "--workload-file",
        cap_s,
        "--corpus",
        corpus.to_str().expect("utf-8"),
        "--json",
    ]);
    let j = json(&out);
    assert_eq!(out.status.code(), Some(1), "{j}");
    let saved = std::fs::read_dir(&corpus)
        .expect("saved")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a counterexample was saved");
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("reads")).expect("JSON");
    assert_eq!(s["inputs"].as_array().map(Vec::len), Some(2), "{s}");
    // ...replayed in simulation and on real processes, the same.
    let saved_s = saved.to_str().expect("utf-8");
    let sim = json(&ldfi(&["replay", saved_s, "--json"]));
    assert_eq!(sim["verdict"], "violated");
    assert_eq!(sim["trace_hash"], s["expect"]["trace_hash"]);
    let out = ldfi(&["dataplane", "run", saved_s, "--json"]);
    let real = json(&out);
    assert_eq!(out.status.code(), Some(1), "{real}");
    assert_eq!(real["conforms"], true, "{real}");
    assert_eq!(real["trace_hash"], sim["trace_hash"]);
}

#[test]
fn ten_thousand_envelopes_through_a_fault_free_free_running_run_lose_none() {
    let dir = temp_dir("dataplane-10k");
    let one = schedule(
        &dir,
        "one.json",
        r#"{"format":1,"protocol":"simple-deliv"}"#,
    );
    let cap = dir.join("one.jsonl");
    let out = ldfi(&[
        "replay",
        one.to_str().expect("utf-8"),
        "--export-capture",
        cap.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // 5,000 broadcasts from `a`: two envelopes each.
    let lines = capture_lines(&cap);
    let input = lines.iter().find(|l| l["type"] == "input").expect("input");
    let mut text = format!("{}\n", lines[0]);
    for k in 0..5_000 {
        let mut i = input.clone();
        i["input"] = k.into();
        text.push_str(&format!("{i}\n"));
    }
    let many = dir.join("many.jsonl");
    std::fs::write(&many, text).expect("writes");
    let long = schedule(
        &dir,
        "long.json",
        r#"{"format":1,"protocol":"simple-deliv","params":{"eot":150,"eff":2,"crashes":0}}"#,
    );
    let out = ldfi(&[
        "dataplane",
        "replay",
        many.to_str().expect("utf-8"),
        "--schedule",
        long.to_str().expect("utf-8"),
        "--rate",
        "2000",
        "--tick-ms",
        "40",
        "--json",
    ]);
    // The inputs take 63 ticks (2.5 s); the other 87 leave a loaded
    // machine 3.5 s to catch up before the end of time.
    let j = json(&out);
    assert_eq!(out.status.code(), Some(0), "{j}");
    assert_eq!(j["inputs"], 5_000);
    assert_eq!(j["verdict"], "good");
    let counters = j["counters"].as_array().expect("counters");
    let sum = |k: &str| -> u64 { counters.iter().map(|c| c[k].as_u64().unwrap_or(0)).sum() };
    assert_eq!(sum("forwarded"), 10_000, "{j}");
    assert_eq!(sum("dropped_by_fault") + sum("refused"), 0, "{j}");
    // None lost: each one delivered, or (on a machine too loaded for the
    // pace: only after some tick overran) held at its receiver's sidecar
    // for after the receiver's last tick, and counted.
    let (delivered, stranded) = (j["delivered"].as_u64(), j["stranded"].as_u64());
    assert_eq!(
        delivered.zip(stranded).map(|(d, s)| d + s),
        Some(10_000),
        "every envelope delivered or held: {j}"
    );
    if j["overruns"] == 0 {
        assert_eq!(delivered, Some(10_000), "every envelope delivered: {j}");
    }
    assert_pids_gone(&j);
}

#[test]
fn bad_captures_are_exit_2_naming_the_file_and_line() {
    let dir = temp_dir("dataplane-bad-capture");
    let header = r#"{"type":"header","capture":1,"kind":"envelopes","protocol":"simple-deliv","version":"v1","workload":"broadcast","params":{"eot":4,"eff":2,"crashes":0},"seed":0,"nodes":["a","b","c"],"faults":[]}"#;
    let input = r#"{"type":"input","tick":1,"input":0,"node":"a","label":"Broadcast(\"hello\")","body":[0,5,104,101,108,108,111]}"#;
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty.jsonl", String::new(), ":1:"),
        ("no-header.jsonl", format!("{input}\n"), ":1:"),
        (
            "not-json.jsonl",
            format!("{header}\n{input}\n{{oops\n"),
            ":3:",
        ),
        (
            "kind.jsonl",
            header.replace("\"envelopes\"", "\"telepathy\"") + "\n",
            "telepathy",
        ),
        (
            "no-body.jsonl",
            format!(
                "{header}\n{}\n",
                input.replace(r#","body":[0,5,104,101,108,108,111]"#, "")
            ),
            ":2: input has no `body`",
        ),
        (
            "node.jsonl",
            format!(
                "{header}\n{}\n",
                input.replace(r#""node":"a""#, r#""node":"z""#)
            ),
            ":2: field `node`",
        ),
        (
            "tick.jsonl",
            format!(
                "{header}\n{}\n",
                input.replace(r#""tick":1"#, r#""tick":9"#)
            ),
            ":2: field `tick`",
        ),
        (
            "body.jsonl",
            format!(
                "{header}\n{}\n",
                input.replace("[0,5,104,101,108,108,111]", "[9,9]")
            ),
            "inputs[0]",
        ),
    ];
    for (name, text, says) in &cases {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("writes");
        let p = path.to_str().expect("utf-8");
        for args in [
            vec!["dataplane", "replay", p],
            vec!["search", "--protocol", "simple-deliv", "--workload-file", p],
        ] {
            if *name == "kind.jsonl" && args[0] == "search" {
                continue;
            }
            let out = ldfi(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {err}");
            assert!(err.contains(p) || err.contains(name), "{name}: {err}");
            assert!(err.contains(says), "{name}: `{says}` in {err}");
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        }
    }
    // A capture of another protocol is not a workload of this one.
    let other = dir.join("other.jsonl");
    std::fs::write(&other, format!("{header}\n{input}\n")).expect("writes");
    let out = ldfi(&[
        "search",
        "--protocol",
        "retry-deliv",
        "--workload-file",
        other.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("simple-deliv"), "{}", stderr(&out));
    // A rate that pushes the inputs past EOT.
    let out = ldfi(&[
        "dataplane",
        "replay",
        other.to_str().expect("utf-8"),
        "--rate",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--rate"), "{}", stderr(&out));
}

/// An exported capture of `protocol`'s default run, its one input given
/// `copies` times at tick 1 (`simple-deliv`: `a` broadcasts each to `b`
/// and `c`, so a→b carries envelopes #0..copies).
fn broadcast_capture(dir: &Path, protocol: &str, copies: u32) -> PathBuf {
    let one = schedule(
        dir,
        "one.json",
        &format!(r#"{{"format":1,"protocol":"{protocol}"}}"#),
    );
    let cap = dir.join("one.jsonl");
    let out = ldfi(&[
        "replay",
        one.to_str().expect("utf-8"),
        "--export-capture",
        cap.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = capture_lines(&cap);
    let input = lines.iter().find(|l| l["type"] == "input").expect("input");
    let mut text = format!("{}\n", lines[0]);
    for k in 0..copies {
        let mut i = input.clone();
        i["input"] = k.into();
        text.push_str(&format!("{i}\n"));
    }
    let many = dir.join("many.jsonl");
    std::fs::write(&many, text).expect("writes");
    many
}

#[test]
fn a_kth_envelope_omission_free_running_drops_exactly_that_envelope() {
    let dir = temp_dir("dataplane-kth");
    let cap = broadcast_capture(&dir, "simple-deliv", 3);
    // Omit a->b #1 (of #0, #1, #2), and a fault that cannot fire: a->b #7.
    let faults = schedule(
        &dir,
        "kth.json",
        r#"{"identity":1,"protocol":"simple-deliv","messages":[
            {"from":"a","to":"b","k":1,"fault":"omit"},
            {"from":"a","to":"b","k":7,"fault":"omit"}]}"#,
    );
    let rec = dir.join("rec.jsonl");
    let args = [
        "dataplane",
        "replay",
        cap.to_str().expect("utf-8"),
        "--schedule",
        faults.to_str().expect("utf-8"),
        "--tick-ms",
        "100",
        "--capture",
        rec.to_str().expect("utf-8"),
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let out = ldfi(&with_json);
    let j = json(&out);
    // b logs from #0 or #2 — unless, on a machine too loaded for the
    // pace, they reached it after its last tick (then a tick overran).
    if j["overruns"] == 0 {
        assert_eq!(out.status.code(), Some(0), "{j}");
    }
    let id = &j["identity"];
    assert_eq!(id["source"], "identity");
    assert_eq!(id["messages"][0]["matched"], true, "{id}");
    assert_eq!(id["messages"][0]["envelopes"][0]["k"], 1, "{id}");
    assert_eq!(id["messages"][0]["envelopes"][0]["sent"], 1, "{id}");
    assert_eq!(id["messages"][1]["matched"], false, "{id}");
    assert_eq!(id["unmatched"], 1, "the fault that never fired is counted");
    assert_eq!(j["simulated"], Value::Null, "no simulated counterpart");
    // Counted at b's sidecar: one of a->b's three dropped, nothing else.
    let counters = j["counters"].as_array().expect("counters");
    let on = |ch: &str, k: &str| -> u64 {
        (counters.iter())
            .filter(|c| c["channel"] == ch)
            .map(|c| c[k].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(
        (on("a->b", "forwarded"), on("a->b", "dropped_by_fault")),
        (2, 1),
        "{j}"
    );
    assert_eq!(
        (on("a->c", "forwarded"), on("a->c", "dropped_by_fault")),
        (3, 0),
        "{j}"
    );
    // The capture has every envelope the nodes got, #1 on a->b missing.
    let lines = capture_lines(&rec);
    assert_eq!(lines[0]["type"], "header");
    assert_eq!(lines.iter().filter(|l| l["type"] == "input").count(), 3);
    let ks = |to: &str| -> Vec<u64> {
        let mut ks: Vec<u64> = (lines.iter())
            .filter(|l| l["type"] == "envelope" && l["from"] == "a" && l["to"] == to)
            .map(|l| l["k"].as_u64().expect("k"))
            .collect();
        ks.sort_unstable();
        ks
    };
    if j["overruns"] == 0 {
        assert_eq!(ks("b"), vec![0, 2], "{lines:?}");
        assert_eq!(ks("c"), vec![0, 1, 2], "{lines:?}");
    }
    assert!(lines
        .iter()
        .all(|l| l["type"] != "envelope" || l["t_us"].is_u64()));
    // The capture replays (it is a capture), and is never overwritten.
    let again = ldfi(&args);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("not overwritten"),
        "{}",
        stderr(&again)
    );
    // The text says which fault never matched.
    let out = ldfi(&args[..args.len() - 2]);
    let text = common::stdout(&out);
    assert!(text.contains("omit a->b #1: hit at b's sidecar"), "{text}");
    assert!(text.contains("omit a->b #7: NEVER MATCHED"), "{text}");
    // Bad fault files: exit 2, one line naming the file and the field.
    for (name, body, says) in [
        (
            "node.json",
            r#"{"identity":1,"protocol":"simple-deliv","messages":[{"from":"a","to":"q","k":0,"fault":"omit"}]}"#,
            "messages[0].to",
        ),
        (
            "proto.json",
            r#"{"identity":1,"protocol":"retry-deliv"}"#,
            "field `protocol`",
        ),
        (
            "format.json",
            r#"{"identity":2,"protocol":"simple-deliv"}"#,
            "field `identity`",
        ),
        (
            "kind.json",
            r#"{"identity":1,"protocol":"simple-deliv","messages":[{"from":"a","to":"b","k":0,"fault":"eat"}]}"#,
            "eat",
        ),
        (
            "crash.json",
            r#"{"identity":1,"protocol":"simple-deliv","crashes":[{"node":"b","at_ms":0}]}"#,
            "crash",
        ),
    ] {
        let f = schedule(&dir, name, body);
        let f_s = f.to_str().expect("utf-8");
        let out = ldfi(&[
            "dataplane",
            "replay",
            cap.to_str().expect("utf-8"),
            "--schedule",
            f_s,
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(f_s), "{name}: {err}");
        assert!(err.contains(says), "{name}: `{says}` in {err}");
        assert_eq!(err.trim().lines().count(), 1, "{name}: one line: {err}");
    }
}

#[test]
fn a_simulated_counterexample_by_channel_identity_gives_the_simulated_verdict_free_running() {
    let dir = temp_dir("dataplane-kth-cx");
    let cap = broadcast_capture(&dir, "retry-deliv", 1);
    // omit(a, c, 1) and crash(a, 2): a->c #0 lost, a killed at 200 ms;
    // and omit(b, a, 1), which addresses nothing (b sends nothing).
    let cx = schedule(
        &dir,
        "cx.json",
        r#"{"format":1,"protocol":"retry-deliv","version":"v1","params":{"eot":4,"eff":2,"crashes":1},
            "faults":[{"omit":{"from":"a","to":"c","at":1}},{"crash":{"node":"a","at":2}},
                      {"omit":{"from":"b","to":"a","at":1}}]}"#,
    );
    let cx = cx.to_str().expect("utf-8");
    let file = dir.join("cx-identity.json");
    let out = ldfi(&[
        "dataplane",
        "replay",
        cap.to_str().expect("utf-8"),
        "--schedule",
        cx,
        "--tick-ms",
        "200",
        "--export-identity",
        file.to_str().expect("utf-8"),
        "--json",
    ]);
    let j = json(&out);
    let id = &j["identity"];
    assert_eq!(id["source"], "schedule", "{id}");
    let f = &id["faults"];
    assert_eq!(f["messages"].as_array().map(Vec::len), Some(1), "{id}");
    assert_eq!(
        (&f["messages"][0]["from"], &f["messages"][0]["to"]),
        (&"a".into(), &"c".into())
    );
    assert_eq!(f["messages"][0]["k"], 0, "{id}");
    assert_eq!(
        f["crashes"][0],
        serde_json::json!({"node": "a", "at_ms": 200})
    );
    assert_eq!(id["timed"][0]["tick"], 2, "{id}");
    assert_eq!(id["untranslated"][0]["fault"], "omit(b, a, 1)", "{id}");
    assert_eq!(id["unmatched"], 1, "the omission of nothing is reported");
    assert_eq!(j["simulated"]["verdict"], "violated");
    if j["overruns"] == 0 {
        assert_eq!(out.status.code(), Some(1), "{j}");
        assert_eq!(j["same_verdict"], true, "{j}");
        assert_eq!(j["invariant"], "delivery");
    }
    // The translation, exported as a fault file, replays the same way.
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("exported")).expect("JSON");
    assert_eq!(&exported, f);
    let out = ldfi(&[
        "dataplane",
        "replay",
        cap.to_str().expect("utf-8"),
        "--schedule",
        file.to_str().expect("utf-8"),
        "--tick-ms",
        "200",
        "--json",
    ]);
    let k = json(&out);
    assert_eq!(k["identity"]["unmatched"], 0, "{k}");
    if k["overruns"] == 0 {
        assert_eq!(k["verdict"], "violated", "{k}");
    }
    assert_pids_gone(&k);
}
