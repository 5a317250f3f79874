//! SVG building blocks: text measured in a monospace font, truncation
//! with the full text as a tooltip, arrowheads and the shared style.

use crate::html::esc;
use std::fmt::Write;

/// Font size of diagram text, in px.
pub const FONT_PX: f64 = 12.0;
/// Advance of one monospace character at [`FONT_PX`] (DejaVu Sans Mono and
/// most monospace fonts are 0.6 em wide).
pub const CHAR_PX: f64 = FONT_PX * 0.6;

/// Width of `s` in px in the diagram font.
pub fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_PX
}

/// `s` cut to `max` characters (with `…`).
pub fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A `<text>` element at (x, y) with class `class`, the text cut to `max`
/// characters; when cut, the full text is its `<title>` (a tooltip).
pub fn text(out: &mut String, x: f64, y: f64, class: &str, s: &str, max: usize) {
    let shown = fit(s, max);
    let _ = write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\" class=\"{class}\">");
    if shown != s {
        let _ = write!(out, "<title>{}</title>", esc(s));
    }
    let _ = writeln!(out, "{}</text>", esc(&shown));
}

/// The `<svg>` start tag, `<defs>` (arrowheads) and the diagram style.
pub fn open(out: &mut String, width: f64, height: f64, label: &str) {
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(label)
    );
    out.push_str(STYLE);
    out.push_str(DEFS);
}

const STYLE: &str = r#"<style>
text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; fill: #1d2430;
  paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
text.head { font-size: 14px; font-weight: 700; }
text.tick { fill: #5b6475; }
text.muted { fill: #8a93a3; }
text.bad { fill: #c62828; font-weight: 700; }
text.hl { fill: #8e24aa; font-weight: 700; }
text.crashlabel { fill: #ffffff; stroke: none; font-weight: 700; }
text.missing { fill: #c62828; font-style: italic; }
text.vlabel { stroke: none; }
line.life { stroke: #9aa5b8; stroke-width: 2; }
line.down { stroke: #c62828; stroke-width: 2; stroke-dasharray: 2 4; }
line.grid { stroke: #eef1f5; stroke-width: 1; }
.msg { stroke: #1f5fbf; stroke-width: 1.4; fill: none; opacity: 0.75; }
.lost { stroke: #c62828; stroke-width: 1.8; stroke-dasharray: 6 4; fill: none; }
.late { stroke: #8a93a3; stroke-width: 1.2; stroke-dasharray: 2 3; fill: none; }
.witness { stroke: #ef6c00; stroke-width: 3; opacity: 0.95; }
circle.ev { fill: #1d2430; }
circle.derive { fill: #2e7d32; }
circle.hl { fill: #8e24aa; }
rect.crash { fill: #c62828; }
rect.back { fill: #ffffff; opacity: 0.82; }
rect.missing { fill: #fdecea; stroke: #c62828; stroke-dasharray: 4 3; }
rect.hl { fill: #f3e5f5; stroke: #8e24aa; }
.edge { stroke: #7d889b; stroke-width: 1.3; fill: none; }
.edge.cut { stroke: #c62828; stroke-dasharray: 5 4; }
.v { stroke: #5b6475; stroke-width: 1.3; fill: #ffffff; }
.v.derivation { fill: #e8f5e9; stroke: #2e7d32; }
.v.message { fill: #e3f2fd; stroke: #1f5fbf; }
.v.or, .v.and { fill: #fff8e1; stroke: #b26a00; }
.v.crash { fill: #ffebee; stroke: #c62828; }
.v.not { fill: #f3e5f5; stroke: #8e24aa; }
.v.false { fill: #fafafa; stroke: #c62828; stroke-width: 2.4; stroke-dasharray: 6 3; }
.v.omitted { fill: #ffcdd2; stroke: #c62828; stroke-width: 3; }
.v.root { stroke-width: 3.5; }
</style>
"#;

const DEFS: &str = r##"<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>
<marker id="arrow-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker>
<marker id="arrow-hl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#ef6c00"/></marker>
<marker id="arrow-edge" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7d889b"/></marker>
</defs>
"##;

/// A legend entry: a small inline SVG swatch (`kind`) and its meaning.
pub fn legend_item(kind: &str, meaning: &str) -> String {
    let swatch = match kind {
        "msg" => r##"<line x1="2" y1="7" x2="30" y2="7" stroke="#1f5fbf" stroke-width="1.6"/>"##,
        "lost" => {
            r##"<line x1="2" y1="7" x2="30" y2="7" stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"/>"##
        }
        "witness" => r##"<line x1="2" y1="7" x2="30" y2="7" stroke="#ef6c00" stroke-width="3"/>"##,
        "crash" => r##"<rect x="2" y="1" width="28" height="12" fill="#c62828"/>"##,
        "down" => {
            r##"<line x1="16" y1="0" x2="16" y2="14" stroke="#c62828" stroke-width="2" stroke-dasharray="2 3"/>"##
        }
        "hl" => r##"<rect x="2" y="1" width="28" height="12" fill="#f3e5f5" stroke="#8e24aa"/>"##,
        "missing" => {
            r##"<rect x="2" y="1" width="28" height="12" fill="#fdecea" stroke="#c62828" stroke-dasharray="4 3"/>"##
        }
        "derive" => r##"<circle cx="16" cy="7" r="4" fill="#2e7d32"/>"##,
        "derivation" => {
            r##"<rect x="2" y="1" width="28" height="12" fill="#e8f5e9" stroke="#2e7d32"/>"##
        }
        "message" => {
            r##"<rect x="2" y="1" width="28" height="12" rx="6" fill="#e3f2fd" stroke="#1f5fbf"/>"##
        }
        "or" => {
            r##"<rect x="2" y="1" width="28" height="12" rx="2" fill="#fff8e1" stroke="#b26a00"/>"##
        }
        "false" => {
            r##"<rect x="2" y="1" width="28" height="12" fill="#fafafa" stroke="#c62828" stroke-width="2" stroke-dasharray="5 3"/>"##
        }
        "omitted" => {
            r##"<rect x="2" y="1" width="28" height="12" rx="6" fill="#ffcdd2" stroke="#c62828" stroke-width="2.5"/>"##
        }
        _ => "",
    };
    format!(
        "<span><svg width=\"32\" height=\"14\" aria-hidden=\"true\">{swatch}</svg>{}</span>",
        esc(meaning)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_by_characters_and_keeps_short_text() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("αβγδ", 3), "αβ…");
    }

    #[test]
    fn cut_text_keeps_the_full_text_as_a_tooltip() {
        let mut s = String::new();
        text(&mut s, 0.0, 0.0, "c", "a<long>text", 4);
        assert!(s.contains("<title>a&lt;long&gt;text</title>"), "{s}");
        assert!(s.contains(">a&lt;l…</text>"), "{s}");
    }
}
