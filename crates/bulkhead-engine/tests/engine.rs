//! `bulkhead_engine::scan` against the real `bulkhead` binary on the same
//! inputs: an image file and a root filesystem directory, with the secret
//! and misconfig scanners (no database) and with the vuln scanner against
//! the committed demo advisories. The engine's report, as JSON, must equal
//! the CLI's `--format json --list-all-pkgs` output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_engine::{ErrorKind, NoProgress, ScanRequest, Scanners, Target};
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_secrets::validate::token_checksum;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION_CODENAME=bullseye\nID=debian\n";

const STATUS: &str = "Package: libssl1.1\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 1.1.1n-0+deb11u3\n\n\
Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.11.dfsg-2+deb11u1\n\n\
Package: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.5p2-3+deb11u1\n\n";

/// A format-valid fake GitHub token.
fn ghp() -> String {
    let random = "Ex9Kq2LmN8pR4tV6wY1zA3bC5dE7fG";
    format!("ghp_{random}{}", token_checksum(random))
}

/// The files of the test root filesystem (also the image's one layer).
fn files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("etc/os-release".into(), OS_RELEASE.as_bytes().to_vec()),
        ("etc/debian_version".into(), b"11.6\n".to_vec()),
        ("var/lib/dpkg/status".into(), STATUS.as_bytes().to_vec()),
        (
            "app/.env".into(),
            format!("GITHUB_TOKEN={}\n", ghp()).into_bytes(),
        ),
    ]
}

fn write_image(path: &Path) {
    write_tagged_image(path, "engine-test:1");
}

/// The test image (root user, secrets in `Env` and in `app/.env`) tagged `tag`.
fn write_tagged_image(path: &Path, tag: &str) {
    let mut b = ImageBuilder::new()
        .tag(tag)
        .config("User", json!("root"))
        .config(
            "Env",
            json!([
                "PATH=/usr/bin:/bin",
                format!("GH_TOKEN={}", ghp()),
                "DB_PASSWORD=Vq7rT2mW9pL4xZk"
            ]),
        );
    let layer = b.layer("ADD rootfs.tar /");
    for (p, c) in files() {
        layer.file(&p, &c).unwrap();
    }
    b.write(Layout::DockerOci, path).unwrap();
}

fn write_dir(dir: &Path) {
    for (p, c) in files() {
        let full = dir.join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, c).unwrap();
    }
}

/// The workspace's `bulkhead` binary, built once (the engine must not
/// depend on bulkhead-cli, so it is not a dev-dependency).
fn bulkhead_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "bulkhead-cli", "--bin", "bulkhead"])
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p bulkhead-cli failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("debug").join("bulkhead")
    })
}

/// The CLI's JSON report (`--format json --list-all-pkgs`, no filters).
fn cli_json(work: &Path, cache: &Path, command: &[&str], target: &str, scanners: &str) -> Value {
    let out = Command::new(bulkhead_bin())
        .current_dir(work)
        .env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_NO_CACHE")
        .args(command)
        .args(["--format", "json", "-q"])
        .args(["--scanners", scanners, "--list-all-pkgs"])
        .arg(target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bulkhead failed: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn engine_json(req: &ScanRequest) -> Value {
    let out = bulkhead_engine::scan(req, &NoProgress).unwrap();
    assert_eq!(out.report.warnings, out.warnings);
    filtered_json(out.report)
}

/// The report as the CLI writes it without filter flags: the filter pass
/// hides nothing but adds the `Summary` counts.
fn filtered_json(mut report: bulkhead_engine::Report) -> Value {
    bulkhead_report::filter::apply(&mut report, &bulkhead_report::filter::Filter::default());
    serde_json::to_value(&report).unwrap()
}

/// Drop what differs between two runs of the same scan (the time).
fn normalize(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("CreatedAt");
    }
    v
}

fn request(target: Target, cache: &Path, scanners: Scanners) -> ScanRequest {
    let mut req = ScanRequest::new(target, cache.to_path_buf());
    req.scanners = scanners;
    req.db.offline = true;
    req
}

fn assert_same(engine: Value, cli: Value) {
    let (engine, cli) = (normalize(engine), normalize(cli));
    assert_eq!(
        engine,
        cli,
        "engine:\n{}\ncli:\n{}",
        serde_json::to_string_pretty(&engine).unwrap(),
        serde_json::to_string_pretty(&cli).unwrap()
    );
}

const SECRET_MISCONFIG: Scanners = Scanners {
    vuln: false,
    secret: true,
    misconfig: true,
};

#[test]
fn image_file_secret_misconfig_matches_cli() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let img = work.path().join("image.tar");
    write_image(&img);
    let engine = engine_json(&request(
        Target::File(img.clone()),
        &cache,
        SECRET_MISCONFIG,
    ));
    let results = engine["Results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["Class"] == "secret"), "{engine}");
    assert!(results.iter().any(|r| r["Class"] == "config"), "{engine}");
    assert!(!engine.to_string().contains(&ghp()), "a raw secret leaked");
    let cli = cli_json(
        work.path(),
        &cache,
        &["image"],
        img.to_str().unwrap(),
        "secret,misconfig",
    );
    assert_same(engine, cli);
}

#[test]
fn dir_secret_misconfig_matches_cli() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let root = work.path().join("rootfs");
    write_dir(&root);
    let req = request(Target::Dir(root.clone()), &cache, SECRET_MISCONFIG);
    let out = bulkhead_engine::scan(&req, &NoProgress).unwrap();
    assert!(!out.inventory.package_sets.is_empty());
    // A folder has no image config: the misconfig scanner says so.
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("bulkhead config DIR"))
    );
    let engine = filtered_json(out.report);
    let cli = cli_json(
        work.path(),
        &cache,
        &["fs"],
        root.to_str().unwrap(),
        "secret,misconfig",
    );
    assert_same(engine, cli);
}

