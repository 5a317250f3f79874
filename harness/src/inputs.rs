//! Explicit workloads: a run's inputs given as encoded messages (from a
//! capture of real traffic, `ldfi search --workload-file`) instead of by
//! the protocol's workload name.
//!
//! An explicit input is decoded with the protocol's message type when the
//! run is validated, so a body that is not a message of the protocol is a
//! bad input, not a panic. Inputs are numbered by their position in the
//! list, as a named workload's are.

use crate::error::RunError;
use crate::model::{Input, Message, ProtocolInfo};
use ldfi_lineage::Tick;
use serde::{Deserialize, Serialize};

/// One workload input: `body` (the message's serde, postcard, encoding)
/// is given to `node` at tick `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodedInput {
    /// Tick (1..=EOT).
    pub at: Tick,
    /// Receiving node's name.
    pub node: String,
    /// The message, postcard-encoded.
    pub body: Vec<u8>,
}

/// A workload's inputs, encoded (with each one's rendering, for captures).
pub fn encode<M: Message>(inputs: &[Input<M>]) -> Vec<(EncodedInput, String)> {
    inputs
        .iter()
        .map(|i| {
            let body = postcard::to_stdvec(&i.msg).expect("messages serialize");
            let enc = EncodedInput {
                at: i.at,
                node: i.node.clone(),
                body,
            };
            (enc, crate::ctx::label(&i.msg))
        })
        .collect()
}

/// Decodes explicit inputs for a protocol with `info` and message type `M`
/// in a run ending at `eot`. Errors name the input by its position.
pub fn decode<M: Message>(
    info: &ProtocolInfo,
    inputs: &[EncodedInput],
    eot: Tick,
) -> Result<Vec<Input<M>>, RunError> {
    inputs
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let bad = |why: String| RunError::Params(format!("inputs[{k}]: {why}"));
            if !info.nodes.contains(&i.node) {
                return Err(bad(format!(
                    "unknown node `{}` (nodes: {})",
                    i.node,
                    info.nodes.join(", ")
                )));
            }
            if i.at == 0 || i.at > eot {
                return Err(bad(format!("tick {} is outside 1..={eot}", i.at)));
            }
            let msg: M = postcard::from_bytes(&i.body).map_err(|e| {
                bad(format!(
                    "body is not a message of {} ({e}); was it captured from another protocol?",
                    info.name
                ))
            })?;
            Ok(Input {
                at: i.at,
                node: i.node.clone(),
                msg,
            })
        })
        .collect()
}
