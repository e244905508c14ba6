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
    /// `--fail-on-kev`: exit 1 when any known-exploited vulnerability
    /// remains after ignores, whatever its severity and whether shown or not.
    pub fail_on_kev: bool,
    /// `--epss-threshold P`: exit 1 when any vulnerability that remains
    /// after ignores has an EPSS score ≥ P.
    pub epss_threshold: Option<f64>,
}

/// What filtering did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterOutcome {
    /// Findings still shown.
    pub shown: usize,
    /// Highest severity among findings that remain after ignores (shown or hidden by severity).
    pub max_after_ignores: Option<Severity>,
    /// Known-exploited vulnerabilities that remain after ignores.
    pub kev_after_ignores: usize,
    /// Highest EPSS score among vulnerabilities that remain after ignores.
    pub max_epss_after_ignores: Option<f64>,
    /// UNKNOWN findings that remain after ignores, and of those the known
    /// exploited ones: a severity gate cannot see them.
    pub unknown_after_ignores: usize,
    pub unknown_kev_after_ignores: usize,
    /// UNKNOWN vulnerabilities hidden by `--severity` (and of those KEV).
    pub hidden_unknown: usize,
    pub hidden_unknown_kev: usize,
}

impl ExitPolicy {
    /// The process exit code for a filtered report.
    pub fn exit_code(&self, outcome: &FilterOutcome) -> i32 {
        if let (Some(threshold), Some(max)) = (self.fail_on, outcome.max_after_ignores)
            && max >= threshold
        {
            return 1;
        }
        if self.fail_on_kev && outcome.kev_after_ignores > 0 {
            return 1;
        }
        if let (Some(p), Some(max)) = (self.epss_threshold, outcome.max_epss_after_ignores)
            && max >= p
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

impl ExitPolicy {
    /// Whether a severity gate is set (`--exit-code` or `--fail-on`).
    fn severity_gate(&self) -> bool {
        self.exit_code.is_some() || self.fail_on.is_some()
    }

    /// The warning to print when a severity gate cannot see some findings:
    /// UNKNOWN findings hidden by `--severity` (for `--exit-code`) or below
    /// any `--fail-on` threshold, counting the known-exploited ones.
    pub fn blind_spot_warning(&self, outcome: &FilterOutcome) -> Option<String> {
        if !self.severity_gate() {
            return None;
        }
        if self.fail_on == Some(Severity::Unknown) {
            // Every finding is at or above UNKNOWN: nothing slips through.
            return None;
        }
        let (n, k, how) = if self.fail_on.is_some() {
            (
                outcome.unknown_after_ignores,
                outcome.unknown_kev_after_ignores,
                "below --fail-on",
            )
        } else {
            (
                outcome.hidden_unknown,
                outcome.hidden_unknown_kev,
                "hidden by --severity",
            )
        };
        if n == 0 {
            return None;
        }
        let fix = if self.fail_on_kev {
            "rate them with `bulkhead db update` (CVSS, EPSS)"
        } else {
            "rate them with `bulkhead db update` (CVSS, EPSS) or add --fail-on-kev"
        };
        Some(format!(
            "{n} finding(s) of UNKNOWN severity ({k} in KEV, known exploited) were {how}: the gate did not see them; {fix}"
        ))
    }
}

impl FilterOutcome {
    /// What the gates see of a list of vulnerabilities that all remain
    /// (`bulkhead diff`'s introduced findings), with `shown` severities.
    pub fn of_vulnerabilities<'a>(
        vulns: impl IntoIterator<Item = &'a bulkhead_types::Vulnerability>,
        shown: Option<&[Severity]>,
    ) -> FilterOutcome {
        let mut o = FilterOutcome::default();
        for v in vulns {
            o.max_after_ignores = Some(
                o.max_after_ignores
                    .map_or(v.severity, |m| m.max(v.severity)),
            );
            o.kev_after_ignores += usize::from(v.kev);
            if let Some(e) = &v.epss {
                let m = o.max_epss_after_ignores.get_or_insert(e.score);
                *m = m.max(e.score);
            }
            let unknown = v.severity == Severity::Unknown;
            if unknown {
                o.unknown_after_ignores += 1;
                o.unknown_kev_after_ignores += usize::from(v.kev);
            }
            if shown.is_none_or(|s| s.contains(&v.severity)) {
                o.shown += 1;
            } else if unknown {
                o.hidden_unknown += 1;
                o.hidden_unknown_kev += usize::from(v.kev);
            }
        }
        o
    }
}

impl Filter {
    /// Whether an ignore rule in force names `id` or one of `aliases` for `target`.
    pub(crate) fn ignored(&self, id: &str, aliases: &[String], target: &str) -> bool {
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

    /// Whether `--severity` shows `sev`.
    pub(crate) fn shows(&self, sev: Severity) -> bool {
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
            let unknown = v.severity == Severity::Unknown;
            if v.kev {
                outcome.kev_after_ignores += 1;
            }
            if let Some(e) = &v.epss {
                let m = outcome.max_epss_after_ignores.get_or_insert(e.score);
                *m = m.max(e.score);
            }
            if unknown {
                outcome.unknown_after_ignores += 1;
                outcome.unknown_kev_after_ignores += usize::from(v.kev);
            }
            if !filter.shows(v.severity) {
                summary.hidden_by_severity += 1;
                if unknown {
                    outcome.hidden_unknown += 1;
                    outcome.hidden_unknown_kev += usize::from(v.kev);
                }
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
    summary.hidden_unknown = outcome.hidden_unknown;
    summary.hidden_unknown_kev = outcome.hidden_unknown_kev;
    // Suppressed by VEX (`crate::vex::apply_vex`): listed, never shown as
    // findings, never seen by the exit policy.
    summary.suppressed = crate::vex::suppressed_count(&report.results);
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
            fail_on: Some(Severity::High),
            ..ExitPolicy::default()
        };
        assert_eq!(
            pol.exit_code(&out),
            1,
            "fail-on looks at hidden findings too"
        );
        let pol = ExitPolicy {
            exit_code: Some(5),
            ..ExitPolicy::default()
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
                ..ExitPolicy::default()
            }
            .exit_code(&out),
            1
        );
        assert_eq!(ExitPolicy::default().exit_code(&out), 0);
    }

