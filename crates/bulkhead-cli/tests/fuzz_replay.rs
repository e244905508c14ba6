//! Replays the committed fuzz seeds and every crash the fuzzers found
//! (`fuzz/seeds/<target>/`) through the same entry points as the fuzz
//! targets, as ordinary tests: none may panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_analyzers::os::release::{RELEASE_FILES, ReleaseAnalyzer, detect};
use bulkhead_analyzers::{Analyzer, FileAnalysis};
use bulkhead_layerfs::{Expect, Limits, capture, squash, walk_layer};
use std::path::{Path, PathBuf};

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_file() {
            let data = std::fs::read(&p).unwrap();
            out.push((p, data));
        }
    }
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

#[test]
fn layer_tar_seeds() {
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        max_entries: 100_000,
        max_in_memory: 1 << 20,
        max_capture: 4 << 20,
    };
    for (_path, data) in seeds("layer_tar") {
        let mut on_file = |e: &bulkhead_layerfs::Entry, r: &mut dyn std::io::Read| {
            let c = capture(e, r, &limits)?;
            let _ = c.bytes();
            Ok(())
        };
        if let Ok(index) = walk_layer(
            data.as_slice(),
            &Expect::default(),
            &limits,
            &|_| true,
            &mut on_file,
        ) {
            let fs = squash(&[&index, &index]);
            for p in fs.files.keys() {
                let _ = fs.resolve(p);
            }
        }
    }
}

#[test]
fn image_archive_seeds() {
    for (path, _) in seeds("image_archive") {
        let _ = bulkhead_image::open_input(&path, None);
    }
}

#[test]
fn package_database_seeds() {
    use bulkhead_analyzers::os::{apk::ApkAnalyzer, dpkg::DpkgAnalyzer};
    for (_p, data) in seeds("dpkg_status") {
        let _ = DpkgAnalyzer.analyze("var/lib/dpkg/status", &data);
        let _ = DpkgAnalyzer.analyze("var/lib/dpkg/info/x.list", &data);
    }
    for (_p, data) in seeds("apk_db") {
        let _ = ApkAnalyzer.analyze("lib/apk/db/installed", &data);
    }
    for (_p, data) in seeds("os_release") {
        let mut found = Vec::new();
        for path in RELEASE_FILES {
            if let Ok(Some(FileAnalysis::Os { facts, .. })) = ReleaseAnalyzer.analyze(path, &data) {
                found.push(((*path).to_string(), facts));
            }
        }
        let _ = detect(&found);
    }
}

#[test]
fn diff_seeds() {
    for (_p, data) in seeds("diff") {
        let outs = bulkhead_diff::fuzzing::exercise(&data);
        assert_eq!(outs.len(), 3);
        assert!(outs.iter().all(|o| !o.contains("SECRET=")));
    }
}

#[test]
fn policy_seeds() {
    for (_p, data) in seeds("policy") {
        bulkhead_sign::policy::fuzz_exercise(&data);
    }
}

#[test]
fn advise_seeds() {
    for (_p, data) in seeds("advise") {
        let _ = bulkhead_advise::fuzzing::exercise(&data);
        let text = String::from_utf8_lossy(&data);
        let _ = bulkhead_image::registry::link_next(&text);
        for l in text.lines() {
            let _ = bulkhead_image::registry::is_tag(l);
        }
    }
}

#[test]
fn sign_seeds() {
    use bulkhead_sign::fuzzing;
    type Entry = fn(&[u8]);
    let targets: [(&str, Entry); 4] = [
        ("sign_keyfile", fuzzing::keyfile),
        ("sign_payload", fuzzing::payload),
        ("sign_bundle", fuzzing::bundle),
        ("sign_manifest", fuzzing::manifest),
    ];
    for (target, run) in targets {
        for (_p, data) in seeds(target) {
            run(&data);
        }
    }
}

#[test]
fn versions_seeds() {
    for (p, data) in seeds("versions") {
        assert_eq!(
            bulkhead_versions::fuzzing::check(&data),
            Ok(()),
            "{}",
            p.display()
        );
    }
}

#[test]
fn ratings_seeds() {
    for (_path, data) in seeds("ratings") {
        bulkhead_osv::ratings::fuzzing::check(&data);
    }
}
