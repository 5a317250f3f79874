//! The compound serializers of [`NodeSer`](crate::ser::NodeSer): sequences,
//! records (structs, tuple structs, variants) and maps.

use serde::ser::{self, Serialize};

use crate::error::SerError;
use crate::ser::{MapSer, Node, NodeSer, RecSer, SeqSer};
use crate::value::Value;

impl ser::SerializeSeq for SeqSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.0.push(v.serialize(NodeSer)?);
        Ok(())
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Seq(self.0))
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Seq(self.0))
    }
}

impl ser::SerializeTupleStruct for RecSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push_positional(v)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for RecSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push_positional(v)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for RecSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), SerError> {
        self.push(key.to_owned(), v)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for RecSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), SerError> {
        self.push(key.to_owned(), v)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Node;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        let name = match key.serialize(NodeSer)? {
            Node::Leaf(Value::Str(s)) => s,
            Node::Leaf(Value::Int(i)) => i.to_string(),
            Node::Leaf(Value::Bool(b)) => b.to_string(),
            _ => return Err(SerError::BadMapKey),
        };
        self.key = Some(name);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerError::Custom("map value without a key".to_owned()))?;
        self.fields.push((key, v.serialize(NodeSer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Record(None, self.fields))
    }
}
