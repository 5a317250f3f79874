//! The differential check: ldfi against exhaustive search on one generated
//! protocol, at the same bounds.

use super::generate::generate;
use super::protocol::GeneratedProtocol;
use crate::registry::DynProtocol;
use crate::search::{
    search_limited, Conclusion, SearchConfig, SearchLimits, SearchReport, Strategy,
};
use ldfi_lineage::FaultSet;
use std::fmt;

/// One strategy's result on a case.
#[derive(Clone, Debug)]
pub struct Side {
    /// How the search ended (`None`: it returned an error).
    pub conclusion: Option<Conclusion>,
    /// Executions, the fault-free one included.
    pub executions: u64,
    /// The first counterexample and the invariant it violates.
    pub counterexample: Option<(FaultSet, String)>,
    /// The search's error, if it failed.
    pub error: Option<String>,
    /// ldfi only: the declared search certified and the happens-before
    /// confirmation refuted it (a wrong declaration, or a wrong guard rule).
    pub declarations_refuted: bool,
}

impl Side {
    fn from(r: Result<SearchReport, crate::RunError>) -> Side {
        match r {
            Ok(r) => Side {
                conclusion: Some(r.conclusion),
                executions: r.executions,
                // A fault-free violation is, for the comparison, a
                // violation with the empty fault set.
                counterexample: r
                    .counterexamples
                    .first()
                    .map(|c| (c.config.faults.clone(), c.invariant().to_string()))
                    .or_else(|| {
                        r.fault_free.as_ref().map(|run| {
                            let inv = match &run.verdict {
                                crate::Verdict::Violated { invariant, .. } => invariant.clone(),
                                _ => String::new(),
                            };
                            (FaultSet::new(), inv)
                        })
                    }),
                error: None,
                declarations_refuted: r.disagreement.is_some(),
            },
            Err(e) => Side {
                conclusion: None,
                executions: 0,
                counterexample: None,
                error: Some(e.to_string()),
                declarations_refuted: false,
            },
        }
    }

    fn verdict(&self) -> String {
        match (&self.conclusion, &self.counterexample, &self.error) {
            (_, _, Some(e)) => format!("error: {e}"),
            (_, Some((faults, inv)), _) => format!("counterexample {faults} violates {inv}"),
            (Some(c), None, _) => c.word().to_string(),
            (None, None, None) => "—".into(),
        }
    }
}

/// ldfi and exhaustive on one generated protocol.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The seed the protocol was drawn from.
    pub seed: u64,
    /// The protocol (its dump is in `Display`).
    pub protocol: GeneratedProtocol,
    /// ldfi with the default search configuration.
    pub ldfi: Side,
    /// Exhaustive search (not minimised: its first counterexample is
    /// minimal already, since it runs fault sets smallest first).
    pub exhaustive: Side,
    /// Whether ldfi's counterexample replays as violated (`None`: it has none).
    pub ldfi_replays: Option<bool>,
    /// Both searches were bounded to fault sets of at most this many faults
    /// (`--max-faults`; one case in eight, so the bound is checked too).
    pub max_faults: Option<usize>,
    /// Both searches also injected restarts of at most this many nodes
    /// (`--restarts`; one case in six, [`restarts_of`]).
    pub restarts: u32,
}

impl CaseResult {
    /// The size of exhaustive's (minimal) counterexample.
    pub fn exhaustive_min_size(&self) -> Option<usize> {
        self.exhaustive
            .counterexample
            .as_ref()
            .map(|(f, _)| f.len())
    }

    /// ldfi certified while exhaustive found a violation.
    pub fn unsound(&self) -> bool {
        self.ldfi.conclusion == Some(Conclusion::Certified)
            && self.exhaustive.counterexample.is_some()
    }

