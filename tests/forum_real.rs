//! `web-forum-grpc` counterexamples on the real services: `auth`, `kv` and
//! `frontend` as processes behind one enforcement proxy that applies the
//! simulated schedule's faults by identity (`ldfi dataplane run`, `ldfi
//! corpus check --dataplane`). Real processes on loopback, OS-assigned
//! ports; the runs are serialized (each is paced by the wall clock, so
//! they do not share the machine's two cores with each other).

mod common;

use common::{json, ldfi, stderr, temp_dir};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One real run at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

const CORPUS: &str = "scenarios/corpus/web-forum-grpc";
const I2: &str = "I2_only_authenticated_clients_post";

fn schedule(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("writes the schedule");
    path
}

/// Whether process `pid` is gone (reaped: no `/proc` entry).
fn gone(pid: u64) -> bool {
    // SIGKILL is asynchronous: give a killed child a moment (bounded).
    for _ in 0..100 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

fn assert_all_gone(out: &Value) {
    for p in out["processes"].as_array().expect("processes") {
        let pid = p["pid"].as_u64().expect("pid");
        assert!(gone(pid), "{} (pid {pid}) outlived its run", p["name"]);
    }
}

#[test]
fn every_corpus_counterexample_reproduces_on_the_real_services_and_correct_stays_good() {
    let _one = serial();
    // The I2 counterexamples (stale-read's needs a restart, which real
    // runs do not apply).
    let i2 = format!("{CORPUS}/insert-before-auth");
    let out = ldfi(&["corpus", "check", "--dataplane", "--json", &i2]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v}\n{}", stderr(&out));
    let rows = v["results"].as_array().expect("results");
    assert!(rows.len() >= 6, "{v}");
    for r in rows {
        assert_eq!(r["status"], "reproduces", "{r}");
        assert_eq!(r["invariant"], I2, "{r}");
        assert_eq!(r["trace_hash_compared"], false, "{r}");
        assert_eq!(r["unmatched_faults"], 0, "{r}");
    }
    // The correct frontend under the same schedules: no violation on real
    // services either, and the verdict the simulation gives.
    let out = ldfi(&[
        "corpus",
        "check",
        "--dataplane",
        "--json",
        "--version",
        "correct",
        CORPUS,
    ]);
    let v = json(&out);
    for r in v["results"].as_array().expect("results") {
        assert_ne!(r["verdict"], "violated", "{r}");
        assert_eq!(r["verdict"], r["simulated"]["verdict"], "{r}");
        assert_eq!(r["status"], "fixed", "{r}");
    }
}

#[test]
fn the_proxy_refuses_the_counterexamples_insert_by_rule() {
    let _one = serial();
    let d = temp_dir("forum-real-refuse");
    let viol = d.join("violations.jsonl");
    let capture = d.join("calls.jsonl");
    // omit(frontend, auth, 2): the first Authenticate's request is lost.
    let file = format!("{CORPUS}/insert-before-auth/6f18e3bb1d2e3157.json");
    let out = ldfi(&[
        "dataplane",
        "run",
        "--json",
        "--enforce",
        "refuse",
        "--violations",
        viol.to_str().expect("utf-8"),
        "--capture",
        capture.to_str().expect("utf-8"),
        &file,
    ]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "{v}\n{}", stderr(&out));
    assert_eq!(v["verdict"], "violated", "{v}");
    assert_eq!(v["invariant"], I2, "{v}");
    assert_eq!(v["simulated"]["invariant"], I2, "{v}");
    assert_eq!(v["same_verdict"], true, "{v}");
    assert_eq!(v["refusals"][I2], 1, "{v}");
    let faults = v["identity_faults"].as_array().expect("faults");
    assert_eq!(faults.len(), 1, "{v}");
    assert_eq!(
        faults[0]["fault"], "drop-request frontend->auth Authenticate#1",
        "{v}"
    );
    assert_eq!(faults[0]["applied"], true, "{v}");
    let insert = v["counters"]
        .as_array()
        .expect("counters")
        .iter()
        .find(|r| r["callee"] == "kv" && r["method"] == "Insert")
        .cloned()
        .unwrap_or_default();
    assert_eq!(insert["refused"], 1, "{v}");
    assert_eq!(insert["forwarded"], 0, "{v}");
    // The record names the rule and the client; the capture names every
    // caller by its own `ldfi-caller` (the proxy was given no --caller).
    let records = std::fs::read_to_string(&viol).expect("violations written");
    let rec: Value = serde_json::from_str(records.lines().next().expect("a record")).expect("JSON");
    assert_eq!(rec["rule"], I2, "{rec}");
    assert_eq!(rec["key"]["c"], "\"c1\"", "{rec}");
    let calls = std::fs::read_to_string(&capture).expect("capture kept");
    for l in calls.lines().skip(1) {
        let c: Value = serde_json::from_str(l).expect("JSON");
        let want = if c["callee"] == "frontend" {
            "c1"
        } else {
            "frontend"
        };
        assert_eq!(c["caller"], want, "{c}");
    }
    assert_all_gone(&v);
}

#[test]
fn a_kill_fault_kills_that_service_and_only_it() {
    let _one = serial();
    let d = temp_dir("forum-real-kill");
    // kv crashes before its first request; c2's first Login is lost.
    let file = schedule(
        &d,
        "kill-kv.json",
        r#"{"format": 1, "protocol": "web-forum-grpc", "version": "correct", "workload": "two-clients",
            "faults": [{"crash": {"node": "kv", "at": 1}}, {"omit": {"from": "c2", "to": "frontend", "at": 1}}]}"#,
    );
    let out = ldfi(&["dataplane", "run", "--json", file.to_str().expect("utf-8")]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v}\n{}", stderr(&out));
    assert_eq!(v["verdict"], v["simulated"]["verdict"], "{v}");
    let killed: Vec<&str> = v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .filter(|p| p["killed"] == true)
        .map(|p| p["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(killed, vec!["kv"], "{v}");
    let faults: Vec<(String, bool)> = v["identity_faults"]
        .as_array()
        .expect("faults")
        .iter()
        .map(|f| {
            (
                f["fault"].as_str().unwrap_or("").to_string(),
                f["applied"] == true,
            )
        })
        .collect();
    assert!(
        faults.contains(&("kill kv after 0 request(s)".into(), true)),
        "{v}"
    );
    assert!(
        faults.contains(&("drop-request c2->frontend Login#1".into(), true)),
        "{v}"
    );
    assert_all_gone(&v);
    // Bad input is exit 2 naming the flag, before anything starts.
    let out = ldfi(&[
        "dataplane",
        "run",
        "--tick-ms",
        "0",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--tick-ms"), "{}", stderr(&out));
    let out = ldfi(&[
        "dataplane",
        "run",
        "--kill-sidecar",
        "kv@2",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--kill-sidecar"), "{}", stderr(&out));
}
