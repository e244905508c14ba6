//! The page shell and the blocks every HTML report is made of: sections,
//! sortable and filterable tables, severity bar charts (inline SVG), key and
//! value lists, badges and copyable snippets. Each takes plain values and
//! escapes every string it is given; a report (`image`, `config`, `audit`
//! today, `check` later) composes them.

use super::markup::{Html, el, text_el, void_el};
use bulkhead_types::Severity;
use std::fmt::Write as _;

/// The stylesheet, inlined in every page (no external resource).
pub const STYLE: &str = include_str!("page.css");
/// The script, inlined in every page: progressive enhancement only (column
/// sort, row filter, copy buttons). It reads the page, never data of its
/// own: nothing from input is placed in it.
pub const SCRIPT: &str = include_str!("page.js");

/// `s` as an element id: ASCII letters, digits, `-` and `_` kept, anything
/// else becomes `-` (an id also names a fragment link, `href="#id"`).
pub fn slug(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

/// `'sha256-<base64>'` of `text`: a Content-Security-Policy source that
/// allows exactly this inline script or stylesheet.
fn csp_hash(text: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page's Content-Security-Policy: nothing may be loaded (no network,
/// no other file), only this page's own script and stylesheet run, no
/// inline event handler, no form submission, no `<base>`.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    )
}

/// One self-contained HTML5 page: a header, sections (each listed in the
/// page's navigation), a footer. [`HtmlPage::render`] writes the shell with
/// the inline stylesheet and script.
#[derive(Debug, Clone, Default)]
pub struct HtmlPage {
    title: String,
    header: Html,
    nav: Vec<(String, String)>,
    body: Html,
    footer: Html,
    generator: String,
}

impl HtmlPage {
    /// A page titled `title` (the `<title>` and the `<h1>`).
    pub fn new(title: &str) -> HtmlPage {
        HtmlPage {
            title: title.to_string(),
            ..HtmlPage::default()
        }
    }

    /// The tool and version, for `<meta name="generator">` and the footer.
    pub fn generator(&mut self, name: &str) -> &mut Self {
        self.generator = name.to_string();
        self
    }

    /// Markup under the page title (metadata of what was scanned).
    pub fn header(&mut self, html: Html) -> &mut Self {
        self.header.push(html);
        self
    }

    /// Appends a section `<section id=…><h2>title</h2>body</section>`,
    /// listed in the navigation. `id` goes through [`slug`].
    pub fn section(&mut self, id: &str, title: &str, body: Html) -> &mut Self {
        let id = slug(id);
        let heading = format!("{id}-h");
        let mut inner = text_el("h2", &[("id", &heading)], title);
        inner.push_trusted("\n");
        inner.push(body);
        self.body.push(el(
            "section",
            &[("id", &id), ("aria-labelledby", &heading)],
            inner,
        ));
        self.body.push_trusted("\n");
        self.nav.push((id, title.to_string()));
        self
    }

    /// Markup in the footer (after the generator line).
    pub fn footer(&mut self, html: Html) -> &mut Self {
        self.footer.push(html);
        self
    }

    /// The whole document.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.body.as_str().len() + STYLE.len() + 4096);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n");
        out.push_str(void_el("meta", &[("charset", "utf-8")]).as_str());
        out.push('\n');
        out.push_str(
            void_el(
                "meta",
                &[
                    ("name", "viewport"),
                    ("content", "width=device-width, initial-scale=1"),
                ],
            )
            .as_str(),
        );
        out.push('\n');
        out.push_str(
            void_el(
                "meta",
                &[
                    ("http-equiv", "Content-Security-Policy"),
                    ("content", &content_security_policy()),
                ],
            )
            .as_str(),
        );
        out.push('\n');
        out.push_str(void_el("meta", &[("name", "referrer"), ("content", "no-referrer")]).as_str());
        out.push('\n');
        if !self.generator.is_empty() {
            out.push_str(
                void_el(
                    "meta",
                    &[("name", "generator"), ("content", &self.generator)],
                )
                .as_str(),
            );
            out.push('\n');
        }
        out.push_str(text_el("title", &[], &self.title).as_str());
        out.push_str("\n<style>");
        out.push_str(STYLE);
        out.push_str("</style>\n</head>\n<body>\n<header class=\"page\">\n");
        out.push_str(text_el("h1", &[], &self.title).as_str());
        out.push('\n');
        out.push_str(self.header.as_str());
        out.push_str("</header>\n");
        if !self.nav.is_empty() {
            out.push_str("<nav aria-label=\"Sections\"><ul>\n");
            for (id, title) in &self.nav {
                // `id` is a slug: letters, digits, `-`, `_` only.
                let _ = writeln!(out, "<li><a href=\"#{id}\">{}</a></li>", Html::text(title));
            }
            out.push_str("</ul></nav>\n");
        }
        out.push_str("<main>\n");
        out.push_str(self.body.as_str());
        out.push_str("</main>\n<footer>\n");
        if !self.generator.is_empty() {
            out.push_str(
                text_el(
                    "p",
                    &[],
                    &format!(
                        "Written by {}. This file loads nothing from the network; its script only sorts and filters the tables.",
                        self.generator
                    ),
                )
                .as_str(),
            );
            out.push('\n');
        }
        out.push_str(self.footer.as_str());
        out.push_str("</footer>\n<script>");
        out.push_str(SCRIPT);
        out.push_str("</script>\n</body>\n</html>\n");
        out
    }
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts([usize; 5]);

impl SeverityCounts {
    fn slot(sev: Severity) -> usize {
        match sev {
            Severity::Unknown => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
            Severity::Critical => 4,
        }
    }

    /// Counts one finding of `sev`.
    pub fn add(&mut self, sev: Severity) {
        if let Some(n) = self.0.get_mut(Self::slot(sev)) {
            *n += 1;
        }
    }

    /// Findings of `sev`.
    pub fn get(&self, sev: Severity) -> usize {
        self.0.get(Self::slot(sev)).copied().unwrap_or(0)
    }

    /// All findings.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &SeverityCounts) {
        for sev in Severity::ALL {
            if let Some(n) = self.0.get_mut(Self::slot(sev)) {
                *n += other.get(sev);
            }
        }
    }
}

