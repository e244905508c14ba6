//! Small builders for unit tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_types::{
    ArtifactType, Class, PkgIdentifier, Report, ScanResult, Severity, VulnStatus, Vulnerability,
};

pub fn vuln(id: &str, pkg: &str, severity: Severity, status: VulnStatus) -> Vulnerability {
    Vulnerability {
        vulnerability_id: id.into(),
        vendor_ids: Vec::new(),
        aliases: Vec::new(),
        pkg_id: format!("{pkg}@1.0"),
        pkg_name: pkg.into(),
        pkg_identifier: PkgIdentifier::default(),
        installed_version: "1.0".into(),
        fixed_version: if status == VulnStatus::Fixed {
            "1.1".into()
        } else {
            String::new()
        },
        status,
        severity,
        severity_source: String::new(),
        cvss: Default::default(),
        kev: false,
        title: String::new(),
        description: String::new(),
        references: Vec::new(),
        layer: None,
        ..Vulnerability::default()
    }
}

pub fn report_with(vulns: Vec<Vulnerability>) -> Report {
    let mut r = Report::new("test:1", ArtifactType::ContainerImage);
    let mut res = ScanResult::new("test:1 (debian 12)", Class::OsPkgs, "debian");
    res.vulnerabilities = vulns;
    r.results.push(res);
    r
}
