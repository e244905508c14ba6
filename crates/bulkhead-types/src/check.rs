//! The model of `bulkhead check`: one workload (an image and how it runs)
//! judged layer by layer against the container security stack, its
//! findings from every scanner in one risk order, and a fix plan.
//!
//! Plain data with PascalCase JSON names like the rest of the report
//! (`docs/check.md` documents every field). `bulkhead-check` fills it,
//! `bulkhead-report::check` renders it.

use crate::{Epss, KevDetail, LayerRef, Report, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the `check` JSON document (`SchemaVersion`).
pub const CHECK_SCHEMA_VERSION: u32 = 1;

/// One layer of the container security stack, numbered 1–8 in the order
/// of the table it comes from (image contents first, trust last).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(into = "LayerJson", try_from = "LayerJson")]
pub enum StackLayer {
    /// No known CVEs (image scanning).
    #[default]
    ImageContents,
    /// No root access (USER).
    UserPrivileges,
    /// No tampering (read-only root).
    Filesystem,
    /// Kernel surface (seccomp).
    SystemCalls,
    /// File and network policies (AppArmor, SELinux).
    MandatoryAccess,
    /// Granular permissions (capabilities).
    Capabilities,
    /// Credentials exposure (Docker secrets).
    Secrets,
    /// Image authenticity (signatures).
    Trust,
}

impl StackLayer {
    /// Every layer, in order.
    pub const ALL: [StackLayer; 8] = [
        StackLayer::ImageContents,
        StackLayer::UserPrivileges,
        StackLayer::Filesystem,
        StackLayer::SystemCalls,
        StackLayer::MandatoryAccess,
        StackLayer::Capabilities,
        StackLayer::Secrets,
        StackLayer::Trust,
    ];

    /// 1–8.
    pub fn number(self) -> u8 {
        match self {
            StackLayer::ImageContents => 1,
            StackLayer::UserPrivileges => 2,
            StackLayer::Filesystem => 3,
            StackLayer::SystemCalls => 4,
            StackLayer::MandatoryAccess => 5,
            StackLayer::Capabilities => 6,
            StackLayer::Secrets => 7,
            StackLayer::Trust => 8,
        }
    }

    /// The layer of a number, when 1–8.
    pub fn from_number(n: u8) -> Option<StackLayer> {
        StackLayer::ALL.into_iter().find(|l| l.number() == n)
    }

    /// Lower-case name (`image contents`).
    pub fn name(self) -> &'static str {
        match self {
            StackLayer::ImageContents => "image contents",
            StackLayer::UserPrivileges => "user privileges",
            StackLayer::Filesystem => "filesystem",
            StackLayer::SystemCalls => "system calls",
            StackLayer::MandatoryAccess => "mandatory access",
            StackLayer::Capabilities => "capabilities",
            StackLayer::Secrets => "secrets",
            StackLayer::Trust => "trust",
        }
    }

    /// What the layer protects.
    pub fn protects(self) -> &'static str {
        match self {
            StackLayer::ImageContents => "no known CVEs",
            StackLayer::UserPrivileges => "no root access",
            StackLayer::Filesystem => "no tampering",
            StackLayer::SystemCalls => "kernel surface area",
            StackLayer::MandatoryAccess => "file and network policies",
            StackLayer::Capabilities => "granular permissions",
            StackLayer::Secrets => "credentials exposure",
            StackLayer::Trust => "image authenticity",
        }
    }

    /// The Docker feature that provides it.
    pub fn feature(self) -> &'static str {
        match self {
            StackLayer::ImageContents => "image scanning",
            StackLayer::UserPrivileges => "USER / --user",
            StackLayer::Filesystem => "--read-only and tmpfs",
            StackLayer::SystemCalls => "seccomp profiles",
            StackLayer::MandatoryAccess => "AppArmor / SELinux",
            StackLayer::Capabilities => "--cap-drop / --cap-add",
            StackLayer::Secrets => "Docker secrets",
            StackLayer::Trust => "image signatures",
        }
    }

    /// Parse a number (`3`) or a name (`filesystem`, `system-calls`).
    pub fn parse(s: &str) -> Option<StackLayer> {
        let t = s.trim();
        if let Ok(n) = t.parse::<u8>() {
            return StackLayer::from_number(n);
        }
        let norm = t.to_ascii_lowercase().replace(['-', '_'], " ");
        StackLayer::ALL.into_iter().find(|l| l.name() == norm)
    }
}

