//! Regression tests of the hardening issue: `--checks enforcement` as a
//! real mode, minimal counterexamples with every strategy, exhaustive
//! counting real candidates, interrupted searches keeping what they found,
//! corpus links and corrupted files, spec files on disk, and fault-free
//! violations reported as such.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "json"));
    v.sort();
    v
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn enforcement_mode_terminates_labels_runs_and_its_counterexamples_replay() {
    // Invariant violations that no predicate sees used to make this search
    // run for minutes with memory growing; now it ends and is confirmed.
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--version",
        "v1",
        "--workload",
        "single",
        "--checks",
        "enforcement",
        "--no-save",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = json(&o);
    assert_eq!(j["verdict"], "certified");
    assert_eq!(j["assurance"], "confirmed");
    assert_eq!(j["checks"], "enforcement");

    // -v says what a run that breaks only an invariant is.
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--version",
        "v1",
        "--workload",
        "single",
        "--checks",
        "enforcement",
        "--no-save",
        "-v",
    ]);
    assert!(
        stderr(&o).contains("violates invariant agreement, no predicate (set aside)"),
        "{}",
        stderr(&o)
    );

    // A counterexample found in this mode records it, replays under it,
    // and `corpus check` agrees.
    let dir = temp_dir("enforcement-corpus");
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--version",
        "v3",
        "--checks",
        "enforcement",
        "--corpus",
        s(&dir),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let saved = files_in(&dir);
    assert_eq!(saved.len(), 1);
    let text = std::fs::read_to_string(&saved[0]).expect("saved");
    assert!(text.contains("\"checks\": \"enforcement\""), "{text}");
    let r = ldfi(&["replay", s(&saved[0]), "--json"]);
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(json(&r)["checks"], "enforcement");
    assert_eq!(json(&r)["verdict"], "violated");
    let c = ldfi(&["corpus", "check", s(&dir), "--json"]);
    assert_eq!(c.status.code(), Some(0), "{}", stdout(&c));
    assert_eq!(json(&c)["results"][0]["status"], "reproduces");
}

#[test]
fn every_strategy_saves_only_minimal_counterexamples() {
    let dir = temp_dir("random-all");
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--version",
        "v3",
        "--strategy",
        "random",
        "--all-counterexamples",
        "--max-runs",
        "1000",
        "--corpus",
        s(&dir),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let saved = files_in(&dir);
    assert!(!saved.is_empty());
    for path in &saved {
        let text = std::fs::read_to_string(path).expect("saved");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let faults = doc["faults"].as_array().expect("faults").clone();
        assert!(
            faults.len() <= 3,
            "{}: {} faults",
            path.display(),
            faults.len()
        );
        // No single fault can be dropped: each one-smaller set is good.
        for drop in 0..faults.len() {
            let mut smaller = doc.clone();
            let mut fs = faults.clone();
            fs.remove(drop);
            smaller["faults"] = serde_json::Value::Array(fs);
            smaller.as_object_mut().expect("object").remove("expect");
            let p = dir.join(format!("smaller-{drop}.json.tmp"));
            std::fs::write(&p, smaller.to_string()).expect("write");
            let r = ldfi(&["replay", s(&p), "--json"]);
            assert_ne!(
                json(&r)["verdict"],
                "violated",
                "{} is not minimal",
                path.display()
            );
        }
    }
}

#[test]
fn exhaustive_counts_the_sets_it_will_run() {
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--eff",
        "1",
        "--crashes",
        "0",
        "--strategy",
        "exhaustive",
        "--no-save",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = json(&o);
    assert_eq!(j["candidate_sets"], 1.0);
    assert_eq!(j["executions"], 1);
    assert!(j["combinations"].as_f64().expect("count") > 1e6);
}