#[test]
fn image_file_vuln_matches_cli() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let advisories =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    let db = cache.join("db").join(bulkhead_osv::DB_FILE);
    bulkhead_osv::import_paths(&db, &[advisories], &|_| {}).unwrap();
    let img = work.path().join("image.tar");
    write_image(&img);
    let scanners = Scanners {
        vuln: true,
        secret: true,
        misconfig: false,
    };
    let req = request(Target::File(img.clone()), &cache, scanners);
    assert_eq!(req.db.path, db);
    let engine = engine_json(&req);
    let ids: Vec<&str> = engine["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().into_iter().flatten())
        .filter_map(|v| v["VulnerabilityID"].as_str())
        .collect();
    assert!(!ids.is_empty(), "no vulnerability found: {engine}");
    let cli = cli_json(
        work.path(),
        &cache,
        &["image", "--offline"],
        img.to_str().unwrap(),
        "vuln,secret",
    );
    assert_same(engine, cli);
}

/// The demo advisories in the cache's database.
fn demo_db(cache: &Path) {
    let advisories =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    let db = cache.join("db").join(bulkhead_osv::DB_FILE);
    bulkhead_osv::import_paths(&db, &[advisories], &|_| {}).unwrap();
}

/// Image B: image A with zlib1g upgraded and libssl1.1 removed.
fn write_image_b(path: &Path) {
    let status = "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n\
Package: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.5p2-3+deb11u1\n\n";
    let mut b = ImageBuilder::new().tag("engine-test:2");
    let layer = b.layer("ADD rootfs.tar /");
    for (p, c) in files() {
        let c = if p == "var/lib/dpkg/status" {
            status.as_bytes().to_vec()
        } else {
            c
        };
        layer.file(&p, &c).unwrap();
    }
    b.write(Layout::DockerOci, path).unwrap();
}

