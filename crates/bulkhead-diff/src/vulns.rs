//! The vulnerability delta between two reports.

use bulkhead_types::{Class, Report, ScanResult, Severity, Vulnerability};
use serde::Serialize;
use std::collections::BTreeMap;

/// What identifies "the same finding" in both images, whatever the installed
/// version: the advisory id, the package name (PEP 503-normalised for Python
/// packages, like the package delta) and the kind of package database it
/// was found in. The result target is left out on purpose: for
/// OS packages it embeds the image name and OS version, which differ between
/// the two images being compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VulnKey {
    /// `VulnerabilityID` (CVE when known, else the advisory id).
    pub id: String,
    /// `PkgName` (PEP 503-normalised for `pkg:pypi` packages).
    pub pkg: String,
    /// Result class (`os-pkgs`, `lang-pkgs`).
    pub class: String,
    /// Result type (`debian`, `python-pkg`, …).
    pub kind: String,
}

impl VulnKey {
    /// The key of a vulnerability found in `result`.
    pub fn of(result: &ScanResult, v: &Vulnerability) -> VulnKey {
        VulnKey {
            id: v.vulnerability_id.clone(),
            pkg: if v.pkg_identifier.purl.starts_with("pkg:pypi/") {
                crate::packages::pep503(&v.pkg_name)
            } else {
                v.pkg_name.clone()
            },
            class: class_name(result.class).to_string(),
            kind: result.kind.clone(),
        }
    }
}

pub(crate) fn class_name(c: Class) -> &'static str {
    match c {
        Class::OsPkgs => "os-pkgs",
        Class::LangPkgs => "lang-pkgs",
        Class::Secret => "secret",
        Class::Config => "config",
        Class::Audit => "audit",
    }
}

/// Vulnerabilities fixed (in `before` only) and introduced (in `after` only).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VulnDelta {
    /// Findings of `before` that `after` no longer has (as `before` reported
    /// them), most severe first.
    pub fixed: Vec<Vulnerability>,
    /// Findings of `after` that `before` did not have (as `after` reports
    /// them), most severe first.
    pub introduced: Vec<Vulnerability>,
    /// Findings present in both.
    pub unchanged: usize,
}

impl VulnDelta {
    /// Fixed findings counted by severity.
    pub fn fixed_by_severity(&self) -> BTreeMap<Severity, usize> {
        by_severity(&self.fixed)
    }

    /// Introduced findings counted by severity.
    pub fn introduced_by_severity(&self) -> BTreeMap<Severity, usize> {
        by_severity(&self.introduced)
    }
}

fn by_severity(v: &[Vulnerability]) -> BTreeMap<Severity, usize> {
    let mut m = BTreeMap::new();
    for x in v {
        *m.entry(x.severity).or_insert(0) += 1;
    }
    m
}

/// Every vulnerability of a report, grouped by key. The same key can occur
/// more than once (the same library in two places); groups are compared as
/// multisets.
fn grouped(report: &Report) -> BTreeMap<VulnKey, Vec<&Vulnerability>> {
    let mut m: BTreeMap<VulnKey, Vec<&Vulnerability>> = BTreeMap::new();
    for r in &report.results {
        for v in &r.vulnerabilities {
            m.entry(VulnKey::of(r, v)).or_default().push(v);
        }
    }
    m
}

/// Sort most severe first, then by id and package for a stable order.
pub(crate) fn sort_vulns(v: &mut [Vulnerability]) {
    v.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.vulnerability_id.cmp(&b.vulnerability_id))
            .then_with(|| a.pkg_name.cmp(&b.pkg_name))
            .then_with(|| a.installed_version.cmp(&b.installed_version))
    });
}

/// The findings of `xs` that no finding of `ys` accounts for. Findings at
/// the same installed version pair first (the copy that went away is the
/// one reported), then any others.
fn unpaired<'a>(xs: &[&'a Vulnerability], ys: &[&Vulnerability]) -> Vec<&'a Vulnerability> {
    // Partners by installed version (counted: groups can be large, e.g. one
    // library copied many times under node_modules).
    let mut partners: BTreeMap<&str, usize> = BTreeMap::new();
    for y in ys {
        *partners.entry(y.installed_version.as_str()).or_default() += 1;
    }
    let mut spare = ys.len();
    let mut left = Vec::new();
    for x in xs {
        match partners.get_mut(x.installed_version.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                spare -= 1;
            }
            _ => left.push(*x),
        }
    }
    // The rest pair with the partners left (another version, same finding).
    left.split_off(spare.min(left.len()))
}