#[test]
fn ctrl_c_keeps_every_counterexample_found_and_exits_130() {
    let dir = temp_dir("interrupted");
    // Random search for every counterexample: finds some at once, then
    // goes on for its whole budget.
    let child = Command::new(env!("CARGO_BIN_EXE_ldfi"))
        .args([
            "search",
            "--protocol",
            "es-replication",
            "--version",
            "v3",
            "--strategy",
            "random",
            "--all-counterexamples",
            "--max-runs",
            "10000000",
            "--corpus",
            s(&dir),
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut waited = Duration::ZERO;
    while files_in(&dir).is_empty() {
        assert!(waited < Duration::from_secs(60), "no counterexample saved");
        std::thread::sleep(Duration::from_millis(20));
        waited += Duration::from_millis(20);
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted after"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("verdict       interrupted"));
    let saved = files_in(&dir);
    assert!(!saved.is_empty());
    // Every file is whole (atomic writes) and still reproduces.
    let c = ldfi(&["corpus", "check", s(&dir), "--json"]);
    assert_eq!(c.status.code(), Some(0), "{}", stdout(&c));
    // No temporary file is left behind.
    let all = std::fs::read_dir(&dir).expect("dir").count();
    assert_eq!(all, saved.len());
}

#[test]
fn corpus_check_skips_directory_links_and_names_corrupted_files() {
    let dir = temp_dir("corpus-links");
    let good =
        std::fs::read_to_string(root().join("scenarios/simple-deliv-omit.json")).expect("scenario");
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    std::fs::write(dir.join("sub/a.json"), &good).expect("write");
    // A link to its own parent would replay the file again and again, two
    // such links without end.
    std::os::unix::fs::symlink("..", dir.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.join("self")).expect("symlink");
    let o = ldfi(&["corpus", "check", s(&dir), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = json(&o);
    assert_eq!(j["schedules"], 1);
    assert_eq!(j["skipped_links"].as_array().expect("links").len(), 2);

    std::fs::write(dir.join("sub/broken.json"), "{\"format\":1,").expect("write");
    let o = ldfi(&["corpus", "check", s(&dir), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let j = json(&o);
    let rows = j["results"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "the rest is still checked");
    let broken = rows
        .iter()
        .find(|r| r["status"] == "error")
        .expect("error row");
    assert!(broken["error"]
        .as_str()
        .expect("msg")
        .contains("broken.json"));
    assert!(rows.iter().any(|r| r["status"] == "reproduces"));
    assert!(stderr(&o).contains("broken.json"));
}

#[test]
fn a_spec_file_on_disk_replaces_the_protocols_own() {
    let spec = root().join("protocols/specs/es-replication.spec");
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--version",
        "v3",
        "--checks",
        "enforcement",
        "--spec",
        s(&spec),
        "--no-save",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j = json(&o);
    assert_eq!(
        j["counterexample"]["invariant"],
        "replica_ack_digest_matches_replicate"
    );

    // The same spec without that rule: no digest violation to find.
    let text = std::fs::read_to_string(&spec).expect("spec");
    let dir = temp_dir("spec-file");
    let broken = dir.join("draft.spec");
    std::fs::write(&broken, format!("{text}\nrule oops {{ never [")).expect("write");
    let o = ldfi(&[
        "replay",
        "scenarios/simple-deliv-omit.json",
        "--spec",
        s(&broken),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let line = text.lines().count() + 2;
    assert!(
        stderr(&o).contains(&format!("draft.spec:{line}:")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_fault_free_violation_is_no_counterexample() {
    let dir = temp_dir("fault-free");
    let o = ldfi(&[
        "search",
        "--protocol",
        "web-forum",
        "--version",
        "edit-post",
        "--corpus",
        s(&dir),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j = json(&o);
    assert_eq!(j["verdict"], "fault-free-violation");
    assert_eq!(j["fault_free_violation"]["invariant"], "I1_posts_immutable");
    assert!(j["counterexamples"].as_array().expect("list").is_empty());
    assert!(files_in(&dir).is_empty(), "nothing is saved");
    // Bounds too short for a protocol that works at its defaults: bad input.
    let o = ldfi(&[
        "search",
        "--protocol",
        "es-replication",
        "--eot",
        "2",
        "--eff",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad scenario"), "{}", stderr(&o));
}
