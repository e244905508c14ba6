//! Database open plus matching of 2,000 Debian 11 packages against the
//! shared OSV mirror. Target: under 50 ms. Every source package with Debian
//! 11 advisories is installed at version 0.1-1 (below every fix: the worst
//! case), the rest of the 2,000 have no advisories. Skips loudly when the
//! mirror is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_match::{Matcher, Target};
use bulkhead_osv::{Database, Mirror, UpdateOptions};
use bulkhead_types::{Ecosystem, OsInfo, Package};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;

fn open_and_match(c: &mut Criterion) {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv");
    if !osv.join("ecosystems.txt").is_file() {
        eprintln!(
            "!!!!! SKIPPED: shared OSV mirror not found at {} !!!!!",
            osv.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulkhead.db");
    let opts = UpdateOptions {
        mirror: Mirror::Dir(osv),
        ecosystems: None,
        kev: None,
        ..UpdateOptions::default()
    };
    bulkhead_osv::update(&path, &opts, &|_| {}).unwrap();
    let names = Database::open(&path).unwrap().names("Debian:11").unwrap();
    let mut pkgs: Vec<Package> = Vec::new();
    for (i, n) in names.iter().cycle().take(names.len()).enumerate() {
        let mut p = Package::new(Ecosystem::Dpkg, format!("{n}-bin{i}"), "0.1-1");
        p.src_name = n.clone();
        p.src_version = "0.1-1".into();
        pkgs.push(p);
    }
    let mut i = 0;
    while pkgs.len() < 2000 {
        pkgs.push(Package::new(
            Ecosystem::Dpkg,
            format!("unaffected-{i}"),
            "1.0-1",
        ));
        i += 1;
    }
    let os = OsInfo {
        family: "debian".into(),
        name: "11.7".into(),
        ..OsInfo::default()
    };
    let target = Target::for_packages(Ecosystem::Dpkg, Some(&os)).unwrap();
    eprintln!(
        "{} packages, {} with Debian 11 advisories",
        pkgs.len(),
        names.len()
    );
    c.bench_function("open_and_match_2000_debian11_packages", |b| {
        b.iter(|| {
            let db = Database::open(&path).unwrap();
            let m = Matcher::new(&db).match_packages(&target, &pkgs);
            assert!(!m.vulnerabilities.is_empty());
            m.vulnerabilities.len()
        })
    });
}

criterion_group!(benches, open_and_match);
criterion_main!(benches);
