//! The parser never panics: random strings and random token soups either
//! compile or give an error located inside the input.

use ldfi_enforce::Spec;
use proptest::prelude::*;

/// Fragments that make parsing go deep into the grammar.
const TOKENS: &[&str] = &[
    "let", "model", "rule", "recv", "send", "from", "to", "request", "response", "key", "forbid",
    "never", "before", "in", "contains", "true", "false", "a", "Insert", "kv", "$c", "$", "_",
    "\"s\"", "\"", "12", "-3", "12ab", "{", "}", "[", "]", "(", ")", ",", ";", "->", "=>", "==",
    "=", "!=", "<", "<=", ">", ">=", "=<", "!", "|", "*", "+", "?", "~", "#", "\n", " ", "é", "\\",
    "@",
];

fn check(src: &str) {
    if let Err(e) = Spec::parse("fuzz.spec", src) {
        let lines = src.split('\n').count();
        assert!(
            e.line >= 1 && e.line <= lines,
            "line {} of {lines}: {e}",
            e.line
        );
        assert!(e.col >= 1);
        assert!(e
            .to_string()
            .starts_with(&format!("fuzz.spec:{}:{}: ", e.line, e.col)));
    }
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.join(" "))
}

/// A valid rule with one random token replaced or inserted.
fn mutated() -> impl Strategy<Value = String> {
    let base: Vec<&'static str> = "let i = frontend -> kv request Insert { client = $c } ; \
         rule r { key $c ; forbid ( i | [ _ ] ) * ~ i + before i ; } \
         model kv { recv from $u Get { k in [ 1 , \"x\" ] } => { send to $u response Get ; } }"
        .split(' ')
        .collect();
    let n = base.len();
    (0..n, prop::sample::select(TOKENS), any::<bool>()).prop_map(move |(at, tok, insert)| {
        let mut t = base.clone();
        if insert {
            t.insert(at, tok);
        } else {
            t[at] = tok;
        }
        t.join(" ")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_strings_never_panic(src in "\\PC{0,80}") {
        check(&src);
    }

    #[test]
    fn token_soups_never_panic(src in soup()) {
        check(&src);
    }

    #[test]
    fn mutated_specs_never_panic(src in mutated()) {
        check(&src);
    }
}

#[test]
fn pathological_inputs() {
    for src in [
        "(".repeat(10_000),
        format!("rule r {{ forbid {}; }}", "~".repeat(10_000)),
        format!("rule r {{ forbid [A]{}; }}", "*".repeat(10_000)),
        format!("let a = A{{x = {}}};", "[".repeat(10_000)),
        "\"".to_owned(),
        "$".to_owned(),
        String::new(),
        "\u{0}\u{feff}".to_owned(),
    ] {
        check(&src);
    }
    // Many patterns in one rule: a limit, not a blow-up.
    let alts: Vec<String> = (0..20).map(|i| format!("[K{i}]")).collect();
    check(&format!("rule r {{ never {}; }}", alts.join(" | ")));
}

#[test]
fn size_limits_are_errors() {
    use ldfi_enforce::SpecErrorKind;
    let alts: Vec<String> = (0..13).map(|i| format!("[K{i}]")).collect();
    let e = Spec::parse("f", &format!("rule r {{ never {}; }}", alts.join(" | "))).unwrap_err();
    assert_eq!(
        e.kind,
        SpecErrorKind::TooManyPatterns { found: 13, max: 12 }
    );
    // (a|b)* a (a|b)^13 needs 2^14 states: refused, quickly.
    let src = format!(
        "let a = A; let b = B; rule r {{ forbid (a | b)* a {}; }}",
        "_ ".repeat(13)
    );
    let e = Spec::parse("f", &src).unwrap_err();
    assert!(
        matches!(e.kind, SpecErrorKind::AutomatonTooLarge { .. }),
        "{e}"
    );
    // A long but tame expression compiles.
    let src = format!("let a = A; rule r {{ forbid a {}; }}", "_ ".repeat(500));
    assert!(Spec::parse("f", &src).is_ok());
}
