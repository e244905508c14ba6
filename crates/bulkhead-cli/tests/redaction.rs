//! No whole secret leaves Bulkhead: secrets planted in every place an image
//! can carry them (a file, a file deleted by a later layer, `Env`, history
//! `created_by`, labels, `Cmd` and `Entrypoint` arguments) are searched for in
//! every output format of `image` and `sbom`, in the logs at every `-v`
//! level, and in every file of the cache directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;
#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The planted secrets, each unique so a hit names its place.
const FILE_PASS: &str = "planted-file-pass-9k2qXw";
const GITLAB: &str = "glpat-Zq8Rt3Yp6Wm2Nx5Lk9Vb";
const ENV_PASS: &str = "planted-env-pass-3a9f";
const HISTORY_TOKEN: &str = "planted-hist-token-5d2b";
const LABEL: &str = "planted-label-secret-8e4c";
const CMD_PASS: &str = "planted-cmd-pass-1b6d";
const ENTRY_PASS: &str = "planted-entry-pass-2f8a";
const ANNOTATION: &str = "planted-annotation-token-7c1e";
const DOCKERFILE_PASS: &str = "planted-dockerfile-pass-4e7b";
const COMPOSE_PASS: &str = "planted-compose-pass-6a3d";
const ALL: [&str; 10] = [
    ANNOTATION,
    DOCKERFILE_PASS,
    COMPOSE_PASS,
    FILE_PASS,
    GITLAB,
    ENV_PASS,
    HISTORY_TOKEN,
    LABEL,
    CMD_PASS,
    ENTRY_PASS,
];

fn image(dir: &Path) -> PathBuf {
    image_named(dir, "planted.tar", "1.0")
}

/// The planted image; `version` changes one package so two of them differ.
fn image_named(dir: &Path, file: &str, version: &str) -> PathBuf {
    let out = dir.join(file);
    planted(ImageBuilder::new(), version)
        .write(Layout::DockerOci, &out)
        .unwrap();
    out
}

/// `b` with the secrets planted in every place an image carries them.
fn planted(b: ImageBuilder, version: &str) -> ImageBuilder {
    let mut b = b
        .config(
            "Env",
            json!(["PATH=/usr/bin:/bin", format!("DB_PASSWORD={ENV_PASS}")]),
        )
        .config(
            "Labels",
            json!({"org.example.api-token": LABEL, "maintainer": "ops"}),
        )
        .config("Cmd", json!(["app", "--password", CMD_PASS]))
        .config(
            "Entrypoint",
            json!(["run.sh", format!("--db-password={ENTRY_PASS}")]),
        )
        .annotation("org.example.deploy-token", ANNOTATION);
    b.layer(&format!("/bin/sh -c #(nop) ENV DB_PASSWORD={ENV_PASS}"))
        .file(
            "app/settings.py",
            format!("DEBUG = False\nDB_PASSWORD = \"{FILE_PASS}\"\n").as_bytes(),
        )
        .unwrap()
        .file("app/old.cfg", format!("token: {GITLAB}\n").as_bytes())
        .unwrap();
    b.layer(&format!(
        "RUN ./configure --api-token={HISTORY_TOKEN} && rm app/old.cfg"
    ))
    .whiteout("app/old.cfg")
    .unwrap()
    .file(
        "usr/lib/python3/dist-packages/requests-2.0.dist-info/METADATA",
        format!("Metadata-Version: 2.1\nName: requests\nVersion: {version}\n").as_bytes(),
    )
    .unwrap();
    b
}

fn run(cache: &Path, args: &[&str]) -> (String, Vec<u8>) {
    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .env("BULKHEAD_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{args:?} failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all = out.stdout.clone();
    all.extend_from_slice(&out.stderr);
    (String::from_utf8_lossy(&out.stdout).to_string(), all)
}

fn leaks(bytes: &[u8]) -> Vec<&'static str> {
    let text = String::from_utf8_lossy(bytes);
    ALL.iter().copied().filter(|s| text.contains(s)).collect()
}

