//! `bulkhead image --recommend`: three candidate tags of a base repository
//! in Debian's docker-registry on 127.0.0.1 (base:12.1, 12.2, 12.3 with
//! different package versions) and an app image labelled as built on
//! base:12.1; the ranking and each "would fix" list are known answers from
//! the synthetic advisories in `tests/fixtures/advise-osv`:
//!
//! - base:12.1 (the current base): openssl (CRITICAL), zlib (HIGH), curl
//!   (MEDIUM), tiff (LOW, no fix).
//! - base:12.2: openssl and curl fixed; zlib and tiff remain (HIGH + LOW).
//! - base:12.3: openssl, zlib and curl fixed, but its curl brings
//!   CVE-2099-1004 (HIGH); tiff remains (HIGH + LOW), and it is larger.
//!
//! So: 12.2 first (same counts as 12.3, smaller), then 12.3, then 12.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;

mod advise_support;

use advise_support::{V12_1, V12_2, V12_3, app_image, base_image, bulkhead, cache_with_advisories};
use bulkhead_fixtures::Layout;
use bulkhead_image::registry::Registry;
use serde_json::Value;
use std::path::Path;
use support::{LocalRegistry, push_layout, test_options};

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["VulnerabilityID"].as_str().unwrap(),
                f["PkgName"].as_str().unwrap()
            )
        })
        .collect()
}

/// Push base:12.1/12.2/12.3 (12.3 padded to be the largest).
fn push_bases(reg: &LocalRegistry, dir: &Path) {
    let client = Registry::new(&reg.host, test_options()).unwrap();
    for (tag, v, pad) in [
        ("12.1", &V12_1, 0),
        ("12.2", &V12_2, 0),
        ("12.3", &V12_3, 64 * 1024),
    ] {
        let layout = dir.join(format!("base-{tag}"));
        base_image(&format!("base:{tag}"), v, pad)
            .write(Layout::OciDir, &layout)
            .unwrap();
        push_layout(&client, "base", tag, &layout);
    }
}

