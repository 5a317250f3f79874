//! Golden tests of the checker on hand-written streams: exactly the
//! violating events are flagged, with the rule, key and witness.

mod common;

use common::{i, lines, req, resp, run, s, spec};
use ldfi_enforce::{Checker, Value};

const I2: &str = r#"
    let auth_ok = auth -> frontend response Authenticate{client = $c, ok = true};
    let insert  = frontend -> kv request Insert{client = $c};
    rule I2 { key $c; forbid insert before auth_ok; }
"#;

fn auth(c: &str, ok: bool) -> ldfi_enforce::MsgEvent {
    resp(
        "auth",
        "frontend",
        "Authenticate",
        &[("client", s(c)), ("ok", Value::Bool(ok))],
    )
}

fn insert(c: &str) -> ldfi_enforce::MsgEvent {
    req(
        "frontend",
        "kv",
        "Insert",
        &[("client", s(c)), ("key", s("k"))],
    )
}

#[test]
fn insert_before_auth_is_flagged_per_client() {
    let events = [
        auth("c1", true),                                         // 0
        insert("c1"),                                             // 1 ok: c1 authenticated
        insert("c2"),                                             // 2 violation
        auth("c2", false),                                        // 3 not ok: irrelevant
        insert("c2"),                                             // 4 violation again
        auth("c2", true),                                         // 5
        insert("c2"),                                             // 6 ok
        resp("kv", "frontend", "Insert", &[("client", s("c3"))]), // 7 a response
        req("frontend", "kv", "Get", &[("client", s("c3"))]),     // 8 another kind
    ];
    assert_eq!(
        lines(&run(&spec(I2), &events)),
        vec![
            r#"rule `I2` for $c = "c2" at event 2 (witness: 2)"#,
            r#"rule `I2` for $c = "c2" at event 4 (witness: 2 4)"#,
        ]
    );
}

#[test]
fn keyed_state_does_not_leak_between_keys() {
    let sp = spec(I2);
    let mut checker = Checker::new(&sp);
    let mut flagged = Vec::new();
    // Clients 0..10 interleaved; only odd clients authenticate, first.
    for c in (0..10).filter(|c| c % 2 == 1) {
        checker.observe(&auth(&format!("c{c}"), true));
    }
    for round in 0..2 {
        for c in 0..10 {
            let v = checker.observe(&insert(&format!("c{c}")));
            flagged.extend(v.iter().map(|v| (round, v.key[0].1.clone())));
        }
    }
    let expected: Vec<(i32, Value)> = (0..2)
        .flat_map(|r| {
            (0..10)
                .filter(|c| c % 2 == 0)
                .map(move |c| (r, s(&format!("c{c}"))))
        })
        .collect();
    assert_eq!(flagged, expected);
    // 5 authenticated (dead state) + 5 flagged keys hold state; nothing else.
    assert_eq!(checker.live_keys(), 10);
    assert_eq!(checker.events_seen(), 25);
}

#[test]
fn never_rule_flags_every_match_and_nothing_else() {
    let sp = spec("rule I1 { never [_ -> kv Modify] | [_ -> kv Delete]; }");
    let events = [
        req("frontend", "kv", "Insert", &[]),
        req("frontend", "kv", "Modify", &[("key", s("k1"))]),
        req("frontend", "auth", "Modify", &[]),
        req("frontend", "kv", "Delete", &[]),
        req("frontend", "kv", "Modify", &[]),
    ];
    assert_eq!(
        lines(&run(&sp, &events)),
        vec![
            "rule `I1` at event 1 (witness: 1)",
            "rule `I1` at event 3 (witness: 1 3)",
            "rule `I1` at event 4 (witness: 1 4)",
        ]
    );
}

