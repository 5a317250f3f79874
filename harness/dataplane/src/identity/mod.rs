//! Faults by channel identity: what a free-running dataplane can address
//! without ticks. A message fault names **the k-th envelope on channel
//! a→b** (counted from 0 by b's sidecar, in the order envelopes reach it:
//! the `channel_seq` it delivers and captures); a crash or restart names a
//! node and a wall-clock time (milliseconds since the first tick).
//!
//! A fault file in this form (`"identity": 1`) is read by [`parse`]; a
//! simulated schedule translates into it from its own simulated run
//! ([`translate::from_trace`]). A sidecar applies the message faults
//! ([`ChannelFaults`]); the conductor kills a node at the first tick that
//! starts at or after its crash time ([`tick_at`]).

pub mod translate;

use ldfi_lineage::{NodeIdx, Tick};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The fault file format's version (its `identity` field).
pub const FORMAT: u32 = 1;

/// What happens to one envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Effect {
    /// Lost (counted `dropped_by_fault` at the receiver's sidecar).
    Omit,
    /// Delivered `ticks` ticks late.
    Delay {
        /// Extra ticks.
        ticks: Tick,
    },
    /// Delivered twice (the copy a tick after the original).
    Duplicate,
}

/// A fault on the k-th envelope on channel `from`→`to`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChannelFault {
    /// Sender.
    pub from: String,
    /// Receiver.
    pub to: String,
    /// Which envelope on the channel, counted from 0.
    pub k: u64,
    /// What happens to it.
    #[serde(flatten)]
    pub effect: Effect,
}

impl std::fmt::Display for ChannelFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.effect {
            Effect::Omit => "omit".to_string(),
            Effect::Delay { ticks } => format!("delay {ticks}"),
            Effect::Duplicate => "duplicate".to_string(),
        };
        write!(f, "{what} {}->{} #{}", self.from, self.to, self.k)
    }
}

/// A node crashed (or restarted) at a wall-clock time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timed {
    /// The node.
    pub node: String,
    /// Milliseconds after the first tick started.
    pub at_ms: u64,
}

/// A fault file by identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityFaults {
    /// Format version: 1.
    pub identity: u32,
    /// The protocol (must be the capture's).
    pub protocol: String,
    /// The version to run (default: the capture's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Message faults.
    #[serde(default)]
    pub messages: Vec<ChannelFault>,
    /// Crashes (`stop`: the node's process is killed).
    #[serde(default)]
    pub crashes: Vec<Timed>,
    /// Restarts (the process relaunched with the node's harness-side state).
    #[serde(default)]
    pub restarts: Vec<Timed>,
}

/// Whether a JSON document is a fault file by identity (it has an
/// `identity` field) rather than a schedule.
pub fn is_identity(v: &serde_json::Value) -> bool {
    v.get("identity").is_some()
}

/// Reads a fault file by identity for a protocol with nodes `nodes`;
/// `Err` is one line naming the field (the caller names the file).
pub fn parse(text: &str, nodes: &[String]) -> Result<IdentityFaults, String> {
    let f: IdentityFaults = serde_json::from_str(text).map_err(|e| e.to_string())?;
    // A message fault's fields are flattened (serde cannot deny unknown
    // ones there): checked by name.
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let entries = v["messages"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    for (i, m) in entries.iter().enumerate() {
        let fields = m.as_object().into_iter().flat_map(|o| o.keys());
        for k in fields {
            if !["from", "to", "k", "fault", "ticks"].contains(&k.as_str()) {
                return Err(format!(
                    "field `messages[{i}].{k}`: unknown (from, to, k, fault, ticks)"
                ));
            }
        }
    }
    if f.identity != FORMAT {
        return Err(format!(
            "field `identity`: format {} (this ldfi reads format {FORMAT})",
            f.identity
        ));
    }
    let known = |field: String, n: &str| {
        if nodes.iter().any(|m| m == n) {
            Ok(())
        } else {
            Err(format!(
                "field `{field}`: `{n}` is not a node ({})",
                nodes.join(", ")
            ))
        }
    };
    for (i, m) in f.messages.iter().enumerate() {
        known(format!("messages[{i}].from"), &m.from)?;
        known(format!("messages[{i}].to"), &m.to)?;
    }
    for (what, list) in [("crashes", &f.crashes), ("restarts", &f.restarts)] {
        for (i, t) in list.iter().enumerate() {
            known(format!("{what}[{i}].node"), &t.node)?;
        }
    }
    let mut crashed = std::collections::BTreeSet::new();
    for (i, c) in f.crashes.iter().enumerate() {
        if !crashed.insert(&c.node) {
            return Err(format!(
                "field `crashes[{i}]`: node `{}` crashes twice (at most one crash per node)",
                c.node
            ));
        }
    }
    Ok(f)
}

/// The tick before which a node is killed (or relaunched) for a crash at
/// `at_ms` with ticks of `tick_ms`: the first tick that starts at or after
/// it (tick `t` starts at `(t − 1) × tick_ms`).
pub fn tick_at(at_ms: u64, tick_ms: u64) -> u64 {
    1 + at_ms.div_ceil(tick_ms.max(1))
}

/// The message faults compiled for a sidecar: by (sender, receiver, k),
/// each with its index in the list it came from.
#[derive(Clone, Debug, Default)]
pub struct ChannelFaults {
    by: BTreeMap<(NodeIdx, NodeIdx, u64), Vec<(usize, Effect)>>,
}

/// The combined effect of every fault on one envelope: an omission wins;
/// otherwise the largest delay, and a second copy if any duplicates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combined {
    /// Lost.
    Omitted,
    /// Delivered `extra` ticks late, `copies` times.
    Deliver {
        /// Extra ticks.
        extra: Tick,
        /// 1 or 2.
        copies: u8,
    },
}

