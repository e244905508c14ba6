//! `bulkhead image --summary`: the quick view of images built here and
//! scanned against the synthetic advisories of `tests/fixtures/advise-osv`
//! (known answers), as of a fixed day (`BULKHEAD_TODAY`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;

mod advise_support;

use advise_support::{V12_1, V12_2, app_image, base_image, bulkhead, cache_with_advisories};
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::Value;
use std::path::Path;

fn summary_json(cache: &Path, args: &[&str]) -> Value {
    let out = bulkhead(cache)
        .args(["image", "--summary", "--offline", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn counts_urgent_order_and_eol() {
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.tar");
    app_image(None).write(Layout::DockerOci, &app).unwrap();
    let app = app.to_str().unwrap();

    let v = summary_json(cache.path(), &["--input", app]);
    // Six findings: KEV first, then severity, then fixable before not.
    let urgent: Vec<&str> = v["MostUrgent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["VulnerabilityID"].as_str().unwrap())
        .collect();
    assert_eq!(
        urgent,
        [
            "CVE-2099-1006", // sudo, HIGH, known exploited
            "CVE-2099-1001", // openssl, CRITICAL
            "CVE-2099-1002", // zlib, HIGH, fixable
            "CVE-2099-1007", // less, HIGH, no fix
            "CVE-2099-1003", // curl, MEDIUM
        ]
    );
    assert_eq!(v["Vulnerabilities"]["Total"], 6);
    assert_eq!(v["Vulnerabilities"]["Fixable"], 4);
    assert_eq!(
        v["Vulnerabilities"]["BySeverity"]["HIGH"],
        serde_json::json!({"fixed": 2, "affected": 1, "will_not_fix": 0})
    );
    assert_eq!(v["OS"]["EndOfLife"]["State"], "security-only");
    assert!(v.get("BaseImage").is_none());
    insta::assert_json_snapshot!("summary_json_app", v);

    let table = bulkhead(cache.path())
        .args([
            "image",
            "--summary",
            "--offline",
            "--format",
            "table",
            "--input",
            app,
        ])
        .output()
        .unwrap();
    assert!(table.status.success());
    insta::assert_snapshot!(
        "summary_table_app",
        String::from_utf8(table.stdout).unwrap()
    );

    // The end-of-life state follows the day.
    for (day, state) in [
        ("2025-01-01", "supported"),
        ("2028-06-30", "security-only"),
        ("2028-07-01", "end-of-life"),
    ] {
        let out = bulkhead(cache.path())
            .env("BULKHEAD_TODAY", day)
            .args([
                "image",
                "--summary",
                "--offline",
                "--format",
                "json",
                "--input",
                app,
            ])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["OS"]["EndOfLife"]["State"], state, "{day}");
        assert_eq!(v["OS"]["EndOfLife"]["AsOf"], day);
    }
    // Not combined with --verify (which would otherwise be silently skipped).
    bulkhead(cache.path())
        .args([
            "image",
            "--summary",
            "--verify",
            "--offline",
            "--input",
            app,
        ])
        .assert()
        .code(2);
    // A bad day is a usage error.
    bulkhead(cache.path())
        .env("BULKHEAD_TODAY", "28/11/2026")
        .args(["image", "--summary", "--offline", "--input", app])
        .assert()
        .code(2);

    // Filters apply before counting; --fail-on decides the exit code.
    let v = summary_json(
        cache.path(),
        &["--input", app, "--severity", "CRITICAL,HIGH"],
    );
    assert_eq!(v["Vulnerabilities"]["Total"], 4);
    let v = summary_json(cache.path(), &["--input", app, "--ignore-unfixed"]);
    assert_eq!(v["Vulnerabilities"]["Total"], 4);
    assert_eq!(v["Vulnerabilities"]["Fixable"], 4);
    bulkhead(cache.path())
        .args([
            "image",
            "--summary",
            "--offline",
            "--format",
            "json",
            "--fail-on",
            "CRITICAL",
            "--input",
            app,
        ])
        .assert()
        .code(1);
}

#[test]
fn base_by_label() {
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.tar");
    app_image(Some("registry.example/team/base:12.1"))
        .write(Layout::DockerOci, &app)
        .unwrap();
    let v = summary_json(cache.path(), &["--input", app.to_str().unwrap()]);
    assert_eq!(
        v["BaseImage"],
        serde_json::json!({"Name": "registry.example/team/base:12.1", "Source": "label"})
    );
}

#[test]
fn base_by_layers() {
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.tar");
    app_image(None).write(Layout::DockerOci, &app).unwrap();
    let b1 = dir.path().join("base-12.1");
    let b2 = dir.path().join("base-12.2.tar");
    base_image("base:12.1", &V12_1, 0)
        .write(Layout::OciDir, &b1)
        .unwrap();
    base_image("base:12.2", &V12_2, 0)
        .write(Layout::DockerOci, &b2)
        .unwrap();
    let (b1, b2) = (b1.to_str().unwrap(), b2.to_str().unwrap());
    let v = summary_json(
        cache.path(),
        &[
            "--input",
            app.to_str().unwrap(),
            "--base-candidates",
            &format!("{b2},{b1}"),
        ],
    );
    assert_eq!(
        v["BaseImage"],
        serde_json::json!({"Name": b1, "Source": "layers", "Layers": 1})
    );
    // No candidate matches: said, not guessed.
    let v = summary_json(
        cache.path(),
        &["--input", app.to_str().unwrap(), "--base-candidates", b2],
    );
    assert!(v.get("BaseImage").is_none());
    let warnings = v["Warnings"].to_string();
    assert!(warnings.contains("base not identified"), "{warnings}");
    // An unreadable candidate is a warning, not a failure.
    let v = summary_json(
        cache.path(),
        &[
            "--input",
            app.to_str().unwrap(),
            "--base-candidates",
            &format!("{b1},/nonexistent/x.tar"),
        ],
    );
    assert_eq!(v["BaseImage"]["Name"], b1);
}

/// Known answer on the shared OSV mirror (Debian security tracker and CISA
/// KEV): a Debian 10 image with sudo 1.8.27-1 (DSA-4543-1, DSA-4839-1,
/// DLA-3181-1, DLA-3272-1), policykit-1 0.105-25 (DSA-5059-1) and libssl1.1
/// 1.1.1n-0+deb10u3 (DLA-3325-1, five CVEs). The tracker gives no
/// severities, so after the two KEV entries (CVE-2021-3156 "Baron Samedit",
/// CVE-2021-4034 "PwnKit") the order falls to the ids.
#[test]
fn known_answer_on_the_shared_mirror() {
    let Some(shared) = bulkhead_testkit::require::shared("osv/ecosystems.txt") else {
        return;
    };
    let osv = shared.join("osv");
    let cache = tempfile::tempdir().unwrap();
    bulkhead(cache.path())
        .args(["db", "import"])
        .arg(osv.join("Debian/all.zip"))
        .arg(osv.join("kev/known_exploited_vulnerabilities.json"))
        .assert()
        .success();
    let status = "Package: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.8.27-1\n\n\
                  Package: policykit-1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 0.105-25\n\n\
                  Package: libssl1.1\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 1.1.1n-0+deb10u3\n\n";
    let mut b = ImageBuilder::new().tag("buster-app:1");
    b.layer("ADD rootfs.tar /")
        .file(
            "etc/os-release",
            b"ID=debian\nVERSION_ID=\"10\"\nVERSION_CODENAME=buster\n",
        )
        .unwrap()
        .file("etc/debian_version", b"10.13\n")
        .unwrap()
        .file("var/lib/dpkg/status", status.as_bytes())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("buster.tar");
    b.write(Layout::DockerOci, &img).unwrap();
    let v = summary_json(cache.path(), &["--input", img.to_str().unwrap()]);
    let urgent: Vec<String> = v["MostUrgent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} {} {}",
                u["VulnerabilityID"].as_str().unwrap(),
                u["PkgName"].as_str().unwrap(),
                u["KEV"]
            )
        })
        .collect();
    assert_eq!(
        urgent,
        [
            "CVE-2021-3156 sudo true",
            "CVE-2021-4034 policykit-1 true",
            "CVE-2019-14287 sudo false",
            "CVE-2021-23239 sudo false",
            "CVE-2022-2097 libssl1.1 false",
        ]
    );
    assert_eq!(v["Vulnerabilities"]["Total"], 10);
    assert_eq!(v["Vulnerabilities"]["Fixable"], 10);
    assert_eq!(v["Vulnerabilities"]["BySeverity"]["UNKNOWN"]["fixed"], 10);
    assert_eq!(v["OS"]["EndOfLife"]["State"], "end-of-life");
    assert_eq!(v["OS"]["EndOfLife"]["SecurityUntil"], "2024-06-30");
}

/// A base candidate in a registry whose manifest claims layer sizes that
/// overflow a u64 when added: read without a panic (the image is not its
/// base: the note says so).
#[test]
fn base_candidate_with_hostile_layer_sizes() {
    use sha2::{Digest, Sha256};
    use support::{Resp, TestServer};
    let sha = |b: &[u8]| format!("sha256:{}", hex::encode(Sha256::digest(b)));
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [
            format!("sha256:{}", "1".repeat(64)), format!("sha256:{}", "2".repeat(64))
        ]}
    }))
    .unwrap();
    let huge = u64::MAX / 2 + 1;
    let layer = |c: &str| {
        serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": format!("sha256:{}", c.repeat(64)), "size": huge})
    };
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha(&config), "size": config.len()},
        "layers": [layer("a"), layer("b")]
    }))
    .unwrap();
    let server = TestServer::start(move |req, _| {
        if req.path == "/v2/" {
            return Resp::ok("{}", &[]);
        }
        if req.path.starts_with("/v2/a/b/manifests/") {
            return Resp::ok(
                manifest.clone(),
                &[("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
            );
        }
        if req.path.starts_with("/v2/a/b/blobs/") {
            return Resp::ok(config.clone(), &[]);
        }
        Resp::status(404, &[])
    });
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.tar");
    app_image(None).write(Layout::DockerOci, &app).unwrap();
    let out = bulkhead(cache.path())
        .args(["image", "--summary", "--offline", "--format", "json"])
        .args(["--image-src", "remote", "--insecure", "--input"])
        .arg(&app)
        .arg("--base-candidates")
        .arg(format!("{}/a/b:1", server.host))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("BaseImage").is_none());
    assert!(
        v["Warnings"]
            .to_string()
            .contains("none of the --base-candidates"),
        "{v}"
    );
}
