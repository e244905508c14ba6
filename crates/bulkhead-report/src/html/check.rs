//! A [`CheckReport`] (`bulkhead check`) as an HTML page: what was checked
//! and its exposure, the eight-layer scoreboard with its evidence, a chart
//! of findings by layer and severity, the findings in risk order with their
//! reasons, the findings VEX suppressed, the fix plan with copyable
//! snippets, the image's metadata and layers. Built from the same blocks
//! as the [`Report`](bulkhead_types::Report) page.

use super::blocks::{
    Cell, ChartRow, Column, HtmlPage, Row, SEVERITIES_DESC, SeverityCounts, Table, Tone, badge,
    bar_chart, kv_list, para, severity_class, snippet, stat,
};
use super::markup::{Html, el, text_el};
use super::report::{layer_table, metadata, suppressed_table, warnings};
use crate::WriteOptions;
use crate::check::{source_words, what};
use bulkhead_types::check::{CheckReport, LayerState, StackLayer};

fn state_badge(s: LayerState) -> Html {
    let tone = match s {
        LayerState::InPlace => Tone::Good,
        LayerState::Partial => Tone::Warn,
        LayerState::Missing => Tone::Bad,
    };
    badge(s.words(), tone)
}

/// Lines of text, one per line.
fn lines<'a>(items: impl IntoIterator<Item = &'a str>) -> Html {
    let mut out = Html::new();
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_trusted("<br>");
        }
        out.push_text(s);
    }
    out
}

fn header(r: &CheckReport) -> Html {
    let factors: Vec<&str> = r
        .exposure
        .factors
        .iter()
        .map(|f| f.reason.as_str())
        .collect();
    kv_list(&[
        ("Workload", Html::text(&source_words(r))),
        (
            "Exposure",
            Html::text(&format!(
                "{:.2} (risk ×{})",
                r.exposure.score, r.exposure.multiplier
            )),
        ),
        ("Exposed by", lines(factors)),
    ])
}

fn scoreboard(r: &CheckReport) -> Html {
    let c = &r.counts;
    let mut stats = stat(
        "layers in place",
        c.layers_in_place,
        Some("layers-in-place"),
        "good",
    );
    stats.push(stat(
        "partial",
        c.layers_partial,
        Some("layers-partial"),
        "warn",
    ));
    stats.push(stat(
        "missing",
        c.layers_missing,
        Some("layers-missing"),
        "bad",
    ));
    let mut out = el("div", &[("class", "stats")], stats);
    out.push_trusted("\n");
    let mut t = Table::new(
        "scoreboard-table",
        "The eight layers of the stack",
        vec![
            Column::number("#"),
            Column::text("Layer"),
            Column::text("Protects"),
            Column::text("State"),
            Column::text("Evidence"),
            Column::number("Findings"),
        ],
    )
    .without_filter();
    for v in &r.scoreboard {
        let n = v.layer.number();
        let state_key = match v.state {
            LayerState::Missing => 0.0,
            LayerState::Partial => 1.0,
            LayerState::InPlace => 2.0,
        };
        t.push(Row::new(vec![
            Cell::number(&n.to_string(), f64::from(n)),
            Cell::text(v.layer.name()),
            Cell::text(v.layer.protects()),
            Cell::html(state_badge(v.state)).sort_by(state_key),
            Cell::html(lines(v.evidence.iter().map(String::as_str))),
            Cell::number(&v.findings.to_string(), v.findings as f64),
        ]));
    }
    out.push(t.render());
    out
}

/// Findings by layer and severity, as a table and a chart.
fn by_layer(r: &CheckReport) -> Html {
    let rows: Vec<ChartRow> = StackLayer::ALL
        .iter()
        .map(|layer| ChartRow {
            label: format!("{}. {}", layer.number(), layer.name()),
            counts: r
                .findings
                .iter()
                .filter(|f| f.layer == *layer)
                .map(|f| f.severity)
                .collect::<SeverityCounts>(),
        })
        .collect();
    let mut all = SeverityCounts::default();
    rows.iter().for_each(|row| all.merge(&row.counts));
    let mut stats = stat("Findings", all.total(), Some("finding-count"), "total");
    for sev in SEVERITIES_DESC {
        stats.push(stat(sev.as_str(), all.get(sev), None, severity_class(sev)));
    }
    let mut out = el("div", &[("class", "stats")], stats);
    out.push_trusted("\n");
    let c = &r.counts;
    if c.hidden_by_severity + c.ignored + c.suppressed > 0 {
        out.push(para(&format!(
            "{} finding(s) hidden by --severity, {} ignored, {} suppressed by VEX.",
            c.hidden_by_severity, c.ignored, c.suppressed
        )));
    }
    let mut t = Table::new(
        "layer-counts",
        "Findings by layer and severity",
        std::iter::once(Column::text("Layer"))
            .chain(SEVERITIES_DESC.iter().map(|s| Column::number(s.as_str())))
            .chain(std::iter::once(Column::number("Total")))
            .collect(),
    )
    .without_filter();
    for row in &rows {
        let mut cells = vec![Cell::text(&row.label)];
        for sev in SEVERITIES_DESC {
            let n = row.counts.get(sev);
            cells.push(Cell::number(&n.to_string(), n as f64));
        }
        let n = row.counts.total();
        cells.push(Cell::number(&n.to_string(), n as f64));
        t.push(Row::new(cells));
    }
    out.push(t.render());
    out.push(bar_chart(
        "chart-layers",
        "Findings by layer and severity",
        &rows,
    ));
    out
}

