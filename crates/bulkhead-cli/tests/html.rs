//! `--format html` in a real browser: an image whose package names, label
//! and layer history carry `<script>` and `"><img onerror=…>` is scanned
//! (vulnerabilities from the committed demo advisories, a secret, image
//! config checks) and the page is loaded by headless Chromium with the
//! network disabled: the DOM it builds shows the finding count of the JSON
//! report, the hostile strings as text and no injected element; a
//! screenshot is written. `config` and `audit` pages are parsed too.
//!
//! Needs: Debian's `chromium` (skipped loudly otherwise; a skip FAILS when
//! CI=true); the audit case needs the Docker daemon (same rule).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_testkit::require;
use scraper::{Html, Selector};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION_CODENAME=bullseye\nID=debian\n";

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env("BULKHEAD_NO_CACHE", "true")
        .env("NO_COLOR", "1")
        .env_remove("BULKHEAD_LOG");
    c
}

/// A Debian 11 image: zlib1g (vulnerable in the demo advisories) and two
/// packages named with the hostile strings, labels carrying them, a Stripe
/// key in a file, no USER (an image-config finding).
fn hostile_image(dir: &Path) -> PathBuf {
    let mut b = ImageBuilder::new()
        .tag("registry.test/html:1")
        .config(
            "Labels",
            json!({ "org.test.script": SCRIPT, "org.test.img": IMG }),
        )
        .config("Cmd", json!(["/bin/sh", "-c", SCRIPT]));
    b.layer("ADD rootfs.tar /")
        .file("etc/os-release", OS_RELEASE.as_bytes())
        .unwrap()
        .file("etc/debian_version", b"11.6\n")
        .unwrap();
    let mut status = String::new();
    for (name, ver) in [("zlib1g", "1:1.2.11.dfsg-2"), (SCRIPT, "1.0"), (IMG, "2.0")] {
        let src = if name == "zlib1g" { "zlib" } else { name };
        status.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nSource: {src}\nVersion: {ver}\n\n"
        ));
    }
    b.layer(&format!("RUN apt-get install {IMG}"))
        .file("var/lib/dpkg/status", status.as_bytes())
        .unwrap()
        .file(
            "etc/app/creds.txt",
            b"STRIPE_KEY=sk_live_51HqLyjWDarjtT1zdp7dcXyZ9aB\n",
        )
        .unwrap();
    let out = dir.join("hostile.tar");
    b.write(Layout::DockerLegacy, &out).unwrap();
    out
}

/// A cache holding the committed demo advisories.
fn demo_cache(work: &Path) -> PathBuf {
    let cache = work.join("cache");
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    let out = bulkhead(&cache)
        .args(["db", "import"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cache
}

/// Runs bulkhead; exit 0 or 1 (findings) are both fine.
fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Findings in a JSON report, counted as the report's summary counts
/// them: vulnerabilities, secrets, FAIL and WARN checks.
fn json_findings(report: &Value) -> usize {
    report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_array().map_or(0, Vec::len);
            let checks = r["Misconfigurations"].as_array().map_or(0, |m| {
                m.iter()
                    .filter(|m| matches!(m["Status"].as_str(), Some("FAIL" | "WARN")))
                    .count()
            });
            n("Vulnerabilities") + n("Secrets") + checks
        })
        .sum()
}

fn select<'a>(dom: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    dom.select(&Selector::parse(css).unwrap()).collect()
}

/// The checks every page passes: parses without error, one script (ours),
/// no injected element or event handler; returns the count shown.
fn check_page(what: &str, html: &str) -> usize {
    let dom = Html::parse_document(html);
    assert!(dom.errors.is_empty(), "{what}: {:?}", dom.errors);
    check_dom(what, &dom)
}

fn check_dom(what: &str, dom: &Html) -> usize {
    assert_eq!(select(dom, "script").len(), 1, "{what}: scripts");
    for css in ["img", "iframe", "object", "embed", "link", "base"] {
        assert!(select(dom, css).is_empty(), "{what}: <{css}> in the DOM");
    }
    for e in dom
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        for (name, value) in e.value().attrs() {
            assert!(!name.starts_with("on"), "{what}: {name}={value}");
        }
    }
    let count = select(dom, "#finding-count .stat-value");
    assert_eq!(count.len(), 1, "{what}: the finding count");
    count[0]
        .value()
        .attr("data-count")
        .unwrap()
        .parse()
        .unwrap()
}

