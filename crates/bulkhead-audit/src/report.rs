//! Turning check outcomes into the shared report model, and comparing with a
//! baseline report (drift).

use crate::checks::{self, Check, Outcome, Target};
use crate::snapshot::Snapshot;
use bulkhead_types::{
    ArtifactType, CauseMetadata, Class, Mappings, MisconfStatus, Misconfiguration, Report,
    ScanResult,
};
use std::collections::BTreeMap;

/// One misconfiguration from a check and its outcome.
pub fn misconfiguration(check: &Check, outcome: &Outcome) -> Misconfiguration {
    let v = &outcome.verdict;
    Misconfiguration {
        id: check.id.to_string(),
        mappings: Mappings {
            cis: check.cis.to_string(),
            ..Default::default()
        },
        title: check.title.to_string(),
        description: check.description.to_string(),
        message: if v.message.is_empty() {
            check.title.to_string()
        } else {
            v.message.clone()
        },
        resolution: check.resolution.to_string(),
        severity: check.severity,
        status: v.status,
        cause_metadata: CauseMetadata {
            start_line: None,
            end_line: None,
            evidence: v.evidence.clone(),
        },
    }
}

/// Run the selected checks over a snapshot and build the report: one result
/// per target (`docker-host`, `docker-daemon`, each image, each container),
/// class `audit`.
pub fn build_report<'a>(
    snap: &Snapshot,
    selected: impl IntoIterator<Item = &'a Check>,
    artifact_name: &str,
) -> Report {
    let outcomes = checks::run(snap, selected);
    let mut by_target: BTreeMap<Target, Vec<Misconfiguration>> = BTreeMap::new();
    for (check, o) in &outcomes {
        by_target
            .entry(o.target.clone())
            .or_default()
            .push(misconfiguration(check, o));
    }
    let mut report = Report::new(artifact_name, ArtifactType::DockerHost);
    for (target, list) in by_target {
        let mut r = ScanResult::new(target.name(), Class::Audit, target.kind());
        r.misconfigurations = list;
        report.results.push(r);
    }
    report.warnings = snap.warnings.clone();
    report
}

/// How one (target, check) changed since the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub target: String,
    pub id: String,
    pub before: Option<MisconfStatus>,
    pub after: Option<MisconfStatus>,
}

fn status_name(s: Option<MisconfStatus>) -> &'static str {
    match s {
        None => "absent",
        Some(MisconfStatus::Pass) => "PASS",
        Some(MisconfStatus::Fail) => "FAIL",
        Some(MisconfStatus::Warn) => "WARN",
        Some(MisconfStatus::Info) => "INFO",
        Some(MisconfStatus::Note) => "NOTE",
    }
}

/// Keep only what drifted from `baseline` in `report`: results whose status
/// or evidence changed, new ones, and ones that disappeared (kept as INFO).
/// Each kept entry's message starts with `drift: BEFORE -> AFTER`.
pub fn apply_baseline(report: &mut Report, baseline: &Report) -> Vec<Drift> {
    let mut before: BTreeMap<(String, String), Misconfiguration> = BTreeMap::new();
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    for r in &baseline.results {
        kinds.insert(r.target.clone(), r.kind.clone());
        for m in &r.misconfigurations {
            before.insert((r.target.clone(), m.id.clone()), m.clone());
        }
    }
    let mut drifts = Vec::new();
    for r in &mut report.results {
        let target = r.target.clone();
        r.misconfigurations.retain_mut(|m| {
            let key = (target.clone(), m.id.clone());
            let old = before.remove(&key);
            let changed = match &old {
                None => true,
                Some(o) => {
                    o.status != m.status || o.cause_metadata.evidence != m.cause_metadata.evidence
                }
            };
            if changed {
                let was = old.as_ref().map(|o| o.status);
                m.message = format!(
                    "drift: {} -> {}{}: {}",
                    status_name(was),
                    status_name(Some(m.status)),
                    old.as_ref()
                        .filter(|o| o.cause_metadata.evidence != m.cause_metadata.evidence)
                        .map(|o| format!(" (was: {})", o.cause_metadata.evidence))
                        .unwrap_or_default(),
                    m.message
                );
                drifts.push(Drift {
                    target: target.clone(),
                    id: m.id.clone(),
                    before: was,
                    after: Some(m.status),
                });
            }
            changed
        });
    }
    // Gone since the baseline: report them as INFO on their old target.
    for ((target, _), mut m) in before {
        drifts.push(Drift {
            target: target.clone(),
            id: m.id.clone(),
            before: Some(m.status),
            after: None,
        });
        m.message = format!(
            "drift: {} -> absent: {}",
            status_name(Some(m.status)),
            m.title
        );
        m.status = MisconfStatus::Info;
        match report.results.iter_mut().find(|r| r.target == target) {
            Some(r) => r.misconfigurations.push(m),
            None => {
                let kind = kinds.get(&target).cloned().unwrap_or_default();
                let mut r = ScanResult::new(target, Class::Audit, kind);
                r.misconfigurations.push(m);
                report.results.push(r);
            }
        }
    }
    report.results.retain(|r| !r.misconfigurations.is_empty());
    drifts
}

