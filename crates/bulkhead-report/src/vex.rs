//! OpenVEX applied to a report, and OpenVEX documents written out.
//!
//! [`apply_vex`] is the one place VEX decisions change a report (every
//! command that reports vulnerabilities calls it, before the filters): a
//! suppressed finding moves from `Vulnerabilities` to
//! `ExperimentalModifiedFindings` with its statement, so no format drops it
//! silently and the exit policy, which reads `Vulnerabilities`, no longer
//! sees it; an annotated finding stays and carries `VEX`. Which statement
//! applies is `bulkhead_vex::matching`'s decision (`docs/vex.md`).

use bulkhead_types::{ModifiedFinding, Report};
use bulkhead_vex::{ArtifactIds, VexDocument, VexIndex};
use std::io::Write;

/// What [`apply_vex`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VexOutcome {
    /// Findings moved to `ExperimentalModifiedFindings`.
    pub suppressed: usize,
    /// Findings that kept their place with a `VEX` annotation.
    pub annotated: usize,
}

/// Apply `documents` to the vulnerabilities of `report`, whose artifact is
/// `artifact` (the image digests; see `ArtifactIds::of_report`).
/// Statements that suppress (`not_affected` with a reason, `fixed`) move
/// the finding to its result's `modified_findings`; the others
/// (`affected`, `under_investigation`, `not_affected` without a reason)
/// annotate it (`Vulnerability::vex`). The summary's `Suppressed` count is
/// kept up to date when the report already has a summary.
pub fn apply_vex(
    report: &mut Report,
    documents: &[VexDocument],
    artifact: &ArtifactIds,
) -> VexOutcome {
    let mut out = VexOutcome::default();
    let index = VexIndex::new(documents);
    if index.is_empty() {
        return out;
    }
    for result in &mut report.results {
        let all = std::mem::take(&mut result.vulnerabilities);
        let mut kept = Vec::with_capacity(all.len());
        for mut v in all {
            match index.decide(&v, artifact) {
                Some(d) if d.suppresses() => {
                    out.suppressed += 1;
                    result
                        .modified_findings
                        .push(ModifiedFinding::vulnerability(d.applied(), v));
                }
                Some(d) => {
                    out.annotated += 1;
                    v.vex = Some(d.applied());
                    kept.push(v);
                }
                None => kept.push(v),
            }
        }
        result.vulnerabilities = kept;
    }
    let total = suppressed_count(&report.results);
    if let Some(s) = &mut report.summary {
        s.suppressed = total;
    }
    out
}

/// Findings suppressed by VEX over some results.
pub fn suppressed_count(results: &[bulkhead_types::ScanResult]) -> usize {
    results.iter().map(|r| r.modified_findings.len()).sum()
}

/// Write an OpenVEX document as JSON (`bulkhead vex create`).
pub fn write_document(doc: &VexDocument, out: &mut dyn Write) -> Result<(), crate::WriteError> {
    bulkhead_types::text::write_json_pretty(&mut *out, doc)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// CycloneDX `analysis.state` of an OpenVEX status.
pub(crate) fn cyclonedx_state(status: &str) -> Option<&'static str> {
    Some(match status {
        "not_affected" => "not_affected",
        "fixed" => "resolved",
        "affected" => "exploitable",
        "under_investigation" => "in_triage",
        _ => return None,
    })
}

