//! Renderers of an [`ImageDiff`]: table (terminal), JSON, Markdown (a
//! pull-request comment with collapsible sections).
//!
//! They live beside the model rather than in `bulkhead-report` because the
//! diff is not a `Report`: it has its own schema (docs/diff.md).

use crate::palette::severity_text as sev_text;
use bulkhead_diff::{ConfigDelta, ImageDiff, PackageChange, SetChange, ValueChange};
use bulkhead_types::text::terminal_safe;
use bulkhead_types::{Severity, Vulnerability};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// An output format of `bulkhead diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

impl DiffFormat {
    /// Parse a `--format` value.
    pub fn parse(s: &str) -> Option<DiffFormat> {
        match s {
            "table" => Some(DiffFormat::Table),
            "json" => Some(DiffFormat::Json),
            "markdown" | "md" => Some(DiffFormat::Markdown),
            _ => None,
        }
    }
}

/// Write `diff` in `format` (`color` only affects the table).
pub fn write(
    diff: &ImageDiff,
    format: DiffFormat,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        DiffFormat::Json => {
            bulkhead_types::text::write_json_pretty(&mut *out, diff).map_err(io::Error::other)?;
            writeln!(out)
        }
        DiffFormat::Table => table(diff, color, out),
        DiffFormat::Markdown => markdown(diff, out),
    }
}

/// `N (CRITICAL: a, HIGH: b, …)` with only the non-zero severities.
fn sev_counts(total: usize, counts: &BTreeMap<String, usize>) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            let n = counts.get(s.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{}: {n}", s.as_str()))
        })
        .collect();
    if parts.is_empty() {
        total.to_string()
    } else {
        format!("{total} ({})", parts.join(", "))
    }
}

/// Image data on a terminal: terminal escapes and bidi controls (from a
/// hostile label, command or package name) become `?`
/// ([`bulkhead_types::text::terminal_safe`]).
fn safe(s: &str) -> String {
    terminal_safe(s).into_owned()
}

fn opt(v: Option<&String>) -> String {
    v.map_or_else(|| "-".to_string(), Clone::clone)
}

/// The package lines: (change, ecosystem, name[:arch], before, after).
fn package_rows(d: &ImageDiff) -> Vec<[String; 5]> {
    let p = &d.packages;
    let lists: [(&str, &Vec<PackageChange>); 5] = [
        ("upgraded", &p.upgraded),
        ("downgraded", &p.downgraded),
        ("changed", &p.changed),
        ("added", &p.added),
        ("removed", &p.removed),
    ];
    let mut rows = Vec::new();
    for (what, list) in lists {
        for c in list {
            let name = if c.arch.is_empty() {
                c.name.clone()
            } else {
                format!("{}:{}", c.name, c.arch)
            };
            rows.push([
                what.to_string(),
                c.ecosystem.clone(),
                name,
                opt(c.before.as_ref()),
                opt(c.after.as_ref()),
            ]);
        }
    }
    rows
}

fn set_text(s: &SetChange, values_hidden: bool) -> (String, String) {
    let mut before = Vec::new();
    let mut after = Vec::new();
    if !s.removed.is_empty() {
        before.push(format!("removed: {}", s.removed.join(", ")));
    }
    if !s.added.is_empty() {
        after.push(format!("added: {}", s.added.join(", ")));
    }
    if !s.changed.is_empty() {
        let note = if values_hidden {
            " (values not shown)"
        } else {
            ""
        };
        after.push(format!("changed{note}: {}", s.changed.join(", ")));
    }
    let join = |v: Vec<String>| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join("; ")
        }
    };
    (join(before), join(after))
}