impl std::fmt::Display for StackLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}. {}", self.number(), self.name())
    }
}

/// A layer in JSON: `{"Number": 3, "Name": "filesystem"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LayerJson {
    number: u8,
    #[serde(default)]
    name: String,
}

impl From<StackLayer> for LayerJson {
    fn from(l: StackLayer) -> Self {
        LayerJson {
            number: l.number(),
            name: l.name().to_string(),
        }
    }
}

impl TryFrom<LayerJson> for StackLayer {
    type Error = String;
    fn try_from(j: LayerJson) -> Result<Self, Self::Error> {
        StackLayer::from_number(j.number)
            .ok_or_else(|| format!("layer number {} is not 1–8", j.number))
    }
}

/// How far a layer is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerState {
    Missing,
    Partial,
    InPlace,
}

impl LayerState {
    /// `in place`, `partial`, `missing`.
    pub fn words(self) -> &'static str {
        match self {
            LayerState::InPlace => "in place",
            LayerState::Partial => "partial",
            LayerState::Missing => "missing",
        }
    }
}

/// Where the workload's runtime settings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadSource {
    /// The image alone (Docker's defaults plus its config).
    #[default]
    Image,
    /// A Compose service (one or more files merged in order).
    Compose,
    /// `docker run` flags (parsed, never executed).
    Run,
    /// A running container (inspect through the daemon).
    Container,
}

/// What was checked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckWorkload {
    /// The image scanned (name or file).
    pub image: String,
    pub source: WorkloadSource,
    /// Service or container name (empty for an image alone).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The Compose files (in merge order), the Dockerfile, …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// One layer's verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerVerdict {
    pub layer: StackLayer,
    pub state: LayerState,
    /// What the verdict rests on, one fact per line.
    pub evidence: Vec<String>,
    /// Findings in this layer (after ignores, before `--severity`).
    #[serde(default)]
    pub findings: usize,
}

/// The kind of a finding: which part of the stack found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A known vulnerability of a package.
    Vulnerability,
    /// A credential in the environment, the image or its files.
    Secret,
    /// An image-config check (`BH-IM-*`).
    ImageConfig,
    /// A Dockerfile rule (`BH-DF-*`).
    Dockerfile,
    /// A container control on the runtime settings (Compose, run flags,
    /// inspect, or Docker's defaults for an image).
    Runtime,
    /// The image's signature state.
    Trust,
}

impl FindingKind {
    /// The JSON name (`image-config`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Vulnerability => "vulnerability",
            FindingKind::Secret => "secret",
            FindingKind::ImageConfig => "image-config",
            FindingKind::Dockerfile => "dockerfile",
            FindingKind::Runtime => "runtime",
            FindingKind::Trust => "trust",
        }
    }
}

/// The package a vulnerability is in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FindingPackage {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed_version: String,
    #[serde(rename = "PURL", default, skip_serializing_if = "String::is_empty")]
    pub purl: String,
    /// The image layer that brought it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
}

/// A vulnerability's rating, as the scan rated it (`docs/ratings.md`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FindingRating {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub severity_source: String,
    /// CVSS base score of the rating's source.
    #[serde(rename = "CVSSScore", default, skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    #[serde(rename = "EPSS", default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    #[serde(rename = "KEV", default)]
    pub kev: bool,
    #[serde(rename = "KEVDetail", default, skip_serializing_if = "Option::is_none")]
    pub kev_detail: Option<KevDetail>,
    /// The rating's own risk score (`bulkhead_types::rating::risk`), before
    /// exposure.
    pub risk: f64,
}

