//! Counting: envelopes per channel and outcome, as Prometheus text.

use std::collections::BTreeMap;
use std::fmt::Write;

/// What became of an envelope at a sidecar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Held for delivery to the node (inbound).
    Forwarded,
    /// Lost by one of the schedule's faults (inbound).
    DroppedByFault,
    /// Refused: a predicate forbids it, or it cannot be decoded or checked.
    Refused,
    /// Violates a predicate, forwarded anyway (`--enforce observe`).
    Flagged,
}

impl Outcome {
    /// The Prometheus label value.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::DroppedByFault => "dropped_by_fault",
            Outcome::Refused => "refused",
            Outcome::Flagged => "flagged",
        }
    }
}

/// Counts by (channel `from->to`, outcome).
#[derive(Clone, Debug, Default)]
pub struct Counters {
    counts: BTreeMap<(String, Outcome), u64>,
}

/// The metric's name.
pub const METRIC: &str = "ldfi_sidecar_envelopes_total";

impl Counters {
    /// Counts one envelope on `channel`.
    pub fn add(&mut self, channel: &str, outcome: Outcome) {
        *self
            .counts
            .entry((channel.to_string(), outcome))
            .or_insert(0) += 1;
    }

    /// The count for (`channel`, `outcome`).
    pub fn get(&self, channel: &str, outcome: Outcome) -> u64 {
        self.counts
            .get(&(channel.to_string(), outcome))
            .copied()
            .unwrap_or(0)
    }

    /// Prometheus text exposition, for sidecar `node`.
    pub fn prometheus(&self, node: &str) -> String {
        let mut out = format!(
            "# HELP {METRIC} Envelopes seen by the sidecar, by channel and outcome.\n# TYPE {METRIC} counter\n"
        );
        for ((channel, outcome), n) in &self.counts {
            let _ = writeln!(
                out,
                "{METRIC}{{sidecar=\"{node}\",channel=\"{channel}\",outcome=\"{}\"}} {n}",
                outcome.name()
            );
        }
        out
    }
}

/// Reads back the samples of [`Counters::prometheus`]: (sidecar, channel,
/// outcome, count).
pub fn parse_prometheus(text: &str) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.starts_with(METRIC)) {
        let (Some(open), Some(close)) = (line.find('{'), line.rfind('}')) else {
            continue;
        };
        let labels: BTreeMap<&str, &str> = line[open + 1..close]
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.trim_matches('"')))
            .collect();
        let Ok(n) = line[close + 1..].trim().parse() else {
            continue;
        };
        let get = |k: &str| labels.get(k).copied().unwrap_or("").to_string();
        out.push((get("sidecar"), get("channel"), get("outcome"), n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_and_parse_back() {
        let mut c = Counters::default();
        c.add("n1->n2", Outcome::Forwarded);
        c.add("n1->n2", Outcome::Forwarded);
        c.add("n1->n3", Outcome::DroppedByFault);
        assert_eq!(c.get("n1->n2", Outcome::Forwarded), 2);
        let text = c.prometheus("n2");
        assert!(text.contains("# TYPE ldfi_sidecar_envelopes_total counter"));
        let samples = parse_prometheus(&text);
        assert_eq!(
            samples,
            vec![
                ("n2".into(), "n1->n2".into(), "forwarded".into(), 2),
                ("n2".into(), "n1->n3".into(), "dropped_by_fault".into(), 1),
            ]
        );
    }
}
