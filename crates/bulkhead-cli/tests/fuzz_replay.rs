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
        let outs = bulkhead_report::fuzzing::diff(&data);
        assert_eq!(outs.len(), 3);
        assert!(outs.iter().all(|o| !o.contains("SECRET=")));
    }
}

#[test]
fn html_seeds() {
    let mut pages = 0;
    for (_p, data) in seeds("html") {
        if let Some(page) = bulkhead_report::fuzzing::html(&data) {
            assert!(!page.contains("<img"));
            pages += 1;
        }
    }
    assert!(pages >= 2, "the html seeds hold reports");
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

#[test]
fn lint_seeds() {
    use std::collections::BTreeMap;
    for (_p, data) in seeds("dockerfile") {
        let text = String::from_utf8_lossy(&data);
        let _ = bulkhead_lint::lint_dockerfile(&text, None, &bulkhead_lint::LintOptions::default());
    }
    for (_p, data) in seeds("compose") {
        let text = String::from_utf8_lossy(&data);
        let opts = bulkhead_lint::LintOptions {
            env: Some(BTreeMap::from([("TAG".to_string(), "1.0".to_string())])),
            ..bulkhead_lint::LintOptions::default()
        };
        let _ = bulkhead_lint::lint_compose(
            &text,
            Path::new("/nonexistent-bulkhead-fuzz/compose.yml"),
            &opts,
        );
        let docs: Vec<(&str, &Path)> = text
            .split("\n---\n")
            .map(|d| (d, Path::new("/nonexistent-bulkhead-fuzz/compose.yml")))
            .collect();
        let env = opts.env.clone().unwrap_or_default();
        let _ = bulkhead_lint::compose::load_texts(&docs, &env, &Default::default());
    }
}

#[test]
fn kubernetes_seeds() {
    for (_p, data) in seeds("kubernetes") {
        bulkhead_lint::kubernetes::fuzz_exercise(&data);
    }
}

#[test]
fn check_seeds() {
    for (p, data) in seeds("check") {
        for r in bulkhead_check::fuzzing::reports(&data) {
            let json = serde_json::to_string(&r).unwrap();
            let back: bulkhead_types::check::CheckReport = serde_json::from_str(&json).unwrap();
            assert_eq!(back.findings.len(), r.findings.len(), "{}", p.display());
            let opts = bulkhead_report::WriteOptions::default();
            for name in bulkhead_report::check::CHECK_FORMATS {
                let f = bulkhead_report::check::CheckFormat::parse(name).unwrap();
                let mut out = Vec::new();
                bulkhead_report::check::write(&r, f, &opts, &mut out).unwrap();
            }
        }
    }
}

#[test]
fn language_package_seeds() {
    for (_p, data) in seeds("lang_binaries") {
        bulkhead_analyzers::lang::fuzz_binary(&data);
    }
    for (_p, data) in seeds("lang_lockfiles") {
        bulkhead_analyzers::lang::fuzz_manifest(&data);
    }
}

#[test]
fn osv_record_seeds() {
    for (p, data) in seeds("osv_record") {
        for record in [
            bulkhead_osv::model::parse_json(&data),
            bulkhead_osv::model::parse_yaml(&data),
        ]
        .into_iter()
        .flatten()
        {
            let _ = record.cve_ids(true);
            let json = serde_json::to_vec(&record).unwrap();
            let again = bulkhead_osv::model::parse_json(&json).unwrap();
            assert_eq!(again.id, record.id, "{}", p.display());
        }
    }
}

#[test]
fn rpm_seeds() {
    use bulkhead_rpmdb::{DbFormat, read_packages, read_rpmdb};
    for (_p, data) in seeds("rpm_header") {
        if let Ok(h) = bulkhead_rpmdb::parse_header(&data) {
            let _ = h.evr();
            let _ = h.source_nvr();
        }
    }
    for (_p, data) in seeds("rpmdb") {
        let Some((&sel, rest)) = data.split_first() else {
            continue;
        };
        let prefixed = |magic: &[u8]| {
            let mut b = magic.to_vec();
            b.extend_from_slice(rest);
            b
        };
        match sel % 4 {
            0 => drop(read_packages(DbFormat::BerkeleyDb, rest)),
            1 => drop(read_packages(DbFormat::Ndb, &prefixed(b"RpmP"))),
            2 => drop(read_packages(
                DbFormat::Sqlite,
                &prefixed(b"SQLite format 3\0"),
            )),
            _ => drop(read_rpmdb(rest)),
        }
    }
}

#[test]
fn seccomp_seeds() {
    for (_p, data) in seeds("seccomp_profile") {
        if let Ok(text) = std::str::from_utf8(&data)
            && let Ok(p) = bulkhead_profile::Profile::from_json(text)
        {
            let _ = bulkhead_profile::lint::lint(&p);
            let _ = bulkhead_profile::diff::diff("a", &p, "a", &p);
            let _ = p.to_json();
        }
    }
    for (_p, data) in seeds("seccomp_strace") {
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = bulkhead_profile::strace::parse(text);
            let _ = bulkhead_profile::audit::parse(text);
        }
    }
}

#[test]
fn secrets_seeds() {
    use bulkhead_secrets::{MASK, Scanner};
    let s = Scanner::builtin().unwrap();
    for (p, data) in seeds("secrets") {
        for f in s.scan("fuzz/input.txt", &data) {
            assert!(f.match_text.contains(MASK), "{}", p.display());
        }
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = s.redact_text(text);
        }
    }
}

#[test]
fn vex_seeds() {
    for (_p, data) in seeds("vex") {
        bulkhead_vex::fuzzing::exercise(&data);
    }
}

#[test]
fn registry_answers_seeds() {
    use bulkhead_image::registry::{Authorization, is_repository, is_tag, parse_list_page};
    for (p, data) in seeds("registry_answers") {
        if let Ok(text) = std::str::from_utf8(&data)
            && let Ok(a) = Authorization::parse(text)
        {
            let again = Authorization::parse(&a.header_value()).ok();
            assert_eq!(again.as_ref(), Some(&a), "{}", p.display());
        }
        if let Ok(tags) = parse_list_page(&data, "tags", &is_tag) {
            assert!(tags.iter().all(|t| is_tag(t)), "{}", p.display());
        }
        if let Ok(repos) = parse_list_page(&data, "repositories", &is_repository) {
            assert!(repos.iter().all(|r| is_repository(r)), "{}", p.display());
        }
    }
}

/// Every fuzz target of `fuzz/Cargo.toml` has its seeds replayed here.
#[test]
fn every_fuzz_target_is_replayed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
    let this = std::fs::read_to_string(file!())
        .or_else(|_| std::fs::read_to_string(root.join(file!())))
        .unwrap();
    let targets: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "bulkhead-fuzz")
        .collect();
    assert!(targets.len() >= 20, "{targets:?}");
    let missing: Vec<&&str> = targets
        .iter()
        .filter(|t| !this.contains(&format!("\"{t}\"")))
        .collect();
    assert!(missing.is_empty(), "seeds not replayed: {missing:?}");
}

#[test]
fn server_scan_request_seeds() {
    for (_p, data) in seeds("server_scan_request") {
        bulkhead_server::request::fuzz_exercise(&data);
    }
}
