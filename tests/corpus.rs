//! The regression corpus: every committed schedule still does what it
//! recorded, and `ldfi corpus check` classifies drift.

mod common;
use common::*;

#[test]
fn every_corpus_schedule_reproduces() {
    let o = ldfi(&["corpus", "check", "--json"]);
    let j = json(&o);
    let bad: Vec<_> = j["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["status"] != "reproduces")
        .map(|r| match r["error"].as_str() {
            Some(e) => format!("{} is unreadable: {e}", r["schedule"]),
            None => format!(
                "{} is {} ({} {})",
                r["schedule"], r["status"], r["verdict"], r["trace_hash"]
            ),
        })
        .collect();
    assert!(bad.is_empty(), "corpus drift:\n{}", bad.join("\n"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(j["schedules"].as_u64().expect("count") >= 6);
}

#[test]
fn drift_is_classified_fixed_or_changed() {
    let dir = temp_dir("corpus-drift");
    let proto =
        std::fs::read_to_string(root().join("scenarios/simple-deliv-omit.json")).expect("scenario");
    // Recorded as violated, but the fault is gone: `fixed`.
    let fixed = proto.replace(r#"{"omit":{"from":"a","to":"b","at":1}}"#, "");
    std::fs::write(dir.join("fixed.json"), fixed).expect("write");
    // Recorded with another trace hash: `changed`.
    let changed = proto.replace(
        r#""invariant":"delivery""#,
        r#""invariant":"delivery","trace_hash":"0000000000000000""#,
    );
    std::fs::write(dir.join("changed.json"), changed).expect("write");
    let o = ldfi(&["corpus", "check", dir.to_str().expect("utf-8"), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    let status: Vec<(String, String)> = j["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let name = r["schedule"]
                .as_str()
                .expect("path")
                .rsplit('/')
                .next()
                .expect("name")
                .to_string();
            (name, r["status"].as_str().expect("status").to_string())
        })
        .collect();
    assert_eq!(
        status,
        [
            ("changed.json".to_string(), "changed".to_string()),
            ("fixed.json".to_string(), "fixed".to_string())
        ]
    );
}

#[test]
fn a_missing_corpus_dir_is_bad_input() {
    let o = ldfi(&["corpus", "check", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/dir"));
}

/// The es-replication corpus of v1 and v3 counterexamples, loaded.
fn es_corpus() -> Vec<(std::path::PathBuf, ldfi_harness::schedule::Schedule)> {
    let mut out = Vec::new();
    for v in ["v1", "v3"] {
        let dir = root().join("scenarios/corpus/es-replication").join(v);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("the es corpus is committed")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for f in files {
            let s = ldfi_harness::schedule::Schedule::load(&f).expect("corpus schedules parse");
            out.push((f, s));
        }
    }
    out
}

#[test]
fn es_v1_and_v3_schedules_pass_on_v5() {
    let reg = ldfi_protocols::registry();
    let p = reg.get("es-replication").expect("es-replication");
    let corpus = es_corpus();
    assert!(corpus.len() >= 4, "{} schedules", corpus.len());
    for (f, s) in corpus {
        let own = p.run(&s.run_config(&p.info(), None, None)).expect("runs");
        assert!(own.verdict.is_violated(), "{}", f.display());
        let on_v5 = p
            .run(&s.run_config(&p.info(), Some("v5"), None))
            .expect("runs");
        assert!(
            !on_v5.verdict.is_violated(),
            "{} breaks v5: {}",
            f.display(),
            on_v5.verdict
        );
    }
    // The same through the CLI: against v5 every schedule is `fixed`.
    let o = ldfi(&[
        "corpus",
        "check",
        "scenarios/corpus/es-replication",
        "--version",
        "v5",
        "--json",
    ]);
    let j = json(&o);
    for r in j["results"].as_array().expect("results") {
        assert_eq!(r["status"], "fixed", "{r}");
    }
}

#[test]
fn es_counterexamples_are_minimal() {
    // No proper subset of a saved fault set violates (all subsets replayed).
    let reg = ldfi_protocols::registry();
    let p = reg.get("es-replication").expect("es-replication");
    for (f, s) in es_corpus() {
        let n = s.faults.len();
        assert!(n <= 8, "{}: {n} faults", f.display());
        for mask in 0..(1u32 << n) - 1 {
            let mut sub = s.clone();
            sub.faults = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| s.faults[i].clone())
                .collect();
            let run = p.run(&sub.run_config(&p.info(), None, None)).expect("runs");
            assert!(
                !run.verdict.is_violated(),
                "{}: subset {:?} violates",
                f.display(),
                sub.faults
            );
        }
    }
}
