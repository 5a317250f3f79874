//! A sample of cases, summed up: what `ldfi bench --soundness N` prints.

use super::check::{check_case, CaseResult};
use crate::search::Conclusion;
use std::fmt;

/// Counts and medians over a sample of [`CaseResult`]s.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Summary {
    /// Cases run.
    pub cases: usize,
    /// Cases ldfi certified while exhaustive search found a violation.
    pub unsound: usize,
    /// Cases with any disagreement (unsound ones included).
    pub disagreements: usize,
    /// Cases where ldfi found a counterexample.
    pub ldfi_found: usize,
    /// Cases where exhaustive search found a counterexample.
    pub exhaustive_found: usize,
    /// Cases both found a counterexample in.
    pub agree_counterexample: usize,
    /// Cases both certified.
    pub agree_certified: usize,
    /// Median executions of ldfi.
    pub ldfi_median_executions: u64,
    /// Median executions of exhaustive search.
    pub exhaustive_median_executions: u64,
    /// Seeds of the disagreeing cases.
    pub disagreeing_seeds: Vec<u64>,
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

impl Summary {
    /// Sums up `cases`.
    pub fn of(cases: &[CaseResult]) -> Summary {
        let count = |f: &dyn Fn(&CaseResult) -> bool| cases.iter().filter(|c| f(c)).count();
        let both = |c: &CaseResult, k: Conclusion| {
            c.ldfi.conclusion == Some(k) && c.exhaustive.conclusion == Some(k)
        };
        Summary {
            cases: cases.len(),
            unsound: count(&|c| c.unsound()),
            disagreements: count(&|c| c.disagreement().is_some()),
            ldfi_found: count(&|c| c.ldfi.counterexample.is_some()),
            exhaustive_found: count(&|c| c.exhaustive.counterexample.is_some()),
            agree_counterexample: count(&|c| {
                both(c, Conclusion::Counterexample) || both(c, Conclusion::FaultFreeViolation)
            }),
            agree_certified: count(&|c| both(c, Conclusion::Certified)),
            ldfi_median_executions: median(cases.iter().map(|c| c.ldfi.executions).collect()),
            exhaustive_median_executions: median(
                cases.iter().map(|c| c.exhaustive.executions).collect(),
            ),
            disagreeing_seeds: (cases.iter())
                .filter(|c| c.disagreement().is_some())
                .map(|c| c.seed)
                .collect(),
        }
    }
}

/// Runs `check_case` for seeds `0..n`, in order.
pub fn run_sample(n: u64) -> Vec<CaseResult> {
    (0..n).map(check_case).collect()
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: [(&str, String); 9] = [
            ("cases", self.cases.to_string()),
            ("unsound", self.unsound.to_string()),
            ("disagreements", self.disagreements.to_string()),
            ("ldfi found", self.ldfi_found.to_string()),
            ("exhaustive found", self.exhaustive_found.to_string()),
            (
                "agree: counterexample",
                self.agree_counterexample.to_string(),
            ),
            ("agree: certified", self.agree_certified.to_string()),
            (
                "executions (median)",
                format!(
                    "ldfi {}, exhaustive {}",
                    self.ldfi_median_executions, self.exhaustive_median_executions
                ),
            ),
            ("disagreeing seeds", format!("{:?}", self.disagreeing_seeds)),
        ];
        for (k, v) in rows {
            writeln!(f, "{k:<22} {v}")?;
        }
        Ok(())
    }
}
