//! What `bulkhead db info` prints.

use bulkhead_types::db::{DbInfo, UpdateSummary};
use std::fmt::Write as _;

/// `bulkhead db info`: JSON when `json`, else text. `path` is the database
/// file as displayed; `age_days` its age, when known. Source names, URLs and
/// dates are the database's (built from feeds): the text passes
/// [`bulkhead_types::text::terminal_safe_multiline`].
pub fn info(
    path: &str,
    info: &DbInfo,
    age_days: Option<u64>,
    json: bool,
) -> serde_json::Result<String> {
    if json {
        let v = serde_json::json!({
            "Path": path,
            "SchemaVersion": info.schema_version,
            "BuiltAt": info.built_at,
            "CheckedAt": info.checked_at,
            "AgeDays": age_days,
            "Advisories": info.advisories,
            "Withdrawn": info.withdrawn,
            "KEV": info.kev,
            "Ratings": {
                "EPSS": info.epss_rows,
                "EPSSDate": info.epss_date,
                "CVSSCVEs": info.cvss_cves,
                "CVSSBySource": info.cvss_by_source,
            },
            "Ecosystems": info.ecosystems,
            "Sources": info.sources.iter().map(|s| serde_json::json!({
                "Name": s.name, "URL": s.url, "FetchedAt": s.fetched_at,
                "Records": s.records, "Skipped": s.skipped,
                "ETag": s.etag, "LastModified": s.last_modified,
            })).collect::<Vec<_>>(),
        });
        return Ok(bulkhead_types::text::to_json_pretty(&v)? + "\n");
    }
    let mut out = String::new();
    let _ = writeln!(out, "Database: {path}");
    let _ = writeln!(
        out,
        "Built: {}  (last checked: {}; age: {})",
        info.built_at.as_deref().unwrap_or("unknown"),
        info.checked_at.as_deref().unwrap_or("never"),
        age_days
            .map(|d| format!("{d} day(s)"))
            .unwrap_or_else(|| "unknown".into())
    );
    let _ = writeln!(
        out,
        "Advisories: {} ({} withdrawn), KEV entries: {}",
        info.advisories, info.withdrawn, info.kev
    );
    let by_source: Vec<String> = info
        .cvss_by_source
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let _ = write!(
        out,
        "Ratings: EPSS {} CVE(s) (scores of {}), CVSS for {} CVE(s) ({})\n\nSources:\n",
        info.epss_rows,
        info.epss_date.as_deref().unwrap_or("unknown date"),
        info.cvss_cves,
        if by_source.is_empty() {
            "none".to_string()
        } else {
            by_source.join(", ")
        }
    );
    for s in &info.sources {
        let _ = writeln!(
            out,
            "  {:<24} {:>7} records {:>5} skipped  fetched {}  {}",
            s.name, s.records, s.skipped, s.fetched_at, s.url
        );
    }
    out.push_str("\nRecords per ecosystem:\n");
    for (eco, n) in &info.ecosystems {
        let _ = writeln!(out, "  {eco:<24} {n:>7}");
    }
    Ok(bulkhead_types::text::terminal_safe_multiline(&out).into_owned())
}

/// The line `bulkhead db update|import` prints on stderr (`what`: `update`
/// or `import`); source names come from the mirror, so the line is
/// terminal-safe.
pub fn update_summary(what: &str, r: &UpdateSummary) -> String {
    if what == "update" && !r.rebuilt {
        return format!(
            "advisory database is up to date ({} ecosystem(s) and {} rating file(s) unchanged, nothing downloaded)",
            r.unchanged.len(),
            r.ratings_unchanged
        );
    }
    let line = format!(
        "{what}: {} record(s) from {} source(s), {} malformed skipped, {} KEV entries, {} rating row(s) from {} file(s), {} byte(s) downloaded{}",
        r.records,
        r.sources,
        r.skipped,
        r.kev,
        r.rating_rows,
        r.rating_files,
        r.downloaded_bytes,
        if r.unchanged.is_empty() {
            String::new()
        } else {
            format!(", unchanged: {}", r.unchanged.join(", "))
        }
    );
    bulkhead_types::text::terminal_safe(&line).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::db::SourceInfo;

    #[test]
    fn text_is_terminal_safe_and_json_keeps_the_field_names() {
        let db = DbInfo {
            built_at: Some("2026-01-01T00:00:00Z".into()),
            sources: vec![SourceInfo {
                name: "Debian\u{1b}[2J".into(),
                url: "https://osv.example/Debian/all.zip".into(),
                etag: None,
                last_modified: None,
                fetched_at: "2026-01-01T00:00:00Z".into(),
                records: 3,
                skipped: 0,
            }],
            ..DbInfo::default()
        };
        let text = info("/db/osv.db", &db, Some(2), false).unwrap();
        assert!(text.starts_with("Database: /db/osv.db\nBuilt: 2026-01-01T00:00:00Z  (last checked: never; age: 2 day(s))\n"));
        assert!(text.contains("  Debian?[2J"), "{text}");
        let v: serde_json::Value =
            serde_json::from_str(&info("/db", &db, None, true).unwrap()).unwrap();
        assert_eq!(v["Sources"][0]["Records"], 3);
        assert!(v["AgeDays"].is_null());
    }
}
