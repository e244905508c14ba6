//! What the vulnerability database says about itself (`bulkhead_osv`
//! fills it, `bulkhead_report::db` renders it): plain data.

use std::collections::BTreeMap;

/// A source row: one ecosystem of a mirror, an import, or the KEV feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub name: String,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: String,
    pub records: u64,
    pub skipped: u64,
}

/// What `info` shows.
#[derive(Debug, Clone, Default)]
pub struct DbInfo {
    pub schema_version: String,
    pub built_at: Option<String>,
    pub checked_at: Option<String>,
    pub sources: Vec<SourceInfo>,
    /// Records per full ecosystem string (`Debian:11`), withdrawn excluded.
    pub ecosystems: BTreeMap<String, u64>,
    pub advisories: u64,
    pub withdrawn: u64,
    pub kev: u64,
    /// Rating data: EPSS rows and their score date, CVEs with CVSS data,
    /// CVSS rows by source (`nvd`, `cna`, `cisa-adp`).
    pub epss_rows: u64,
    pub epss_date: Option<String>,
    pub cvss_cves: u64,
    pub cvss_by_source: BTreeMap<String, u64>,
}
