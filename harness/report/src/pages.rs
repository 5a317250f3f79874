//! The pages of a search report: the index (verdict and bounds), one page
//! per counterexample, one per enforcement violation, the lineage of the
//! last good run with the chosen fault set overlaid, and the history.

use crate::enforce;
use crate::figure;
use crate::history;
use crate::html::{badge, code, esc, kv_table, link, setup_rows, Page};
use ldfi_harness::search::{Assurance, Conclusion, SearchConfig, SearchReport};
use ldfi_harness::{FaultSet, Run};
use std::fmt::Write;
use std::path::PathBuf;

/// Everything a search report shows.
pub struct SearchData<'a> {
    /// Protocol name.
    pub protocol: &'a str,
    /// The search's configuration.
    pub cfg: &'a SearchConfig,
    /// What it found.
    pub report: &'a SearchReport,
    /// Where each counterexample was saved (`None`: not saved).
    pub saved: &'a [Option<PathBuf>],
    /// The last good run whose lineage is drawn: its execution number
    /// (1-based) and the run.
    pub last_good: Option<(u64, &'a Run)>,
}

/// The execution number of the last good (or vacuous) run before the
/// first counterexample was found (or of the whole search), not counting
/// minimisation replays.
pub fn last_good(report: &SearchReport) -> Option<u64> {
    let end = report
        .counterexamples
        .first()
        .map_or(report.history.len(), |c| c.found_at as usize);
    (0..end.min(report.history.len()))
        .rev()
        .find(|&i| {
            let e = &report.history[i];
            e.verdict != "violated" && e.phase != ldfi_harness::search::Phase::Minimize
        })
        .map(|i| i as u64 + 1)
}

/// The pages of the report, index first.
pub fn pages(d: &SearchData<'_>) -> Vec<Page> {
    let mut pages = vec![Page {
        file: "index.html".into(),
        title: String::new(),
        body: String::new(),
    }];
    let mut cex_rows = String::new();
    for (i, c) in d.report.counterexamples.iter().enumerate() {
        let file = format!("counterexample-{}.html", i + 1);
        let mut enforcement = None;
        if let Some(v) = enforce::deciding(&c.run.verdict, &c.run.enforcement) {
            let efile = format!("enforcement-{}.html", i + 1);
            pages.push(Page {
                file: efile.clone(),
                title: format!("Enforcement violation {} — {}", i + 1, v.source),
                body: enforce::section(&c.run.trace, v),
            });
            enforcement = Some(efile);
        }
        let saved = d.saved.get(i).cloned().flatten();
        pages.push(Page {
            file: file.clone(),
            title: format!("Counterexample {} — {}", i + 1, c.config.faults),
            body: counterexample(c, saved.as_ref(), enforcement.as_deref()),
        });
        let _ = writeln!(
            cex_rows,
            "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            link(&file, &format!("counterexample {}", i + 1)),
            esc(&c.config.faults.to_string()),
            code(c.invariant()),
            c.found_at,
            enforcement
                .as_deref()
                .map_or("—".into(), |f| link(f, "automaton")),
        );
    }
    let overlay = d
        .report
        .counterexamples
        .first()
        .map(|c| c.config.faults.clone());
    if let Some((n, run)) = d.last_good {
        let faults = d.report.history[n as usize - 1].faults.clone();
        pages.push(Page {
            file: "lineage.html".into(),
            title: format!("Lineage of the last good run (execution {n})"),
            body: lineage_page(d, n, run, &faults, overlay.as_ref()),
        });
    }
    pages.push(Page {
        file: "history.html".into(),
        title: "Search history".into(),
        body: history::body(&d.report.history),
    });
    let links: Vec<(String, String)> = pages[1..]
        .iter()
        .map(|p| (p.file.clone(), p.title.clone()))
        .collect();
    pages[0].title = format!(
        "{} {}: {}",
        d.protocol,
        d.cfg.version,
        d.report.conclusion.word()
    );
    pages[0].body = index(d, &cex_rows, &links);
    pages
}

fn index(d: &SearchData<'_>, cex_rows: &str, links: &[(String, String)]) -> String {
    let (cfg, r) = (d.cfg, d.report);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p>{} {}</p>",
        badge(r.conclusion.word()),
        esc(&sentence(r))
    );
    let mut executions = format!("{} (fault-free run included)", r.executions);
    if r.confirm_executions + r.minimize_executions + r.vacuous_runs > 0 {
        let _ = write!(
            executions,
            "; {} confirming, {} shrinking counterexamples, {} vacuous",
            r.confirm_executions, r.minimize_executions, r.vacuous_runs
        );
    }
    let mut rows = setup_rows(
        d.protocol,
        &cfg.version,
        &cfg.workload,
        &cfg.params,
        cfg.crash,
    );
    rows.extend([
        ("strategy", code(cfg.strategy.name())),
        ("seed", cfg.seed.to_string()),
        ("verdict", badge(r.conclusion.word())),
        ("assurance", esc(&assurance(r.assurance))),
        ("executions", esc(&executions)),
        (
            "fault space",
            format!("{:.3e} fault combinations (Molly's count)", r.combinations),
        ),
    ]);
    if let Some(dis) = &r.disagreement {
        let culprit = dis.culprit.as_deref().unwrap_or("not located");
        rows.push(("DISAGREEMENT", format!("declared lineage certified after {} executions; happens-before lineage found the counterexample below — culprit {}", dis.declared_executions, code(culprit))));
    }
    if r.fault_free_vacuous {
        rows.push(("note", "the fault-free run is vacuous (no invariant's pre held): the search looked for fault sets that make one hold".into()));
    }
    out.push_str(&kv_table(&rows));
    if !cex_rows.is_empty() {
        out.push_str("<h2>Counterexamples</h2>\n<table>\n<tr><th>page</th><th>fault set</th><th>violates</th><th>found at execution</th><th>enforcement</th></tr>\n");
        out.push_str(cex_rows);
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Pages</h2>\n<ul class=\"pages\">\n");
    for (file, title) in links {
        let _ = writeln!(out, "<li>{}</li>", link(file, title));
    }
    out.push_str("</ul>\n");
    out
}