/// One finding, de-duplicated across scanners.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckFinding {
    /// The id tools know it by: a CVE or advisory id, a rule id
    /// (`BH-IM-004`), a control name (`read-only-rootfs`), `signature`.
    #[serde(rename = "ID")]
    pub id: String,
    /// Unique within the report (`CVE-2021-3156@sudo`,
    /// `env-secret:DB_PASSWORD`): what the fix plan refers to.
    #[serde(rename = "RefID")]
    pub ref_id: String,
    pub layer: StackLayer,
    pub kind: FindingKind,
    pub severity: Severity,
    pub title: String,
    /// What exactly: the scanner's message (values redacted).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Vulnerabilities: the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<FindingPackage>,
    /// Other findings: where (`Dockerfile:4`, `compose.yaml:12 (service
    /// api)`, `image config`, a file in the image).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// Vulnerabilities: CVSS, EPSS, KEV and the rating's risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<FindingRating>,
    /// Advisory aliases (vulnerabilities) and the ids of the other
    /// scanners' rules merged into this finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Risk 0–100: the rating (or the severity) scaled by the workload's
    /// exposure (`docs/check.md`).
    pub risk: f64,
    /// The top reasons for its rank, most important first.
    pub reasons: Vec<String>,
    /// Every scanner and rule that found it (`vuln`,
    /// `image-config:BH-IM-004`, `runtime:env-secrets`,
    /// `dockerfile:BH-DF-005`, `secret:github-pat`).
    pub sources: Vec<String>,
}

/// One factor of the workload's exposure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExposureFactor {
    /// Stable name (`root`, `writable-root`, `published-port`, …).
    pub factor: String,
    pub weight: f64,
    /// As shown in a finding's reasons (`runs as root`, `port 8080
    /// published on all interfaces`).
    pub reason: String,
}

/// How exposed the workload is, from its runtime settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Exposure {
    /// 0 (hardened) – 1 (fully exposed): the sum of the weights, capped.
    pub score: f64,
    /// What multiplies every finding's base risk: `0.5 + 0.5 × Score`.
    pub multiplier: f64,
    pub factors: Vec<ExposureFactor>,
}

/// What a fix-plan snippet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnippetKind {
    /// A Compose override file (`docker compose -f BASE -f OVERRIDE`).
    ComposeOverride,
    /// `docker run` flags (comment lines, then the flags).
    RunFlags,
    /// Dockerfile lines.
    Dockerfile,
    /// Shell commands.
    Shell,
    /// A `bulkhead.toml` fragment.
    Toml,
}

/// A file a fix-plan step needs besides its snippet (a seccomp profile the
/// override references).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FixFile {
    /// Relative to where the snippet is applied.
    pub path: String,
    pub content: String,
}

/// One step of the fix plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FixStep {
    /// 1-based, in the order to apply.
    pub step: usize,
    /// The layer the step is about (the first of `Layers`).
    pub layer: StackLayer,
    /// Every layer whose findings the step removes or defuses.
    pub layers: Vec<StackLayer>,
    pub title: String,
    pub kind: SnippetKind,
    pub snippet: String,
    /// A file name to save the snippet as, when it is a file of its own
    /// (`compose.hardened.yml`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub save_as: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FixFile>,
    /// Findings (`RefID`s) gone once the step is applied (and the steps
    /// before it).
    pub removes: Vec<String>,
    /// Findings whose risk the step lowers without removing them.
    pub defuses: Vec<String>,
    /// What to do by hand, what the snippet cannot do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Counts over the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckCounts {
    /// Findings listed (after ignores and `--severity`).
    pub findings: usize,
    pub by_severity: BTreeMap<String, usize>,
    /// By layer name.
    pub by_layer: BTreeMap<String, usize>,
    /// By kind (`vulnerability`, `runtime`, …).
    pub by_kind: BTreeMap<String, usize>,
    /// Layers in place, partial and missing.
    pub layers_in_place: usize,
    pub layers_partial: usize,
    pub layers_missing: usize,
    /// Findings hidden by `--severity`.
    #[serde(default)]
    pub hidden_by_severity: usize,
    /// Findings ignored (`[ignore]`, `--ignorefile`, `--ignore-unfixed`).
    #[serde(default)]
    pub ignored: usize,
    /// Findings a VEX statement suppressed (`--vex`): not in `Findings`,
    /// listed with their statements in the underlying report's
    /// `Results[].ExperimentalModifiedFindings`.
    #[serde(default)]
    pub suppressed: usize,
}

