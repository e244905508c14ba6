//! Harbor's scanner-adapter report documents (Pluggable Scanner API v1.2,
//! goharbor/pluggable-scanner-spec): the vulnerability report
//! (`HarborVulnerabilityReport`, served under both of its media types) and
//! the SBOM report (`HarborSbomReport`, an SPDX 2.3 or CycloneDX 1.6
//! document wrapped with the artifact and scanner).
//!
//! Built from a plain [`Report`] and the artifact Harbor named; the
//! `preferred_cvss` of each finding is [`Vulnerability::preferred_cvss`], the
//! one computation every format shares (`docs/ratings.md`). The server
//! (`bulkhead-server`) picks the document by the request's `Accept` header
//! and writes it with [`bulkhead_types::text::to_json_pretty`].

use crate::WriteOptions;
use bulkhead_types::{Class, PreferredCvss, Report, Severity, Vulnerability};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The vulnerability report, current media type.
pub const VULN_REPORT: &str = "application/vnd.security.vulnerability.report; version=1.1";
/// The vulnerability report, older media type (same document).
pub const VULN_REPORT_HARBOR: &str =
    "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
/// The scanner's own report (Bulkhead's JSON report).
pub const VULN_REPORT_RAW: &str = "application/vnd.scanner.adapter.vuln.report.raw";
/// The SBOM report.
pub const SBOM_REPORT: &str = "application/vnd.security.sbom.report+json; version=1.0";

/// The scanned artifact, as Harbor names it in the scan request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    #[serde(default)]
    pub repository: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tag: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mime_type: String,
}

/// The scanner's name, vendor and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scanner {
    pub name: String,
    pub vendor: String,
    pub version: String,
}

impl Scanner {
    /// Bulkhead itself, at `version`.
    pub fn bulkhead(version: &str) -> Scanner {
        Scanner {
            name: "Bulkhead".into(),
            vendor: "Bulkhead".into(),
            version: version.into(),
        }
    }
}

/// Harbor's severity scale (`Negligible` is never produced: no source
/// Bulkhead reads uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HarborSeverity {
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl From<Severity> for HarborSeverity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Unknown => HarborSeverity::Unknown,
            Severity::Low => HarborSeverity::Low,
            Severity::Medium => HarborSeverity::Medium,
            Severity::High => HarborSeverity::High,
            Severity::Critical => HarborSeverity::Critical,
        }
    }
}

/// One vulnerability of a package (`VulnerabilityItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityItem {
    pub id: String,
    pub package: String,
    pub version: String,
    /// Empty when no fixed version is known.
    pub fix_version: String,
    pub severity: HarborSeverity,
    pub description: String,
    /// http(s) references only (the schema's `format: uri`).
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_cvss: Option<PreferredCvss>,
    /// Bulkhead's advisories carry no CWE ids yet: always empty.
    pub cwe_ids: Vec<String>,
    /// Bulkhead's rating details: every source's CVSS, the severity
    /// source, EPSS, KEV, risk, the purl and the layer.
    pub vendor_attributes: Map<String, Value>,
}

/// `HarborVulnerabilityReport`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityReport {
    /// RFC 3339.
    pub generated_at: String,
    pub artifact: Artifact,
    pub scanner: Scanner,
    /// The highest severity of any finding (`Unknown` when there is none).
    pub severity: HarborSeverity,
    pub vulnerabilities: Vec<VulnerabilityItem>,
}

/// The SBOM formats Harbor asks for (`sbom_media_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomMediaType {
    /// `application/spdx+json`: SPDX 2.3 JSON.
    Spdx,
    /// `application/vnd.cyclonedx+json`: CycloneDX 1.6 JSON.
    CycloneDx,
}

impl SbomMediaType {
    /// Both, in the order the metadata lists them.
    pub const ALL: [SbomMediaType; 2] = [SbomMediaType::Spdx, SbomMediaType::CycloneDx];

    /// The media type string.
    pub fn as_str(self) -> &'static str {
        match self {
            SbomMediaType::Spdx => "application/spdx+json",
            SbomMediaType::CycloneDx => "application/vnd.cyclonedx+json",
        }
    }

    /// Parse a media type (exact, case-insensitive, surrounding spaces
    /// ignored).
    pub fn parse(s: &str) -> Option<SbomMediaType> {
        let s = s.trim();
        SbomMediaType::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// `HarborSbomReport`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SbomReport {
    /// RFC 3339.
    pub generated_at: String,
    pub artifact: Artifact,
    pub scanner: Scanner,
    pub vendor_attributes: Map<String, Value>,
    pub media_type: String,
    pub sbom: Value,
}

/// What every document names besides the findings.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub artifact: &'a Artifact,
    pub scanner: &'a Scanner,
    /// When the scan finished, RFC 3339.
    pub generated_at: &'a str,
}