fn sentence(r: &SearchReport) -> String {
    match r.conclusion {
        Conclusion::Counterexample => format!("{} minimal fault set(s) break an invariant within these bounds.", r.counterexamples.len()),
        Conclusion::Certified => "No fault set within these bounds breaks an invariant.".into(),
        Conclusion::Unconfirmed => "Declared lineage found no counterexample, but the happens-before confirmation ran out of budget: NOT a certificate.".into(),
        Conclusion::BudgetExhausted => "The run budget was spent before the search ended: no verdict.".into(),
        Conclusion::Interrupted => format!("Interrupted before the search ended: no certificate; {} counterexample(s) found so far.", r.counterexamples.len()),
        Conclusion::FaultFreeViolation => "The fault-free run already violates an invariant: there is nothing for faults to break (the bounds leave the protocol too little time, or the version is broken without faults).".into(),
    }
}

fn assurance(a: Assurance) -> String {
    match a {
        Assurance::None => "none (not a certificate)",
        Assurance::HappensBefore => "happens-before lineage: no assumption about the protocol",
        Assurance::Confirmed => "declared lineage, confirmed on happens-before lineage",
        Assurance::Declared => {
            "declared lineage only (--trust-declarations): rests on every because/guard"
        }
        Assurance::Exhaustive => "exhaustive: every fault set of the space was run",
        Assurance::Unconfirmed => "unconfirmed: the confirmation ran out of budget",
    }
    .into()
}

fn counterexample(
    c: &ldfi_harness::search::Counterexample,
    saved: Option<&PathBuf>,
    enforcement: Option<&str>,
) -> String {
    let mut out = String::new();
    let minimal = match (&c.shrunk_from, c.minimal_checked) {
        (Some(from), _) => format!(
            "shrunk by replay from {}; no proper subset violates",
            code(&from.to_string())
        ),
        (None, true) => "replayed: no proper subset violates".into(),
        (None, false) => "no single fault can be dropped (too large to replay every subset)".into(),
    };
    let missing = match &c.run.verdict {
        ldfi_harness::Verdict::Violated { missing, .. } => missing.join(", "),
        _ => String::new(),
    };
    let mut rows = vec![
        ("fault set", code(&c.config.faults.to_string())),
        ("violates", code(c.invariant())),
        ("missing", esc(&missing)),
        ("found at execution", c.found_at.to_string()),
        ("minimal", minimal),
        ("trace hash", code(&c.run.trace.hash())),
    ];
    if let Some(f) = enforcement {
        rows.push((
            "enforcement",
            link(f, "the rule automaton along the offending key's messages"),
        ));
    }
    out.push_str(&kv_table(&rows));
    match saved {
        Some(p) => {
            let _ = writeln!(
                out,
                "<p>Saved as {}. Reproduce it with:</p>\n<pre class=\"cmd\">ldfi replay {}</pre>",
                code(&p.display().to_string()),
                esc(&p.display().to_string())
            );
        }
        None => out.push_str("<p class=\"note\">Not saved (--no-save).</p>\n"),
    }
    out.push_str("<h2>Spacetime diagram</h2>\n");
    out.push_str(&figure::spacetime(&c.run, &c.config.faults));
    out
}

fn lineage_page(
    d: &SearchData<'_>,
    n: u64,
    run: &Run,
    own: &FaultSet,
    overlay: Option<&FaultSet>,
) -> String {
    let mut out = String::new();
    let faults = overlay.unwrap_or(own);
    let _ = writeln!(
        out,
        "<p>Execution {n} ran the fault set {} and was {}. Its lineage — every way its outcome came about, as the protocol declares it (<code>ldfi explain</code>) — is drawn below with {} overlaid{}.</p>",
        code(&own.to_string()),
        badge(run.verdict.word()),
        code(&faults.to_string()),
        if overlay.is_some() { ", the counterexample the search chose" } else { ", its own fault set (the search found nothing that breaks it)" },
    );
    match figure::lineage_of(run, d.cfg.crash) {
        Some(g) => {
            let (fig, o) = figure::lineage(&g, faults);
            let _ = writeln!(out, "<p>Under {} the outcome {}. {} vertices drawn.</p>", code(&faults.to_string()), if o.holds { "<b>still holds</b>" } else { "<b>no longer holds</b>: every way it came about is broken" }, o.drawn);
            out.push_str(&fig);
        }
        None => out.push_str("<p class=\"note\">This run promised nothing and refuted nothing the search could break (no invariant's post held, and every vacuous invariant is declared to shrink with faults): it has no lineage.</p>\n"),
    }
    out.push_str("<h2>The run</h2>\n");
    out.push_str(&figure::spacetime(run, own));
    out
}
