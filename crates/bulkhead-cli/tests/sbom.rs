//! `bulkhead sbom` on images built by the test image builder: inventory,
//! layer attribution, whiteouts, layouts, compression, platforms, and
//! hostile input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{Compression, ImageBuilder, Layout, write_multi_platform};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

const ALPINE_RELEASE: &[u8] = b"3.10.2\n";

fn apk_db(pkgs: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut s = String::new();
    for (name, ver, origin) in pkgs {
        s.push_str(&format!(
            "C:Q1x=\nP:{name}\nV:{ver}\nA:x86_64\nL:MIT\no:{origin}\nF:usr/lib\nR:{name}.so\n\n"
        ));
    }
    s.into_bytes()
}

fn bulkhead() -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    // Corruption tests reuse layers of other tests: no layer cache here.
    c.env(
        "BULKHEAD_CACHE_DIR",
        std::env::temp_dir().join(format!("bulkhead-test-cache-{}", std::process::id())),
    )
    .env("BULKHEAD_NO_CACHE", "true");
    c
}

fn sbom_json(input: &Path, extra: &[&str]) -> Value {
    let format: &[&str] = if extra.contains(&"--format") {
        &[]
    } else {
        &["--format", "json"]
    };
    let out = bulkhead()
        .args(["sbom", "--quiet", "--input"])
        .arg(input)
        .args(format)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sbom failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn packages(report: &Value) -> Vec<(String, String, usize)> {
    let mut v: Vec<_> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Packages"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["Name"].as_str().unwrap().to_string(),
                p["Version"].as_str().unwrap().to_string(),
                p["Layer"]["Index"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    v.sort();
    v
}

/// Three layers: the apk database changes in each; a file is deleted.
fn three_layer_image() -> ImageBuilder {
    let mut b = ImageBuilder::new();
    b.layer("ADD base")
        .file("etc/alpine-release", ALPINE_RELEASE)
        .unwrap()
        .file(
            "lib/apk/db/installed",
            &apk_db(&[
                ("musl", "1.1.22-r3", "musl"),
                ("libcrypto1.1", "1.1.1c-r0", "openssl"),
            ]),
        )
        .unwrap()
        .file("etc/secret.txt", b"x")
        .unwrap();
    b.layer("RUN apk add curl")
        .file(
            "lib/apk/db/installed",
            &apk_db(&[
                ("musl", "1.1.22-r3", "musl"),
                ("libcrypto1.1", "1.1.1d-r0", "openssl"),
                ("curl", "7.66.0-r0", "curl"),
            ]),
        )
        .unwrap()
        .whiteout("etc/secret.txt")
        .unwrap();
    b.layer("RUN apk del libcrypto1.1")
        .file(
            "lib/apk/db/installed",
            &apk_db(&[("musl", "1.1.22-r3", "musl"), ("curl", "7.66.0-r0", "curl")]),
        )
        .unwrap();
    b
}

#[test]
fn inventory_and_layer_attribution_in_every_layout_and_compression() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = [
        (Layout::DockerLegacy, "legacy.tar"),
        (Layout::DockerOci, "docker-oci.tar"),
        (Layout::OciDir, "oci-dir"),
        (Layout::OciTar, "oci.tar"),
    ];
    for compression in [Compression::Gzip, Compression::Zstd, Compression::None] {
        for (layout, name) in layouts {
            let out = dir.path().join(format!("{compression:?}-{name}"));
            three_layer_image()
                .compression(compression)
                .write(layout, &out)
                .unwrap();
            let report = sbom_json(&out, &[]);
            assert_eq!(
                packages(&report),
                vec![
                    ("curl".into(), "7.66.0-r0".into(), 1),
                    ("musl".into(), "1.1.22-r3".into(), 0)
                ],
                "{layout:?} {compression:?}"
            );
            assert_eq!(report["Metadata"]["OS"]["Family"], "alpine");
            assert_eq!(report["Metadata"]["OS"]["Name"], "3.10.2");
            assert_eq!(report["Metadata"]["DiffIDs"].as_array().unwrap().len(), 3);
            // History pairing skips the empty_layer entry.
            assert_eq!(
                report["Metadata"]["Layers"][1]["CreatedBy"],
                "RUN apk add curl"
            );
            let p = report["Results"][0]["Packages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["Name"] == "curl")
                .unwrap();
            assert_eq!(p["SrcName"], "curl");
            assert_eq!(
                p["Identifier"]["PURL"],
                "pkg:apk/alpine/curl@7.66.0-r0?arch=x86_64&distro=3.10.2"
            );
        }
    }
}

#[test]
fn opaque_dirs_and_distroless_status_d_and_symlinked_os_release() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = ImageBuilder::new();
    b.layer("base")
        .file("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Distroless\"\n")
        .unwrap()
        .symlink("etc/os-release", "../usr/lib/os-release")
        .unwrap()
        .file("etc/debian_version", b"12.5\n")
        .unwrap()
        .file("var/lib/dpkg/status.d/base", b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n")
        .unwrap()
        .file("var/lib/dpkg/status.d/old", b"Package: oldpkg\nVersion: 1.0\nArchitecture: amd64\n")
        .unwrap();
    b.layer("opaque")
        .opaque("var/lib/dpkg/status.d")
        .unwrap()
        .file(
            "var/lib/dpkg/status.d/tzdata",
            b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n",
        )
        .unwrap()
        .file(
            "var/lib/dpkg/status.d/libssl3",
            b"Package: libssl3\nSource: openssl\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n",
        )
        .unwrap();
    let out = dir.path().join("img.tar");
    b.write(Layout::OciTar, &out).unwrap();
    let report = sbom_json(&out, &[]);
    assert_eq!(
        packages(&report),
        vec![
            ("libssl3".into(), "3.0.11-1~deb12u2".into(), 1),
            ("tzdata".into(), "2024a-0+deb12u1".into(), 1)
        ]
    );
    assert_eq!(report["Metadata"]["OS"]["Family"], "debian");
    assert_eq!(report["Metadata"]["OS"]["Name"], "12.5");
    assert_eq!(report["Metadata"]["OS"]["Distroless"], true);
    let purls: Vec<&str> = report["Results"][0]["Packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Identifier"]["PURL"].as_str().unwrap())
        .collect();
    assert!(
        purls.contains(&"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"),
        "{purls:?}"
    );
}

#[test]
fn multi_platform_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("multi");
    let img = |v: &str| {
        let mut b = ImageBuilder::new();
        b.layer("base")
            .file("etc/alpine-release", ALPINE_RELEASE)
            .unwrap()
            .file("lib/apk/db/installed", &apk_db(&[("musl", v, "musl")]))
            .unwrap();
        b
    };
    write_multi_platform(
        vec![
            ("amd64".into(), img("1.0-r0")),
            ("arm64".into(), img("2.0-r0")),
        ],
        false,
        &out,
    )
    .unwrap();
    let arm = sbom_json(&out, &["--platform", "linux/arm64"]);
    assert_eq!(packages(&arm), vec![("musl".into(), "2.0-r0".into(), 0)]);
    let amd = sbom_json(&out, &["--platform", "linux/amd64"]);
    assert_eq!(packages(&amd), vec![("musl".into(), "1.0-r0".into(), 0)]);
    let err = bulkhead()
        .args(["sbom", "-q", "--platform", "linux/s390x", "--input"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(
        msg.contains("linux/amd64") && msg.contains("linux/arm64") && msg.contains("--platform"),
        "{msg}"
    );
}

#[test]
fn sbom_formats_cyclonedx_and_spdx() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("img.tar");
    three_layer_image()
        .write(Layout::DockerLegacy, &out)
        .unwrap();
    let cdx = sbom_json(&out, &["--format", "cyclonedx"]);
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    assert_eq!(cdx["specVersion"], "1.6");
    let comps = cdx["components"].as_array().unwrap();
    assert_eq!(comps.len(), 2);
    assert!(
        comps
            .iter()
            .any(|c| c["purl"] == "pkg:apk/alpine/curl@7.66.0-r0?arch=x86_64&distro=3.10.2")
    );
    assert!(comps.iter().all(|c| {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "bulkhead:LayerDiffID")
    }));
    let spdx = sbom_json(&out, &["--format", "spdx-json"]);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(
        spdx["packages"].as_array().unwrap().len(),
        3,
        "the image plus two packages"
    );
    assert_eq!(spdx["relationships"].as_array().unwrap().len(), 3);
}