fn assert_known_ranking(v: &Value, host: &str) {
    let c = v["Candidates"].as_array().unwrap();
    let names: Vec<&str> = c.iter().map(|r| r["Name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            format!("{host}/base:12.2"),
            format!("{host}/base:12.3"),
            format!("{host}/base:12.1"),
        ]
    );
    let ranks: Vec<u64> = c.iter().map(|r| r["Rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, [1, 2, 3]);
    // 12.2 fixes openssl and curl's CVE-2099-1003, introduces nothing.
    assert_eq!(
        ids(&c[0]["WouldFix"]),
        ["CVE-2099-1001 openssl", "CVE-2099-1003 curl"]
    );
    assert_eq!(ids(&c[0]["WouldIntroduce"]), Vec::<String>::new());
    // 12.3 fixes all three and introduces the curl regression.
    assert_eq!(
        ids(&c[1]["WouldFix"]),
        [
            "CVE-2099-1001 openssl",
            "CVE-2099-1002 zlib",
            "CVE-2099-1003 curl"
        ]
    );
    assert_eq!(ids(&c[1]["WouldIntroduce"]), ["CVE-2099-1004 curl"]);
    // The current base changes nothing.
    assert_eq!(c[2]["Current"], true);
    assert_eq!(ids(&c[2]["WouldFix"]), Vec::<String>::new());
    assert_eq!(ids(&c[2]["WouldIntroduce"]), Vec::<String>::new());
    // Counts are each candidate's own findings.
    let counts: Vec<(u64, u64, u64)> = c
        .iter()
        .map(|r| {
            let s = &r["Vulnerabilities"]["BySeverity"];
            let t = |sev: &str| {
                let f = &s[sev];
                f["fixed"].as_u64().unwrap()
                    + f["affected"].as_u64().unwrap()
                    + f["will_not_fix"].as_u64().unwrap()
            };
            (
                t("CRITICAL"),
                t("HIGH"),
                r["Vulnerabilities"]["Total"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [(0, 1, 2), (0, 1, 2), (1, 1, 4)]);
    assert!(c[0]["Size"].as_u64().unwrap() < c[1]["Size"].as_u64().unwrap());
    assert_eq!(c[0]["Closeness"]["TagDistance"], serde_json::json!([0, 1]));
    assert_eq!(c[1]["Closeness"]["TagDistance"], serde_json::json!([0, 2]));
    assert_eq!(c[2]["Closeness"]["SharedLayers"], 1);
    assert_eq!(c[0]["Closeness"]["SharedLayers"], 0);
}

#[test]
fn recommend_from_the_base_repository_tags() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    push_bases(&reg, dir.path());
    let app = dir.path().join("app.tar");
    app_image(Some(&format!("{}/base:12.1", reg.host)))
        .write(Layout::DockerOci, &app)
        .unwrap();
    let run = |format: &str| {
        let out = bulkhead(cache.path())
            .args(["image", "--recommend", "--offline", "--image-src", "remote"])
            .args(["--format", format, "--input"])
            .arg(&app)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let v: Value = serde_json::from_str(&run("json")).unwrap();
    assert_known_ranking(&v, &reg.host);
    // The base is the label's; its findings are the app's own findings in
    // the base layer (not sudo and less, which the app installed).
    assert_eq!(v["BaseImage"]["Source"], "label");
    assert_eq!(v["BaseFindingsFrom"], "base-layers");
    assert_eq!(v["BaseFindings"]["Total"], 4);
    let table = run("table").replace(&reg.host, "REGISTRY");
    insta::assert_snapshot!("recommend_table", table);

    // At most one tag, the current one first.
    let out = bulkhead(cache.path())
        .args(["image", "--recommend", "--offline", "--image-src", "remote"])
        .args(["--format", "json", "--max-candidates", "2", "--input"])
        .arg(&app)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["Candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            format!("{}/base:12.2", reg.host),
            format!("{}/base:12.1", reg.host)
        ]
    );
    assert!(v["Warnings"].to_string().contains("--max-candidates"));
}

#[test]
fn recommend_named_candidates_and_base_by_layers() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    push_bases(&reg, dir.path());
    // No label: the base is found by its layers among --base-candidates.
    let app = dir.path().join("app.tar");
    app_image(None).write(Layout::DockerOci, &app).unwrap();
    let names: Vec<String> = ["12.3", "12.1", "12.2"]
        .iter()
        .map(|t| format!("{}/base:{t}", reg.host))
        .collect();
    let out = bulkhead(cache.path())
        .args(["image", "--recommend", "--offline", "--image-src", "remote"])
        .args(["--format", "json", "--input"])
        .arg(&app)
        .arg("--base-candidates")
        .arg(&names[1])
        .arg("--candidates")
        .arg(names.join(","))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["BaseImage"]["Source"], "layers");
    assert_eq!(v["BaseImage"]["Layers"], 1);
    assert_eq!(v["BaseFindingsFrom"], "base-layers");
    assert_known_ranking(&v, &reg.host);

    // Candidates as files work the same (names are the paths).
    let layouts: Vec<String> = ["12.1", "12.2", "12.3"]
        .iter()
        .map(|t| dir.path().join(format!("base-{t}")).display().to_string())
        .collect();
    let out = bulkhead(cache.path())
        .args([
            "image",
            "--recommend",
            "--offline",
            "--format",
            "json",
            "--input",
        ])
        .arg(&app)
        .arg("--base-candidates")
        .arg(&layouts[0])
        .arg("--candidates")
        .arg(layouts.join(","))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ranked: Vec<&str> = v["Candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(ranked, [&layouts[1], &layouts[2], &layouts[0]]);
}

#[test]
fn recommend_needs_a_base_or_candidates() {
    let cache = cache_with_advisories();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.tar");
    app_image(None).write(Layout::DockerOci, &app).unwrap();
    let out = bulkhead(cache.path())
        .args(["image", "--recommend", "--offline", "--input"])
        .arg(&app)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--candidates"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // A named candidate that does not exist is an input error too.
    bulkhead(cache.path())
        .args(["image", "--recommend", "--offline", "--image-src", "remote"])
        .args(["--candidates", "/nonexistent/base.tar", "--input"])
        .arg(&app)
        .assert()
        .code(2);
}
