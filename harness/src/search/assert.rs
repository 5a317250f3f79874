//! Assertions for a user's own `#[test]`: the same search as `ldfi search`
//! (declared lineage, confirmed on happens-before lineage, counterexamples
//! minimised by replay), with panic messages that say what to do next.
//! [`Search`](super::Search) is the builder over these.

use super::reproduce::{default_schedule_dir, replay_command_with, Reproduce};
use super::{
    search_limited, Assurance, Conclusion, Counterexample, Progress, SearchConfig, SearchLimits,
    SearchReport,
};
use crate::registry::DynProtocol;
use std::fmt::Write;

/// Runs the search and panics unless it certifies — with the confirmation
/// on happens-before lineage, unless `cfg.confirm` is off (then a
/// declared certificate is accepted). The panic names the violated
/// invariant, the minimal fault set, the schedule file it was saved to,
/// the shell command that replays it, and whether a declaration hid the
/// cause (with its `file:line`).
///
/// # Panics
/// On a counterexample, an unconfirmed certificate, a spent budget, or a
/// search error (bad configuration).
pub fn assert_certified(p: &dyn DynProtocol, cfg: &SearchConfig) -> SearchReport {
    expect(
        Expected::Certified,
        p,
        cfg,
        SearchLimits::default(),
        &Reproduce::default(),
        &mut |_| {},
    )
}

/// Runs the search and panics unless it finds a counterexample; returns
/// the report (its first counterexample is minimal by replay).
///
/// # Panics
/// If the search certifies, is unconfirmed, spends its budget, or errs.
pub fn assert_counterexample(p: &dyn DynProtocol, cfg: &SearchConfig) -> SearchReport {
    expect(
        Expected::Counterexample,
        p,
        cfg,
        SearchLimits::default(),
        &Reproduce::default(),
        &mut |_| {},
    )
}

/// What a search must end with for the assertion to pass.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Expected {
    /// A certificate (confirmed, unless the configuration trusts declarations).
    Certified,
    /// A counterexample.
    Counterexample,
}

/// `assert_certified` when `want` is a certificate, else `assert_counterexample`.
pub(super) fn expect(
    want: Expected,
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    limits: SearchLimits,
    how: &Reproduce,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> SearchReport {
    let never = std::sync::atomic::AtomicBool::new(false);
    let r = search_limited(p, cfg, limits, progress, &never)
        .unwrap_or_else(|e| panic!("{}: the search could not run: {e}", p.info().name));
    let passed = match want {
        Expected::Certified => {
            let confirmed = matches!(
                r.assurance,
                Assurance::Confirmed | Assurance::HappensBefore | Assurance::Exhaustive
            ) || (!cfg.confirm && r.assurance == Assurance::Declared);
            r.conclusion == Conclusion::Certified && confirmed
        }
        Expected::Counterexample => r.conclusion == Conclusion::Counterexample,
    };
    if passed {
        return r;
    }
    let wanted = match want {
        Expected::Certified => "certified",
        Expected::Counterexample => "a counterexample",
    };
    panic!("{}", explain(p, cfg, &r, wanted, how));
}

/// The panic message: what was expected, what was found, how to replay it.
fn explain(
    p: &dyn DynProtocol,
    cfg: &SearchConfig,
    r: &SearchReport,
    wanted: &str,
    how: &Reproduce,
) -> String {
    let name = p.info().name;
    let mut m = String::new();
    let b = cfg.params;
    let _ = writeln!(
        m,
        "{name} {} ({}), eot {} eff {} crashes {} ({}): expected {wanted}, got {} (assurance {:?}) after {} executions",
        cfg.version,
        cfg.workload,
        b.eot,
        b.eff,
        b.crashes,
        cfg.crash.name(),
        r.conclusion.word(),
        r.assurance,
        r.executions
    );
    let fault_free = (r.fault_free.as_deref()).map(|run| Counterexample {
        config: cfg.run_config(Default::default()),
        run: run.clone(),
        found_at: 1,
        shrunk_from: None,
        minimal_checked: true,
    });
    if let Some(c) = r.counterexamples.first().or(fault_free.as_ref()) {
        describe(&mut m, &name, c, how);
    }
    if let Some(d) = &r.disagreement {
        let _ = writeln!(
            m,
            "declared lineage certified after {} executions; a declaration hides a cause: {}",
            d.declared_executions,
            d.culprit.as_deref().unwrap_or("not located")
        );
    }
    if r.conclusion == Conclusion::Unconfirmed {
        let _ = writeln!(
            m,
            "the happens-before confirmation ran out of its budget ({} executions): raise \
             confirm_max_runs, or set confirm = false to accept a certificate resting on declarations",
            r.confirm_executions
        );
    }
    m
}

/// The violated invariant, the fault set, and how to replay it (saved).
fn describe(m: &mut String, name: &str, c: &Counterexample, how: &Reproduce) {
    let _ = writeln!(m, "violates      {}", c.invariant());
    if let crate::Verdict::Violated { missing, .. } = &c.run.verdict {
        if !missing.is_empty() {
            let _ = writeln!(m, "missing       {}", missing.join(", "));
        }
    }
    let _ = if c.config.faults.is_empty() {
        writeln!(m, "fault set     {{}} (the fault-free run violates)")
    } else {
        writeln!(
            m,
            "fault set     {} (no proper subset violates)",
            c.config.faults
        )
    };
    let dir = how.dir.clone().unwrap_or_else(default_schedule_dir);
    match crate::corpus::save(name, c, &dir) {
        Ok(path) => {
            let _ = writeln!(m, "schedule      {}", path.display());
            let cmd = replay_command_with(&path, how.bin.as_deref());
            let _ = writeln!(m, "replay        {cmd}");
        }
        Err(e) => {
            let schedule = crate::schedule::Schedule::from_run(name, &c.config, None);
            let _ = writeln!(
                m,
                "schedule      not saved ({e}); save this as FILE.json, then `ldfi replay FILE.json`:\n{}",
                schedule.to_json()
            );
        }
    }
}