#[test]
fn sequence_negation_and_repetition() {
    let sp = spec(
        r#"
        let login  = _ -> frontend request Login{client = $c};
        let logout = _ -> frontend request Logout{client = $c};
        rule single_session { key $c; forbid _* login (~logout)* login; }
    "#,
    );
    let login = |c: &str| req("u", "frontend", "Login", &[("client", s(c))]);
    let logout = |c: &str| req("u", "frontend", "Logout", &[("client", s(c))]);
    let events = [
        login("a"),  // 0
        login("b"),  // 1
        logout("a"), // 2
        login("a"),  // 3 fine: logged out in between
        login("b"),  // 4 violation for b
        login("a"),  // 5 violation for a
        login("a"),  // 6 and again
    ];
    let vs = run(&sp, &events);
    let got: Vec<(u64, Value)> = vs.iter().map(|v| (v.event, v.key[0].1.clone())).collect();
    assert_eq!(got, vec![(4, s("b")), (5, s("a")), (6, s("a"))]);
}

#[test]
fn anchored_sequence_goes_dead_after_leaving_the_language() {
    // Violation: a Close that does not follow its own Open, from the start.
    let sp = spec(
        r#"
        let open  = Open{id = $i};
        let close = Close{id = $i};
        rule close_needs_open { key $i; forbid (open close)* close; }
    "#,
    );
    let ev = |k: &str, id: i64| req("x", "y", k, &[("id", i(id))]);
    let events = [
        ev("Open", 1),  // 0
        ev("Close", 1), // 1
        ev("Close", 1), // 2 violation
        ev("Open", 1),  // 3 history "o c c o" can never be in the language again
        ev("Close", 1), // 4
        ev("Close", 1), // 5 not reported: dead
        ev("Close", 2), // 6 violation for id 2
    ];
    assert_eq!(
        lines(&run(&sp, &events)),
        vec![
            "rule `close_needs_open` for $i = 1 at event 2 (witness: 0 1 2)",
            "rule `close_needs_open` for $i = 2 at event 6 (witness: 6)",
        ]
    );
    // Each witness event moved the key's automaton: one state after each,
    // a new one every time.
    let mut checker = Checker::new(&sp);
    for e in &events {
        checker.observe(e);
    }
    for v in checker.violations() {
        assert_eq!(v.states.len(), v.witness.len(), "{v}");
        let from_start = std::iter::once(0).chain(v.states.iter().copied());
        let steps: Vec<u32> = from_start.collect();
        assert!(steps.windows(2).all(|w| w[0] != w[1]), "{v}: {steps:?}");
    }
    assert_eq!(checker.violations()[0].states.len(), 3);
}

