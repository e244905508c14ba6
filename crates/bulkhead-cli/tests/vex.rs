//! OpenVEX in and out, end to end: two Debian 12 images built here (one
//! vulnerable package in both, a second one in the first only), scanned
//! against the synthetic advisories of `tests/fixtures/advise-osv`, with
//! VEX documents written by hand and by `bulkhead vex create` (validated
//! against the OpenVEX JSON schema committed under
//! `tests/fixtures/openvex-schema`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod advise_support;

use advise_support::{bulkhead, cache_with_advisories};
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const CVE: &str = "CVE-2099-1001"; // openssl, CRITICAL
const ZLIB_CVE: &str = "CVE-2099-1002"; // zlib, HIGH
const JUSTIFICATION: &str = "vulnerable_code_not_in_execute_path";

/// (binary package, source package, version)
fn status(pkgs: &[(&str, &str, &str)]) -> String {
    let mut s = String::new();
    for (name, src, version) in pkgs {
        s.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nSource: {src}\nVersion: {version}\n\n"
        ));
    }
    s
}

fn image(out: &Path, tag: &str, pkgs: &[(&str, &str, &str)], layout: Layout) {
    let mut b = ImageBuilder::new().tag(tag);
    b.layer("ADD rootfs.tar /")
        .file(
            "etc/os-release",
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
        )
        .unwrap()
        .file("etc/debian_version", b"12.1\n")
        .unwrap()
        .file("var/lib/dpkg/status", status(pkgs).as_bytes())
        .unwrap();
    b.write(layout, out).unwrap();
}

struct Fixture {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    /// OCI layout dir: libssl3 and openssl (both from source openssl,
    /// CVE-2099-1001) and zlib1g (CVE-2099-1002).
    img1: PathBuf,
    /// docker-archive: libssl3 and zlib1g.
    img2: PathBuf,
    /// Image 1's manifest digest (its `RepoDigests`).
    digest1: String,
    /// libssl3's purl in image 1's findings.
    libssl_purl: String,
}

const OPENSSL_VERSION: &str = "3.0.11-1~deb12u1";

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_with_advisories();
    let img1 = dir.path().join("img1");
    let img2 = dir.path().join("img2.tar");
    image(
        &img1,
        "vex/app:1",
        &[
            ("libssl3", "openssl", OPENSSL_VERSION),
            ("openssl", "openssl", OPENSSL_VERSION),
            ("zlib1g", "zlib", "1.2.13-1"),
        ],
        Layout::OciDir,
    );
    image(
        &img2,
        "vex/app:2",
        &[
            ("libssl3", "openssl", OPENSSL_VERSION),
            ("zlib1g", "zlib", "1.2.13-1"),
        ],
        Layout::DockerOci,
    );
    let (_, r) = scan_json(cache.path(), &img1, &[]);
    let digest1 = r["Metadata"]["RepoDigests"][0]
        .as_str()
        .expect("an OCI layout has a manifest digest")
        .to_string();
    assert!(digest1.starts_with("sha256:"), "{digest1}");
    let libssl_purl = all_vulns(&r)
        .into_iter()
        .find(|v| v["PkgName"] == "libssl3")
        .unwrap()["PkgIdentifier"]["PURL"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture {
        dir,
        cache,
        img1,
        img2,
        digest1,
        libssl_purl,
    }
}

fn run(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bulkhead(cache).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scan(cache: &Path, image: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["image", "--offline", "--input", image.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, out, err) = run(cache, &args);
    assert!(code == 0 || code == 1, "scan failed ({code}): {err}");
    (code, out, err)
}

fn scan_json(cache: &Path, image: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = scan(cache, image, &args);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}")),
    )
}

