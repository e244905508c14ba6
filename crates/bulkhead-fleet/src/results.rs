//! Results, one per manifest digest: the inventory and the report (both
//! JSON, zstd-compressed when large), the scanner and analyzer versions,
//! the advisory database's build time, and the rows `fleet query` reads
//! (`findings`, `packages`). Written with `INSERT … ON CONFLICT (digest) DO
//! UPDATE`: a job that runs twice leaves one result.

use crate::codec;
use crate::error::{DbContext, Result};
use crate::queue::rfc3339;
use bulkhead_scan::PackageSet;
use bulkhead_types::{OsInfo, Report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tokio_postgres::GenericClient;

/// The part of an inventory a result keeps: what matching needs (the OS
/// and the package sets); the file table stays out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredInventory {
    pub os: Option<OsInfo>,
    pub package_sets: Vec<PackageSet>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl StoredInventory {
    /// The stored part of an engine inventory.
    pub fn from_inventory(inv: &bulkhead_engine::Inventory) -> StoredInventory {
        StoredInventory {
            os: inv.os.clone(),
            package_sets: inv.package_sets.clone(),
            warnings: inv.warnings.clone(),
        }
    }

    /// Packages do not serialise their ecosystem; give it back from the set.
    fn restore(&mut self) {
        for set in &mut self.package_sets {
            for p in &mut set.packages {
                p.ecosystem = Some(set.ecosystem);
            }
        }
    }
}

/// What a result was made with, besides the scan itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultMeta {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    /// Bulkhead's version.
    pub scanner_version: String,
    /// [`bulkhead_engine::analyzers_key`] of the scan.
    pub analyzers_key: String,
    /// The advisory database's `built_at` (RFC 3339), when known.
    pub db_built_at: Option<String>,
    pub layers_reused: u32,
    pub layers_analyzed: u32,
    /// Wall-clock seconds of the scan.
    pub scan_seconds: f64,
    pub job_id: Option<i64>,
}

/// A stored result.
#[derive(Debug, Clone)]
pub struct StoredResult {
    pub digest: String,
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    /// The unfiltered report (packages, vulnerabilities, secrets): what
    /// every format, SBOMs included, renders from.
    pub report: Report,
    pub inventory: StoredInventory,
    pub scanner_version: String,
    pub analyzers_key: String,
    pub db_built_at: Option<String>,
    /// RFC 3339 (UTC).
    pub scanned_at: String,
    pub rematched_at: Option<String>,
    pub layers_reused: u32,
    pub layers_analyzed: u32,
}

/// A finding row: `(id, aliases, package, version, fixed, severity, kev)`.
pub(crate) type FindingRow = (String, Vec<String>, String, String, String, String, bool);

/// The finding rows of a report (duplicates merged).
pub(crate) fn finding_rows(report: &Report) -> Vec<FindingRow> {
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    for r in &report.results {
        for v in &r.vulnerabilities {
            let mut aliases: Vec<String> = v
                .aliases
                .iter()
                .chain(&v.vendor_ids)
                .filter(|a| **a != v.vulnerability_id)
                .cloned()
                .collect();
            aliases.sort();
            aliases.dedup();
            let row = (
                v.vulnerability_id.clone(),
                aliases,
                v.pkg_name.clone(),
                v.installed_version.clone(),
                v.fixed_version.clone(),
                v.severity.as_str().to_string(),
                v.kev,
            );
            if seen.insert(row.clone()) {
                rows.push(row);
            }
        }
    }
    rows
}

/// `ID package version` of each finding: what a re-match compares.
pub(crate) fn finding_keys(report: &Report) -> BTreeSet<String> {
    report
        .results
        .iter()
        .flat_map(|r| &r.vulnerabilities)
        .map(|v| {
            format!(
                "{} {} {}",
                v.vulnerability_id, v.pkg_name, v.installed_version
            )
        })
        .collect()
}

