//! `--report DIR`: the HTML reports of searches (a counterexample and a
//! certificate, for es-replication and the web forum), of a replay and of
//! a corpus check. Every page parses as HTML5 without errors, every link
//! resolves to a file of the report, nothing is fetched, and the diagrams
//! name every node and every fault of the fault set.

mod common;
use common::*;
use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::path::Path;

const ES_NODES: &[&str] = &["C", "n1", "n2", "n3", "M"];
const FORUM_NODES: &[&str] = &["frontend", "auth", "kv", "c1", "c2"];

/// Parses every page of the report in `dir`; checks parsing, links and
/// self-containment; returns the pages by file name.
fn pages(dir: &Path) -> BTreeMap<String, Html> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("report dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".html") {
            assert!(name == ".ldfi-report", "unexpected file {name}");
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("utf-8 page");
        let doc = Html::parse_document(&text);
        assert!(
            doc.errors.is_empty(),
            "{name}: parse errors {:?}",
            doc.errors
        );
        for bad in ["script", "link", "img", "iframe", "object"] {
            let sel = Selector::parse(bad).unwrap();
            assert_eq!(doc.select(&sel).count(), 0, "{name}: has <{bad}>");
        }
        assert!(!text.contains("src="), "{name}: loads something");
        assert!(!text.contains("url(http"), "{name}: fetches a URL");
        out.insert(name, doc);
    }
    assert!(out.contains_key("index.html"), "an index page");
    let a = Selector::parse("a[href]").unwrap();
    let mut linked = std::collections::BTreeSet::new();
    for (name, doc) in &out {
        for link in doc.select(&a) {
            let href = link.value().attr("href").unwrap();
            assert!(
                out.contains_key(href),
                "{name}: link to {href} does not resolve"
            );
            linked.insert(href.to_string());
        }
    }
    let index_links: Vec<_> = out["index.html"]
        .select(&a)
        .map(|l| l.value().attr("href").unwrap().to_string())
        .collect();
    for name in out.keys().filter(|n| *n != "index.html") {
        assert!(index_links.contains(name), "index does not link {name}");
    }
    out
}

