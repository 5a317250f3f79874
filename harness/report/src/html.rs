//! HTML text: escaping, the page frame (inline CSS, navigation) and small
//! building blocks shared by every page.

use std::fmt::Write;

/// Escapes `s` for HTML text and double- or single-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One page of a report: its file name, its title and its body HTML.
#[derive(Clone, Debug)]
pub struct Page {
    /// File name inside the report directory (`index.html`, …).
    pub file: String,
    /// Title (plain text; escaped when written).
    pub title: String,
    /// Body HTML (already escaped).
    pub body: String,
}

/// The style of every page: system fonts only (nothing is fetched).
const CSS: &str = r#"
:root { --fg:#1d2430; --muted:#5b6475; --line:#d5dae3; --bg:#ffffff; --panel:#f5f7fa;
  --bad:#c62828; --good:#2e7d32; --warn:#b26a00; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif;
  font-size:15px; line-height:1.45; color:var(--fg); background:var(--bg); }
header { background:#20293a; color:#fff; padding:10px 24px; }
header a { color:#cfe0ff; text-decoration:none; margin-right:16px; font-size:14px; }
header a.here { color:#fff; font-weight:600; text-decoration:underline; }
header .brand { font-weight:700; margin-right:24px; color:#fff; }
main { padding:16px 24px 40px; max-width:1600px; }
h1 { font-size:22px; margin:8px 0 12px; }
h2 { font-size:18px; margin:24px 0 8px; border-bottom:1px solid var(--line); padding-bottom:4px; }
code, .mono, td.mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size:13px; }
table { border-collapse:collapse; margin:8px 0; }
th, td { border:1px solid var(--line); padding:4px 10px; text-align:left; vertical-align:top; }
th { background:var(--panel); font-weight:600; }
table.kv th { width:190px; }
tr.violated td { background:#fdecea; }
tr.minimize td { color:var(--muted); }
.verdict { display:inline-block; padding:2px 10px; border-radius:12px; font-weight:700; color:#fff; }
.verdict.bad { background:var(--bad); } .verdict.good { background:var(--good); } .verdict.warn { background:var(--warn); }
.note { color:var(--muted); font-size:14px; }
.figure { overflow:auto; border:1px solid var(--line); background:#fff; padding:8px; margin:8px 0; }
.legend { display:flex; flex-wrap:wrap; gap:6px 18px; margin:6px 0 4px; font-size:13px; color:var(--muted); }
.legend span { display:inline-flex; align-items:center; gap:6px; }
ul.pages li { margin:3px 0; }
pre.cmd { background:var(--panel); border:1px solid var(--line); padding:8px 10px; overflow:auto; }
"#;

/// The whole document of `page`, with a navigation bar linking `nav`
/// (file, label) pairs.
pub fn document(page: &Page, report_title: &str, nav: &[(String, String)]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{} — {}</title>",
        esc(&page.title),
        esc(report_title)
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str("<header><span class=\"brand\">ldfi report</span>");
    for (file, label) in nav {
        let here = if *file == page.file {
            " class=\"here\""
        } else {
            ""
        };
        let _ = write!(out, "<a href=\"{}\"{here}>{}</a>", esc(file), esc(label));
    }
    out.push_str("</header>\n<main>\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&page.title));
    out.push_str(&page.body);
    out.push_str("\n</main>\n</body>\n</html>\n");
    out
}

/// A two-column table of (label, value HTML) rows.
pub fn kv_table(rows: &[(&str, String)]) -> String {
    let mut out = String::from("<table class=\"kv\">\n");
    for (k, v) in rows {
        let _ = writeln!(out, "<tr><th>{}</th><td>{v}</td></tr>", esc(k));
    }
    out.push_str("</table>\n");
    out
}

/// The rows every report shows of a run's setup: protocol, version,
/// workload, bounds, crash semantics.
pub fn setup_rows(
    protocol: &str,
    version: &str,
    workload: &str,
    params: &ldfi_harness::Params,
    crash: ldfi_harness::CrashMode,
) -> Vec<(&'static str, String)> {
    vec![
        ("protocol", code(protocol)),
        ("version", code(version)),
        ("workload", code(workload)),
        (
            "bounds",
            format!(
                "EOT {} · EFF {} · crashes {}",
                params.eot, params.eff, params.crashes
            ),
        ),
        ("crash semantics", code(crash.name())),
    ]
}

/// A verdict badge: red for violations, green for certificates and good
/// runs, amber for anything in between.
pub fn badge(word: &str) -> String {
    let class = match word {
        "counterexample" | "violated" | "changed" => "bad",
        "certified" | "good" | "reproduces" => "good",
        _ => "warn",
    };
    format!("<span class=\"verdict {class}\">{}</span>", esc(word))
}

/// `<code>` around escaped text.
pub fn code(s: &str) -> String {
    format!("<code>{}</code>", esc(s))
}

/// A link to `file` labelled `label` (both escaped).
pub fn link(file: &str, label: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(file), esc(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn document_escapes_the_title_and_marks_the_current_page() {
        let p = Page {
            file: "a.html".into(),
            title: "<x>".into(),
            body: String::new(),
        };
        let nav = [("a.html".to_string(), "A".to_string())];
        let d = document(&p, "r", &nav);
        assert!(d.contains("<h1>&lt;x&gt;</h1>"));
        assert!(d.contains("<a href=\"a.html\" class=\"here\">A</a>"));
    }
}
