//! `bulkhead sbom` on language packages: an image holding Python
//! dist-info, node_modules, a Go binary, a cargo-auditable binary and a fat
//! jar (fixtures made by the real tools, see
//! crates/bulkhead-analyzers/tests/lang_fixtures.rs), and a project folder
//! with lockfiles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

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

fn sbom(args: &[&str], target: &Path) -> Value {
    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .env(
            "BULKHEAD_CACHE_DIR",
            std::env::temp_dir().join(format!("bulkhead-test-cache-{}", std::process::id())),
        )
        .args(["sbom", "--quiet", "--format", "json"])
        .args(args)
        .arg(target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (target, type, sorted "name@version#layer") per result.
fn results(v: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<_> = v["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut p: Vec<String> = r["Packages"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|p| {
                    let layer = p["Layer"]["Index"]
                        .as_u64()
                        .map(|i| format!("#{i}"))
                        .unwrap_or_default();
                    format!(
                        "{}@{}{layer}",
                        p["Name"].as_str().unwrap(),
                        p["Version"].as_str().unwrap()
                    )
                })
                .collect();
            p.sort();
            (
                r["Target"].as_str().unwrap().to_string(),
                r["Type"].as_str().unwrap().to_string(),
                p,
            )
        })
        .collect();
    out.sort();
    out
}

pub fn lang_image() -> ImageBuilder {
    let site = "usr/local/lib/python3.11/site-packages";
    let mut b = ImageBuilder::new();
    let l0 = b.layer("COPY python packages");
    for d in ["Jinja2-2.10", "six-1.11.0"] {
        l0.file(
            &format!("{site}/{d}.dist-info/METADATA"),
            &fixture(&format!("python/site-packages/{d}.dist-info/METADATA")),
        )
        .unwrap();
    }
    l0.file(
        "app/node_modules/lodash/package.json",
        br#"{"name":"lodash","version":"4.17.15","license":"MIT"}"#,
    )
    .unwrap()
    .file(
        "app/node_modules/@babel/core/package.json",
        br#"{"name":"@babel/core","version":"7.0.0"}"#,
    )
    .unwrap()
    .file(
        "app/node_modules/a/node_modules/lodash/package.json",
        br#"{"name":"lodash","version":"4.17.21"}"#,
    )
    .unwrap()
    // Project lockfiles are not read in images (Trivy's rule).
    .file(
        "app/package-lock.json",
        br#"{"lockfileVersion":3,"packages":{"node_modules/left-pad":{"version":"1.0.0"}}}"#,
    )
    .unwrap();
    let l1 = b.layer("COPY binaries");
    l1.file_mode(
        "usr/local/bin/goapp",
        &fixture("go/goapp-go1.19.8.gz"),
        0o755,
    )
    .unwrap()
    .file_mode(
        "usr/local/bin/rsapp",
        &fixture("rust/rsapp-auditable.gz"),
        0o755,
    )
    .unwrap()
    // Not executable: not read as a binary.
    .file_mode("opt/goapp.copy", &fixture("go/goapp-go1.19.8.gz"), 0o644)
    .unwrap()
    .file("opt/app/app.jar", &fixture("java/app.jar"))
    .unwrap()
    .file(
        &format!("{site}/urllib3-1.24.1.dist-info/METADATA"),
        &fixture("python/site-packages/urllib3-1.24.1.dist-info/METADATA"),
    )
    .unwrap();
    b
}

