//! `bulkhead db update|import|info` and `bulkhead image`/`fs` vulnerability
//! scans against the shared OSV mirror (`<repo>/../shared/osv`), served on
//! 127.0.0.1 by a tiny HTTP server with ETag support. Skips loudly when the
//! mirror is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

#[path = "support_mirror/mod.rs"]
mod support_mirror;
use support_mirror::serve;

fn shared_osv() -> Option<PathBuf> {
    support_mirror::shared("osv/ecosystems.txt").map(|p| p.join("osv"))
}

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_TEST_PAUSE_AT");
    c
}

fn db_info(cache: &Path) -> Value {
    let out = bulkhead(cache)
        .args(["db", "info", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "db info failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const ALPINE_RELEASE: &[u8] = b"3.10.2\n";

fn alpine_image(dir: &Path) -> PathBuf {
    let db = "C:Q1x=\nP:musl\nV:1.1.22-r3\nA:x86_64\no:musl\n\nC:Q1y=\nP:libcrypto1.1\nV:1.1.1c-r0\nA:x86_64\no:openssl\n\n";
    let mut b = ImageBuilder::new();
    b.layer("ADD base")
        .file("etc/alpine-release", ALPINE_RELEASE)
        .unwrap();
    b.layer("RUN apk add libcrypto1.1")
        .file("lib/apk/db/installed", db.as_bytes())
        .unwrap();
    let out = dir.join("alpine.tar");
    b.write(Layout::DockerLegacy, &out).unwrap();
    out
}

fn debian_image(dir: &Path, version: &str, codename: &str, libssl: &str) -> PathBuf {
    let os_release = format!(
        "PRETTY_NAME=\"Debian GNU/Linux {version} ({codename})\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"{version}\"\nVERSION_CODENAME={codename}\nID=debian\n"
    );
    let status = format!(
        "Package: libssl1.1\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: {libssl}\n\n\
         Package: apt\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.8.2\n\n"
    );
    let mut b = ImageBuilder::new();
    b.layer("ADD rootfs")
        .file("etc/os-release", os_release.as_bytes())
        .unwrap()
        .file("etc/debian_version", format!("{version}.0\n").as_bytes())
        .unwrap()
        .file("var/lib/dpkg/status", status.as_bytes())
        .unwrap();
    let out = dir.join(format!("debian{version}.tar"));
    b.write(Layout::DockerLegacy, &out).unwrap();
    out
}

fn scan(cache: &Path, image: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = bulkhead(cache)
        .args(["image", "--offline", "--format", "json", "--input"])
        .arg(image)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "scan failed ({code}): {stderr}");
    (
        code,
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}")),
        stderr,
    )
}

fn vulns(report: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().cloned().unwrap_or_default())
        .map(|v| {
            (
                v["PkgName"].as_str().unwrap().to_string(),
                v["VulnerabilityID"].as_str().unwrap().to_string(),
                v["FixedVersion"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn http_update_then_nothing_to_download() {
    let Some(osv) = shared_osv() else { return };
    let (url, served) = serve(osv);
    let cache = tempfile::tempdir().unwrap();
    bulkhead(cache.path())
        .args(["db", "update", "--mirror", &url])
        .assert()
        .success();
    let info = db_info(cache.path());
    assert_eq!(info["Advisories"], 33909);
    assert_eq!(info["KEV"], 1404);
    let first_ok = served.ok.load(Ordering::SeqCst);
    assert_eq!(first_ok, 8, "ecosystems.txt + 6 zips + KEV");
    let before_bytes = served.body_bytes.load(Ordering::SeqCst);
    let out = bulkhead(cache.path())
        .args(["db", "update", "--mirror", &url])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing downloaded"));
    assert_eq!(
        served.ok.load(Ordering::SeqCst),
        first_ok,
        "second update downloaded something"
    );
    assert_eq!(served.body_bytes.load(Ordering::SeqCst), before_bytes);
    assert_eq!(
        served.not_modified.load(Ordering::SeqCst),
        8,
        "one conditional request per file"
    );
}

#[test]
fn sigkill_during_update_leaves_the_previous_database_working() {
    let Some(osv) = shared_osv() else { return };
    let (url, _served) = serve(osv);
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let image = alpine_image(work.path());
    bulkhead(&cache)
        .args(["db", "update", "--ecosystems", "Alpine", "--mirror", &url])
        .assert()
        .success();
    let (_, baseline, _) = scan(&cache, &image, &[]);
    let baseline_vulns = vulns(&baseline);
    assert_eq!(baseline_vulns.len(), 3);
    let baseline_info = db_info(&cache);
    for round in 0..2 {
        for phase in ["download", "build", "swap"] {
            // An update of every ecosystem (so there is something to build), killed at `phase`.
            support_mirror::kill_at(&cache, &["db", "update", "--mirror", &url], phase);
            let (_, after, _) = scan(&cache, &image, &[]);
            assert_eq!(vulns(&after), baseline_vulns, "round {round} {phase}");
            let info = db_info(&cache);
            assert_eq!(
                info["Ecosystems"], baseline_info["Ecosystems"],
                "round {round} {phase}"
            );
            assert_eq!(
                info["Advisories"], baseline_info["Advisories"],
                "round {round} {phase}"
            );
        }
    }
    // And a full update afterwards still works.
    bulkhead(&cache)
        .args(["db", "update", "--mirror", &url])
        .assert()
        .success();
    assert_eq!(db_info(&cache)["Advisories"], 33909);
}

fn cache_with_db(work: &Path) -> Option<PathBuf> {
    let osv = shared_osv()?;
    let cache = work.join("cache");
    bulkhead(&cache)
        .args(["db", "update", "--mirror"])
        .arg(&osv)
        .assert()
        .success();
    Some(cache)
}

/// Alpine v3.10, libcrypto1.1 1.1.1c-r0 (origin openssl): the three
/// ALPINE-v3.10 records fixed in 1.1.1d-r0 (CVE-2019-1547, -1549, -1563).
#[test]
fn alpine_image_scan() {
    let work = tempfile::tempdir().unwrap();
    let Some(cache) = cache_with_db(work.path()) else {
        return;
    };
    let image = alpine_image(work.path());
    let (code, report, _) = scan(&cache, &image, &[]);
    assert_eq!(code, 0);
    let expected: Vec<(String, String, String)> =
        ["CVE-2019-1547", "CVE-2019-1549", "CVE-2019-1563"]
            .iter()
            .map(|c| {
                (
                    "libcrypto1.1".to_string(),
                    c.to_string(),
                    "1.1.1d-r0".to_string(),
                )
            })
            .collect();
    assert_eq!(vulns(&report), expected);
    let v = &report["Results"][0]["Vulnerabilities"][0];
    assert_eq!(v["VendorIDs"][0], "ALPINE-v3.10-CVE-2019-1547");
    assert_eq!(v["Status"], "fixed");
    assert_eq!(
        v["Layer"]["Index"], 1,
        "the layer that installed the package"
    );
    assert_eq!(v["Severity"], "UNKNOWN");
    // Exit codes: --exit-code with shown findings; --fail-on above all of them.
    let (code, _, _) = scan(&cache, &image, &["--exit-code", "1"]);
    assert_eq!(code, 1);
    let (code, _, _) = scan(&cache, &image, &["--fail-on", "HIGH"]);
    assert_eq!(code, 0);
    // --severity hides the UNKNOWN findings and says so.
    let (_, r, _) = scan(&cache, &image, &["--severity", "HIGH,CRITICAL"]);
    assert!(vulns(&r).is_empty());
    assert_eq!(r["Summary"]["HiddenBySeverity"], 3);
    // Every scanner name is accepted beside vuln; the vulnerabilities stay the same.
    let (_, r, _) = scan(&cache, &image, &["--scanners", "vuln,secret,misconfig"]);
    assert_eq!(vulns(&r).len(), 3);
    // --distro overrides detection: as Alpine v3.11, other records apply.
    let (_, r, _) = scan(&cache, &image, &["--distro", "alpine/3.11"]);
    assert!(!vulns(&r).is_empty());
}

/// Debian 11: libssl1.1 (source openssl) 1.1.1k-1+deb11u1 is below the
/// fixes of DSA-5103-1, DSA-5139-1, DSA-5169-1 and DSA-5343-1 (9 CVEs); apt
/// 1.8.2 is below a Debian 10-only fix (DSA-4808-1) and must not match.
#[test]
fn debian11_and_bookworm_image_scans() {
    let work = tempfile::tempdir().unwrap();
    let Some(cache) = cache_with_db(work.path()) else {
        return;
    };
    let d11 = debian_image(work.path(), "11", "bullseye", "1.1.1k-1+deb11u1");
    let (_, report, _) = scan(&cache, &d11, &["--list-all-pkgs"]);
    let ids: Vec<String> = vulns(&report)
        .into_iter()
        .map(|(p, id, _)| format!("{p} {id}"))
        .collect();
    assert_eq!(ids.len(), 9, "{ids:?}");
    assert!(
        ids.iter().all(|i| i.starts_with("libssl1.1 CVE-")),
        "{ids:?}"
    );
    assert!(ids.contains(&"libssl1.1 CVE-2022-0778".to_string()));
    assert_eq!(
        report["Results"][0]["Packages"].as_array().unwrap().len(),
        2
    );
    let fixed = debian_image(work.path(), "11", "bullseye", "1.1.1n-0+deb11u4");
    let (_, report, _) = scan(&cache, &fixed, &[]);
    assert!(vulns(&report).is_empty());
    // Bookworm: no Debian 12 data in the mirror. Zero findings, and the report says why.
    let d12 = debian_image(work.path(), "12", "bookworm", "3.0.9-1");
    let (code, report, stderr) = scan(&cache, &d12, &["--exit-code", "1"]);
    assert_eq!(code, 0);
    assert!(vulns(&report).is_empty());
    let warnings = report["Warnings"].to_string();
    assert!(
        warnings.contains("no advisories for debian 12 in the database"),
        "{warnings}"
    );
    assert!(stderr.contains("no advisories for debian 12 in the database"));
    let table = bulkhead(&cache)
        .args(["image", "--offline", "--format", "table", "--input"])
        .arg(&d12)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&table.stdout)
            .contains("no advisories for debian 12 in the database")
    );
}

#[test]
fn offline_without_database_fails_with_advice() {
    let work = tempfile::tempdir().unwrap();
    let image = alpine_image(work.path());
    let out = bulkhead(&work.path().join("empty-cache"))
        .args(["image", "--offline", "--input"])
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bulkhead db update"));
}

#[test]
fn import_counts_malformed_records() {
    let work = tempfile::tempdir().unwrap();
    let recs = work.path().join("recs");
    std::fs::create_dir_all(&recs).unwrap();
    std::fs::write(
        recs.join("ok.json"),
        r#"{"id":"TEST-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Alpine:v3.10","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"9.9.9-r0"}]}]}]}"#,
    )
    .unwrap();
    std::fs::write(recs.join("bad.json"), "{oops").unwrap();
    let cache = work.path().join("cache");
    let out = bulkhead(&cache)
        .args(["db", "import"])
        .arg(&recs)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 malformed skipped"), "{stderr}");
    let image = alpine_image(work.path());
    let (_, report, _) = scan(&cache, &image, &[]);
    assert_eq!(
        vulns(&report),
        vec![("libcrypto1.1".into(), "TEST-1".into(), "9.9.9-r0".into())]
    );
}
