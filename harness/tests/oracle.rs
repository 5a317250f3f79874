//! The soundness oracle: ldfi against exhaustive search on a fixed sample
//! of generated protocols. Any case where they disagree — above all, ldfi
//! certifying a protocol that exhaustive search breaks — fails the test and
//! is printed in full (protocol, bounds, both verdicts); `check_case(seed)`
//! reproduces it.

use ldfi_harness::oracle::{check_case, CaseResult};
use ldfi_harness::search::Conclusion;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The sample: seeds `0..CASES`.
const CASES: u64 = 300;

/// Runs `check_case` over `seeds` on every available core (each thread
/// takes the next seed), in seed order.
fn run_all(seeds: std::ops::Range<u64>) -> Vec<CaseResult> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let next = Arc::new(AtomicU64::new(seeds.start));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (next, end) = (next.clone(), seeds.end);
            std::thread::spawn(move || {
                let mut out = Vec::new();
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= end {
                        return out;
                    }
                    out.push(check_case(seed));
                }
            })
        })
        .collect();
    let mut all: Vec<CaseResult> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a case panicked"))
        .collect();
    all.sort_by_key(|c| c.seed);
    all
}

#[test]
fn ldfi_agrees_with_exhaustive_on_generated_protocols() {
    let cases = run_all(0..CASES);
    let bad: Vec<&CaseResult> = cases
        .iter()
        .filter(|c| c.disagreement().is_some())
        .collect();
    for c in &bad {
        eprintln!("{c}");
    }
    let found = cases
        .iter()
        .filter(|c| c.exhaustive.counterexample.is_some())
        .count();
    let certified = cases
        .iter()
        .filter(|c| c.exhaustive.conclusion == Some(Conclusion::Certified))
        .count();
    let executions: u64 = cases
        .iter()
        .map(|c| c.ldfi.executions + c.exhaustive.executions)
        .sum();
    eprintln!(
        "{} cases: {} with a violation, {} certified by exhaustive search, {} disagreements, {executions} executions",
        cases.len(),
        found,
        certified,
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} of {} cases disagree (seeds {:?})",
        bad.len(),
        cases.len(),
        bad.iter().map(|c| c.seed).collect::<Vec<_>>()
    );
    // The sample must exercise both outcomes, or agreement proves nothing.
    assert!(
        found >= CASES as usize / 5,
        "only {found} cases have a violation"
    );
    assert!(
        certified >= CASES as usize / 5,
        "only {certified} cases are correct"
    );
}

#[test]
fn generation_is_deterministic_and_varied() {
    let a: Vec<String> = (0..40)
        .map(|s| ldfi_harness::oracle::generate(s).to_string())
        .collect();
    let b: Vec<String> = (0..40)
        .map(|s| ldfi_harness::oracle::generate(s).to_string())
        .collect();
    assert_eq!(a, b);
    let families: std::collections::BTreeSet<String> = (0..40)
        .map(|s| ldfi_harness::oracle::generate(s).family)
        .collect();
    assert_eq!(families.len(), 4, "families drawn: {families:?}");
    for s in 0..200 {
        let p = ldfi_harness::oracle::generate(s);
        let faulty = p.nodes.len() - p.exempt.len();
        assert!(
            ldfi_harness::oracle::space_size(faulty, &p.params) <= ldfi_harness::oracle::SPACE_CAP,
            "{p}"
        );
        assert!(
            (2..=4).contains(&p.nodes.len()) && (4..=7).contains(&p.params.eot),
            "{p}"
        );
    }
}
