//! OS package inventories from real package databases: a debootstrap'ed
//! Debian bookworm compared with `dpkg-query`, and rpm databases written by
//! rpm itself compared with `rpm -qa` output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_testkit::require;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn bulkhead() -> Command {
    Command::cargo_bin("bulkhead").unwrap()
}

fn sbom(args: &[&str], target: &Path) -> Value {
    let out = bulkhead()
        .args(["sbom", "-q", "--format", "json"])
        .args(args)
        .arg(target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rows(report: &Value) -> BTreeSet<String> {
    report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Packages"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            format!(
                "{}\t{}\t{}\t{}\t{}",
                p["Name"].as_str().unwrap(),
                p["Version"].as_str().unwrap(),
                p["Arch"].as_str().unwrap_or(""),
                p["SrcName"].as_str().unwrap_or(""),
                p["SrcVersion"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn debian_bookworm_inventory_equals_dpkg_query() {
    let Some(cache) = require::debian_image("debian-bookworm-rootfs") else {
        return;
    };
    let rootfs = cache.join("debian-bookworm-rootfs");
    if !require::tool("dpkg-query", "dpkg") {
        return;
    }
    let out = std::process::Command::new("dpkg-query")
        .arg(format!("--admindir={}/var/lib/dpkg", rootfs.display()))
        .args(["-W", "-f", "${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n"])
        .output()
        .unwrap();
    let expected: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("installed\t"))
        .map(str::to_string)
        .collect();
    assert!(
        expected.len() > 80,
        "a minbase system has ~90 packages, got {}",
        expected.len()
    );

    // The root filesystem itself, and the same packed three ways.
    let from_dir = sbom(&[], &rootfs);
    assert_eq!(rows(&from_dir), expected, "bulkhead sbom ROOTFS");
    assert_eq!(from_dir["Metadata"]["OS"]["Family"], "debian");
    for name in [
        "debian-bookworm.docker.tar",
        "debian-bookworm.oci",
        "debian-bookworm.oci.tar",
    ] {
        if require::debian_image(name).is_none() {
            return;
        }
        let image = cache.join(name);
        let report = sbom(&["--input"], &image);
        assert_eq!(rows(&report), expected, "{name}");
        assert_eq!(
            report["Metadata"]["OS"]["Name"]
                .as_str()
                .unwrap()
                .split('.')
                .next(),
            Some("12")
        );
        let layer0 = &report["Results"][0]["Packages"][0]["Layer"];
        assert_eq!(layer0["Index"], 0);
        assert_eq!(layer0["DiffID"], report["Metadata"]["DiffIDs"][0]);
    }
}

fn rpm_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bulkhead-rpmdb/tests/fixtures")
        .join(rel)
}

/// `rpm -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n'`
/// as recorded by rpm 4.18 when the fixture was made.
fn expected_rpm_rows() -> BTreeSet<String> {
    std::fs::read_to_string(rpm_fixture("rpmdb/expected-qa.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let evr = if f[1] == "0" {
                format!("{}-{}", f[2], f[3])
            } else {
                format!("{}:{}-{}", f[1], f[2], f[3])
            };
            format!("{}\t{}\t{}", f[0], evr, f[4])
        })
        .collect()
}

fn rpm_rows(report: &Value) -> BTreeSet<String> {
    report["Results"][0]["Packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\t{}",
                p["Name"].as_str().unwrap(),
                p["Version"].as_str().unwrap(),
                p["Arch"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn rpm_sqlite_berkeleydb_and_ndb_in_images() {
    let dir = tempfile::tempdir().unwrap();
    let expected = expected_rpm_rows();
    assert_eq!(expected.len(), 4);
    for (db_path, fixture) in [
        ("var/lib/rpm/rpmdb.sqlite", "rpmdb/rpmdb.sqlite"),
        ("var/lib/rpm/Packages", "bdb/Packages-le-4k"),
        ("var/lib/rpm/Packages", "bdb/Packages-be-64k"),
        // Unverified by rpm: Debian's rpm has no ndb backend (see the fixture's README).
        ("usr/lib/sysimage/rpm/Packages.db", "ndb/Packages.db"),
    ] {
        let mut b = ImageBuilder::new();
        b.layer("base")
            .file(
                "etc/os-release",
                b"ID=\"almalinux\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"AlmaLinux 9.3\"\n",
            )
            .unwrap()
            .file(db_path, &std::fs::read(rpm_fixture(fixture)).unwrap())
            .unwrap();
        let out = dir.path().join("rpm.tar");
        b.write(Layout::OciTar, &out).unwrap();
        let report = sbom(&["--input"], &out);
        assert_eq!(report["Results"][0]["Type"], "rpm");
        let got = rpm_rows(&report);
        if fixture.starts_with("ndb") {
            assert!(!got.is_empty(), "ndb fixture yields packages");
            continue;
        }
        assert_eq!(got, expected, "{fixture}");
        let epochy = report["Results"][0]["Packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["Name"] == "epochy")
            .unwrap()
            .clone();
        assert_eq!(epochy["SrcName"], "epochy");
        assert_eq!(
            epochy["Identifier"]["PURL"],
            "pkg:rpm/almalinux/epochy@2.4.1-7.fx1?arch=x86_64&distro=almalinux-9.3&epoch=3"
        );
    }
}