/// The text of every `<svg>` of a page, one string per SVG.
fn svgs(doc: &Html) -> Vec<String> {
    let sel = Selector::parse("svg").unwrap();
    doc.select(&sel)
        .map(|s| s.text().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The faults of a `{a, b}` fault set as written.
fn faults(set: &str) -> Vec<String> {
    let inner = set.trim_start_matches('{').trim_end_matches('}');
    if inner.is_empty() {
        return Vec::new();
    }
    inner
        .split("), ")
        .map(|f| {
            if f.ends_with(')') {
                f.to_string()
            } else {
                format!("{f})")
            }
        })
        .collect()
}

/// Asserts that one SVG of `doc` names every node and every fault.
fn names_all(doc: &Html, nodes: &[&str], faults: &[String], what: &str) {
    let ok = svgs(doc).iter().any(|t| {
        nodes.iter().all(|n| t.contains(n)) && faults.iter().all(|f| t.contains(f.as_str()))
    });
    assert!(
        ok,
        "{what}: no SVG names every node of {nodes:?} and fault of {faults:?}"
    );
}

/// Runs `ldfi search ARGS --json --no-save --report DIR`; the JSON.
fn search(dir: &Path, args: &[&str], code: i32) -> serde_json::Value {
    let mut all = vec![
        "search",
        "--json",
        "--no-save",
        "--report",
        dir.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = ldfi(&all);
    assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
    assert!(stderr(&o).contains("report: "), "{}", stderr(&o));
    json(&o)
}

fn history_rows(doc: &Html) -> usize {
    let sel = Selector::parse("table tr").unwrap();
    doc.select(&sel).count() - 1
}

/// Searches `protocol` `version` with a report; the JSON and the pages,
/// whose history has a row per execution.
fn searched(
    protocol: &str,
    version: &str,
    name: &str,
    code: i32,
) -> (serde_json::Value, BTreeMap<String, Html>) {
    let dir = temp_dir(name);
    let j = search(&dir, &["--protocol", protocol, "--version", version], code);
    let p = pages(&dir);
    let executions = j["executions"].as_u64().unwrap();
    assert_eq!(history_rows(&p["history.html"]) as u64, executions);
    (j, p)
}

fn counterexample(
    protocol: &str,
    version: &str,
    nodes: &[&str],
    name: &str,
) -> BTreeMap<String, Html> {
    let (j, p) = searched(protocol, version, name, 1);
    let set = j["counterexample"]["fault_set"].as_str().unwrap();
    let fs = faults(set);
    assert!(!fs.is_empty());
    names_all(&p["counterexample-1.html"], nodes, &fs, "counterexample");
    names_all(&p["lineage.html"], &[], &fs, "lineage overlay");
    let index = p["index.html"].root_element().text().collect::<String>();
    assert!(
        index.contains("counterexample") && index.contains(&format!("EOT {}", j["params"]["eot"])),
        "verdict and bounds"
    );
    p
}

fn certificate(
    protocol: &str,
    version: &str,
    nodes: &[&str],
    name: &str,
) -> BTreeMap<String, Html> {
    let (j, p) = searched(protocol, version, name, 0);
    assert_eq!(j["verdict"], "certified");
    assert!(!p.keys().any(|k| k.starts_with("counterexample")));
    let lineage = &p["lineage.html"];
    // The overlay is the last good run's own fault set, named in the title.
    let h1 = Selector::parse("p code").unwrap();
    let set = lineage
        .select(&h1)
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    names_all(lineage, nodes, &faults(&set), "certificate lineage page");
    p
}

#[test]
fn es_replication_counterexample_report() {
    let p = counterexample("es-replication", "v1", ES_NODES, "report-es-cex");
    let cex = p["counterexample-1.html"].html();
    assert!(
        cex.contains("class=\"lost\""),
        "a lost message is drawn dashed red"
    );
    assert!(cex.contains("class=\"crash\""), "the crash is marked");
    assert!(
        cex.contains("missing: "),
        "the missing facts are shown at EOT"
    );
}

#[test]
fn es_replication_certificate_report() {
    certificate("es-replication", "v5", ES_NODES, "report-es-cert");
}

#[test]
fn web_forum_counterexample_report_shows_the_automaton() {
    let p = counterexample(
        "web-forum",
        "insert-before-auth",
        FORUM_NODES,
        "report-forum-cex",
    );
    let e = &p["enforcement-1.html"];
    let text = e.root_element().text().collect::<String>();
    assert!(
        text.contains("I2_only_authenticated_clients_post"),
        "{text}"
    );
    assert!(text.contains("accepting: violation"), "{text}");
    assert!(
        text.contains("frontend → kv"),
        "the offending key's message: {text}"
    );
    assert!(
        p["counterexample-1.html"].html().contains("msg witness"),
        "witness highlighted"
    );
}

#[test]
fn web_forum_certificate_report() {
    certificate("web-forum", "correct", FORUM_NODES, "report-forum-cert");
}

#[test]
fn replay_and_corpus_reports() {
    let dir = temp_dir("report-replay");
    let o = ldfi(&[
        "replay",
        "scenarios/web-forum-insert-before-auth.json",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let p = pages(&dir);
    for f in ["run.html", "lineage.html", "enforcement.html"] {
        assert!(p.contains_key(f), "{f}");
    }
    names_all(
        &p["run.html"],
        FORUM_NODES,
        &faults("{omit(frontend, auth, 2)}"),
        "replay",
    );

    let corpus = root().join("scenarios/corpus/es-replication");
    let n = walk(&corpus);
    let dir = temp_dir("report-corpus");
    let o = ldfi(&[
        "corpus",
        "check",
        corpus.to_str().unwrap(),
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = pages(&dir);
    assert_eq!(
        p.keys().filter(|k| k.starts_with("schedule-")).count(),
        n,
        "a page per schedule"
    );
    for (name, doc) in p.iter().filter(|(k, _)| k.starts_with("schedule-")) {
        names_all(doc, ES_NODES, &[], name);
    }
}

/// Schedule files under `dir`.
fn walk(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += walk(&p);
        } else if p.extension().is_some_and(|x| x == "json") {
            n += 1;
        }
    }
    n
}

#[test]
fn a_users_directory_is_never_overwritten_and_a_report_is() {
    let dir = temp_dir("report-user-dir");
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let d = dir.to_str().unwrap();
    let o = ldfi(&[
        "search",
        "--protocol",
        "simple-deliv",
        "--no-save",
        "--report",
        d,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--report") && err.contains("not empty"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!dir.join("index.html").exists());
    // A previous report is replaced.
    let dir = temp_dir("report-again");
    let d = dir.to_str().unwrap();
    for _ in 0..2 {
        let o = ldfi(&[
            "search",
            "--protocol",
            "simple-deliv",
            "--no-save",
            "--report",
            d,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    }
    pages(&dir);
}

#[test]
fn the_parser_reports_errors_so_a_clean_parse_means_something() {
    assert!(!Html::parse_document("<!DOCTYPE html><p></div>")
        .errors
        .is_empty());
    assert!(Html::parse_document(
        "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>"
    )
    .errors
    .is_empty());
}
