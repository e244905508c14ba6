//! Language analyzers on files made by the real tools (versions noted per
//! test). Fixtures live in tests/fixtures/lang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_analyzers::lang::{golang, java, node, php, python, ruby, rust};
use bulkhead_analyzers::{Analyzer, FileAnalysis};
use std::io::Read;
use std::path::PathBuf;

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `kind` and sorted `name@version` ids of an analysis.
fn ids(a: &dyn Analyzer, path: &str, content: &[u8]) -> (String, Vec<String>) {
    match a.analyze(path, content).unwrap().unwrap() {
        FileAnalysis::Packages { kind, packages, .. } => {
            let mut v: Vec<String> = packages.iter().map(|p| p.id.clone()).collect();
            v.sort();
            (kind, v)
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// `pip 23.2.1 install --no-deps --target` of urllib3 1.24.1, Jinja2 2.10
/// and six 1.11.0 (only the METADATA files are kept).
#[test]
fn pip_installed_dist_info() {
    let mut got = Vec::new();
    for d in ["Jinja2-2.10", "six-1.11.0", "urllib3-1.24.1"] {
        let path = format!("usr/lib/python3/site-packages/{d}.dist-info/METADATA");
        let a = python::PythonPkgAnalyzer;
        assert!(a.required(&path, 1000));
        let (kind, mut v) = ids(
            &a,
            &path,
            &fixture(&format!("python/site-packages/{d}.dist-info/METADATA")),
        );
        assert_eq!(kind, "python-pkg");
        got.append(&mut v);
    }
    assert_eq!(got, vec!["Jinja2@2.10", "six@1.11.0", "urllib3@1.24.1"]);
}

/// `uv 0.13.9 lock` of a project pinning urllib3 1.24.1, jinja2 2.10,
/// markupsafe 1.1.1 (the virtual project itself is not a package).
#[test]
fn uv_lock() {
    let (kind, v) = ids(
        &python::PythonLockAnalyzer,
        "uv.lock",
        &fixture("python/uv/uv.lock"),
    );
    assert_eq!(kind, "uv");
    assert_eq!(v, vec!["jinja2@2.10", "markupsafe@1.1.1", "urllib3@1.24.1"]);
}

/// Debian bookworm `golang-go` (go1.19.8), `go build -mod=vendor -trimpath
/// -ldflags="-s -w"` of a main module requiring golang.org/x/text v0.3.5
/// (vendored stand-in source; the module proxy is unreachable). Inline
/// build-info format, section headers present.
#[test]
fn go_binary_inline_format() {
    let bin = gunzip(&fixture("go/goapp-go1.19.8.gz"));
    let a = golang::GoBinaryAnalyzer;
    assert!(a.required_file("usr/local/bin/goapp", bin.len() as u64, 0o755));
    assert!(a.accepts(&bin[..a.sniff_len()]));
    let (kind, v) = ids(&a, "usr/local/bin/goapp", &bin);
    assert_eq!(kind, "gobinary");
    assert_eq!(v, vec!["golang.org/x/text@v0.3.5", "stdlib@v1.19.8"]);
    // Not a cargo-auditable binary.
    assert!(
        rust::AuditableAnalyzer
            .analyze("x", &bin)
            .unwrap()
            .is_none()
    );
}

/// The older pointer-based build-info format (Go <= 1.17), made from the
/// go1.19.8 binary because no binary of such a Go exists here (Debian
/// bookworm ships only Go 1.19): the inline header is rewritten to the
/// pointer layout (flags 0, pointer size 8, then the addresses of two Go
/// string headers `(data, len)`), the version string stays in
/// `.go.buildinfo` and the module info text is moved to the start of
/// `.noptrdata` (which the build info does not read). Synthetic, not a
/// recorded binary; it checks the address resolution through the ELF
/// sections.
#[test]
fn go_binary_pointer_format() {
    let mut bin = gunzip(&fixture("go/goapp-go1.19.8.gz"));
    // Section offsets and addresses of this binary (readelf -S).
    let (bi_off, bi_addr, bi_size) = (0xbb000usize, 0x4bb000u64, 272usize);
    let (nd_off, nd_addr) = (0xbb120usize, 0x4bb120u64);
    let blob = bin[bi_off..bi_off + bi_size].to_vec();
    assert_eq!(&blob[..14], b"\xff Go buildinf:");
    assert_eq!(blob[15] & 2, 2, "the fixture uses the inline format");
    // Read the two inline varint-prefixed strings (both shorter than 128).
    let vlen = usize::from(blob[32]);
    let version = blob[33..33 + vlen].to_vec();
    let mut at = 33 + vlen;
    let (mut mlen, mut shift, mut n) = (0usize, 0, 0);
    loop {
        let b = blob[at + n];
        mlen |= usize::from(b & 0x7f) << shift;
        n += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    at += n;
    let modinfo = blob[at..at + mlen].to_vec();
    assert_eq!(version, b"go1.19.8");

    let mut nb = vec![0u8; bi_size];
    nb[..14].copy_from_slice(b"\xff Go buildinf:");
    nb[14] = 8; // pointer size
    nb[15] = 0; // little-endian, pointer-based
    let (vhdr, mhdr, vdata) = (bi_addr + 32, bi_addr + 48, bi_addr + 64);
    nb[16..24].copy_from_slice(&vhdr.to_le_bytes());
    nb[24..32].copy_from_slice(&mhdr.to_le_bytes());
    nb[32..40].copy_from_slice(&vdata.to_le_bytes());
    nb[40..48].copy_from_slice(&(version.len() as u64).to_le_bytes());
    nb[48..56].copy_from_slice(&nd_addr.to_le_bytes());
    nb[56..64].copy_from_slice(&(modinfo.len() as u64).to_le_bytes());
    nb[64..64 + version.len()].copy_from_slice(&version);
    bin[bi_off..bi_off + bi_size].copy_from_slice(&nb);
    bin[nd_off..nd_off + modinfo.len()].copy_from_slice(&modinfo);

    let (kind, v) = ids(&golang::GoBinaryAnalyzer, "usr/local/bin/goapp", &bin);
    assert_eq!(kind, "gobinary");
    assert_eq!(v, vec!["golang.org/x/text@v0.3.5", "stdlib@v1.19.8"]);
    // A version pointer outside every section: a clear error, no panic.
    bin[bi_off + 16..bi_off + 24].copy_from_slice(&0xdead_0000u64.to_le_bytes());
    let err = golang::GoBinaryAnalyzer.analyze("goapp", &bin).unwrap_err();
    assert!(
        err.to_string().contains("version string not found"),
        "{err}"
    );
}

/// Every truncation of a real binary: an error or nothing, never a panic.
#[test]
fn go_binary_truncated() {
    let bin = gunzip(&fixture("go/goapp-go1.19.8.gz"));
    for cut in [5, 64, 4096, bin.len() / 2, bin.len() - 1] {
        let _ = golang::GoBinaryAnalyzer.analyze("x", &bin[..cut]);
        let _ = rust::AuditableAnalyzer.analyze("x", &bin[..cut]);
    }
}

/// OpenJDK 17.0.15 `javac` + `jar --create`: greeter-1.2.3.jar carries a
/// Maven `pom.properties`; app.jar is a fat jar nesting it, a jar known only
/// by MANIFEST fields (logutil.jar) and one known only by its file name
/// (commons-text-1.9.jar, reported without a group id).
#[test]
fn jars_from_jdk() {
    let (kind, v) = ids(
        &java::JarAnalyzer,
        "opt/greeter-1.2.3.jar",
        &fixture("java/greeter-1.2.3.jar"),
    );
    assert_eq!(kind, "jar");
    assert_eq!(v, vec!["org.example:greeter:1.2.3"]);
    let (_, v) = ids(&java::JarAnalyzer, "opt/app.jar", &fixture("java/app.jar"));
    assert_eq!(
        v,
        vec![
            "com.acme:logutil:2.0.1",
            "commons-text:1.9",
            "org.example:greeter:1.2.3"
        ]
    );
}

/// cargo-auditable 0.7.7 with cargo 1.95.0: `cargo auditable build
/// --release` (stripped, LTO) of a tiny crate depending on smallvec =1.6.0.
/// The binary's `.dep-v0` lists the crate itself and smallvec; Cargo.lock
/// of the same build.
#[test]
fn cargo_auditable_binary() {
    let bin = gunzip(&fixture("rust/rsapp-auditable.gz"));
    let a = rust::AuditableAnalyzer;
    assert!(a.accepts(&bin[..4]));
    let (kind, v) = ids(&a, "usr/local/bin/rsapp", &bin);
    assert_eq!(kind, "rustbinary");
    assert_eq!(v, vec!["rsapp@0.1.0", "smallvec@1.6.0"]);
    // Not a Go binary.
    assert!(
        golang::GoBinaryAnalyzer
            .analyze("x", &bin)
            .unwrap()
            .is_none()
    );
    let (kind, v) = ids(
        &rust::CargoLockAnalyzer,
        "Cargo.lock",
        &fixture("rust/Cargo.lock"),
    );
    assert_eq!(kind, "cargo");
    assert_eq!(v, vec!["rsapp@0.1.0", "smallvec@1.6.0"]);
}

/// pipenv 2026.10.3 `pipenv lock` (packages urllib3, jinja2, markupsafe;
/// dev-packages six, left out like Trivy without --include-dev-deps).
#[test]
fn pipenv_lock() {
    let (kind, v) = ids(
        &python::PythonLockAnalyzer,
        "Pipfile.lock",
        &fixture("python/pipenv/Pipfile.lock"),
    );
    assert_eq!(kind, "pipenv");
    assert_eq!(v, vec!["jinja2@2.10", "markupsafe@1.1.1", "urllib3@1.24.1"]);
}

// Hand-written lockfiles below, following each format's documentation:
// npm, yarn, pnpm, Composer and RubyGems registries are unreachable here
// (so the tools cannot resolve), poetry 2.5.1 failed to resolve ("Package
// six (1.11.0) not found") and pdm 2.29.4 crashed (hishel incompatibility).

#[test]
fn poetry_and_pdm_locks_hand_written() {
    let poetry = "[[package]]\nname = \"urllib3\"\nversion = \"1.24.1\"\ndescription = \"HTTP\"\noptional = false\npython-versions = \"*\"\nfiles = []\n\n[[package]]\nname = \"six\"\nversion = \"1.11.0\"\ndescription = \"x\"\noptional = false\npython-versions = \"*\"\nfiles = []\n\n[metadata]\nlock-version = \"2.0\"\npython-versions = \">=3.9\"\ncontent-hash = \"00\"\n";
    let (kind, v) = ids(
        &python::PythonLockAnalyzer,
        "app/poetry.lock",
        poetry.as_bytes(),
    );
    assert_eq!(
        (kind.as_str(), v),
        (
            "poetry",
            vec!["six@1.11.0".to_string(), "urllib3@1.24.1".to_string()]
        )
    );
    let pdm = "[metadata]\ngroups = [\"default\"]\nlock_version = \"4.5.0\"\n\n[[package]]\nname = \"jinja2\"\nversion = \"2.10\"\nsummary = \"x\"\nfiles = [{file = \"Jinja2-2.10.tar.gz\", hash = \"sha256:00\"}]\n";
    let (kind, v) = ids(&python::PythonLockAnalyzer, "pdm.lock", pdm.as_bytes());
    assert_eq!((kind.as_str(), v), ("pdm", vec!["jinja2@2.10".to_string()]));
}

#[test]
fn npm_locks_hand_written() {
    let v3 = br#"{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","version":"1.0.0"},"node_modules/lodash":{"version":"4.17.15","license":"MIT"},"node_modules/@babel/core":{"version":"7.0.0"},"node_modules/a/node_modules/lodash":{"version":"4.17.21"},"node_modules/jest":{"version":"29.0.0","dev":true},"node_modules/local":{"resolved":"packages/local","link":true},"packages/local":{"name":"local","version":"0.0.1"}}}"#;
    let (kind, v) = ids(&node::NodeLockAnalyzer, "package-lock.json", v3);
    assert_eq!(kind, "npm");
    assert_eq!(
        v,
        vec![
            "@babel/core@7.0.0",
            "local@0.0.1",
            "lodash@4.17.15",
            "lodash@4.17.21"
        ]
    );
    let yarn1 = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.10.4\"\n  resolved \"https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.10.4.tgz#abc\"\n  dependencies:\n    \"@babel/highlight\" \"^7.10.4\"\n\nlodash@^4.17.15:\n  version \"4.17.15\"\n";
    let (kind, v) = ids(&node::NodeLockAnalyzer, "yarn.lock", yarn1.as_bytes());
    assert_eq!(
        (kind.as_str(), v),
        (
            "yarn",
            vec![
                "@babel/code-frame@7.10.4".to_string(),
                "lodash@4.17.15".to_string()
            ]
        )
    );
    let berry = "# This file is generated by running \"yarn install\" inside your project.\n\n__metadata:\n  version: 6\n  cacheKey: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  languageName: unknown\n  linkType: soft\n\n\"lodash@npm:^4.17.15\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n  checksum: abc\n  languageName: node\n  linkType: hard\n";
    let (_, v) = ids(&node::NodeLockAnalyzer, "yarn.lock", berry.as_bytes());
    assert_eq!(v, vec!["lodash@4.17.21"]);
    let pnpm6 = "lockfileVersion: '6.0'\n\ndependencies:\n  lodash:\n    specifier: ^4.17.15\n    version: 4.17.15\n\npackages:\n\n  /lodash@4.17.15:\n    resolution: {integrity: sha512-x}\n    dev: false\n\n  /@babel/core@7.0.0(supports-color@5.5.0):\n    resolution: {integrity: sha512-y}\n    dev: false\n\n  /jest@29.0.0:\n    resolution: {integrity: sha512-z}\n    dev: true\n";
    let (kind, v) = ids(&node::NodeLockAnalyzer, "pnpm-lock.yaml", pnpm6.as_bytes());
    assert_eq!(
        (kind.as_str(), v),
        (
            "pnpm",
            vec![
                "@babel/core@7.0.0".to_string(),
                "lodash@4.17.15".to_string()
            ]
        )
    );
    let pnpm9 = "lockfileVersion: '9.0'\n\npackages:\n\n  lodash@4.17.21:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  lodash@4.17.21: {}\n";
    let (_, v) = ids(&node::NodeLockAnalyzer, "pnpm-lock.yaml", pnpm9.as_bytes());
    assert_eq!(v, vec!["lodash@4.17.21"]);
}

#[test]
fn ruby_php_dotnet_hand_written() {
    let lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n    nokogiri (1.13.10-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.6.1)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n  rack\n\nBUNDLED WITH\n   2.3.26\n";
    let (kind, v) = ids(&ruby::GemfileLockAnalyzer, "Gemfile.lock", lock.as_bytes());
    assert_eq!(
        (kind.as_str(), v),
        (
            "bundler",
            vec![
                "nokogiri@1.13.10".to_string(),
                "racc@1.6.1".to_string(),
                "rack@2.2.3".to_string()
            ]
        )
    );
    let installed = br#"{"packages":[{"name":"guzzlehttp/psr7","version":"1.8.2","version_normalized":"1.8.2.0","license":["MIT"]}],"dev":false,"dev-package-names":[]}"#;
    let (kind, v) = ids(
        &php::ComposerInstalledAnalyzer,
        "var/www/vendor/composer/installed.json",
        installed,
    );
    assert_eq!(
        (kind.as_str(), v),
        ("composer-vendor", vec!["guzzlehttp/psr7@1.8.2".to_string()])
    );
    let deps = br#"{"runtimeTarget":{"name":".NETCoreApp,Version=v6.0"},"libraries":{"app/1.0.0":{"type":"project","serviceable":false,"sha512":""},"Newtonsoft.Json/12.0.1":{"type":"package","serviceable":true,"sha512":"sha512-x","path":"newtonsoft.json/12.0.1"}}}"#;
    let (kind, v) = ids(
        &bulkhead_analyzers::lang::dotnet::DotnetAnalyzer,
        "app/app.deps.json",
        deps,
    );
    assert_eq!(
        (kind.as_str(), v),
        ("dotnet-core", vec!["Newtonsoft.Json@12.0.1".to_string()])
    );
}
