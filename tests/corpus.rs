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
        .map(|r| {
            format!(
                "{} is {} ({} {})",
                r["schedule"], r["status"], r["verdict"], r["trace_hash"]
            )
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