fn findings(r: &CheckReport) -> Table {
    let mut t = Table::new(
        "findings-table",
        "Findings in risk order",
        vec![
            Column::number("Risk"),
            Column::text("Severity"),
            Column::text("ID"),
            Column::text("Layer"),
            Column::text("What"),
            Column::text("Why this rank"),
            Column::text("Found by"),
        ],
    );
    for f in &r.findings {
        let what = what(f);
        t.push(
            Row::new(vec![
                Cell::number(&format!("{:.1}", f.risk), f.risk),
                Cell::html(super::blocks::severity_badge(f.severity))
                    .sort_by(f64::from(super::blocks::severity_rank(f.severity))),
                Cell::text(&f.id).class("id"),
                Cell::text(f.layer.name()),
                Cell::html(lines(what.iter().map(String::as_str))),
                Cell::html(lines(f.reasons.iter().map(String::as_str))),
                Cell::text(&f.sources.join(", ")),
            ])
            .severity(f.severity),
        );
    }
    t
}

fn fix_plan(r: &CheckReport) -> Html {
    let mut out = para(
        "The steps in order; each says which layers it puts in place and which findings it removes or defuses.",
    );
    for s in &r.fix_plan {
        let layers: Vec<&str> = s.layers.iter().map(|l| l.name()).collect();
        let mut body = text_el("h3", &[], &format!("{}. {}", s.step, s.title));
        body.push(kv_list(&[
            ("Layers", Html::text(&layers.join(", "))),
            ("Removes", Html::text(&s.removes.join(", "))),
            ("Defuses", Html::text(&s.defuses.join(", "))),
            ("Notes", lines(s.notes.iter().map(String::as_str))),
        ]));
        let title = if s.save_as.is_empty() {
            String::new()
        } else {
            format!("save as {}", s.save_as)
        };
        body.push(snippet(&title, &s.snippet));
        for f in &s.files {
            body.push(snippet(&f.path, &f.content));
        }
        out.push(el("div", &[("class", "fix-step")], body));
        out.push_trusted("\n");
    }
    out
}

/// The page of a check report.
pub fn check_page(r: &CheckReport, opts: &WriteOptions) -> HtmlPage {
    let mut page = HtmlPage::new(&format!("Bulkhead check: {}", r.workload.image));
    if !opts.tool_version.is_empty() {
        page.generator(&format!("bulkhead {}", opts.tool_version));
    }
    page.header(header(r));
    page.section("scoreboard", "Scoreboard", scoreboard(r));
    page.section("by-layer", "Findings by layer", by_layer(r));
    let t = findings(r);
    if !t.is_empty() {
        page.section("findings", "Findings", t.render());
    }
    let suppressed = suppressed_table(&r.report);
    if !suppressed.is_empty() {
        page.section("suppressed", "Suppressed by VEX", suppressed.render());
    }
    if !r.fix_plan.is_empty() {
        page.section("fix-plan", "Fix plan", fix_plan(r));
    }
    page.section("image", "Image", metadata(&r.report));
    let layers = layer_table(&r.report);
    if !layers.is_empty() {
        page.section("layers", "Layers", layers.render());
    }
    let mut all = r.warnings.clone();
    all.extend(r.report.warnings.iter().cloned());
    all.dedup();
    if !all.is_empty() {
        page.section("warnings", "Warnings", warnings(&all));
    }
    page
}

/// Writes a check report as one HTML page.
pub fn write(
    r: &CheckReport,
    opts: &WriteOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(check_page(r, opts).render().as_bytes())
}