/// Replace the `findings` rows of `digest`.
pub(crate) async fn write_findings(
    c: &impl GenericClient,
    digest: &str,
    report: &Report,
) -> Result<usize> {
    c.execute("DELETE FROM findings WHERE digest = $1", &[&digest])
        .await
        .db("cannot clear the stored findings")?;
    let rows = finding_rows(report);
    if rows.is_empty() {
        return Ok(0);
    }
    // One statement for all rows: arrays unnested server-side (aliases,
    // themselves arrays, travel as JSON).
    let mut ids = Vec::new();
    let mut aliases = Vec::new();
    let mut pkgs = Vec::new();
    let mut versions = Vec::new();
    let mut fixed = Vec::new();
    let mut sevs = Vec::new();
    let mut kevs = Vec::new();
    for (id, al, p, v, f, s, k) in &rows {
        ids.push(id.as_str());
        aliases.push(serde_json::to_string(al).unwrap_or_else(|_| "[]".into()));
        pkgs.push(p.as_str());
        versions.push(v.as_str());
        fixed.push(f.as_str());
        sevs.push(s.as_str());
        kevs.push(*k);
    }
    c.execute(
        "INSERT INTO findings (digest, vuln_id, aliases, pkg_name, installed_version,
                               fixed_version, severity, kev)
         SELECT $1, t.id,
                ARRAY(SELECT jsonb_array_elements_text(t.aliases::jsonb)),
                t.pkg, t.ver, t.fixed, t.sev, t.kev
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[])
              AS t(id, aliases, pkg, ver, fixed, sev, kev)",
        &[
            &digest, &ids, &aliases, &pkgs, &versions, &fixed, &sevs, &kevs,
        ],
    )
    .await
    .db("cannot store the findings")?;
    Ok(rows.len())
}

/// Replace the `packages` rows of `digest`.
async fn write_packages(c: &impl GenericClient, digest: &str, inv: &StoredInventory) -> Result<()> {
    c.execute("DELETE FROM packages WHERE digest = $1", &[&digest])
        .await
        .db("cannot clear the stored packages")?;
    let mut names = Vec::new();
    let mut versions = Vec::new();
    let mut kinds = Vec::new();
    for set in &inv.package_sets {
        for p in &set.packages {
            names.push(p.name.as_str());
            versions.push(p.version.as_str());
            kinds.push(set.kind.as_str());
        }
    }
    if names.is_empty() {
        return Ok(());
    }
    c.execute(
        "INSERT INTO packages (digest, name, version, kind)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])",
        &[&digest, &names, &versions, &kinds],
    )
    .await
    .db("cannot store the packages")?;
    Ok(())
}

/// Upsert the result of `digest` (and its query rows) in `tx`.
pub async fn upsert(
    tx: &impl GenericClient,
    digest: &str,
    report: &Report,
    inventory: &StoredInventory,
    meta: &ResultMeta,
) -> Result<()> {
    let (inv_bytes, inv_codec) = codec::encode(inventory)?;
    let (rep_bytes, rep_codec) = codec::encode(report)?;
    let findings = i32::try_from(finding_rows(report).len()).unwrap_or(i32::MAX);
    tx.execute(
        "INSERT INTO results (digest, registry, repository, tag, inventory, inventory_codec,
                              report, report_codec, scanner_version, analyzers_key, db_built_at,
                              scanned_at, rematched_at, findings, layers_reused, layers_analyzed,
                              scan_seconds, job_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::timestamptz,
                 now(), NULL, $12, $13, $14, $15, $16)
         ON CONFLICT (digest) DO UPDATE SET
             registry = EXCLUDED.registry, repository = EXCLUDED.repository, tag = EXCLUDED.tag,
             inventory = EXCLUDED.inventory, inventory_codec = EXCLUDED.inventory_codec,
             report = EXCLUDED.report, report_codec = EXCLUDED.report_codec,
             scanner_version = EXCLUDED.scanner_version, analyzers_key = EXCLUDED.analyzers_key,
             db_built_at = EXCLUDED.db_built_at, scanned_at = now(), rematched_at = NULL,
             findings = EXCLUDED.findings, layers_reused = EXCLUDED.layers_reused,
             layers_analyzed = EXCLUDED.layers_analyzed, scan_seconds = EXCLUDED.scan_seconds,
             job_id = EXCLUDED.job_id",
        &[
            &digest,
            &meta.registry,
            &meta.repository,
            &meta.tag,
            &inv_bytes,
            &inv_codec,
            &rep_bytes,
            &rep_codec,
            &meta.scanner_version,
            &meta.analyzers_key,
            &meta.db_built_at,
            &findings,
            &i32::try_from(meta.layers_reused).unwrap_or(i32::MAX),
            &i32::try_from(meta.layers_analyzed).unwrap_or(i32::MAX),
            &meta.scan_seconds,
            &meta.job_id,
        ],
    )
    .await
    .db("cannot store the result")?;
    write_findings(tx, digest, report).await?;
    write_packages(tx, digest, inventory).await?;
    crate::queue::record_ref(
        tx,
        &meta.registry,
        &meta.repository,
        meta.tag.as_deref(),
        digest,
    )
    .await?;
    Ok(())
}

