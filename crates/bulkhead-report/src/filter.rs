//! Severity filters, ignore rules and exit-code policy (contract: "Severity,
//! filters, exit codes").

use bulkhead_types::{MisconfStatus, Report, ReportSummary, Severity, VulnStatus};

/// One ignore rule: a finding id, optionally limited to paths/targets, with
/// an optional expiry date (`YYYY-MM-DD`, ignored from that day on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub id: String,
    pub paths: Vec<String>,
    pub expires: Option<String>,
}

/// What the user asked to hide.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Severities to show; `None` shows all.
    pub severities: Option<Vec<Severity>>,
    /// Hide vulnerabilities without a fixed version.
    pub ignore_unfixed: bool,
    /// Ignore rules (from `--ignorefile`, `bulkhead.toml`, inline).
    pub ignores: Vec<IgnoreRule>,
    /// Today's date as `YYYY-MM-DD`, for rule expiry.
    pub today: String,
}

/// When to fail.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExitPolicy {
    /// `--exit-code N`: exit N when any shown finding remains.
    pub exit_code: Option<i32>,
    /// `--fail-on SEV`: exit 1 when any finding at or above SEV remains after
    /// ignores, whether shown or not.
    pub fail_on: Option<Severity>,
}

/// What filtering did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterOutcome {
    /// Findings still shown.
    pub shown: usize,
    /// Highest severity among findings that remain after ignores (shown or hidden by severity).
    pub max_after_ignores: Option<Severity>,
}

impl ExitPolicy {
    /// The process exit code for a filtered report.
    pub fn exit_code(&self, outcome: &FilterOutcome) -> i32 {
        if let (Some(threshold), Some(max)) = (self.fail_on, outcome.max_after_ignores)
            && max >= threshold
        {
            return 1;
        }
        if let Some(code) = self.exit_code
            && outcome.shown > 0
        {
            return code;
        }
        0
    }
}

impl Filter {
    fn ignored(&self, id: &str, aliases: &[String], target: &str) -> bool {
        self.ignores.iter().any(|rule| {
            let id_hit = rule.id.eq_ignore_ascii_case(id)
                || aliases.iter().any(|a| rule.id.eq_ignore_ascii_case(a));
            let path_hit = rule.paths.is_empty()
                || rule.paths.iter().any(|p| {
                    target == p || target.starts_with(&format!("{}/", p.trim_end_matches('/')))
                });
            let live = match &rule.expires {
                Some(date) => self.today.is_empty() || self.today.as_str() < date.as_str(),
                None => true,
            };
            id_hit && path_hit && live
        })
    }

    fn shows(&self, sev: Severity) -> bool {
        self.severities
            .as_ref()
            .is_none_or(|list| list.contains(&sev))
    }
}

