//! Compare two image reports: packages added, removed, upgraded and
//! downgraded; vulnerabilities fixed and introduced; shared base layers;
//! image config changes.
//!
//! Pure data in, data out: the CLI scans both images through the normal
//! pipeline and hands the two [`Report`]s to [`compare`];
//! `bulkhead_report::diff` writes the result as a table, JSON (the schema is
//! documented in `docs/diff.md`) or Markdown for a pull-request comment.
//!
//! **Invariant**: no I/O; env values of the image configs never reach the
//! model.

#[doc(hidden)]
pub mod fuzzing;
mod image;
mod packages;
mod vulns;

pub use image::{
    ConfigDelta, LabelChange, LayerDelta, SetChange, ValueChange, config_delta, layer_delta,
};
pub use packages::{PackageChange, PackageDelta, package_delta};
pub use vulns::{VulnDelta, VulnKey, vuln_delta};

pub use bulkhead_types::Report;
use bulkhead_types::{ModifiedFinding, Severity, Vulnerability};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the diff JSON schema (bumped on incompatible changes).
pub const SCHEMA_VERSION: u32 = 1;

/// One of the two images.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Side {
    /// Name as given (tag, or the file path).
    pub name: String,
    #[serde(rename = "ImageID", skip_serializing_if = "String::is_empty")]
    pub image_id: String,
    /// `family version`, e.g. `debian 12`, when detected.
    #[serde(rename = "OS", skip_serializing_if = "String::is_empty")]
    pub os: String,
    pub layers: usize,
    pub packages: usize,
    /// Vulnerabilities after ignores, before the `--severity` filter.
    pub vulnerabilities: usize,
}

impl Side {
    fn of(r: &Report) -> Side {
        Side {
            name: r.artifact_name.clone(),
            image_id: r.metadata.image_id.clone(),
            os: r
                .metadata
                .os
                .as_ref()
                .map(|o| format!("{} {}", o.family, o.name))
                .unwrap_or_default(),
            layers: r.metadata.diff_ids.len(),
            packages: r.results.iter().map(|x| x.packages.len()).sum(),
            vulnerabilities: r.results.iter().map(|x| x.vulnerabilities.len()).sum(),
        }
    }
}

/// Counts for the headline.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiffSummary {
    /// Shown fixed findings by severity name (every severity present, 0 when none).
    pub fixed: BTreeMap<String, usize>,
    /// Shown introduced findings by severity name.
    pub introduced: BTreeMap<String, usize>,
    /// Fixed and introduced findings hidden by `--severity`.
    pub hidden_by_severity: usize,
}

/// Everything that differs from one image (`before`) to another (`after`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageDiff {
    pub schema_version: u32,
    pub before: Side,
    pub after: Side,
    pub layers: LayerDelta,
    pub config: ConfigDelta,
    pub packages: PackageDelta,
    pub vulnerabilities: VulnDelta,
    pub summary: DiffSummary,
    /// Findings a VEX statement suppressed on each side (`docs/vex.md`):
    /// neither fixed nor introduced, listed with their statement.
    #[serde(skip_serializing_if = "Suppressed::is_empty")]
    pub suppressed: Suppressed,
    /// Warnings of both scans, prefixed with the image they concern.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The findings VEX suppressed in each image.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Suppressed {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<ModifiedFinding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<ModifiedFinding>,
}

impl Suppressed {
    /// Whether neither side had a suppressed finding.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_empty()
    }

    fn of(r: &Report) -> Vec<ModifiedFinding> {
        r.results
            .iter()
            .flat_map(|x| x.modified_findings.iter().cloned())
            .collect()
    }
}

fn counts(v: &[Vulnerability]) -> BTreeMap<String, usize> {
    let mut m: BTreeMap<String, usize> = Severity::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for x in v {
        *m.entry(x.severity.as_str().to_string()).or_default() += 1;
    }
    m
}

/// Compare two reports (scanned with every package kept).
pub fn compare(before: &Report, after: &Report) -> ImageDiff {
    let vulnerabilities = vuln_delta(before, after);
    let mut warnings = Vec::new();
    for (label, r) in [("A", before), ("B", after)] {
        warnings.extend(r.warnings.iter().map(|w| format!("{label}: {w}")));
    }
    let mut d = ImageDiff {
        schema_version: SCHEMA_VERSION,
        before: Side::of(before),
        after: Side::of(after),
        layers: layer_delta(before, after),
        config: config_delta(before, after),
        packages: package_delta(before, after),
        vulnerabilities,
        summary: DiffSummary::default(),
        suppressed: Suppressed {
            before: Suppressed::of(before),
            after: Suppressed::of(after),
        },
        warnings,
    };
    d.recount();
    d
}

impl ImageDiff {
    fn recount(&mut self) {
        self.summary.fixed = counts(&self.vulnerabilities.fixed);
        self.summary.introduced = counts(&self.vulnerabilities.introduced);
    }

    /// Keep only fixed/introduced findings of these severities; the summary
    /// says how many were hidden.
    pub fn retain_severities(&mut self, shown: &[Severity]) {
        let before = self.vulnerabilities.fixed.len() + self.vulnerabilities.introduced.len();
        self.vulnerabilities
            .fixed
            .retain(|v| shown.contains(&v.severity));
        self.vulnerabilities
            .introduced
            .retain(|v| shown.contains(&v.severity));
        let after = self.vulnerabilities.fixed.len() + self.vulnerabilities.introduced.len();
        self.summary.hidden_by_severity += before.saturating_sub(after);
        self.recount();
    }

    /// Whether the two images differ in nothing this model compares.
    pub fn is_empty(&self) -> bool {
        self.layers.shared == self.layers.before
            && self.layers.before == self.layers.after
            && self.config.is_empty()
            && self.packages.is_empty()
            && self.vulnerabilities.fixed.is_empty()
            && self.vulnerabilities.introduced.is_empty()
    }
}