/// The config lines: (setting, before, after).
fn config_rows(c: &ConfigDelta) -> Vec<[String; 3]> {
    let mut rows = Vec::new();
    let values: [(&str, &Option<ValueChange>); 5] = [
        ("User", &c.user),
        ("WorkingDir", &c.workdir),
        ("Entrypoint", &c.entrypoint),
        ("Cmd", &c.cmd),
        ("Healthcheck", &c.healthcheck),
    ];
    for (name, v) in values {
        if let Some(v) = v {
            rows.push([
                name.to_string(),
                v.before.clone().unwrap_or_else(|| "(unset)".to_string()),
                v.after.clone().unwrap_or_else(|| "(unset)".to_string()),
            ]);
        }
    }
    if let Some(e) = &c.env {
        let (b, a) = set_text(e, true);
        rows.push(["Env (names)".to_string(), b, a]);
    }
    if let Some(p) = &c.exposed_ports {
        let (b, a) = set_text(p, false);
        rows.push(["ExposedPorts".to_string(), b, a]);
    }
    for l in &c.labels {
        rows.push([
            format!("Label {}", l.name),
            opt(l.before.as_ref()),
            opt(l.after.as_ref()),
        ]);
    }
    rows
}

fn headline_layers(d: &ImageDiff) -> String {
    format!(
        "{} shared (A has {}, B has {})",
        d.layers.shared, d.layers.before, d.layers.after
    )
}

fn headline_packages(d: &ImageDiff) -> String {
    let p = &d.packages;
    let mut s = format!(
        "{} added, {} removed, {} upgraded, {} downgraded",
        p.added.len(),
        p.removed.len(),
        p.upgraded.len(),
        p.downgraded.len()
    );
    if !p.changed.is_empty() {
        s.push_str(&format!(", {} changed", p.changed.len()));
    }
    s.push_str(&format!(", {} unchanged", p.unchanged));
    s
}

fn headline_vulns(d: &ImageDiff) -> (String, String) {
    let v = &d.vulnerabilities;
    (
        sev_counts(v.fixed.len(), &d.summary.fixed),
        sev_counts(v.introduced.len(), &d.summary.introduced),
    )
}

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(160);
    t.set_header(header.to_vec());
    t
}

fn section(out: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count().min(160)))
}

fn side_line(s: &bulkhead_diff::Side) -> String {
    let os = if s.os.is_empty() {
        "OS unknown"
    } else {
        s.os.as_str()
    };
    format!(
        "{} ({}; {} layers, {} packages, {} vulnerabilities)",
        safe(&s.name),
        safe(os),
        s.layers,
        s.packages,
        s.vulnerabilities
    )
}

fn table(d: &ImageDiff, color: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "A: {}", side_line(&d.before))?;
    writeln!(out, "B: {}", side_line(&d.after))?;
    writeln!(out)?;
    let (fixed, introduced) = headline_vulns(d);
    writeln!(out, "Base layers:     {}", headline_layers(d))?;
    writeln!(out, "Packages:        {}", headline_packages(d))?;
    writeln!(
        out,
        "Vulnerabilities: {fixed} fixed, {introduced} introduced, {} unchanged",
        d.vulnerabilities.unchanged
    )?;
    if d.summary.hidden_by_severity > 0 {
        writeln!(
            out,
            "                 ({} hidden by --severity)",
            d.summary.hidden_by_severity
        )?;
    }
    if !d.suppressed.is_empty() {
        writeln!(
            out,
            "                 ({} suppressed by VEX in A, {} in B: listed below)",
            d.suppressed.before.len(),
            d.suppressed.after.len()
        )?;
    }
    if d.is_empty() {
        writeln!(out)?;
        writeln!(out, "No differences.")?;
    }
    let vuln_table = |title: &str, list: &[Vulnerability], out: &mut dyn Write| -> io::Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        section(out, &format!("{title} ({})", list.len()))?;
        let mut t = new_table(&[
            "Severity",
            "Vulnerability",
            "Package",
            "Installed",
            "Fixed in",
        ]);
        for v in list {
            t.add_row(vec![
                sev_text(v.severity, color),
                safe(&v.vulnerability_id),
                safe(&v.pkg_name),
                safe(&v.installed_version),
                safe(&v.fixed_version),
            ]);
        }
        writeln!(out, "{t}")
    };
    vuln_table(
        "Introduced vulnerabilities (in B, not in A)",
        &d.vulnerabilities.introduced,
        out,
    )?;
    vuln_table(
        "Fixed vulnerabilities (in A, not in B)",
        &d.vulnerabilities.fixed,
        out,
    )?;
    let rows = suppressed_rows(d);
    if !rows.is_empty() {
        section(out, &format!("Suppressed by VEX ({})", rows.len()))?;
        let mut t = new_table(&SUPPRESSED_HEADER);
        for r in rows {
            t.add_row(r.iter().map(|c| safe(c)).collect::<Vec<_>>());
        }
        writeln!(out, "{t}")?;
    }
    let rows = package_rows(d);
    if !rows.is_empty() {
        section(out, &format!("Packages ({})", rows.len()))?;
        let mut t = new_table(&["Change", "Type", "Package", "A", "B"]);
        for r in rows {
            t.add_row(r.iter().map(|c| safe(c)).collect::<Vec<_>>());
        }
        writeln!(out, "{t}")?;
    }
    let rows = config_rows(&d.config);
    if !rows.is_empty() {
        section(out, "Image config")?;
        let mut t = new_table(&["Setting", "A", "B"]);
        for r in rows {
            t.add_row(r.iter().map(|c| safe(c)).collect::<Vec<_>>());
        }
        writeln!(out, "{t}")?;
    }
    for w in &d.warnings {
        writeln!(out, "warning: {}", safe(w))?;
    }
    Ok(())
}

