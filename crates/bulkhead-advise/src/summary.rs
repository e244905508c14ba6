//! The quick view of one image report: vulnerability counts by severity and
//! fixability, the OS and its end-of-life state, the base image, and the
//! most urgent findings.

use crate::base::BaseImage;
use crate::eol::{self, EolStatus};
use bulkhead_types::{Report, Severity, VulnStatus, Vulnerability};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use time::Date;

/// How many findings the quick view lists.
pub const URGENT_COUNT: usize = 5;

/// Findings of one severity, by fix state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Fixability {
    /// A fixed version exists.
    pub fixed: usize,
    /// No fix yet.
    pub affected: usize,
    /// The vendor will not fix it.
    pub will_not_fix: usize,
}

impl Fixability {
    /// All findings of this severity.
    pub fn total(&self) -> usize {
        self.fixed + self.affected + self.will_not_fix
    }

    fn add(&mut self, status: VulnStatus) {
        match status {
            VulnStatus::Fixed => self.fixed += 1,
            VulnStatus::Affected => self.affected += 1,
            VulnStatus::WillNotFix => self.will_not_fix += 1,
        }
    }
}

/// Vulnerability counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Counts {
    /// Every vulnerability finding.
    pub total: usize,
    /// Findings with a fixed version.
    pub fixable: usize,
    /// Per severity (every severity present, most severe first in tables).
    pub by_severity: BTreeMap<Severity, Fixability>,
}

impl Counts {
    /// Count the vulnerabilities of a report.
    pub fn of(report: &Report) -> Counts {
        let mut c = Counts::default();
        for s in Severity::ALL {
            c.by_severity.insert(s, Fixability::default());
        }
        for v in vulnerabilities(report) {
            c.total += 1;
            if v.status == VulnStatus::Fixed {
                c.fixable += 1;
            }
            c.by_severity.entry(v.severity).or_default().add(v.status);
        }
        c
    }

    /// Findings of one severity.
    pub fn at(&self, s: Severity) -> usize {
        self.by_severity.get(&s).map_or(0, Fixability::total)
    }
}

/// Every vulnerability of a report.
pub fn vulnerabilities(report: &Report) -> impl Iterator<Item = &Vulnerability> {
    report.results.iter().flat_map(|r| r.vulnerabilities.iter())
}

/// The OS of the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OsSummary {
    pub family: String,
    pub name: String,
    /// Its support state, when the end-of-life table knows the release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_of_life: Option<EolStatus>,
}

/// One finding in the "most urgent" list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UrgentFinding {
    #[serde(rename = "VulnerabilityID")]
    pub vulnerability_id: String,
    pub pkg_name: String,
    pub installed_version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fixed_version: String,
    pub status: VulnStatus,
    pub severity: Severity,
    #[serde(rename = "KEV")]
    pub kev: bool,
    /// Highest CVSS base score of any source, when known.
    #[serde(rename = "CVSSScore", skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
}

impl UrgentFinding {
    /// The quick view's excerpt of a finding.
    pub fn of(v: &Vulnerability) -> UrgentFinding {
        UrgentFinding {
            vulnerability_id: v.vulnerability_id.clone(),
            pkg_name: v.pkg_name.clone(),
            installed_version: v.installed_version.clone(),
            fixed_version: v.fixed_version.clone(),
            status: v.status,
            severity: v.severity,
            kev: v.kev,
            cvss_score: cvss_score(v),
            title: v.title.clone(),
        }
    }
}

/// The highest CVSS base score (v4.0 or v3.x) of any source.
pub fn cvss_score(v: &Vulnerability) -> Option<f64> {
    v.cvss
        .values()
        .flat_map(|c| [c.v40_score, c.v3_score])
        .flatten()
        .filter(|s| s.is_finite())
        .max_by(f64::total_cmp)
}

