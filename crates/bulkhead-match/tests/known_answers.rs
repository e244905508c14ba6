//! Known answers from real advisories in the shared OSV mirror
//! (`<repo>/../shared/osv`). Each expectation below was written down from
//! reading the advisory records themselves (ids, ranges and aliases quoted
//! in the comments). Skips loudly when the mirror is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_match::{Matcher, Target};
use bulkhead_osv::{Database, Mirror, UpdateOptions};
use bulkhead_types::{Ecosystem, OsInfo, Package, Severity, VulnStatus, Vulnerability};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The database built once from the shared mirror; every test that needs
/// it skips loudly on its own when the mirror is missing.
fn db_path() -> Option<PathBuf> {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let osv = bulkhead_testkit::require::shared("osv/ecosystems.txt")?.join("osv");
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulkhead.db");
        let opts = UpdateOptions {
            mirror: Mirror::Dir(osv),
            ecosystems: None,
            kev: None,
            ..UpdateOptions::default()
        };
        bulkhead_osv::update(&path, &opts, &|_| {}).unwrap();
        (dir, path)
    });
    Some(path.clone())
}

fn os(family: &str, name: &str) -> OsInfo {
    OsInfo {
        family: family.into(),
        name: name.into(),
        ..OsInfo::default()
    }
}

fn pkg(kind: Ecosystem, name: &str, version: &str, src: Option<(&str, &str)>) -> Package {
    let mut p = Package::new(kind, name, version);
    if let Some((s, sv)) = src {
        p.src_name = s.into();
        p.src_version = sv.into();
    }
    p
}

fn run(
    kind: Ecosystem,
    os_info: Option<OsInfo>,
    pkgs: Vec<Package>,
) -> Option<(Vec<Vulnerability>, Vec<String>)> {
    let path = db_path()?;
    let db = Database::open(&path).unwrap();
    let target = Target::for_packages(kind, os_info.as_ref()).unwrap();
    let m = Matcher::new(&db).match_packages(&target, &pkgs);
    Some((m.vulnerabilities, m.notes))
}

fn ids(v: &[Vulnerability]) -> Vec<&str> {
    let mut ids: Vec<&str> = v.iter().map(|v| v.vulnerability_id.as_str()).collect();
    ids.sort();
    ids
}

fn find<'a>(v: &'a [Vulnerability], id: &str) -> &'a Vulnerability {
    v.iter()
        .find(|x| x.vulnerability_id == id)
        .unwrap_or_else(|| panic!("{id} missing from {:?}", ids(v)))
}

/// Debian 11: binary libssl1.1 from source openssl 1.1.1k-1+deb11u1.
/// DSA-4963-1 (fixed 1.1.1k-1+deb11u1) no longer applies (at the fix);
/// DSA-5103-1 (CVE-2021-4160, CVE-2022-0778, fixed 1.1.1k-1+deb11u2),
/// DSA-5139-1 (CVE-2022-1292, fixed 1.1.1n-0+deb11u2), DSA-5169-1
/// (CVE-2022-2068, fixed 1.1.1n-0+deb11u3) and DSA-5343-1 (CVE-2022-2097,
/// CVE-2022-4304, CVE-2022-4450, CVE-2023-0215, CVE-2023-0286, fixed
/// 1.1.1n-0+deb11u4) do.
#[test]
fn debian11_source_package_below_dsa_fixes() {
    let p = pkg(
        Ecosystem::Dpkg,
        "libssl1.1",
        "1.1.1k-1+deb11u1",
        Some(("openssl", "1.1.1k-1+deb11u1")),
    );
    let Some((v, notes)) = run(Ecosystem::Dpkg, Some(os("debian", "11.2")), vec![p]) else {
        return;
    };
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        ids(&v),
        vec![
            "CVE-2021-4160",
            "CVE-2022-0778",
            "CVE-2022-1292",
            "CVE-2022-2068",
            "CVE-2022-2097",
            "CVE-2022-4304",
            "CVE-2022-4450",
            "CVE-2023-0215",
            "CVE-2023-0286"
        ]
    );
    let c = find(&v, "CVE-2022-0778");
    assert_eq!(c.pkg_name, "libssl1.1", "reported on the binary package");
    assert_eq!(c.vendor_ids, vec!["DSA-5103-1"]);
    assert!(
        c.aliases.is_empty(),
        "CVE-2021-4160 is bundled in the DSA, not an alias: {:?}",
        c.aliases
    );
    assert_eq!(c.fixed_version, "1.1.1k-1+deb11u2");
    assert_eq!(c.status, VulnStatus::Fixed);
    assert_eq!(
        c.severity,
        Severity::Unknown,
        "Debian records carry no severity"
    );
    assert!(c.kev.eq(&false));
    assert_eq!(find(&v, "CVE-2023-0286").fixed_version, "1.1.1n-0+deb11u4");
    assert_eq!(find(&v, "CVE-2023-0286").vendor_ids, vec!["DSA-5343-1"]);
}

