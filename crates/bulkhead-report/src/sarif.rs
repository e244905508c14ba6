//! SARIF 2.1.0: one run per scanner (class), PASS results omitted.

use crate::WriteOptions;
use bulkhead_types::{
    ArtifactType, Class, IMAGE_CONFIG_TYPE, IMAGE_ENV_TARGET, IMAGE_HISTORY_TARGET, MisconfStatus,
    Report, ScanResult, Severity, VexApplied,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

/// Where a finding is: files (Dockerfiles, Compose files, files with secrets)
/// get a `physicalLocation` with a region; the image (its config checks and
/// the secrets in its config `Env` and history), containers and the daemon
/// get `logicalLocations` with their names.
fn location(report: &Report, r: &ScanResult, line: Option<(usize, usize)>) -> Value {
    let (target, class) = (r.target.as_str(), r.class);
    let image_secret = class == Class::Secret
        && report.artifact_type == ArtifactType::ContainerImage
        && [IMAGE_ENV_TARGET, IMAGE_HISTORY_TARGET].contains(&target);
    if r.kind == IMAGE_CONFIG_TYPE || image_secret {
        return json!({ "logicalLocations": [{
            "name": report.artifact_name,
            "fullyQualifiedName": format!("{}:{}", report.artifact_name, target),
            "kind": "resource",
        }] });
    }
    let is_file =
        matches!(class, Class::Config) || (matches!(class, Class::Secret) && line.is_some());
    if is_file && report.artifact_type != ArtifactType::DockerHost {
        let mut phys = json!({ "artifactLocation": { "uri": target } });
        if let Some((start, end)) = line
            && start > 0
        {
            phys["region"] = json!({ "startLine": start, "endLine": end.max(start) });
        }
        json!({ "physicalLocation": phys })
    } else {
        let kind = if class == Class::Audit && target == "docker-daemon" {
            "module"
        } else {
            "resource"
        };
        json!({ "logicalLocations": [{ "name": target, "fullyQualifiedName": format!("{}:{}", report.artifact_name, target), "kind": kind }] })
    }
}

struct Run {
    rules: BTreeMap<String, Value>,
    results: Vec<Value>,
}

pub(crate) fn write(
    report: &Report,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), crate::WriteError> {
    let mut runs: BTreeMap<&'static str, Run> = BTreeMap::new();
    let mut push = |scanner: &'static str, rule_id: String, rule: Value, result: Value| {
        let run = runs.entry(scanner).or_insert_with(|| Run {
            rules: BTreeMap::new(),
            results: Vec::new(),
        });
        // A rule shared by several findings (one CVE in two packages) takes
        // the highest security-severity among them, whatever their order.
        let score = |r: &Value| {
            r["properties"]["security-severity"]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        match run.rules.get_mut(&rule_id) {
            Some(old) if score(&rule) > score(old) => *old = rule,
            Some(_) => {}
            None => {
                run.rules.insert(rule_id, rule);
            }
        }
        run.results.push(result);
    };
    for r in &report.results {
        // Suppressed findings stay in the log as suppressed results (SARIF
        // `suppressions`, kind `external`: a VEX document decided).
        let suppressed = r
            .modified_findings
            .iter()
            .map(|m| (&m.finding, Some(&m.vex)));
        let findings = r
            .vulnerabilities
            .iter()
            .map(|v| (v, None))
            .chain(suppressed);
        for (v, suppression) in findings {
            let rule = json!({
                "id": v.vulnerability_id,
                "shortDescription": { "text": if v.title.is_empty() { v.vulnerability_id.clone() } else { v.title.clone() } },
                "helpUri": v.references.first().cloned().unwrap_or_default(),
                "properties": { "security-severity": format!("{:.1}", v.security_severity()), "tags": ["vulnerability", v.severity.as_str()] }
            });
            let msg = format!(
                "Package: {}\nInstalled Version: {}\nVulnerability: {}\nSeverity: {}\nFixed Version: {}",
                v.pkg_name, v.installed_version, v.vulnerability_id, v.severity, v.fixed_version
            );
            let mut result = json!({
                "ruleId": v.vulnerability_id,
                "level": v.severity.sarif_level(),
                "message": { "text": msg },
                "locations": [location(report, r, None)],
                "properties": {
                    "severity": v.severity.as_str(),
                    "security-severity": format!("{:.1}", v.security_severity()),
                    "severitySource": v.severity_source,
                    "cvssScore": v.cvss_score(),
                    "risk": v.risk_score(),
                    "epss": v.epss.as_ref().map(|e| e.score),
                    "epssPercentile": v.epss.as_ref().map(|e| e.percentile),
                    "kev": v.kev,
                    "package": v.pkg_name,
                    "installedVersion": v.installed_version,
                    "fixedVersion": v.fixed_version,
                    "layer": v.layer.as_ref().map(|l| l.diff_id.clone()),
                }
            });
            if let Some(x) = suppression.or(v.vex.as_ref()) {
                result["properties"]["vexStatus"] = json!(x.status);
                if !x.justification.is_empty() {
                    result["properties"]["vexJustification"] = json!(x.justification);
                }
                result["properties"]["vexSource"] = json!(x.source);
                result["properties"]["vexStatement"] = json!(x.statement_index);
            }
            if let Some(x) = suppression {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": suppression_text(x),
                    "properties": {
                        "vexStatus": x.status,
                        "vexJustification": x.justification,
                        "impactStatement": x.impact_statement,
                        "source": x.source,
                        "documentId": x.document_id,
                        "statementIndex": x.statement_index,
                        "timestamp": x.timestamp,
                    }
                }]);
            }
            push("vuln", v.vulnerability_id.clone(), rule, result);
        }
        for s in &r.secrets {
            let rule = json!({
                "id": s.rule_id,
                "shortDescription": { "text": s.title },
                "properties": { "security-severity": sev_score(s.severity), "tags": ["secret", s.severity.as_str()] }
            });
            let result = json!({
                "ruleId": s.rule_id,
                "level": s.severity.sarif_level(),
                "message": { "text": format!("{}: {}", s.title, s.match_text) },
                "locations": [location(report, r, Some((s.start_line, s.end_line)))],
                "properties": {
                    "severity": s.severity.as_str(),
                    "layer": s.layer.as_ref().map(|l| l.diff_id.clone()),
                    "removedIn": s.removed_in.as_ref().map(|l| l.diff_id.clone()),
                }
            });
            push("secret", s.rule_id.clone(), rule, result);
        }
        for m in &r.misconfigurations {
            if m.status == MisconfStatus::Pass {
                continue;
            }
            let scanner = if r.class == Class::Audit {
                "audit"
            } else {
                "misconfig"
            };
            let rule_id = if r.class == Class::Audit && !m.mappings.cis.is_empty() {
                format!("CIS-{}", m.mappings.cis)
            } else {
                m.id.clone()
            };
            let rule = json!({
                "id": rule_id,
                "name": m.id,
                "shortDescription": { "text": m.title },
                "fullDescription": { "text": m.description },
                "help": { "text": m.resolution },
                "properties": { "security-severity": sev_score(m.severity), "tags": [scanner, m.severity.as_str()] }
            });
            let lines = m
                .cause_metadata
                .start_line
                .map(|s| (s, m.cause_metadata.end_line.unwrap_or(s)));
            let text = if m.message.is_empty() {
                m.title.clone()
            } else {
                m.message.clone()
            };
            let result = json!({
                "ruleId": rule_id,
                "level": m.severity.sarif_level(),
                "message": { "text": text },
                "locations": [location(report, r, lines)],
                "properties": {
                    "severity": m.severity.as_str(),
                    "status": m.status,
                    "cis": m.mappings.cis,
                    "evidence": m.cause_metadata.evidence,
                }
            });
            push(scanner, rule_id, rule, result);
        }
    }
    let runs: Vec<Value> = runs
        .into_iter()
        .map(|(scanner, run)| {
            json!({
                "tool": { "driver": {
                    "name": "bulkhead",
                    "informationUri": "https://example.invalid/bulkhead",
                    "version": opts.tool_version,
                    "rules": run.rules.into_values().collect::<Vec<_>>(),
                    "properties": { "scanner": scanner },
                }},
                "results": run.results,
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    });
    bulkhead_types::text::write_json_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// `status: justification: impact statement (OpenVEX FILE, statement N)`.
fn suppression_text(x: &VexApplied) -> String {
    let mut t = x.status.clone();
    for part in [&x.justification, &x.impact_statement, &x.action_statement] {
        if !part.is_empty() {
            t.push_str(": ");
            t.push_str(part);
        }
    }
    format!(
        "{t} (OpenVEX {}, statement {})",
        x.source, x.statement_index
    )
}

fn sev_score(sev: Severity) -> String {
    format!(
        "{:.1}",
        bulkhead_types::rating::severity_security_score(sev)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_types::{CauseMetadata, Misconfiguration, Secret};

    fn misconfig(id: &str, line: Option<usize>) -> Misconfiguration {
        Misconfiguration {
            id: id.to_string(),
            mappings: Default::default(),
            title: format!("{id} title"),
            description: String::new(),
            message: format!("{id} message"),
            resolution: String::new(),
            severity: Severity::High,
            status: MisconfStatus::Fail,
            cause_metadata: CauseMetadata {
                start_line: line,
                end_line: line,
                evidence: "API_TOKEN=abc…".to_string(),
            },
        }
    }

    fn sarif(report: &Report) -> Value {
        let mut out = Vec::new();
        let opts = WriteOptions {
            color: false,
            tool_version: "test".to_string(),
            list_packages: false,
        };
        write(report, &opts, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    /// Image-config checks are about the image: a logical location named
    /// after it (the contract), not a file path that does not exist.
    #[test]
    fn image_config_findings_get_the_image_as_logical_location() {
        let mut report = Report::new("registry.example/app:1.0", ArtifactType::ContainerImage);
        let mut image = ScanResult::new("image config", Class::Config, IMAGE_CONFIG_TYPE);
        image.misconfigurations = vec![
            misconfig("BH-IM-001", None),
            misconfig("BH-IM-004", Some(2)),
        ];
        report.results.push(image);
        let doc = sarif(&report);
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for r in results {
            let loc = &r["locations"][0];
            assert!(loc.get("physicalLocation").is_none(), "{loc:#}");
            assert_eq!(
                loc["logicalLocations"][0]["name"],
                "registry.example/app:1.0"
            );
        }
        insta::assert_json_snapshot!("sarif_image_config_locations", results);
    }

    fn secret(line: usize) -> Secret {
        Secret {
            rule_id: "github-token".to_string(),
            category: "GitHub".to_string(),
            severity: Severity::Critical,
            title: "GitHub token".to_string(),
            start_line: line,
            end_line: line,
            match_text: "GH_TOKEN=ghp_*****".to_string(),
            layer: None,
            removed_in: None,
        }
    }

    /// Secrets in the image config's Env and history are about the image
    /// too; secrets in files of the image keep the file path and line.
    #[test]
    fn image_env_and_history_secrets_get_the_image_as_logical_location() {
        let mut report = Report::new("app.tar", ArtifactType::ContainerImage);
        for target in [IMAGE_ENV_TARGET, IMAGE_HISTORY_TARGET, "etc/app.conf"] {
            let mut r = ScanResult::new(target, Class::Secret, "");
            r.secrets = vec![secret(2)];
            report.results.push(r);
        }
        let doc = sarif(&report);
        let locs: Vec<&Value> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["locations"][0])
            .collect();
        for loc in &locs[..2] {
            assert_eq!(loc["logicalLocations"][0]["name"], "app.tar", "{loc:#}");
            assert!(loc.get("physicalLocation").is_none(), "{loc:#}");
        }
        assert_eq!(
            locs[2]["physicalLocation"]["artifactLocation"]["uri"],
            "etc/app.conf"
        );
        assert_eq!(locs[2]["physicalLocation"]["region"]["startLine"], 2);
    }

    /// Dockerfile findings keep their file and lines.
    #[test]
    fn dockerfile_findings_keep_a_physical_location() {
        let mut report = Report::new("Dockerfile", ArtifactType::Config);
        let mut df = ScanResult::new("Dockerfile", Class::Config, "dockerfile");
        df.misconfigurations = vec![misconfig("BH-DF-001", Some(3))];
        report.results.push(df);
        let doc = sarif(&report);
        let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "Dockerfile");
        assert_eq!(loc["region"]["startLine"], 3);
    }
}
