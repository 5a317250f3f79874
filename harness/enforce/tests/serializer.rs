//! The serde serializer: message values to kind and fields.

use std::collections::BTreeMap;

use ldfi_enforce::{message_parts, Checker, Dir, MsgEvent, SerError, Spec, Value};
use serde::Serialize;

#[derive(Serialize)]
struct Meta {
    client: String,
    trace: Option<u64>,
}

#[derive(Serialize)]
enum Status {
    Ok,
    Failed { node: String },
}

#[derive(Serialize)]
struct Replicate {
    seq: u64,
    digest: u64,
}

#[derive(Serialize)]
enum Msg {
    Write {
        id: u64,
        payload: String,
    },
    Pair(u32, String),
    Tick,
    Wrapped(Replicate),
    Ack {
        id: u64,
        replicas: Vec<&'static str>,
        meta: Meta,
        status: Status,
    },
    Ids(BTreeMap<String, i32>),
}

fn parts<T: Serialize>(m: &T) -> (String, Vec<(String, Value)>) {
    message_parts(m).unwrap()
}

fn f(name: &str, v: impl Into<Value>) -> (String, Value) {
    (name.to_owned(), v.into())
}

#[test]
fn struct_variant() {
    let (kind, fields) = parts(&Msg::Write {
        id: 3,
        payload: "x".into(),
    });
    assert_eq!(kind, "Write");
    assert_eq!(fields, vec![f("id", 3u64), f("payload", "x")]);
}

#[test]
fn tuple_unit_and_newtype_variants() {
    assert_eq!(
        parts(&Msg::Pair(1, "a".into())),
        ("Pair".into(), vec![f("0", 1u32), f("1", "a")])
    );
    assert_eq!(parts(&Msg::Tick), ("Tick".into(), vec![]));
    let wrapped = Msg::Wrapped(Replicate {
        seq: 2,
        digest: u64::MAX,
    });
    assert_eq!(
        parts(&wrapped),
        (
            "Wrapped".into(),
            vec![f("seq", 2u64), f("digest", u64::MAX)]
        )
    );
}

#[test]
fn plain_struct_uses_its_name() {
    assert_eq!(
        parts(&Replicate { seq: 1, digest: 9 }),
        ("Replicate".into(), vec![f("seq", 1u64), f("digest", 9u64)])
    );
}

#[test]
fn nested_values_flatten_with_dots() {
    let ack = Msg::Ack {
        id: 1,
        replicas: vec!["n2", "n3"],
        meta: Meta {
            client: "c1".into(),
            trace: None,
        },
        status: Status::Failed { node: "n3".into() },
    };
    let (kind, fields) = parts(&ack);
    assert_eq!(kind, "Ack");
    assert_eq!(
        fields,
        vec![
            f("id", 1u64),
            f("replicas", vec!["n2", "n3"]),
            f("meta.client", "c1"),
            f("status", "Failed"),
            f("status.node", "n3"),
        ]
    );
    let ok = Msg::Ack {
        id: 1,
        replicas: vec![],
        meta: Meta {
            client: "c".into(),
            trace: Some(5),
        },
        status: Status::Ok,
    };
    let (_, fields) = parts(&ok);
    assert!(fields.contains(&f("meta.trace", 5u64)));
    assert!(fields.contains(&f("status", "Ok")));
    let mut ids = BTreeMap::new();
    ids.insert("a".to_owned(), 1);
    assert_eq!(parts(&Msg::Ids(ids)), ("Ids".into(), vec![f("a", 1)]));
}

#[test]
fn unsupported_values_are_errors_not_panics() {
    #[derive(Serialize)]
    struct Float {
        x: f64,
    }
    #[derive(Serialize)]
    struct Huge {
        x: u128,
    }
    #[derive(Serialize)]
    struct Nested {
        items: Vec<Replicate>,
    }
    assert!(matches!(
        message_parts(&Float { x: 1.0 }),
        Err(SerError::Unsupported(_))
    ));
    assert_eq!(
        message_parts(&Huge { x: u128::MAX }),
        Err(SerError::IntTooLarge(u128::MAX))
    );
    let nested = Nested {
        items: vec![Replicate { seq: 1, digest: 1 }],
    };
    assert_eq!(
        message_parts(&nested),
        Err(SerError::StructInList("items".into()))
    );
    assert!(matches!(
        message_parts(&5u32),
        Err(SerError::NotAMessage(_))
    ));
    assert!(matches!(
        message_parts(&vec![1]),
        Err(SerError::NotAMessage(_))
    ));
}

#[test]
fn serialized_messages_feed_the_checker() {
    #[derive(Serialize)]
    enum Forum {
        AuthenticateResponse { client: String, ok: bool },
        Insert { client: String, key: String },
    }
    let spec = Spec::parse(
        "f.spec",
        r#"rule I2 { key $c;
            forbid [frontend -> kv request Insert{client = $c}]
            before [auth -> frontend response Authenticate{client = $c, ok = true}]; }"#,
    )
    .unwrap();
    let mut c = Checker::new(&spec);
    let ok = Forum::AuthenticateResponse {
        client: "c1".into(),
        ok: true,
    };
    let ev = MsgEvent::from_rpc_message("auth", "frontend", &ok).unwrap();
    assert_eq!((ev.kind.as_str(), ev.dir), ("Authenticate", Dir::Response));
    c.observe(&ev);
    for client in ["c1", "c2"] {
        let ins = Forum::Insert {
            client: client.into(),
            key: "k".into(),
        };
        let ev = MsgEvent::from_message("frontend", "kv", Dir::Request, &ins).unwrap();
        c.observe(&ev);
    }
    assert_eq!(c.violations().len(), 1);
    assert_eq!(
        c.violations()[0].key,
        vec![("c".to_owned(), Value::from("c2"))]
    );
}
