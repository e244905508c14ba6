//! SBOM writers: CycloneDX 1.6 JSON and SPDX 2.3 JSON.
//!
//! Written with serde_json rather than a typed SBOM crate: the `cyclonedx-bom`
//! crate does not yet emit spec 1.6 and the SPDX crates model reading, not
//! writing; the subset used here is small and pinned down by tests.

use crate::WriteOptions;
use bulkhead_types::{Package, Report, Severity, VexApplied, Vulnerability};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

fn all_packages(report: &Report) -> Vec<&Package> {
    report
        .results
        .iter()
        .flat_map(|r| r.packages.iter())
        .collect()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// The CycloneDX 1.6 document for a report's packages.
pub fn cyclonedx(report: &Report, opts: &WriteOptions) -> Value {
    let mut seen = BTreeSet::new();
    let mut components = Vec::new();
    // Package id and purl → the component's bom-ref, for `affects`.
    let mut refs: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for p in all_packages(report) {
        let bom_ref = if p.identifier.purl.is_empty() {
            p.id.clone()
        } else {
            p.identifier.purl.clone()
        };
        let bom_ref = if seen.insert(bom_ref.clone()) {
            bom_ref
        } else {
            // The same purl installed twice (e.g. two copies of a library):
            // keep both, with distinct refs.
            format!("{bom_ref}#{}", p.file_path)
        };
        refs.entry(p.id.clone()).or_insert_with(|| bom_ref.clone());
        if !p.identifier.purl.is_empty() {
            refs.entry(p.identifier.purl.clone())
                .or_insert_with(|| bom_ref.clone());
        }
        let mut props = vec![];
        if !p.src_name.is_empty() {
            props.push(json!({"name": "bulkhead:SrcName", "value": p.src_name}));
            props.push(json!({"name": "bulkhead:SrcVersion", "value": p.src_version}));
        }
        if let Some(l) = &p.layer {
            props.push(json!({"name": "bulkhead:LayerIndex", "value": l.index.to_string()}));
            props.push(json!({"name": "bulkhead:LayerDiffID", "value": l.diff_id}));
        }
        if !p.file_path.is_empty() {
            props.push(json!({"name": "bulkhead:FilePath", "value": p.file_path}));
        }
        let mut c = json!({
            "bom-ref": bom_ref,
            "type": "library",
            "name": p.name,
            "version": p.version,
            "properties": props,
        });
        if !p.identifier.purl.is_empty() {
            c["purl"] = json!(p.identifier.purl);
        }
        if !p.licenses.is_empty() {
            c["licenses"] = Value::Array(
                p.licenses
                    .iter()
                    .map(|l| json!({"license": {"name": l}}))
                    .collect(),
            );
        }
        components.push(c);
    }
    let mut meta_component = json!({
        "bom-ref": report.artifact_name,
        "type": if report.artifact_type == bulkhead_types::ArtifactType::ContainerImage { "container" } else { "application" },
        "name": report.artifact_name,
    });
    if let Some(os) = &report.metadata.os {
        meta_component["properties"] = json!([
            {"name": "bulkhead:OSFamily", "value": os.family},
            {"name": "bulkhead:OSName", "value": os.name},
        ]);
    }
    let deps: Vec<String> = components
        .iter()
        .filter_map(|c| c["bom-ref"].as_str().map(str::to_string))
        .collect();
    let vulnerabilities = cyclonedx_vulnerabilities(report, &refs);
    let mut doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        "version": 1,
        "metadata": {
            "timestamp": now_rfc3339(),
            "tools": { "components": [{ "type": "application", "name": "bulkhead", "version": opts.tool_version }] },
            "component": meta_component,
        },
        "components": components,
        "dependencies": [{ "ref": report.artifact_name, "dependsOn": deps }],
    });
    if !vulnerabilities.is_empty() {
        doc["vulnerabilities"] = Value::Array(vulnerabilities);
    }
    doc
}

/// CycloneDX's rating severity names.
fn cdx_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Unknown => "unknown",
    }
}

/// One CycloneDX rating per source and CVSS version, plus the sources that
/// gave a severity without a score (method `other`).
fn cdx_ratings(v: &Vulnerability) -> Vec<Value> {
    let mut out = Vec::new();
    let mut sources: BTreeSet<&String> = v.cvss.keys().collect();
    sources.extend(v.vendor_severity.keys());
    for src in sources {
        let mut any = false;
        if let Some(c) = v.cvss.get(src) {
            let entries = [
                (c.v40_score, &c.v40_vector, "CVSSv4"),
                (
                    c.v3_score,
                    &c.v3_vector,
                    if c.v3_vector.starts_with("CVSS:3.0") {
                        "CVSSv3"
                    } else {
                        "CVSSv31"
                    },
                ),
                (c.v2_score, &c.v2_vector, "CVSSv2"),
            ];
            for (score, vector, method) in entries {
                let Some(score) = score else { continue };
                let sev = if method == "CVSSv2" {
                    Severity::from_cvss_v2_score(score)
                } else {
                    Severity::from_cvss_score(score)
                };
                let mut r = json!({
                    "source": {"name": src},
                    "score": score,
                    "severity": cdx_severity(sev),
                    "method": method,
                });
                if !vector.is_empty() {
                    r["vector"] = json!(vector);
                }
                out.push(r);
                any = true;
            }
        }
        if !any && let Some(n) = v.vendor_severity.get(src) {
            out.push(json!({
                "source": {"name": src},
                "severity": cdx_severity(bulkhead_types::rating::severity_of_number(*n)),
                "method": "other",
            }));
        }
    }
    out
}