impl FromIterator<Severity> for SeverityCounts {
    fn from_iter<I: IntoIterator<Item = Severity>>(iter: I) -> SeverityCounts {
        let mut c = SeverityCounts::default();
        for s in iter {
            c.add(s);
        }
        c
    }
}

/// Severities from the most to the least urgent.
pub const SEVERITIES_DESC: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Unknown,
];

/// The CSS class of a severity (`sev-critical`, …).
pub fn severity_class(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "sev-critical",
        Severity::High => "sev-high",
        Severity::Medium => "sev-medium",
        Severity::Low => "sev-low",
        Severity::Unknown => "sev-unknown",
    }
}

/// A severity as a coloured label; the word is always there, so colour is
/// never the only cue.
pub fn severity_badge(sev: Severity) -> Html {
    text_el("span", &[("class", severity_class(sev))], sev.as_str())
}

/// The tone of a [`badge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// In place, passed.
    Good,
    /// Partial, a warning.
    Warn,
    /// Missing, failed.
    Bad,
    /// Informational.
    Neutral,
}

/// A short label with a tone (`in place`, `missing`, `FAIL`, …).
pub fn badge(text: &str, tone: Tone) -> Html {
    let class = match tone {
        Tone::Good => "badge tone-good",
        Tone::Warn => "badge tone-warn",
        Tone::Bad => "badge tone-bad",
        Tone::Neutral => "badge tone-neutral",
    };
    text_el("span", &[("class", class)], text)
}

/// A list of names and values (`<dl>`); entries with empty values are left
/// out.
pub fn kv_list(entries: &[(&str, Html)]) -> Html {
    let mut inner = Html::new();
    for (name, value) in entries {
        if value.is_empty() {
            continue;
        }
        let mut pair = text_el("dt", &[], name);
        pair.push(el("dd", &[], value.clone()));
        inner.push(el("div", &[], pair));
        inner.push_trusted("\n");
    }
    if inner.is_empty() {
        return inner;
    }
    let mut out = el("dl", &[("class", "meta")], inner);
    out.push_trusted("\n");
    out
}

/// A number shown big with its label; `id` (when given) lets tests and
/// scripts find it, and `data-count` holds the plain number.
pub fn stat(label: &str, value: usize, id: Option<&str>, class: &str) -> Html {
    let n = value.to_string();
    let mut inner = el(
        "span",
        &[("class", "stat-value"), ("data-count", &n)],
        Html::number(value),
    );
    inner.push(text_el("span", &[("class", "stat-label")], label));
    let class = format!("stat {class}");
    let mut out = match id {
        Some(id) => el("div", &[("class", &class), ("id", &slug(id))], inner),
        None => el("div", &[("class", &class)], inner),
    };
    out.push_trusted("\n");
    out
}

/// A paragraph of text.
pub fn para(s: &str) -> Html {
    let mut p = text_el("p", &[], s);
    p.push_trusted("\n");
    p
}