impl ChannelFaults {
    /// Compiles `list` against the node names `names`; `Err` names the
    /// first fault with an unknown node.
    pub fn new(list: &[ChannelFault], names: &[String]) -> Result<ChannelFaults, String> {
        let index = |n: &str| {
            names
                .iter()
                .position(|m| m == n)
                .map(|i| i as NodeIdx)
                .ok_or_else(|| format!("channel fault {n}: unknown node"))
        };
        let mut by: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for (i, f) in list.iter().enumerate() {
            let key = (index(&f.from)?, index(&f.to)?, f.k);
            by.entry(key).or_default().push((i, f.effect));
        }
        Ok(ChannelFaults { by })
    }

    /// The faults on the `k`-th envelope `from`→`to` (their indices) and
    /// their combined effect, if any fault names it.
    pub fn on(&self, from: NodeIdx, to: NodeIdx, k: u64) -> Option<(Vec<usize>, Combined)> {
        let faults = self.by.get(&(from, to, k))?;
        let indices = faults.iter().map(|(i, _)| *i).collect();
        let effects = faults.iter().map(|(_, e)| *e);
        let combined = if effects.clone().any(|e| e == Effect::Omit) {
            Combined::Omitted
        } else {
            let extra = (effects.clone())
                .map(|e| match e {
                    Effect::Delay { ticks } => ticks,
                    _ => 0,
                })
                .max()
                .unwrap_or(0);
            let dup = effects.into_iter().any(|e| e == Effect::Duplicate);
            Combined::Deliver {
                extra,
                copies: if dup { 2 } else { 1 },
            }
        };
        Some((indices, combined))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["a", "b", "c"].map(String::from).to_vec()
    }

    #[test]
    fn a_fault_file_reads_and_bad_fields_are_named() {
        let good = r#"{"identity":1,"protocol":"p","messages":[{"from":"a","to":"b","k":3,"fault":"omit"},{"from":"b","to":"c","k":0,"fault":"delay","ticks":2}],"crashes":[{"node":"c","at_ms":300}]}"#;
        let f = parse(good, &names()).expect("reads");
        assert_eq!(f.messages[1].effect, Effect::Delay { ticks: 2 });
        assert_eq!(f.messages[0].to_string(), "omit a->b #3");
        let again = serde_json::to_string(&f).expect("writes");
        assert_eq!(parse(&again, &names()), Ok(f));
        let bad = [
            (
                good.replace("\"identity\":1", "\"identity\":7"),
                "`identity`",
            ),
            (
                good.replace("\"to\":\"b\"", "\"to\":\"z\""),
                "messages[0].to",
            ),
            (
                good.replace("\"node\":\"c\"", "\"node\":\"q\""),
                "crashes[0].node",
            ),
            (good.replace("\"omit\"", "\"eat\""), "eat"),
            (good.replace("\"k\":3", "\"k\":-1"), "-1"),
            (good.replace("\"at_ms\"", "\"at\""), "at"),
            (
                good.replace("\"k\":3,", "\"k\":3,\"tick\":1,"),
                "messages[0].tick",
            ),
        ];
        for (text, says) in bad {
            let e = parse(&text, &names()).expect_err(&text);
            assert!(e.contains(says), "`{says}` in {e}");
        }
    }

    #[test]
    fn crash_times_fall_on_the_next_tick_start() {
        assert_eq!(tick_at(0, 100), 1);
        assert_eq!(tick_at(300, 100), 4);
        assert_eq!(tick_at(301, 100), 5);
    }

    #[test]
    fn an_omission_wins_and_delays_combine_with_duplicates() {
        let f = |k, effect| ChannelFault {
            from: "a".into(),
            to: "b".into(),
            k,
            effect,
        };
        let list = [
            f(1, Effect::Delay { ticks: 2 }),
            f(1, Effect::Duplicate),
            f(2, Effect::Duplicate),
            f(2, Effect::Omit),
        ];
        let c = ChannelFaults::new(&list, &names()).expect("compiles");
        assert_eq!(
            c.on(0, 1, 1),
            Some((
                vec![0, 1],
                Combined::Deliver {
                    extra: 2,
                    copies: 2
                }
            ))
        );
        assert_eq!(c.on(0, 1, 2), Some((vec![2, 3], Combined::Omitted)));
        assert_eq!(c.on(0, 1, 0), None);
        assert_eq!(c.on(1, 0, 1), None);
    }
}
