//! The report model, shared by every scanner and every output format.

use crate::{LayerRef, OsInfo, Package, PkgIdentifier, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArtifactType {
    #[serde(rename = "container_image")]
    ContainerImage,
    #[serde(rename = "filesystem")]
    Filesystem,
    #[serde(rename = "config")]
    Config,
    #[serde(rename = "docker_host")]
    DockerHost,
}

/// The top level of a report (Trivy-compatible field names).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Report {
    pub schema_version: u32,
    pub artifact_name: String,
    pub artifact_type: ArtifactType,
    #[serde(default)]
    pub metadata: ImageMetadata,
    #[serde(default)]
    pub results: Vec<ScanResult>,
    /// Counts the renderers and CI need: what filters hid, what is UNKNOWN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ReportSummary>,
    /// Warnings met while scanning (skipped files, malformed records, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Report {
    /// An empty report for an artifact.
    pub fn new(artifact_name: impl Into<String>, artifact_type: ArtifactType) -> Self {
        Report {
            schema_version: 2,
            artifact_name: artifact_name.into(),
            artifact_type,
            metadata: ImageMetadata::default(),
            results: Vec::new(),
            summary: None,
            warnings: Vec::new(),
        }
    }
}

/// Counts over a report after filtering.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ReportSummary {
    /// Shown findings by severity name.
    pub by_severity: BTreeMap<String, usize>,
    /// Findings hidden by `--severity`.
    pub hidden_by_severity: usize,
    /// Findings hidden by ignore rules.
    pub ignored: usize,
    /// Shown findings of UNKNOWN severity.
    pub unknown_severity: usize,
    /// Findings of UNKNOWN severity that `--severity` hid (part of
    /// `hidden_by_severity`): a severity gate does not see them.
    #[serde(default)]
    pub hidden_unknown: usize,
    /// Of those, known exploited (KEV).
    #[serde(rename = "HiddenUnknownKEV", default)]
    pub hidden_unknown_kev: usize,
    /// Findings a VEX statement suppressed (`not_affected`, `fixed`): listed
    /// in `Results[].ExperimentalModifiedFindings`, never counted as shown.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub suppressed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Image metadata (empty for filesystem and config scans).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageMetadata {
    #[serde(rename = "OS", default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    #[serde(rename = "ImageID", default, skip_serializing_if = "String::is_empty")]
    pub image_id: String,
    #[serde(rename = "DiffIDs", default, skip_serializing_if = "Vec::is_empty")]
    pub diff_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_digests: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<serde_json::Value>,
    /// Layers in `rootfs.diff_ids` order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerRef>,
}

/// The class of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Class {
    #[serde(rename = "os-pkgs")]
    OsPkgs,
    #[serde(rename = "lang-pkgs")]
    LangPkgs,
    #[serde(rename = "secret")]
    Secret,
    #[serde(rename = "config")]
    Config,
    #[serde(rename = "audit")]
    Audit,
}

/// `Type` of the result that holds an image's config checks (`BH-IM-*`):
/// they are about the image, not a file in it.
pub const IMAGE_CONFIG_TYPE: &str = "image-config";
/// `Target` of the secrets found in an image config's `Env`.
pub const IMAGE_ENV_TARGET: &str = "image config (env)";
/// `Target` of the secrets found in an image's history (`created_by`).
pub const IMAGE_HISTORY_TARGET: &str = "image history";

/// One target's findings: an OS package database, a lockfile, a Dockerfile,
/// a container, …
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScanResult {
    pub target: String,
    pub class: Class,
    /// e.g. `debian`, `alpine`, `python-pkg`, `npm`, `dockerfile`, `compose`,
    /// `docker-daemon`, `container`. Empty, so left out of the JSON, for
    /// `secret` results: Trivy sets no `Type` on them (the `Class` says what
    /// they are and a secret can sit in any kind of file), and tools that read
    /// our JSON as Trivy's expect the same.
    #[serde(rename = "Type", default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misconfigurations: Vec<Misconfiguration>,
    /// Findings a VEX statement suppressed, each with the statement and its
    /// document (Trivy's field name): kept in the report, never dropped.
    #[serde(
        rename = "ExperimentalModifiedFindings",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub modified_findings: Vec<ModifiedFinding>,
}

impl ScanResult {
    /// An empty result.
    pub fn new(target: impl Into<String>, class: Class, kind: impl Into<String>) -> Self {
        ScanResult {
            target: target.into(),
            class,
            kind: kind.into(),
            packages: Vec::new(),
            vulnerabilities: Vec::new(),
            secrets: Vec::new(),
            misconfigurations: Vec::new(),
            modified_findings: Vec::new(),
        }
    }
}

/// Fix state of a vulnerability for the installed package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VulnStatus {
    #[default]
    Fixed,
    Affected,
    WillNotFix,
}

/// CVSS data from one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    #[serde(rename = "V3Vector", default, skip_serializing_if = "String::is_empty")]
    pub v3_vector: String,
    #[serde(rename = "V3Score", default, skip_serializing_if = "Option::is_none")]
    pub v3_score: Option<f64>,
    #[serde(
        rename = "V40Vector",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub v40_vector: String,
    #[serde(rename = "V40Score", default, skip_serializing_if = "Option::is_none")]
    pub v40_score: Option<f64>,
    #[serde(rename = "V2Vector", default, skip_serializing_if = "String::is_empty")]
    pub v2_vector: String,
    #[serde(rename = "V2Score", default, skip_serializing_if = "Option::is_none")]
    pub v2_score: Option<f64>,
}

