//! Entry point of the `check` fuzz target (and of its seed replay): runtime
//! settings from arbitrary `docker run` flags, run through every layer
//! rule, the merging, the risk order and the fix plan with each trust
//! state. Nothing may panic; every report must survive a JSON round trip.

use crate::{CheckInput, HardenPlan, Hardened, ScannersRun, Trust};
use bulkhead_types::check::{CheckReport, CheckWorkload, SnippetKind, WorkloadSource};
use bulkhead_types::{
    ArtifactType, Class, ContainerSpec, IMAGE_CONFIG_TYPE, IMAGE_ENV_TARGET, Misconfiguration,
    Report, ScanResult, Secret, Severity, SpecTmpfs, Vulnerability,
};
use std::collections::BTreeMap;

/// The reports of the settings `data` describes: the first line as
/// `docker run` flags (when they parse), the rest as names and values
/// planted in the scan (package, variable, message).
pub fn reports(data: &[u8]) -> Vec<CheckReport> {
    let text = String::from_utf8_lossy(data);
    let (line, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let spec = match bulkhead_policy::run_flags::parse(line) {
        Ok(cmd) => cmd.spec,
        Err(_) => ContainerSpec::default(),
    };
    let words: Vec<&str> = rest.split_whitespace().take(16).collect();
    let word = |i: usize| words.get(i).copied().unwrap_or("x");
    let mut report = Report::new(word(0), ArtifactType::ContainerImage);
    let mut os = ScanResult::new(word(1), Class::OsPkgs, "debian");
    os.vulnerabilities.push(Vulnerability {
        vulnerability_id: word(2).into(),
        pkg_name: word(3).into(),
        installed_version: word(4).into(),
        fixed_version: word(5).into(),
        severity: Severity::Critical,
        kev: rest.len() % 2 == 0,
        ..Vulnerability::default()
    });
    report.results.push(os);
    let mut img = ScanResult::new("image config", Class::Config, IMAGE_CONFIG_TYPE);
    img.misconfigurations.push(Misconfiguration {
        id: "BH-IM-004".into(),
        mappings: Default::default(),
        title: word(6).into(),
        description: String::new(),
        message: rest.chars().take(200).collect(),
        resolution: String::new(),
        severity: Severity::High,
        status: bulkhead_types::MisconfStatus::Fail,
        cause_metadata: bulkhead_types::CauseMetadata {
            start_line: None,
            end_line: None,
            evidence: format!("{}=<redacted>", word(7)),
        },
    });
    report.results.push(img);
    let mut sec = ScanResult::new(IMAGE_ENV_TARGET, Class::Secret, "");
    sec.secrets.push(Secret {
        rule_id: word(8).into(),
        category: String::new(),
        severity: Severity::High,
        title: word(9).into(),
        start_line: 0,
        end_line: 0,
        match_text: format!("{}=***", word(7)),
        layer: None,
        removed_in: None,
    });
    report.results.push(sec);
    let trusts = [
        Trust::NotChecked(word(10).into()),
        Trust::Failed(word(11).into()),
    ];
    let mut out = Vec::new();
    for (i, trust) in trusts.into_iter().enumerate() {
        let input = CheckInput {
            workload: CheckWorkload {
                image: word(0).into(),
                source: if i == 0 {
                    WorkloadSource::Run
                } else {
                    WorkloadSource::Compose
                },
                name: spec.name.clone(),
                files: vec![word(12).into()],
            },
            spec: spec.clone(),
            spec_origin: rest.lines().next().unwrap_or("").to_string(),
            spec_lines: i == 1,
            passwd: None,
            report: report.clone(),
            scanners: ScannersRun {
                vuln: true,
                secret: i == 0,
                misconfig: true,
            },
            dockerfile: None,
            trust,
            rule_severity: BTreeMap::new(),
            harden: Some(HardenPlan {
                kind: if i == 0 {
                    SnippetKind::RunFlags
                } else {
                    SnippetKind::ComposeOverride
                },
                text: rest.to_string(),
                settings: Hardened {
                    user: word(13).into(),
                    read_only: true,
                    tmpfs: vec![SpecTmpfs {
                        target: word(14).into(),
                        options: vec!["noexec".into()],
                    }],
                    cap_drop: vec!["ALL".into()],
                    cap_add: vec![word(15).into()],
                    no_new_privileges: true,
                    seccomp: Some(word(1).into()),
                    pids_limit: 1,
                    memory: 1,
                    unprivileged: true,
                },
                warnings: Vec::new(),
                files: Vec::new(),
            }),
            warnings: Vec::new(),
        };
        out.push(crate::build(input));
    }
    out
}