/// The whole `check` document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckReport {
    pub schema_version: u32,
    pub artifact_name: String,
    pub workload: CheckWorkload,
    /// The eight layers, in order.
    pub scoreboard: Vec<LayerVerdict>,
    pub exposure: Exposure,
    /// Every finding, highest risk first.
    pub findings: Vec<CheckFinding>,
    pub fix_plan: Vec<FixStep>,
    pub counts: CheckCounts,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The underlying scan report (Trivy-shaped) with the Dockerfile and
    /// runtime results added, for tools that read that format.
    pub report: Report,
}

impl CheckReport {
    /// The verdict of a layer.
    pub fn verdict(&self, layer: StackLayer) -> Option<&LayerVerdict> {
        self.scoreboard.iter().find(|v| v.layer == layer)
    }

    /// The state of a layer (missing when absent).
    pub fn state(&self, layer: StackLayer) -> LayerState {
        self.verdict(layer).map_or(LayerState::Missing, |v| v.state)
    }

    /// Count the findings and the scoreboard into `counts` (`hidden` by
    /// `--severity` and `ignored` as the filter found them).
    pub fn recount(&mut self, hidden: usize, ignored: usize) {
        let mut c = CheckCounts {
            findings: self.findings.len(),
            hidden_by_severity: hidden,
            ignored,
            suppressed: self
                .report
                .results
                .iter()
                .map(|r| r.modified_findings.len())
                .sum(),
            ..CheckCounts::default()
        };
        for f in &self.findings {
            *c.by_severity
                .entry(f.severity.as_str().to_string())
                .or_default() += 1;
            *c.by_layer.entry(f.layer.name().to_string()).or_default() += 1;
            *c.by_kind.entry(f.kind.as_str().to_string()).or_default() += 1;
        }
        for v in &self.scoreboard {
            match v.state {
                LayerState::InPlace => c.layers_in_place += 1,
                LayerState::Partial => c.layers_partial += 1,
                LayerState::Missing => c.layers_missing += 1,
            }
        }
        self.counts = c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_round_trip_as_number_and_name() {
        for l in StackLayer::ALL {
            let j = serde_json::to_value(l).unwrap();
            assert_eq!(j["Number"], l.number());
            assert_eq!(j["Name"], l.name());
            let back: StackLayer = serde_json::from_value(j).unwrap();
            assert_eq!(back, l);
            assert_eq!(StackLayer::parse(l.name()), Some(l));
            assert_eq!(StackLayer::parse(&l.number().to_string()), Some(l));
        }
        assert_eq!(
            StackLayer::parse("System-Calls"),
            Some(StackLayer::SystemCalls)
        );
        assert!(serde_json::from_str::<StackLayer>(r#"{"Number": 9}"#).is_err());
        assert_eq!(StackLayer::parse("0"), None);
    }

    #[test]
    fn states_order_worst_first() {
        assert!(LayerState::Missing < LayerState::Partial);
        assert!(LayerState::Partial < LayerState::InPlace);
        assert_eq!(
            serde_json::to_string(&LayerState::InPlace).unwrap(),
            "\"in_place\""
        );
    }
}
