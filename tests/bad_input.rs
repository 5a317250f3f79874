//! Malformed schedules and flags exit 2 with a message naming the problem,
//! and never panic.

mod common;
use common::*;

fn replay_text(name: &str, text: &str) -> std::process::Output {
    let dir = temp_dir(&format!("bad-{name}"));
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).expect("write");
    ldfi(&["replay", path.to_str().expect("utf-8 path")])
}

fn assert_bad(o: &std::process::Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected `{n}` in: {err}");
    }
}

#[test]
fn bad_json() {
    let o = replay_text("badjson", "{\"format\":1,\"protocol\":");
    assert_bad(&o, &["badjson.json", "line 1"]);
}

#[test]
fn unknown_protocol() {
    let o = replay_text("unknownproto", r#"{"format":1,"protocol":"nope"}"#);
    assert_bad(
        &o,
        &[
            "unknownproto.json",
            "unknown protocol `nope`",
            "simple-deliv",
        ],
    );
}

#[test]
fn unknown_node() {
    let o = replay_text(
        "unknownnode",
        r#"{"format":1,"protocol":"simple-deliv","faults":[{"omit":{"from":"a","to":"z","at":1}}]}"#,
    );
    assert_bad(&o, &["unknown node `z`", "omit(a, z, 1)"]);
}

#[test]
fn omission_at_eff() {
    let o = replay_text(
        "omitateff",
        r#"{"format":1,"protocol":"simple-deliv","params":{"eot":4,"eff":2,"crashes":0},"faults":[{"omit":{"from":"a","to":"b","at":2}}]}"#,
    );
    assert_bad(&o, &["omit(a, b, 2)", "before EFF = 2"]);
}

#[test]
fn too_many_crashes() {
    let o = replay_text(
        "crashes",
        r#"{"format":1,"protocol":"retry-deliv","params":{"crashes":1},"faults":[{"crash":{"node":"a","at":2}},{"crash":{"node":"b","at":2}}]}"#,
    );
    assert_bad(&o, &["2 nodes crash", "crashes = 1"]);
}

#[test]
fn tick_beyond_eot() {
    let o = replay_text(
        "beyondeot",
        r#"{"format":1,"protocol":"retry-deliv","faults":[{"crash":{"node":"a","at":9}}]}"#,
    );
    assert_bad(&o, &["crash(a, 9)", "outside 1..=4"]);
}

#[test]
fn unknown_field_and_format() {
    let o = replay_text(
        "typo",
        r#"{"format":1,"protocol":"simple-deliv","fautls":[]}"#,
    );
    assert_bad(&o, &["typo.json", "unknown field `fautls`"]);
    let o = replay_text("format2", r#"{"format":2,"protocol":"simple-deliv"}"#);
    assert_bad(&o, &["format2.json", "format"]);
}

#[test]
fn missing_file_and_bad_flags() {
    let o = ldfi(&["replay", "no/such/file.json"]);
    assert_bad(&o, &["no/such/file.json"]);
    let o = ldfi(&["search", "--protocol", "nope"]);
    assert_bad(&o, &["--protocol", "unknown protocol `nope`"]);
    let o = ldfi(&["search", "--protocol", "simple-deliv", "--eff", "9"]);
    assert_bad(&o, &["--eff 9", "--eot 4"]);
    let o = ldfi(&["search", "--protocol", "simple-deliv", "--version", "v9"]);
    assert_bad(&o, &["unknown version `v9`"]);
    let o = ldfi(&["search", "--protocol", "simple-deliv", "--max-runs", "lots"]);
    assert_bad(&o, &["--max-runs"]);
}