#[test]
fn diff_through_the_engine_matches_cli() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    demo_db(&cache);
    let (a, b) = (work.path().join("a.tar"), work.path().join("b.tar"));
    write_image(&a);
    write_image_b(&b);
    let req = |p: &Path| request(Target::File(p.to_path_buf()), &cache, Scanners::default());
    let secrets =
        bulkhead_secrets::Scanner::new(&bulkhead_engine::SecretsConfig::default()).unwrap();
    let diff = bulkhead_engine::diff::diff(&req(&a), &req(&b), &secrets, &NoProgress, &|r| {
        bulkhead_report::filter::apply(r, &bulkhead_report::filter::Filter::default());
    })
    .unwrap();
    assert!(!diff.vulnerabilities.fixed.is_empty(), "{diff:?}");
    let engine = serde_json::to_value(&diff).unwrap();
    let out = Command::new(bulkhead_bin())
        .current_dir(work.path())
        .env("BULKHEAD_CACHE_DIR", &cache)
        .args(["diff", "--offline", "--format", "json", "-q"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_same(engine, cli);
}

/// `scan_async` from a multi-threaded tokio runtime gives the blocking
/// scan's report, for an image file and, when the Docker daemon answers,
/// for the same image read from the daemon by name (whose client runs its
/// own runtime: it must not clash with the caller's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_async_from_a_tokio_runtime() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let img = work.path().join("image.tar");
    write_image(&img);
    let req = request(Target::File(img.clone()), &cache, SECRET_MISCONFIG);
    let sync = {
        let req = req.clone();
        tokio::task::spawn_blocking(move || engine_json(&req))
            .await
            .unwrap()
    };
    let out = bulkhead_engine::scan_async(req, std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    assert_same(filtered_json(out.report), sync.clone());

    if !bulkhead_testkit::require::daemon() {
        return;
    }
    let tag = format!(
        "bulkhead-test-engine-{}-{}:1",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let tagged = work.path().join("tagged.tar");
    write_tagged_image(&tagged, &tag);
    let loaded = Command::new("docker")
        .args(["load", "-q", "-i"])
        .arg(&tagged)
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    struct Remove(String);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = Command::new("docker").args(["rmi", "-f", &self.0]).output();
        }
    }
    let _remove = Remove(tag.clone());
    let mut req = request(Target::Name(tag.clone()), &cache, SECRET_MISCONFIG);
    req.sources = vec!["docker".into()];
    let out = bulkhead_engine::scan_async(req, std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    let from_daemon = filtered_json(out.report);
    assert_eq!(from_daemon["ArtifactName"], json!(tag));
    assert_eq!(
        from_daemon["Metadata"]["DiffIDs"], sync["Metadata"]["DiffIDs"],
        "the daemon's copy has the file's layers"
    );
    // The same findings; the daemon's export has uncompressed layers (no
    // compressed digest) and the tag names the target.
    assert_eq!(findings(&from_daemon), findings(&sync));
    assert!(findings(&sync).len() >= 8, "{:?}", findings(&sync));
}

/// Every package, secret and misconfiguration of a report, by id.
fn findings(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in v["Results"].as_array().into_iter().flatten() {
        for (list, key) in [
            ("Packages", "ID"),
            ("Secrets", "RuleID"),
            ("Misconfigurations", "ID"),
            ("Vulnerabilities", "VulnerabilityID"),
        ] {
            for f in r[list].as_array().into_iter().flatten() {
                out.push(format!("{list} {} {}", f[key], f["Layer"]["DiffID"]));
            }
        }
    }
    out.sort();
    out
}

/// A harden proposal for an image file through the engine and
/// `bulkhead-harden` alone equals `bulkhead harden --input … --format json`.
#[test]
fn harden_proposal_through_the_engine_matches_cli() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let img = work.path().join("image.tar");
    write_image(&img);
    let req = request(Target::File(img.clone()), &cache, Scanners::default());
    let (name, mut workload) = bulkhead_engine::harden::image_workload(&req, &NoProgress).unwrap();
    assert_eq!(name, "engine-test:1");
    workload.name = bulkhead_engine::harden::service_key(&name);
    let proposal = bulkhead_harden::propose(&workload, &bulkhead_harden::ProposeOptions::default());
    let engine: Value =
        serde_json::from_str(&bulkhead_report::harden::json_text(&proposal).unwrap()).unwrap();
    assert!(engine.to_string().contains("read_only"), "{engine}");
    let out = Command::new(bulkhead_bin())
        .current_dir(work.path())
        .env("BULKHEAD_CACHE_DIR", &cache)
        .args(["harden", "--format", "json", "-q", "--input"])
        .arg(&img)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_same(engine, cli);
}

/// The engine's errors say what happened, for callers that are not the
/// CLI: a missing image file is the caller's input; an image on a registry
/// nobody answers for is unreachable (or, every source tried, not found).
#[test]
fn errors_name_their_kind() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let missing = request(
        Target::File(work.path().join("missing.tar")),
        &cache,
        SECRET_MISCONFIG,
    );
    let e = bulkhead_engine::scan(&missing, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input, "{e}");
    assert!(e.message().starts_with("cannot read image "), "{e}");
    assert!(e.message().contains("missing.tar"), "{e}");
    let e = bulkhead_engine::harden::image_workload(&missing, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input, "{e}");

    // A port on 127.0.0.1 that was free a moment ago: nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut req = request(
        Target::Name(format!("127.0.0.1:{port}/bulkhead/none:1")),
        &cache,
        SECRET_MISCONFIG,
    );
    req.sources = vec!["remote".into()];
    req.registry.retries = 0;
    let e = bulkhead_engine::scan(&req, &NoProgress).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Unreachable | ErrorKind::NotFound),
        "{e:?}"
    );
    assert!(e.message().contains(&format!("127.0.0.1:{port}")), "{e}");
}
