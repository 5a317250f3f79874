//! `ldfi explain`: the lineage of a good run as DOT, JSON and Soufflé facts.

mod common;
use common::*;

#[test]
fn dot_and_json_describe_the_lineage() {
    let o = ldfi(&[
        "explain",
        "scenarios/retry-deliv-fault-free.json",
        "--format",
        "dot",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("log(b, hello)"), "{dot}");
    let o = ldfi(&[
        "explain",
        "scenarios/retry-deliv-fault-free.json",
        "--format",
        "json",
    ]);
    let j = json(&o);
    assert!(j["vertices"].as_array().expect("vertices").len() > 5, "{j}");
    assert!(j["root"].is_u64());
}

#[test]
fn souffle_facts_are_written_and_never_overwrite() {
    let dir = temp_dir("explain-facts").join("out");
    let out = dir.to_str().expect("utf-8");
    let o = ldfi(&[
        "explain",
        "scenarios/ack-deliv-fault-free.json",
        "--format",
        "facts",
        "--out",
        out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sent = std::fs::read_to_string(dir.join("sent.facts")).expect("sent.facts");
    assert!(sent.lines().count() > 3 && sent.contains('\t'), "{sent}");
    assert!(dir.join("lineage.dl").exists());
    let again = ldfi(&[
        "explain",
        "scenarios/ack-deliv-fault-free.json",
        "--format",
        "facts",
        "--out",
        out,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
}

#[test]
fn a_violated_run_has_no_good_outcome_to_explain() {
    let o = ldfi(&["explain", "scenarios/simple-deliv-omit.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("violated"), "{}", stderr(&o));
}