    /// What is wrong with this case, if anything: unsound, a counterexample
    /// that does not replay, one exhaustive cannot confirm or that is
    /// smaller than exhaustive's minimum, a certificate the confirmation
    /// refuted, a budget or an error.
    pub fn disagreement(&self) -> Option<String> {
        let (l, x) = (&self.ldfi, &self.exhaustive);
        if let Some(e) = l.error.as_ref().or(x.error.as_ref()) {
            return Some(format!("a search failed: {e}"));
        }
        if self.unsound() {
            return Some("UNSOUND: ldfi certified, exhaustive found a violation".into());
        }
        if self.ldfi_replays == Some(false) {
            return Some("ldfi's counterexample does not replay as violated".into());
        }
        if let (Some((f, _)), Some(min)) = (&l.counterexample, self.exhaustive_min_size()) {
            if f.len() < min {
                return Some("ldfi's counterexample is smaller than exhaustive's minimum".into());
            }
        }
        if l.counterexample.is_some() && x.conclusion == Some(Conclusion::Certified) {
            return Some("ldfi found a counterexample, exhaustive certified".into());
        }
        if l.declarations_refuted {
            return Some("the confirmation refuted the declared certificate".into());
        }
        match (l.conclusion, x.conclusion) {
            (Some(Conclusion::Counterexample), Some(Conclusion::Counterexample))
            | (Some(Conclusion::FaultFreeViolation), Some(Conclusion::FaultFreeViolation))
            | (Some(Conclusion::Certified), Some(Conclusion::Certified)) => None,
            (a, b) => Some(format!("inconclusive: ldfi {a:?}, exhaustive {b:?}")),
        }
    }
}

/// Generates the protocol of `seed` and searches it with ldfi (default
/// configuration) and exhaustively, at its bounds; one seed in eight also
/// bounds both searches to at most one or two faults ([`max_faults_of`]),
/// and one in six adds restarts ([`restarts_of`]).
pub fn check_case(seed: u64) -> CaseResult {
    let protocol = generate(seed);
    let max_faults = max_faults_of(seed);
    let restarts = restarts_of(seed);
    let limits = SearchLimits::default()
        .with_max_faults(max_faults)
        .with_restarts(restarts);
    let never = std::sync::atomic::AtomicBool::new(false);
    let run = |cfg: &SearchConfig| search_limited(&protocol, cfg, limits, &mut |_| {}, &never);
    let base = SearchConfig::new("v1", "generated", protocol.params);
    let ldfi = run(&base.clone().strategy(Strategy::Ldfi));
    let mut exhaustive = base.strategy(Strategy::Exhaustive);
    exhaustive.minimize = false;
    // The limit reads Molly's formula, which counts exempt nodes as faulty;
    // the generator caps the space that is really enumerated (`SPACE_CAP`).
    exhaustive.exhaustive_limit = f64::MAX;
    let ldfi_replays = match &ldfi {
        Ok(r) => r.counterexamples.first().map(|c| {
            DynProtocol::run(&protocol, &c.config).is_ok_and(|run| run.verdict.is_violated())
        }),
        Err(_) => None,
    };
    let exhaustive = run(&exhaustive);
    CaseResult {
        seed,
        ldfi: Side::from(ldfi),
        exhaustive: Side::from(exhaustive),
        ldfi_replays,
        protocol,
        max_faults,
        restarts,
    }
}

/// How many nodes may restart in the oracle's case `seed`: one, for one
/// seed in six (every node that may fail may restart); else none.
pub fn restarts_of(seed: u64) -> u32 {
    u32::from(seed % 6 == 5)
}

/// The fault-count bound the oracle checks `seed` under: none for seven
/// seeds in eight, else one or two faults.
pub fn max_faults_of(seed: u64) -> Option<usize> {
    (seed % 8 == 7).then_some(1 + (seed / 8 % 2) as usize)
}

impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.protocol)?;
        if let Some(k) = self.max_faults {
            writeln!(
                f,
                "  both searches bounded to at most {k} faults (--max-faults {k})"
            )?;
        }
        if self.restarts > 0 {
            writeln!(
                f,
                "  both searches also restart at most {} node(s) (--restarts {})",
                self.restarts, self.restarts
            )?;
        }
        let min = self
            .exhaustive_min_size()
            .map_or("—".into(), |n| n.to_string());
        let replays = match self.ldfi_replays {
            Some(true) => "replays as violated",
            Some(false) => "DOES NOT replay as violated",
            None => "—",
        };
        writeln!(
            f,
            "  ldfi        {} ({} executions)",
            self.ldfi.verdict(),
            self.ldfi.executions
        )?;
        writeln!(f, "              counterexample {replays}")?;
        writeln!(
            f,
            "  exhaustive  {} ({} executions, minimal counterexample size {min})",
            self.exhaustive.verdict(),
            self.exhaustive.executions
        )?;
        match self.disagreement() {
            Some(d) => writeln!(f, "  DISAGREEMENT (seed {}): {d}", self.seed),
            None => writeln!(f, "  agreement"),
        }
    }
}