/// The checks to run: those `only` selects (all when empty), minus those
/// `skip` selects (CIS ids, sections or Bulkhead ids, as
/// [`Check::selected_by`] reads them).
pub fn select_checks(only: &[String], skip: &[String]) -> Vec<&'static Check> {
    checks::all()
        .filter(|c| only.is_empty() || only.iter().any(|s| c.selected_by(s)))
        .filter(|c| !skip.iter().any(|s| c.selected_by(s)))
        .collect()
}

/// Error reading a baseline for [`apply_baseline`].
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read baseline {0}")]
    Read(String, #[source] std::io::Error),
    /// The file is not a JSON report.
    #[error(
        "baseline {0} is not a JSON report: produce it with `bulkhead audit --format json -o FILE`"
    )]
    Parse(String, #[source] serde_json::Error),
}

/// Read an earlier `bulkhead audit --format json` report.
pub fn read_baseline(path: &std::path::Path) -> Result<Report, BaselineError> {
    let shown = || path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read(shown(), e))?;
    serde_json::from_str(&text).map_err(|e| BaselineError::Parse(shown(), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_types::Severity;

    fn m(id: &str, status: MisconfStatus, ev: &str) -> Misconfiguration {
        Misconfiguration {
            id: id.into(),
            mappings: Mappings::default(),
            title: id.into(),
            description: String::new(),
            message: id.into(),
            resolution: String::new(),
            severity: Severity::Low,
            status,
            cause_metadata: CauseMetadata {
                evidence: ev.into(),
                ..Default::default()
            },
        }
    }

    fn rep(items: Vec<(&str, Misconfiguration)>) -> Report {
        let mut r = Report::new("host", ArtifactType::DockerHost);
        for (t, mis) in items {
            match r.results.iter_mut().find(|x| x.target == t) {
                Some(x) => x.misconfigurations.push(mis),
                None => {
                    let mut x = ScanResult::new(t, Class::Audit, "container");
                    x.misconfigurations.push(mis);
                    r.results.push(x);
                }
            }
        }
        r
    }

    #[test]
    fn drift_detects_changes_new_and_gone() {
        let base = rep(vec![
            (
                "a",
                m(
                    "AUDIT-5.5",
                    MisconfStatus::Pass,
                    "HostConfig.Privileged=false",
                ),
            ),
            (
                "a",
                m("AUDIT-5.11", MisconfStatus::Warn, "HostConfig.Memory=0"),
            ),
            ("old", m("AUDIT-5.5", MisconfStatus::Pass, "x")),
        ]);
        let mut now = rep(vec![
            (
                "a",
                m(
                    "AUDIT-5.5",
                    MisconfStatus::Warn,
                    "HostConfig.Privileged=true",
                ),
            ),
            (
                "a",
                m("AUDIT-5.11", MisconfStatus::Warn, "HostConfig.Memory=0"),
            ),
            ("new", m("AUDIT-5.5", MisconfStatus::Pass, "y")),
        ]);
        let d = apply_baseline(&mut now, &base);
        assert_eq!(d.len(), 3);
        let a = now.results.iter().find(|r| r.target == "a").unwrap();
        assert_eq!(a.misconfigurations.len(), 1);
        assert!(
            a.misconfigurations[0]
                .message
                .starts_with("drift: PASS -> WARN")
        );
        let old = now.results.iter().find(|r| r.target == "old").unwrap();
        assert_eq!(old.misconfigurations[0].status, MisconfStatus::Info);
        assert!(now.results.iter().any(|r| r.target == "new"));
    }

    #[test]
    fn no_drift_is_empty() {
        let base = rep(vec![("a", m("AUDIT-5.5", MisconfStatus::Pass, "e"))]);
        let mut now = base.clone();
        assert!(apply_baseline(&mut now, &base).is_empty());
        assert!(now.results.is_empty());
    }
}