#[test]
fn table_output_lists_packages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("img.tar");
    three_layer_image()
        .write(Layout::DockerLegacy, &out)
        .unwrap();
    let o = bulkhead()
        .args(["sbom", "--format", "table", "--no-color", "--input"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("curl") && text.contains("7.66.0-r0") && text.contains("Packages: 2"),
        "{text}"
    );
}

// ---------- hostile input ----------

/// A raw tar header with any name (the tar crate refuses `..` when building).
fn raw_entry(name: &str, kind: u8, link: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut v = h.to_vec();
    v.extend_from_slice(data);
    v.resize(v.len().div_ceil(512) * 512, 0);
    v
}

/// A docker-archive whose single layer is the given raw tar.
fn archive_with_layer(dir: &Path, layer_tar: &[u8]) -> std::path::PathBuf {
    use sha2::Digest;
    let diff = hex::encode(sha2::Sha256::digest(layer_tar));
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff}")]}});
    let cb = serde_json::to_vec(&config).unwrap();
    let ch = hex::encode(sha2::Sha256::digest(&cb));
    let manifest = serde_json::json!([{"Config": format!("{ch}.json"), "RepoTags": ["hostile:1"], "Layers": ["l/layer.tar"]}]);
    let out = dir.join("hostile.tar");
    let f = std::fs::File::create(&out).unwrap();
    let mut t = tar::Builder::new(f);
    for (name, data) in [
        (
            "manifest.json".to_string(),
            serde_json::to_vec(&manifest).unwrap(),
        ),
        (format!("{ch}.json"), cb),
        ("l/layer.tar".to_string(), layer_tar.to_vec()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        t.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    t.finish().unwrap();
    out
}

fn end_of_tar(mut v: Vec<u8>) -> Vec<u8> {
    v.extend_from_slice(&[0u8; 1024]);
    v
}

#[test]
fn traversal_names_symlink_escapes_loops_and_dangling_hardlinks_are_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mut layer = Vec::new();
    layer.extend(raw_entry(
        "../../../../tmp/bulkhead-evil",
        b'0',
        "",
        b"pwned",
    ));
    layer.extend(raw_entry("/etc/alpine-release", b'0', "", ALPINE_RELEASE));
    // Symlink chain that tries to leave the root: must resolve inside it (or nowhere).
    layer.extend(raw_entry(
        "etc/os-release",
        b'2',
        "../../../../../../etc/os-release-host",
        b"",
    ));
    layer.extend(raw_entry("loop-a", b'2', "loop-b", b""));
    layer.extend(raw_entry("loop-b", b'2', "loop-a", b""));
    layer.extend(raw_entry(
        "lib/apk/db/installed",
        b'1',
        "missing/target",
        b"",
    ));
    let out = archive_with_layer(dir.path(), &end_of_tar(layer));
    let o = bulkhead()
        .args(["sbom", "--format", "json", "--input"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report["Metadata"]["OS"]["Family"], "alpine",
        "absolute names are taken relative to the root"
    );
    let warnings = report["Warnings"].to_string();
    assert!(
        warnings.contains("climbs above the image root"),
        "{warnings}"
    );
    assert!(warnings.contains("missing/target"), "{warnings}");
    assert!(!Path::new("/tmp/bulkhead-evil").exists());
}

#[test]
fn truncated_gzip_and_tar_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    three_layer_image()
        .compression(Compression::Gzip)
        .write(Layout::OciDir, &full)
        .unwrap();
    // Cut every layer blob in half.
    let blobs = full.join("blobs/sha256");
    for e in std::fs::read_dir(&blobs).unwrap() {
        let p = e.unwrap().path();
        let data = std::fs::read(&p).unwrap();
        if data.starts_with(&[0x1f, 0x8b]) {
            std::fs::write(&p, &data[..data.len() / 2]).unwrap();
        }
    }
    let o = bulkhead()
        .args(["sbom", "-q", "--input"])
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.contains("layer") && msg.contains("truncated") || msg.contains("cut short"),
        "{msg}"
    );
    assert_eq!(msg.lines().count(), 1, "one line: {msg}");

    // A plain tar cut mid-entry.
    let mut layer = raw_entry("etc/alpine-release", b'0', "", &[b'a'; 3000]);
    layer.truncate(1500);
    let out = archive_with_layer(dir.path(), &layer);
    let o = bulkhead()
        .args(["sbom", "-q", "--input"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn gzip_bomb_stops_at_the_cap_with_bounded_memory() {
    use nix::sys::resource::{UsageWho, getrusage};
    let dir = tempfile::tempdir().unwrap();
    // A tar entry that claims 4 GiB, then 4 GiB of zeros: built from many
    // small gzip members so the test stays fast; ~4 MB on disk.
    let size: u64 = 4 << 30;
    let mut header = raw_entry("bomb.bin", b'0', "", b"");
    header[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header[..512].iter().map(|b| u32::from(*b)).sum();
    header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let member = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    let mb_zeros = member(&vec![0u8; 1 << 20]);
    let mut blob = member(&header);
    for _ in 0..(size >> 20) {
        blob.extend_from_slice(&mb_zeros);
    }
    let out = archive_with_layer(dir.path(), &blob);
    // The diff_id in the config will not match anyway; the cap must hit first.
    let o = bulkhead()
        .args(["sbom", "-q", "--max-layer-size", "256M", "--input"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.contains("more than 268435456 bytes uncompressed"),
        "{msg}"
    );
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap();
    // ru_maxrss is in KiB on Linux: the largest child so far.
    assert!(
        usage.max_rss() < 200 * 1024,
        "peak RSS {} KiB",
        usage.max_rss()
    );
}

#[test]
fn missing_blob_digest_mismatch_and_malformed_json() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("oci");
    three_layer_image().write(Layout::OciDir, &img).unwrap();
    let blobs: Vec<_> = std::fs::read_dir(img.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let layer_blob = blobs
        .iter()
        .find(|p| std::fs::read(p).unwrap().starts_with(&[0x1f, 0x8b]))
        .unwrap()
        .clone();

    // Digest mismatch: flip a byte of a layer.
    let mut data = std::fs::read(&layer_blob).unwrap();
    let n = data.len();
    data[n - 9] ^= 0xff;
    std::fs::write(&layer_blob, &data).unwrap();
    let o = bulkhead()
        .args(["sbom", "-q", "--input"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.contains("mismatch") || msg.contains("not a valid") || msg.contains("corrupt"),
        "{msg}"
    );

    // Missing blob.
    std::fs::remove_file(&layer_blob).unwrap();
    let o = bulkhead()
        .args(["sbom", "-q", "--input"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&o.stderr);
    let name = layer_blob
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(msg.contains(&name), "the error names the blob: {msg}");

    // Malformed JSON.
    std::fs::write(img.join("index.json"), b"{ not json").unwrap();
    let o = bulkhead()
        .args(["sbom", "-q", "--input"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("index.json is not valid JSON"));

    // Not an image at all.
    let o = bulkhead()
        .args(["sbom", "-q", "--input", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn hundred_thousand_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = ImageBuilder::new();
    {
        let l = b.layer("many");
        l.file("etc/alpine-release", ALPINE_RELEASE).unwrap();
        l.file(
            "lib/apk/db/installed",
            &apk_db(&[("musl", "1.1.22-r3", "musl")]),
        )
        .unwrap();
        for i in 0..100_000 {
            l.file(&format!("data/{}/{}", i % 100, i), b"x").unwrap();
        }
    }
    let out = dir.path().join("many.tar");
    b.write(Layout::OciTar, &out).unwrap();
    let report = sbom_json(&out, &[]);
    assert_eq!(
        packages(&report),
        vec![("musl".into(), "1.1.22-r3".into(), 0)]
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = bulkhead().args(["sbom"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bulkhead()
        .args(["sbom", "--format", "sarif", "--input", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bulkhead()
        .args(["sbom", "--input", "/nonexistent/image.tar"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/image.tar"));
}

/// `--max-entries` lowers (or raises) the per-layer metadata cap of
/// docs/limits.md, for images and folders alike; packages are still found.
#[test]
fn max_entries_flag_bounds_kept_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = ImageBuilder::new();
    let l = b.layer("ADD many /");
    l.file(
        "lib/apk/db/installed",
        &apk_db(&[("musl", "1.2.4-r2", "MIT")]),
    )
    .unwrap();
    for i in 0..300 {
        l.file(&format!("data/f{i}"), b"x").unwrap();
    }
    let img = dir.path().join("many.tar");
    b.write(Layout::DockerOci, &img).unwrap();
    let folder = dir.path().join("folder");
    for i in 0..300 {
        let p = folder.join(format!("data/f{i}"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }
    let runs: [(&str, Vec<&std::ffi::OsStr>); 2] = [
        (
            "image",
            vec!["sbom".as_ref(), "--input".as_ref(), img.as_os_str()],
        ),
        (
            "folder",
            vec![
                "fs".as_ref(),
                "--scanners".as_ref(),
                "secret".as_ref(),
                folder.as_os_str(),
            ],
        ),
    ];
    for (what, args) in runs {
        let out = bulkhead()
            .args(&args)
            .args(["--format", "json", "--max-entries", "100"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what}: {err}");
        assert!(err.contains("more than 100 entries"), "{what}: {err}");
        let out = bulkhead()
            .args(&args)
            .args(["--format", "json", "--max-entries", "100000"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what}: {err}");
        assert!(!err.contains("entries: the metadata"), "{what}: {err}");
    }
    let report = sbom_json(&img, &["--max-entries", "100"]);
    assert!(packages(&report).iter().any(|(n, _, _)| n == "musl"));
    let out = bulkhead()
        .args(["sbom", "--max-entries", "0", "--input"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