/// What a VEX statement said about a group of findings: status,
/// justification, impact and action statements, source file and document
/// id (`None`: no statement).
type AnalysisKey = Option<(String, String, String, String, String, String)>;

fn analysis_key(x: Option<&VexApplied>) -> AnalysisKey {
    x.map(|x| {
        (
            x.status.clone(),
            x.justification.clone(),
            x.impact_statement.clone(),
            x.action_statement.clone(),
            x.source.clone(),
            x.document_id.clone(),
        )
    })
}

/// CycloneDX `analysis` of a VEX statement (`docs/vex.md`).
fn cdx_analysis(key: &AnalysisKey) -> Option<Value> {
    let (status, justification, impact, action, _, _) = key.as_ref()?;
    let mut a = json!({ "state": crate::vex::cyclonedx_state(status)? });
    if let Some(j) = crate::vex::cyclonedx_justification(justification) {
        a["justification"] = json!(j);
    }
    let detail: Vec<&str> = [justification, impact, action]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(String::as_str)
        .collect();
    if !detail.is_empty() {
        a["detail"] = json!(detail.join(": "));
    }
    Some(a)
}

/// `vulnerabilities[]`: one entry per vulnerability id, affecting every
/// component it was found in, with every source's rating, EPSS and KEV.
/// Findings a VEX statement decided on get an entry of their own per
/// statement content, with its `analysis` (suppressed ones included:
/// `not_affected`, `resolved`), so no finding disappears from the BOM.
fn cyclonedx_vulnerabilities(
    report: &Report,
    refs: &std::collections::HashMap<String, String>,
) -> Vec<Value> {
    type Group<'a> = (&'a Vulnerability, Vec<Value>);
    let mut by_id: BTreeMap<(&str, AnalysisKey), Group> = BTreeMap::new();
    for r in &report.results {
        let suppressed = r
            .modified_findings
            .iter()
            .map(|m| (&m.finding, Some(&m.vex)));
        let all = r
            .vulnerabilities
            .iter()
            .map(|v| (v, v.vex.as_ref()))
            .chain(suppressed);
        for (v, vex) in all {
            let key = analysis_key(vex);
            let bom_ref = refs
                .get(&v.pkg_id)
                .or_else(|| refs.get(&v.pkg_identifier.purl))
                .cloned()
                .unwrap_or_else(|| {
                    if v.pkg_identifier.purl.is_empty() {
                        v.pkg_id.clone()
                    } else {
                        v.pkg_identifier.purl.clone()
                    }
                });
            // The installed version is the affected one, fixed upstream or
            // not, unless a VEX statement says it is not affected or fixed.
            let version_status = match key.as_ref().map(|k| k.0.as_str()) {
                Some("not_affected") | Some("fixed") => "unaffected",
                Some("under_investigation") => "unknown",
                _ => "affected",
            };
            let affect = json!({
                "ref": bom_ref,
                "versions": [{"version": v.installed_version, "status": version_status}],
            });
            let entry = by_id
                .entry((v.vulnerability_id.as_str(), key))
                .or_insert_with(|| (v, Vec::new()));
            // The id's ratings come from its highest-rated finding.
            let rank = |x: &Vulnerability| (x.severity, x.security_severity(), x.risk_score());
            if rank(v) > rank(entry.0) {
                entry.0 = v;
            }
            // `affects` items must be unique (two findings of one component).
            if !entry.1.contains(&affect) {
                entry.1.push(affect);
            }
        }
    }
    let mut seen_ids: BTreeMap<&str, usize> = BTreeMap::new();
    by_id
        .into_iter()
        .map(|((id, key), (v, affects))| {
            // `bom-ref`s are unique: the plain entry keeps `vuln:ID`, the
            // entries of VEX statements get `vuln:ID#vex-N`.
            let bom_ref = if key.is_none() {
                format!("vuln:{id}")
            } else {
                let n = seen_ids.entry(id).or_default();
                *n += 1;
                format!("vuln:{id}#vex-{n}")
            };
            let source = if id.starts_with("CVE-") {
                json!({"name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{id}")})
            } else {
                json!({"name": bulkhead_types::rating::advisory_source(id)})
            };
            let mut props = vec![];
            if let Some(e) = &v.epss {
                props.push(json!({"name": "bulkhead:epss:score", "value": format!("{}", e.score)}));
                props.push(json!({"name": "bulkhead:epss:percentile", "value": format!("{}", e.percentile)}));
                if !e.date.is_empty() {
                    props.push(json!({"name": "bulkhead:epss:date", "value": e.date}));
                }
            }
            if v.kev {
                props.push(json!({"name": "bulkhead:kev", "value": "true"}));
                if let Some(k) = &v.kev_detail {
                    if !k.date_added.is_empty() {
                        props.push(json!({"name": "bulkhead:kev:dateAdded", "value": k.date_added}));
                    }
                    props.push(json!({"name": "bulkhead:kev:ransomware", "value": k.ransomware.to_string()}));
                }
            }
            props.push(json!({"name": "bulkhead:severity", "value": v.severity.as_str()}));
            if !v.severity_source.is_empty() {
                props.push(json!({"name": "bulkhead:severitySource", "value": v.severity_source}));
            }
            props.push(json!({"name": "bulkhead:risk", "value": format!("{:.1}", v.risk_score())}));
            let mut out = json!({
                "bom-ref": bom_ref,
                "id": id,
                "source": source,
                "ratings": cdx_ratings(v),
                "affects": affects,
                "properties": props,
            });
            let refs: Vec<Value> = v
                .vendor_ids
                .iter()
                .chain(&v.aliases)
                .filter(|a| a.as_str() != id)
                .map(|a| json!({"id": a, "source": {"name": bulkhead_types::rating::advisory_source(a)}}))
                .collect();
            if !refs.is_empty() {
                out["references"] = Value::Array(refs);
            }
            if !v.description.is_empty() {
                out["description"] = json!(v.description);
            } else if !v.title.is_empty() {
                out["description"] = json!(v.title);
            }
            let advisories: Vec<Value> = v
                .references
                .iter()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .take(20)
                .map(|u| json!({"url": u}))
                .collect();
            if !advisories.is_empty() {
                out["advisories"] = Value::Array(advisories);
            }
            if !v.fixed_version.is_empty() {
                out["recommendation"] = json!(format!("Upgrade {} to {}", v.pkg_name, v.fixed_version));
            }
            if let Some(a) = cdx_analysis(&key) {
                out["analysis"] = a;
            }
            if let Some((status, _, _, _, source, document)) = &key
                && let Some(props) = out["properties"].as_array_mut()
            {
                props.push(json!({"name": "bulkhead:vex:status", "value": status}));
                props.push(json!({"name": "bulkhead:vex:source", "value": source}));
                if !document.is_empty() {
                    props.push(json!({"name": "bulkhead:vex:document", "value": document}));
                }
            }
            out
        })
        .collect()
}