/// Chromium, headless, with every network path closed and its profile in
/// `work`: `--dump-dom` (stdout) or `--screenshot=FILE`.
fn chromium(work: &Path, page: &Path, extra: &[&str]) -> std::process::Output {
    let bin = require::chromium_bin().unwrap();
    let profile = tempfile::tempdir_in(work).unwrap();
    std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-component-update",
            "--disable-domain-reliability",
            "--metrics-recording-only",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1400,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .env("HOME", profile.path())
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

#[test]
fn image_page_in_chromium_shows_hostile_strings_as_text() {
    if !require::chromium() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let img = hostile_image(work.path());
    let scan = |format: &str| {
        run(bulkhead(&cache)
            .args([
                "image",
                "--offline",
                "--scanners",
                "vuln,secret,misconfig",
                "--format",
                format,
                "--input",
            ])
            .arg(&img))
    };
    let report: Value = serde_json::from_slice(&scan("json")).unwrap();
    let expected = json_findings(&report);
    // A vulnerability, the secret and an image-config finding at least.
    let has = |k: &str| {
        report["Results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r[k].as_array().is_some_and(|a| !a.is_empty()))
    };
    assert!(has("Vulnerabilities") && has("Secrets") && has("Misconfigurations"));
    let page_path = work.path().join("report.html");
    std::fs::write(&page_path, scan("html")).unwrap();
    let html = std::fs::read_to_string(&page_path).unwrap();
    assert_eq!(check_page("image (file)", &html), expected);
    // The hostile strings are in the file only as escaped text.
    assert!(!html.contains(SCRIPT) && !html.contains(IMG));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // What the browser builds, with no network.
    let out = chromium(work.path(), &page_path, &["--dump-dom"]);
    assert!(
        out.status.success(),
        "chromium --dump-dom: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dumped = String::from_utf8(out.stdout).unwrap();
    let dom = Html::parse_document(&dumped);
    assert_eq!(check_dom("image (Chromium DOM)", &dom), expected);
    // The script ran (the sort buttons and filter exist) and the page's
    // text shows the hostile strings as text.
    assert!(
        !select(&dom, "th button.sort").is_empty(),
        "the script did not run"
    );
    assert!(!select(&dom, ".filter input").is_empty());
    let text = dom.root_element().text().collect::<String>();
    for s in [SCRIPT, IMG] {
        assert!(text.contains(s), "{s} is not shown as text");
    }
    let packages: Vec<String> = select(&dom, "#vulnerabilities-table tbody tr, #layers-table li")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(packages.iter().any(|p| p.contains(SCRIPT)), "{packages:?}");
    assert!(packages.iter().any(|p| p.contains(IMG)), "{packages:?}");
    let labels = select(&dom, "dl.meta li")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>();
    assert!(
        labels.contains(&format!("org.test.img={IMG}")),
        "{labels:?}"
    );
    assert!(
        labels.contains(&format!("org.test.script={SCRIPT}")),
        "{labels:?}"
    );
    // The JSON's vulnerabilities are all rows of the table.
    let vulns: usize = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Vulnerabilities"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(select(&dom, "#vulnerabilities-table tbody tr").len(), vulns);

    // A screenshot, into the test's temp dir.
    let shot = work.path().join("report.png");
    let out = chromium(
        work.path(),
        &page_path,
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(
        out.status.success(),
        "chromium --screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"));
    if let Some(keep) = std::env::var_os("BULKHEAD_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

/// `bulkhead check --format html` of the hostile image run with `docker
/// run` flags: the scoreboard's eight states and the finding count in the
/// browser's DOM match the JSON, the hostile package names and labels are
/// text, the fix plan is there with its snippets, and a screenshot is made.
#[test]
fn check_page_in_chromium_matches_the_json() {
    if !require::chromium() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let cache = demo_cache(work.path());
    let img = hostile_image(work.path());
    let check = |format: &str| {
        run(bulkhead(&cache)
            .current_dir(work.path())
            .args([
                "check",
                "--offline",
                "--run",
                "docker run -p 8080:80 -e API_TOKEN=tok-9f8e7d6c5b4a3f2e registry.test/html:1",
                "--format",
                format,
                "--input",
            ])
            .arg(&img))
    };
    let report: Value = serde_json::from_slice(&check("json")).unwrap();
    let expected = report["Counts"]["Findings"].as_u64().unwrap() as usize;
    assert!(expected > 0, "{report:#}");
    let states: Vec<String> = report["Scoreboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["State"].as_str().unwrap().replace('_', " "))
        .collect();
    assert_eq!(states.len(), 8);
    let page_path = work.path().join("check.html");
    std::fs::write(&page_path, check("html")).unwrap();
    let html = std::fs::read_to_string(&page_path).unwrap();
    assert_eq!(check_page("check (file)", &html), expected);
    assert!(!html.contains(SCRIPT) && !html.contains(IMG));

    let out = chromium(work.path(), &page_path, &["--dump-dom"]);
    assert!(
        out.status.success(),
        "chromium --dump-dom: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = Html::parse_document(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(check_dom("check (Chromium DOM)", &dom), expected);
    let shown: Vec<String> = select(&dom, "#scoreboard-table tbody tr td .badge")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(shown, states, "the scoreboard's states");
    assert_eq!(
        select(&dom, "#findings-table tbody tr").len(),
        expected,
        "one row per finding"
    );
    assert!(!select(&dom, "#fix-plan figure.snippet").is_empty());
    assert!(
        !select(&dom, "svg#chart-layers").is_empty() || !select(&dom, "#chart-layers").is_empty()
    );
    let text = dom.root_element().text().collect::<String>();
    for s in [SCRIPT, IMG] {
        assert!(text.contains(s), "{s} is not shown as text");
    }
    assert!(
        !html.contains("tok-9f8e7d6c5b4a3f2e"),
        "a secret value leaked"
    );
    let shot = work.path().join("check.png");
    let out = chromium(
        work.path(),
        &page_path,
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(out.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"));
    if let Some(keep) = std::env::var_os("BULKHEAD_KEEP_CHECK_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn config_page_is_valid_and_counts_match() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let project = work.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("Dockerfile"),
        format!(
            "FROM debian:latest\nLABEL note=\"{}\"\nUSER root\nRUN curl http://x | sh\n",
            IMG.replace('"', "\\\"")
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("compose.yaml"),
        "services:\n  \"web<script>\":\n    image: \"nginx:latest\"\n    privileged: true\n",
    )
    .unwrap();
    let json: Value = serde_json::from_slice(&run(bulkhead(&cache)
        .args(["config", "--format", "json"])
        .arg(&project)))
    .unwrap();
    let html = String::from_utf8(run(bulkhead(&cache)
        .args(["config", "--format", "html"])
        .arg(&project)))
    .unwrap();
    let expected = json_findings(&json);
    assert!(expected > 0);
    assert_eq!(check_page("config", &html), expected);
    let dom = Html::parse_document(&html);
    let rows = select(&dom, "#config-checks-table tbody tr");
    assert!(!rows.is_empty());
    let text = dom.root_element().text().collect::<String>();
    assert!(text.contains("web<script>"), "the service name as text");
}

#[test]
fn audit_page_is_valid_and_counts_match() {
    if !require::daemon() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let audit = |format: &str| {
        run(bulkhead(cache.path()).args([
            "audit",
            "--quiet",
            "--no-processes",
            "--checks",
            "2",
            "--format",
            format,
        ]))
    };
    let json: Value = serde_json::from_slice(&audit("json")).unwrap();
    let html = String::from_utf8(audit("html")).unwrap();
    assert_eq!(check_page("audit", &html), json_findings(&json));
    let dom = Html::parse_document(&html);
    assert!(!select(&dom, "#audit-checks-table tbody tr").is_empty());
}

#[test]
fn html_is_offered_where_it_belongs() {
    let work = tempfile::tempdir().unwrap();
    let help = bulkhead(work.path()).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("html"));
    // Not for an SBOM (an inventory, not a report of findings).
    let img = hostile_image(work.path());
    let out = bulkhead(work.path())
        .args(["sbom", "--format", "html", "--input"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not available"));
}
