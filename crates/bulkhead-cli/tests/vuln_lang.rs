//! Known-answer vulnerability tests for language packages, end to end
//! through `bulkhead db import` + `bulkhead image --input` / `bulkhead fs`.
//!
//! - PyPI, crates.io and Go against the shared OSV mirror
//!   (`<repo>/../shared/osv`; skipped loudly when missing, failing under
//!   CI=true). Only the needed ecosystem zips are imported. Every expected
//!   id below was read from the advisory JSON in the mirror's zip.
//! - RubyGems and Packagist against the real advisories of
//!   `<repo>/../shared/osv-lang`, the expected findings read from its zips.
//! - npm, Maven and NuGet (absent from the shared data) against the small
//!   OSV fixtures in tests/fixtures/lang-osv (see its README for the
//!   advisories they follow).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn shared_osv() -> Option<PathBuf> {
    bulkhead_testkit::require::shared("osv/ecosystems.txt").map(|s| s.join("osv"))
}

/// Real fixtures of the analyzer crate (pip, go1.19.8, cargo; see
/// crates/bulkhead-analyzers/tests/lang_fixtures.rs for the tool versions).
fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../bulkhead-analyzers/tests/fixtures/lang")
        .join(rel);
    let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    if rel.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data.as_slice())
            .read_to_end(&mut out)
            .unwrap();
        return out;
    }
    data
}

fn osv_fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang-osv")
}

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_TEST_PAUSE_AT");
    c
}

fn import(cache: &Path, paths: &[PathBuf]) {
    let out = bulkhead(cache)
        .args(["db", "import"])
        .args(paths)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "db import failed: {stderr}");
    assert!(stderr.contains("0 malformed skipped"), "{stderr}");
}

/// A cache with only the PyPI, crates.io and Go zips of the shared mirror.
fn mirror_cache(work: &Path) -> Option<PathBuf> {
    let osv = shared_osv()?;
    let cache = work.join("cache");
    import(
        &cache,
        &["PyPI", "crates.io", "Go"].map(|e| osv.join(e).join("all.zip")),
    );
    Some(cache)
}

fn run_scan(cache: &Path, args: &[&str], target: &Path) -> Value {
    let out = bulkhead(cache).args(args).arg(target).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "scan failed: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

fn scan_image(cache: &Path, image: &Path) -> Value {
    run_scan(
        cache,
        &["image", "--offline", "--format", "json", "--input"],
        image,
    )
}

fn scan_fs(cache: &Path, dir: &Path) -> Value {
    run_scan(cache, &["fs", "--offline", "--format", "json"], dir)
}

/// Sorted "name version advisory-id fixed" of every finding; the advisory
/// id is the record id (VendorIDs[0]), the VulnerabilityID its CVE alias.
fn findings(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().cloned().unwrap_or_default())
        .map(|v| {
            format!(
                "{} {} {} {}",
                v["PkgName"].as_str().unwrap(),
                v["InstalledVersion"].as_str().unwrap(),
                v["VendorIDs"][0]
                    .as_str()
                    .or(v["VulnerabilityID"].as_str())
                    .unwrap(),
                v["FixedVersion"].as_str().unwrap_or("")
            )
        })
        .collect();
    v.sort();
    v
}

