//! Update from the shared OSV mirror folder (`<repo>/../shared/osv`) and
//! from a small mirror built in the test. Without the shared mirror the
//! shared-mirror test skips loudly (a failure under CI=true).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_osv::{Database, Mirror, UpdateOptions, import_paths, update};
use std::io::Write;
use std::path::PathBuf;

fn shared_osv() -> Option<PathBuf> {
    bulkhead_testkit::require::shared("osv/ecosystems.txt").map(|s| s.join("osv"))
}

fn write_zip(path: &std::path::Path, members: &[(&str, &str)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    for (name, body) in members {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

const GOOD: &str = r#"{"id":"PYSEC-9999-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-1234"],
 "affected":[{"package":{"ecosystem":"PyPI","name":"Some_Package"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}"#;
const WITHDRAWN: &str = r#"{"id":"PYSEC-9999-2","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z",
 "affected":[{"package":{"ecosystem":"PyPI","name":"some-package"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0"}]}]}]}"#;

#[test]
fn small_mirror_update_skips_malformed_and_is_conditional() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(mirror.join("PyPI")).unwrap();
    std::fs::write(mirror.join("ecosystems.txt"), "PyPI\n").unwrap();
    let huge = format!("{{\"id\":\"X\",\"details\":\"{}\"}}", "a".repeat(9 << 20));
    write_zip(
        &mirror.join("PyPI/all.zip"),
        &[
            ("PYSEC-9999-1.json", GOOD),
            ("PYSEC-9999-2.json", WITHDRAWN),
            ("bad-json.json", "{not json"),
            (
                "bad-range.json",
                r#"{"id":"B-1","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"NOPE","events":[{"introduced":"0"}]}]}]}"#,
            ),
            ("no-id.json", r#"{"summary":"no id"}"#),
            ("huge.json", &huge),
        ],
    );
    let db_path = dir.path().join("db/bulkhead.db");
    let opts = UpdateOptions {
        mirror: Mirror::Dir(mirror.clone()),
        ecosystems: None,
        kev: None,
        ..UpdateOptions::default()
    };
    let r = update(&db_path, &opts, &|_| {}).unwrap();
    assert!(r.rebuilt);
    assert_eq!(r.stats.records, 2);
    assert_eq!(r.stats.skipped, 4, "{:?}", r.stats.examples);
    assert!(
        r.warnings.iter().any(|w| w.contains("skipped 4 malformed")),
        "{:?}",
        r.warnings
    );
    let db = Database::open(&db_path).unwrap();
    // PEP 503: the record says Some_Package, the lookup says some.package.
    let hits = db.lookup("PyPI", "some.package").unwrap();
    assert_eq!(hits.len(), 1, "withdrawn records are not returned");
    assert_eq!(hits[0].id, "PYSEC-9999-1");
    drop(db);
    let again = update(&db_path, &opts, &|_| {}).unwrap();
    assert!(!again.rebuilt);
    assert_eq!(again.downloaded_bytes, 0);
    assert_eq!(again.unchanged, vec!["PyPI"]);
}

#[test]
fn import_files_folders_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let recs = dir.path().join("recs");
    std::fs::create_dir_all(recs.join("sub")).unwrap();
    std::fs::write(recs.join("sub/a.json"), GOOD).unwrap();
    std::fs::write(
        recs.join("b.yaml"),
        "id: PYSEC-9999-3\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package:\n    name: other\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.10\n",
    )
    .unwrap();
    std::fs::write(recs.join("broken.json"), "[").unwrap();
    let db_path = dir.path().join("db/bulkhead.db");
    let r = import_paths(&db_path, &[recs], &|_| {}).unwrap();
    assert_eq!(r.stats.records, 2);
    assert_eq!(r.stats.skipped, 1);
    let db = Database::open(&db_path).unwrap();
    let other = db.lookup("PyPI", "Other").unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(
        other[0].affected[0].ranges[0].events[1],
        bulkhead_osv::Event::Fixed("1.10".into())
    );
}

#[test]
fn shared_mirror_folder_imports_everything() {
    let Some(osv) = shared_osv() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bulkhead.db");
    let opts = UpdateOptions {
        mirror: Mirror::Dir(osv),
        ecosystems: None,
        kev: None,
        ..UpdateOptions::default()
    };
    let r = update(&db_path, &opts, &|_| {}).unwrap();
    eprintln!(
        "records {} malformed {} kev {} warnings {:?}",
        r.stats.records, r.stats.skipped, r.stats.kev, r.warnings
    );
    // README counts: 2661 + 1206 + 4291 + 5637 + 11209 + 8905.
    assert_eq!(r.stats.records + r.stats.skipped, 33909);
    assert_eq!(r.stats.kev, 1404);
    let db = Database::open(&db_path).unwrap();
    let info = db.info().unwrap();
    assert!(info.ecosystems.get("Debian:11").copied().unwrap_or(0) > 100);
    assert!(!db.has_ecosystem("Debian:12").unwrap());
    let ids: Vec<String> = db
        .lookup("Debian:11", "openssl")
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(ids.contains(&"DSA-5103-1".to_string()), "{ids:?}");
    assert!(db.is_kev("CVE-2021-44228").unwrap());
}
