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

/// What an update or import did, as its summary line counts it
/// (`bulkhead_osv::UpdateReport::summary` fills it, `bulkhead_report::db`
/// renders it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    /// Whether a new database file was swapped in.
    pub rebuilt: bool,
    /// Records imported.
    pub records: u64,
    /// Sources downloaded and rebuilt.
    pub sources: usize,
    /// Malformed records skipped.
    pub skipped: u64,
    /// KEV entries.
    pub kev: u64,
    /// Rating rows imported.
    pub rating_rows: u64,
    /// Rating files imported.
    pub rating_files: usize,
    /// Bytes downloaded.
    pub downloaded_bytes: u64,
    /// Ecosystems the server said were unchanged.
    pub unchanged: Vec<String>,
    /// Rating files the server said were unchanged.
    pub ratings_unchanged: usize,
}
