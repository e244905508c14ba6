//! SBOM writers: CycloneDX 1.6 JSON and SPDX 2.3 JSON.
//!
//! Written with serde_json rather than a typed SBOM crate: the `cyclonedx-bom`
//! crate does not yet emit spec 1.6 and the SPDX crates model reading, not
//! writing; the subset used here is small and pinned down by tests.

use crate::WriteOptions;
use bulkhead_types::{Package, Report};
use serde_json::{Value, json};
use std::collections::BTreeSet;
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
    json!({
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
    })
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
    serde_json::to_writer_pretty(&mut *out, &cyclonedx(report, opts))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub(crate) fn write_spdx(
    report: &Report,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), crate::WriteError> {
    serde_json::to_writer_pretty(&mut *out, &spdx(report, opts))?;
    out.write_all(b"\n")?;
    Ok(())
}