#[test]
fn debian11_negatives() {
    // At the last fix (DSA-5343-1: 1.1.1n-0+deb11u4): nothing.
    let fixed = pkg(
        Ecosystem::Dpkg,
        "libssl1.1",
        "1.1.1n-0+deb11u4",
        Some(("openssl", "1.1.1n-0+deb11u4")),
    );
    // Another source package: same binary name, unrelated source.
    let other = pkg(
        Ecosystem::Dpkg,
        "libssl1.1",
        "1.1.1k-1+deb11u1",
        Some(("not-openssl", "1.1.1k-1+deb11u1")),
    );
    // Another release: apt 1.8.2 is below DSA-4808-1's fix 1.8.2.2, but
    // that fix is for Debian:10 only.
    let apt = pkg(Ecosystem::Dpkg, "apt", "1.8.2", None);
    let Some((v, _)) = run(
        Ecosystem::Dpkg,
        Some(os("debian", "11")),
        vec![fixed, other, apt],
    ) else {
        return;
    };
    assert!(v.is_empty(), "{:?}", ids(&v));
}

#[test]
fn debian12_has_no_data_and_says_so() {
    let p = pkg(
        Ecosystem::Dpkg,
        "libssl3",
        "3.0.8-1",
        Some(("openssl", "3.0.8-1")),
    );
    let Some((v, notes)) = run(Ecosystem::Dpkg, Some(os("debian", "12.1")), vec![p]) else {
        return;
    };
    assert!(v.is_empty());
    assert_eq!(notes, vec!["no advisories for debian 12 in the database"]);
}

/// Alpine v3.10, libcrypto1.1 1.1.1c-r0 (origin openssl):
/// ALPINE-v3.10-CVE-2019-1547, -1549, -1563 (fixed 1.1.1d-r0) apply;
/// CVE-2019-1543 (fixed 1.1.1b-r1) and CVE-2018-0734/0735 (fixed 1.1.1a-r0) do not.
#[test]
fn alpine310_openssl_111c() {
    let p = pkg(
        Ecosystem::Apk,
        "libcrypto1.1",
        "1.1.1c-r0",
        Some(("openssl", "1.1.1c-r0")),
    );
    let Some((v, _)) = run(
        Ecosystem::Apk,
        Some(os("alpine", "3.10.2")),
        vec![p.clone()],
    ) else {
        return;
    };
    assert_eq!(
        ids(&v),
        vec!["CVE-2019-1547", "CVE-2019-1549", "CVE-2019-1563"]
    );
    let c = find(&v, "CVE-2019-1547");
    assert_eq!(c.vendor_ids, vec!["ALPINE-v3.10-CVE-2019-1547"]);
    assert_eq!(c.fixed_version, "1.1.1d-r0");
    assert_eq!(c.pkg_name, "libcrypto1.1");
    // At the fix: nothing.
    let fixed = pkg(
        Ecosystem::Apk,
        "libcrypto1.1",
        "1.1.1d-r0",
        Some(("openssl", "1.1.1d-r0")),
    );
    let (v, _) = run(Ecosystem::Apk, Some(os("alpine", "3.10.2")), vec![fixed]).unwrap();
    assert!(v.is_empty(), "{:?}", ids(&v));
}

