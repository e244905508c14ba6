//! Orders of vulnerability findings (`--sort-by`). The table defaults to
//! risk; JSON keeps the matcher's stable order (package, version, id) unless
//! an order is asked for.

use bulkhead_types::{Report, Vulnerability};
use std::cmp::Ordering;

/// A `--sort-by` key. Every order ends with package, version and id, so it
/// is total and the same on every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Risk score, highest first ([`bulkhead_types::rating::risk`]).
    Risk,
    /// Severity, then CVSS score, highest first.
    Severity,
    /// EPSS probability, highest first.
    Epss,
    /// Known exploited first (ransomware use before other KEV, earlier
    /// catalogue date first), then risk.
    Kev,
    /// Package name, version, id.
    Package,
    /// Vulnerability id (CVE year and number in numeric order).
    Id,
}

impl SortBy {
    /// The names `--sort-by` accepts.
    pub const NAMES: &'static str = "risk, severity, epss, kev, package, id";

    /// Parse a `--sort-by` value.
    pub fn parse(s: &str) -> Option<SortBy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "risk" => Some(SortBy::Risk),
            "severity" => Some(SortBy::Severity),
            "epss" => Some(SortBy::Epss),
            "kev" => Some(SortBy::Kev),
            "package" | "pkg" => Some(SortBy::Package),
            "id" | "vulnerability" => Some(SortBy::Id),
            _ => None,
        }
    }
}

fn by_package(a: &Vulnerability, b: &Vulnerability) -> Ordering {
    (&a.pkg_name, &a.installed_version, &a.pkg_id)
        .cmp(&(&b.pkg_name, &b.installed_version, &b.pkg_id))
        .then_with(|| by_id(a, b))
}

/// `CVE-2021-3156` < `CVE-2021-23239`: numeric parts compare as numbers.
fn by_id(a: &Vulnerability, b: &Vulnerability) -> Ordering {
    fn key(id: &str) -> Vec<(u64, &str)> {
        id.split('-')
            .map(|p| match p.parse::<u64>() {
                Ok(n) => (n, ""),
                Err(_) => (0, p),
            })
            .collect()
    }
    key(&a.vulnerability_id)
        .cmp(&key(&b.vulnerability_id))
        .then_with(|| a.vulnerability_id.cmp(&b.vulnerability_id))
}

fn desc(a: f64, b: f64) -> Ordering {
    b.total_cmp(&a)
}

fn by_risk(a: &Vulnerability, b: &Vulnerability) -> Ordering {
    desc(a.risk_score(), b.risk_score()).then_with(|| by_severity(a, b))
}

fn by_severity(a: &Vulnerability, b: &Vulnerability) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| desc(a.security_severity(), b.security_severity()))
        .then_with(|| b.kev.cmp(&a.kev))
        .then_with(|| desc(a.epss_score(), b.epss_score()))
        .then_with(|| by_package(a, b))
}

fn kev_key(v: &Vulnerability) -> (bool, bool) {
    let r = v.kev_detail.as_ref().is_some_and(|k| k.ransomware);
    (v.kev, r)
}

/// Compare two findings in the order of `key`.
pub fn compare(key: SortBy, a: &Vulnerability, b: &Vulnerability) -> Ordering {
    match key {
        SortBy::Risk => by_risk(a, b),
        SortBy::Severity => by_severity(a, b),
        SortBy::Epss => desc(a.epss_score(), b.epss_score()).then_with(|| by_risk(a, b)),
        SortBy::Kev => kev_key(b)
            .cmp(&kev_key(a))
            .then_with(|| {
                let date = |v: &Vulnerability| {
                    v.kev_detail
                        .as_ref()
                        .map(|k| k.date_added.clone())
                        .filter(|d| !d.is_empty())
                };
                // Earlier in the catalogue first; no date last.
                match (date(a), date(b)) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            })
            .then_with(|| by_risk(a, b)),
        SortBy::Package => by_package(a, b),
        SortBy::Id => by_id(a, b).then_with(|| by_package(a, b)),
    }
}

/// Sort every result's vulnerabilities by `key`.
pub fn sort_report(report: &mut Report, key: SortBy) {
    for r in &mut report.results {
        r.vulnerabilities.sort_by(|a, b| compare(key, a, b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_types::{Cvss, Epss, KevDetail, Severity};

    fn v(id: &str, pkg: &str, sev: Severity, score: f64, epss: f64, kev: bool) -> Vulnerability {
        let mut v = Vulnerability {
            vulnerability_id: id.into(),
            pkg_name: pkg.into(),
            severity: sev,
            severity_source: "nvd".into(),
            kev,
            epss: Some(Epss {
                score: epss,
                percentile: 0.5,
                date: String::new(),
            }),
            ..Vulnerability::default()
        };
        v.cvss.insert(
            "nvd".into(),
            Cvss {
                v3_score: Some(score),
                ..Cvss::default()
            },
        );
        if kev {
            v.kev_detail = Some(KevDetail {
                date_added: "2022-01-01".into(),
                ransomware: false,
            });
        }
        v
    }

    fn ids(list: &[Vulnerability]) -> Vec<&str> {
        list.iter().map(|v| v.vulnerability_id.as_str()).collect()
    }

    #[test]
    fn orders() {
        let mut list = vec![
            v("CVE-2021-23239", "sudo", Severity::Low, 2.5, 0.001, false),
            v("CVE-2022-0778", "libssl", Severity::High, 7.5, 0.7, false),
            v("CVE-2099-1", "zlib", Severity::Critical, 9.8, 0.001, false),
            v("CVE-2021-3156", "sudo", Severity::High, 7.8, 0.2, true),
        ];
        list.sort_by(|a, b| compare(SortBy::Risk, a, b));
        assert_eq!(
            ids(&list),
            [
                "CVE-2021-3156",
                "CVE-2022-0778",
                "CVE-2099-1",
                "CVE-2021-23239"
            ]
        );
        list.sort_by(|a, b| compare(SortBy::Severity, a, b));
        assert_eq!(
            ids(&list),
            [
                "CVE-2099-1",
                "CVE-2021-3156",
                "CVE-2022-0778",
                "CVE-2021-23239"
            ]
        );
        list.sort_by(|a, b| compare(SortBy::Epss, a, b));
        assert_eq!(ids(&list)[0], "CVE-2022-0778");
        list.sort_by(|a, b| compare(SortBy::Kev, a, b));
        assert_eq!(ids(&list)[0], "CVE-2021-3156");
        list.sort_by(|a, b| compare(SortBy::Id, a, b));
        assert_eq!(
            ids(&list),
            [
                "CVE-2021-3156",
                "CVE-2021-23239",
                "CVE-2022-0778",
                "CVE-2099-1"
            ]
        );
        list.sort_by(|a, b| compare(SortBy::Package, a, b));
        assert_eq!(
            ids(&list),
            [
                "CVE-2022-0778",
                "CVE-2021-3156",
                "CVE-2021-23239",
                "CVE-2099-1"
            ]
        );
        assert_eq!(SortBy::parse("EPSS"), Some(SortBy::Epss));
        assert_eq!(SortBy::parse("nope"), None);
    }
}
