//! `bulkhead check`: filters, gates and every format of a
//! [`CheckReport`] (table, JSON, SARIF, Markdown for a pull-request
//! comment, HTML: `crate::html::check`). The model and its JSON names are `bulkhead_types::check`
//! (documented in `docs/check.md`).
//!
//! Adding a format: a [`CheckFormat`] variant, its name in
//! [`CheckFormat::parse`] and [`CHECK_FORMATS`], an arm in [`write`].

use crate::filter::{Filter, FilterOutcome};
use crate::flags::FlagError;
use crate::palette::severity_text;
use crate::{WriteError, WriteOptions};
use bulkhead_types::check::{
    CheckCounts, CheckFinding, CheckReport, FindingKind, FixStep, LayerState, SnippetKind,
    StackLayer, WorkloadSource,
};
use bulkhead_types::text::{terminal_safe, terminal_safe_multiline};
use bulkhead_types::{ModifiedFinding, Severity};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use owo_colors::OwoColorize;
use serde_json::{Value, json};
use std::io::Write;

/// Formats of `bulkhead check`.
pub const CHECK_FORMATS: &[&str] = &["table", "json", "sarif", "markdown", "html"];

/// An output format of `bulkhead check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    Table,
    Json,
    Sarif,
    Markdown,
    Html,
}

impl CheckFormat {
    /// Parse a `--format` value.
    pub fn parse(s: &str) -> Option<CheckFormat> {
        match s {
            "table" => Some(CheckFormat::Table),
            "json" => Some(CheckFormat::Json),
            "sarif" => Some(CheckFormat::Sarif),
            "markdown" | "md" => Some(CheckFormat::Markdown),
            "html" => Some(CheckFormat::Html),
            _ => None,
        }
    }
}

/// Apply ignores (`[ignore]`, `--ignorefile`, `--ignore-unfixed`) and
/// `--severity` to the findings (and to the underlying report), recount,
/// and say what the gates see. The scoreboard is facts and stays whole.
///
/// A finding is ignored when a rule names its id, one of its aliases (the
/// other scanners' rule ids merged into it, a vulnerability's aliases) or
/// its unique ref; a rule's paths match the finding's location.
pub fn filter(report: &mut CheckReport, f: &Filter) -> FilterOutcome {
    let mut out = FilterOutcome::default();
    let mut ignored = 0;
    let mut hidden = 0;
    let unfixed = |x: &CheckFinding| {
        x.kind == FindingKind::Vulnerability
            && x.package
                .as_ref()
                .is_none_or(|p| p.fixed_version.is_empty())
    };
    report.findings.retain(|x| {
        let mut ids = x.aliases.clone();
        ids.push(x.ref_id.clone());
        let target = x
            .package
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| x.location.clone());
        if f.ignored(&x.id, &ids, &target) || (f.ignore_unfixed && unfixed(x)) {
            ignored += 1;
            return false;
        }
        out.max_after_ignores = Some(
            out.max_after_ignores
                .map_or(x.severity, |m| m.max(x.severity)),
        );
        let kev = x.rating.as_ref().is_some_and(|r| r.kev);
        out.kev_after_ignores += usize::from(kev);
        if let Some(e) = x.rating.as_ref().and_then(|r| r.epss.as_ref()) {
            let m = out.max_epss_after_ignores.get_or_insert(e.score);
            *m = m.max(e.score);
        }
        let unknown = x.severity == Severity::Unknown;
        if unknown {
            out.unknown_after_ignores += 1;
            out.unknown_kev_after_ignores += usize::from(kev);
        }
        if !f.shows(x.severity) {
            hidden += 1;
            if unknown {
                out.hidden_unknown += 1;
                out.hidden_unknown_kev += usize::from(kev);
            }
            return false;
        }
        out.shown += 1;
        true
    });
    // The underlying report follows the same filter (a vulnerability's
    // fix state is read there too).
    let _ = crate::filter::apply(&mut report.report, f);
    report.recount(hidden, ignored);
    out
}

