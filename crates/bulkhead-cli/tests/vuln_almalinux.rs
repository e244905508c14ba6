//! AlmaLinux 9 end to end: an rpm database written by rpm itself
//! (tests/fixtures/almalinux9, see make-rpmdb.sh) inside an image, matched
//! against the AlmaLinux records of the shared OSV mirror by BINARY rpm
//! name (`openssl-libs`), epoch included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn shared_osv() -> Option<PathBuf> {
    bulkhead_testkit::require::shared("osv/AlmaLinux/all.zip").map(|s| s.join("osv"))
}

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env("BULKHEAD_NO_CACHE", "1");
    c
}

#[test]
fn almalinux9_openssl_libs_below_alsa_fixes() {
    let Some(osv) = shared_osv() else { return };
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    bulkhead(&cache)
        .args(["db", "update", "--ecosystems", "AlmaLinux", "--mirror"])
        .arg(&osv)
        .assert()
        .success();

    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/almalinux9/rpmdb.sqlite");
    let mut b = ImageBuilder::new();
    b.layer("base")
        .file(
            "etc/os-release",
            b"NAME=\"AlmaLinux\"\nVERSION=\"9.0 (Emerald Puma)\"\nID=\"almalinux\"\nVERSION_ID=\"9.0\"\nPRETTY_NAME=\"AlmaLinux 9.0 (Emerald Puma)\"\n",
        )
        .unwrap()
        .file("var/lib/rpm/rpmdb.sqlite", &std::fs::read(fixture).unwrap())
        .unwrap();
    let image = work.path().join("alma.tar");
    b.write(Layout::OciTar, &image).unwrap();

    let out = bulkhead(&cache)
        .args([
            "image",
            "-q",
            "--offline",
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--input",
        ])
        .arg(&image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let vulns: Vec<&Value> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().into_iter().flatten())
        .collect();

    // Written down from the AlmaLinux:9 records naming openssl-libs with a
    // fixed version above 1:3.0.1-23.el9_0.
    let expected_alsa: BTreeSet<&str> = [
        "ALSA-2022:6224",
        "ALSA-2022:7288",
        "ALSA-2023:0946",
        "ALSA-2023:2523",
        "ALSA-2023:3722",
        "ALSA-2024:0310",
        "ALSA-2024:2447",
        "ALSA-2024:6783",
        "ALSA-2024:9333",
        "ALSA-2025:1330",
        "ALSA-2025:21255",
        "ALSA-2026:1473",
        "ALSA-2026:19218",
        "ALSA-2026:22312",
        "ALSA-2026:25239",
    ]
    .into_iter()
    .collect();
    let seen_alsa: BTreeSet<&str> = vulns
        .iter()
        .flat_map(|v| v["VendorIDs"].as_array().into_iter().flatten())
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(seen_alsa, expected_alsa);
    assert!(
        vulns.iter().all(|v| v["PkgName"] == "openssl-libs"),
        "zlib 1.2.11-40.el9 is at or above every fix"
    );
    assert!(
        vulns
            .iter()
            .all(|v| v["InstalledVersion"] == "1:3.0.1-23.el9_0")
    );
    assert_eq!(
        vulns.len(),
        65,
        "one finding per CVE named by those advisories"
    );

    let find = |cve: &str| {
        vulns
            .iter()
            .find(|v| v["VulnerabilityID"] == cve)
            .unwrap_or_else(|| panic!("{cve} missing"))
    };
    // ALSA-2022:6224 "Moderate: openssl security and bug fix update".
    let v = find("CVE-2022-2068");
    assert_eq!(v["FixedVersion"], "1:3.0.1-41.el9_0");
    assert_eq!(v["Severity"], "MEDIUM");
    assert_eq!(v["Status"], "fixed");
    // ALSA-2022:7288 "Important: openssl security update".
    let v = find("CVE-2022-3602");
    assert_eq!(v["FixedVersion"], "1:3.0.1-43.el9_0");
    assert_eq!(v["Severity"], "HIGH");
    assert!(
        v["PkgIdentifier"]["PURL"]
            .as_str()
            .unwrap()
            .starts_with("pkg:rpm/almalinux/openssl-libs@3.0.1-23.el9_0?")
    );

    // Another release's data does not apply: scanned as AlmaLinux 8, nothing
    // matches these el9 versions of openssl-libs from the el9 fixes.
    let out = bulkhead(&cache)
        .args([
            "image",
            "-q",
            "--offline",
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--distro",
            "almalinux/10",
            "--input",
        ])
        .arg(&image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let alsa9: usize = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().into_iter().flatten())
        .filter(|v| {
            v["VendorIDs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|id| id == "ALSA-2022:6224")
        })
        .count();
    assert_eq!(
        alsa9, 0,
        "AlmaLinux 10 data is matched for --distro almalinux/10"
    );
}