/// AlmaLinux 9: binary openssl-libs 1:3.0.1-23.el9_0 (the records name the
/// binary rpm). ALSA-2022:6224 ("Moderate: openssl security and bug fix
/// update", related CVE-2022-1292, -1343, -1473, -2068, -2097, fixed
/// 1:3.0.1-41.el9_0) applies, among later ALSAs.
#[test]
fn almalinux9_openssl_libs_below_alsa() {
    let p = pkg(
        Ecosystem::Rpm,
        "openssl-libs",
        "1:3.0.1-23.el9_0",
        Some(("openssl", "1:3.0.1-23.el9_0")),
    );
    let Some((v, _)) = run(Ecosystem::Rpm, Some(os("almalinux", "9.0")), vec![p]) else {
        return;
    };
    let c = find(&v, "CVE-2022-1473");
    assert!(
        c.vendor_ids.contains(&"ALSA-2022:6224".to_string()),
        "{:?}",
        c.vendor_ids
    );
    assert!(c.severity >= Severity::Medium);
    assert_eq!(c.severity_source, "alma");
    for cve in [
        "CVE-2022-1292",
        "CVE-2022-1343",
        "CVE-2022-2068",
        "CVE-2022-2097",
    ] {
        find(&v, cve);
    }
    // One finding per CVE even though both the binary and the source name match.
    let n = v
        .iter()
        .filter(|x| x.vulnerability_id == "CVE-2022-1473")
        .count();
    assert_eq!(n, 1);
    // Negative: a version above every AlmaLinux 9 openssl-libs fix.
    let newest = pkg(Ecosystem::Rpm, "openssl-libs", "1:3.9.9-1.el9", None);
    let (v, _) = run(Ecosystem::Rpm, Some(os("almalinux", "9.6")), vec![newest]).unwrap();
    assert!(v.is_empty(), "{:?}", ids(&v));
}

/// PyPI cryptography 3.2: PYSEC-2021-62 (CVE-2020-25659, fixed 3.2.1),
/// PYSEC-2021-63 (CVE-2020-36242, 3.1 ≤ v < 3.3.2), PYSEC-2023-11
/// (CVE-2023-23931, 1.8 ≤ v < 39.0.1), PYSEC-2023-254 (CVE-2023-49083,
/// 3.1 ≤ v < 41.0.6). Not PYSEC-2018-52 (1.9 ≤ v < 2.3), PYSEC-2017-8 (< 1.5.3).
#[test]
fn pypi_cryptography_below_pysec_fixes() {
    let p = pkg(Ecosystem::Python, "Cryptography", "3.2", None);
    let Some((v, _)) = run(Ecosystem::Python, None, vec![p]) else {
        return;
    };
    assert_eq!(
        ids(&v),
        vec![
            "CVE-2020-25659",
            "CVE-2020-36242",
            "CVE-2023-23931",
            "CVE-2023-49083"
        ]
    );
    let c = find(&v, "CVE-2020-25659");
    assert_eq!(c.fixed_version, "3.2.1");
    assert_eq!(c.vendor_ids, vec!["PYSEC-2021-62"]);
    assert!(c.aliases.contains(&"GHSA-hggm-jpg3-v476".to_string()));
    // At/above every fix: 41.0.6 (PYSEC-2023-112's range 40.0.0..41.0.2 is below).
    let (v, _) = run(
        Ecosystem::Python,
        None,
        vec![pkg(Ecosystem::Python, "cryptography", "41.0.6", None)],
    )
    .unwrap();
    assert!(v.is_empty(), "{:?}", ids(&v));
    // Withdrawn: PYSEC-2019-144 (arrayfire < 3.6.0) was withdrawn.
    let (v, _) = run(
        Ecosystem::Python,
        None,
        vec![pkg(Ecosystem::Python, "arrayfire", "3.5.0", None)],
    )
    .unwrap();
    assert!(
        v.iter()
            .all(|x| !x.vendor_ids.contains(&"PYSEC-2019-144".to_string())),
        "{:?}",
        ids(&v)
    );
}