/// `--format` of `check`; without one, `table` when `terminal`, else `json`.
pub fn format(requested: Option<&str>, terminal: bool) -> Result<CheckFormat, FlagError> {
    let name = match requested {
        Some(f) => f,
        None if terminal => "table",
        None => "json",
    };
    CheckFormat::parse(name).ok_or_else(|| FlagError::FormatNotHere {
        name: name.to_string(),
        allowed: CHECK_FORMATS.join(", "),
    })
}

/// A `--fail-on-layer` value other than `missing` or `partial`.
#[derive(Debug, thiserror::Error)]
#[error("bad --fail-on-layer {0:?}: choose missing or partial")]
pub struct LayerGateError(pub String);

/// `--fail-on-layer` parsed: the state at or below which a layer fails.
pub fn layer_gate(value: Option<&str>) -> Result<Option<LayerState>, LayerGateError> {
    match value {
        None => Ok(None),
        Some("missing") => Ok(Some(LayerState::Missing)),
        Some("partial") => Ok(Some(LayerState::Partial)),
        Some(other) => Err(LayerGateError(other.to_string())),
    }
}

/// [`filter`], then the package lists dropped from the underlying report
/// unless `list_packages` (`--list-all-pkgs`, as for `image`).
pub fn prepare(report: &mut CheckReport, f: &Filter, list_packages: bool) -> FilterOutcome {
    let outcome = filter(report, f);
    if !list_packages {
        for r in &mut report.report.results {
            r.packages.clear();
        }
    }
    outcome
}

