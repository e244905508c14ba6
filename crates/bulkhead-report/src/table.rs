//! Human-readable tables, grouped by target as Trivy prints them.

use crate::WriteOptions;
use bulkhead_types::{Class, MisconfStatus, Report, ScanResult, Severity};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use owo_colors::OwoColorize;
use std::collections::BTreeMap;
use std::io::Write;

fn sev_text(sev: Severity, color: bool) -> String {
    if !color {
        return sev.as_str().to_string();
    }
    match sev {
        Severity::Critical => sev.as_str().red().bold().to_string(),
        Severity::High => sev.as_str().red().to_string(),
        Severity::Medium => sev.as_str().yellow().to_string(),
        Severity::Low => sev.as_str().blue().to_string(),
        Severity::Unknown => sev.as_str().dimmed().to_string(),
    }
}

fn totals(sevs: impl Iterator<Item = Severity>) -> String {
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut total = 0;
    for s in sevs {
        *counts.entry(s).or_default() += 1;
        total += 1;
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| format!("{}: {}", s, counts.get(s).copied().unwrap_or(0)))
        .collect();
    format!("Total: {total} ({})", parts.join(", "))
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(160);
    t
}

fn heading(out: &mut dyn Write, result: &ScanResult) -> std::io::Result<()> {
    let title = if result.kind.is_empty() || result.class == Class::OsPkgs {
        result.target.clone()
    } else {
        format!("{} ({})", result.target, result.kind)
    };
    writeln!(out)?;
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count().min(160)))
}

pub(crate) fn write(
    report: &Report,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let color = opts.color;
    writeln!(out, "Report for {}", report.artifact_name)?;
    if let Some(os) = &report.metadata.os {
        writeln!(out, "OS: {} {}", os.family, os.name)?;
    }
    for result in &report.results {
        let has_pkgs = opts.list_packages && !result.packages.is_empty();
        let empty = result.vulnerabilities.is_empty()
            && result.secrets.is_empty()
            && result.misconfigurations.is_empty()
            && !has_pkgs;
        if empty && !matches!(result.class, Class::OsPkgs | Class::LangPkgs) {
            continue;
        }
        heading(out, result)?;
        if has_pkgs {
            let mut t = new_table();
            t.set_header(vec!["Package", "Version", "Arch", "Source", "Layer"]);
            for p in &result.packages {
                let src = if p.src_name.is_empty() {
                    String::new()
                } else {
                    format!("{} {}", p.src_name, p.src_version)
                };
                let layer = p
                    .layer
                    .as_ref()
                    .map(|l| l.index.to_string())
                    .unwrap_or_default();
                t.add_row(vec![
                    p.name.clone(),
                    p.version.clone(),
                    p.arch.clone(),
                    src,
                    layer,
                ]);
            }
            writeln!(out, "Packages: {}", result.packages.len())?;
            writeln!(out, "{t}")?;
        }
        if matches!(result.class, Class::OsPkgs | Class::LangPkgs) {
            writeln!(
                out,
                "{}",
                totals(result.vulnerabilities.iter().map(|v| v.severity))
            )?;
            if !result.vulnerabilities.is_empty() {
                let mut t = new_table();
                t.set_header(vec![
                    "Library",
                    "Vulnerability",
                    "Severity",
                    "Risk",
                    "EPSS %ile",
                    "KEV",
                    "Status",
                    "Installed",
                    "Fixed",
                    "Layer",
                    "Title",
                ]);
                for v in &result.vulnerabilities {
                    let status = serde_json::to_value(v.status)
                        .ok()
                        .and_then(|s| s.as_str().map(str::to_string))
                        .unwrap_or_default();
                    let id = v.vulnerability_id.clone();
                    let severity = match v.cvss_score() {
                        Some(score) => format!("{} {score:.1}", sev_text(v.severity, color)),
                        None => sev_text(v.severity, color),
                    };
                    let epss = v
                        .epss
                        .as_ref()
                        .map(|e| format!("{:.1}", e.percentile * 100.0))
                        .unwrap_or_default();
                    let kev = match &v.kev_detail {
                        Some(k) if k.ransomware => "yes, ransomware".to_string(),
                        _ if v.kev => "yes".to_string(),
                        _ => String::new(),
                    };
                    let layer = v
                        .layer
                        .as_ref()
                        .map(|l| l.index.to_string())
                        .unwrap_or_default();
                    t.add_row(vec![
                        v.pkg_name.clone(),
                        id,
                        severity,
                        format!("{:.1}", v.risk_score()),
                        epss,
                        kev,
                        status,
                        v.installed_version.clone(),
                        v.fixed_version.clone(),
                        layer,
                        v.title.clone(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        if !result.secrets.is_empty() {
            writeln!(out, "{}", totals(result.secrets.iter().map(|s| s.severity)))?;
            for s in &result.secrets {
                writeln!(
                    out,
                    "{} ({}): {}",
                    sev_text(s.severity, color),
                    s.rule_id,
                    s.title
                )?;
                writeln!(out, "  line {}: {}", s.start_line, s.match_text)?;
                if let Some(l) = &s.layer {
                    writeln!(out, "  added in layer {} ({})", l.index, l.created_by)?;
                }
                if let Some(l) = &s.removed_in {
                    writeln!(
                        out,
                        "  removed in layer {} — still shipped in the image",
                        l.index
                    )?;
                }
            }
        }
        if !result.misconfigurations.is_empty() {
            let failing = result
                .misconfigurations
                .iter()
                .filter(|m| matches!(m.status, MisconfStatus::Fail | MisconfStatus::Warn));
            writeln!(out, "{}", totals(failing.map(|m| m.severity)))?;
            let mut t = new_table();
            t.set_header(vec!["ID", "Status", "Severity", "Line", "Title", "Message"]);
            for m in &result.misconfigurations {
                let line = match (m.cause_metadata.start_line, m.cause_metadata.end_line) {
                    (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
                    (Some(a), _) => a.to_string(),
                    _ => String::new(),
                };
                let status = serde_json::to_value(m.status)
                    .ok()
                    .and_then(|s| s.as_str().map(str::to_string))
                    .unwrap_or_default();
                let id = if m.mappings.cis.is_empty() {
                    m.id.clone()
                } else {
                    format!("{} [CIS {}]", m.id, m.mappings.cis)
                };
                t.add_row(vec![
                    id,
                    status,
                    sev_text(m.severity, color),
                    line,
                    m.title.clone(),
                    m.message.clone(),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    if let Some(s) = &report.summary
        && (s.hidden_by_severity > 0 || s.ignored > 0 || s.unknown_severity > 0)
    {
        {
            writeln!(out)?;
            writeln!(
                out,
                "{} finding(s) hidden by --severity ({} of them UNKNOWN, {} of those in KEV), {} ignored, {} shown with UNKNOWN severity.",
                s.hidden_by_severity,
                s.hidden_unknown,
                s.hidden_unknown_kev,
                s.ignored,
                s.unknown_severity
            )?;
        }
    }
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}
