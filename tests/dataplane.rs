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