#[test]
fn image_language_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img.tar");
    lang_image().write(Layout::DockerOci, &img).unwrap();
    let v = sbom(&["--input"], &img);
    let s = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        results(&v),
        vec![
            (
                "Java".into(),
                "jar".into(),
                s(&[
                    "com.acme:logutil@2.0.1#1",
                    "commons-text@1.9#1",
                    "org.example:greeter@1.2.3#1"
                ])
            ),
            (
                "Node.js".into(),
                "node-pkg".into(),
                s(&[
                    "@babel/core@7.0.0#0",
                    "lodash@4.17.15#0",
                    "lodash@4.17.21#0"
                ])
            ),
            (
                "Python".into(),
                "python-pkg".into(),
                s(&["Jinja2@2.10#0", "six@1.11.0#0", "urllib3@1.24.1#1"])
            ),
            (
                "usr/local/bin/goapp".into(),
                "gobinary".into(),
                s(&["golang.org/x/text@v0.3.5#1", "stdlib@v1.19.8#1"])
            ),
            (
                "usr/local/bin/rsapp".into(),
                "rustbinary".into(),
                s(&["rsapp@0.1.0#1", "smallvec@1.6.0#1"])
            ),
        ]
    );
    for r in v["Results"].as_array().unwrap() {
        assert_eq!(r["Class"], "lang-pkgs");
    }
}

#[test]
fn project_folder_lockfiles() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("web")).unwrap();
    std::fs::write(root.join("uv.lock"), fixture("python/uv/uv.lock")).unwrap();
    std::fs::write(root.join("Cargo.lock"), fixture("rust/Cargo.lock")).unwrap();
    std::fs::write(root.join("web/package-lock.json"), br#"{"lockfileVersion":3,"packages":{"":{"name":"web"},"node_modules/left-pad":{"version":"1.0.0"}}}"#).unwrap();
    std::fs::write(
        root.join("go.mod"),
        "module example.com/x\n\ngo 1.19\n\nrequire golang.org/x/text v0.3.5\n",
    )
    .unwrap();
    let v = sbom(&[], root);
    let s = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        results(&v),
        vec![
            (
                "Cargo.lock".into(),
                "cargo".into(),
                s(&["rsapp@0.1.0", "smallvec@1.6.0"])
            ),
            (
                "go.mod".into(),
                "gomod".into(),
                s(&["golang.org/x/text@v0.3.5"])
            ),
            (
                "uv.lock".into(),
                "uv".into(),
                s(&["jinja2@2.10", "markupsafe@1.1.1", "urllib3@1.24.1"])
            ),
            (
                "web/package-lock.json".into(),
                "npm".into(),
                s(&["left-pad@1.0.0"])
            ),
        ]
    );
}

#[test]
fn hostile_files_warn_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = ImageBuilder::new();
    let mut deep = fixture("java/greeter-1.2.3.jar");
    for _ in 0..50 {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file("lib/x.jar", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, &deep).unwrap();
        deep = w.finish().unwrap().into_inner();
    }
    let mut huge = b"Metadata-Version: 2.1\nName: huge\nVersion: 1.0\n\n".to_vec();
    huge.resize(3 << 20, b'x');
    let go = fixture("go/goapp-go1.19.8.gz");
    b.layer("hostile")
        .file("opt/deep.jar", &deep)
        .unwrap()
        .file("site-packages/huge-1.0.dist-info/METADATA", &huge)
        .unwrap()
        .file("app/node_modules/bad/package.json", b"{not json")
        .unwrap()
        .file_mode("usr/bin/truncated", &go[..go.len() / 3], 0o755)
        .unwrap();
    let img = dir.path().join("img.tar");
    b.write(Layout::DockerOci, &img).unwrap();
    let v = sbom(&["--input"], &img);
    let warnings = v["Warnings"].to_string();
    // The truncated Go binary (a third of it: its section headers point
    // past the end) is reported, not read.
    for needle in [
        "nested deeper",
        "only the first",
        "invalid JSON",
        "usr/bin/truncated: truncated ELF file",
    ] {
        assert!(
            warnings.contains(needle),
            "no {needle:?} warning in {warnings}"
        );
    }
    // One warning for the truncated binary, though two analyzers (Go build
    // info, cargo-auditable) read executables.
    assert_eq!(
        warnings
            .matches("usr/bin/truncated: truncated ELF file")
            .count(),
        1,
        "{warnings}"
    );
    assert_eq!(
        results(&v),
        vec![(
            "Python".into(),
            "python-pkg".into(),
            vec!["huge@1.0#0".to_string()]
        )]
    );
}