#[test]
fn contains_fans_out_to_each_list_element() {
    let sp = spec(
        r#"
        let ack         = $p -> _ Ack{id = $id, replicas contains $r};
        let replica_ack = $r -> $p ReplicaAck{id = $id};
        rule acked { key $id, $r, $p; forbid ack before replica_ack; }
    "#,
    );
    let events = [
        req("n2", "n1", "ReplicaAck", &[("id", i(7))]),
        req("n3", "n2", "ReplicaAck", &[("id", i(7))]), // to the wrong primary
        req(
            "n1",
            "C",
            "Ack",
            &[("id", i(7)), ("replicas", Value::from(vec!["n2", "n3"]))],
        ),
    ];
    assert_eq!(
        lines(&run(&sp, &events)),
        vec![r#"rule `acked` for $id = 7, $r = "n3", $p = "n1" at event 2 (witness: 2)"#]
    );
}

#[test]
fn field_operators() {
    let sp = spec(
        r#"
        rule big   { never [Write{size > 100}]; }
        rule small { never [Write{size <= -1}]; }
        rule tag   { never [Write{tag in ["x", "y"], tag != "y"}]; }
        rule hot   { never [Write{tags contains "hot"}]; }
        rule sub   { never [Write{text contains "bad"}]; }
    "#,
    );
    let w = |fields: &[(&str, Value)]| req("c", "s", "Write", fields);
    let events = [
        w(&[("size", i(100))]),                           // 0 none
        w(&[("size", i(101))]),                           // 1 big
        w(&[("size", s("1000"))]),                        // 2 none: not an int
        w(&[("size", i(-1)), ("tag", s("x"))]),           // 3 small, tag
        w(&[("tag", s("y"))]),                            // 4 none
        w(&[("tags", Value::from(vec!["cold", "hot"]))]), // 5 hot
        w(&[("text", s("a bad day"))]),                   // 6 sub
    ];
    let got: Vec<(String, u64)> = run(&sp, &events)
        .iter()
        .map(|v| (v.source.name().to_owned(), v.event))
        .collect();
    let want = [("big", 1), ("small", 3), ("tag", 3), ("hot", 5), ("sub", 6)];
    let want: Vec<(String, u64)> = want.iter().map(|(n, e)| (n.to_string(), *e)).collect();
    assert_eq!(got, want);
}

#[test]
fn direction_endpoints_and_repeated_variables() {
    let sp = spec(
        r#"
        rule self_send { key $n; never [$n -> $n _]; }
        rule from_kv   { never ["kv" -> _ response Get]; }
    "#,
    );
    let events = [
        req("a", "b", "Ping", &[]),
        req("a", "a", "Ping", &[]),
        req("kv", "f", "Get", &[]),
        resp("kv", "f", "Get", &[]),
    ];
    assert_eq!(
        lines(&run(&sp, &events)),
        vec![
            r#"rule `self_send` for $n = "a" at event 1 (witness: 1)"#,
            "rule `from_kv` at event 3 (witness: 3)",
        ]
    );
}

#[test]
fn observe_returns_only_new_violations_and_skips_unknown_kinds() {
    let sp = spec(I2);
    let mut c = Checker::new(&sp);
    assert!(c.observe(&req("x", "y", "Unrelated", &[])).is_empty());
    assert_eq!(c.observe(&insert("c9")).len(), 1);
    assert!(c.observe(&auth("c9", true)).is_empty());
    assert_eq!(c.violations().len(), 1);
    assert_eq!(c.live_keys(), 1);
    assert_eq!(c.take_violations().len(), 1);
    assert!(c.violations().is_empty());
}

#[test]
fn witness_keeps_the_last_state_changes() {
    let sp = spec(
        r#"
        let a = A{k = $k};
        let b = B{k = $k};
        rule ping_pong { key $k; forbid (a b)* a a; }
    "#,
    );
    let mut events = Vec::new();
    for _ in 0..6 {
        events.push(req("x", "y", "A", &[("k", i(1))]));
        events.push(req("x", "y", "B", &[("k", i(1))]));
    }
    events.push(req("x", "y", "A", &[("k", i(1))]));
    events.push(req("x", "y", "A", &[("k", i(1))]));
    let vs = run(&sp, &events);
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].event, 13);
    assert_eq!(vs[0].witness, (6..14).collect::<Vec<u64>>());
    assert_eq!(vs[0].witness.len(), ldfi_enforce::WITNESS_MAX);
}

#[test]
fn enforce_leaves_no_trace_of_a_dropped_message() {
    // Sequence rule: the second Login of a session is forbidden. A dropped
    // Login must not count as the first one.
    let sp = spec(
        r#"
        let login  = _ -> frontend request Login{client = $c};
        let bad    = _ -> frontend request Login{client = $c, credential = "forged"};
        rule one_login { key $c; forbid _* login login; }
        rule no_forgery { key $c; never bad; }
    "#,
    );
    let login = |cred: &str| {
        req(
            "u",
            "frontend",
            "Login",
            &[("client", s("c1")), ("credential", s(cred))],
        )
    };
    let mut c = Checker::new(&sp);
    assert_eq!(c.enforce(&login("forged")).len(), 1); // dropped
    assert_eq!(c.live_keys(), 0);
    assert!(c.enforce(&login("pw")).is_empty()); // the first real login
    let v = c.enforce(&login("pw"));
    assert_eq!(
        lines(v),
        vec![r#"rule `one_login` for $c = "c1" at event 2 (witness: 1 2)"#]
    );
    // observe, by contrast, records the violating message.
    let mut o = Checker::new(&sp);
    o.observe(&login("forged"));
    assert_eq!(o.observe(&login("pw")).len(), 1);
}

#[test]
fn spec_and_checker_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<ldfi_enforce::Spec>();
    send::<Checker>();
    let sp = spec(I2);
    assert_eq!(sp.rule_key("I2"), Some(vec!["c"]));
    assert_eq!(sp.rule_key("nope"), None);
    assert!(sp.automaton_states() >= 3);
}