/// A result's times as RFC 3339 columns: db_built_at, scanned_at,
/// rematched_at.
macro_rules! result_times {
    () => {
        concat!(
            rfc3339!("db_built_at"),
            ", ",
            rfc3339!("scanned_at"),
            ", ",
            rfc3339!("rematched_at")
        )
    };
}

/// The stored result of `digest`.
pub async fn get(c: &impl GenericClient, digest: &str) -> Result<Option<StoredResult>> {
    let sql = concat!(
        "SELECT digest, registry, repository, tag, inventory, inventory_codec, report, report_codec,
                scanner_version, analyzers_key, ",
        result_times!(),
        ", layers_reused, layers_analyzed FROM results WHERE digest = $1"
    );
    let Some(r) = c
        .query_opt(sql, &[&digest])
        .await
        .db("cannot read the result")?
    else {
        return Ok(None);
    };
    let mut inventory: StoredInventory =
        codec::decode(r.get(4), r.get(5), &format!("inventory of {digest}"))?;
    inventory.restore();
    let report: Report = codec::decode(r.get(6), r.get(7), &format!("report of {digest}"))?;
    Ok(Some(StoredResult {
        digest: r.get(0),
        registry: r.get(1),
        repository: r.get(2),
        tag: r.get(3),
        report,
        inventory,
        scanner_version: r.get(8),
        analyzers_key: r.get(9),
        db_built_at: r.get(10),
        scanned_at: r.get(11),
        rematched_at: r.get(12),
        layers_reused: u32::try_from(r.get::<_, i32>(13)).unwrap_or(0),
        layers_analyzed: u32::try_from(r.get::<_, i32>(14)).unwrap_or(0),
    }))
}

/// A stored report and its times, for a scan server.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub report: Report,
    pub db_built_at: Option<String>,
    /// RFC 3339 (UTC).
    pub scanned_at: String,
    pub rematched_at: Option<String>,
}

/// The report of a manifest digest, without the inventory; decompressed
/// and parsed on tokio's blocking pool (a report can be large), so an
/// async server's reactor is never held up.
pub async fn get_report(c: &impl GenericClient, digest: &str) -> Result<Option<StoredReport>> {
    let sql = concat!(
        "SELECT report, report_codec, ",
        result_times!(),
        " FROM results WHERE digest = $1"
    );
    let Some(r) = c
        .query_opt(sql, &[&digest])
        .await
        .db("cannot read the result")?
    else {
        return Ok(None);
    };
    let bytes: Vec<u8> = r.get(0);
    let codec_name: String = r.get(1);
    let what = format!("report of {digest}");
    let report: Report =
        tokio::task::spawn_blocking(move || codec::decode(&bytes, &codec_name, &what))
            .await
            .map_err(|e| crate::Error::Internal(format!("the report decoder failed: {e}")))??;
    Ok(Some(StoredReport {
        report,
        db_built_at: r.get(2),
        scanned_at: r.get(3),
        rematched_at: r.get(4),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::{Class, ScanResult, Severity, Vulnerability};

    fn vuln(id: &str, pkg: &str) -> Vulnerability {
        serde_json::from_value(serde_json::json!({
            "VulnerabilityID": id, "PkgID": format!("{pkg}@1"), "PkgName": pkg,
            "PkgIdentifier": {}, "InstalledVersion": "1", "Status": "affected",
            "Severity": "HIGH", "Aliases": ["GHSA-x", id], "VendorIDs": ["DSA-1"]
        }))
        .unwrap()
    }

    #[test]
    fn finding_rows_merge_duplicates_and_keep_aliases() {
        let mut r = Report::new("x", bulkhead_types::ArtifactType::ContainerImage);
        let mut res = ScanResult::new("x", Class::OsPkgs, "debian");
        res.vulnerabilities = vec![vuln("CVE-1", "a"), vuln("CVE-1", "a"), vuln("CVE-2", "b")];
        r.results.push(res);
        let rows = finding_rows(&r);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, ["DSA-1", "GHSA-x"]);
        assert_eq!(rows[0].5, Severity::High.as_str());
        let keys = finding_keys(&r);
        assert!(keys.contains("CVE-2 b 1"), "{keys:?}");
    }
}
