//! Flattening a serialized message tree into a kind and named fields.

use serde::Serialize;

use crate::error::SerError;
use crate::ser::{Node, NodeSer};
use crate::value::Value;

/// Turns a message value into its kind and fields.
///
/// - enum variant `Write { id: 3, payload: "x" }` → kind `Write`, fields
///   `id = 3`, `payload = "x"`; a tuple variant's fields are `0`, `1`, ...;
///   a newtype variant wrapping a struct takes that struct's fields; a unit
///   variant has no fields;
/// - struct `Ping { n: 1 }` → kind `Ping`; tuple struct fields are `0`, ...;
/// - nested structs and maps flatten with dots (`meta.client`); a nested
///   enum variant gives its name as the field's value and its fields under
///   the field's name (`state = "Failed"`, `state.node = "n3"`);
/// - `None` and `()` fields are left out; `Vec`s, tuples and byte strings
///   become [`Value::List`].
///
/// ```
/// use ldfi_enforce::{message_parts, Value};
/// #[derive(serde::Serialize)]
/// enum Msg { Write { id: u64, payload: String }, Ack(u64) }
/// let (kind, fields) = message_parts(&Msg::Ack(7)).unwrap();
/// assert_eq!(kind, "Ack");
/// assert_eq!(fields, vec![("0".to_string(), Value::Int(7))]);
/// ```
pub fn message_parts<T: Serialize + ?Sized>(
    msg: &T,
) -> Result<(String, Vec<(String, Value)>), SerError> {
    top_level(msg.serialize(NodeSer)?)
}

fn top_level(node: Node) -> Result<(String, Vec<(String, Value)>), SerError> {
    let mut fields = Vec::new();
    let kind = match node {
        Node::Variant(name, inner) => {
            content(*inner, &mut fields)?;
            name
        }
        Node::Record(Some(name), fs) => {
            record(String::new(), fs, &mut fields)?;
            name
        }
        Node::Newtype(name, inner) => match *inner {
            inner @ (Node::Variant(..) | Node::Record(Some(_), _) | Node::Newtype(..)) => {
                return top_level(inner);
            }
            inner => {
                field("0".to_owned(), inner, &mut fields)?;
                name
            }
        },
        Node::Absent => return Err(SerError::NotAMessage("a unit or `None`")),
        Node::Leaf(_) => return Err(SerError::NotAMessage("a plain value")),
        Node::Seq(_) => return Err(SerError::NotAMessage("a sequence or tuple")),
        Node::Record(None, _) => return Err(SerError::NotAMessage("a map")),
    };
    Ok((kind.to_owned(), fields))
}

/// The content of a top-level variant: its fields, or field `0`.
fn content(inner: Node, out: &mut Vec<(String, Value)>) -> Result<(), SerError> {
    match inner {
        Node::Absent => Ok(()),
        Node::Record(_, fs) => record(String::new(), fs, out),
        Node::Newtype(_, inner) => content(*inner, out),
        other => field("0".to_owned(), other, out),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn record(
    prefix: String,
    fs: Vec<(String, Node)>,
    out: &mut Vec<(String, Value)>,
) -> Result<(), SerError> {
    for (name, node) in fs {
        field(join(&prefix, &name), node, out)?;
    }
    Ok(())
}

/// Flattens one field named `path` into `out`.
fn field(path: String, node: Node, out: &mut Vec<(String, Value)>) -> Result<(), SerError> {
    match node {
        Node::Absent => Ok(()),
        Node::Leaf(v) => {
            out.push((path, v));
            Ok(())
        }
        Node::Seq(items) => {
            let list = list(&path, items)?;
            out.push((path, list));
            Ok(())
        }
        Node::Record(_, fs) => record(path, fs, out),
        Node::Newtype(_, inner) => field(path, *inner, out),
        Node::Variant(name, inner) => {
            out.push((path.clone(), Value::Str(name.to_owned())));
            match *inner {
                Node::Absent => Ok(()),
                Node::Record(_, fs) => record(path, fs, out),
                other => field(join(&path, "0"), other, out),
            }
        }
    }
}

/// A sequence as a list value; only plain values may be inside.
fn list(path: &str, items: Vec<Node>) -> Result<Value, SerError> {
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        values.push(match item {
            Node::Leaf(v) => v,
            Node::Seq(inner) => list(path, inner)?,
            Node::Newtype(_, inner) => list(path, vec![*inner])?
                .into_single()
                .ok_or_else(|| SerError::StructInList(path.to_owned()))?,
            Node::Variant(name, inner) if *inner == Node::Absent => Value::Str(name.to_owned()),
            _ => return Err(SerError::StructInList(path.to_owned())),
        });
    }
    Ok(Value::List(values))
}

impl Value {
    /// The only element of a one-element list.
    fn into_single(self) -> Option<Value> {
        match self {
            Value::List(mut v) if v.len() == 1 => v.pop(),
            _ => None,
        }
    }
}