/// Code or configuration to copy: `<figure><figcaption>title</figcaption>
/// <pre><code>…</code></pre></figure>`, newlines kept. The script adds a
/// copy button; without it the text is selectable as usual.
pub fn snippet(title: &str, code: &str) -> Html {
    let mut inner = Html::new();
    if !title.is_empty() {
        inner.push(text_el("figcaption", &[], title));
    }
    inner.push(el("pre", &[], el("code", &[], Html::text_multiline(code))));
    let mut out = el("figure", &[("class", "snippet")], inner);
    out.push_trusted("\n");
    out
}

/// How a column sorts when its header is clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    /// By text, A to Z first.
    Text,
    /// By number (a cell's `data-sort`), highest first.
    Number,
}

/// A table column.
#[derive(Debug, Clone)]
pub struct Column {
    title: String,
    kind: SortKind,
}

impl Column {
    /// A column that sorts by text.
    pub fn text(title: &str) -> Column {
        Column {
            title: title.to_string(),
            kind: SortKind::Text,
        }
    }

    /// A column that sorts by number.
    pub fn number(title: &str) -> Column {
        Column {
            title: title.to_string(),
            kind: SortKind::Number,
        }
    }
}

/// A table cell: markup and an optional sort key.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    html: Html,
    sort: Option<String>,
    class: Option<&'static str>,
}

impl Cell {
    /// A cell of escaped text.
    pub fn text(s: &str) -> Cell {
        Cell {
            html: Html::text(s),
            ..Cell::default()
        }
    }

    /// A cell of markup.
    pub fn html(html: Html) -> Cell {
        Cell {
            html,
            ..Cell::default()
        }
    }

    /// A cell showing `shown`, sorting by `key`.
    pub fn number(shown: &str, key: f64) -> Cell {
        Cell::text(shown).sort_by(key)
    }

    /// Sorts by `key` in a [`SortKind::Number`] column.
    pub fn sort_by(mut self, key: f64) -> Cell {
        self.sort = Some(if key.is_finite() {
            key.to_string()
        } else {
            "0".to_string()
        });
        self
    }

    /// A CSS class of this program (`code`, `id`, `num`, `nowrap`, `pre`).
    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = Some(class);
        self
    }
}

/// A table row; a severity lets the filter and the colour stripe see it.
#[derive(Debug, Clone, Default)]
pub struct Row {
    cells: Vec<Cell>,
    severity: Option<Severity>,
}

impl Row {
    /// A row of cells.
    pub fn new(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            severity: None,
        }
    }

    /// The finding's severity.
    pub fn severity(mut self, sev: Severity) -> Row {
        self.severity = Some(sev);
        self
    }
}

/// A table of findings (or anything else): sortable by clicking a column
/// header and filterable by text and severity when the script runs; in the
/// given row order, complete, without it.
#[derive(Debug, Clone)]
pub struct Table {
    id: String,
    caption: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    filter: bool,
}

impl Table {
    /// An empty table; `id` goes through [`slug`].
    pub fn new(id: &str, caption: &str, columns: Vec<Column>) -> Table {
        Table {
            id: slug(id),
            caption: caption.to_string(),
            columns,
            rows: Vec::new(),
            filter: true,
        }
    }

    /// No filter box (a short table such as a summary); still sortable.
    pub fn without_filter(mut self) -> Table {
        self.filter = false;
        self
    }

    /// Appends a row.
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table's markup.
    pub fn render(&self) -> Html {
        table(self)
    }
}

/// Severity as the number the filter compares (`UNKNOWN` 0 … `CRITICAL` 4).
pub fn severity_rank(sev: Severity) -> u8 {
    bulkhead_types::rating::severity_number(sev)
}

