//! A small `serde::Serializer` that turns any `T: Serialize` message into a
//! tree ([`Node`]), which [`flatten`](crate::ser_flatten) turns into a kind
//! and named fields.

use serde::ser::{self, Serialize};

use crate::error::SerError;
use crate::value::Value;

pub use crate::ser_flatten::message_parts;

/// The shape of a serialized value before flattening.
#[derive(Debug, PartialEq)]
pub(crate) enum Node {
    /// `None`, `()` or a unit struct: no field.
    Absent,
    /// A scalar.
    Leaf(Value),
    /// A sequence, tuple or byte string.
    Seq(Vec<Node>),
    /// A struct (`Some(name)`), tuple struct or map (`None`), with fields.
    Record(Option<&'static str>, Vec<(String, Node)>),
    /// A newtype struct: transparent inside a message, named at top level.
    Newtype(&'static str, Box<Node>),
    /// An enum variant and its content (`Absent` for a unit variant).
    Variant(&'static str, Box<Node>),
}

/// Serializes one value into a [`Node`].
pub(crate) struct NodeSer;

/// Collects the elements of a sequence or tuple.
pub(crate) struct SeqSer(pub(crate) Vec<Node>);

/// Collects the fields of a struct, tuple struct or enum variant.
pub(crate) struct RecSer {
    name: Option<&'static str>,
    variant: Option<&'static str>,
    fields: Vec<(String, Node)>,
}

/// Collects the entries of a map; keys become field names.
pub(crate) struct MapSer {
    pub(crate) fields: Vec<(String, Node)>,
    pub(crate) key: Option<String>,
}

fn leaf(v: Value) -> Result<Node, SerError> {
    Ok(Node::Leaf(v))
}

impl RecSer {
    fn new(name: Option<&'static str>, variant: Option<&'static str>, len: usize) -> Self {
        RecSer {
            name,
            variant,
            fields: Vec::with_capacity(len),
        }
    }

    pub(crate) fn push<T: Serialize + ?Sized>(
        &mut self,
        name: String,
        v: &T,
    ) -> Result<(), SerError> {
        self.fields.push((name, v.serialize(NodeSer)?));
        Ok(())
    }

    pub(crate) fn push_positional<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        let name = self.fields.len().to_string();
        self.push(name, v)
    }

    pub(crate) fn finish(self) -> Node {
        let record = Node::Record(self.name, self.fields);
        match self.variant {
            Some(v) => Node::Variant(v, Box::new(record)),
            None => record,
        }
    }
}

impl ser::Serializer for NodeSer {
    type Ok = Node;
    type Error = SerError;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = RecSer;
    type SerializeTupleVariant = RecSer;
    type SerializeMap = MapSer;
    type SerializeStruct = RecSer;
    type SerializeStructVariant = RecSer;

    fn serialize_bool(self, v: bool) -> Result<Node, SerError> {
        leaf(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Node, SerError> {
        leaf(Value::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, SerError> {
        leaf(Value::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Node, SerError> {
        i128::try_from(v)
            .map(|i| Node::Leaf(Value::Int(i)))
            .map_err(|_| SerError::IntTooLarge(v))
    }
    fn serialize_f32(self, _v: f32) -> Result<Node, SerError> {
        Err(SerError::Unsupported(
            "f32 (floats cannot be compared exactly)",
        ))
    }
    fn serialize_f64(self, _v: f64) -> Result<Node, SerError> {
        Err(SerError::Unsupported(
            "f64 (floats cannot be compared exactly)",
        ))
    }
    fn serialize_char(self, v: char) -> Result<Node, SerError> {
        leaf(Value::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Node, SerError> {
        leaf(Value::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, SerError> {
        Ok(Node::Seq(
            v.iter().map(|b| Node::Leaf(Value::from(*b))).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Node, SerError> {
        Ok(Node::Absent)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Node, SerError> {
        v.serialize(NodeSer)
    }
    fn serialize_unit(self) -> Result<Node, SerError> {
        Ok(Node::Absent)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Node, SerError> {
        Ok(Node::Record(Some(name), Vec::new()))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node, SerError> {
        Ok(Node::Variant(variant, Box::new(Node::Absent)))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Node, SerError> {
        Ok(Node::Newtype(name, Box::new(v.serialize(NodeSer)?)))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Node, SerError> {
        Ok(Node::Variant(variant, Box::new(v.serialize(NodeSer)?)))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, SerError> {
        Ok(SeqSer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, SerError> {
        Ok(SeqSer(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<RecSer, SerError> {
        Ok(RecSer::new(Some(name), None, len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<RecSer, SerError> {
        Ok(RecSer::new(None, Some(variant), len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer, SerError> {
        Ok(MapSer {
            fields: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<RecSer, SerError> {
        Ok(RecSer::new(Some(name), None, len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<RecSer, SerError> {
        Ok(RecSer::new(None, Some(variant), len))
    }
}
