//! Service models: allowed and forbidden receives and sends.

mod common;

use common::{lines, req, resp, run, s, spec};

const FRONTEND: &str = r#"
    model frontend {
        recv from $u request Post{client = $c} => {
            send to kv request Insert{client = $c};
            send to $u response Post{client = $c};
        }
        recv from kv response Insert;
        send to monitor request Heartbeat;
    }
"#;

fn post(from: &str, c: &str) -> ldfi_enforce::MsgEvent {
    req(
        from,
        "frontend",
        "Post",
        &[("client", s(c)), ("text", s("hi"))],
    )
}

fn insert(c: &str) -> ldfi_enforce::MsgEvent {
    req("frontend", "kv", "Insert", &[("client", s(c))])
}

#[test]
fn allowed_conversation_is_clean() {
    let events = [
        req("frontend", "monitor", "Heartbeat", &[]),
        post("u1", "c1"),
        insert("c1"),
        insert("c1"), // enabling is sticky
        resp("kv", "frontend", "Insert", &[("client", s("c1"))]),
        resp(
            "frontend",
            "u1",
            "Post",
            &[("client", s("c1")), ("ok", true.into())],
        ),
        req("u9", "other", "Anything", &[]), // unmodeled services are free
    ];
    assert!(run(&spec(FRONTEND), &events).is_empty());
}

#[test]
fn unexpected_receive() {
    let events = [
        req("u1", "frontend", "Delete", &[]),
        req("kv", "frontend", "Insert", &[]), // a request, but only the response is listed
    ];
    assert_eq!(
        lines(&run(&spec(FRONTEND), &events)),
        vec![
            "model `frontend`: unexpected receive at event 0 (witness: 0)",
            "model `frontend`: unexpected receive at event 1 (witness: 1)",
        ]
    );
}

#[test]
fn send_needs_an_earlier_matching_receive() {
    let events = [
        insert("c1"),                                            // 0 before any Post
        post("u1", "c1"),                                        // 1
        insert("c2"),                                            // 2 c2 never posted
        insert("c1"),                                            // 3 fine
        resp("frontend", "u2", "Post", &[("client", s("c1"))]),  // 4 wrong requester
        resp("frontend", "u1", "Post", &[("client", s("c1"))]),  // 5 fine
        req("frontend", "kv", "Modify", &[("client", s("c1"))]), // 6 not in the model
    ];
    let got: Vec<u64> = run(&spec(FRONTEND), &events)
        .iter()
        .map(|v| v.event)
        .collect();
    assert_eq!(got, vec![0, 2, 4, 6]);
}

#[test]
fn a_message_does_not_enable_itself() {
    let sp = spec("model n { recv Ping{id = $i} => send Ping{id = $i}; }");
    let ping = req("n", "n", "Ping", &[("id", 1u32.into())]);
    assert_eq!(
        lines(&run(&sp, &[ping.clone(), ping])),
        vec!["model `n`: unexpected send at event 0 (witness: 0)"]
    );
}

#[test]
fn models_and_rules_report_together() {
    let sp = spec(&format!(
        "{FRONTEND}\nmodel kv {{ recv Insert; }}\nrule I1 {{ never [_ -> kv Modify]; }}"
    ));
    let modify = req("frontend", "kv", "Modify", &[]);
    assert_eq!(
        lines(&run(&sp, &[modify])),
        vec![
            "rule `I1` at event 0 (witness: 0)",
            "model `frontend`: unexpected send at event 0 (witness: 0)",
            "model `kv`: unexpected receive at event 0 (witness: 0)",
        ]
    );
}

#[test]
fn enforce_does_not_let_a_dropped_receive_enable_sends() {
    let sp = spec(&format!(
        "{FRONTEND}\nrule no_spam {{ never [_ -> frontend Post{{text = \"spam\"}}]; }}"
    ));
    let mut c = ldfi_enforce::Checker::new(&sp);
    let spam = req(
        "u1",
        "frontend",
        "Post",
        &[("client", s("c1")), ("text", s("spam"))],
    );
    assert_eq!(c.enforce(&spam).len(), 1);
    assert_eq!(
        lines(c.enforce(&insert("c1"))),
        vec!["model `frontend`: unexpected send at event 1 (witness: 1)"]
    );
}