/// [`write`] into a string.
pub fn render(
    report: &CheckReport,
    format: CheckFormat,
    opts: &WriteOptions,
) -> Result<String, WriteError> {
    let mut out = Vec::new();
    write(report, format, opts, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `--fail-on-layer`: the layers at `threshold` or worse (`missing`, or
/// `partial` for partial and missing).
pub fn failing_layers(report: &CheckReport, threshold: LayerState) -> Vec<StackLayer> {
    report
        .scoreboard
        .iter()
        .filter(|v| v.state <= threshold)
        .map(|v| v.layer)
        .collect()
}

/// Write `report` in `format`.
pub fn write(
    report: &CheckReport,
    format: CheckFormat,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), WriteError> {
    match format {
        CheckFormat::Json => {
            bulkhead_types::text::write_json_pretty(&mut *out, report)?;
            out.write_all(b"\n")?;
        }
        CheckFormat::Table => table(report, opts.color, out)?,
        CheckFormat::Markdown => markdown(report, out)?,
        CheckFormat::Sarif => sarif(report, opts, out)?,
        CheckFormat::Html => crate::html::check::write(report, opts, out)?,
    }
    Ok(())
}

fn safe(s: &str) -> String {
    terminal_safe(s).into_owned()
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(160);
    t
}

fn state_text(s: LayerState, color: bool) -> String {
    let w = s.words().to_ascii_uppercase();
    if !color {
        return w;
    }
    match s {
        LayerState::InPlace => w.green().to_string(),
        LayerState::Partial => w.yellow().to_string(),
        LayerState::Missing => w.red().bold().to_string(),
    }
}

pub(crate) fn source_words(r: &CheckReport) -> String {
    let w = &r.workload;
    let files = w.files.join(", ");
    match w.source {
        WorkloadSource::Image => "the image alone, with Docker's defaults".to_string(),
        WorkloadSource::Compose => format!("Compose service {} ({files})", w.name),
        WorkloadSource::Run => "docker run flags".to_string(),
        WorkloadSource::Container => format!("container {}", w.name),
    }
}

/// What a finding is about: its title, then the package or location.
pub(crate) fn what(f: &CheckFinding) -> Vec<String> {
    let mut out = vec![f.title.clone()];
    if let Some(p) = &f.package {
        let mut s = format!("{} {}", p.name, p.version);
        if !p.fixed_version.is_empty() {
            s.push_str(&format!(" → {}", p.fixed_version));
        }
        out.push(s);
    } else if !f.location.is_empty() {
        out.push(f.location.clone());
    }
    out
}

/// A finding's reasons without the exposure factors (the same for every
/// finding, shown once above the list); JSON keeps them all.
fn short_reasons(r: &CheckReport, f: &CheckFinding) -> Vec<String> {
    f.reasons
        .iter()
        .filter(|x| !r.exposure.factors.iter().any(|e| &e.reason == *x))
        .cloned()
        .collect()
}

/// Lines of input text in one table cell, each made terminal-safe.
fn cell(lines: &[String]) -> String {
    lines.iter().map(|l| safe(l)).collect::<Vec<_>>().join("\n")
}

fn table(r: &CheckReport, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "Check of {} ({})",
        safe(&r.workload.image),
        safe(&source_words(r))
    )?;
    writeln!(out)?;
    writeln!(out, "Scoreboard")?;
    let mut t = new_table();
    t.set_header(vec!["#", "Layer", "State", "Evidence"]);
    for v in &r.scoreboard {
        t.add_row(vec![
            v.layer.number().to_string(),
            format!("{}\n({})", v.layer.name(), v.layer.feature()),
            state_text(v.state, color),
            cell(&v.evidence),
        ]);
    }
    writeln!(out, "{t}")?;
    let c = &r.counts;
    writeln!(
        out,
        "{} in place, {} partial, {} missing. Exposure {:.2} (risk ×{}){}",
        c.layers_in_place,
        c.layers_partial,
        c.layers_missing,
        r.exposure.score,
        r.exposure.multiplier,
        if r.exposure.factors.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                safe(
                    &r.exposure
                        .factors
                        .iter()
                        .map(|f| f.reason.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            )
        }
    )?;
    writeln!(out)?;
    let sevs: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            format!(
                "{}: {}",
                s,
                c.by_severity.get(s.as_str()).copied().unwrap_or(0)
            )
        })
        .collect();
    writeln!(
        out,
        "Findings, highest risk first. Total: {} ({}){}",
        c.findings,
        sevs.join(", "),
        hidden_note(c)
    )?;
    if !r.findings.is_empty() {
        let mut t = new_table();
        t.set_header(vec![
            "Risk", "Severity", "ID", "Layer", "What", "Reasons", "Found by",
        ]);
        for f in &r.findings {
            t.add_row(vec![
                format!("{:.1}", f.risk),
                severity_text(f.severity, color),
                safe(&f.id),
                f.layer.name().to_string(),
                cell(&what(f)),
                cell(&short_reasons(r, f)),
                cell(&f.sources),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    for result in &r.report.results {
        crate::table::suppressed_table(out, result, color)?;
    }
    if !r.fix_plan.is_empty() {
        writeln!(out)?;
        writeln!(out, "Fix plan")?;
        for s in &r.fix_plan {
            step_text(s, out)?;
        }
    }
    for w in &r.warnings {
        writeln!(out, "warning: {}", safe(w))?;
    }
    Ok(())
}

fn hidden_note(c: &CheckCounts) -> String {
    let parts: Vec<String> = [
        (c.hidden_by_severity, "hidden by --severity"),
        (c.ignored, "ignored"),
        (c.suppressed, "suppressed by VEX"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join(", "))
    }
}

fn layers_words(s: &FixStep) -> String {
    s.layers
        .iter()
        .map(|l| l.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn step_text(s: &FixStep, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}. {} [{}]", s.step, safe(&s.title), layers_words(s))?;
    if !s.removes.is_empty() {
        writeln!(out, "   removes: {}", safe(&s.removes.join(", ")))?;
    }
    if !s.defuses.is_empty() {
        writeln!(out, "   defuses: {}", safe(&s.defuses.join(", ")))?;
    }
    for n in &s.notes {
        writeln!(out, "   note: {}", safe(n))?;
    }
    if !s.save_as.is_empty() {
        writeln!(out, "   save as {}:", safe(&s.save_as))?;
    }
    for line in terminal_safe_multiline(&s.snippet).lines() {
        writeln!(out, "   | {line}")?;
    }
    for f in &s.files {
        writeln!(
            out,
            "   also write {} ({} bytes; `--format json` carries it in FixPlan[].Files)",
            safe(&f.path),
            f.content.len()
        )?;
    }
    Ok(())
}

/// Markdown-safe text for a table cell or a line.
fn md(s: &str) -> String {
    crate::diff::md(s)
}

fn state_md(s: LayerState) -> &'static str {
    match s {
        LayerState::InPlace => "✅ in place",
        LayerState::Partial => "⚠️ partial",
        LayerState::Missing => "❌ missing",
    }
}

/// A code fence longer than any backtick run in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn lang(kind: SnippetKind) -> &'static str {
    match kind {
        SnippetKind::ComposeOverride => "yaml",
        SnippetKind::RunFlags | SnippetKind::Shell => "sh",
        SnippetKind::Dockerfile => "dockerfile",
        SnippetKind::Toml => "toml",
    }
}

/// How many findings the Markdown comment lists in full before folding.
const MD_TOP: usize = 10;

fn markdown(r: &CheckReport, out: &mut dyn Write) -> std::io::Result<()> {
    let c = &r.counts;
    writeln!(
        out,
        "### bulkhead check: {} ({})",
        md(&r.workload.image),
        md(&source_words(r))
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "**Scoreboard:** {} of 8 layers in place, {} partial, {} missing · exposure {:.2} (risk ×{}){}",
        c.layers_in_place,
        c.layers_partial,
        c.layers_missing,
        r.exposure.score,
        r.exposure.multiplier,
        if r.exposure.factors.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                md(&r
                    .exposure
                    .factors
                    .iter()
                    .map(|f| f.reason.as_str())
                    .collect::<Vec<_>>()
                    .join(", "))
            )
        }
    )?;
    writeln!(out)?;
    writeln!(out, "| # | Layer | State | Evidence |")?;
    writeln!(out, "|---|---|---|---|")?;
    for v in &r.scoreboard {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            v.layer.number(),
            v.layer.name(),
            state_md(v.state),
            md(&v.evidence.join("; "))
        )?;
    }
    writeln!(out)?;
    let sevs: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            c.by_severity
                .get(s.as_str())
                .map(|n| format!("{n} {}", s.as_str()))
        })
        .collect();
    writeln!(
        out,
        "**Findings:** {}{}{}",
        c.findings,
        if sevs.is_empty() {
            String::new()
        } else {
            format!(" ({})", sevs.join(", "))
        },
        md(&hidden_note(c))
    )?;
    let row = |f: &CheckFinding| {
        format!(
            "| {:.1} | {} | {} | {} | {} | {} |",
            f.risk,
            f.severity.as_str(),
            md(&f.id),
            f.layer.name(),
            md(&what(f).join(" · ")),
            md(&short_reasons(r, f).join(", "))
        )
    };
    let header = "| Risk | Severity | ID | Layer | What | Reasons |\n|---|---|---|---|---|---|";
    if !r.findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{header}")?;
        for f in r.findings.iter().take(MD_TOP) {
            writeln!(out, "{}", row(f))?;
        }
        if r.findings.len() > MD_TOP {
            writeln!(out)?;
            writeln!(
                out,
                "<details><summary>{} more findings</summary>",
                r.findings.len() - MD_TOP
            )?;
            writeln!(out)?;
            writeln!(out, "{header}")?;
            for f in r.findings.iter().skip(MD_TOP) {
                writeln!(out, "{}", row(f))?;
            }
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
    }
    let suppressed: Vec<&ModifiedFinding> = r
        .report
        .results
        .iter()
        .flat_map(|x| &x.modified_findings)
        .collect();
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(out, "**Suppressed by VEX:** {}", suppressed.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "| ID | Package | Installed | VEX status | Justification / statement |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for m in suppressed {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&m.finding.vulnerability_id),
                md(&m.finding.pkg_name),
                md(&m.finding.installed_version),
                md(&m.vex.status),
                md(&m.statement)
            )?;
        }
    }
    if !r.fix_plan.is_empty() {
        writeln!(out)?;
        writeln!(out, "#### Fix plan")?;
        for s in &r.fix_plan {
            writeln!(out)?;
            writeln!(
                out,
                "{}. **{}** ({}): removes {}, defuses {}",
                s.step,
                md(&s.title),
                layers_words(s),
                s.removes.len(),
                s.defuses.len()
            )?;
            for n in &s.notes {
                writeln!(out, "   - {}", md(n))?;
            }
            let snippet = terminal_safe_multiline(&s.snippet);
            let f = fence(&snippet);
            let summary = if s.save_as.is_empty() {
                lang(s.kind).to_string()
            } else {
                md(&s.save_as)
            };
            writeln!(out)?;
            writeln!(out, "<details><summary>{summary}</summary>")?;
            writeln!(out)?;
            writeln!(out, "{f}{}", lang(s.kind))?;
            write!(out, "{snippet}")?;
            if !snippet.ends_with('\n') {
                writeln!(out)?;
            }
            writeln!(out, "{f}")?;
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
    }
    Ok(())
}