/// Text safe inside a Markdown table cell or summary: no pipes, no HTML,
/// no line breaks, no backticks (names and versions come from the images),
/// and, since the comment is often read in a terminal first, no escape
/// sequences or bidi controls (`?`, as in the table).
pub(crate) fn md(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut o = String::with_capacity(flat.len());
    for c in terminal_safe(&flat).chars() {
        match c {
            '|' => o.push_str("\\|"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '`' => o.push('\''),
            '*' | '_' | '[' | ']' | '\\' => {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

fn md_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    writeln!(out, "| {} |", header.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(header.len()))?;
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

fn details(
    out: &mut dyn Write,
    summary: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "<details><summary>{summary}</summary>")?;
    writeln!(out)?;
    md_table(out, header, rows)?;
    writeln!(out)?;
    writeln!(out, "</details>")
}

fn vuln_rows(list: &[Vulnerability]) -> Vec<Vec<String>> {
    list.iter()
        .map(|v| {
            vec![
                v.severity.as_str().to_string(),
                v.vulnerability_id.clone(),
                v.pkg_name.clone(),
                v.installed_version.clone(),
                v.fixed_version.clone(),
            ]
        })
        .collect()
}

const SUPPRESSED_HEADER: [&str; 8] = [
    "Image",
    "Severity",
    "Vulnerability",
    "Package",
    "Installed",
    "VEX status",
    "Justification / statement",
    "Source",
];

/// The findings VEX suppressed in A, then in B.
fn suppressed_rows(d: &ImageDiff) -> Vec<Vec<String>> {
    let side = |label: &str, list: &[bulkhead_types::ModifiedFinding]| {
        list.iter()
            .map(|m| {
                let v = &m.finding;
                let why: Vec<&str> = [
                    &m.vex.justification,
                    &m.vex.impact_statement,
                    &m.vex.action_statement,
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(String::as_str)
                .collect();
                vec![
                    label.to_string(),
                    v.severity.as_str().to_string(),
                    v.vulnerability_id.clone(),
                    v.pkg_name.clone(),
                    v.installed_version.clone(),
                    m.vex.status.clone(),
                    why.join(": "),
                    format!("{} #{}", m.vex.source, m.vex.statement_index),
                ]
            })
            .collect::<Vec<_>>()
    };
    let mut rows = side("A", &d.suppressed.before);
    rows.extend(side("B", &d.suppressed.after));
    rows
}

fn markdown(d: &ImageDiff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "### bulkhead diff: {} → {}",
        md(&d.before.name),
        md(&d.after.name)
    )?;
    writeln!(out)?;
    let (fixed, introduced) = headline_vulns(d);
    writeln!(
        out,
        "**Vulnerabilities:** {} introduced, {} fixed, {} unchanged",
        md(&introduced),
        md(&fixed),
        d.vulnerabilities.unchanged
    )?;
    writeln!(out)?;
    writeln!(out, "**Packages:** {}", headline_packages(d))?;
    writeln!(out)?;
    writeln!(out, "**Base layers:** {}", headline_layers(d))?;
    if d.summary.hidden_by_severity > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "_{} fixed or introduced findings hidden by the severity filter._",
            d.summary.hidden_by_severity
        )?;
    }
    if !d.suppressed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "_{} findings suppressed by VEX in A, {} in B (listed below)._",
            d.suppressed.before.len(),
            d.suppressed.after.len()
        )?;
    }
    writeln!(out)?;
    let side = |s: &bulkhead_diff::Side| {
        vec![
            s.name.clone(),
            if s.os.is_empty() {
                "-".to_string()
            } else {
                s.os.clone()
            },
            s.layers.to_string(),
            s.packages.to_string(),
            s.vulnerabilities.to_string(),
        ]
    };
    let mut a = vec!["A".to_string()];
    a.extend(side(&d.before));
    let mut b = vec!["B".to_string()];
    b.extend(side(&d.after));
    md_table(
        out,
        &["", "Image", "OS", "Layers", "Packages", "Vulnerabilities"],
        &[a, b],
    )?;
    let vh = [
        "Severity",
        "Vulnerability",
        "Package",
        "Installed",
        "Fixed in",
    ];
    let intro = &d.vulnerabilities.introduced;
    details(
        out,
        &format!("Introduced vulnerabilities ({})", intro.len()),
        &vh,
        &vuln_rows(intro),
    )?;
    let fixed_list = &d.vulnerabilities.fixed;
    details(
        out,
        &format!("Fixed vulnerabilities ({})", fixed_list.len()),
        &vh,
        &vuln_rows(fixed_list),
    )?;
    let rows = suppressed_rows(d);
    details(
        out,
        &format!("Suppressed by VEX ({})", rows.len()),
        &SUPPRESSED_HEADER,
        &rows,
    )?;
    let rows: Vec<Vec<String>> = package_rows(d).into_iter().map(|r| r.to_vec()).collect();
    details(
        out,
        &format!("Package changes ({})", rows.len()),
        &["Change", "Type", "Package", "A", "B"],
        &rows,
    )?;
    let rows: Vec<Vec<String>> = config_rows(&d.config)
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    details(
        out,
        &format!("Image config changes ({})", rows.len()),
        &["Setting", "A", "B"],
        &rows,
    )?;
    if !d.warnings.is_empty() {
        writeln!(out)?;
        for w in &d.warnings {
            writeln!(out, "> warning: {}", md(w))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn table_shows_no_terminal_escapes_from_image_data() {
        use bulkhead_types::{ArtifactType, Class, Ecosystem, Package, Report, ScanResult};
        let esc = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}\u{202e}";
        let report = |label: &str, version: &str| {
            let mut r = Report::new(format!("img{esc}"), ArtifactType::ContainerImage);
            r.metadata.image_config = Some(serde_json::json!({"config": {
                "User": format!("u{label}"),
                "Env": [format!("N{label}=1")],
                "Labels": {format!("l{esc}"): label},
            }}));
            let mut os = ScanResult::new("os", Class::OsPkgs, "debian");
            os.packages
                .push(Package::new(Ecosystem::Dpkg, format!("p{esc}"), version));
            r.results = vec![os];
            r.warnings = vec![format!("w{esc}")];
            r
        };
        let d = bulkhead_diff::compare(&report("a", "1.0"), &report(esc, &format!("2.0{esc}")));
        let mut buf = Vec::new();
        write(&d, DiffFormat::Table, false, &mut buf).unwrap();
        let out = String::from_utf8(buf).unwrap();
        let unsafe_char = |c: char| c != '\n' && bulkhead_types::text::is_terminal_unsafe(c);
        assert!(!out.chars().any(unsafe_char), "{out:?}");
        assert!(out.contains("Label l?]0;owned??[2J??"), "{out}");
        let mut buf = Vec::new();
        write(&d, DiffFormat::Markdown, false, &mut buf).unwrap();
        let out = String::from_utf8(buf).unwrap();
        assert!(!out.chars().any(unsafe_char), "{out:?}");
    }

    #[test]
    fn markdown_cells_cannot_break_out() {
        assert_eq!(md("a|b<script>\n`x`"), "a\\|b&lt;script&gt; 'x'");
        assert_eq!(md("</details>"), "&lt;/details&gt;");
        assert_eq!(
            md("a\u{1b}]0;x\u{7}\u{9b}1m\u{202e}b\tc"),
            "a?\\]0;x??1m?b c"
        );
    }
}
