//! Media types of the Pluggable Scanner API and the `Accept` /
//! `Content-Type` matching the endpoints need.
//!
//! Written by hand: the spec's types carry a `version` parameter that
//! decides the match (`…; version=1.1`), which general content-negotiation
//! crates treat as an opaque parameter or ignore; the rules here are a
//! dozen lines: split on commas, compare type/subtype case-insensitively,
//! and require the `version` parameter when the spec's type has one.

use bulkhead_report::harbor::{SBOM_REPORT, VULN_REPORT, VULN_REPORT_HARBOR, VULN_REPORT_RAW};

/// Metadata, current version.
pub const METADATA_1_1: &str = "application/vnd.scanner.adapter.metadata+json; version=1.1";
/// Metadata, older version (same document).
pub const METADATA_1_0: &str = "application/vnd.scanner.adapter.metadata+json; version=1.0";
/// Scan request bodies the server reads.
pub const SCAN_REQUEST: [&str; 2] = [
    "application/vnd.scanner.adapter.scan.request+json; version=1.1",
    "application/vnd.scanner.adapter.scan.request+json; version=1.0",
];
/// The answer to an accepted scan.
pub const SCAN_RESPONSE: &str = "application/vnd.scanner.adapter.scan.response+json; version=1.0";
/// Errors.
pub const ERROR: &str = "application/vnd.scanner.adapter.error+json; version=1.0";
/// Prometheus text exposition format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A report Harbor can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// `application/vnd.security.vulnerability.report; version=1.1`.
    Vulnerability,
    /// `application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0`.
    VulnerabilityHarbor,
    /// `application/vnd.scanner.adapter.vuln.report.raw`.
    Raw,
    /// `application/vnd.security.sbom.report+json; version=1.0`.
    Sbom,
}

impl ReportKind {
    /// In the order a wildcard `Accept` prefers them.
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Vulnerability,
        ReportKind::VulnerabilityHarbor,
        ReportKind::Raw,
        ReportKind::Sbom,
    ];

    /// The media type, as the response's `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            ReportKind::Vulnerability => VULN_REPORT,
            ReportKind::VulnerabilityHarbor => VULN_REPORT_HARBOR,
            ReportKind::Raw => VULN_REPORT_RAW,
            ReportKind::Sbom => SBOM_REPORT,
        }
    }
}

/// One media range: lowercased `type/subtype` and its `version` parameter.
#[derive(Debug, PartialEq, Eq)]
struct Range {
    essence: String,
    version: Option<String>,
    /// `q=0` excludes it.
    refused: bool,
}

fn parse_range(s: &str) -> Option<Range> {
    let mut parts = s.split(';');
    let essence = parts.next()?.trim().to_ascii_lowercase();
    if essence.is_empty() || !essence.contains('/') {
        return None;
    }
    let mut version = None;
    let mut refused = false;
    for p in parts {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"');
        match k.trim().to_ascii_lowercase().as_str() {
            "version" => version = Some(v.to_string()),
            "q" => refused = v.parse::<f32>().is_ok_and(|q| q <= 0.0),
            _ => {}
        }
    }
    Some(Range {
        essence,
        version,
        refused,
    })
}

/// Whether media range `got` (from a header) names the spec's type `want`.
fn matches(got: &Range, want: &str) -> bool {
    let Some(want) = parse_range(want) else {
        return false;
    };
    got.essence == want.essence && (want.version.is_none() || got.version == want.version)
}

/// Every readable range, refused ones (`q=0`) included.
fn all_ranges(header: &str) -> impl Iterator<Item = Range> + '_ {
    header.split(',').filter_map(parse_range)
}

fn ranges(header: &str) -> impl Iterator<Item = Range> + '_ {
    all_ranges(header).filter(|r| !r.refused)
}

/// What an `Accept` header asks of the report endpoint.
#[derive(Debug, PartialEq, Eq)]
pub enum Negotiated {
    Kind(ReportKind),
    /// It names only types the scanner does not produce.
    NotProduced,
    /// It cannot be read.
    Malformed,
}