    fn vuln(
        id: &str,
        sev: Severity,
        kev: bool,
        epss: Option<f64>,
    ) -> bulkhead_types::Vulnerability {
        bulkhead_types::Vulnerability {
            vulnerability_id: id.into(),
            severity: sev,
            kev,
            epss: epss.map(|score| bulkhead_types::Epss {
                score,
                percentile: 0.9,
                date: String::new(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn kev_and_epss_gates_and_hidden_unknown() {
        let mut r = Report::new("img", ArtifactType::ContainerImage);
        let mut res = ScanResult::new("img (debian 10)", Class::OsPkgs, "debian");
        res.vulnerabilities = vec![
            vuln("CVE-1", Severity::Unknown, true, Some(0.97)),
            vuln("CVE-2", Severity::Unknown, false, None),
            vuln("CVE-3", Severity::Low, false, Some(0.02)),
        ];
        r.results.push(res);
        let f = Filter {
            severities: Some(vec![Severity::High, Severity::Critical]),
            ..Default::default()
        };
        let out = apply(&mut r, &f);
        assert_eq!(out.shown, 0);
        let s = r.summary.clone().unwrap();
        assert_eq!(
            (s.hidden_by_severity, s.hidden_unknown, s.hidden_unknown_kev),
            (3, 2, 1)
        );
        // The severity gates pass, and say what they could not see.
        let gate = ExitPolicy {
            exit_code: Some(1),
            ..ExitPolicy::default()
        };
        assert_eq!(gate.exit_code(&out), 0);
        let w = gate.blind_spot_warning(&out).unwrap();
        assert!(
            w.starts_with("2 finding(s) of UNKNOWN severity (1 in KEV"),
            "{w}"
        );
        let fail_on = ExitPolicy {
            fail_on: Some(Severity::High),
            ..ExitPolicy::default()
        };
        assert_eq!(fail_on.exit_code(&out), 0);
        assert!(
            fail_on
                .blind_spot_warning(&out)
                .unwrap()
                .contains("below --fail-on")
        );
        assert!(ExitPolicy::default().blind_spot_warning(&out).is_none());
        // KEV and EPSS gates see hidden findings.
        let kev = ExitPolicy {
            fail_on_kev: true,
            ..ExitPolicy::default()
        };
        assert_eq!(kev.exit_code(&out), 1);
        let epss = |p| ExitPolicy {
            epss_threshold: Some(p),
            ..ExitPolicy::default()
        };
        assert_eq!(epss(0.97).exit_code(&out), 1);
        assert_eq!(epss(0.98).exit_code(&out), 0);
    }
}