impl Cvss {
    /// The newest CVSS version's base score this source gave (v4.0, then
    /// v3.x, then v2).
    pub fn best_score(&self) -> Option<f64> {
        self.v40_score.or(self.v3_score).or(self.v2_score)
    }

    /// Whether no score or vector is set.
    pub fn is_empty(&self) -> bool {
        self.v40_vector.is_empty()
            && self.v3_vector.is_empty()
            && self.v2_vector.is_empty()
            && self.v40_score.is_none()
            && self.v3_score.is_none()
            && self.v2_score.is_none()
    }
}

/// A known vulnerability in an installed package.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vulnerability {
    #[serde(rename = "VulnerabilityID")]
    pub vulnerability_id: String,
    #[serde(rename = "VendorIDs", default, skip_serializing_if = "Vec::is_empty")]
    pub vendor_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(rename = "PkgID")]
    pub pkg_id: String,
    pub pkg_name: String,
    pub pkg_identifier: PkgIdentifier,
    pub installed_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed_version: String,
    pub status: VulnStatus,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub severity_source: String,
    /// Each source's own rating (`1` LOW … `4` CRITICAL, Trivy's scale):
    /// the advisory's vendor (`debian`, `alma`, `ghsa`, …), `nvd`, `cna`,
    /// `cisa-adp`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vendor_severity: BTreeMap<String, u8>,
    #[serde(rename = "CVSS", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cvss: BTreeMap<String, Cvss>,
    /// In CISA's Known Exploited Vulnerabilities catalogue (or marked as such
    /// by NVD or CISA-ADP).
    #[serde(rename = "KEV", default)]
    pub kev: bool,
    /// When it entered the catalogue and whether ransomware uses it.
    #[serde(rename = "KEVDetail", default, skip_serializing_if = "Option::is_none")]
    pub kev_detail: Option<crate::KevDetail>,
    /// FIRST EPSS: probability of exploitation in the next 30 days.
    #[serde(rename = "EPSS", default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<crate::Epss>,
    /// Risk score 0–100 from severity, CVSS, EPSS and KEV
    /// ([`crate::rating::risk`]; `docs/ratings.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// The VEX statement that applies to this finding without suppressing
    /// it (`affected`, `under_investigation`, or a `not_affected` that gives
    /// no reason).
    #[serde(rename = "VEX", default, skip_serializing_if = "Option::is_none")]
    pub vex: Option<VexApplied>,
}

/// The VEX statement that decided about a finding: what it says and where
/// it was read (`docs/vex.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VexApplied {
    /// OpenVEX status: `not_affected`, `fixed`, `affected`,
    /// `under_investigation`.
    pub status: String,
    /// OpenVEX justification label (`not_affected` only), e.g.
    /// `vulnerable_code_not_in_execute_path`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub justification: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub impact_statement: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action_statement: String,
    /// The file the document was read from.
    pub source: String,
    /// The document's `@id`.
    #[serde(
        rename = "DocumentID",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub document_id: String,
    /// Index of the statement in the document's `statements` (0-based).
    pub statement_index: usize,
    /// The statement's timestamp (its own, else the document's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timestamp: String,
}

impl VexApplied {
    /// One line for people and for fields such as Trivy's `Statement`: the
    /// justification, else the impact statement, else the action statement.
    pub fn reason(&self) -> &str {
        [
            &self.justification,
            &self.impact_statement,
            &self.action_statement,
        ]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or("", |s| s.as_str())
    }
}

/// A finding a VEX statement suppressed, with what the statement says
/// (Trivy's `ExperimentalModifiedFindings` entry: `Type`, `Status`,
/// `Statement`, `Source`, `Finding`, plus the statement's details).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifiedFinding {
    /// What kind of finding: `vulnerability`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The justification, else the impact statement ([`VexApplied::reason`]).
    pub statement: String,
    #[serde(flatten)]
    pub vex: VexApplied,
    pub finding: Vulnerability,
}

impl ModifiedFinding {
    /// A suppressed vulnerability.
    pub fn vulnerability(vex: VexApplied, finding: Vulnerability) -> Self {
        ModifiedFinding {
            kind: "vulnerability".to_string(),
            statement: vex.reason().to_string(),
            vex,
            finding,
        }
    }
}

/// A secret found in a file, the image config or history.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Secret {
    #[serde(rename = "RuleID")]
    pub rule_id: String,
    pub category: String,
    pub severity: Severity,
    pub title: String,
    pub start_line: usize,
    pub end_line: usize,
    /// Redacted: never the whole secret.
    #[serde(rename = "Match")]
    pub match_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// The layer that deleted or replaced the file (the secret still ships).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<LayerRef>,
}

/// Result state of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "UPPERCASE")]
pub enum MisconfStatus {
    Pass,
    Fail,
    Warn,
    Info,
    Note,
}

/// Ids of the same check in other tools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mappings {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cis: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hadolint: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub trivy: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dockle: String,
}

/// Where a misconfiguration was seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CauseMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// The field and value seen, or the offending line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
}

/// A configuration, image-config or audit check result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Misconfiguration {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(default)]
    pub mappings: Mappings,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resolution: String,
    pub severity: Severity,
    pub status: MisconfStatus,
    #[serde(default)]
    pub cause_metadata: CauseMetadata,
}