/// The vulnerability delta from `before` to `after`.
pub fn vuln_delta(before: &Report, after: &Report) -> VulnDelta {
    let a = grouped(before);
    let b = grouped(after);
    let none: Vec<&Vulnerability> = Vec::new();
    let mut delta = VulnDelta::default();
    for (key, va) in &a {
        let vb = b.get(key).unwrap_or(&none);
        let gone = unpaired(va, vb);
        delta.unchanged += va.len() - gone.len();
        delta.fixed.extend(gone.into_iter().cloned());
    }
    for (key, vb) in &b {
        let va = a.get(key).unwrap_or(&none);
        delta
            .introduced
            .extend(unpaired(vb, va).into_iter().cloned());
    }
    sort_vulns(&mut delta.fixed);
    sort_vulns(&mut delta.introduced);
    delta
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::{ArtifactType, PkgIdentifier, VulnStatus};

    fn vuln(id: &str, pkg: &str, ver: &str, sev: Severity) -> Vulnerability {
        Vulnerability {
            vulnerability_id: id.to_string(),
            vendor_ids: Vec::new(),
            aliases: Vec::new(),
            pkg_id: format!("{pkg}@{ver}"),
            pkg_name: pkg.to_string(),
            pkg_identifier: PkgIdentifier::default(),
            installed_version: ver.to_string(),
            fixed_version: String::new(),
            status: VulnStatus::Fixed,
            severity: sev,
            severity_source: String::new(),
            cvss: BTreeMap::new(),
            kev: false,
            title: String::new(),
            description: String::new(),
            references: Vec::new(),
            layer: None,
            ..Vulnerability::default()
        }
    }

    fn report(name: &str, os: Vec<Vulnerability>, lang: Vec<Vulnerability>) -> Report {
        let mut r = Report::new(name, ArtifactType::ContainerImage);
        // OS targets embed the image name and OS version: they differ between images.
        let mut a = ScanResult::new(format!("{name} (debian 12)"), Class::OsPkgs, "debian");
        a.vulnerabilities = os;
        let mut b = ScanResult::new("app/requirements.txt", Class::LangPkgs, "pip");
        b.vulnerabilities = lang;
        r.results = vec![a, b];
        r
    }

    #[test]
    fn fixed_introduced_unchanged_whatever_the_installed_version() {
        let before = report(
            "app:1",
            vec![
                vuln("CVE-1", "openssl", "1.0", Severity::High),
                vuln("CVE-2", "openssl", "1.0", Severity::Low),
            ],
            vec![vuln("CVE-9", "jinja2", "2.9", Severity::Medium)],
        );
        let after = report(
            "app:2",
            // CVE-2 remains at a newer version: unchanged, not fixed + introduced.
            vec![
                vuln("CVE-2", "openssl", "1.1", Severity::Low),
                vuln("CVE-3", "curl", "7.0", Severity::Critical),
            ],
            // The same id on a package of another kind is another finding.
            vec![vuln("CVE-1", "openssl", "1.1", Severity::High)],
        );
        let d = vuln_delta(&before, &after);
        let ids = |v: &[Vulnerability]| -> Vec<String> {
            v.iter()
                .map(|x| format!("{} {}", x.pkg_name, x.vulnerability_id))
                .collect()
        };
        assert_eq!(ids(&d.fixed), ["openssl CVE-1", "jinja2 CVE-9"]);
        assert_eq!(ids(&d.introduced), ["curl CVE-3", "openssl CVE-1"]);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.introduced_by_severity()[&Severity::Critical], 1);
        assert_eq!(d.fixed_by_severity()[&Severity::High], 1);
    }

    #[test]
    fn python_package_names_match_whatever_their_spelling() {
        let py = |name: &str, ver: &str| {
            let mut v = vuln("CVE-1", name, ver, Severity::High);
            v.pkg_identifier.purl = format!("pkg:pypi/jinja2@{ver}");
            v
        };
        let before = report("a", vec![], vec![py("Jinja2", "2.9")]);
        let after = report("b", vec![], vec![py("jinja2", "2.10")]);
        let d = vuln_delta(&before, &after);
        assert_eq!((d.fixed.len(), d.introduced.len(), d.unchanged), (0, 0, 1));
    }

    #[test]
    fn the_copy_that_went_away_is_the_one_reported() {
        // Two copies of a library (two apps); the 2.9 copy is removed, the
        // 2.10 copy stays: the fixed finding is the 2.9 one.
        let before = report(
            "a",
            vec![],
            vec![
                vuln("CVE-1", "jinja2", "2.9", Severity::High),
                vuln("CVE-1", "jinja2", "2.10", Severity::High),
            ],
        );
        let after = report(
            "b",
            vec![],
            vec![vuln("CVE-1", "jinja2", "2.10", Severity::High)],
        );
        let d = vuln_delta(&before, &after);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.fixed.len(), 1);
        assert_eq!(d.fixed[0].installed_version, "2.9");
        let d = vuln_delta(&after, &before);
        assert_eq!(d.introduced.len(), 1);
        assert_eq!(d.introduced[0].installed_version, "2.9");
        // One copy upgraded while the finding remains: unchanged.
        let after = report(
            "b",
            vec![],
            vec![
                vuln("CVE-1", "jinja2", "2.10", Severity::High),
                vuln("CVE-1", "jinja2", "2.11", Severity::High),
            ],
        );
        let d = vuln_delta(&before, &after);
        assert_eq!((d.fixed.len(), d.introduced.len(), d.unchanged), (0, 0, 2));
    }

    #[test]
    fn duplicates_count_as_a_multiset() {
        let v = || vuln("CVE-1", "six", "1.0", Severity::Low);
        let before = report("a", vec![], vec![v(), v()]);
        let after = report("b", vec![], vec![v()]);
        let d = vuln_delta(&before, &after);
        assert_eq!((d.fixed.len(), d.introduced.len(), d.unchanged), (1, 0, 1));
        let d = vuln_delta(&after, &before);
        assert_eq!((d.fixed.len(), d.introduced.len(), d.unchanged), (0, 1, 1));
    }
}