/// Pick the report for an `Accept` header (None or empty or `*/*`: the
/// current vulnerability report). The first acceptable range wins:
/// Harbor sends exactly one.
pub fn negotiate_report(accept: Option<&str>) -> Negotiated {
    let Some(header) = accept.map(str::trim).filter(|h| !h.is_empty()) else {
        return Negotiated::Kind(ReportKind::Vulnerability);
    };
    let mut any = false;
    for r in all_ranges(header) {
        any = true;
        if r.refused {
            continue;
        }
        if r.essence == "*/*" || r.essence == "application/*" {
            return Negotiated::Kind(ReportKind::Vulnerability);
        }
        if let Some(k) = ReportKind::ALL
            .into_iter()
            .find(|k| matches(&r, k.media_type()))
        {
            return Negotiated::Kind(k);
        }
    }
    if any {
        Negotiated::NotProduced
    } else {
        Negotiated::Malformed
    }
}

/// The metadata media type for an `Accept` header: 1.0 only when asked for
/// it alone, else 1.1.
pub fn metadata_type(accept: Option<&str>) -> &'static str {
    let Some(header) = accept else {
        return METADATA_1_1;
    };
    let mut saw_1_0 = false;
    for r in ranges(header) {
        if matches(&r, METADATA_1_1) {
            return METADATA_1_1;
        }
        saw_1_0 |= matches(&r, METADATA_1_0);
    }
    if saw_1_0 { METADATA_1_0 } else { METADATA_1_1 }
}

/// Whether a scan request's `Content-Type` is one the server reads:
/// missing, `application/json`, or the spec's request type version 1.0 or
/// 1.1.
pub fn scan_request_type_ok(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type.map(str::trim).filter(|c| !c.is_empty()) else {
        return true;
    };
    let Some(r) = parse_range(ct) else {
        return false;
    };
    r.essence == "application/json" || SCAN_REQUEST.iter().any(|t| matches(&r, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_negotiation() {
        use Negotiated::*;
        use ReportKind::*;
        let n = |h: &str| negotiate_report(Some(h));
        assert_eq!(negotiate_report(None), Kind(Vulnerability));
        assert_eq!(n(""), Kind(Vulnerability));
        assert_eq!(n("*/*"), Kind(Vulnerability));
        assert_eq!(
            n("application/vnd.security.vulnerability.report; version=1.1"),
            Kind(Vulnerability)
        );
        assert_eq!(
            n("Application/VND.security.vulnerability.report;version=\"1.1\""),
            Kind(Vulnerability)
        );
        assert_eq!(
            n("application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"),
            Kind(VulnerabilityHarbor)
        );
        assert_eq!(
            n("application/vnd.scanner.adapter.vuln.report.raw"),
            Kind(Raw)
        );
        assert_eq!(
            n("application/vnd.security.sbom.report+json; version=1.0"),
            Kind(Sbom)
        );
        // A version the spec does not define is not produced.
        assert_eq!(
            n("application/vnd.security.vulnerability.report; version=9.9"),
            NotProduced
        );
        assert_eq!(n("text/html"), NotProduced);
        assert_eq!(
            n("text/html, application/vnd.scanner.adapter.vuln.report.raw"),
            Kind(Raw)
        );
        assert_eq!(
            n("application/vnd.scanner.adapter.vuln.report.raw;q=0"),
            NotProduced
        );
        assert_eq!(n(",,;"), Malformed);
        assert_eq!(n("garbage"), Malformed);
    }

    #[test]
    fn metadata_and_request_types() {
        assert_eq!(metadata_type(None), METADATA_1_1);
        assert_eq!(metadata_type(Some(METADATA_1_0)), METADATA_1_0);
        assert_eq!(metadata_type(Some("*/*")), METADATA_1_1);
        assert!(scan_request_type_ok(None));
        assert!(scan_request_type_ok(Some("application/json")));
        assert!(scan_request_type_ok(Some(SCAN_REQUEST[0])));
        assert!(scan_request_type_ok(Some(
            "application/vnd.scanner.adapter.scan.request+json; version=1.0"
        )));
        assert!(!scan_request_type_ok(Some(
            "application/vnd.scanner.adapter.scan.request+json; version=2.0"
        )));
        assert!(!scan_request_type_ok(Some("text/plain")));
    }
}