/// Apply `filter` to `report` in place, fill `report.summary`, and say what
/// remains. PASS results of checks are kept for display but never count as
/// findings.
pub fn apply(report: &mut Report, filter: &Filter) -> FilterOutcome {
    let mut summary = ReportSummary::default();
    let mut outcome = FilterOutcome::default();
    let note = |sev: Severity, outcome: &mut FilterOutcome| {
        outcome.max_after_ignores = Some(outcome.max_after_ignores.map_or(sev, |m| m.max(sev)));
    };
    for result in &mut report.results {
        let target = result.target.clone();
        result.vulnerabilities.retain(|v| {
            if filter.ignored(&v.vulnerability_id, &v.aliases, &target)
                || (filter.ignore_unfixed && v.status != VulnStatus::Fixed)
            {
                summary.ignored += 1;
                return false;
            }
            note(v.severity, &mut outcome);
            if !filter.shows(v.severity) {
                summary.hidden_by_severity += 1;
                return false;
            }
            true
        });
        result.secrets.retain(|s| {
            if filter.ignored(&s.rule_id, &[], &target) {
                summary.ignored += 1;
                return false;
            }
            note(s.severity, &mut outcome);
            if !filter.shows(s.severity) {
                summary.hidden_by_severity += 1;
                return false;
            }
            true
        });
        result.misconfigurations.retain(|m| {
            let aliases: Vec<String> = [
                &m.mappings.cis,
                &m.mappings.hadolint,
                &m.mappings.trivy,
                &m.mappings.dockle,
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
            if filter.ignored(&m.id, &aliases, &target) {
                summary.ignored += 1;
                return false;
            }
            let counts = matches!(m.status, MisconfStatus::Fail | MisconfStatus::Warn);
            if counts {
                note(m.severity, &mut outcome);
            }
            if !filter.shows(m.severity) {
                if counts {
                    summary.hidden_by_severity += 1;
                }
                return false;
            }
            true
        });
        for sev in result
            .vulnerabilities
            .iter()
            .map(|v| v.severity)
            .chain(result.secrets.iter().map(|s| s.severity))
            .chain(
                result
                    .misconfigurations
                    .iter()
                    .filter(|m| matches!(m.status, MisconfStatus::Fail | MisconfStatus::Warn))
                    .map(|m| m.severity),
            )
        {
            *summary
                .by_severity
                .entry(sev.as_str().to_string())
                .or_default() += 1;
            if sev == Severity::Unknown {
                summary.unknown_severity += 1;
            }
            outcome.shown += 1;
        }
    }
    report.summary = Some(summary);
    outcome
}

/// Parse Trivy's `.trivyignore` format: one id per line, `#` comments, and
/// Bulkhead's optional `exp:YYYY-MM-DD` suffix (Trivy's own syntax).
pub fn parse_trivyignore(text: &str) -> Vec<IgnoreRule> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                return None;
            }
            let mut parts = line.split_whitespace();
            let id = parts.next()?.to_string();
            let mut expires = None;
            for part in parts {
                if let Some(date) = part.strip_prefix("exp:") {
                    expires = Some(date.to_string());
                }
            }
            Some(IgnoreRule {
                id,
                paths: Vec::new(),
                expires,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_types::{ArtifactType, Class, Misconfiguration, ScanResult};

    fn mis(id: &str, sev: Severity, status: MisconfStatus) -> Misconfiguration {
        Misconfiguration {
            id: id.into(),
            mappings: Default::default(),
            title: id.into(),
            description: String::new(),
            message: String::new(),
            resolution: String::new(),
            severity: sev,
            status,
            cause_metadata: Default::default(),
        }
    }

    fn report() -> Report {
        let mut r = Report::new("x", ArtifactType::Config);
        let mut res = ScanResult::new("Dockerfile", Class::Config, "dockerfile");
        res.misconfigurations
            .push(mis("A", Severity::High, MisconfStatus::Fail));
        res.misconfigurations
            .push(mis("B", Severity::Low, MisconfStatus::Fail));
        res.misconfigurations
            .push(mis("C", Severity::Critical, MisconfStatus::Pass));
        r.results.push(res);
        r
    }

    #[test]
    fn severity_filter_counts_hidden_and_fail_on_sees_hidden() {
        let mut r = report();
        let f = Filter {
            severities: Some(vec![Severity::Low]),
            ..Default::default()
        };
        let out = apply(&mut r, &f);
        assert_eq!(out.shown, 1);
        let s = r.summary.clone().unwrap();
        assert_eq!(s.hidden_by_severity, 1);
        let pol = ExitPolicy {
            exit_code: None,
            fail_on: Some(Severity::High),
        };
        assert_eq!(
            pol.exit_code(&out),
            1,
            "fail-on looks at hidden findings too"
        );
        let pol = ExitPolicy {
            exit_code: Some(5),
            fail_on: None,
        };
        assert_eq!(pol.exit_code(&out), 5);
    }

    #[test]
    fn ignores_and_expiry() {
        let rules = parse_trivyignore("# c\nA exp:2000-01-01\nB\n\n");
        assert_eq!(rules.len(), 2);
        let mut r = report();
        let f = Filter {
            ignores: rules,
            today: "2026-01-01".into(),
            ..Default::default()
        };
        let out = apply(&mut r, &f);
        assert_eq!(out.shown, 1, "A's rule expired, B is ignored");
        assert_eq!(r.summary.unwrap().ignored, 1);
        assert_eq!(
            ExitPolicy {
                exit_code: Some(1),
                fail_on: None
            }
            .exit_code(&out),
            1
        );
        assert_eq!(ExitPolicy::default().exit_code(&out), 0);
    }
}
