//! What the fleet commands print: `bulkhead fleet status`, `query`,
//! `rematch` and `scan-registry`, as text (tables) or JSON. Names, package
//! names and errors come from registries and images: text output passes
//! [`bulkhead_types::text::terminal_safe`], JSON goes through
//! [`bulkhead_types::text::to_json_pretty`].

use crate::palette::severity_text;
use bulkhead_types::fleet::{FleetQuery, FleetStatus, RegistryScan, RematchSummary};
use bulkhead_types::text::{terminal_safe, to_json_pretty};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use std::fmt::Write as _;

fn json<T: Serialize>(v: &T) -> serde_json::Result<String> {
    Ok(to_json_pretty(v)? + "\n")
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// `sha256:0123456789ab` (the first 12 hex digits), for tables.
fn short(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("{alg}:{}", hex.get(..12).unwrap_or(hex)),
        None => digest.to_string(),
    }
}

/// `bulkhead fleet status`.
pub fn status(s: &FleetStatus, as_json: bool) -> serde_json::Result<String> {
    if as_json {
        return json(s);
    }
    let n = |k: &str| s.jobs.get(k).copied().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Jobs: {} queued, {} running, {} done, {} failed",
        n("queued"),
        n("running"),
        n("done"),
        n("failed")
    );
    if let Some(t) = &s.oldest_queued {
        let _ = writeln!(out, "Oldest queued job: {}", terminal_safe(t));
    }
    let _ = writeln!(out, "Results: {}", s.results);
    let ratio = s
        .reuse_ratio()
        .map_or_else(|| "n/a".to_string(), |r| format!("{:.1}%", r * 100.0));
    let _ = writeln!(
        out,
        "Layers: {} stored; {} reused, {} analysed by the stored results (reuse {ratio})",
        s.stored_layers, s.layers_reused, s.layers_analyzed
    );
    match &s.last_rematch {
        Some(r) => {
            let _ = writeln!(
                out,
                "Last rematch: #{} at {} ({} images, {} changed; advisories built {})",
                r.id,
                terminal_safe(r.finished_at.as_deref().unwrap_or(&r.started_at)),
                r.images,
                r.changed,
                terminal_safe(r.db_built_at.as_deref().unwrap_or("unknown"))
            );
        }
        None => {
            let _ = writeln!(out, "Last rematch: never");
        }
    }
    if !s.recent_failures.is_empty() {
        let _ = writeln!(out, "Recent failures:");
        for f in &s.recent_failures {
            let _ = writeln!(
                out,
                "  #{} {} after {} attempt(s): {}",
                f.id,
                terminal_safe(&f.image),
                f.attempts,
                terminal_safe(&f.error)
            );
        }
    }
    Ok(out)
}