/// SARIF 2.1.0: one run with one rule per finding id; every result carries
/// its layer, kind, risk, reasons and sources in `properties`, the run
/// carries the scoreboard.
fn sarif(r: &CheckReport, opts: &WriteOptions, out: &mut dyn Write) -> Result<(), WriteError> {
    let mut rules: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    let mut results = Vec::new();
    for f in &r.findings {
        let score = security_severity(f);
        let rule = json!({
            "id": f.id,
            "shortDescription": { "text": f.title },
            "properties": {
                "security-severity": format!("{score:.1}"),
                "tags": [f.kind.as_str(), f.layer.name(), f.severity.as_str()],
            }
        });
        let keep = rules.get(&f.id).is_none_or(|old| {
            old["properties"]["security-severity"]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0)
                < score
        });
        if keep {
            rules.insert(f.id.clone(), rule);
        }
        let mut text = f.title.clone();
        if !f.message.is_empty() {
            text.push_str(": ");
            text.push_str(&f.message);
        }
        results.push(json!({
            "ruleId": f.id,
            "level": f.severity.sarif_level(),
            "message": { "text": text },
            "locations": [location(r, f)],
            "partialFingerprints": { "bulkheadRef": f.ref_id },
            "properties": {
                "ref": f.ref_id,
                "layer": f.layer.number(),
                "layerName": f.layer.name(),
                "layerState": r.state(f.layer).words(),
                "kind": f.kind.as_str(),
                "severity": f.severity.as_str(),
                "security-severity": format!("{score:.1}"),
                "risk": f.risk,
                "reasons": f.reasons,
                "sources": f.sources,
                "aliases": f.aliases,
                "package": f.package.as_ref().map(|p| p.name.clone()),
                "installedVersion": f.package.as_ref().map(|p| p.version.clone()),
                "fixedVersion": f.package.as_ref().map(|p| p.fixed_version.clone()),
                "epss": f.rating.as_ref().and_then(|x| x.epss.as_ref()).map(|e| e.score),
                "kev": f.rating.as_ref().map(|x| x.kev),
            }
        }));
    }
    // Suppressed findings stay in the log as suppressed results (kind
    // `external`: a VEX document decided), as in the scan's SARIF.
    for m in r.report.results.iter().flat_map(|x| &x.modified_findings) {
        let v = &m.finding;
        results.push(json!({
            "ruleId": v.vulnerability_id,
            "level": v.severity.sarif_level(),
            "message": { "text": format!("{} {}: {}", v.pkg_name, v.installed_version, v.title) },
            "suppressions": [{
                "kind": "external",
                "status": "accepted",
                "justification": format!("VEX {}: {} ({} #{})", m.vex.status, m.statement, m.vex.source, m.vex.statement_index),
            }],
            "properties": {
                "layer": StackLayer::ImageContents.number(),
                "layerName": StackLayer::ImageContents.name(),
                "kind": "vulnerability",
                "package": v.pkg_name,
                "installedVersion": v.installed_version,
                "vexStatus": m.vex.status,
            }
        }));
    }
    let scoreboard: Vec<Value> = r
        .scoreboard
        .iter()
        .map(|v| {
            json!({
                "layer": v.layer.number(),
                "name": v.layer.name(),
                "state": v.state.words(),
                "evidence": v.evidence,
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bulkhead",
                "informationUri": "https://example.invalid/bulkhead",
                "version": opts.tool_version,
                "rules": rules.into_values().collect::<Vec<_>>(),
                "properties": { "scanner": "check" },
            }},
            "results": results,
            "properties": {
                "workload": r.workload,
                "scoreboard": scoreboard,
                "exposure": r.exposure.score,
            },
        }],
    });
    bulkhead_types::text::write_json_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn security_severity(f: &CheckFinding) -> f64 {
    match f.rating.as_ref().and_then(|r| r.cvss_score) {
        Some(s) => s,
        None => bulkhead_types::rating::severity_security_score(f.severity),
    }
}

