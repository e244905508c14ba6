//! Ratings end to end: `bulkhead db update` of the shared rating data (FIRST
//! EPSS, NVD API 2.0 records, CISA vulnrichment CVE JSON 5 records, CISA
//! KEV) from a mirror served on 127.0.0.1, then `bulkhead image` on a Debian
//! 10 image with sudo, libssl1.1 and zlib1g below their DSA fixes.
//!
//! Every rated field is checked against a rating recomputed here from the
//! data files themselves (not through Bulkhead's database), following the
//! order documented in docs/ratings.md. Skips loudly without `../shared`,
//! fails under CI=true.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_mirror/mod.rs"]
mod support_mirror;

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::Ordering;

const CISA_ADP: &str = "134c704f-9b21-4f2e-91b3-4a467353bcc0";

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_TEST_PAUSE_AT")
        .env("NO_COLOR", "1");
    c
}

fn db_info(cache: &Path) -> Value {
    let out = bulkhead(cache)
        .args(["db", "info", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The known-answer image: Debian 10, sudo 1.8.27-1+deb10u2 (DSA-4839-1
/// fixes CVE-2021-3156 in +deb10u3), libssl1.1 1.1.1d-0+deb10u7 (DSA-5103-1
/// fixes CVE-2022-0778 in +deb10u8), zlib1g 1:1.2.11.dfsg-1 (DSA-5111-1
/// fixes CVE-2018-25032 in +deb10u1).
fn debian10_image(dir: &Path) -> PathBuf {
    debian10_image_with(dir, "1.8.27-1+deb10u2", "debian10.tar")
}

fn debian10_image_with(dir: &Path, sudo: &str, file: &str) -> PathBuf {
    let os_release = "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"10\"\nVERSION_CODENAME=buster\nID=debian\n";
    let pkg = |name: &str, src: &str, version: &str| {
        let src = if src.is_empty() {
            String::new()
        } else {
            format!("Source: {src}\n")
        };
        format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n{src}Version: {version}\n\n"
        )
    };
    let base =
        pkg("libssl1.1", "openssl", "1.1.1d-0+deb10u7") + &pkg("zlib1g", "zlib", "1:1.2.11.dfsg-1");
    let with_sudo = base.clone() + &pkg("sudo", "", sudo);
    let mut b = ImageBuilder::new();
    b.layer("ADD rootfs /")
        .file("etc/os-release", os_release.as_bytes())
        .unwrap()
        .file("etc/debian_version", b"10.7\n")
        .unwrap()
        .file("var/lib/dpkg/status", base.as_bytes())
        .unwrap();
    b.layer("RUN apt-get install -y sudo")
        .file("var/lib/dpkg/status", with_sudo.as_bytes())
        .unwrap();
    let out = dir.join(file);
    b.write(Layout::DockerLegacy, &out).unwrap();
    out
}

struct Fixture {
    _work: tempfile::TempDir,
    shared: PathBuf,
    /// Database with the rating data.
    rated: PathBuf,
    /// Database of the same advisories without rating data.
    unrated: PathBuf,
    image: PathBuf,
}

/// Built once for the tests of this file: two caches and the image. Each
/// test that needs it skips loudly on its own when the shared data is missing.
fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Fixture> = OnceLock::new();
    let shared = support_mirror::shared("cve/vulnrichment.zip")?;
    support_mirror::shared("epss/epss_scores-current.csv.gz")?;
    support_mirror::shared("osv/ecosystems.txt")?;
    Some(F.get_or_init(|| {
        let work = tempfile::tempdir().unwrap();
        let m = support_mirror::rated_mirror(&shared, work.path());
        let rated = work.path().join("rated");
        bulkhead(&rated)
            .args(["db", "update", "--ecosystems", "Debian", "--mirror"])
            .arg(&m)
            .assert()
            .success();
        let unrated = work.path().join("unrated");
        bulkhead(&unrated)
            .args([
                "db",
                "update",
                "--ecosystems",
                "Debian",
                "--no-ratings",
                "--mirror",
            ])
            .arg(&m)
            .assert()
            .success();
        let image = debian10_image(work.path());
        Fixture {
            _work: work,
            shared,
            rated,
            unrated,
            image,
        }
    }))
}

fn scan(cache: &Path, image: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = bulkhead(cache)
        .args(["image", "--offline", "--input"])
        .arg(image)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(code == 0 || code == 1, "scan failed ({code}): {stderr}");
    (
        code,
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

fn scan_json(cache: &Path, image: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let (_, out, err) = scan(cache, image, &args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn findings(report: &Value) -> Vec<Value> {
    report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn find<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|v| v["VulnerabilityID"] == id)
        .unwrap_or_else(|| panic!("{id} not reported"))
}

// ---- The expected ratings, recomputed from the data files. ----

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    source: &'static str,
    version: String,
    score: f64,
}

#[derive(Default)]
struct Data {
    cvss: HashMap<String, Vec<Entry>>,
    epss: HashMap<String, f64>,
    kev: HashMap<String, String>,
}

fn read_data(shared: &Path) -> Data {
    let mut d = Data::default();
    let nvd: Value = serde_json::from_slice(
        &std::fs::read(shared.join("cve/nvd-sample/nvd-api2-6cves.json")).unwrap(),
    )
    .unwrap();
    for item in nvd["vulnerabilities"].as_array().unwrap() {
        let cve = &item["cve"];
        let id = cve["id"].as_str().unwrap().to_string();
        for (key, metrics) in cve["metrics"].as_object().unwrap() {
            if !key.starts_with("cvssMetricV") {
                continue;
            }
            for m in metrics.as_array().unwrap() {
                let source = if m["type"] == "Primary" {
                    "nvd"
                } else if m["source"] == CISA_ADP {
                    "cisa-adp"
                } else {
                    "cna"
                };
                d.cvss.entry(id.clone()).or_default().push(Entry {
                    source,
                    version: m["cvssData"]["version"].as_str().unwrap().to_string(),
                    score: m["cvssData"]["baseScore"].as_f64().unwrap(),
                });
            }
        }
        if let Some(date) = cve["cisaExploitAdd"].as_str() {
            d.kev.insert(id.clone(), date.to_string());
        }
    }
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(shared.join("cve/vulnrichment.zip")).unwrap())
            .unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if !f.name().ends_with(".json") {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        let rec: Value = serde_json::from_str(&s).unwrap();
        if rec["cveMetadata"]["state"] == "REJECTED" {
            continue;
        }
        let id = rec["cveMetadata"]["cveId"].as_str().unwrap().to_string();
        let mut containers = vec![("cna", &rec["containers"]["cna"])];
        for adp in rec["containers"]["adp"].as_array().into_iter().flatten() {
            if adp["providerMetadata"]["shortName"] == "CISA-ADP" {
                containers.push(("cisa-adp", adp));
            }
        }
        for (source, c) in containers {
            for m in c["metrics"].as_array().into_iter().flatten() {
                for key in ["cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"] {
                    if let Some(score) = m[key]["baseScore"].as_f64() {
                        d.cvss.entry(id.clone()).or_default().push(Entry {
                            source,
                            version: m[key]["version"].as_str().unwrap().to_string(),
                            score,
                        });
                    }
                }
                if m["other"]["type"] == "kev"
                    && let Some(date) = m["other"]["content"]["dateAdded"].as_str()
                {
                    d.kev
                        .entry(id.clone())
                        .or_insert_with(|| date[..10].to_string());
                }
            }
        }
    }
    let gz = flate2::read::GzDecoder::new(
        std::fs::File::open(shared.join("epss/epss_scores-current.csv.gz")).unwrap(),
    );
    for line in BufReader::new(gz).lines() {
        let line = line.unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() == 3 && cells[0].starts_with("CVE-") {
            d.epss
                .insert(cells[0].to_string(), cells[1].parse().unwrap());
        }
    }
    let kev: Value = serde_json::from_slice(
        &std::fs::read(shared.join("osv/kev/known_exploited_vulnerabilities.json")).unwrap(),
    )
    .unwrap();
    for v in kev["vulnerabilities"].as_array().unwrap() {
        d.kev.insert(
            v["cveID"].as_str().unwrap().to_string(),
            v["dateAdded"].as_str().unwrap().to_string(),
        );
    }
    d
}

fn severity_of(version: &str, score: f64) -> &'static str {
    match (version, score) {
        ("2.0", s) if s >= 7.0 => "HIGH",
        ("2.0", s) if s >= 4.0 => "MEDIUM",
        (_, s) if s >= 9.0 => "CRITICAL",
        (_, s) if s >= 7.0 => "HIGH",
        (_, s) if s >= 4.0 => "MEDIUM",
        (_, s) if s > 0.0 => "LOW",
        _ => "UNKNOWN",
    }
}

fn rank(sev: &str) -> u8 {
    ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
        .iter()
        .position(|s| *s == sev)
        .unwrap() as u8
}

/// (severity, source, score) as docs/ratings.md orders the sources: NVD
/// Primary, then the CNA, then CISA-ADP (Debian's records carry none of
/// their own); the newest CVSS version within a source; the highest CVE.
fn expected(d: &Data, cves: &[String]) -> (String, String, Option<f64>) {
    let mut best: Option<(String, String, f64)> = None;
    for cve in cves {
        let entries = d.cvss.get(cve).cloned().unwrap_or_default();
        let pick = ["nvd", "cna", "cisa-adp"].iter().find_map(|src| {
            let mut of: Vec<&Entry> = entries.iter().filter(|e| e.source == *src).collect();
            of.sort_by(|a, b| b.version.cmp(&a.version));
            of.first().map(|e| {
                (
                    severity_of(&e.version, e.score).to_string(),
                    src.to_string(),
                    e.score,
                )
            })
        });
        if let Some(p) = pick
            && best
                .as_ref()
                .is_none_or(|b| (rank(&p.0), p.2) > (rank(&b.0), b.2))
        {
            best = Some(p);
        }
    }
    match best {
        Some((s, src, score)) => (s, src, Some(score)),
        None => ("UNKNOWN".into(), String::new(), None),
    }
}

fn cves_of(v: &Value) -> Vec<String> {
    std::iter::once(&v["VulnerabilityID"])
        .chain(v["Aliases"].as_array().into_iter().flatten())
        .filter_map(|x| x.as_str())
        .filter(|x| x.starts_with("CVE-"))
        .map(str::to_string)
        .collect()
}

#[test]
fn known_answers_and_every_rating_traces_to_the_data() {
    let Some(f) = fixture() else { return };
    let report = scan_json(&f.rated, &f.image, &[]);
    let list = findings(&report);
    assert_eq!(list.len(), 14, "{list:#?}");

    let sudo = find(&list, "CVE-2021-3156");
    assert_eq!(sudo["Severity"], "HIGH");
    assert_eq!(sudo["SeveritySource"], "nvd");
    assert_eq!(sudo["CVSS"]["nvd"]["V3Score"], 7.8);
    assert_eq!(
        sudo["CVSS"]["nvd"]["V3Vector"],
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(sudo["CVSS"]["nvd"]["V2Score"], 7.2);
    assert_eq!(sudo["VendorSeverity"]["nvd"], 3);
    assert_eq!(sudo["KEV"], true);
    assert_eq!(sudo["KEVDetail"]["DateAdded"], "2022-04-06");
    assert_eq!(sudo["KEVDetail"]["Ransomware"], false);
    assert_eq!(sudo["EPSS"]["Score"], 0.99295);
    assert_eq!(sudo["EPSS"]["Percentile"], 0.99935);
    assert_eq!(sudo["EPSS"]["Date"], "2026-08-16");
    assert_eq!(sudo["Layer"]["Index"], 1);
    for (id, score) in [("CVE-2022-0778", 7.5), ("CVE-2018-25032", 7.5)] {
        let v = find(&list, id);
        assert_eq!(v["Severity"], "HIGH", "{id}");
        assert_eq!(v["SeveritySource"], "nvd", "{id}");
        assert_eq!(v["CVSS"]["nvd"]["V3Score"], score, "{id}");
    }

    // Every finding, recomputed from the files.
    let data = read_data(&f.shared);
    let mut rated = 0;
    for v in &list {
        let id = v["VulnerabilityID"].as_str().unwrap();
        let cves = cves_of(v);
        let (sev, src, score) = expected(&data, &cves);
        assert_eq!(v["Severity"], sev.as_str(), "{id}");
        assert_eq!(v["SeveritySource"].as_str().unwrap_or(""), src, "{id}");
        if let Some(score) = score {
            let c = &v["CVSS"][&src];
            let got = c["V40Score"]
                .as_f64()
                .or(c["V3Score"].as_f64())
                .or(c["V2Score"].as_f64());
            assert_eq!(got, Some(score), "{id}");
            rated += 1;
        }
        let epss = cves
            .iter()
            .filter_map(|c| data.epss.get(c))
            .fold(None, |m: Option<f64>, s| Some(m.map_or(*s, |m| m.max(*s))));
        assert_eq!(v["EPSS"]["Score"].as_f64(), epss, "{id}");
        let kev = cves.iter().filter_map(|c| data.kev.get(c)).min();
        assert_eq!(v["KEV"], kev.is_some(), "{id}");
        assert_eq!(
            v["KEVDetail"]["DateAdded"].as_str(),
            kev.map(String::as_str),
            "{id}"
        );
        assert!(v["Risk"].as_f64().is_some(), "{id}");
    }
    assert_eq!(
        rated, 3,
        "every finding whose CVE the shipped data rates is rated"
    );
    // JSON keeps its stable order (package, version, id).
    let order: Vec<(String, String)> = list
        .iter()
        .map(|v| {
            (
                v["PkgName"].as_str().unwrap().into(),
                v["VulnerabilityID"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn severity_gates_and_what_they_cannot_see() {
    let Some(f) = fixture() else { return };
    let gate = [
        "--severity",
        "HIGH,CRITICAL",
        "--exit-code",
        "1",
        "--format",
        "json",
    ];
    let (code, out, err) = scan(&f.rated, &f.image, &gate);
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(findings(&report).len(), 3);
    assert_eq!(report["Summary"]["HiddenBySeverity"], 11);
    assert_eq!(report["Summary"]["HiddenUnknown"], 11);
    assert_eq!(report["Summary"]["HiddenUnknownKEV"], 0);

    // Without the rating data the same gate passes, and says why it should not be trusted.
    let (code, out, err) = scan(&f.unrated, &f.image, &gate);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(findings(&report).is_empty());
    assert_eq!(report["Summary"]["HiddenUnknown"], 14);
    assert_eq!(report["Summary"]["HiddenUnknownKEV"], 1);
    assert!(
        err.contains("14 finding(s) of UNKNOWN severity (1 in KEV, known exploited) were hidden by --severity"),
        "{err}"
    );
    let (code, _, err) = scan(
        &f.unrated,
        &f.image,
        &["--fail-on", "HIGH", "--format", "json"],
    );
    assert_eq!(code, 0);
    assert!(err.contains("were below --fail-on"), "{err}");
    // KEV and EPSS gates do not depend on severity.
    for cache in [&f.rated, &f.unrated] {
        let (code, _, _) = scan(
            cache,
            &f.image,
            &[
                "--severity",
                "CRITICAL",
                "--fail-on-kev",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 1);
    }
    let (code, _, _) = scan(
        &f.rated,
        &f.image,
        &["--epss-threshold", "0.99", "--format", "json"],
    );
    assert_eq!(code, 1);
    let (code, _, _) = scan(
        &f.rated,
        &f.image,
        &["--epss-threshold", "0.9999", "--format", "json"],
    );
    assert_eq!(code, 0);
    let out = bulkhead(&f.rated)
        .args(["image", "--offline", "--epss-threshold", "7", "--input"])
        .arg(&f.image)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0 and 1"));
}

#[test]
fn orders_table_and_unknown_reasons() {
    let Some(f) = fixture() else { return };
    // Table: risk order by default, with EPSS percentile and KEV columns.
    let (_, table, _) = scan(&f.rated, &f.image, &["--format", "table"]);
    let rows: Vec<&str> = table.lines().filter(|l| l.contains("CVE-")).collect();
    assert!(
        rows[0].contains("CVE-2021-3156") && rows[0].contains("yes"),
        "{table}"
    );
    assert!(
        rows[0].contains("HIGH 7.8") && rows[0].contains("99.9"),
        "{table}"
    );
    assert!(table.contains("EPSS %ile") && table.contains("KEV"));
    // --sort-by orders JSON too.
    let ids = |extra: &[&str]| -> Vec<String> {
        findings(&scan_json(&f.rated, &f.image, extra))
            .iter()
            .map(|v| v["VulnerabilityID"].as_str().unwrap().to_string())
            .collect()
    };
    let by_epss = ids(&["--sort-by", "epss"]);
    assert_eq!(by_epss[0], "CVE-2021-3156");
    let list = findings(&scan_json(&f.rated, &f.image, &["--sort-by", "epss"]));
    let scores: Vec<f64> = list
        .iter()
        .map(|v| v["EPSS"]["Score"].as_f64().unwrap_or(0.0))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let by_sev = ids(&["--sort-by", "severity"]);
    assert_eq!(
        by_sev[..3]
            .iter()
            .filter(|i| i.as_str() == "CVE-2021-3156")
            .count(),
        1
    );
    assert!(by_sev[..3].contains(&"CVE-2022-0778".to_string()));
    let out = bulkhead(&f.rated)
        .args(["image", "--offline", "--sort-by", "nope", "--input"])
        .arg(&f.image)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // -v says why a finding stays UNKNOWN.
    let (_, _, err) = scan(&f.rated, &f.image, &["-v", "--format", "json"]);
    assert!(
        err.contains("CVE-2021-23239 in sudo 1.8.27-1+deb10u2 stays UNKNOWN: no CVSS data for CVE-2021-23239 in the database"),
        "{err}"
    );
}

#[test]
fn sarif_and_cyclonedx_carry_the_ratings() {
    let Some(f) = fixture() else { return };
    let (_, out, _) = scan(&f.rated, &f.image, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results: Vec<&Value> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().unwrap())
        .collect();
    assert_eq!(results.len(), 14);
    for r in &results {
        let s = r["properties"]["security-severity"].as_str().unwrap();
        let n: f64 = s.parse().unwrap();
        assert!((0.0..=10.0).contains(&n));
        assert!(
            r["locations"][0]["logicalLocations"].is_array()
                || r["locations"][0]["physicalLocation"].is_object()
        );
    }
    let sudo = results
        .iter()
        .find(|r| r["ruleId"] == "CVE-2021-3156")
        .unwrap();
    assert_eq!(sudo["properties"]["security-severity"], "7.8");
    assert_eq!(sudo["properties"]["severitySource"], "nvd");
    assert_eq!(sudo["level"], "error");
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "CVE-2021-3156")
        .unwrap();
    assert_eq!(rule["properties"]["security-severity"], "7.8");

    let (_, out, _) = scan(&f.rated, &f.image, &["--format", "cyclonedx"]);
    let bom: Value = serde_json::from_str(&out).unwrap();
    let errors = cyclonedx_schema_errors(&bom);
    assert!(errors.is_empty(), "CycloneDX 1.6 schema: {errors:#?}");
    // The check can fail: a rating method the schema does not know.
    let mut broken = bom.clone();
    broken["vulnerabilities"][0]["ratings"][0]["method"] = Value::from("CVSSv99");
    assert!(!cyclonedx_schema_errors(&broken).is_empty());
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 14);
    let v = vulns.iter().find(|v| v["id"] == "CVE-2021-3156").unwrap();
    let ratings = v["ratings"].as_array().unwrap();
    assert!(ratings.iter().any(|r| r["source"]["name"] == "nvd"
        && r["method"] == "CVSSv31"
        && r["score"] == 7.8
        && r["severity"] == "high"
        && r["vector"] == "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"));
    assert!(
        ratings
            .iter()
            .any(|r| r["method"] == "CVSSv2" && r["score"] == 7.2)
    );
    let props: BTreeMap<&str, &str> = v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert_eq!(props["bulkhead:epss:score"], "0.99295");
    assert_eq!(props["bulkhead:kev"], "true");
    assert_eq!(props["bulkhead:kev:dateAdded"], "2022-04-06");
    // `affects` names a component of the BOM.
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    for v in vulns {
        for a in v["affects"].as_array().unwrap() {
            assert!(refs.contains(&a["ref"].as_str().unwrap()), "{a}");
        }
    }
}

/// Resolves the schemas CycloneDX's schema references from the committed
/// copies, never from the network.
struct LocalSchemas(PathBuf);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let bytes = std::fs::read(self.0.join(&name))
            .map_err(|e| format!("schema {uri} is not committed ({name}): {e}"))?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

/// Errors of validating `doc` against the CycloneDX 1.6 JSON schema
/// (committed under tests/fixtures/cyclonedx-schema with its licence).
fn cyclonedx_schema_errors(doc: &Value) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cyclonedx-schema");
    let schema: Value =
        serde_json::from_slice(&std::fs::read(dir.join("bom-1.6.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(dir))
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn update_fetches_ratings_conditionally_and_survives_a_kill() {
    let Some(shared) = support_mirror::shared("cve/vulnrichment.zip") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (url, served) = support_mirror::serve(support_mirror::rated_mirror(&shared, work.path()));
    let cache = work.path().join("cache");
    // First without ratings: the database a killed update must leave working.
    bulkhead(&cache)
        .args([
            "db",
            "update",
            "--ecosystems",
            "Debian",
            "--no-ratings",
            "--mirror",
            &url,
        ])
        .assert()
        .success();
    let image = debian10_image(work.path());
    let baseline = scan_json(&cache, &image, &[]);
    assert!(
        findings(&baseline)
            .iter()
            .all(|v| v["Severity"] == "UNKNOWN")
    );
    for phase in ["download", "ratings", "swap"] {
        support_mirror::kill_at(
            &cache,
            &["db", "update", "--ecosystems", "Debian", "--mirror", &url],
            phase,
        );
        let after = scan_json(&cache, &image, &[]);
        assert_eq!(findings(&after), findings(&baseline), "killed at {phase}");
        assert_eq!(db_info(&cache)["Ratings"]["EPSS"], 0, "killed at {phase}");
    }
    let before = served.body_bytes.load(Ordering::SeqCst);
    bulkhead(&cache)
        .args(["db", "update", "--ecosystems", "Debian", "--mirror", &url])
        .assert()
        .success();
    assert!(served.body_bytes.load(Ordering::SeqCst) > before);
    let info = db_info(&cache);
    assert_eq!(info["Ratings"]["EPSS"], 360_142);
    assert_eq!(info["Ratings"]["EPSSDate"], "2026-08-16");
    assert_eq!(
        info["Ratings"]["CVSSBySource"]["nvd"], 10,
        "the NVD sample's Primary metrics"
    );
    assert!(info["Ratings"]["CVSSCVEs"].as_u64().unwrap() > 1700);
    let names: Vec<&str> = info["Sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    for n in [
        "epss:epss_scores-current.csv.gz",
        "nvd:nvdcve-2.0-2021.json.gz",
        "cve:vulnrichment.zip",
    ] {
        assert!(names.contains(&n), "{names:?}");
    }
    let rated = scan_json(&cache, &image, &[]);
    assert_eq!(find(&findings(&rated), "CVE-2021-3156")["Severity"], "HIGH");
    // Nothing changed on the mirror: nothing is downloaded again.
    let (ok, bytes) = (
        served.ok.load(Ordering::SeqCst),
        served.body_bytes.load(Ordering::SeqCst),
    );
    let out = bulkhead(&cache)
        .args(["db", "update", "--ecosystems", "Debian", "--mirror", &url])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing downloaded") && err.contains("3 rating file(s) unchanged"),
        "{err}"
    );
    assert_eq!(served.ok.load(Ordering::SeqCst), ok);
    assert_eq!(served.body_bytes.load(Ordering::SeqCst), bytes);
}

#[test]
fn db_import_recognises_rating_files() {
    let Some(shared) = support_mirror::shared("cve/nvd-sample/nvd-api2-6cves.json") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let out = bulkhead(&cache)
        .args(["db", "import"])
        .arg(shared.join("cve/nvd-sample/nvd-api2-6cves.json"))
        .arg(shared.join("epss/epss_scores-current.csv.gz"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = db_info(&cache);
    assert_eq!(info["Ratings"]["EPSS"], 360_142);
    assert_eq!(info["Ratings"]["CVSSCVEs"], 6);
    // A file that is none of the rating formats nor OSV is refused by name.
    let bogus = work.path().join("scores.csv");
    std::fs::write(&bogus, "hello,world\n").unwrap();
    let out = bulkhead(&cache)
        .args(["db", "import"])
        .arg(&bogus)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scores.csv"), "{err}");
}

#[test]
fn summary_and_diff_use_the_same_ratings() {
    let Some(f) = fixture() else { return };
    let out = bulkhead(&f.rated)
        .args([
            "image",
            "--summary",
            "--offline",
            "--format",
            "json",
            "--input",
        ])
        .arg(&f.image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["Vulnerabilities"]["BySeverity"]["HIGH"]["fixed"], 3,
        "{v:#}"
    );
    assert_eq!(v["MostUrgent"][0]["VulnerabilityID"], "CVE-2021-3156");
    // diff against the same image with sudo fixed (DSA-4839-1): the KEV
    // finding is fixed one way, introduced the other, rated both times.
    let work = tempfile::tempdir().unwrap();
    let fixed = debian10_image_with(work.path(), "1.8.27-1+deb10u3", "fixed.tar");
    let diff = |a: &Path, b: &Path, extra: &[&str]| {
        bulkhead(&f.rated)
            .args(["diff", "--offline", "--format", "json"])
            .args(extra)
            .arg("--input-a")
            .arg(a)
            .arg("--input-b")
            .arg(b)
            .output()
            .unwrap()
    };
    let out = diff(&f.image, &fixed, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let gone = d["Vulnerabilities"]["Fixed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["VulnerabilityID"] == "CVE-2021-3156")
        .unwrap_or_else(|| panic!("{d:#}"));
    assert_eq!(
        (gone["Severity"].as_str(), gone["KEV"].as_bool()),
        (Some("HIGH"), Some(true))
    );
    // --fail-on-kev and --epss-threshold look at introduced findings only.
    assert_eq!(
        diff(&f.image, &fixed, &["--fail-on-kev"]).status.code(),
        Some(0)
    );
    assert_eq!(
        diff(&fixed, &f.image, &["--fail-on-kev"]).status.code(),
        Some(1)
    );
    assert_eq!(
        diff(&fixed, &f.image, &["--epss-threshold", "0.99"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        diff(&fixed, &f.image, &["--fail-on", "CRITICAL"])
            .status
            .code(),
        Some(0)
    );
}