/// Urgency order, most urgent first: known exploited (KEV) first, then
/// severity, then fixable before not (a fix can be applied now), then the
/// CVSS score (unknown last); ties by id, package and installed version so
/// the order is stable.
pub fn urgency(a: &Vulnerability, b: &Vulnerability) -> Ordering {
    b.kev
        .cmp(&a.kev)
        .then_with(|| b.severity.cmp(&a.severity))
        .then_with(|| (b.status == VulnStatus::Fixed).cmp(&(a.status == VulnStatus::Fixed)))
        .then_with(|| match (cvss_score(a), cvss_score(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.vulnerability_id.cmp(&b.vulnerability_id))
        .then_with(|| a.pkg_name.cmp(&b.pkg_name))
        .then_with(|| a.installed_version.cmp(&b.installed_version))
}

/// The `n` most urgent findings of a report.
pub fn most_urgent(report: &Report, n: usize) -> Vec<UrgentFinding> {
    let mut all: Vec<&Vulnerability> = vulnerabilities(report).collect();
    all.sort_by(|a, b| urgency(a, b));
    all.into_iter().take(n).map(UrgentFinding::of).collect()
}

/// The quick view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Summary {
    pub artifact_name: String,
    /// The OS, when detected.
    #[serde(rename = "OS", skip_serializing_if = "Option::is_none")]
    pub os: Option<OsSummary>,
    /// The base image, when identified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_image: Option<BaseImage>,
    pub vulnerabilities: Counts,
    /// The most urgent findings (see [`urgency`]).
    pub most_urgent: Vec<UrgentFinding>,
    /// Things the reader should know (from the scan and from here).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Build the quick view of a (filtered) report as of `today`.
pub fn summarize(report: &Report, base_image: Option<BaseImage>, today: Date) -> Summary {
    let os = report.metadata.os.as_ref().map(|o| OsSummary {
        family: o.family.clone(),
        name: o.name.clone(),
        end_of_life: eol::status(o, today),
    });
    Summary {
        artifact_name: report.artifact_name.clone(),
        os,
        base_image,
        vulnerabilities: Counts::of(report),
        most_urgent: most_urgent(report, URGENT_COUNT),
        warnings: report.warnings.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::testutil::{report_with, vuln};
    use bulkhead_types::{Cvss, OsInfo};

    #[test]
    fn urgent_order_kev_severity_fixable_score() {
        let mut v = vec![
            vuln("CVE-LOW-KEV", "a", Severity::Low, VulnStatus::Affected),
            vuln(
                "CVE-CRIT-UNFIXED",
                "b",
                Severity::Critical,
                VulnStatus::Affected,
            ),
            vuln(
                "CVE-CRIT-FIXED-7",
                "c",
                Severity::Critical,
                VulnStatus::Fixed,
            ),
            vuln(
                "CVE-CRIT-FIXED-9",
                "d",
                Severity::Critical,
                VulnStatus::Fixed,
            ),
            vuln("CVE-HIGH", "e", Severity::High, VulnStatus::Fixed),
            vuln(
                "CVE-CRIT-FIXED-NOSCORE",
                "f",
                Severity::Critical,
                VulnStatus::Fixed,
            ),
            vuln("CVE-MED", "g", Severity::Medium, VulnStatus::Fixed),
        ];
        v[0].kev = true;
        let score = |s: f64| {
            BTreeMap::from([(
                "nvd".to_string(),
                Cvss {
                    v3_score: Some(s),
                    ..Cvss::default()
                },
            )])
        };
        v[2].cvss = score(7.5);
        v[3].cvss = score(9.8);
        v[1].cvss = score(10.0);
        let report = report_with(v);
        let ids: Vec<String> = most_urgent(&report, 5)
            .into_iter()
            .map(|u| u.vulnerability_id)
            .collect();
        assert_eq!(
            ids,
            [
                "CVE-LOW-KEV",
                "CVE-CRIT-FIXED-9",
                "CVE-CRIT-FIXED-7",
                "CVE-CRIT-FIXED-NOSCORE",
                "CVE-CRIT-UNFIXED",
            ]
        );
    }

    #[test]
    fn counts_by_severity_and_fixability() {
        let report = report_with(vec![
            vuln("A", "a", Severity::Critical, VulnStatus::Fixed),
            vuln("B", "a", Severity::Critical, VulnStatus::Affected),
            vuln("C", "b", Severity::High, VulnStatus::WillNotFix),
            vuln("D", "b", Severity::Unknown, VulnStatus::Affected),
        ]);
        let c = Counts::of(&report);
        assert_eq!(c.total, 4);
        assert_eq!(c.fixable, 1);
        assert_eq!(c.at(Severity::Critical), 2);
        assert_eq!(c.by_severity[&Severity::High].will_not_fix, 1);
        assert_eq!(c.at(Severity::Low), 0);
        assert_eq!(c.by_severity.len(), 5);
    }

    #[test]
    fn summary_with_eol_as_of_a_fixed_day() {
        let mut report = report_with(vec![vuln("A", "a", Severity::High, VulnStatus::Fixed)]);
        report.metadata.os = Some(OsInfo {
            family: "debian".into(),
            name: "11".into(),
            ..OsInfo::default()
        });
        let s = summarize(&report, None, eol::parse_date("2026-09-01").unwrap());
        let e = s.os.unwrap().end_of_life.unwrap();
        assert_eq!(e.state, eol::EolState::EndOfLife);
        let s = summarize(&report, None, eol::parse_date("2025-01-01").unwrap());
        let e = s.os.unwrap().end_of_life.unwrap();
        assert_eq!(e.state, eol::EolState::SecurityOnly);
        assert_eq!(s.most_urgent.len(), 1);
    }
}
