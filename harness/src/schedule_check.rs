//! Strict checks of a schedule file beyond what its types say: serde reads
//! a JSON array into a struct (`"params":[4,2,0]`) and accepts any string
//! as an expected verdict, so the raw JSON is checked for shape first, and
//! the typed faults for rules that need no protocol (a node omitting to
//! itself, a partition with an empty or overlapping side). Every error
//! names the field by its path, e.g. `faults[2].partition.b`.

use crate::check::Verdict;
use crate::runner::Checks;
use ldfi_lineage::Fault;
use serde_json::Value;

/// A field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field, e.g. `faults[0].omit`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// JSON's name for what `v` is.
fn what(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn no_null(v: &Value, field: &str) -> Result<(), FieldError> {
    if v.is_null() {
        return Err(err(
            field,
            "is null; leave the field out to get its default",
        ));
    }
    Ok(())
}

fn object<'v>(v: &'v Value, field: &str) -> Result<&'v serde_json::Map<String, Value>, FieldError> {
    v.as_object()
        .ok_or_else(|| err(field, format!("must be an object, not {}", what(v))))
}

/// Shape checks on the raw JSON: every struct-like field is an object,
/// `faults` an array of one-key objects, `expect` holds known values.
pub fn check_shape(doc: &Value) -> Result<(), FieldError> {
    let top = object(doc, "(top level)")?;
    // An explicit null is not "the default": leave the field out for that.
    for (name, v) in top {
        no_null(v, name)?;
        if let (Some(o), "params" | "expect") = (v.as_object(), name.as_str()) {
            for (k, x) in o {
                no_null(x, &format!("{name}.{k}"))?;
            }
        }
    }
    if let Some(c) = top.get("crash_semantics") {
        if !matches!(c.as_str(), Some("stop" | "molly")) {
            return Err(err(
                "crash_semantics",
                format!("must be stop or molly; found {c}"),
            ));
        }
    }
    if let Some(p) = top.get("params") {
        object(p, "params")?;
    }
    if let Some(faults) = top.get("faults") {
        let list = faults
            .as_array()
            .ok_or_else(|| err("faults", format!("must be an array, not {}", what(faults))))?;
        for (i, f) in list.iter().enumerate() {
            let at = format!("faults[{i}]");
            let o = object(f, &at)?;
            if o.len() != 1 {
                return Err(err(
                    at,
                    format!(
                        "must have exactly one key (omit, crash, delay, duplicate, partition or restart), has {}",
                        o.len()
                    ),
                ));
            }
            let (kind, body) = o.iter().next().expect("one key");
            object(body, &format!("{at}.{kind}"))?;
        }
    }
    if let Some(e) = top.get("expect") {
        let e = object(e, "expect")?;
        if let Some(v) = e.get("verdict") {
            let words = [Verdict::Good.word(), Verdict::Vacuous.word(), "violated"];
            match v.as_str() {
                Some(s) if words.contains(&s) => {}
                _ => {
                    return Err(err(
                        "expect.verdict",
                        format!("must be one of good, vacuous, violated; found {v}"),
                    ))
                }
            }
        }
        if let Some(h) = e.get("trace_hash") {
            let ok = h
                .as_str()
                .is_some_and(|s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()));
            if !ok {
                return Err(err(
                    "expect.trace_hash",
                    format!("must be 16 hexadecimal digits; found {h}"),
                ));
            }
        }
        if let (Some(inv), Some(v)) = (e.get("invariant"), e.get("verdict")) {
            if v.as_str() != Some("violated") {
                return Err(err(
                    "expect.invariant",
                    format!("names a violated invariant, but expect.verdict is {v}; drop one"),
                ));
            }
            if inv.as_str().is_none_or(str::is_empty) {
                return Err(err("expect.invariant", "must be a non-empty string"));
            }
        }
    }
    if let Some(c) = top.get("checks") {
        match c.as_str() {
            Some(s) if Checks::parse(s).is_some() => {}
            _ => {
                return Err(err(
                    "checks",
                    format!("must be one of all, invariants, enforcement; found {c}"),
                ))
            }
        }
    }
    Ok(())
}

/// Rules on typed faults that hold whatever the protocol.
pub fn check_faults(faults: &[Fault]) -> Result<(), FieldError> {
    for (i, f) in faults.iter().enumerate() {
        check_fault(f).map_err(|(kind, field, message)| {
            let path = match field {
                Some(x) => format!("faults[{i}].{kind}.{x}"),
                None => format!("faults[{i}].{kind}"),
            };
            err(path, format!("{f}: {message}"))
        })?;
    }
    Ok(())
}

