//! `bulkhead diff A B` on images built by the test image builder: known
//! package changes, known vulnerability deltas (the committed demo
//! advisories, and the real Debian records of the shared OSV mirror),
//! config changes, formats, exit codes and input errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_NO_CACHE")
        .env_remove("NO_COLOR");
    c
}

fn shared_osv() -> Option<PathBuf> {
    bulkhead_testkit::require::shared("osv/ecosystems.txt").map(|s| s.join("osv"))
}

fn import(cache: &Path, paths: &[PathBuf]) {
    let out = bulkhead(cache)
        .args(["db", "import"])
        .args(paths)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "db import failed: {stderr}");
}

/// A cache whose database holds the four committed demo advisories
/// (DSA-5343-1 openssl, DSA-5218-1 zlib, DSA-5330-1 and DSA-5365-1 curl).
fn demo_cache(work: &Path) -> PathBuf {
    let cache = work.join("cache");
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    import(&cache, &[dir]);
    cache
}

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION_CODENAME=bullseye\nID=debian\n";

/// (package, source, version)
type Deb<'a> = (&'a str, &'a str, &'a str);

fn status(pkgs: &[Deb]) -> String {
    let mut s = String::new();
    for (name, src, ver) in pkgs {
        s.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n"
        ));
        if !src.is_empty() {
            s.push_str(&format!("Source: {src}\n"));
        }
        s.push_str(&format!("Version: {ver}\n\n"));
    }
    s
}

/// A Debian 11 image: a base layer (os-release) shared by every image built
/// here, then one layer with the package database and Python packages.
fn image(
    dir: &Path,
    file: &str,
    tag: &str,
    debs: &[Deb],
    pypi: &[(&str, &str)],
    config: &[(&str, Value)],
) -> PathBuf {
    let mut b = ImageBuilder::new().tag(tag);
    for (k, v) in config {
        b = b.config(k, v.clone());
    }
    b.layer("ADD rootfs.tar /")
        .file("etc/os-release", OS_RELEASE.as_bytes())
        .unwrap()
        .file("etc/debian_version", b"11.6\n")
        .unwrap();
    let l = b.layer("RUN apt-get install && pip install");
    l.file("var/lib/dpkg/status", status(debs).as_bytes())
        .unwrap();
    for (name, ver) in pypi {
        l.file(
            &format!("usr/lib/python3/dist-packages/{name}-{ver}.dist-info/METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n").as_bytes(),
        )
        .unwrap();
    }
    let out = dir.join(file);
    // `x.tar`: docker-archive; anything else: an OCI layout directory.
    let layout = if file.ends_with(".tar") {
        Layout::DockerLegacy
    } else {
        Layout::OciDir
    };
    b.write(layout, &out).unwrap();
    out
}

/// v1: old libssl1.1 (below DSA-5343-1), zlib1g below DSA-5218-1, sudo
/// below DSA-5321-1, bash, Jinja2 2.10; root, port 80, a TOKEN env.
fn v1(dir: &Path) -> PathBuf {
    v1_as(dir, "v1.tar")
}

fn v1_as(dir: &Path, file: &str) -> PathBuf {
    image(
        dir,
        file,
        "example/app:1",
        &[
            ("libssl1.1", "openssl", "1.1.1n-0+deb11u3"),
            ("zlib1g", "zlib", "1:1.2.11.dfsg-2+deb11u1"),
            ("sudo", "", "1.9.5p2-3"),
            ("bash", "", "5.1-2+deb11u1"),
        ],
        &[("Jinja2", "2.9"), ("six", "1.16.0")],
        &[
            ("User", json!("")),
            (
                "Env",
                json!(["PATH=/usr/bin:/bin", "TOKEN=v1-token-value", "OLD_FLAG=1"]),
            ),
            ("ExposedPorts", json!({"80/tcp": {}})),
            ("Labels", json!({"org.opencontainers.image.version": "1"})),
        ],
    )
}

/// v2: libssl1.1 upgraded to the DSA-5343-1 fix, zlib1g unchanged, sudo
/// removed, curl added below DSA-5330-1 and DSA-5365-1, bash downgraded,
/// Jinja2 upgraded to 2.10 (below 2.9 as strings, above it in PEP 440);
/// user 1000, port 8080, TOKEN changed, OLD_FLAG gone, NEW_FLAG added.
fn v2(dir: &Path) -> PathBuf {
    v2_as(dir, "v2.tar")
}

