//! Plain-text views of the quick view and the recommendations of
//! `bulkhead_advise` (the JSON views are the serde forms of [`Summary`] and
//! [`Advice`]).

use bulkhead_advise::base::{BaseImage, BaseSource};
use bulkhead_advise::eol::EolState;
use bulkhead_advise::rank::{Advice, BaseFindingsSource, Recommendation};
use bulkhead_advise::summary::{Counts, Summary, UrgentFinding};
use bulkhead_types::{Severity, VulnStatus};
use std::fmt::Write as _;

/// Image data on screen: terminal escapes and bidi controls replaced
/// ([`bulkhead_types::text::terminal_safe`]), length capped.
pub fn clean(s: &str) -> String {
    bulkhead_types::text::terminal_safe_capped(s, 120)
}

/// Bytes as B, KiB, MiB or GiB with one decimal.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    // f64 is exact enough for a display with one decimal.
    let mut v = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

fn base_line(b: &BaseImage) -> String {
    let name = if b.name.is_empty() {
        "(unnamed)".to_string()
    } else {
        clean(&b.name)
    };
    let mut s = name;
    if !b.digest.is_empty() {
        let _ = write!(s, "@{}", clean(&b.digest));
    }
    match (b.source, b.layers) {
        (BaseSource::Label, _) => s.push_str(" (from the image labels)"),
        (BaseSource::Layers, Some(n)) => {
            let _ = write!(s, " (its {n} layer(s) are the image's first)");
        }
        (BaseSource::Layers, None) => s.push_str(" (by layers)"),
    }
    s
}

fn counts_table(out: &mut String, c: &Counts) {
    let _ = writeln!(
        out,
        "{:<10} {:>6} {:>6} {:>9} {:>13}",
        "SEVERITY", "TOTAL", "FIXED", "AFFECTED", "WILL NOT FIX"
    );
    for s in Severity::ALL.iter().rev() {
        let f = c.by_severity.get(s).copied().unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<10} {:>6} {:>6} {:>9} {:>13}",
            s.as_str(),
            f.total(),
            f.fixed,
            f.affected,
            f.will_not_fix
        );
    }
}

fn finding_line(f: &UrgentFinding) -> String {
    let mut s = format!(
        "{:<18} {:<8} {} {}",
        clean(&f.vulnerability_id),
        f.severity.as_str(),
        clean(&f.pkg_name),
        clean(&f.installed_version)
    );
    match f.status {
        VulnStatus::Fixed => {
            let _ = write!(s, " -> {}", clean(&f.fixed_version));
        }
        VulnStatus::Affected => s.push_str(" (no fix yet)"),
        VulnStatus::WillNotFix => s.push_str(" (will not be fixed)"),
    }
    if f.kev {
        s.push_str(" [KEV: exploited]");
    }
    if let Some(score) = f.cvss_score {
        let _ = write!(s, " CVSS {score:.1}");
    }
    s
}

/// The quick view as a screen of text.
pub fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", clean(&s.artifact_name));
    let _ = writeln!(out);
    match &s.os {
        Some(os) => {
            let mut line = format!("{} {}", clean(&os.family), clean(&os.name));
            match &os.end_of_life {
                Some(e) => {
                    let detail = match (e.state, &e.security_until) {
                        (EolState::Supported, _) => {
                            format!("standard support until {}", e.supported_until)
                        }
                        (EolState::SecurityOnly, Some(until)) => format!(
                            "standard support ended {}, {} security fixes until {}",
                            e.supported_until, e.security_phase, until
                        ),
                        (EolState::SecurityOnly, None) | (EolState::EndOfLife, _) => {
                            let last = e.security_until.as_ref().unwrap_or(&e.supported_until);
                            format!("no more fixes since {last}: move to a supported release")
                        }
                    };
                    let _ = write!(line, ": {} as of {} ({detail})", e.state.as_str(), e.as_of);
                }
                None => line.push_str(": end of life unknown (not in the table)"),
            }
            let _ = writeln!(out, "OS           {line}");
        }
        None => {
            let _ = writeln!(out, "OS           not detected");
        }
    }
    let base = s
        .base_image
        .as_ref()
        .map_or_else(|| "not identified".to_string(), base_line);
    let _ = writeln!(out, "Base image   {base}");
    let c = &s.vulnerabilities;
    let _ = writeln!(
        out,
        "Findings     {} vulnerabilities, {} with a fix",
        c.total, c.fixable
    );
    let _ = writeln!(out);
    counts_table(&mut out, c);
    let _ = writeln!(out);
    if s.most_urgent.is_empty() {
        let _ = writeln!(out, "Most urgent: none");
    } else {
        let _ = writeln!(out, "Most urgent:");
        for (i, f) in s.most_urgent.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, finding_line(f));
        }
    }
    for w in &s.warnings {
        let _ = writeln!(out, "warning: {}", clean(w));
    }
    out
}

fn list(out: &mut String, title: &str, v: &[UrgentFinding]) {
    if v.is_empty() {
        let _ = writeln!(out, "   {title}: none");
        return;
    }
    let _ = writeln!(out, "   {title} ({}):", v.len());
    for f in v {
        let _ = writeln!(out, "     - {}", finding_line(f));
    }
}

fn rec_row(r: &Recommendation) -> String {
    let v = &r.vulnerabilities;
    let mut name = clean(&r.name);
    if r.current {
        name.push_str(" (current)");
    }
    format!(
        "{:<4} {:<40} {:>8} {:>5} {:>6} {:>10} {:>6} {:>11}",
        r.rank,
        name,
        v.at(Severity::Critical),
        v.at(Severity::High),
        v.total,
        r.size.map_or_else(|| "?".to_string(), human_size),
        r.would_fix.len(),
        r.would_introduce.len()
    )
}

/// The recommendations as text: a ranking table, then per candidate what
/// it would fix and introduce.
pub fn advice_text(a: &Advice) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", clean(&a.artifact_name));
    let base = a
        .base_image
        .as_ref()
        .map_or_else(|| "not identified".to_string(), base_line);
    let _ = writeln!(out, "Current base: {base}");
    let from = match a.base_findings_from {
        BaseFindingsSource::BaseLayers => "the image's findings in its base layers",
        BaseFindingsSource::BaseScan => "a scan of the current base image",
        BaseFindingsSource::OsPackages => {
            "the image's OS-package findings (base unknown: a rough stand-in)"
        }
    };
    let _ = writeln!(
        out,
        "Current base findings: {} (from {from})",
        a.base_findings.total
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<4} {:<40} {:>8} {:>5} {:>6} {:>10} {:>6} {:>11}",
        "RANK", "CANDIDATE", "CRITICAL", "HIGH", "TOTAL", "SIZE", "FIXES", "INTRODUCES"
    );
    for r in &a.candidates {
        let _ = writeln!(out, "{}", rec_row(r));
    }
    for r in &a.candidates {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}. {}", r.rank, clean(&r.name));
        list(&mut out, "would fix", &r.would_fix);
        list(&mut out, "would introduce", &r.would_introduce);
    }
    if !a.warnings.is_empty() {
        let _ = writeln!(out);
    }
    for w in &a.warnings {
        let _ = writeln!(out, "warning: {}", clean(w));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 << 20), "5.0 MiB");
        assert_eq!(human_size(u64::MAX), "16777216.0 TiB");
    }

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(clean("a\u{1b}[2Jb\n"), "a?[2Jb?");
        assert_eq!(clean("a\u{9b}1m\u{202e}\u{2067}b"), "a?1m??b");
        assert_eq!(clean(&"x".repeat(200)).chars().count(), 121);
    }
}
