#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `bulkhead sbom NAME`: images from a registry (Debian's `docker-registry`,
//! apt package `docker-registry`) and from the Docker daemon (apt
//! `docker.io`), the layer cache (rescans hit every layer), and errors.

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;
#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use std::path::{Path, PathBuf};

const STATUS: &str = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";

fn fixture(layout: Layout, out: &Path) {
    let mut b = ImageBuilder::new().tag("bulkhead-test/app:1");
    b.layer("base")
        .file(
            "etc/os-release",
            b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n",
        )
        .unwrap()
        .file("var/lib/dpkg/status", STATUS.as_bytes())
        .unwrap();
    b.layer("pip")
        .file(
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n",
        )
        .unwrap();
    b.write(layout, out).unwrap();
}

fn sbom(cache: &Path, args: &[&str]) -> (serde_json::Value, String, i32) {
    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_LOG")
        .env_remove("BULKHEAD_NO_CACHE")
        .args(["-v", "--no-color", "sbom", "-f", "json"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (json, stderr, out.status.code().unwrap_or(-1))
}

fn packages(v: &serde_json::Value) -> Vec<String> {
    let mut p: Vec<String> = v["Results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .flat_map(|r| r["Packages"].as_array().cloned().unwrap_or_default())
                .map(|p| format!("{} {} {}", p["Name"], p["Version"], p["Identifier"]["PURL"]))
                .collect()
        })
        .unwrap_or_default();
    p.sort();
    p
}

#[test]
fn remote_image_scan_and_cached_rescan() {
    let Some(reg) = support::LocalRegistry::start(None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    fixture(Layout::OciDir, &layout);
    let client =
        bulkhead_image::registry::Registry::new(&reg.host, support::test_options()).unwrap();
    support::push_layout(&client, "bulkhead-test/app", "1", &layout);
    let cache = dir.path().join("cache");
    let name = format!("{}/bulkhead-test/app:1", reg.host);

    let (cold, err, code) = sbom(&cache, &[&name, "--image-src", "remote"]);
    assert_eq!(code, 0, "{err}");
    let pk = packages(&cold);
    assert!(pk.iter().any(|p| p.contains("zlib1g")), "{pk:?}");
    assert!(
        pk.iter()
            .any(|p| p.contains("requests") && p.contains("pkg:pypi/requests@2.31.0")),
        "{pk:?}"
    );
    assert!(err.contains("layer cache: 0 of 2 layers reused"), "{err}");

    let (warm, err, code) = sbom(&cache, &[&name, "--image-src", "remote"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("layer cache: 2 of 2 layers reused"), "{err}");
    assert_eq!(err.matches("layer cache hit").count(), 2, "{err}");
    assert_eq!(warm, cold, "the cached rescan gives the same report");

    // Same inventory as the file it was pushed from.
    let (file, err, code) = sbom(&cache, &["--input", layout.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(packages(&file), pk);
    assert_eq!(file["Metadata"]["DiffIDs"], cold["Metadata"]["DiffIDs"]);

    // --no-cache reads every layer again.
    let (_, err, _) = sbom(&cache, &[&name, "--image-src", "remote", "--no-cache"]);
    assert!(!err.contains("layer cache hit"), "{err}");

    // `cache info` / `cache clean`.
    let info = Command::cargo_bin("bulkhead")
        .unwrap()
        .env("BULKHEAD_CACHE_DIR", &cache)
        .args(["cache", "info", "-f", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["Entries"], 2);
    Command::cargo_bin("bulkhead")
        .unwrap()
        .env("BULKHEAD_CACHE_DIR", &cache)
        .args(["cache", "clean"])
        .assert()
        .success();
    let (_, err, _) = sbom(&cache, &[&name, "--image-src", "remote"]);
    assert!(err.contains("layer cache: 0 of 2 layers reused"), "{err}");
}

#[test]
fn image_not_found_anywhere_says_where_it_looked() {
    let Some(reg) = support::LocalRegistry::start(None) else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let name = format!("{}/bulkhead-test/absent-{}:1", reg.host, std::process::id());
    let (_, err, code) = sbom(cache.path(), &[&name, "--image-src", "remote"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("was not found. Looked in") && err.contains("remote:"),
        "{err}"
    );
    let (_, err, code) = sbom(cache.path(), &[&name, "--image-src", "bogus"]);
    assert_eq!(code, 2, "{err}");
}

// ---- Docker daemon ----

fn daemon_ready() -> bool {
    support_docker::ready(&[])
}

/// Import a root filesystem tarball as the labelled image `name`, removed
/// when the guard drops.
fn docker_import(tar: &Path, name: &str) -> support_docker::Guard {
    let guard = support_docker::Guard::new(name);
    let change = format!("LABEL {}", support_docker::LABEL);
    let out = std::process::Command::new("docker")
        .args(["import", "--change", &change])
        .arg(tar)
        .arg(name)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    guard
}

fn unique(tag: &str) -> String {
    format!(
        "{}:1",
        support_docker::unique(&format!("bulkhead-test-{tag}"))
    )
}

/// Daemon scan by name equals the scan of its `docker save` tarball.
fn daemon_equals_save(rootfs_tar: &Path, tag: &str, expect: &str) {
    let name = unique(tag);
    let _guard = docker_import(rootfs_tar, &name);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let (by_name, err, code) = sbom(&cache, &[&name, "--image-src", "docker"]);
    assert_eq!(code, 0, "{err}");
    let saved = dir.path().join("save.tar");
    let out = std::process::Command::new("docker")
        .args(["save", "-o"])
        .arg(&saved)
        .arg(&name)
        .output()
        .unwrap();
    assert!(out.status.success());
    let (from_file, err, code) = sbom(
        &dir.path().join("cache2"),
        &["--input", saved.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let pk = packages(&by_name);
    assert!(
        !pk.is_empty() && pk.iter().any(|p| p.contains(expect)),
        "{pk:?}"
    );
    assert_eq!(pk, packages(&from_file));
    assert_eq!(
        by_name["Metadata"]["DiffIDs"],
        from_file["Metadata"]["DiffIDs"]
    );
    assert_eq!(
        by_name["Metadata"]["ImageID"],
        from_file["Metadata"]["ImageID"]
    );
    // Rescan from the daemon: every layer from the cache.
    let (again, err, code) = sbom(&cache, &[&name, "--image-src", "docker"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("layer cache: 1 of 1 layers reused"), "{err}");
    assert_eq!(packages(&again), pk);
}

/// The debootstrap'ed rootfs of `scripts/debian-image.sh`; skips loudly
/// (fails under CI=true) when it was not built.
fn debian_rootfs() -> Option<PathBuf> {
    bulkhead_testkit::require::debian_image("debian-bookworm-rootfs")
        .map(|cache| cache.join("debian-bookworm-rootfs"))
}

#[test]
fn daemon_debian_image_matches_docker_save() {
    if !daemon_ready() {
        return;
    }
    let Some(rootfs) = debian_rootfs() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("rootfs.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&tar).unwrap());
    b.follow_symlinks(false);
    b.append_dir_all(".", &rootfs).unwrap();
    b.finish().unwrap();
    daemon_equals_save(&tar, "debian", "pkg:deb/debian/dpkg@");
}

#[test]
fn daemon_python_image_matches_docker_save() {
    if !daemon_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("py.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&tar).unwrap());
    for (path, data) in [
        ("etc/os-release", &b"ID=debian\nVERSION_ID=\"12\"\n"[..]),
        ("var/lib/dpkg/status", STATUS.as_bytes()),
        (
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
            &b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n"[..],
        ),
        (
            "usr/local/lib/python3.11/site-packages/flask-3.0.0.dist-info/METADATA",
            &b"Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\n"[..],
        ),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, data).unwrap();
    }
    b.finish().unwrap();
    drop(b);
    daemon_equals_save(&tar, "python", "pkg:pypi/flask@3.0.0");
}

#[test]
fn daemon_missing_image_is_not_found() {
    if !daemon_ready() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let (_, err, code) = sbom(cache.path(), &[&unique("absent"), "--image-src", "docker"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Looked in") && err.contains("docker: the Docker daemon has no image"),
        "{err}"
    );
}