type Bad = (&'static str, Option<&'static str>, String);

/// One fault's protocol-independent rules.
pub fn check_fault(f: &Fault) -> Result<(), Bad> {
    let self_channel = |kind: &'static str, from: &str, to: &str| -> Result<(), Bad> {
        if from == to {
            return Err((
                kind,
                Some("to"),
                format!(
                    "`from` and `to` are both `{from}`: a node's messages to itself do not cross \
                     the network, so no network fault applies to them"
                ),
            ));
        }
        Ok(())
    };
    match f {
        Fault::Omit { from, to, .. } => self_channel("omit", from, to),
        Fault::Delay { from, to, .. } => self_channel("delay", from, to),
        Fault::Duplicate { from, to, .. } => self_channel("duplicate", from, to),
        Fault::Partition { a, b, from, until } => {
            for (side, nodes) in [("a", a), ("b", b)] {
                if nodes.is_empty() {
                    return Err((
                        "partition",
                        Some(if side == "a" { "a" } else { "b" }),
                        format!(
                            "side `{side}` is empty: a partition separates two groups of nodes"
                        ),
                    ));
                }
                let mut sorted: Vec<&String> = nodes.iter().collect();
                sorted.sort();
                if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                    return Err((
                        "partition",
                        Some(if side == "a" { "a" } else { "b" }),
                        format!("node `{}` is listed twice on side `{side}`", w[0]),
                    ));
                }
            }
            if let Some(n) = a.iter().find(|n| b.contains(n)) {
                return Err((
                    "partition",
                    Some("b"),
                    format!("node `{n}` is on both sides"),
                ));
            }
            if until <= from {
                return Err((
                    "partition",
                    Some("until"),
                    format!("`until` ({until}) must be after `from` ({from})"),
                ));
            }
            Ok(())
        }
        Fault::Crash { .. } | Fault::Restart { .. } => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_serde_would_accept_are_refused_with_their_path() {
        let cases = [
            (json!({"params": [4, 2, 0]}), "params"),
            (json!({"faults": {"omit": {}}}), "faults"),
            (json!({"faults": [[1]]}), "faults[0]"),
            (
                json!({"faults": [{"omit": ["a", "b", 1]}]}),
                "faults[0].omit",
            ),
            (json!({"faults": [{}]}), "faults[0]"),
            (json!({"expect": {"verdict": "bogus"}}), "expect.verdict"),
            (json!({"expect": ["good"]}), "expect"),
            (
                json!({"expect": {"verdict": "good", "trace_hash": "xyz"}}),
                "expect.trace_hash",
            ),
            (
                json!({"expect": {"verdict": "good", "invariant": "x"}}),
                "expect.invariant",
            ),
            (json!({"checks": "some"}), "checks"),
            (json!([1, 2]), "(top level)"),
        ];
        for (doc, field) in cases {
            let e = check_shape(&doc).unwrap_err();
            assert_eq!(e.field, field, "{doc}: {e:?}");
        }
        let ok = json!({"params": {"eot": 4}, "faults": [{"omit": {"from": "a", "to": "b", "at": 1}}],
                        "expect": {"verdict": "violated", "invariant": "x", "trace_hash": "0123456789abcdef"}});
        check_shape(&ok).unwrap();
    }

    #[test]
    fn faults_no_network_could_apply_are_refused() {
        let p = |a: &[&str], b: &[&str], from, until| Fault::Partition {
            a: a.iter().map(|s| s.to_string()).collect(),
            b: b.iter().map(|s| s.to_string()).collect(),
            from,
            until,
        };
        let omit = Fault::Omit {
            from: "a".into(),
            to: "a".into(),
            at: 1,
        };
        let bad = [
            (omit, "faults[0].omit.to"),
            (p(&[], &["b"], 1, 3), "faults[0].partition.a"),
            (p(&["a"], &[], 1, 3), "faults[0].partition.b"),
            (p(&["a", "b"], &["b"], 1, 3), "faults[0].partition.b"),
            (p(&["a", "a"], &["b"], 1, 3), "faults[0].partition.a"),
            (p(&["a"], &["b"], 3, 3), "faults[0].partition.until"),
        ];
        for (f, field) in bad {
            let e = check_faults(std::slice::from_ref(&f)).unwrap_err();
            assert_eq!(e.field, field, "{f}");
        }
        check_faults(&[p(&["a"], &["b", "c"], 1, 3)]).unwrap();
    }
}