/// CycloneDX `analysis.justification` of an OpenVEX justification (the
/// closest of CycloneDX's labels).
pub(crate) fn cyclonedx_justification(justification: &str) -> Option<&'static str> {
    Some(match justification {
        "component_not_present" | "vulnerable_code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" => "protected_by_mitigating_control",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::{ArtifactType, Class, PkgIdentifier, ScanResult, Severity, Vulnerability};
    use serde_json::json;

    const IMG: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    fn vuln(id: &str, pkg: &str, sev: Severity) -> Vulnerability {
        Vulnerability {
            vulnerability_id: id.into(),
            pkg_name: pkg.into(),
            pkg_id: format!("{pkg}@1"),
            installed_version: "1".into(),
            pkg_identifier: PkgIdentifier {
                purl: format!("pkg:deb/debian/{pkg}@1?arch=amd64"),
            },
            severity: sev,
            ..Vulnerability::default()
        }
    }

    pub(crate) fn report() -> Report {
        let mut r = Report::new("app:1", ArtifactType::ContainerImage);
        r.metadata.image_id = IMG.into();
        let mut res = ScanResult::new("app:1 (debian 12)", Class::OsPkgs, "debian");
        res.vulnerabilities = vec![
            vuln("CVE-1", "libssl3", Severity::Critical),
            vuln("CVE-1", "openssl", Severity::Critical),
            vuln("CVE-2", "zlib1g", Severity::High),
        ];
        r.results.push(res);
        r
    }

    pub(crate) fn documents() -> Vec<VexDocument> {
        let doc = json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.invalid/vex-1",
            "author": "t",
            "timestamp": "2024-05-01T12:00:00Z",
            "version": 1,
            "statements": [
                {"vulnerability": {"name": "CVE-1"}, "status": "not_affected",
                 "justification": "vulnerable_code_not_in_execute_path",
                 "impact_statement": "TLS is <b>off</b> | never used",
                 "products": [{"@id": format!("pkg:oci/app@{IMG}"),
                   "subcomponents": [{"@id": "pkg:deb/debian/libssl3@1"}]}]},
                {"vulnerability": {"name": "CVE-2"}, "status": "under_investigation",
                 "products": [{"@id": IMG}]}
            ]
        });
        let p = bulkhead_vex::parse_document(
            doc.to_string().as_bytes(),
            "vex/app.openvex.json",
            &bulkhead_vex::Limits::default(),
        )
        .unwrap();
        vec![p.document]
    }

    #[test]
    fn suppresses_exactly_the_stated_finding_and_annotates_the_rest() {
        let mut r = report();
        let ids = ArtifactIds::of_report(&r);
        let out = apply_vex(&mut r, &documents(), &ids);
        assert_eq!(
            out,
            VexOutcome {
                suppressed: 1,
                annotated: 1
            }
        );
        let res = &r.results[0];
        assert_eq!(res.modified_findings.len(), 1);
        let m = &res.modified_findings[0];
        assert_eq!(
            (m.finding.pkg_name.as_str(), m.kind.as_str()),
            ("libssl3", "vulnerability")
        );
        assert_eq!(m.vex.status, "not_affected");
        assert_eq!(m.statement, "vulnerable_code_not_in_execute_path");
        assert_eq!(m.vex.source, "vex/app.openvex.json");
        let left: Vec<_> = res
            .vulnerabilities
            .iter()
            .map(|v| {
                (
                    v.pkg_name.as_str(),
                    v.vex.as_ref().map(|x| x.status.as_str()),
                )
            })
            .collect();
        assert_eq!(
            left,
            [("openssl", None), ("zlib1g", Some("under_investigation"))]
        );
        // The JSON carries Trivy's field names.
        let j = serde_json::to_value(&r).unwrap();
        let m = &j["Results"][0]["ExperimentalModifiedFindings"][0];
        assert_eq!(m["Type"], "vulnerability");
        assert_eq!(m["Status"], "not_affected");
        assert_eq!(m["Statement"], "vulnerable_code_not_in_execute_path");
        assert_eq!(m["Source"], "vex/app.openvex.json");
        assert_eq!(m["Finding"]["PkgName"], "libssl3");
        assert_eq!(
            j["Results"][0]["Vulnerabilities"][1]["VEX"]["Status"],
            "under_investigation"
        );
        // The filters count it and the exit policy no longer sees it.
        let outcome = crate::filter::apply(&mut r, &crate::Filter::default());
        assert_eq!(r.summary.as_ref().unwrap().suppressed, 1);
        assert_eq!(outcome.shown, 2);
        // Another image: nothing.
        let mut other = report();
        other.metadata.image_id = IMG.replace('1', "2");
        let ids = ArtifactIds::of_report(&other);
        assert_eq!(
            apply_vex(&mut other, &documents(), &ids),
            VexOutcome::default()
        );
    }

    #[test]
    fn fail_on_sees_only_unsuppressed_findings() {
        let mut r = report();
        let doc = json!({
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "t",
            "timestamp": "2024-05-01T12:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{"@id": IMG}]}]
        });
        let docs = vec![
            bulkhead_vex::parse_document(doc.to_string().as_bytes(), "f.json", &Default::default())
                .unwrap()
                .document,
        ];
        let ids = ArtifactIds::of_report(&r);
        assert_eq!(apply_vex(&mut r, &docs, &ids).suppressed, 2);
        let outcome = crate::filter::apply(&mut r, &crate::Filter::default());
        let gate = crate::ExitPolicy {
            fail_on: Some(Severity::Critical),
            ..Default::default()
        };
        assert_eq!(gate.exit_code(&outcome), 0);
        assert_eq!(r.summary.unwrap().suppressed, 2);
    }

    fn render(r: &Report, format: crate::Format) -> String {
        let mut out = Vec::new();
        crate::write_report(r, format, &crate::WriteOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn vexed() -> Report {
        let mut r = report();
        let ids = ArtifactIds::of_report(&r);
        apply_vex(&mut r, &documents(), &ids);
        crate::filter::apply(&mut r, &crate::Filter::default());
        r
    }

    #[test]
    fn every_format_lists_the_suppressed_finding() {
        let r = vexed();
        let table = render(&r, crate::Format::Table);
        assert!(table.contains("Suppressed by VEX: 1"), "{table}");
        assert!(
            table.contains("vulnerable_code_not_in_execute_path"),
            "{table}"
        );
        assert!(table.contains("vex/app.openvex.json #0"), "{table}");
        assert!(table.contains("1 finding(s) suppressed by VEX"), "{table}");
        assert!(table.contains("fixed, VEX under_investigation"), "{table}");
        assert!(table.contains("Total: 2 (CRITICAL: 1, HIGH: 1"), "{table}");

        let sarif: serde_json::Value =
            serde_json::from_str(&render(&r, crate::Format::Sarif)).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3, "the suppressed result stays");
        let sup: Vec<_> = results
            .iter()
            .filter(|x| x.get("suppressions").is_some())
            .collect();
        assert_eq!(sup.len(), 1);
        assert_eq!(sup[0]["properties"]["package"], "libssl3");
        let s = &sup[0]["suppressions"][0];
        assert_eq!(s["kind"], "external");
        let text = s["justification"].as_str().unwrap();
        assert!(
            text.starts_with("not_affected: vulnerable_code_not_in_execute_path: TLS"),
            "{text}"
        );
        assert!(
            text.ends_with("(OpenVEX vex/app.openvex.json, statement 0)"),
            "{text}"
        );
        let annotated = results.iter().find(|x| x["ruleId"] == "CVE-2").unwrap();
        assert_eq!(annotated["properties"]["vexStatus"], "under_investigation");

        let bom = crate::cyclonedx(&r, &crate::WriteOptions::default());
        let vulns = bom["vulnerabilities"].as_array().unwrap();
        let refs: Vec<&str> = vulns
            .iter()
            .map(|v| v["bom-ref"].as_str().unwrap())
            .collect();
        assert_eq!(refs, ["vuln:CVE-1", "vuln:CVE-1#vex-1", "vuln:CVE-2#vex-1"]);
        let a = &vulns[1]["analysis"];
        assert_eq!(a["state"], "not_affected");
        assert_eq!(a["justification"], "code_not_reachable");
        assert_eq!(
            a["detail"],
            "vulnerable_code_not_in_execute_path: TLS is <b>off</b> | never used"
        );
        assert_eq!(
            vulns[1]["affects"][0]["versions"][0]["status"],
            "unaffected"
        );
        assert!(vulns[0].get("analysis").is_none());
        assert_eq!(vulns[2]["analysis"]["state"], "in_triage");
        assert_eq!(vulns[2]["affects"][0]["versions"][0]["status"], "unknown");

        let json: serde_json::Value =
            serde_json::from_str(&render(&r, crate::Format::Json)).unwrap();
        assert_eq!(json["Summary"]["Suppressed"], 1);
    }

    #[test]
    fn diff_views_list_suppressed_findings() {
        let before = vexed();
        let after = report();
        let d = bulkhead_diff::compare(&before, &after);
        assert_eq!(d.suppressed.before.len(), 1);
        let mut out = Vec::new();
        crate::diff::write(&d, crate::diff::DiffFormat::Table, false, &mut out).unwrap();
        let table = String::from_utf8(out).unwrap();
        assert!(table.contains("Suppressed by VEX (1)"), "{table}");
        assert!(
            table.contains("(1 suppressed by VEX in A, 0 in B"),
            "{table}"
        );
        let mut out = Vec::new();
        crate::diff::write(&d, crate::diff::DiffFormat::Markdown, false, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(
            md.contains("<summary>Suppressed by VEX (1)</summary>"),
            "{md}"
        );
        // The impact statement cannot inject HTML or break the table.
        assert!(
            md.contains("TLS is &lt;b&gt;off&lt;/b&gt; \\| never used"),
            "{md}"
        );
        let j = serde_json::to_value(&d).unwrap();
        assert_eq!(
            j["Suppressed"]["Before"][0]["Finding"]["PkgName"],
            "libssl3"
        );
        assert!(j["Suppressed"].get("After").is_none());
        let plain = bulkhead_diff::compare(&report(), &report());
        assert!(
            serde_json::to_value(&plain)
                .unwrap()
                .get("Suppressed")
                .is_none()
        );
    }

    #[test]
    fn written_documents_are_json_safe() {
        let mut out = Vec::new();
        let mut d = documents().remove(0);
        d.author = "evil\u{202e}\u{9b}".into();
        write_document(&d, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains('\u{202e}') && text.contains("\\u202e"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["author"], "evil\u{202e}\u{9b}");
    }
}
