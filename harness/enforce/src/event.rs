//! The message event a [`Checker`](crate::Checker) consumes.

use std::fmt;

use serde::Serialize;

use crate::error::SerError;
use crate::ser::message_parts;
use crate::value::Value;

/// Whether a message is a request or a response.
///
/// One-way protocol messages (`Write`, `Replicate`, ...) are requests. A
/// pattern without a direction matches both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dir {
    /// A request, or a one-way message.
    Request,
    /// The response to a request of the same kind (RPC method).
    Response,
}

impl fmt::Display for Dir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dir::Request => "request",
            Dir::Response => "response",
        })
    }
}

/// One message on the wire, as the checker sees it.
///
/// Feed each message once, in the order the harness observes it (see the
/// "Event stream" section of the spec language docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgEvent {
    /// The sending node (service).
    pub src: String,
    /// The receiving node (service).
    pub dst: String,
    /// The message kind: an enum variant name or an RPC method name.
    pub kind: String,
    /// Request or response.
    pub dir: Dir,
    /// Named fields, in the message's order. Nested fields are named with
    /// dots (`meta.client`); tuple fields are named `0`, `1`, ...
    pub fields: Vec<(String, Value)>,
}

impl MsgEvent {
    /// An event without fields.
    pub fn new(
        src: impl Into<String>,
        dst: impl Into<String>,
        dir: Dir,
        kind: impl Into<String>,
    ) -> Self {
        MsgEvent {
            src: src.into(),
            dst: dst.into(),
            kind: kind.into(),
            dir,
            fields: Vec::new(),
        }
    }

    /// Adds a field (builder style).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// The first field with this name.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// An event from any serializable message value: an enum variant gives
    /// the kind and its fields (see [`message_parts`]).
    pub fn from_message<T: Serialize + ?Sized>(
        src: impl Into<String>,
        dst: impl Into<String>,
        dir: Dir,
        msg: &T,
    ) -> Result<Self, SerError> {
        let (kind, fields) = message_parts(msg)?;
        Ok(MsgEvent {
            src: src.into(),
            dst: dst.into(),
            kind,
            dir,
            fields,
        })
    }

    /// Like [`MsgEvent::from_message`], taking the direction from the kind's
    /// gRPC-style suffix (see [`split_rpc_kind`]): a variant
    /// `AuthenticateResponse` becomes kind `Authenticate`, direction response.
    pub fn from_rpc_message<T: Serialize + ?Sized>(
        src: impl Into<String>,
        dst: impl Into<String>,
        msg: &T,
    ) -> Result<Self, SerError> {
        let (kind, fields) = message_parts(msg)?;
        let (method, dir) = split_rpc_kind(&kind);
        Ok(MsgEvent {
            src: src.into(),
            dst: dst.into(),
            kind: method.to_owned(),
            dir,
            fields,
        })
    }
}

/// Splits a gRPC-style message name into method and direction:
/// `AuthenticateRequest` → (`Authenticate`, request), `AuthenticateResponse`
/// → (`Authenticate`, response), anything else (`Write`) → (itself, request).
pub fn split_rpc_kind(kind: &str) -> (&str, Dir) {
    for (suffix, dir) in [("Request", Dir::Request), ("Response", Dir::Response)] {
        if let Some(method) = kind.strip_suffix(suffix) {
            if !method.is_empty() {
                return (method, dir);
            }
        }
    }
    (kind, Dir::Request)
}

impl fmt::Display for MsgEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {} {} {}", self.src, self.dst, self.dir, self.kind)?;
        f.write_str("{")?;
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} = {value}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_suffixes() {
        assert_eq!(split_rpc_kind("LoginRequest"), ("Login", Dir::Request));
        assert_eq!(split_rpc_kind("LoginResponse"), ("Login", Dir::Response));
        assert_eq!(split_rpc_kind("Response"), ("Response", Dir::Request));
        assert_eq!(split_rpc_kind("Ack"), ("Ack", Dir::Request));
    }

    #[test]
    fn display_and_lookup() {
        let ev = MsgEvent::new("a", "b", Dir::Response, "Get")
            .with("key", "k")
            .with("n", 3u32);
        assert_eq!(ev.to_string(), r#"a -> b response Get{key = "k", n = 3}"#);
        assert_eq!(ev.field("n"), Some(&Value::Int(3)));
        assert_eq!(ev.field("zz"), None);
    }
}
