//! The quorum write under ldfi, in the crate's own tests.

use ldfi::search::Search;
use quorum_write::QuorumWrite;

#[test]
fn v1_acks_before_a_majority_has_the_value() {
    let found = Search::new(&QuorumWrite)
        .version("v1")
        .assert_counterexample();
    let cex = &found.counterexamples[0];
    assert_eq!(cex.invariant(), "acked-on-majority");
    // Two lost copies leave one replica: the smallest way to break v1.
    assert_eq!(cex.config.faults.len(), 2, "{}", cex.config.faults);
}

#[test]
fn v2_waits_for_a_majority() {
    let r = Search::new(&QuorumWrite).version("v2").assert_certified();
    assert!(r.executions > 1);
}

#[test]
fn v1_is_not_certified_and_says_how_to_replay() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("quorum-cex");
    let caught = std::panic::catch_unwind(|| {
        Search::new(&QuorumWrite)
            .version("v1")
            .schedule_dir(&dir)
            .assert_certified();
    });
    let message = *caught
        .expect_err("v1 has a bug")
        .downcast::<String>()
        .expect("text");
    assert!(
        message.contains("violates      acked-on-majority"),
        "{message}"
    );
    assert!(
        message.contains("--bin quorum-write -- replay"),
        "{message}"
    );
    assert!(message.contains(&dir.display().to_string()), "{message}");
}

#[test]
fn the_saved_corpus_still_reproduces() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    ldfi::corpus::assert_reproduces(&QuorumWrite, corpus);
}
