//! What the fleet commands answer (`bulkhead_fleet` fills it from its
//! database, `bulkhead_report::fleet` renders it): plain data.

use crate::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `bulkhead fleet status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FleetStatus {
    /// Jobs by state: `queued`, `running`, `done`, `failed` (all four keys).
    pub jobs: BTreeMap<String, u64>,
    /// When the oldest queued job was enqueued (RFC 3339), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_queued: Option<String>,
    /// Stored results (one per manifest digest).
    pub results: u64,
    /// Stored layer analyses shared by the workers.
    pub stored_layers: u64,
    /// Layers the stored results read from the shared store, and analysed.
    pub layers_reused: u64,
    pub layers_analyzed: u64,
    /// The last re-match, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rematch: Option<RematchRun>,
    /// The most recent failed jobs (newest first, a few).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent_failures: Vec<FailedJob>,
}

impl FleetStatus {
    /// Layers reused / layers read, when any were read.
    pub fn reuse_ratio(&self) -> Option<f64> {
        let total = self.layers_reused + self.layers_analyzed;
        (total > 0).then(|| self.layers_reused as f64 / total as f64)
    }
}

/// One re-match run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RematchRun {
    pub id: i64,
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// The advisory database (its build time) the run matched against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_built_at: Option<String>,
    pub images: u64,
    pub changed: u64,
}

/// A job that ended failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedJob {
    pub id: i64,
    /// `registry/repository@digest`.
    pub image: String,
    pub attempts: u32,
    pub error: String,
}

/// `bulkhead fleet query`: the stored images a question matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FleetQuery {
    /// The question, as the user asked it (`--cve CVE-2024-1`, …).
    pub query: String,
    pub images: Vec<AffectedImage>,
}

/// One stored image and what matched in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AffectedImage {
    pub digest: String,
    /// Where it was seen: `registry/repository:tag` (or `@digest`).
    pub names: Vec<String>,
    pub scanned_at: String,
    pub matches: Vec<FleetMatch>,
}

/// A finding (or, for `--package`, a package) in a stored image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FleetMatch {
    /// The vulnerability id (empty for a package match).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub package: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(rename = "KEV", default)]
    pub kev: bool,
}

/// `bulkhead fleet rematch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RematchSummary {
    pub run_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_built_at: Option<String>,
    /// Stored inventories re-matched.
    pub images: u64,
    /// The images whose findings changed.
    pub changed: Vec<ImageChange>,
    /// Inventories that could not be re-matched, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What a re-match changed in one image: findings as `ID package version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageChange {
    pub digest: String,
    pub names: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// `bulkhead fleet scan-registry`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegistryScan {
    pub registry: String,
    pub repositories: u64,
    pub tags: u64,
    /// Distinct digests the tags point at.
    pub digests: u64,
    /// New jobs.
    pub enqueued: u64,
    /// Digests with an open job already.
    pub already_queued: u64,
    /// Digests with a current result already.
    pub already_scanned: u64,
    /// Repositories or tags that could not be listed or resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_ratio() {
        let mut s = FleetStatus::default();
        assert_eq!(s.reuse_ratio(), None);
        s.layers_reused = 3;
        s.layers_analyzed = 1;
        assert_eq!(s.reuse_ratio(), Some(0.75));
    }
}
