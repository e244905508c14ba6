//! Alias merging, withdrawn records and KEV flags on a small database built
//! from hand-written records (no shared data needed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_match::{Matcher, Target};
use bulkhead_osv::Database;
use bulkhead_types::{Ecosystem, Package, Severity, VulnStatus};

const RECORDS: &[(&str, &str)] = &[
    (
        "pysec.json",
        r#"{"id":"PYSEC-2099-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-0001","GHSA-aaaa-bbbb-cccc"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.5"}]}]}]}"#,
    ),
    (
        "ghsa.json",
        r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-0001"],
      "database_specific":{"severity":"HIGH"},
      "affected":[{"package":{"ecosystem":"PyPI","name":"Demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.6"}]}]}]}"#,
    ),
    (
        "withdrawn.json",
        r#"{"id":"PYSEC-2099-2","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z","aliases":["CVE-2099-0002"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
    ),
    (
        "unfixed.json",
        r#"{"id":"PYSEC-2099-3","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-0003"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.4"}]}]}]}"#,
    ),
    (
        "kev.json",
        r#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"test","vulnerabilities":[{"cveID":"CVE-2099-0001","dateAdded":"2024-01-02"}]}"#,
    ),
];

#[test]
fn aliases_merge_into_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let recs = dir.path().join("recs");
    std::fs::create_dir_all(&recs).unwrap();
    for (name, body) in RECORDS {
        std::fs::write(recs.join(name), body).unwrap();
    }
    let db_path = dir.path().join("db/bulkhead.db");
    let r = bulkhead_osv::import_paths(&db_path, &[recs], &|_| {}).unwrap();
    assert_eq!((r.stats.records, r.stats.kev), (4, 1));
    let db = Database::open(&db_path).unwrap();
    let target = Target::for_packages(Ecosystem::Python, None).unwrap();
    let pkgs = vec![Package::new(Ecosystem::Python, "DEMO", "1.2")];
    let m = Matcher::new(&db).match_packages(&target, &pkgs);
    let ids: Vec<&str> = m
        .vulnerabilities
        .iter()
        .map(|v| v.vulnerability_id.as_str())
        .collect();
    assert_eq!(
        ids,
        vec!["CVE-2099-0001", "CVE-2099-0003"],
        "withdrawn record ignored"
    );
    let v = &m.vulnerabilities[0];
    assert_eq!(v.vendor_ids, vec!["GHSA-aaaa-bbbb-cccc", "PYSEC-2099-1"]);
    assert_eq!(
        v.fixed_version, "1.6",
        "the highest fix of the merged records"
    );
    assert_eq!(
        (v.severity, v.severity_source.as_str()),
        (Severity::High, "ghsa")
    );
    assert!(v.kev);
    let u = &m.vulnerabilities[1];
    assert_eq!(
        (u.status, u.fixed_version.as_str()),
        (VulnStatus::Affected, "")
    );
    assert!(!u.kev);
    // At the fix of both: only the unfixed range (1.0 ≤ v ≤ 1.4) is left out too.
    let pkgs = vec![Package::new(Ecosystem::Python, "demo", "1.6")];
    assert!(
        Matcher::new(&db)
            .match_packages(&target, &pkgs)
            .vulnerabilities
            .is_empty()
    );
}
