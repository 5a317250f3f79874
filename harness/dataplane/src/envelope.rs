//! Envelopes between the harness's types and the wire's.

use crate::proto::Envelope;
use ldfi_harness::remote::{Arrival, Outbound};
use ldfi_lineage::{Loss, MsgId, NodeIdx};

/// The message identity of an envelope.
pub fn id(e: &Envelope) -> MsgId {
    MsgId {
        from: e.from as NodeIdx,
        sent: e.sent,
        seq: e.seq,
    }
}

/// An envelope as the receiving node's host takes it.
pub fn arrival(e: &Envelope) -> Arrival {
    Arrival {
        id: id(e),
        at: e.at,
        copy: e.copy as u8,
        body: e.body.clone(),
    }
}

/// The envelope of a send: `channel_seq` numbers it on its channel.
pub fn outbound(o: &Outbound, channel_seq: u64) -> Envelope {
    Envelope {
        from: o.id.from as u32,
        to: o.to as u32,
        sent: o.id.sent,
        seq: o.id.seq,
        channel_seq,
        body: o.body.clone(),
        kind: kind_of(&o.label).to_string(),
        at: 0,
        copy: 0,
    }
}

/// A message's kind from its rendering: the enum variant (`Write { .. }` → `Write`).
pub fn kind_of(label: &str) -> &str {
    let end = label
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(label.len());
    &label[..end]
}

/// A loss as `Route.lost` spells it (`""` for none).
pub fn loss_name(l: Option<Loss>) -> String {
    match l {
        None => String::new(),
        Some(l) => serde_json::to_value(l)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

/// A `Route.lost` read back (`None` for delivered); unknown words are an error.
pub fn parse_loss(s: &str) -> Result<Option<Loss>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map(Some)
        .map_err(|_| format!("unknown loss `{s}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_losses_round_trip() {
        assert_eq!(kind_of("Write { id: 1 }"), "Write");
        assert_eq!(kind_of("Ping(3)"), "Ping");
        assert_eq!(kind_of("Stop"), "Stop");
        for l in [Loss::Omitted, Loss::Partitioned, Loss::AfterEot] {
            assert_eq!(parse_loss(&loss_name(Some(l))), Ok(Some(l)));
        }
        assert_eq!(parse_loss(""), Ok(None));
        assert!(parse_loss("eaten").is_err());
    }
}