/// Sorted "name version" of every package listed (with --list-all-pkgs), to
/// show that a negative was inventoried, not missed.
fn packages(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Packages"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            format!(
                "{} {}",
                p["Name"].as_str().unwrap(),
                p["Version"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

fn for_pkg(all: &[String], name: &str) -> Vec<String> {
    all.iter()
        .filter(|f| f.split(' ').next() == Some(name))
        .cloned()
        .collect()
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().into_iter().flatten())
        .find(|v| v["VendorIDs"][0] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

fn metadata(name: &str, version: &str) -> String {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n\n")
}

/// Every GO- advisory of the mirror whose `stdlib` ranges hold 1.19.8
/// (the Go toolchain of goapp-go1.19.8), read from the advisory JSON in
/// Go/all.zip: first fixed in 1.19.9 (GO-2023-1751/1752/1753), 1.19.10
/// (GO-2023-1840), 1.19.11 (GO-2023-1878), 1.19.12 (GO-2023-1987), and
/// later ones whose only fixes are in newer minor releases (the 1.19 line
/// was no longer maintained).
const STDLIB_1_19_8: &[&str] = &[
    "GO-2023-1751 1.19.9",
    "GO-2023-1752 1.19.9",
    "GO-2023-1753 1.19.9",
    "GO-2023-1840 1.19.10",
    "GO-2023-1878 1.19.11",
    "GO-2023-1987 1.19.12",
    "GO-2023-2041 1.20.8",
    "GO-2023-2043 1.20.8",
    "GO-2023-2102 1.20.10",
    "GO-2023-2185 1.20.11",
    "GO-2023-2186 1.20.11",
    "GO-2023-2375 1.20.0",
    "GO-2023-2382 1.20.12",
    "GO-2024-2598 1.21.8",
    "GO-2024-2599 1.21.8",
    "GO-2024-2600 1.21.8",
    "GO-2024-2609 1.21.8",
    "GO-2024-2610 1.21.8",
    "GO-2024-2687 1.21.9",
    "GO-2024-2887 1.21.11",
    "GO-2024-2888 1.21.11",
    "GO-2024-2963 1.21.12",
    "GO-2024-3105 1.22.7",
    "GO-2024-3106 1.22.7",
    "GO-2024-3107 1.22.7",
    "GO-2025-3373 1.22.11",
    "GO-2025-3420 1.22.11",
    "GO-2025-3447 1.22.12",
    "GO-2025-3503 1.23.7",
    "GO-2025-3563 1.23.8",
    "GO-2025-3750 1.23.10",
    "GO-2025-3751 1.23.10",
    "GO-2025-3849 1.23.12",
    "GO-2025-3956 1.23.12",
    "GO-2025-4006 1.24.8",
    "GO-2025-4007 1.24.9",
    "GO-2025-4008 1.24.8",
    "GO-2025-4009 1.24.8",
    "GO-2025-4010 1.24.8",
    "GO-2025-4011 1.24.8",
    "GO-2025-4012 1.24.8",
    "GO-2025-4013 1.24.8",
    "GO-2025-4014 1.24.8",
    "GO-2025-4015 1.24.8",
    "GO-2025-4155 1.24.11",
    "GO-2025-4175 1.24.11",
    "GO-2026-4337 1.24.13",
    "GO-2026-4340 1.24.12",
    "GO-2026-4341 1.24.12",
    "GO-2026-4342 1.24.12",
    "GO-2026-4403 1.23.9",
    "GO-2026-4601 1.25.8",
    "GO-2026-4602 1.25.8",
    "GO-2026-4603 1.25.8",
    "GO-2026-4864 1.25.9",
    "GO-2026-4865 1.25.9",
    "GO-2026-4869 1.25.9",
    "GO-2026-4870 1.25.9",
    "GO-2026-4918 1.25.10",
    "GO-2026-4946 1.25.9",
    "GO-2026-4947 1.25.9",
    "GO-2026-4970 1.25.12",
    "GO-2026-4971 1.25.10",
    "GO-2026-4976 1.25.10",
    "GO-2026-4977 1.25.10",
    "GO-2026-4980 1.25.10",
    "GO-2026-4981 1.25.10",
    "GO-2026-4982 1.25.10",
    "GO-2026-4986 1.25.10",
    "GO-2026-5026 1.25.13",
    "GO-2026-5037 1.25.11",
    "GO-2026-5038 1.25.11",
    "GO-2026-5039 1.25.11",
    "GO-2026-5856 1.25.12",
    "GO-2026-5972 1.25.13",
    "GO-2026-6088 1.25.13",
    "GO-2026-6089 1.25.13",
    "GO-2026-6090 1.25.13",
    "GO-2026-6091 1.25.13",
    "GO-2026-6218 1.25.13",
];

/// An image with pip-installed dist-info (Jinja2 2.10, urllib3 1.24.1,
/// six 1.11.0) and a Go 1.19.8 binary using golang.org/x/text v0.3.5.
#[test]
fn pypi_and_go_binary_in_an_image() {
    let work = tempfile::tempdir().unwrap();
    let Some(cache) = mirror_cache(work.path()) else {
        return;
    };
    let sp = "usr/lib/python3/site-packages";
    let mut b = ImageBuilder::new();
    b.layer("RUN pip install")
        .file(
            &format!("{sp}/Jinja2-2.10.dist-info/METADATA"),
            &fixture("python/site-packages/Jinja2-2.10.dist-info/METADATA"),
        )
        .unwrap()
        .file(
            &format!("{sp}/urllib3-1.24.1.dist-info/METADATA"),
            &fixture("python/site-packages/urllib3-1.24.1.dist-info/METADATA"),
        )
        .unwrap()
        .file(
            &format!("{sp}/six-1.11.0.dist-info/METADATA"),
            &fixture("python/site-packages/six-1.11.0.dist-info/METADATA"),
        )
        .unwrap();
    b.layer("COPY goapp")
        .file_mode(
            "usr/local/bin/goapp",
            &fixture("go/goapp-go1.19.8.gz"),
            0o755,
        )
        .unwrap();
    let image = work.path().join("lang.tar");
    b.write(Layout::DockerLegacy, &image).unwrap();
    let report = scan_image(&cache, &image);
    let all = findings(&report);

    // Jinja2 2.10: PYSEC-2019-217 (CVE-2019-10906, fixed 2.10.1) and
    // PYSEC-2021-66 (CVE-2020-28493, fixed 2.11.3).
    assert_eq!(
        for_pkg(&all, "Jinja2"),
        [
            "Jinja2 2.10 PYSEC-2019-217 2.10.1",
            "Jinja2 2.10 PYSEC-2021-66 2.11.3",
        ]
    );
    // urllib3 1.24.1: seven PYSEC records, from PYSEC-2019-133
    // (CVE-2019-11324, fixed 1.24.2) to PYSEC-2023-212 (CVE-2023-45803,
    // fixed 1.26.18).
    assert_eq!(
        for_pkg(&all, "urllib3"),
        [
            "urllib3 1.24.1 PYSEC-2019-132 1.24.3",
            "urllib3 1.24.1 PYSEC-2019-133 1.24.2",
            "urllib3 1.24.1 PYSEC-2020-148 1.25.9",
            "urllib3 1.24.1 PYSEC-2021-108 1.26.5",
            "urllib3 1.24.1 PYSEC-2023-192 1.26.17",
            "urllib3 1.24.1 PYSEC-2023-207 1.24.2",
            "urllib3 1.24.1 PYSEC-2023-212 1.26.18",
        ]
    );
    // six has no PYSEC record: nothing.
    assert!(for_pkg(&all, "six").is_empty());
    let v = finding(&report, "PYSEC-2019-217");
    assert_eq!(v["VulnerabilityID"], "CVE-2019-10906");
    assert_eq!(v["Layer"]["Index"], 0);

    // golang.org/x/text v0.3.5: GO-2021-0113 (CVE-2021-38561, fixed
    // 0.3.7), GO-2022-1059 (CVE-2022-32149, fixed 0.3.8), GO-2026-5970
    // (CVE-2026-56852, fixed 0.39.0).
    assert_eq!(
        for_pkg(&all, "golang.org/x/text"),
        [
            "golang.org/x/text v0.3.5 GO-2021-0113 0.3.7",
            "golang.org/x/text v0.3.5 GO-2022-1059 0.3.8",
            "golang.org/x/text v0.3.5 GO-2026-5970 0.39.0",
        ]
    );
    // stdlib, matched by the toolchain version go1.19.8.
    let stdlib: Vec<String> = STDLIB_1_19_8
        .iter()
        .map(|s| format!("stdlib v1.19.8 {s}"))
        .collect();
    assert_eq!(for_pkg(&all, "stdlib"), stdlib);
    let v = finding(&report, "GO-2023-1751");
    assert_eq!(v["VulnerabilityID"], "CVE-2023-24539");
    assert_eq!(v["Layer"]["Index"], 1);
    assert_eq!(all.len(), 2 + 7 + 3 + STDLIB_1_19_8.len(), "{all:#?}");

    // Negatives: at the fixes. Jinja2 2.11.3 and urllib3 1.26.18 match no
    // record of the mirror.
    let mut b = ImageBuilder::new();
    b.layer("RUN pip install")
        .file(
            &format!("{sp}/Jinja2-2.11.3.dist-info/METADATA"),
            metadata("Jinja2", "2.11.3").as_bytes(),
        )
        .unwrap()
        .file(
            &format!("{sp}/urllib3-1.26.18.dist-info/METADATA"),
            metadata("urllib3", "1.26.18").as_bytes(),
        )
        .unwrap();
    let fixed = work.path().join("fixed.tar");
    b.write(Layout::DockerLegacy, &fixed).unwrap();
    let report = run_scan(
        &cache,
        &[
            "image",
            "--offline",
            "--format",
            "json",
            "--list-all-pkgs",
            "--input",
        ],
        &fixed,
    );
    assert!(findings(&report).is_empty(), "{:?}", findings(&report));
    assert_eq!(packages(&report), ["Jinja2 2.11.3", "urllib3 1.26.18"]);
}

/// `bulkhead fs`: Cargo.lock (cargo 1.95, smallvec 1.6.0), go.mod and a
/// pinned requirements.txt.
#[test]
fn crates_go_mod_and_requirements_in_a_folder() {
    let work = tempfile::tempdir().unwrap();
    let Some(cache) = mirror_cache(work.path()) else {
        return;
    };
    let dir = work.path().join("proj");
    std::fs::create_dir_all(dir.join("rs")).unwrap();
    std::fs::create_dir_all(dir.join("go")).unwrap();
    std::fs::write(dir.join("rs/Cargo.lock"), fixture("rust/Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("go/go.mod"),
        "module example.com/app\n\ngo 1.19\n\nrequire golang.org/x/text v0.3.5\n",
    )
    .unwrap();
    std::fs::write(dir.join("requirements.txt"), "requests==2.19.1\n").unwrap();
    let all = findings(&scan_fs(&cache, &dir));
    assert_eq!(
        all,
        [
            // golang.org/x/text < 0.3.7, < 0.3.8, < 0.39.0 (see above).
            "golang.org/x/text v0.3.5 GO-2021-0113 0.3.7",
            "golang.org/x/text v0.3.5 GO-2022-1059 0.3.8",
            "golang.org/x/text v0.3.5 GO-2026-5970 0.39.0",
            // requests: PYSEC-2018-28 (CVE-2018-18074, fixed 2.20.0) and
            // PYSEC-2023-74 (CVE-2023-32681, [2.3.0, 2.31.0)).
            "requests 2.19.1 PYSEC-2018-28 2.20.0",
            "requests 2.19.1 PYSEC-2023-74 2.31.0",
            // RUSTSEC-2021-0003 (CVE-2021-25900): [1.0.0, 1.6.1). The other
            // smallvec records (RUSTSEC-2018-0003, -2018-0018, -2019-0009,
            // -2019-0012) cover 0.x only.
            "smallvec 1.6.0 RUSTSEC-2021-0003 1.6.1",
        ],
    );

    // At/above the fixes: nothing, or only what the newer version still has.
    std::fs::write(
        dir.join("rs/Cargo.lock"),
        String::from_utf8(fixture("rust/Cargo.lock"))
            .unwrap()
            .replace("version = \"1.6.0\"", "version = \"1.6.1\""),
    )
    .unwrap();
    std::fs::write(
        dir.join("go/go.mod"),
        "module example.com/app\n\ngo 1.19\n\nrequire golang.org/x/text v0.3.8\n",
    )
    .unwrap();
    std::fs::write(dir.join("requirements.txt"), "requests==2.31.0\n").unwrap();
    let report = run_scan(
        &cache,
        &["fs", "--offline", "--format", "json", "--list-all-pkgs"],
        &dir,
    );
    assert_eq!(
        findings(&report),
        ["golang.org/x/text v0.3.8 GO-2026-5970 0.39.0"]
    );
    assert_eq!(
        packages(&report),
        [
            "golang.org/x/text v0.3.8",
            "requests 2.31.0",
            "rsapp 0.1.0",
            "smallvec 1.6.1"
        ]
    );
}

/// A jar holding only a Maven pom.properties (the way Maven packages one).
fn pom_jar(group: &str, artifact: &str, version: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("META-INF/MANIFEST.MF", opts).unwrap();
        z.write_all(b"Manifest-Version: 1.0\r\n\r\n").unwrap();
        z.start_file(
            format!("META-INF/maven/{group}/{artifact}/pom.properties"),
            opts,
        )
        .unwrap();
        write!(
            z,
            "groupId={group}\nartifactId={artifact}\nversion={version}\n"
        )
        .unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// Hand-written lockfiles (npm, bundler and composer need their registries,
/// unreachable here; packages.lock.json needs the .NET SDK, not installed),
/// following each format's documentation, and Maven jars.
fn write_project(dir: &Path, v: &Versions) {
    std::fs::create_dir_all(dir.join("web")).unwrap();
    std::fs::create_dir_all(dir.join("rb")).unwrap();
    std::fs::create_dir_all(dir.join("php")).unwrap();
    std::fs::create_dir_all(dir.join("net")).unwrap();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::write(
        dir.join("web/package-lock.json"),
        format!(
            r#"{{"name":"web","version":"1.0.0","lockfileVersion":3,"requires":true,
"packages":{{"":{{"name":"web","version":"1.0.0","dependencies":{{"lodash":"^4.17.0","left-pad":"1.0.0"}}}},
"node_modules/lodash":{{"version":"{}","resolved":"https://registry.npmjs.org/lodash/-/lodash-{}.tgz"}},
"node_modules/left-pad":{{"version":"1.0.0","resolved":"https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz"}}}}}}"#,
            v.lodash, v.lodash
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("rb/Gemfile.lock"),
        format!(
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri ({})\n      racc (~> 1.4)\n    racc (1.6.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  nokogiri\n\nBUNDLED WITH\n   2.3.7\n",
            v.nokogiri
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("php/composer.lock"),
        format!(
            r#"{{"content-hash":"0","packages":[{{"name":"guzzlehttp/guzzle","version":"{}","type":"library"}},{{"name":"guzzlehttp/promises","version":"1.5.1","type":"library"}}],"packages-dev":[]}}"#,
            v.guzzle
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("net/packages.lock.json"),
        format!(
            r#"{{"version":1,"dependencies":{{"net6.0":{{"Newtonsoft.Json":{{"type":"Direct","requested":"[{0}, )","resolved":"{0}"}},"Newtonsoft.Json.Bson":{{"type":"Direct","requested":"[1.0.2, )","resolved":"1.0.2"}}}}}}}}"#,
            v.newtonsoft
        ),
    )
    .unwrap();
    for (i, ver) in v.log4j.iter().enumerate() {
        std::fs::write(
            dir.join(format!("lib/log4j-core-{i}.jar")),
            pom_jar("org.apache.logging.log4j", "log4j-core", ver),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("lib/log4j-api.jar"),
        pom_jar("org.apache.logging.log4j", "log4j-api", v.log4j[0]),
    )
    .unwrap();
}

struct Versions {
    lodash: &'static str,
    nokogiri: &'static str,
    guzzle: &'static str,
    newtonsoft: &'static str,
    log4j: &'static [&'static str],
}

/// npm, Maven and NuGet against the fixtures in tests/fixtures/lang-osv
/// (RubyGems and Packagist lockfiles are still parsed here, their advisories
/// come from the shared data in the test below). Negatives: the fixed
/// versions (including log4j-core 2.12.2, the upper bound of the middle
/// range), and packages beside them that no record names (left-pad,
/// log4j-api, Newtonsoft.Json.Bson).
#[test]
fn every_other_ecosystem_through_fixtures() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    import(&cache, &[osv_fixtures()]);

    let dir = work.path().join("vulnerable");
    write_project(
        &dir,
        &Versions {
            lodash: "4.17.20",
            nokogiri: "1.13.3",
            guzzle: "7.4.2",
            newtonsoft: "12.0.3",
            log4j: &["2.14.1", "2.0-beta9", "2.12.1"],
        },
    );
    let report = scan_fs(&cache, &dir);
    // The fixed version shown is the fix of the range the installed
    // version falls in (guzzle 7.4.2: 7.4.3, not 6.5.6).
    assert_eq!(
        findings(&report),
        [
            "Newtonsoft.Json 12.0.3 GHSA-5crp-9r3c-p9vr 13.0.1",
            "lodash 4.17.20 GHSA-35jh-r3h4-6jhm 4.17.21",
            "org.apache.logging.log4j:log4j-core 2.0-beta9 GHSA-jfh8-c2jp-5v3q 2.3.1",
            "org.apache.logging.log4j:log4j-core 2.12.1 GHSA-jfh8-c2jp-5v3q 2.12.2",
            "org.apache.logging.log4j:log4j-core 2.14.1 GHSA-jfh8-c2jp-5v3q 2.15.0",
        ]
    );
    let v = finding(&report, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(v["VulnerabilityID"], "CVE-2021-44228");
    assert_eq!(v["Severity"], "CRITICAL");

    let dir = work.path().join("fixed");
    write_project(
        &dir,
        &Versions {
            lodash: "4.17.21",
            nokogiri: "1.13.4",
            guzzle: "7.4.3",
            newtonsoft: "13.0.1",
            log4j: &["2.15.0", "2.12.2", "2.3.1"],
        },
    );
    let report = run_scan(
        &cache,
        &["fs", "--offline", "--format", "json", "--list-all-pkgs"],
        &dir,
    );
    assert!(findings(&report).is_empty(), "{:?}", findings(&report));
    assert_eq!(
        packages(&report),
        [
            "Newtonsoft.Json 13.0.1",
            "Newtonsoft.Json.Bson 1.0.2",
            "guzzlehttp/guzzle 7.4.3",
            "guzzlehttp/promises 1.5.1",
            "left-pad 1.0.0",
            "lodash 4.17.21",
            "nokogiri 1.13.4",
            "org.apache.logging.log4j:log4j-api 2.15.0",
            "org.apache.logging.log4j:log4j-core 2.12.2",
            "org.apache.logging.log4j:log4j-core 2.15.0",
            "org.apache.logging.log4j:log4j-core 2.3.1",
            "racc 1.6.0",
        ]
    );
}

/// "x.y.z[.w]" with pre-release words below any number: enough to order
/// the nokogiri and guzzle versions of the shared data (RubyGems and
/// Composer agree on these).
fn version_key(v: &str) -> Vec<(u64, String)> {
    v.split(['.', '-'])
        .map(|p| match p.parse::<u64>() {
            Ok(n) => (n + 1, String::new()),
            Err(_) => (0, p.to_string()),
        })
        .collect()
}

/// The record ids whose ECOSYSTEM ranges contain `version` of `name`, with
/// the fix of that range, read straight from the shared zip (independent
/// of Bulkhead's matcher).
fn expected_from_zip(zip: &Path, name: &str, version: &str) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let v = version_key(version);
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        let rec: Value = serde_json::from_str(&s).unwrap();
        for a in rec["affected"].as_array().into_iter().flatten() {
            if a["package"]["name"] != name {
                continue;
            }
            for r in a["ranges"].as_array().into_iter().flatten() {
                let mut lo: Option<Vec<(u64, String)>> = None;
                for e in r["events"].as_array().into_iter().flatten() {
                    if let Some(i) = e["introduced"].as_str() {
                        lo = Some(if i == "0" { Vec::new() } else { version_key(i) });
                    } else if let Some(fx) = e["fixed"].as_str() {
                        if lo.as_ref().is_some_and(|l| *l <= v) && v < version_key(fx) {
                            out.push(format!(
                                "{name} {version} {} {fx}",
                                rec["id"].as_str().unwrap()
                            ));
                        }
                        lo = None;
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// RubyGems (rubysec) and Packagist (FriendsOfPHP) against the real
/// advisories of `../shared/osv-lang`: a Gemfile.lock and a composer.lock,
/// the expected findings read from the zips themselves.
#[test]
fn rubygems_and_packagist_against_the_shared_advisories() {
    let Some(shared) = bulkhead_testkit::require::shared("osv-lang/ecosystems.txt") else {
        return;
    };
    let lang = shared.join("osv-lang");
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let gems = lang.join("RubyGems/all.zip");
    let composer = lang.join("Packagist/all.zip");
    import(&cache, &[gems.clone(), composer.clone()]);
    let dir = work.path().join("app");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Gemfile.lock"),
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.3)\n      racc (~> 1.4)\n    racc (1.6.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  nokogiri\n\nBUNDLED WITH\n   2.3.7\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("composer.lock"),
        r#"{"content-hash":"0","packages":[{"name":"guzzlehttp/guzzle","version":"7.4.2","type":"library"},{"name":"guzzlehttp/promises","version":"1.5.1","type":"library"}],"packages-dev":[]}"#,
    )
    .unwrap();
    let report = scan_fs(&cache, &dir);
    let mut expected = expected_from_zip(&gems, "nokogiri", "1.13.3");
    expected.extend(expected_from_zip(&composer, "guzzlehttp/guzzle", "7.4.2"));
    expected.extend(expected_from_zip(&gems, "racc", "1.6.0"));
    expected.extend(expected_from_zip(&composer, "guzzlehttp/promises", "1.5.1"));
    expected.sort();
    // Known answers among them (read from the records): the ReDoS fixed in
    // 1.13.4, and Guzzle's cross-domain cookie leak fixed in 7.4.3.
    assert!(expected.contains(&"nokogiri 1.13.3 GHSA-crjr-9rc5-ghw8 1.13.4".to_string()));
    assert!(expected.contains(&"guzzlehttp/guzzle 7.4.2 CVE-2022-29248 7.4.3".to_string()));
    assert!(expected.len() > 20, "{expected:#?}");
    assert_eq!(findings(&report), expected);
    // The record id stays the vendor id; its CVE alias is the VulnerabilityID.
    let v = finding(&report, "GHSA-crjr-9rc5-ghw8");
    assert_eq!(v["VulnerabilityID"], "CVE-2022-24836");
}
