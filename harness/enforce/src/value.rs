//! Field values: what a message carries and what a spec compares against.

use std::cmp::Ordering;
use std::fmt;
use std::hash::Hasher;

/// A field value of a message, or a literal in a spec.
///
/// Integers are 128-bit so that every `u64` and `i64` field (hashes,
/// digests, sequence numbers) compares exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// A string. Node names are compared as strings too.
    Str(String),
    /// An integer.
    Int(i128),
    /// A boolean.
    Bool(bool),
    /// A list (a `Vec`, a tuple or a byte string in the message).
    List(Vec<Value>),
}

impl Value {
    /// Orders two values of the same type (`<`, `<=`, `>`, `>=` in a spec);
    /// `None` when the types differ, so such a comparison never matches.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::List(a), Value::List(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(i: $t) -> Self {
                Value::Int(i128::from(i))
            }
        }
    )*};
}
int_from!(i8, i16, i32, i64, u8, u16, u32, u64);

impl From<usize> for Value {
    fn from(i: usize) -> Self {
        // usize is at most 64 bits on every supported target.
        Value::Int(i as i128)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

/// A borrowed view of a value: a field of an event or a node name, without
/// copying it. Hashes and compares exactly like the owned [`Value`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum ValueRef<'a> {
    Str(&'a str),
    Int(i128),
    Bool(bool),
    List(&'a [Value]),
}

impl<'a> ValueRef<'a> {
    /// Borrows an owned value.
    pub(crate) fn of(v: &'a Value) -> Self {
        match v {
            Value::Str(s) => ValueRef::Str(s),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::List(l) => ValueRef::List(l),
        }
    }

    /// Copies the value out.
    pub(crate) fn to_value(self) -> Value {
        match self {
            ValueRef::Str(s) => Value::Str(s.to_owned()),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::List(l) => Value::List(l.to_vec()),
        }
    }

    /// Feeds the value to a hasher; equal values hash equally.
    pub(crate) fn hash_into<H: Hasher>(self, h: &mut H) {
        match self {
            ValueRef::Str(s) => {
                h.write_u8(1);
                h.write(s.as_bytes());
                h.write_u8(0xff);
            }
            ValueRef::Int(i) => {
                h.write_u8(2);
                h.write_u128(i as u128);
            }
            ValueRef::Bool(b) => {
                h.write_u8(3);
                h.write_u8(u8::from(b));
            }
            ValueRef::List(items) => {
                h.write_u8(4);
                h.write_usize(items.len());
                for item in items {
                    ValueRef::of(item).hash_into(h);
                }
            }
        }
    }
}

impl PartialEq for ValueRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ValueRef::Str(a), ValueRef::Str(b)) => a == b,
            (ValueRef::Int(a), ValueRef::Int(b)) => a == b,
            (ValueRef::Bool(a), ValueRef::Bool(b)) => a == b,
            (ValueRef::List(a), ValueRef::List(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_only_within_a_type() {
        assert_eq!(Value::Int(1).compare(&Value::Int(2)), Some(Ordering::Less));
        assert_eq!(Value::Int(1).compare(&Value::from("1")), None);
    }

    #[test]
    fn display_quotes_strings() {
        let v = Value::from(vec![Value::from("a"), Value::Int(3), Value::Bool(true)]);
        assert_eq!(v.to_string(), r#"["a", 3, true]"#);
    }

    #[test]
    fn ref_round_trips() {
        let v = Value::from(vec![1u32, 2]);
        assert_eq!(ValueRef::of(&v).to_value(), v);
        assert_eq!(ValueRef::of(&v), ValueRef::of(&v.clone()));
    }
}