fn links(v: &Vulnerability) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &v.references {
        let r = r.trim();
        let web = r.starts_with("https://") || r.starts_with("http://");
        if web && !r.contains(char::is_whitespace) && !out.iter().any(|o| o == r) {
            out.push(r.to_string());
        }
    }
    out
}

fn vendor_attributes(v: &Vulnerability) -> Map<String, Value> {
    let mut m = Map::new();
    if !v.severity_source.is_empty() {
        m.insert("severity_source".into(), json!(v.severity_source));
    }
    if !v.cvss.is_empty() {
        // The same field names as the JSON report's `CVSS` map.
        m.insert("CVSS".into(), json!(v.cvss));
    }
    if let Some(e) = &v.epss {
        m.insert("epss".into(), json!(e));
    }
    if v.kev {
        m.insert("kev".into(), json!(true));
    }
    m.insert("risk".into(), json!(v.risk_score()));
    if !v.pkg_identifier.purl.is_empty() {
        m.insert("purl".into(), json!(v.pkg_identifier.purl));
    }
    if let Some(l) = &v.layer {
        m.insert("layer_diff_id".into(), json!(l.diff_id));
    }
    m
}

fn item(v: &Vulnerability) -> VulnerabilityItem {
    let description = if v.description.is_empty() {
        v.title.clone()
    } else {
        v.description.clone()
    };
    VulnerabilityItem {
        id: v.vulnerability_id.clone(),
        package: v.pkg_name.clone(),
        version: v.installed_version.clone(),
        fix_version: v.fixed_version.clone(),
        severity: v.severity.into(),
        description,
        links: links(v),
        preferred_cvss: v.preferred_cvss(),
        cwe_ids: Vec::new(),
        vendor_attributes: vendor_attributes(v),
    }
}

/// The vulnerability report of `report`'s package findings (OS and
/// language packages; secrets and misconfigurations have no place in it).
pub fn vulnerability_report(report: &Report, cx: &Context<'_>) -> VulnerabilityReport {
    let vulnerabilities: Vec<VulnerabilityItem> = report
        .results
        .iter()
        .filter(|r| matches!(r.class, Class::OsPkgs | Class::LangPkgs))
        .flat_map(|r| r.vulnerabilities.iter())
        .map(item)
        .collect();
    let severity = vulnerabilities
        .iter()
        .map(|v| v.severity)
        .max()
        .unwrap_or(HarborSeverity::Unknown);
    VulnerabilityReport {
        generated_at: cx.generated_at.to_string(),
        artifact: cx.artifact.clone(),
        scanner: cx.scanner.clone(),
        severity,
        vulnerabilities,
    }
}

