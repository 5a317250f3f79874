//! A naive reference matcher for regular expressions over letters, and a
//! property test that the subset-constructed DFA agrees with it on every
//! prefix of random event sequences. Test-only.

use proptest::prelude::*;

use crate::dfa::Dfa;
use crate::nfa::{Letter, Re};

/// Whether the whole of `s` is in the language of `re`, by trying every
/// split (exponential; fine for the short inputs of a test).
fn naive(re: &Re, s: &[u64]) -> bool {
    match re {
        Re::Letter(l) => s.len() == 1 && l.matches(s[0]),
        Re::Seq(items) => match items.split_first() {
            None => s.is_empty(),
            Some((first, rest)) => {
                let rest = Re::Seq(rest.to_vec());
                (0..=s.len()).any(|k| naive(first, &s[..k]) && naive(&rest, &s[k..]))
            }
        },
        Re::Alt(items) => items.iter().any(|r| naive(r, s)),
        Re::Star(r) => {
            s.is_empty() || (1..=s.len()).any(|k| naive(r, &s[..k]) && naive(re, &s[k..]))
        }
        Re::Plus(r) => {
            let star = Re::Star(r.clone());
            (0..=s.len()).any(|k| naive(r, &s[..k]) && naive(&star, &s[k..]))
        }
        Re::Opt(r) => s.is_empty() || naive(r, s),
    }
}

/// Letters over three patterns: a pattern, `_`, or a negation.
fn letter() -> impl Strategy<Value = Re> {
    prop_oneof![
        (0u32..3).prop_map(|i| Letter {
            any: 1 << i,
            none: 0
        }),
        Just(Letter { any: !0, none: 0 }),
        (1u64..8).prop_map(|none| Letter { any: !0, none }),
        (1u64..8).prop_map(|any| Letter { any, none: 0 }),
    ]
    .prop_map(Re::Letter)
}

fn regex() -> impl Strategy<Value = Re> {
    letter().prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Re::Seq),
            prop::collection::vec(inner.clone(), 1..3).prop_map(Re::Alt),
            inner.clone().prop_map(|r| Re::Star(Box::new(r))),
            inner.clone().prop_map(|r| Re::Plus(Box::new(r))),
            inner.prop_map(|r| Re::Opt(Box::new(r))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn dfa_agrees_with_the_naive_matcher(
        re in regex(),
        events in prop::collection::vec(1u64..8, 0..7),
    ) {
        let dfa = Dfa::build(&re, 3).expect("small expressions fit");
        prop_assert_eq!(dfa.accepting(0), naive(&re, &[]));
        let mut state = 0;
        for end in 1..=events.len() {
            state = dfa.step(state, events[end - 1]);
            prop_assert_eq!(dfa.accepting(state), naive(&re, &events[..end]), "prefix {:?}", &events[..end]);
        }
    }
}