fn all_vulns(r: &Value) -> Vec<Value> {
    r["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["Vulnerabilities"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// (package, id) of the findings still reported.
fn vulns(r: &Value) -> Vec<(String, String)> {
    let mut v: Vec<_> = all_vulns(r)
        .iter()
        .map(|v| {
            (
                v["PkgName"].as_str().unwrap().to_string(),
                v["VulnerabilityID"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// (package, id, status, justification, source) of the suppressed findings.
fn suppressed(r: &Value) -> Vec<(String, String, String, String, String)> {
    r["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| {
            x["ExperimentalModifiedFindings"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|m| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_string();
            (
                s(&m["Finding"]["PkgName"]),
                s(&m["Finding"]["VulnerabilityID"]),
                s(&m["Status"]),
                s(&m["Justification"]),
                s(&m["Source"]),
            )
        })
        .collect()
}

fn pair(pkg: &str, id: &str) -> (String, String) {
    (pkg.to_string(), id.to_string())
}

/// A VEX document with these statements, written to `dir/name`.
fn vex_file(dir: &Path, name: &str, statements: Value) -> PathBuf {
    let doc = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("https://example.invalid/vex/{name}"),
        "author": "Bulkhead tests <tests@example.invalid>",
        "timestamp": "2026-11-01T10:00:00Z",
        "version": 1,
        "statements": statements,
    });
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    p
}

/// The acceptance document: CVE-2099-1001 not_affected
/// (vulnerable_code_not_in_execute_path) in libssl3 of image 1.
fn libssl_statement(f: &Fixture) -> Value {
    json!([{
        "vulnerability": {"name": CVE},
        "products": [{
            "@id": format!("pkg:oci/app@{}?repository_url=vex/app&tag=1", f.digest1.replace(':', "%3A")),
            "subcomponents": [{"@id": f.libssl_purl}]
        }],
        "status": "not_affected",
        "justification": JUSTIFICATION,
        "impact_statement": "The service never opens TLS connections."
    }])
}

fn expected_suppression(source: &Path) -> Vec<(String, String, String, String, String)> {
    vec![(
        "libssl3".into(),
        CVE.into(),
        "not_affected".into(),
        JUSTIFICATION.into(),
        source.display().to_string(),
    )]
}

/// The suppression the acceptance document gives: exactly libssl3's
/// CVE-2099-1001 in image 1; openssl's in image 1 and everything in image 2
/// stay.
fn assert_acceptance(f: &Fixture, vex: &Path) {
    let arg = vex.to_str().unwrap();
    let (_, r1) = scan_json(f.cache.path(), &f.img1, &["--vex", arg]);
    assert_eq!(
        vulns(&r1),
        [pair("openssl", CVE), pair("zlib1g", ZLIB_CVE)],
        "only libssl3's finding is suppressed"
    );
    assert_eq!(suppressed(&r1), expected_suppression(vex));
    assert_eq!(r1["Summary"]["Suppressed"], 1);
    let (_, r2) = scan_json(f.cache.path(), &f.img2, &["--vex", arg]);
    assert_eq!(
        vulns(&r2),
        [pair("libssl3", CVE), pair("zlib1g", ZLIB_CVE)],
        "another image: nothing suppressed"
    );
    assert!(suppressed(&r2).is_empty());
    assert!(
        r2["Summary"].get("Suppressed").is_none(),
        "{}",
        r2["Summary"]
    );
}

#[test]
fn not_affected_suppresses_exactly_that_finding_in_every_format() {
    let f = fixture();
    let (_, plain) = scan_json(f.cache.path(), &f.img1, &[]);
    assert_eq!(
        vulns(&plain),
        [
            pair("libssl3", CVE),
            pair("openssl", CVE),
            pair("zlib1g", ZLIB_CVE)
        ]
    );
    let vex = vex_file(f.dir.path(), "app.openvex.json", libssl_statement(&f));
    assert_acceptance(&f, &vex);
    let arg = vex.to_str().unwrap();

    // Table: listed with its justification and source, and counted.
    let (_, table, _) = scan(
        f.cache.path(),
        &f.img1,
        &["--format", "table", "--vex", arg],
    );
    assert!(table.contains("Suppressed by VEX: 1"), "{table}");
    assert!(table.contains(JUSTIFICATION), "{table}");
    assert!(table.contains("app.openvex.json #0"), "{table}");
    assert!(table.contains("1 finding(s) suppressed by VEX"), "{table}");

    // SARIF: the suppressed result stays, with an external suppression.
    let (_, sarif, _) = scan(
        f.cache.path(),
        &f.img1,
        &["--format", "sarif", "--vex", arg],
    );
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results: Vec<&Value> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().unwrap())
        .filter(|r| r["ruleId"] == CVE)
        .collect();
    assert_eq!(results.len(), 2);
    let with: Vec<&&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(with.len(), 1);
    assert_eq!(with[0]["properties"]["package"], "libssl3");
    let s = &with[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert_eq!(s["status"], "accepted");
    assert!(
        s["justification"].as_str().unwrap().contains(JUSTIFICATION),
        "{s}"
    );

    // CycloneDX: valid 1.6, the suppressed finding as its own entry with
    // the analysis; openssl's finding keeps a plain entry.
    let (_, bom, _) = scan(
        f.cache.path(),
        &f.img1,
        &["--format", "cyclonedx", "--vex", arg],
    );
    let bom: Value = serde_json::from_str(&bom).unwrap();
    let errors = schema_errors("cyclonedx-schema", "bom-1.6.schema.json", &bom);
    assert!(errors.is_empty(), "CycloneDX 1.6 schema: {errors:#?}");
    let entries: Vec<&Value> = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == CVE)
        .collect();
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let analysed: Vec<&&Value> = entries
        .iter()
        .filter(|v| v.get("analysis").is_some())
        .collect();
    assert_eq!(analysed.len(), 1);
    let a = &analysed[0]["analysis"];
    assert_eq!(a["state"], "not_affected");
    assert_eq!(a["justification"], "code_not_reachable");
    assert!(a["detail"].as_str().unwrap().contains(JUSTIFICATION), "{a}");
    assert_eq!(analysed[0]["affects"][0]["ref"], f.libssl_purl.as_str());
    assert_eq!(
        analysed[0]["affects"][0]["versions"][0]["status"],
        "unaffected"
    );
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    for v in bom["vulnerabilities"].as_array().unwrap() {
        for a in v["affects"].as_array().unwrap() {
            assert!(refs.contains(&a["ref"].as_str().unwrap()), "{a}");
        }
    }

    // A folder of documents works the same; JSON that is not OpenVEX in it
    // is skipped with a warning.
    let folder = f.dir.path().join("vex.d");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&vex, folder.join("app.openvex.json")).unwrap();
    std::fs::write(folder.join("package.json"), b"{\"name\": \"x\"}").unwrap();
    let (_, r, err) = scan(
        f.cache.path(),
        &f.img1,
        &["--format", "json", "--vex", folder.to_str().unwrap()],
    );
    let r: Value = serde_json::from_str(&r).unwrap();
    assert_eq!(r["Summary"]["Suppressed"], 1);
    assert!(
        err.contains("package.json is not an OpenVEX document"),
        "{err}"
    );
}

#[test]
fn statuses_precedence_and_exit_codes() {
    let f = fixture();
    let product = json!({"@id": f.digest1});
    // CVE-2099-1001 fixed for the whole of image 1 (both packages), then
    // CVE-2099-1002 under investigation, later overridden by not_affected
    // in a second document.
    let first = vex_file(
        f.dir.path(),
        "first.json",
        json!([
            {"vulnerability": {"name": CVE}, "products": [product], "status": "fixed"},
            {"vulnerability": {"name": "TEST-DSA-9002-1"}, "products": [product],
             "status": "not_affected", "justification": "component_not_present",
             "timestamp": "2026-10-01T00:00:00Z"}
        ]),
    );
    let second = vex_file(
        f.dir.path(),
        "second.json",
        json!([
            {"vulnerability": {"name": ZLIB_CVE}, "products": [product],
             "status": "under_investigation", "timestamp": "2026-10-02T00:00:00Z"}
        ]),
    );
    let (a, b) = (first.to_str().unwrap(), second.to_str().unwrap());
    let (code, r) = scan_json(
        f.cache.path(),
        &f.img1,
        &["--vex", a, "--vex", b, "--fail-on", "CRITICAL"],
    );
    assert_eq!(code, 0, "the CRITICAL findings are fixed per VEX");
    assert_eq!(vulns(&r), [pair("zlib1g", ZLIB_CVE)]);
    let z = &all_vulns(&r)[0];
    assert_eq!(z["VEX"]["Status"], "under_investigation", "{z}");
    assert_eq!(z["VEX"]["Source"], b);
    let s = suppressed(&r);
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|x| x.1 == CVE && x.2 == "fixed"), "{s:?}");
    // Without VEX the gate fails; --exit-code sees only what is shown.
    let (code, _) = scan_json(f.cache.path(), &f.img1, &["--fail-on", "CRITICAL"]);
    assert_eq!(code, 1);
    let (code, _) = scan_json(
        f.cache.path(),
        &f.img1,
        &["--vex", a, "--severity", "CRITICAL", "--exit-code", "3"],
    );
    assert_eq!(code, 0);
    // The latest statement wins, whatever the order of the documents; a
    // statement may name the finding by its vendor id (TEST-DSA-9002-1).
    let later = vex_file(
        f.dir.path(),
        "later.json",
        json!([
            {"vulnerability": {"name": "TEST-DSA-9002-1"}, "products": [product],
             "status": "not_affected", "justification": "component_not_present",
             "timestamp": "2026-10-03T00:00:00Z"}
        ]),
    );
    let (_, r) = scan_json(
        f.cache.path(),
        &f.img1,
        &["--vex", later.to_str().unwrap(), "--vex", b],
    );
    assert_eq!(
        suppressed(&r),
        [(
            "zlib1g".into(),
            ZLIB_CVE.into(),
            "not_affected".into(),
            "component_not_present".into(),
            later.display().to_string()
        )]
    );
}

#[test]
fn vex_create_validates_against_the_schema_and_round_trips() {
    let f = fixture();
    let finding = format!("{CVE}@{}", f.libssl_purl);
    let create = |extra: &[&str]| {
        let mut args = vec![
            "vex",
            "create",
            "--finding",
            &finding,
            "--justification",
            JUSTIFICATION,
            "--author",
            "Bulkhead tests <tests@example.invalid>",
        ];
        args.extend_from_slice(extra);
        let out = bulkhead(f.cache.path())
            .env("SOURCE_DATE_EPOCH", "1790000000")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "vex create failed: {stderr}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let doc = create(&["--input", f.img1.to_str().unwrap()]);
    let errors = schema_errors("openvex-schema", "openvex_json_schema.json", &doc);
    assert!(errors.is_empty(), "OpenVEX schema: {errors:#?}\n{doc:#}");
    // The check can fail: a status the schema does not know.
    let mut broken = doc.clone();
    broken["statements"][0]["status"] = json!("false_positive");
    assert!(!schema_errors("openvex-schema", "openvex_json_schema.json", &broken).is_empty());
    let product = doc["statements"][0]["products"][0]["@id"].as_str().unwrap();
    let hex = f.digest1.trim_start_matches("sha256:");
    assert!(
        product.starts_with("pkg:oci/app@sha256") && product.contains(hex),
        "{product}"
    );
    assert_eq!(doc["timestamp"], "2026-09-21T14:13:20Z");
    // Reproducible with SOURCE_DATE_EPOCH.
    assert_eq!(create(&["--input", f.img1.to_str().unwrap()]), doc);
    // Fed back: the same suppression as the hand-written document.
    let made = f.dir.path().join("made.openvex.json");
    std::fs::write(&made, serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_acceptance(&f, &made);

    // By digest alone (no name): the digest is the product.
    let doc = create(&["--image-digest", &f.digest1]);
    assert!(schema_errors("openvex-schema", "openvex_json_schema.json", &doc).is_empty());
    assert_eq!(
        doc["statements"][0]["products"][0]["@id"],
        f.digest1.as_str()
    );
    std::fs::write(&made, serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_acceptance(&f, &made);
}

#[test]
fn vex_create_from_the_ignore_entries_of_the_settings() {
    let f = fixture();
    let config = f.dir.path().join("bulkhead.toml");
    std::fs::write(
        &config,
        format!(
            "[ignore]\nids = [\n  {{ id = \"{ZLIB_CVE}\", justification = \"vulnerable_code_not_present\" }},\n  \"CVE-2099-1007\",\n  {{ id = \"{CVE}\", paths = [\"usr/lib\"] }},\n  {{ id = \"CVE-2099-1005\", expires = \"2000-01-01\" }},\n]\n"
        ),
    )
    .unwrap();
    let out_file = f.dir.path().join("from-config.openvex.json");
    let (code, _, err) = run(
        f.cache.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--output",
            out_file.to_str().unwrap(),
            "vex",
            "create",
            "--input",
            f.img2.to_str().unwrap(),
            "--from-config",
            "--justification",
            "component_not_present",
            "--author",
            "Bulkhead tests",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("limited to paths") && err.contains("expired"),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    let errors = schema_errors("openvex-schema", "openvex_json_schema.json", &doc);
    assert!(errors.is_empty(), "OpenVEX schema: {errors:#?}");
    let statements: Vec<(&str, &str)> = doc["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["vulnerability"]["name"].as_str().unwrap(),
                s["justification"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statements,
        [
            (ZLIB_CVE, "vulnerable_code_not_present"),
            ("CVE-2099-1007", "component_not_present")
        ]
    );
    // Image 2 is a docker archive: the product is its config digest.
    let arg = out_file.to_str().unwrap();
    let (_, r2) = scan_json(f.cache.path(), &f.img2, &["--vex", arg]);
    assert_eq!(vulns(&r2), [pair("libssl3", CVE)]);
    assert_eq!(suppressed(&r2)[0].1, ZLIB_CVE);
    let (_, r1) = scan_json(f.cache.path(), &f.img1, &["--vex", arg]);
    assert!(suppressed(&r1).is_empty());
    // An entry without a justification, and none on the command line.
    let (code, _, err) = run(
        f.cache.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "vex",
            "create",
            "--input",
            f.img2.to_str().unwrap(),
            "--from-config",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("CVE-2099-1007: not_affected needs a justification"),
        "{err}"
    );
}

#[test]
fn diff_lists_what_vex_suppressed() {
    let f = fixture();
    let vex = vex_file(f.dir.path(), "app.openvex.json", libssl_statement(&f));
    let (code, out, err) = run(
        f.cache.path(),
        &[
            "diff",
            "--offline",
            "--format",
            "json",
            "--input-a",
            f.img1.to_str().unwrap(),
            "--input-b",
            f.img2.to_str().unwrap(),
            "--vex",
            vex.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    let before = d["Suppressed"]["Before"].as_array().unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["Finding"]["PkgName"], "libssl3");
    assert_eq!(before[0]["Justification"], JUSTIFICATION);
    assert!(d["Suppressed"].get("After").is_none());
    let (_, md, _) = run(
        f.cache.path(),
        &[
            "diff",
            "--offline",
            "--format",
            "markdown",
            "--input-a",
            f.img1.to_str().unwrap(),
            "--input-b",
            f.img2.to_str().unwrap(),
            "--vex",
            vex.to_str().unwrap(),
        ],
    );
    assert!(md.contains("Suppressed by VEX (1)"), "{md}");
    assert!(
        md.contains("vulnerable\\_code\\_not\\_in\\_execute\\_path"),
        "{md}"
    );
}

#[test]
fn bad_documents_stop_the_command_with_their_place() {
    let f = fixture();
    let bad = vex_file(
        f.dir.path(),
        "bad.json",
        json!([
            {"vulnerability": {"name": CVE}, "products": [{"@id": f.digest1}], "status": "fixed"},
            {"vulnerability": {"name": CVE}, "products": [{"@id": f.digest1}]}
        ]),
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![bad.display().to_string()],
            "statement 1: `status` is missing",
        ),
        (
            vec![f.dir.path().join("missing.json").display().to_string()],
            "cannot read VEX document",
        ),
    ];
    for (files, want) in cases {
        let mut args = vec![
            "image".to_string(),
            "--offline".into(),
            "--input".into(),
            f.img1.display().to_string(),
        ];
        for file in files {
            args.push("--vex".into());
            args.push(file);
        }
        let out = bulkhead(f.cache.path()).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(out.stdout.is_empty());
    }
    let huge = f.dir.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; (32 << 20) + 1]).unwrap();
    let (code, _, err) = run(
        f.cache.path(),
        &[
            "image",
            "--offline",
            "--input",
            f.img1.to_str().unwrap(),
            "--vex",
            huge.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("larger than"), "{err}");
}

/// Resolves the schemas a schema references from the committed copies,
/// never from the network.
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

/// Errors of validating `doc` against a schema committed under
/// `tests/fixtures/<dir>` (with its source and licence in its README).
fn schema_errors(dir: &str, file: &str, doc: &Value) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let schema: Value = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(dir))
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