/// The SBOM report of `report`'s packages in `media` (`opts.tool_version`
/// names the creator tool inside the document).
pub fn sbom_report(
    report: &Report,
    media: SbomMediaType,
    cx: &Context<'_>,
    opts: &WriteOptions,
) -> SbomReport {
    let (sbom, spec_version) = match media {
        SbomMediaType::Spdx => (crate::sbom::spdx(report, opts), "SPDX-2.3"),
        SbomMediaType::CycloneDx => (crate::sbom::cyclonedx(report, opts), "1.6"),
    };
    let mut vendor_attributes = Map::new();
    vendor_attributes.insert("spec-version".into(), json!(spec_version));
    vendor_attributes.insert("created-by".into(), json!("bulkhead"));
    SbomReport {
        generated_at: cx.generated_at.to_string(),
        artifact: cx.artifact.clone(),
        scanner: cx.scanner.clone(),
        vendor_attributes,
        media_type: media.as_str().to_string(),
        sbom,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_types::{ArtifactType, Cvss, LayerRef, ScanResult, VulnStatus};

    fn vuln(id: &str, sev: Severity) -> Vulnerability {
        Vulnerability {
            vulnerability_id: id.into(),
            pkg_name: "openssl".into(),
            installed_version: "1.1.1n-0+deb11u3".into(),
            fixed_version: "1.1.1n-0+deb11u4".into(),
            status: VulnStatus::Fixed,
            severity: sev,
            severity_source: "nvd".into(),
            title: "a title".into(),
            references: vec![
                "https://security-tracker.debian.org/tracker/CVE-2023-0286".into(),
                "https://security-tracker.debian.org/tracker/CVE-2023-0286".into(),
                "not a link".into(),
                "ftp://x".into(),
            ],
            layer: Some(LayerRef {
                index: 0,
                diff_id: "sha256:aa".into(),
                ..LayerRef::default()
            }),
            ..Vulnerability::default()
        }
    }

    fn report() -> Report {
        let mut r = Report::new("reg/app@sha256:1", ArtifactType::ContainerImage);
        let mut os = ScanResult::new("reg/app (debian 11)", Class::OsPkgs, "debian");
        let mut a = vuln("CVE-2023-0286", Severity::High);
        a.cvss.insert(
            "nvd".into(),
            Cvss {
                v3_score: Some(7.4),
                v3_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H".into(),
                ..Cvss::default()
            },
        );
        os.vulnerabilities.push(a);
        os.vulnerabilities
            .push(vuln("CVE-2022-0000", Severity::Unknown));
        r.results.push(os);
        let mut secret = ScanResult::new("etc/key", Class::Secret, "");
        secret
            .vulnerabilities
            .push(vuln("NOT-A-PKG", Severity::Critical));
        r.results.push(secret);
        r
    }

    fn cx_parts() -> (Artifact, Scanner) {
        (
            Artifact {
                repository: "library/app".into(),
                digest: "sha256:1".into(),
                tag: String::new(),
                mime_type: "application/vnd.oci.image.manifest.v1+json".into(),
            },
            Scanner::bulkhead("0.1.0"),
        )
    }

    #[test]
    fn vulnerability_report_fields() {
        let (artifact, scanner) = cx_parts();
        let cx = Context {
            artifact: &artifact,
            scanner: &scanner,
            generated_at: "2024-05-14T10:00:00Z",
        };
        let h = vulnerability_report(&report(), &cx);
        // Package results only: the secret result's entry is not a package finding.
        assert_eq!(h.vulnerabilities.len(), 2);
        assert_eq!(h.severity, HarborSeverity::High);
        let v = serde_json::to_value(&h).unwrap();
        let first = &v["vulnerabilities"][0];
        assert_eq!(first["id"], "CVE-2023-0286");
        assert_eq!(first["severity"], "High");
        assert_eq!(first["fix_version"], "1.1.1n-0+deb11u4");
        assert_eq!(first["description"], "a title");
        assert_eq!(
            first["links"],
            json!(["https://security-tracker.debian.org/tracker/CVE-2023-0286"])
        );
        assert_eq!(first["preferred_cvss"]["score_v3"], 7.4);
        assert!(first["preferred_cvss"].get("score_v2").is_none());
        assert_eq!(first["cwe_ids"], json!([]));
        assert_eq!(first["vendor_attributes"]["CVSS"]["nvd"]["V3Score"], 7.4);
        assert_eq!(first["vendor_attributes"]["layer_diff_id"], "sha256:aa");
        assert_eq!(v["vulnerabilities"][1]["severity"], "Unknown");
        assert!(v["vulnerabilities"][1].get("preferred_cvss").is_none());
        assert!(v["artifact"].get("tag").is_none());
        assert_eq!(v["scanner"]["name"], "Bulkhead");
    }

    #[test]
    fn empty_report_is_unknown_and_empty() {
        let (artifact, scanner) = cx_parts();
        let cx = Context {
            artifact: &artifact,
            scanner: &scanner,
            generated_at: "2024-05-14T10:00:00Z",
        };
        let h = vulnerability_report(&Report::new("x", ArtifactType::ContainerImage), &cx);
        assert_eq!(h.severity, HarborSeverity::Unknown);
        assert!(h.vulnerabilities.is_empty());
    }

    #[test]
    fn sbom_reports_in_both_formats() {
        let (artifact, scanner) = cx_parts();
        let cx = Context {
            artifact: &artifact,
            scanner: &scanner,
            generated_at: "2024-05-14T10:00:00Z",
        };
        let opts = WriteOptions {
            tool_version: "0.1.0".into(),
            ..WriteOptions::default()
        };
        let spdx = sbom_report(&report(), SbomMediaType::Spdx, &cx, &opts);
        assert_eq!(spdx.media_type, "application/spdx+json");
        assert_eq!(spdx.sbom["spdxVersion"], "SPDX-2.3");
        let cdx = sbom_report(&report(), SbomMediaType::CycloneDx, &cx, &opts);
        assert_eq!(cdx.media_type, "application/vnd.cyclonedx+json");
        assert_eq!(cdx.sbom["specVersion"], "1.6");
        assert_eq!(cdx.vendor_attributes["spec-version"], "1.6");
    }

    #[test]
    fn sbom_media_types_parse() {
        assert_eq!(
            SbomMediaType::parse(" application/SPDX+json "),
            Some(SbomMediaType::Spdx)
        );
        assert_eq!(
            SbomMediaType::parse("application/vnd.cyclonedx+json"),
            Some(SbomMediaType::CycloneDx)
        );
        assert_eq!(SbomMediaType::parse("application/json"), None);
        assert_eq!(SbomMediaType::parse(""), None);
    }
}
