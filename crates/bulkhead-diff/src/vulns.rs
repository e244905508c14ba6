//! The vulnerability delta between two reports.

use bulkhead_types::{Class, Report, ScanResult, Severity, Vulnerability};
use serde::Serialize;
use std::collections::BTreeMap;

/// What identifies "the same finding" in both images, whatever the installed
/// version: the advisory id, the package name and the kind of package
/// database it was found in. The result target is left out on purpose: for
/// OS packages it embeds the image name and OS version, which differ between
/// the two images being compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VulnKey {
    /// `VulnerabilityID` (CVE when known, else the advisory id).
    pub id: String,
    /// `PkgName`.
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
            pkg: v.pkg_name.clone(),
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

/// The vulnerability delta from `before` to `after`.
pub fn vuln_delta(before: &Report, after: &Report) -> VulnDelta {
    let a = grouped(before);
    let b = grouped(after);
    let mut delta = VulnDelta::default();
    for (key, va) in &a {
        let nb = b.get(key).map_or(0, Vec::len);
        delta.unchanged += va.len().min(nb);
        delta.fixed.extend(va.iter().skip(nb).map(|v| (*v).clone()));
    }
    for (key, vb) in &b {
        let na = a.get(key).map_or(0, Vec::len);
        delta
            .introduced
            .extend(vb.iter().skip(na).map(|v| (*v).clone()));
    }
    sort_vulns(&mut delta.fixed);
    sort_vulns(&mut delta.introduced);
    delta
}
