//! A decoded message as the checker's event: fields by name, nested
//! messages flattened with dots (`meta.trace`), repeated fields as lists,
//! enums by value name, bytes as lists of integers. A field with presence
//! (a message, a `oneof` member, `optional`) that is unset is absent; a
//! plain proto3 scalar is always there, with its default if unset, so
//! `ok = false` matches a response that leaves `ok` out.

use ldfi_enforce::{Dir, MsgEvent, Value};
use prost_reflect::{DynamicMessage, Kind, ReflectMessage, Value as PValue};

/// The event of `msg`, sent from `src` to `dst` in call `method`.
pub fn of(src: &str, dst: &str, dir: Dir, method: &str, msg: &DynamicMessage) -> MsgEvent {
    let mut ev = MsgEvent::new(src, dst, dir, method);
    flatten(msg, "", &mut ev.fields);
    ev
}

fn flatten(msg: &DynamicMessage, prefix: &str, out: &mut Vec<(String, Value)>) {
    for fd in msg.descriptor().fields() {
        if fd.supports_presence() && !msg.has_field(&fd) {
            continue;
        }
        let name = format!("{prefix}{}", fd.name());
        let v = msg.get_field(&fd);
        match (&*v, fd.kind()) {
            (PValue::Message(m), Kind::Message(_)) if !fd.is_list() && !fd.is_map() => {
                flatten(m, &format!("{name}."), out);
            }
            (other, kind) => out.push((name, value(other, &kind))),
        }
    }
}

fn value(v: &PValue, kind: &Kind) -> Value {
    match v {
        PValue::Bool(b) => Value::Bool(*b),
        PValue::I32(i) => Value::from(*i),
        PValue::I64(i) => Value::from(*i),
        PValue::U32(i) => Value::from(*i),
        PValue::U64(i) => Value::from(*i),
        // The checker has no floats: compared as their shortest rendering.
        PValue::F32(f) => Value::Str(f.to_string()),
        PValue::F64(f) => Value::Str(f.to_string()),
        PValue::String(s) => Value::Str(s.clone()),
        PValue::Bytes(b) => Value::List(b.iter().map(|x| Value::from(*x)).collect()),
        PValue::EnumNumber(n) => match kind {
            Kind::Enum(e) => match e.get_value(*n) {
                Some(ev) => Value::Str(ev.name().to_string()),
                None => Value::from(*n),
            },
            _ => Value::from(*n),
        },
        PValue::Message(m) => {
            let mut fields = Vec::new();
            flatten(m, "", &mut fields);
            Value::List(fields.into_iter().map(|(_, v)| v).collect())
        }
        PValue::List(items) => Value::List(items.iter().map(|i| value(i, kind)).collect()),
        PValue::Map(map) => {
            // A map has no order; sorted by key so equal maps are equal.
            let (kk, vk) = match kind {
                Kind::Message(m) => (
                    m.map_entry_key_field().kind(),
                    m.map_entry_value_field().kind(),
                ),
                other => (other.clone(), other.clone()),
            };
            let mut entries: Vec<Value> = map
                .iter()
                .map(|(k, v)| {
                    Value::List(vec![value(&PValue::from(k.clone()), &kk), value(v, &vk)])
                })
                .collect();
            entries.sort();
            Value::List(entries)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::proto::{InsertRequest, Kind as DemoKind, Meta};
    use prost::Message;

    #[test]
    fn fields_by_name_nested_with_dots_enums_by_name_defaults_present() {
        let pool = crate::demo::pool();
        let desc = pool
            .get_message_by_name("ldfi.demo.v1.InsertRequest")
            .expect("known");
        let bytes = InsertRequest {
            client: "c1".into(),
            key: "k".into(),
            value: String::new(),
            meta: Some(Meta {
                trace: "t9".into(),
                tags: vec!["a".into(), "b".into()],
            }),
            kind: DemoKind::Comment as i32,
        }
        .encode_to_vec();
        let msg = DynamicMessage::decode(desc, bytes.as_slice()).expect("decodes");
        let ev = of("frontend", "kv", Dir::Request, "Insert", &msg);
        assert_eq!(
            ev.to_string(),
            r#"frontend -> kv request Insert{client = "c1", key = "k", value = "", meta.trace = "t9", meta.tags = ["a", "b"], kind = "KIND_COMMENT"}"#
        );
        let empty = DynamicMessage::decode(msg.descriptor(), &[][..]).expect("decodes");
        let ev = of("a", "b", Dir::Response, "Insert", &empty);
        assert!(
            ev.field("meta.trace").is_none(),
            "an unset message has no fields"
        );
        assert_eq!(ev.field("client"), Some(&Value::from("")));
    }
}
