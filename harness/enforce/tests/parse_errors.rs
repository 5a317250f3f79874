//! Golden tests: the parser and resolver reject malformed specs with
//! file:line:col messages that show the line and say what was expected.

use ldfi_enforce::{Spec, SpecErrorKind};

fn error(src: &str) -> String {
    match Spec::parse("t.spec", src) {
        Ok(spec) => panic!("expected an error, got {spec:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn missing_closing_brace() {
    let expected = r#"t.spec:3:1: expected `}`, found end of input
    3 |
      | ^"#;
    assert_eq!(error("rule r {\n    never [_ -> kv Modify];\n"), expected);
}

#[test]
fn unknown_keyword() {
    let expected = r#"t.spec:1:1: unknown keyword `rulez`: expected `let`, `model` or `rule`
    1 | rulez r { never [Modify]; }
      | ^"#;
    assert_eq!(error("rulez r { never [Modify]; }"), expected);
}

#[test]
fn unterminated_string() {
    let expected = r#"t.spec:1:33: unterminated string: expected a closing `"` on the same line
    1 | let a = _ -> kv Insert{client = "c1};
      |                                 ^"#;
    assert_eq!(
        error("let a = _ -> kv Insert{client = \"c1};\nrule r { never a; }"),
        expected
    );
}

#[test]
fn missing_brace() {
    let expected = r#"t.spec:4:1: expected `recv`, `send` or `}`, found keyword `rule`
    4 | rule r { never [Modify]; }
      | ^"#;
    assert_eq!(
        error("model kv {\n    recv Insert;\n\nrule r { never [Modify]; }\n"),
        expected
    );
}

#[test]
fn bad_operator() {
    let expected = r#"t.spec:1:18: bad operator `=<`: did you mean `<=`?
    1 | let a = Insert{n =< 3};
      |                  ^"#;
    assert_eq!(error("let a = Insert{n =< 3};"), expected);
}

#[test]
fn unbound_model_var() {
    let expected = r#"t.spec:2:61: unbound variable `$d`: a model may send only variables bound by the `recv` it answers
    2 |   recv Insert{client = $c} => send response Insert{client = $d};
      |                                                             ^"#;
    assert_eq!(
        error("model kv {\n  recv Insert{client = $c} => send response Insert{client = $d};\n}"),
        expected
    );
}

#[test]
fn unbound_rule_var() {
    let expected = r#"t.spec:3:36: unbound variable `$k`: it is not a key variable of rule `r`
    3 |   never [Insert{client = $c, key = $k}];
      |                                    ^"#;
    assert_eq!(
        error("rule r {\n  key $c;\n  never [Insert{client = $c, key = $k}];\n}"),
        expected
    );
}

#[test]
fn duplicate_rule() {
    let expected = r#"t.spec:2:6: duplicate rule name `r`
    2 | rule r { never [B]; }
      |      ^"#;
    assert_eq!(
        error("rule r { never [A]; }\nrule r { never [B]; }"),
        expected
    );
}

#[test]
fn missing_key() {
    let expected = r#"t.spec:1:34: rule `r` uses variable `$c` but declares no key: expected `key $c;`
    1 | rule r { forbid [Insert{client = $c}] before [Auth{client = $c}]; }
      |                                  ^"#;
    assert_eq!(
        error("rule r { forbid [Insert{client = $c}] before [Auth{client = $c}]; }"),
        expected
    );
}

#[test]
fn key_not_bound() {
    let expected = r#"t.spec:4:39: pattern does not bind key variable `$c`: every pattern of a keyed rule must bind every key variable
    4 |   forbid [Insert{client = $c}] before reset;
      |                                       ^"#;
    assert_eq!(error("let reset = Reset;\nrule r {\n  key $c;\n  forbid [Insert{client = $c}] before reset;\n}"), expected);
}

#[test]
fn bad_number() {
    let expected = r#"t.spec:1:20: bad number `12ab`: expected a decimal integer that fits in 128 bits
    1 | let a = Insert{n = 12ab};
      |                    ^"#;
    assert_eq!(error("let a = Insert{n = 12ab};"), expected);
}

#[test]
fn number_overflow() {
    let expected = r#"t.spec:1:20: bad number `999999999999999999999999999999999999999999`: expected a decimal integer that fits in 128 bits
    1 | let a = Insert{n = 999999999999999999999999999999999999999999};
      |                    ^"#;
    assert_eq!(
        error("let a = Insert{n = 999999999999999999999999999999999999999999};"),
        expected
    );
}

#[test]
fn empty_pattern() {
    let expected = r#"t.spec:1:17: empty pattern: expected a message kind (a name, a string or `_`)
    1 | rule r { never []; }
      |                 ^"#;
    assert_eq!(error("rule r { never []; }"), expected);
}

#[test]
fn unexpected_eof() {
    let expected = r#"t.spec:1:21: expected a node name, `_` or a variable, found end of input
    1 | let a = frontend ->
      |                     ^"#;
    assert_eq!(error("let a = frontend -> "), expected);
}

#[test]
fn unknown_pattern() {
    let expected = r#"t.spec:1:16: unknown pattern name `missing`: expected a name declared with `let missing = ...;`
    1 | rule r { never missing; }
      |                ^"#;
    assert_eq!(error("rule r { never missing; }"), expected);
}

#[test]
fn variable_operator() {
    let expected = r#"t.spec:1:36: variable `$n` used with `>`: variables bind only with `==` or `contains`
    1 | rule r { key $n; never [Insert{n > $n}]; }
      |                                    ^"#;
    assert_eq!(
        error("rule r { key $n; never [Insert{n > $n}]; }"),
        expected
    );
}

#[test]
fn empty_match() {
    let expected = r#"t.spec:1:18: forbidden sequence matches the empty sequence: expected it to require at least one message
    1 | rule r { forbid [Insert]*; }
      |                  ^"#;
    assert_eq!(error("rule r { forbid [Insert]*; }"), expected);
}

#[test]
fn not_single_event() {
    let expected = r#"t.spec:1:18: `before` needs single-message alternatives (pattern names, `[...]` or `_`, joined by `|`), not a sequence or repetition
    1 | rule r { forbid [A] [B] before [C]; }
      |                  ^"#;
    assert_eq!(error("rule r { forbid [A] [B] before [C]; }"), expected);
}

#[test]
fn unexpected_char() {
    let expected = r#"t.spec:1:23: unexpected character `@`
    1 | let a = Insert{n = 3} @;
      |                       ^"#;
    assert_eq!(error("let a = Insert{n = 3} @;"), expected);
}

#[test]
fn too_deep() {
    let src = format!(
        "rule r {{ forbid {}[A]{}; }}",
        "(".repeat(100),
        ")".repeat(100)
    );
    let e = Spec::parse("t.spec", &src).unwrap_err();
    assert_eq!((e.line, e.col), (1, 81));
    assert_eq!(e.kind, SpecErrorKind::TooDeep(64));
}

#[test]
fn duplicate_key_var() {
    let expected = r#"t.spec:1:18: variable `$a` is declared twice in `key`
    1 | rule r { key $a, $a; never [A{x = $a}]; }
      |                  ^"#;
    assert_eq!(error("rule r { key $a, $a; never [A{x = $a}]; }"), expected);
}

#[test]
fn duplicate_let() {
    let expected = r#"t.spec:2:5: duplicate pattern name `a`
    2 | let a = B;
      |     ^"#;
    assert_eq!(error("let a = A;\nlet a = B;"), expected);
}

#[test]
fn missing_semicolon() {
    let expected = r#"t.spec:1:25: expected `;`, found `}`
    1 | rule r { never [Modify] }
      |                         ^"#;
    assert_eq!(error("rule r { never [Modify] }"), expected);
}

#[test]
fn bad_escape() {
    let expected = r#"t.spec:1:17: unknown escape `\q` in string: expected one of \\ \" \n \t \r
    1 | let a = A{s = "x\q"};
      |                 ^"#;
    assert_eq!(error("let a = A{s = \"x\\q\"};"), expected);
}

#[test]
fn missing_var_name() {
    let expected = r#"t.spec:1:14: expected a variable name after `$`
    1 | rule r { key $; never [A]; }
      |              ^"#;
    assert_eq!(error("rule r { key $; never [A]; }"), expected);
}

#[test]
fn bad_rule_keyword() {
    let expected = r#"t.spec:1:10: unknown keyword `forbidd`: expected `key`, `forbid` or `never`
    1 | rule r { forbidd [A]; }
      |          ^"#;
    assert_eq!(error("rule r { forbidd [A]; }"), expected);
}

#[test]
fn missing_comma() {
    let expected = r#"t.spec:1:17: expected `,` or `}`, found identifier `y`
    1 | let a = A{x = 1 y = 2};
      |                 ^"#;
    assert_eq!(error("let a = A{x = 1 y = 2};"), expected);
}

#[test]
fn in_without_list() {
    let expected = r#"t.spec:1:16: expected a list (`[...]`) after `in`, found number `3`
    1 | let a = A{x in 3};
      |                ^"#;
    assert_eq!(error("let a = A{x in 3};"), expected);
}

#[test]
fn duplicate_model() {
    let expected = r#"t.spec:2:7: duplicate model for service `kv`
    2 | model kv { recv B; }
      |       ^"#;
    assert_eq!(
        error("model kv { recv A; }\nmodel kv { recv B; }"),
        expected
    );
}

#[test]
fn free_send_var() {
    let expected = r#"t.spec:1:26: unbound variable `$i`: an unconditional `send` answers no `recv`, so it has no variables
    1 | model kv { send Ack{id = $i}; }
      |                          ^"#;
    assert_eq!(error("model kv { send Ack{id = $i}; }"), expected);
}

#[test]
fn no_patterns() {
    let expected = r#"t.spec:1:6: rule `r` has no message pattern
    1 | rule r { forbid _; }
      |      ^"#;
    assert_eq!(error("rule r { forbid _; }"), expected);
}
