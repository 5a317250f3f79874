//! `web-forum-grpc` counterexamples on the real services: `auth`, `kv` and
//! `frontend` as processes behind one enforcement proxy that applies the
//! simulated schedule's faults by identity (`ldfi dataplane run`, `ldfi
//! corpus check --dataplane`). Real processes on loopback, OS-assigned
//! ports; the runs are serialized (each is paced by the wall clock, so
//! they do not share the machine's two cores with each other).

mod common;

use common::{json, ldfi, stderr, temp_dir};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One real run at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

const CORPUS: &str = "scenarios/corpus/web-forum-grpc";
const I2: &str = "I2_only_authenticated_clients_post";
const I3: &str = "I3_acked_posts_are_read";

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
    // The I2 counterexamples, and stale-read's (kv crashed at 6 and
    // restarted at 8 loses an acknowledged post: I3 on real processes).
    let out = ldfi(&["corpus", "check", "--dataplane", "--json", CORPUS]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v}\n{}", stderr(&out));
    let rows = v["results"].as_array().expect("results");
    assert!(rows.len() >= 7, "{v}");
    for r in rows {
        assert_eq!(r["status"], "reproduces", "{r}");
        let want = if r["version"] == "stale-read" { I3 } else { I2 };
        assert_eq!(r["invariant"], want, "{r}");
        assert_eq!(r["trace_hash_compared"], false, "{r}");
        assert_eq!(r["unmatched_faults"], 0, "{r}");
    }
    assert!(rows.iter().any(|r| r["invariant"] == I3), "{v}");
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

#[test]
fn a_restarted_kv_keeps_serving_through_the_proxy_and_a_lost_post_breaks_i3() {
    let _one = serial();
    let d = temp_dir("forum-real-restart");
    // The correct kv persists before it acknowledges: restarted at 8 (no
    // crash first), it recovers the post from its data directory and
    // answers the Read at 14 through the proxy, on the same port.
    let file = schedule(
        &d,
        "restart-kv.json",
        r#"{"format": 1, "protocol": "web-forum-grpc", "version": "correct", "workload": "login-post-read",
            "faults": [{"restart": {"node": "kv", "at": 8}}]}"#,
    );
    // The run's files (kv's data directory among them) go under TMPDIR.
    let tmp = d.join("tmp");
    std::fs::create_dir_all(&tmp).expect("TMPDIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ldfi"))
        .args(["dataplane", "run", "--json", file.to_str().expect("utf-8")])
        .current_dir(common::root())
        .env("TMPDIR", &tmp)
        .output()
        .expect("the ldfi binary runs");
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v}\n{}", stderr(&out));
    assert_eq!(v["verdict"], "good", "{v}");
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("TMPDIR").collect();
    assert!(left.is_empty(), "the run left {left:?}");
    let data = v["data_dir"].as_str().expect("kv's data directory");
    assert!(!Path::new(data).exists(), "the run left {data}");
    assert_eq!(v["same_verdict"], true, "{v}");
    // Applied by the clock, not by identity (the proxy kills nothing).
    assert_eq!(v["identity_faults"], json!([]), "{v}");
    assert_eq!(v["unmatched"], 0, "{v}");
    let r = &v["restarts"][0];
    assert_eq!(r["fault"], "restart(kv, 8)", "{v}");
    assert_eq!(r["applied"], true, "{v}");
    // Due 3 ticks after kv's Insert (tick 5 in simulation), by tick 8's start.
    assert_eq!(r["tick_ms"], 7 * 50, "{v}");
    assert!(r["anchor_ms"].as_u64() < r["due_ms"].as_u64(), "{v}");
    assert!(r["due_ms"].as_u64() <= r["tick_ms"].as_u64(), "{v}");
    assert!(r["ready_ms"].as_u64() >= r["due_ms"].as_u64(), "{v}");
    let kv: Vec<&Value> = (v["processes"].as_array().expect("processes").iter())
        .filter(|p| p["name"] == "kv")
        .collect();
    assert_eq!(kv.len(), 2, "{v}");
    assert_eq!(
        (kv[0]["life"].as_u64(), kv[1]["life"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
    assert_eq!(kv[0]["pid"], r["killed_pid"], "{v}");
    assert_eq!(kv[1]["pid"], r["pid"], "{v}");
    let answers = v["workload_answers"].as_array().expect("answers");
    let post = answers
        .iter()
        .find(|a| a["method"] == "Post")
        .expect("a post");
    let read = answers
        .iter()
        .find(|a| a["method"] == "Read")
        .expect("a read");
    assert_eq!(read["status"], 0, "{v}");
    assert_eq!(read["keys"], json!([post["key"].clone()]), "{v}");
    // The Get reached the new kv through the proxy.
    let get = v["counters"]
        .as_array()
        .expect("counters")
        .iter()
        .find(|r| r["callee"] == "kv" && r["method"] == "Get")
        .cloned()
        .unwrap_or_default();
    assert_eq!(get["forwarded"], 1, "{v}");
    assert_all_gone(&v);

    // stale-read's counterexample: crashed at 6 before its write-behind,
    // restarted at 8 with nothing on disk; the Read misses the post.
    let file = format!("{CORPUS}/stale-read/a3acb9ba2f17c9ae.json");
    let out = ldfi(&["dataplane", "run", "--json", &file]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "{v}\n{}", stderr(&out));
    assert_eq!(v["invariant"], I3, "{v}");
    assert_eq!(v["same_verdict"], true, "{v}");
    let kinds: Vec<(&str, bool)> = (v["restarts"].as_array().expect("restarts").iter())
        .map(|r| (r["fault"].as_str().unwrap_or(""), r["applied"] == true))
        .collect();
    assert_eq!(
        kinds,
        vec![("crash(kv, 6)", true), ("restart(kv, 8)", true)],
        "{v}"
    );
    let read = (v["workload_answers"].as_array().expect("answers").iter())
        .find(|a| a["method"] == "Read")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (read["status"].as_u64(), read["keys"].clone()),
        (Some(0), json!([])),
        "{v}"
    );
    assert_all_gone(&v);
}
