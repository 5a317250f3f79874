//! The outside crate's own tests, with ldfi's test API.

use handoff::Handoff;
use ldfi::search::Search;

#[test]
fn v1_loses_the_value_with_one_omission() {
    let r = Search::new(&Handoff).version("v1").assert_counterexample();
    assert_eq!(r.counterexamples[0].config.faults.to_string(), "{omit(sender, receiver, 1)}");
}

#[test]
fn v2_is_certified() {
    Search::new(&Handoff).version("v2").bounds(4, 2, 0).assert_certified();
}

/// Fails on purpose: run with `--ignored` to see the panic message.
#[test]
#[ignore]
fn v1_is_certified() {
    Search::new(&Handoff).version("v1").assert_certified();
}