/// A file location (`Dockerfile:4`, `compose.yaml:12 (service api)`, a
/// file of the image with a secret) as a physical location; anything else
/// (the image, a package, a container, the signature) as a logical one.
fn location(r: &CheckReport, f: &CheckFinding) -> Value {
    let file_line = f
        .location
        .split(' ')
        .next()
        .and_then(|first| first.rsplit_once(':'))
        .and_then(|(file, line)| Some((file, line.parse::<usize>().ok()?)))
        .filter(|(file, _)| !file.is_empty());
    if let Some((file, line)) = file_line
        && !matches!(f.kind, FindingKind::Vulnerability | FindingKind::Trust)
    {
        return json!({ "physicalLocation": {
            "artifactLocation": { "uri": file },
            "region": { "startLine": line.max(1) },
        }});
    }
    let name = match &f.package {
        Some(p) => format!("{}:{}", r.workload.image, p.name),
        None if f.location.is_empty() => r.workload.image.clone(),
        None => format!("{}:{}", r.workload.image, f.location),
    };
    json!({ "logicalLocations": [{
        "name": r.workload.image,
        "fullyQualifiedName": name,
        "kind": "resource",
    }]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_types::check::*;
    use bulkhead_types::{ArtifactType, Report};

    fn finding(id: &str, sev: Severity, layer: StackLayer, kind: FindingKind) -> CheckFinding {
        CheckFinding {
            id: id.into(),
            ref_id: format!("{id}@x"),
            layer,
            kind,
            severity: sev,
            title: format!("{id} <b>title</b>"),
            message: "msg".into(),
            package: None,
            location: "Dockerfile:4".into(),
            rating: None,
            aliases: vec!["BH-DF-004".into()],
            risk: 10.0,
            reasons: vec!["HIGH".into(), "runs as root".into()],
            sources: vec!["dockerfile:BH-DF-004".into()],
        }
    }

    fn report() -> CheckReport {
        CheckReport {
            schema_version: CHECK_SCHEMA_VERSION,
            artifact_name: "app:1".into(),
            workload: CheckWorkload {
                image: "app:1".into(),
                source: WorkloadSource::Compose,
                name: "api".into(),
                files: vec!["compose.yaml".into()],
            },
            scoreboard: StackLayer::ALL
                .into_iter()
                .map(|layer| LayerVerdict {
                    layer,
                    state: if layer == StackLayer::Trust {
                        LayerState::Partial
                    } else {
                        LayerState::Missing
                    },
                    evidence: vec![format!("{} evidence", layer.name())],
                    findings: 1,
                })
                .collect(),
            exposure: Exposure {
                score: 0.5,
                multiplier: 0.75,
                factors: Vec::new(),
            },
            findings: vec![
                finding(
                    "env-secrets",
                    Severity::High,
                    StackLayer::Secrets,
                    FindingKind::Secret,
                ),
                finding(
                    "BH-DF-009",
                    Severity::Low,
                    StackLayer::Trust,
                    FindingKind::Dockerfile,
                ),
            ],
            fix_plan: vec![FixStep {
                step: 1,
                layer: StackLayer::Secrets,
                layers: vec![StackLayer::Secrets],
                title: "Move it".into(),
                kind: SnippetKind::ComposeOverride,
                snippet: "services:\n  api:\n    x: \"```\"\n".into(),
                save_as: "compose.secrets.yml".into(),
                files: Vec::new(),
                removes: vec!["env-secrets@x".into()],
                defuses: Vec::new(),
                notes: vec!["a note".into()],
            }],
            counts: CheckCounts::default(),
            warnings: Vec::new(),
            report: Report::new("app:1", ArtifactType::ContainerImage),
        }
    }

    #[test]
    fn filter_ignores_and_hides_but_keeps_the_scoreboard() {
        let mut r = report();
        let f = Filter {
            severities: Some(vec![Severity::High, Severity::Critical]),
            ..Filter::default()
        };
        let o = filter(&mut r, &f);
        assert_eq!(o.shown, 1);
        assert_eq!(o.max_after_ignores, Some(Severity::High));
        assert_eq!(r.counts.hidden_by_severity, 1);
        assert_eq!(r.counts.layers_missing, 7);
        // An alias (another scanner's rule id) ignores the merged finding.
        let mut r = report();
        let f = Filter {
            ignores: vec![crate::filter::IgnoreRule {
                id: "BH-DF-004".into(),
                paths: Vec::new(),
                expires: None,
            }],
            ..Filter::default()
        };
        let o = filter(&mut r, &f);
        assert_eq!(o.shown, 0);
        assert_eq!(r.counts.ignored, 2);
        assert_eq!(failing_layers(&r, LayerState::Missing).len(), 7);
        assert_eq!(failing_layers(&r, LayerState::Partial).len(), 8);
    }

    #[test]
    fn formats_render_and_escape() {
        let r = report();
        let opts = WriteOptions {
            color: false,
            tool_version: "test".into(),
            list_packages: false,
        };
        for fmt in CHECK_FORMATS {
            let mut out = Vec::new();
            write(&r, CheckFormat::parse(fmt).unwrap(), &opts, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("env-secrets"), "{fmt}: {text}");
        }
        let mut out = Vec::new();
        write(&r, CheckFormat::Markdown, &opts, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        // Cells cannot inject markup; the snippet's backticks get a longer fence.
        assert!(md.contains("&lt;b&gt;title&lt;/b&gt;"), "{md}");
        assert!(md.contains("````yaml"), "{md}");
        let mut out = Vec::new();
        write(&r, CheckFormat::Sarif, &opts, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let res = &v["runs"][0]["results"][0];
        assert_eq!(res["properties"]["layer"], 7);
        assert_eq!(res["properties"]["layerName"], "secrets");
        assert_eq!(
            res["locations"][0]["physicalLocation"]["region"]["startLine"],
            4
        );
        assert_eq!(
            v["runs"][0]["properties"]["scoreboard"][7]["state"],
            "partial"
        );
        let mut out = Vec::new();
        write(&r, CheckFormat::Json, &opts, &mut out).unwrap();
        let back: CheckReport = serde_json::from_slice(&out).unwrap();
        assert_eq!(back.findings.len(), 2);
        assert_eq!(CheckFormat::parse("html"), Some(CheckFormat::Html));
        let page = render(&r, CheckFormat::Html, &opts).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
        assert!(page.contains("id=\"scoreboard-table\""));
        assert_eq!(format(None, true).unwrap(), CheckFormat::Table);
        assert_eq!(format(None, false).unwrap(), CheckFormat::Json);
        assert!(format(Some("cyclonedx"), true).is_err());
        assert_eq!(
            layer_gate(Some("partial")).unwrap(),
            Some(LayerState::Partial)
        );
        assert!(layer_gate(Some("bogus")).is_err());
    }
}
