//! Human-readable tables, grouped by target as Trivy prints them.

use crate::WriteOptions;
use crate::palette::severity_text as sev_text;
use bulkhead_types::text::terminal_safe;
use bulkhead_types::{Class, MisconfStatus, Report, ScanResult, Severity};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::io::Write;

/// Input text (names, versions, paths, titles, messages) in a cell or a
/// line: escape sequences and bidi controls become `?`.
fn safe(s: &str) -> String {
    terminal_safe(s).into_owned()
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
        safe(&result.target)
    } else {
        format!("{} ({})", safe(&result.target), safe(&result.kind))
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
    writeln!(out, "Report for {}", safe(&report.artifact_name))?;
    if let Some(os) = &report.metadata.os {
        writeln!(out, "OS: {} {}", safe(&os.family), safe(&os.name))?;
    }
    for result in &report.results {
        let has_pkgs = opts.list_packages && !result.packages.is_empty();
        let empty = result.vulnerabilities.is_empty()
            && result.modified_findings.is_empty()
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
                    format!("{} {}", safe(&p.src_name), safe(&p.src_version))
                };
                let layer = p
                    .layer
                    .as_ref()
                    .map(|l| l.index.to_string())
                    .unwrap_or_default();
                t.add_row(vec![
                    safe(&p.name),
                    safe(&p.version),
                    safe(&p.arch),
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
                    let mut status = serde_json::to_value(v.status)
                        .ok()
                        .and_then(|s| s.as_str().map(str::to_string))
                        .unwrap_or_default();
                    if let Some(x) = &v.vex {
                        status.push_str(&format!(", VEX {}", safe(&x.status)));
                    }
                    let id = safe(&v.vulnerability_id);
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
                        safe(&v.pkg_name),
                        id,
                        severity,
                        format!("{:.1}", v.risk_score()),
                        epss,
                        kev,
                        status,
                        safe(&v.installed_version),
                        safe(&v.fixed_version),
                        layer,
                        safe(&v.title),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            suppressed_table(out, result, color)?;
        }
        if !result.secrets.is_empty() {
            writeln!(out, "{}", totals(result.secrets.iter().map(|s| s.severity)))?;
            for s in &result.secrets {
                writeln!(
                    out,
                    "{} ({}): {}",
                    sev_text(s.severity, color),
                    safe(&s.rule_id),
                    safe(&s.title)
                )?;
                writeln!(out, "  line {}: {}", s.start_line, safe(&s.match_text))?;
                if let Some(l) = &s.layer {
                    writeln!(
                        out,
                        "  added in layer {} ({})",
                        l.index,
                        safe(&l.created_by)
                    )?;
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
                    safe(&m.id)
                } else {
                    format!("{} [CIS {}]", safe(&m.id), safe(&m.mappings.cis))
                };
                t.add_row(vec![
                    id,
                    status,
                    sev_text(m.severity, color),
                    line,
                    safe(&m.title),
                    safe(&m.message),
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
    if let Some(s) = &report.summary
        && s.suppressed > 0
    {
        writeln!(out)?;
        writeln!(
            out,
            "{} finding(s) suppressed by VEX (listed under \"Suppressed by VEX\" above; they do not count towards --exit-code or --fail-on).",
            s.suppressed
        )?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {}", safe(w))?;
    }
    Ok(())
}

/// The findings of a result that a VEX statement suppressed, with the
/// statement's status, reason and document.
pub(crate) fn suppressed_table(
    out: &mut dyn Write,
    result: &ScanResult,
    color: bool,
) -> std::io::Result<()> {
    if result.modified_findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "Suppressed by VEX: {}", result.modified_findings.len())?;
    let mut t = new_table();
    t.set_header(vec![
        "Library",
        "Vulnerability",
        "Severity",
        "Installed",
        "VEX status",
        "Justification / statement",
        "Source",
    ]);
    for m in &result.modified_findings {
        let v = &m.finding;
        let mut why = safe(&m.vex.justification);
        for extra in [&m.vex.impact_statement, &m.vex.action_statement] {
            if !extra.is_empty() {
                if !why.is_empty() {
                    why.push_str(": ");
                }
                why.push_str(&safe(extra));
            }
        }
        t.add_row(vec![
            safe(&v.pkg_name),
            safe(&v.vulnerability_id),
            sev_text(v.severity, color),
            safe(&v.installed_version),
            safe(&m.vex.status),
            why,
            format!("{} #{}", safe(&m.vex.source), m.vex.statement_index),
        ]);
    }
    writeln!(out, "{t}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::text::is_terminal_unsafe;
    use bulkhead_types::{
        ArtifactType, Ecosystem, LayerRef, Misconfiguration, OsInfo, Package, Secret, Vulnerability,
    };

    const EVIL: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31m\u{9b}2J\u{202e}\u{2066}\n";

    fn evil(s: &str) -> String {
        format!("{s}{EVIL}")
    }

    #[test]
    fn no_escape_or_bidi_control_from_the_report_reaches_the_table() {
        let mut r = Report::new(evil("img"), ArtifactType::ContainerImage);
        r.metadata.os = Some(OsInfo {
            family: evil("debian"),
            name: evil("11"),
            ..OsInfo::default()
        });
        let layer = LayerRef {
            index: 1,
            diff_id: "sha256:00".into(),
            digest: String::new(),
            created_by: evil("RUN"),
        };
        let mut os = ScanResult::new(evil("target"), Class::OsPkgs, evil("debian"));
        let mut p = Package::new(Ecosystem::Dpkg, evil("pkg"), evil("1.0"));
        p.arch = evil("amd64");
        p.src_name = evil("src");
        p.src_version = evil("1.0");
        os.packages.push(p);
        os.vulnerabilities.push(Vulnerability {
            vulnerability_id: evil("CVE-1"),
            pkg_name: evil("pkg"),
            installed_version: evil("1.0"),
            fixed_version: evil("2.0"),
            title: evil("title"),
            ..Vulnerability::default()
        });
        let mut sec = ScanResult::new(evil("/etc/x"), Class::Secret, "");
        sec.secrets.push(Secret {
            rule_id: evil("rule"),
            category: evil("cat"),
            severity: Severity::High,
            title: evil("title"),
            start_line: 1,
            end_line: 1,
            match_text: evil("****"),
            layer: Some(layer),
            removed_in: None,
        });
        let mut mis = ScanResult::new(evil("Dockerfile"), Class::Config, evil("dockerfile"));
        let mut m: Misconfiguration = serde_json::from_value(serde_json::json!({
            "ID": "BH-DF-001", "Title": "t", "Severity": "LOW", "Status": "FAIL"
        }))
        .unwrap();
        m.id = evil("BH");
        m.mappings.cis = evil("4.1");
        m.title = evil("title");
        m.message = evil("message");
        mis.misconfigurations.push(m);
        r.results = vec![os, sec, mis];
        r.warnings = vec![evil("warning")];
        let opts = WriteOptions {
            list_packages: true,
            ..WriteOptions::default()
        };
        let mut buf = Vec::new();
        write(&r, &opts, &mut buf).unwrap();
        let out = String::from_utf8(buf).unwrap();
        assert!(
            !out.chars().any(|c| c != '\n' && is_terminal_unsafe(c)),
            "{out:?}"
        );
        assert!(out.contains("Report for img?]0;pwned??[31m?2J???"), "{out}");
        assert!(out.contains("warning: warning?]0;pwned"), "{out}");
    }
}