/// A [`Table`]'s markup.
pub fn table(t: &Table) -> Html {
    let mut head = Html::new();
    for c in &t.columns {
        let kind = match c.kind {
            SortKind::Text => "text",
            SortKind::Number => "number",
        };
        head.push(text_el(
            "th",
            &[("scope", "col"), ("data-kind", kind)],
            &c.title,
        ));
    }
    let mut body = Html::new();
    for row in &t.rows {
        let mut cells = Html::new();
        for cell in &row.cells {
            let mut attrs: Vec<(&'static str, &str)> = Vec::new();
            if let Some(k) = &cell.sort {
                attrs.push(("data-sort", k));
            }
            if let Some(c) = cell.class {
                attrs.push(("class", c));
            }
            cells.push(el("td", &attrs, cell.html.clone()));
        }
        let rank;
        let tr = match row.severity {
            Some(sev) => {
                rank = severity_rank(sev).to_string();
                el(
                    "tr",
                    &[("data-severity", &rank), ("class", severity_class(sev))],
                    cells,
                )
            }
            None => el("tr", &[], cells),
        };
        body.push(tr);
        body.push_trusted("\n");
    }
    let n = t.rows.len();
    let mut inner = text_el(
        "caption",
        &[],
        &format!(
            "{} ({n} {})",
            t.caption,
            if n == 1 { "row" } else { "rows" }
        ),
    );
    inner.push_trusted("\n");
    inner.push(el("thead", &[], el("tr", &[], head)));
    inner.push_trusted("\n");
    inner.push(el("tbody", &[], {
        let mut b = Html::trusted("\n");
        b.push(body);
        b
    }));
    let class = if t.filter {
        "findings sortable filterable"
    } else {
        "findings sortable"
    };
    let table = el("table", &[("class", class), ("id", &t.id)], inner);
    let mut out = el("div", &[("class", "table-wrap")], table);
    out.push_trusted("\n");
    out
}

/// One bar of a [`bar_chart`]: a label and its counts by severity.
#[derive(Debug, Clone)]
pub struct ChartRow {
    pub label: String,
    pub counts: SeverityCounts,
}

/// Horizontal stacked bars, one per row, split by severity, as inline SVG:
/// `role="img"` with a `<title>` and `<desc>`, each segment with its own
/// `<title>`, each bar's label and total as text; the numbers are also in
/// the page as a table, so the chart is never the only place they are.
pub fn bar_chart(id: &str, title: &str, rows: &[ChartRow]) -> Html {
    const LABEL_W: f64 = 190.0;
    const BAR_W: f64 = 440.0;
    const ROW_H: f64 = 30.0;
    const TOP: f64 = 34.0;
    let id = slug(id);
    let max = rows.iter().map(|r| r.counts.total()).max().unwrap_or(0);
    let height = TOP + ROW_H * rows.len() as f64 + 8.0;
    let width = LABEL_W + BAR_W + 70.0;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let desc = rows
        .iter()
        .map(|r| {
            let parts: Vec<String> = SEVERITIES_DESC
                .iter()
                .filter(|s| r.counts.get(**s) > 0)
                .map(|s| format!("{} {}", r.counts.get(*s), s.as_str()))
                .collect();
            if parts.is_empty() {
                format!("{}: none", r.label)
            } else {
                format!("{}: {}", r.label, parts.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = text_el("title", &[("id", &title_id)], title);
    svg.push(text_el("desc", &[("id", &desc_id)], &desc));
    svg.push_trusted("\n");
    // Legend.
    let mut x = LABEL_W;
    for sev in SEVERITIES_DESC {
        let xs = fmt_num(x);
        svg.push(el(
            "rect",
            &[
                ("x", &xs),
                ("y", "8"),
                ("width", "12"),
                ("height", "12"),
                ("class", severity_class(sev)),
            ],
            Html::new(),
        ));
        svg.push(text_el(
            "text",
            &[("x", &fmt_num(x + 16.0)), ("y", "18"), ("class", "legend")],
            sev.as_str(),
        ));
        x += 86.0;
    }
    svg.push_trusted("\n");
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let mut g = text_el(
            "text",
            &[
                ("x", &fmt_num(LABEL_W - 8.0)),
                ("y", &fmt_num(y + 15.0)),
                ("text-anchor", "end"),
                ("class", "bar-label"),
            ],
            &r.label,
        );
        let mut x = LABEL_W;
        for sev in SEVERITIES_DESC {
            let n = r.counts.get(sev);
            if n == 0 || max == 0 {
                continue;
            }
            let w = BAR_W * n as f64 / max as f64;
            g.push(el(
                "rect",
                &[
                    ("x", &fmt_num(x)),
                    ("y", &fmt_num(y + 2.0)),
                    ("width", &fmt_num(w.max(1.0))),
                    ("height", &fmt_num(ROW_H - 10.0)),
                    ("class", severity_class(sev)),
                ],
                text_el("title", &[], &format!("{}: {n} {}", r.label, sev.as_str())),
            ));
            x += w.max(1.0);
        }
        g.push(text_el(
            "text",
            &[
                ("x", &fmt_num(x + 6.0)),
                ("y", &fmt_num(y + 15.0)),
                ("class", "bar-total"),
            ],
            &r.counts.total().to_string(),
        ));
        svg.push(el("g", &[], g));
        svg.push_trusted("\n");
    }
    let view = format!("0 0 {} {}", fmt_num(width), fmt_num(height));
    let labelled = format!("{title_id} {desc_id}");
    let mut out = el(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("class", "chart"),
            ("id", &id),
            ("viewBox", &view),
            ("width", &fmt_num(width)),
            ("height", &fmt_num(height)),
            ("role", "img"),
            ("aria-labelledby", &labelled),
        ],
        {
            let mut b = Html::trusted("\n");
            b.push(svg);
            b
        },
    );
    out.push_trusted("\n");
    out
}

/// A coordinate with at most one decimal, without a trailing `.0`.
fn fmt_num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}