fn v2_as(dir: &Path, file: &str) -> PathBuf {
    image(
        dir,
        file,
        "example/app:2",
        &[
            ("libssl1.1", "openssl", "1.1.1n-0+deb11u4"),
            ("zlib1g", "zlib", "1:1.2.11.dfsg-2+deb11u1"),
            ("curl", "", "7.74.0-1.3+deb11u3"),
            ("bash", "", "5.1-2"),
        ],
        &[("Jinja2", "2.10"), ("six", "1.16.0")],
        &[
            ("User", json!("1000")),
            (
                "Env",
                json!(["PATH=/usr/bin:/bin", "TOKEN=v2-token-value", "NEW_FLAG=1"]),
            ),
            ("ExposedPorts", json!({"8080/tcp": {}})),
            ("Labels", json!({"org.opencontainers.image.version": "2"})),
            (
                "Healthcheck",
                json!({"Test": ["CMD", "/usr/bin/curl", "-f", "http://localhost:8080/"]}),
            ),
        ],
    )
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn diff(cache: &Path, args: &[&str]) -> Run {
    let out = bulkhead(cache)
        .args(["diff", "--offline"])
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

fn diff_json(cache: &Path, a: &Path, b: &Path, extra: &[&str]) -> Value {
    let r = diff(
        cache,
        &[
            &["--format", "json", a.to_str().unwrap(), b.to_str().unwrap()],
            extra,
        ]
        .concat(),
    );
    assert!(
        r.code == 0 || r.code == 1,
        "diff failed ({}): {}",
        r.code,
        r.stderr
    );
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
}

/// Sorted "pkg id" of a list of vulnerabilities.
fn ids(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["PkgName"].as_str().unwrap(),
                v["VulnerabilityID"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

/// Sorted "type name before→after" of a list of package changes.
fn changes(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}->{}",
                c["Ecosystem"].as_str().unwrap(),
                c["Name"].as_str().unwrap(),
                c["Before"].as_str().unwrap_or("-"),
                c["After"].as_str().unwrap_or("-")
            )
        })
        .collect();
    v.sort();
    v
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

const OPENSSL_5343: [&str; 5] = [
    "libssl1.1 CVE-2022-2097",
    "libssl1.1 CVE-2022-4304",
    "libssl1.1 CVE-2022-4450",
    "libssl1.1 CVE-2023-0215",
    "libssl1.1 CVE-2023-0286",
];
const CURL_5330_5365: [&str; 3] = [
    "curl CVE-2022-32221",
    "curl CVE-2022-43552",
    "curl CVE-2023-23916",
];

fn assert_package_and_config_changes(d: &Value) {
    let p = &d["Packages"];
    assert_eq!(
        changes(&p["Upgraded"]),
        [
            "debian libssl1.1 1.1.1n-0+deb11u3->1.1.1n-0+deb11u4",
            "python-pkg Jinja2 2.9->2.10"
        ]
    );
    assert_eq!(
        changes(&p["Downgraded"]),
        ["debian bash 5.1-2+deb11u1->5.1-2"]
    );
    assert_eq!(changes(&p["Removed"]), ["debian sudo 1.9.5p2-3->-"]);
    assert_eq!(changes(&p["Added"]), ["debian curl -->7.74.0-1.3+deb11u3"]);
    assert_eq!(p["Changed"], json!([]));
    // zlib1g and six.
    assert_eq!(p["Unchanged"], 2);
    let l = &d["Layers"];
    assert_eq!(
        (
            l["Shared"].as_u64(),
            l["Before"].as_u64(),
            l["After"].as_u64()
        ),
        (Some(1), Some(2), Some(2))
    );
    let c = &d["Config"];
    assert_eq!(c["User"], json!({"After": "1000"}));
    assert_eq!(strs(&c["Env"]["Added"]), ["NEW_FLAG"]);
    assert_eq!(strs(&c["Env"]["Removed"]), ["OLD_FLAG"]);
    assert_eq!(strs(&c["Env"]["Changed"]), ["TOKEN"]);
    assert_eq!(strs(&c["ExposedPorts"]["Added"]), ["8080/tcp"]);
    assert_eq!(strs(&c["ExposedPorts"]["Removed"]), ["80/tcp"]);
    assert!(c["Healthcheck"]["After"].as_str().unwrap().contains("curl"));
    assert!(c.get("Cmd").is_none() && c.get("Entrypoint").is_none());
    assert_eq!(c["Labels"][0]["Name"], "org.opencontainers.image.version");
    // Env values never leave the tool.
    assert!(!d.to_string().contains("token-value"), "{d}");
}

/// Known answers on the committed demo advisories (runs without ../shared).
#[test]
fn demo_advisories_known_answers() {
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let (a, b) = (v1(work.path()), v2(work.path()));
    let d = diff_json(&cache, &a, &b, &[]);
    assert_eq!(d["SchemaVersion"], 1);
    assert_eq!(ids(&d["Vulnerabilities"]["Fixed"]), OPENSSL_5343);
    assert_eq!(ids(&d["Vulnerabilities"]["Introduced"]), CURL_5330_5365);
    // zlib1g CVE-2022-37434 in both.
    assert_eq!(d["Vulnerabilities"]["Unchanged"], 1);
    assert_eq!(d["Summary"]["Introduced"]["UNKNOWN"], 3);
    assert_eq!(d["Before"]["Name"], "example/app:1");
    assert_eq!(d["After"]["OS"], "debian 11.6");
    assert_package_and_config_changes(&d);
    // Reversed: what B→A fixes is what A→B introduced.
    let r = diff_json(&cache, &b, &a, &[]);
    assert_eq!(ids(&r["Vulnerabilities"]["Fixed"]), CURL_5330_5365);
    assert_eq!(ids(&r["Vulnerabilities"]["Introduced"]), OPENSSL_5343);
    assert_eq!(
        changes(&r["Packages"]["Upgraded"]),
        ["debian bash 5.1-2->5.1-2+deb11u1"]
    );
}

/// Known answers against the real Debian records of the shared mirror: v1's
/// libssl1.1 1.1.1n-0+deb11u3 is below DSA-5343-1 (fixed deb11u4; DSA-5169-1
/// is fixed at deb11u3 itself), sudo 1.9.5p2-3 below DSA-5321-1
/// (1.9.5p2-3+deb11u1), zlib1g 1:1.2.11.dfsg-2+deb11u1 below DSA-5218-1
/// (deb11u2) in both; v2's curl 7.74.0-1.3+deb11u3 is above DSA-5197-1
/// (deb11u2) and below DSA-5330-1 (deb11u5) and DSA-5365-1 (deb11u7).
#[test]
fn shared_mirror_debian_known_answers() {
    let Some(osv) = shared_osv() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    import(&cache, &[osv.join("Debian/all.zip")]);
    let (a, b) = (v1(work.path()), v2(work.path()));
    let d = diff_json(&cache, &a, &b, &[]);
    let mut fixed: Vec<String> = OPENSSL_5343.iter().map(|s| s.to_string()).collect();
    fixed.push("sudo CVE-2023-22809".to_string());
    fixed.sort();
    assert_eq!(ids(&d["Vulnerabilities"]["Fixed"]), fixed);
    assert_eq!(ids(&d["Vulnerabilities"]["Introduced"]), CURL_5330_5365);
    assert_eq!(d["Vulnerabilities"]["Unchanged"], 1);
    let vendor: Vec<&str> = d["Vulnerabilities"]["Introduced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["VendorIDs"][0].as_str().unwrap())
        .collect();
    assert!(
        vendor.contains(&"DSA-5330-1") && vendor.contains(&"DSA-5365-1"),
        "{vendor:?}"
    );
    assert_package_and_config_changes(&d);
}

#[test]
fn exit_codes_follow_introduced_findings_only() {
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let (a, b) = (v1(work.path()), v2(work.path()));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let run = |args: &[&str]| diff(&cache, &[&["--format", "json", a, b], args].concat());
    // B introduces three UNKNOWN findings.
    assert_eq!(run(&["--exit-code", "4"]).code, 4);
    assert_eq!(run(&["--fail-on", "UNKNOWN"]).code, 1);
    assert_eq!(run(&["--fail-on", "LOW"]).code, 0);
    // --severity hides them: --exit-code sees nothing shown, --fail-on still fails.
    let r = run(&["--severity", "HIGH,CRITICAL", "--exit-code", "4"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(d["Summary"]["HiddenBySeverity"], 8);
    assert_eq!(d["Vulnerabilities"]["Introduced"], json!([]));
    assert_eq!(run(&["--severity", "HIGH", "--fail-on", "UNKNOWN"]).code, 1);
    // A → B fixes the openssl findings; the reverse introduces them.
    let r = diff(&cache, &["--format", "json", "--exit-code", "5", b, a]);
    assert_eq!(r.code, 5);
    // An ignore file removes findings from both sides before comparing.
    let ignore = work.path().join("ignore");
    std::fs::write(&ignore, "CVE-2022-32221\nCVE-2022-43552\nCVE-2023-23916\n").unwrap();
    let r = run(&["--exit-code", "4", "--ignorefile", ignore.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn identical_images_make_an_empty_diff() {
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let a = v1(work.path());
    let d = diff_json(
        &cache,
        &a,
        &a,
        &["--exit-code", "1", "--fail-on", "UNKNOWN"],
    );
    assert_eq!(d["Vulnerabilities"]["Fixed"], json!([]));
    assert_eq!(d["Vulnerabilities"]["Introduced"], json!([]));
    assert_eq!(d["Vulnerabilities"]["Unchanged"], 6);
    for k in ["Added", "Removed", "Upgraded", "Downgraded", "Changed"] {
        assert_eq!(d["Packages"][k], json!([]), "{k}");
    }
    assert_eq!(d["Config"], json!({}));
    assert_eq!(d["Layers"]["Shared"], 2);
    let r = diff(
        &cache,
        &[
            "--format",
            "table",
            a.to_str().unwrap(),
            a.to_str().unwrap(),
            "--exit-code",
            "1",
        ],
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("No differences."), "{}", r.stdout);
}

#[test]
fn snapshots_of_the_three_formats() {
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let (a, b) = (v1(work.path()), v2(work.path()));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    for format in ["table", "markdown", "json"] {
        let r = diff(&cache, &["--format", format, "--no-color", a, b]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        insta::assert_snapshot!(format!("diff_{format}"), r.stdout);
    }
    // --output writes the same text to a file; --input-a/--input-b name the files.
    let out = work.path().join("diff.md");
    let r = diff(
        &cache,
        &[
            "--format",
            "markdown",
            "--output",
            out.to_str().unwrap(),
            "--input-a",
            a,
            "--input-b",
            b,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("<details><summary>Introduced vulnerabilities (3)</summary>"),
        "{md}"
    );
}

#[test]
fn missing_targets_are_input_errors_naming_the_image() {
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let a = v1(work.path());
    let missing = work.path().join("nope.tar");
    let r = diff(&cache, &[a.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("image B (after)"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let r = diff(
        &cache,
        &["--input-a", missing.to_str().unwrap(), a.to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("image A (before)"), "{}", r.stderr);
    let r = diff(&cache, &[a.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("image B (after) is missing"),
        "{}",
        r.stderr
    );
    // A file that is not an image.
    let junk = work.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar").unwrap();
    let r = diff(&cache, &[junk.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot scan image A (before)"),
        "{}",
        r.stderr
    );
    let r = diff(
        &cache,
        &[
            "--format",
            "sarif",
            a.to_str().unwrap(),
            a.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("markdown"), "{}", r.stderr);
    // Scanners the diff does not compare are refused, not silently ignored.
    let r = diff(
        &cache,
        &[
            "--scanners",
            "secret,misconfig",
            a.to_str().unwrap(),
            a.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--scanners secret,misconfig is not supported"),
        "{}",
        r.stderr
    );
    let r = diff(
        &cache,
        &[
            "--scanners",
            "vuln",
            a.to_str().unwrap(),
            a.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A from a registry (Debian's docker-registry on 127.0.0.1), B from an OCI
/// layout dir: the same answers as from files, and B's shared base layer is
/// a layer cache hit after A was scanned.
#[test]
fn registry_name_against_a_layout_dir_reuses_shared_layers() {
    let Some(reg) = support::LocalRegistry::start(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let a = v1_as(work.path(), "v1-oci");
    let b = v2_as(work.path(), "v2-oci");
    let client =
        bulkhead_image::registry::Registry::new(&reg.host, support::test_options()).unwrap();
    support::push_layout(&client, "bulkhead-test/diff", "1", &a);
    let name = format!("{}/bulkhead-test/diff:1", reg.host);
    let r = diff(
        &cache,
        &[
            "-v",
            "--format",
            "json",
            "--image-src",
            "remote",
            &name,
            b.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("layer cache: 0 of 2 layers reused"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("layer cache: 1 of 2 layers reused"),
        "{}",
        r.stderr
    );
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(d["Before"]["Name"], name);
    assert_eq!(ids(&d["Vulnerabilities"]["Fixed"]), OPENSSL_5343);
    assert_eq!(ids(&d["Vulnerabilities"]["Introduced"]), CURL_5330_5365);
    assert_package_and_config_changes(&d);
    // A name that is in no source: exit 2 naming image B.
    let missing = format!("{}/bulkhead-test/diff:nope", reg.host);
    let r = diff(&cache, &["--image-src", "remote", &name, &missing]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot scan image B (after)"),
        "{}",
        r.stderr
    );
}
