//! `db import` of the whole shared OSV mirror (`<repo>/../shared/osv`), via
//! `update` from the mirror folder (download = file copy, verify, build, swap).
//! Target: under 20 s. Skips loudly when the mirror is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_osv::{Mirror, UpdateOptions};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;

fn import_whole_mirror(c: &mut Criterion) {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv");
    if !osv.join("ecosystems.txt").is_file() {
        eprintln!(
            "!!!!! SKIPPED: shared OSV mirror not found at {} !!!!!",
            osv.display()
        );
        return;
    }
    let mut g = c.benchmark_group("db");
    g.sample_size(10);
    g.bench_function("import_whole_mirror", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let opts = UpdateOptions {
                    mirror: Mirror::Dir(osv.clone()),
                    ecosystems: None,
                    kev: None,
                    ..UpdateOptions::default()
                };
                let r =
                    bulkhead_osv::update(&dir.path().join("bulkhead.db"), &opts, &|_| {}).unwrap();
                assert_eq!(r.stats.records, 33909);
                dir
            },
        )
    });
    g.finish();
}

criterion_group!(benches, import_whole_mirror);
criterion_main!(benches);
