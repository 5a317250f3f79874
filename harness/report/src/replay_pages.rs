//! The pages of a replay report (the run, its lineage, its enforcement
//! violation) and of a corpus check (an index and a page per schedule).

use crate::enforce;
use crate::figure;
use crate::html::{badge, code, esc, kv_table, link, setup_rows, Page};
use ldfi_harness::schedule::Expect;
use ldfi_harness::{Run, RunConfig, Verdict};
use std::fmt::Write;
use std::path::PathBuf;

/// One replayed schedule.
pub struct Replayed<'a> {
    /// The schedule file.
    pub path: PathBuf,
    /// Protocol name.
    pub protocol: &'a str,
    /// The configuration it ran with.
    pub config: &'a RunConfig,
    /// The run.
    pub run: &'a Run,
    /// What the schedule recorded.
    pub expect: Option<&'a Expect>,
}

/// `reproduces`, `fixed` or `changed` against what was recorded (the
/// words `ldfi corpus check` prints).
pub fn status(r: &Replayed<'_>) -> &'static str {
    let Some(e) = r.expect else {
        return "changed";
    };
    let invariant = match &r.run.verdict {
        Verdict::Violated { invariant, .. } => Some(invariant.as_str()),
        _ => None,
    };
    let same = e.verdict == r.run.verdict.word() && e.invariant.as_deref() == invariant;
    let hash = r.run.trace.hash();
    if same && e.trace_hash.as_ref().is_none_or(|h| *h == hash) {
        "reproduces"
    } else if e.verdict == "violated" && !r.run.verdict.is_violated() {
        "fixed"
    } else {
        "changed"
    }
}

/// The summary table of one replay.
fn summary(r: &Replayed<'_>) -> String {
    let c = r.config;
    let recorded = r.expect.map_or("nothing recorded".to_string(), |e| {
        format!(
            "{} {} {}",
            e.verdict,
            e.invariant.as_deref().unwrap_or(""),
            e.trace_hash.as_deref().unwrap_or("")
        )
    });
    let mut rows = vec![("schedule", code(&r.path.display().to_string()))];
    rows.extend(setup_rows(
        r.protocol,
        &c.version,
        &c.workload,
        &c.params,
        c.crash,
    ));
    rows.extend([
        ("seed", c.seed.to_string()),
        ("fault set", code(&c.faults.to_string())),
        (
            "verdict",
            format!(
                "{} {}",
                badge(r.run.verdict.word()),
                esc(&r.run.verdict.to_string())
            ),
        ),
        ("trace hash", code(&r.run.trace.hash())),
        (
            "recorded",
            format!("{} — {}", esc(&recorded), badge(status(r))),
        ),
    ]);
    kv_table(&rows)
}

/// The pages of `ldfi replay --report`: index, run, lineage, and the
/// enforcement violation if there is one. `lineage_run` is the good run
/// whose lineage is drawn (the schedule's own run when it is good, else
/// the fault-free run of the same configuration).
pub fn replay_pages(r: &Replayed<'_>, lineage_run: Option<&Run>) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut run_body = summary(r);
    run_body.push_str("<h2>Spacetime diagram</h2>\n");
    run_body.push_str(&figure::spacetime(r.run, &r.config.faults));
    pages.push(Page {
        file: "run.html".into(),
        title: format!("Run of {}", r.path.display()),
        body: run_body,
    });
    if let Some(good) = lineage_run {
        let own = good.verdict.is_violated() || std::ptr::eq(good, r.run);
        let which = if own {
            "this run"
        } else {
            "the fault-free run of the same configuration (the schedule's run is violated: it has no good outcome to explain)"
        };
        let mut body = format!(
            "<p>The lineage of {which}, with the schedule's fault set {} overlaid.</p>\n",
            code(&r.config.faults.to_string())
        );
        match figure::lineage_of(good, r.config.crash) {
            Some(g) => {
                let (fig, o) = figure::lineage(&g, &r.config.faults);
                let _ = writeln!(body, "<p>Under the fault set the outcome {}. {} vertices drawn.</p>", if o.holds { "<b>still holds</b>" } else { "<b>no longer holds</b>" }, o.drawn);
                body.push_str(&fig);
            }
            None => body.push_str("<p class=\"note\">That run promised nothing the search could break: it has no lineage.</p>\n"),
        }
        pages.push(Page {
            file: "lineage.html".into(),
            title: "Lineage".into(),
            body,
        });
    }
    if let Some(v) = enforce::deciding(&r.run.verdict, &r.run.enforcement) {
        pages.push(Page {
            file: "enforcement.html".into(),
            title: format!("Enforcement violation — {}", v.source),
            body: enforce::section(&r.run.trace, v),
        });
    }
    let mut index = summary(r);
    index.push_str("<h2>Pages</h2>\n<ul class=\"pages\">\n");
    for p in &pages {
        let _ = writeln!(index, "<li>{}</li>", link(&p.file, &p.title));
    }
    index.push_str("</ul>\n");
    let title = format!("Replay: {} — {}", r.protocol, r.run.verdict.word());
    pages.insert(
        0,
        Page {
            file: "index.html".into(),
            title,
            body: index,
        },
    );
    pages
}

/// The pages of `ldfi corpus check --report`: an index with every
/// schedule's status, and a page per schedule (its run and, for an
/// enforcement violation, the automaton).
/// `errors` are the schedules that could not be read or run.
pub fn corpus_pages(dir: &str, all: &[Replayed<'_>], errors: &[(PathBuf, String)]) -> Vec<Page> {
    let mut pages = vec![Page {
        file: "index.html".into(),
        title: String::new(),
        body: String::new(),
    }];
    let mut rows = String::new();
    let mut bad = 0;
    for (i, r) in all.iter().enumerate() {
        let file = format!("schedule-{:03}.html", i + 1);
        let st = status(r);
        bad += usize::from(st != "reproduces");
        let mut body = summary(r);
        if let Some(v) = enforce::deciding(&r.run.verdict, &r.run.enforcement) {
            body.push_str("<h2>Enforcement violation</h2>\n");
            body.push_str(&enforce::section(&r.run.trace, v));
        }
        body.push_str("<h2>Spacetime diagram</h2>\n");
        body.push_str(&figure::spacetime(r.run, &r.config.faults));
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
            link(&file, &r.path.display().to_string()),
            badge(st),
            esc(r.protocol),
            esc(&r.config.version),
            esc(&r.config.faults.to_string()),
            esc(&r.run.verdict.to_string()),
        );
        pages.push(Page {
            file,
            title: format!("{} ({})", r.path.display(), st),
            body,
        });
    }
    let mut index = format!(
        "<p>{} schedules under {}: {} reproduce, {} do not, {} unreadable.</p>\n",
        all.len() + errors.len(),
        code(dir),
        all.len() - bad,
        bad,
        errors.len()
    );
    index.push_str("<table>\n<tr><th>schedule</th><th>status</th><th>protocol</th><th>fault set</th><th>verdict now</th></tr>\n");
    index.push_str(&rows);
    for (path, e) in errors {
        let _ = writeln!(
            index,
            "<tr><td>{}</td><td>{}</td><td colspan=\"3\">{}</td></tr>",
            code(&path.display().to_string()),
            badge("error"),
            esc(e)
        );
    }
    index.push_str("</table>\n<p class=\"note\">reproduces: same verdict, invariant and trace hash as recorded; fixed: recorded a violation, now good; changed: anything else.</p>\n");
    pages[0].title = format!(
        "Corpus check: {}",
        if bad + errors.len() == 0 {
            "every schedule reproduces"
        } else {
            "some schedules do not reproduce"
        }
    );
    pages[0].body = index;
    pages
}