/// `bulkhead fleet query`.
pub fn query(q: &FleetQuery, as_json: bool, color: bool) -> serde_json::Result<String> {
    if as_json {
        return json(q);
    }
    let mut out = format!("{}: {} image(s)\n", terminal_safe(&q.query), q.images.len());
    if q.images.is_empty() {
        return Ok(out);
    }
    let mut t = table(&["Image", "Digest", "Matches"]);
    for img in &q.images {
        let names = if img.names.is_empty() {
            "(no name seen)".to_string()
        } else {
            img.names
                .iter()
                .map(|n| terminal_safe(n))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let matches: Vec<String> = img
            .matches
            .iter()
            .map(|m| {
                let mut line = String::new();
                if !m.id.is_empty() {
                    line.push_str(&terminal_safe(&m.id));
                    line.push(' ');
                }
                line.push_str(&terminal_safe(&m.package));
                line.push(' ');
                line.push_str(&terminal_safe(&m.version));
                if let Some(sev) = m.severity {
                    line.push_str(&format!(" {}", severity_text(sev, color)));
                }
                if m.kev {
                    line.push_str(" KEV");
                }
                if !m.fixed_version.is_empty() {
                    line.push_str(&format!(" (fixed in {})", terminal_safe(&m.fixed_version)));
                }
                line
            })
            .collect();
        t.add_row(vec![names, short(&img.digest), matches.join("\n")]);
    }
    let _ = writeln!(out, "{t}");
    Ok(out)
}

/// `bulkhead fleet rematch`.
pub fn rematch(r: &RematchSummary, as_json: bool) -> serde_json::Result<String> {
    if as_json {
        return json(r);
    }
    let mut out = format!(
        "Rematch #{}: {} image(s) re-matched against advisories built {}; {} changed\n",
        r.run_id,
        r.images,
        terminal_safe(r.db_built_at.as_deref().unwrap_or("at an unknown time")),
        r.changed.len()
    );
    for c in &r.changed {
        let name = c.names.first().map_or_else(
            || c.digest.clone(),
            |n| format!("{n} ({})", short(&c.digest)),
        );
        let _ = writeln!(out, "{}", terminal_safe(&name));
        for a in &c.added {
            let _ = writeln!(out, "  + {}", terminal_safe(a));
        }
        for a in &c.removed {
            let _ = writeln!(out, "  - {}", terminal_safe(a));
        }
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {}", terminal_safe(w));
    }
    Ok(out)
}

/// `bulkhead fleet scan-registry`.
pub fn registry_scan(r: &RegistryScan, as_json: bool) -> serde_json::Result<String> {
    if as_json {
        return json(r);
    }
    let mut out = format!(
        "{}: {} repositories, {} tags, {} digests: {} enqueued, {} already queued, {} already scanned\n",
        terminal_safe(&r.registry),
        r.repositories,
        r.tags,
        r.digests,
        r.enqueued,
        r.already_queued,
        r.already_scanned
    );
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {}", terminal_safe(w));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::Severity;
    use bulkhead_types::fleet::{AffectedImage, FleetMatch, ImageChange};

    #[test]
    fn query_table_and_json() {
        let q = FleetQuery {
            query: "--cve CVE-2024-1".into(),
            images: vec![AffectedImage {
                digest: format!("sha256:{}", "ab".repeat(32)),
                names: vec!["reg/app:1\u{1b}[31m".into()],
                scanned_at: "2024-01-01T00:00:00Z".into(),
                matches: vec![FleetMatch {
                    id: "CVE-2024-1".into(),
                    package: "zlib1g".into(),
                    version: "1.2".into(),
                    fixed_version: "1.3".into(),
                    severity: Some(Severity::High),
                    kev: true,
                }],
            }],
        };
        let text = query(&q, false, false).unwrap();
        assert!(text.contains("1 image(s)"), "{text}");
        assert!(
            text.contains("CVE-2024-1 zlib1g 1.2 HIGH KEV (fixed in 1.3)"),
            "{text}"
        );
        assert!(text.contains("sha256:abababababab"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        let v: serde_json::Value = serde_json::from_str(&query(&q, true, false).unwrap()).unwrap();
        assert_eq!(v["Images"][0]["Matches"][0]["KEV"], true);
        assert_eq!(v["Images"][0]["Matches"][0]["Severity"], "HIGH");
    }

    #[test]
    fn status_and_rematch_lines() {
        let mut s = FleetStatus::default();
        s.jobs.insert("queued".into(), 2);
        s.layers_reused = 1;
        s.layers_analyzed = 1;
        let text = status(&s, false).unwrap();
        assert!(text.contains("2 queued, 0 running"), "{text}");
        assert!(text.contains("reuse 50.0%"), "{text}");
        assert!(text.contains("Last rematch: never"), "{text}");
        let r = RematchSummary {
            run_id: 3,
            images: 2,
            changed: vec![ImageChange {
                digest: "sha256:1".into(),
                names: vec!["reg/a:1".into()],
                added: vec!["CVE-1 zlib1g 1.2".into()],
                removed: vec![],
            }],
            ..RematchSummary::default()
        };
        let text = rematch(&r, false).unwrap();
        assert!(text.contains("1 changed"), "{text}");
        assert!(text.contains("  + CVE-1 zlib1g 1.2"), "{text}");
    }
}
