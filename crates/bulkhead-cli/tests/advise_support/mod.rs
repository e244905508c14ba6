//! Shared by the `image --summary` and `--recommend` tests: a temp cache
//! with the synthetic advisories of `tests/fixtures/advise-osv` imported,
//! and Debian 12 images whose dpkg status lists chosen versions.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::ImageBuilder;
use std::path::{Path, PathBuf};

/// A private cache dir holding the imported test advisories.
pub fn cache_with_advisories() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advise-osv");
    bulkhead(cache.path())
        .args(["db", "import"])
        .arg(&fixtures)
        .assert()
        .success();
    cache
}

pub fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env("BULKHEAD_TODAY", "2026-11-28")
        .env_remove("BULKHEAD_TEST_PAUSE_AT")
        .env_remove("BULKHEAD_NO_CACHE");
    c
}

/// Package versions of a base image.
pub struct BaseVersions {
    pub openssl: &'static str,
    pub zlib: &'static str,
    pub curl: &'static str,
}

/// base:12.1: openssl, zlib and curl all vulnerable.
pub const V12_1: BaseVersions = BaseVersions {
    openssl: "3.0.11-1~deb12u1",
    zlib: "1.2.13-1",
    curl: "7.88.1-10+deb12u4",
};
/// base:12.2: openssl and curl fixed, zlib not.
pub const V12_2: BaseVersions = BaseVersions {
    openssl: "3.0.11-1~deb12u2",
    zlib: "1.2.13-1",
    curl: "7.88.1-10+deb12u5",
};
/// base:12.3: all three fixed, but curl brings a regression (CVE-2099-1004).
pub const V12_3: BaseVersions = BaseVersions {
    openssl: "3.0.11-1~deb12u2",
    zlib: "1.2.13-2",
    curl: "7.88.1-10+deb12u6",
};

fn entry(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
    )
}

fn status(v: &BaseVersions, extra: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (n, ver) in [
        ("openssl", v.openssl),
        ("zlib", v.zlib),
        ("curl", v.curl),
        ("tiff", "4.5.0-6"),
    ] {
        s.push_str(&entry(n, ver));
    }
    for (n, ver) in extra {
        s.push_str(&entry(n, ver));
    }
    s
}

/// Incompressible filler, the same for the same length.
fn filler(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The one layer of a base image (identical bytes for identical input).
fn base_layer(b: &mut ImageBuilder, v: &BaseVersions, pad: usize) {
    let l = b.layer("ADD rootfs.tar /");
    l.file(
        "etc/os-release",
        b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
    )
    .unwrap()
    .file("etc/debian_version", b"12.1\n")
    .unwrap()
    .file("var/lib/dpkg/status", status(v, &[]).as_bytes())
    .unwrap();
    if pad > 0 {
        l.file("usr/share/doc/filler.bin", &filler(pad)).unwrap();
    }
}

/// A base image; `pad` bytes of filler make it bigger.
pub fn base_image(tag: &str, v: &BaseVersions, pad: usize) -> ImageBuilder {
    let mut b = ImageBuilder::new().tag(tag);
    base_layer(&mut b, v, pad);
    b
}

/// An app image on base:12.1 (same first layer) that adds sudo and less;
/// `base_label`: the `org.opencontainers.image.base.name` label.
pub fn app_image(base_label: Option<&str>) -> ImageBuilder {
    let mut b = ImageBuilder::new().tag("app:1");
    if let Some(name) = base_label {
        b = b.config(
            "Labels",
            serde_json::json!({"org.opencontainers.image.base.name": name}),
        );
    }
    base_layer(&mut b, &V12_1, 0);
    b.layer("RUN apt-get install -y sudo less")
        .file(
            "var/lib/dpkg/status",
            status(&V12_1, &[("sudo", "1.9.13p3-1+deb12u1"), ("less", "590-2")]).as_bytes(),
        )
        .unwrap()
        .file(
            "app/run.sh",
            b"#!/bin/sh\nexec sudo -u app less /etc/motd\n",
        )
        .unwrap();
    b
}
