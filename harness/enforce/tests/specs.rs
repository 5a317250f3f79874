//! The shipped specs (`specs/*.spec`) on clean and violating streams.

mod common;

use common::{i, lines, req, resp, run, s, spec};
use ldfi_enforce::{MsgEvent, Value};

const WEB_FORUM: &str = include_str!("../../../protocols/specs/web-forum.spec");
const ES: &str = include_str!("../../../protocols/specs/es-replication.spec");

fn login(c: &str) -> Vec<MsgEvent> {
    let client = || ("client", s(c));
    vec![
        req(c, "frontend", "Login", &[client(), ("credential", s("pw"))]),
        req(
            "frontend",
            "auth",
            "Authenticate",
            &[client(), ("credential", s("pw"))],
        ),
        resp(
            "auth",
            "frontend",
            "Authenticate",
            &[client(), ("ok", true.into())],
        ),
        resp("frontend", c, "Login", &[client(), ("ok", true.into())]),
    ]
}

fn post(c: &str, key: &str) -> Vec<MsgEvent> {
    let client = || ("client", s(c));
    vec![
        req(
            c,
            "frontend",
            "Post",
            &[client(), ("topic", s("t")), ("text", s("x"))],
        ),
        req(
            "frontend",
            "kv",
            "Insert",
            &[client(), ("key", s(key)), ("value", s("x"))],
        ),
        resp("kv", "frontend", "Insert", &[client(), ("key", s(key))]),
        resp("frontend", c, "Post", &[client(), ("ok", true.into())]),
    ]
}

fn read(c: &str) -> Vec<MsgEvent> {
    vec![
        req(c, "frontend", "Read", &[("topic", s("t"))]),
        req("frontend", "kv", "Get", &[("key", s("t/1"))]),
        resp(
            "kv",
            "frontend",
            "Get",
            &[("key", s("t/1")), ("value", s("x"))],
        ),
        resp(
            "frontend",
            c,
            "Read",
            &[("topic", s("t")), ("posts", Value::from(vec!["x"]))],
        ),
    ]
}

#[test]
fn web_forum_spec_compiles() {
    let sp = spec(WEB_FORUM);
    assert_eq!(
        sp.rule_names(),
        vec!["I1_posts_immutable", "I2_only_authenticated_clients_post"]
    );
    assert_eq!(sp.modeled_services(), vec!["frontend", "auth", "kv"]);
}

#[test]
fn web_forum_clean_run() {
    let events = [
        login("c1"),
        post("c1", "t/1"),
        read("c2"),
        login("c2"),
        post("c2", "t/2"),
    ]
    .concat();
    assert_eq!(lines(&run(&spec(WEB_FORUM), &events)), Vec::<String>::new());
}

#[test]
fn web_forum_faulty_frontend() {
    // Retry path: c1's Insert goes out before auth has answered; later an
    // "edit post" calls kv.Modify.
    let mut events = login("c1");
    events.truncate(2); // Login, Authenticate request; the response is late
    events.push(req(
        "c1",
        "frontend",
        "Post",
        &[("client", s("c1")), ("topic", s("t")), ("text", s("x"))],
    ));
    events.push(req(
        "frontend",
        "kv",
        "Insert",
        &[("client", s("c1")), ("key", s("t/1"))],
    )); // 3
    events.push(resp(
        "auth",
        "frontend",
        "Authenticate",
        &[("client", s("c1")), ("ok", true.into())],
    ));
    events.push(req(
        "frontend",
        "kv",
        "Modify",
        &[("key", s("t/1")), ("value", s("y"))],
    )); // 5
    assert_eq!(
        lines(&run(&spec(WEB_FORUM), &events)),
        vec![
            r#"rule `I2_only_authenticated_clients_post` for $c = "c1" at event 3 (witness: 3)"#,
            "rule `I1_posts_immutable` at event 5 (witness: 5)",
            "model `frontend`: unexpected send at event 5 (witness: 5)",
            "model `kv`: unexpected receive at event 5 (witness: 5)",
        ]
    );
}

/// One fully replicated write from primary `p` to `copies`.
fn write(p: &str, copies: &[&str], id: i64, seq: i64, digest: &str) -> Vec<MsgEvent> {
    let mut evs = vec![req("C", p, "Write", &[("id", i(id)), ("payload", s("v"))])];
    for c in copies {
        let f = [("seq", i(seq)), ("id", i(id)), ("digest", s(digest))];
        evs.push(req(p, c, "Replicate", &f));
    }
    for c in copies {
        let f = [("seq", i(seq)), ("id", i(id)), ("digest", s(digest))];
        evs.push(req(c, p, "ReplicaAck", &f));
    }
    evs.push(req(
        p,
        "C",
        "Ack",
        &[("id", i(id)), ("replicas", Value::from(copies.to_vec()))],
    ));
    evs
}

#[test]
fn es_clean_run() {
    let mut events = write("n1", &["n2", "n3"], 1, 1, "d1");
    // n1 fails n3 (FailCopy / ClusterState), then acks with the smaller set.
    events.push(req("n1", "M", "FailCopy", &[("node", s("n3"))]));
    events.extend(write("n1", &["n2"], 2, 2, "d2"));
    assert_eq!(lines(&run(&spec(ES), &events)), Vec::<String>::new());
}

#[test]
fn es_early_ack_and_digest_mismatch() {
    let events = vec![
        req("C", "n1", "Write", &[("id", i(1))]),
        req(
            "n1",
            "n2",
            "Replicate",
            &[("seq", i(1)), ("id", i(1)), ("digest", s("d1"))],
        ),
        req(
            "n1",
            "n3",
            "Replicate",
            &[("seq", i(1)), ("id", i(1)), ("digest", s("d1"))],
        ),
        req(
            "n2",
            "n1",
            "ReplicaAck",
            &[("seq", i(1)), ("id", i(1)), ("digest", s("d1"))],
        ),
        // 4: acked before n3 answered
        req(
            "n1",
            "C",
            "Ack",
            &[("id", i(1)), ("replicas", Value::from(vec!["n2", "n3"]))],
        ),
        // 5: n3 kept an older operation at seq 1 (v3's bug) and says so
        req(
            "n3",
            "n1",
            "ReplicaAck",
            &[("seq", i(1)), ("id", i(1)), ("digest", s("d0"))],
        ),
    ];
    assert_eq!(
        lines(&run(&spec(ES), &events)),
        vec![
            r#"rule `ack_after_every_replica_ack` for $id = 1, $r = "n3", $p = "n1" at event 4 (witness: 4)"#,
            r#"rule `replica_ack_digest_matches_replicate` for $r = "n3", $p = "n1", $s = 1, $d = "d0" at event 5 (witness: 5)"#,
        ]
    );
}