fn spdx_id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The SPDX 2.3 document for a report's packages.
pub fn spdx(report: &Report, opts: &WriteOptions) -> Value {
    let root_id = format!("SPDXRef-{}", spdx_id(&report.artifact_name));
    let mut packages = vec![json!({
        "SPDXID": root_id,
        "name": report.artifact_name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": if report.artifact_type == bulkhead_types::ArtifactType::ContainerImage { "CONTAINER" } else { "SOURCE" },
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": root_id,
    })];
    for (i, p) in all_packages(report).into_iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{}", i, spdx_id(&p.name));
        let license = if p.licenses.is_empty() {
            "NOASSERTION".to_string()
        } else {
            p.licenses.join(" AND ")
        };
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "LIBRARY",
        });
        // Package licenses as written in package databases are often not
        // valid SPDX expressions; keep them as a comment instead of asserting.
        if !p.licenses.is_empty() {
            pkg["comment"] = json!(format!(
                "licenses recorded by the package database: {license}"
            ));
        }
        if !p.identifier.purl.is_empty() {
            pkg["externalRefs"] = json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.identifier.purl,
            }]);
        }
        if !p.src_name.is_empty() {
            pkg["sourceInfo"] = json!(format!(
                "built from source package {} {}",
                p.src_name, p.src_version
            ));
        }
        if let Some(l) = &p.layer {
            pkg["annotations"] = json!([{
                "annotationType": "OTHER",
                "annotator": "Tool: bulkhead",
                "annotationDate": now_rfc3339(),
                "comment": format!("layer {} {}", l.index, l.diff_id),
            }]);
        }
        packages.push(pkg);
        relationships.push(json!({
            "spdxElementId": root_id,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": report.artifact_name,
        "documentNamespace": format!("https://example.invalid/bulkhead/spdx/{}-{}", spdx_id(&report.artifact_name), uuid::Uuid::new_v4()),
        "creationInfo": {
            "creators": [format!("Tool: bulkhead-{}", opts.tool_version)],
            "created": now_rfc3339(),
        },
        "packages": packages,
        "relationships": relationships,
    })
}

pub(crate) fn write_cyclonedx(
    report: &Report,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), crate::WriteError> {
    bulkhead_types::text::write_json_pretty(&mut *out, &cyclonedx(report, opts))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub(crate) fn write_spdx(
    report: &Report,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), crate::WriteError> {
    bulkhead_types::text::write_json_pretty(&mut *out, &spdx(report, opts))?;
    out.write_all(b"\n")?;
    Ok(())
}