#[test]
fn planted_secrets_never_leave_whole() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let img = image(work.path());
    let img = img.to_str().unwrap();
    let mut checked = 0;
    for format in ["json", "table", "sarif", "cyclonedx", "spdx-json", "html"] {
        for verbose in ["-q", "-v", "-vv", "-vvv"] {
            let args = [
                "image",
                "--scanners",
                "secret,misconfig",
                "--input",
                img,
                "--format",
                format,
                verbose,
            ];
            let (stdout, all) = run(&cache, &args);
            assert!(!stdout.is_empty(), "{args:?} wrote nothing");
            assert_eq!(leaks(&all), Vec::<&str>::new(), "image {format} {verbose}");
            checked += 1;
        }
        let args = ["sbom", "--input", img, "--format", format, "-vv"];
        if !matches!(format, "sarif" | "html") {
            let (_, all) = run(&cache, &args);
            assert_eq!(leaks(&all), Vec::<&str>::new(), "sbom {format}");
            checked += 1;
        }
    }
    assert_eq!(checked, 28);
    // The findings are there, redacted: the file secrets (one deleted but
    // still shipped), the Env entry and the history entry.
    let (json, _) = run(
        &cache,
        &[
            "image",
            "--scanners",
            "secret,misconfig",
            "--input",
            img,
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let text = report.to_string();
    for id in ["BH-IM-004", "BH-IM-005"] {
        assert!(text.contains(id), "{id} missing");
    }
    let secrets: Vec<String> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Secrets"].as_array().cloned().unwrap_or_default())
        .map(|s| format!("{} {}", s["RuleID"], s["Match"]))
        .collect();
    assert!(
        secrets
            .iter()
            .any(|s| s.contains("generic-password") && s.contains("plan*****\\\"")),
        "the file's password is found, redacted: {secrets:?}"
    );
    assert!(
        text.contains("RemovedIn"),
        "the deleted file's secret is reported"
    );
    let env = report["Metadata"]["ImageConfig"]["config"]["Env"].to_string();
    assert!(
        env.contains("DB_PASSWORD=") && env.contains("*****"),
        "{env}"
    );
    let labels = report["Metadata"]["ImageConfig"]["config"]["Labels"].to_string();
    assert!(
        labels.contains("maintainer") && labels.contains("ops"),
        "{labels}"
    );
    // Nothing in the cache either (layer analyses, databases, anything).
    let mut files = 0;
    for e in walk(&cache) {
        let bytes = std::fs::read(&e).unwrap();
        assert_eq!(leaks(&bytes), Vec::<&str>::new(), "{}", e.display());
        files += 1;
    }
    assert!(files > 0, "the layer cache was written");
}

/// The other commands that echo image or input content: `image --summary`,
/// `diff`, `harden`, `fs DIR`, `config` (Dockerfile and Compose).
#[test]
fn planted_secrets_never_leave_other_commands() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    // A database of the committed demo advisories, for the vulnerability
    // parts of `--summary` and `diff`.
    let demo =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    run(&cache, &["db", "import", demo.to_str().unwrap()]);
    let a = image_named(work.path(), "a.tar", "1.0");
    let b = image_named(work.path(), "b.tar", "2.0");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let project = work.path().join("project");
    std::fs::create_dir_all(project.join("app")).unwrap();
    std::fs::write(
        project.join("Dockerfile"),
        format!(
            "FROM debian:12\nARG DB_PASSWORD={DOCKERFILE_PASS}\nENV DB_PASSWORD={DOCKERFILE_PASS}\nRUN ./configure --password {DOCKERFILE_PASS}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("compose.yaml"),
        format!(
            "services:\n  web:\n    image: nginx:1.25\n    environment:\n      DB_PASSWORD: {COMPOSE_PASS}\n    command: [\"app\", \"--password={COMPOSE_PASS}\"]\n"
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("app/settings.py"),
        format!("DB_PASSWORD = \"{FILE_PASS}\"\ntoken = \"{GITLAB}\"\n"),
    )
    .unwrap();
    let project = project.to_str().unwrap();
    let compose = format!("{project}/compose.yaml");
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["table", "json"] {
        runs.push(vec!["image", "--summary", "--input", a, "--format", format]);
    }
    for format in ["table", "json", "markdown"] {
        runs.push(vec![
            "diff",
            "--offline",
            "--input-a",
            a,
            "--input-b",
            b,
            "--format",
            format,
        ]);
    }
    for format in ["compose", "run", "json"] {
        runs.push(vec!["harden", "--input", a, "--format", format]);
        runs.push(vec![
            "harden",
            "--compose",
            &compose,
            "--service",
            "web",
            "--format",
            format,
        ]);
    }
    for format in ["table", "json", "sarif"] {
        runs.push(vec![
            "fs",
            "--scanners",
            "secret",
            project,
            "--format",
            format,
        ]);
        runs.push(vec!["config", project, "--format", format]);
    }
    for args in &runs {
        for verbose in ["-q", "-vvv"] {
            let mut with = args.clone();
            with.push(verbose);
            let (stdout, all) = run(&cache, &with);
            assert!(!stdout.is_empty(), "{with:?} wrote nothing");
            assert_eq!(leaks(&all), Vec::<&str>::new(), "{with:?}");
        }
    }
    // The findings are there: the Dockerfile and Compose secrets and the
    // files' secrets are reported, redacted.
    let (config, _) = run(&cache, &["config", project, "--format", "json"]);
    assert!(config.contains("DB_PASSWORD"), "{config}");
    let (fs, _) = run(
        &cache,
        &["fs", "--scanners", "secret", project, "--format", "json"],
    );
    assert!(fs.contains("gitlab"), "{fs}");
    for e in walk(&cache) {
        let bytes = std::fs::read(&e).unwrap();
        assert_eq!(leaks(&bytes), Vec::<&str>::new(), "{}", e.display());
    }
}

/// The same image read from a registry (manifest, annotations and config
/// as the registry serves them) and from the Docker daemon.
#[test]
fn planted_secrets_never_leave_from_a_registry_or_the_daemon() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let check = |name: &str, src: &str| {
        for format in ["json", "table", "sarif", "cyclonedx"] {
            let args = [
                "image",
                name,
                "--image-src",
                src,
                "--scanners",
                "secret,misconfig",
                "--format",
                format,
                "-vvv",
            ];
            let (stdout, all) = run(&cache, &args);
            assert!(!stdout.is_empty(), "{args:?} wrote nothing");
            let text = String::from_utf8_lossy(&all);
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| !leaks(l.as_bytes()).is_empty())
                .collect();
            assert_eq!(lines, Vec::<&str>::new(), "{args:?}");
        }
        let (json, _) = run(
            &cache,
            &[
                "image",
                name,
                "--image-src",
                src,
                "--scanners",
                "secret,misconfig",
                "--format",
                "json",
            ],
        );
        assert!(json.contains("BH-IM-004"), "{src}: the Env secret is found");
        let (_, all) = run(
            &cache,
            &[
                "sbom",
                name,
                "--image-src",
                src,
                "--format",
                "spdx-json",
                "-vvv",
            ],
        );
        assert_eq!(leaks(&all), Vec::<&str>::new(), "sbom from {src}");
    };

    if let Some(reg) = support::LocalRegistry::start(None) {
        let layout = work.path().join("oci");
        planted(ImageBuilder::new(), "1.0")
            .write(Layout::OciDir, &layout)
            .unwrap();
        let client =
            bulkhead_image::registry::Registry::new(&reg.host, support::test_options()).unwrap();
        support::push_layout(&client, "bulkhead-test/planted", "1", &layout);
        check(&format!("{}/bulkhead-test/planted:1", reg.host), "remote");
    }

    if support_docker::ready(&[]) {
        let tag = format!("{}:1", support_docker::unique("bulkhead-test-planted"));
        let _guard = support_docker::Guard::new(tag.clone());
        let tar = work.path().join("load.tar");
        planted(ImageBuilder::new().tag(&tag), "1.0")
            .write(Layout::DockerOci, &tar)
            .unwrap();
        support_docker::must(
            std::process::Command::new("docker")
                .args(["load", "-q", "-i"])
                .arg(&tar)
                .output()
                .unwrap(),
            "docker load",
        );
        check(&tag, "docker");
    }
    for e in walk(&cache) {
        let bytes = std::fs::read(&e).unwrap();
        assert_eq!(leaks(&bytes), Vec::<&str>::new(), "{}", e.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
