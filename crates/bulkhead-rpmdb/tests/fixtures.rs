#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Reads the committed fixtures (see `scripts/`) and compares with what rpm
//! itself reported when they were made (`expected-*.txt`), and, when the
//! `rpm` tool is installed (Debian package `rpm`), with a live `rpm -qa`.
//!
//! * `fixtures/rpmdb/rpmdb.sqlite`: written by rpm 4.18 (`rpm --justdb`).
//! * `fixtures/bdb/Packages-*`: written by db5.3_load, verified with rpm's
//!   `bdb_ro` reader when generated.
//! * `fixtures/ndb/Packages.db`: written by `scripts/make-ndb-fixture.py`
//!   from the format description; UNVERIFIED BY RPM (Debian's rpm has no ndb
//!   backend).

use std::path::{Path, PathBuf};
use std::process::Command;

use bulkhead_rpmdb::{DbFormat, RpmHeader, detect, read_packages, read_rpmdb, read_rpmdb_path};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

fn none(s: &str) -> &str {
    if s.is_empty() { "(none)" } else { s }
}

const QA_FORMAT: &str =
    "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\n";

/// Our parse, printed like `rpm -qa --qf QA_FORMAT | sort`.
fn qa_lines(pkgs: &[RpmHeader]) -> String {
    let mut lines: Vec<String> = pkgs
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                p.name,
                p.epoch_num(),
                p.version,
                p.release,
                none(&p.arch),
                none(&p.source_rpm),
                none(&p.license)
            )
        })
        .collect();
    lines.sort();
    lines.concat()
}

fn extra_lines(pkgs: &[RpmHeader]) -> String {
    let mut lines: Vec<String> = pkgs
        .iter()
        .map(|p| {
            let size = p.size.map_or("(none)".to_string(), |s| s.to_string());
            format!(
                "{}\t{}\t{size}\t{}\n",
                p.name,
                none(&p.vendor),
                none(&p.modularity_label)
            )
        })
        .collect();
    lines.sort();
    lines.concat()
}

fn file_lines(pkgs: &[RpmHeader]) -> String {
    let mut lines: Vec<String> = pkgs
        .iter()
        .flat_map(|p| p.files.iter().map(move |f| format!("{}\t{f}\n", p.name)))
        .collect();
    // `sort` in the script ran with LC_ALL=C: byte order
    lines.sort();
    lines.concat()
}

fn expected(name: &str) -> String {
    String::from_utf8(read(&format!("rpmdb/{name}"))).unwrap()
}

fn assert_inventory(pkgs: &[RpmHeader]) {
    assert_eq!(qa_lines(pkgs), expected("expected-qa.txt"));
    assert_eq!(extra_lines(pkgs), expected("expected-extra.txt"));
    assert_eq!(file_lines(pkgs), expected("expected-files.txt"));
}

const ALL: &[(&str, DbFormat)] = &[
    ("rpmdb/rpmdb.sqlite", DbFormat::Sqlite),
    ("bdb/Packages-le-4k", DbFormat::BerkeleyDb),
    ("bdb/Packages-be-64k", DbFormat::BerkeleyDb),
    ("ndb/Packages.db", DbFormat::Ndb),
];

#[test]
fn every_fixture_matches_rpms_own_report() {
    for (rel, format) in ALL {
        let bytes = read(rel);
        assert_eq!(detect(&bytes), Some(*format), "{rel}");
        let pkgs = read_packages(*format, &bytes).unwrap();
        assert_eq!(pkgs.len(), 4, "{rel}");
        assert_inventory(&pkgs);
        assert_eq!(read_rpmdb(&bytes).unwrap(), pkgs, "{rel}");
    }
}

#[test]
fn fields_of_interest() {
    let pkgs = read_rpmdb(&read("rpmdb/rpmdb.sqlite")).unwrap();
    let epochy = pkgs.iter().find(|p| p.name == "epochy").unwrap();
    assert_eq!(epochy.evr(), "3:2.4.1-7.fx1");
    assert_eq!(epochy.source_nvr(), Some(("epochy", "2.4.1", "7.fx1")));
    assert!(epochy.files.contains(&"/usr/lib/epochy/link".to_string()));
    let hello = pkgs.iter().find(|p| p.name == "hello-data").unwrap();
    assert_eq!(hello.epoch, None);
    assert_eq!(hello.evr(), "1.0-1");
    assert_eq!(hello.arch, "noarch");
    let big = pkgs.iter().find(|p| p.name == "bigfiles").unwrap();
    assert_eq!(big.files.len(), 605); // 600 files + 5 directories
}

#[test]
fn reads_a_database_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("ndb/Packages.db"), dir.path().join("Packages.db")).unwrap();
    std::fs::copy(fixture("bdb/Packages-le-4k"), dir.path().join("Packages")).unwrap();
    // Packages.db is preferred over Packages
    let pkgs = read_rpmdb_path(dir.path()).unwrap();
    assert_inventory(&pkgs);
    let pkgs = read_rpmdb_path(&dir.path().join("Packages")).unwrap();
    assert_inventory(&pkgs);
    // rpmdb.sqlite wins, and the empty -wal rpm leaves beside it is fine
    std::fs::copy(
        fixture("rpmdb/rpmdb.sqlite"),
        dir.path().join("rpmdb.sqlite"),
    )
    .unwrap();
    std::fs::write(dir.path().join("rpmdb.sqlite-wal"), b"").unwrap();
    let pkgs = read_rpmdb_path(dir.path()).unwrap();
    assert_inventory(&pkgs);
}

/// Whether `rpm` is installed for the live comparison; otherwise skips
/// loudly (a failure under CI=true).
fn have_rpm() -> bool {
    bulkhead_testkit::require::tool("rpm", "rpm")
}

/// `rpm -qa` over a private copy of `file` placed as `name` in a temp dbpath.
fn live_rpm(file: &str, name: &str, backend: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(file), dir.path().join(name)).unwrap();
    let out = Command::new("rpm")
        .arg("--dbpath")
        .arg(dir.path())
        .args([
            "--define",
            &format!("_db_backend {backend}"),
            "-qa",
            "--qf",
            QA_FORMAT,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rpm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| format!("{l}\n"))
        .collect();
    lines.sort();
    lines.concat()
}

#[test]
fn live_rpm_agrees_on_sqlite() {
    if !have_rpm() {
        return;
    }
    let ours = qa_lines(&read_rpmdb(&read("rpmdb/rpmdb.sqlite")).unwrap());
    assert_eq!(
        live_rpm("rpmdb/rpmdb.sqlite", "rpmdb.sqlite", "sqlite"),
        ours
    );
}

#[test]
fn live_rpm_agrees_on_berkeleydb() {
    if !have_rpm() {
        return;
    }
    for file in ["bdb/Packages-le-4k", "bdb/Packages-be-64k"] {
        let ours = qa_lines(&read_rpmdb(&read(file)).unwrap());
        assert_eq!(live_rpm(file, "Packages", "bdb_ro"), ours, "{file}");
    }
}

/// Deterministic xorshift, so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn truncated_files_never_panic() {
    for (rel, _) in ALL {
        let bytes = read(rel);
        let step = if rel.ends_with("sqlite") { 4093 } else { 61 };
        for cut in (0..bytes.len()).step_by(step) {
            if let Ok(p) = read_rpmdb(&bytes[..cut]) {
                assert!(p.len() <= 4, "{rel} cut at {cut}");
            }
        }
    }
}

#[test]
fn truncated_berkeleydb_and_ndb_are_errors() {
    for rel in [
        "bdb/Packages-le-4k",
        "bdb/Packages-be-64k",
        "ndb/Packages.db",
    ] {
        let bytes = read(rel);
        for cut in (1..bytes.len()).step_by(97) {
            assert!(read_rpmdb(&bytes[..cut]).is_err(), "{rel} cut at {cut}");
        }
    }
}

#[test]
fn mutated_files_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (rel, _) in ALL {
        let orig = read(rel);
        let rounds = if rel.ends_with("sqlite") { 150 } else { 1500 };
        for _ in 0..rounds {
            let mut b = orig.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(b.len());
                b[at] = rng.next() as u8;
            }
            let _ = read_rpmdb(&b);
        }
    }
}

#[test]
fn random_bytes_are_rejected() {
    let mut rng = Rng(42);
    for len in [0usize, 1, 7, 8, 16, 100, 512, 4096, 70_000] {
        let b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        assert!(read_rpmdb(&b).is_err());
        assert!(bulkhead_rpmdb::parse_header(&b).is_err());
        // random bytes behind each magic
        for magic in [&b"SQLite format 3\0"[..], b"RpmP"] {
            let mut m = magic.to_vec();
            m.extend_from_slice(&b);
            assert!(read_rpmdb(&m).is_err());
        }
    }
}

#[test]
fn wrong_magic_is_unknown_format() {
    let mut b = read("ndb/Packages.db");
    b[0] = b'X';
    assert!(matches!(
        read_rpmdb(&b),
        Err(bulkhead_rpmdb::RpmError::UnknownFormat)
    ));
    let mut b = read("bdb/Packages-le-4k");
    b[12] ^= 0xff;
    assert!(matches!(
        read_rpmdb(&b),
        Err(bulkhead_rpmdb::RpmError::UnknownFormat)
    ));
}

#[test]
fn every_header_blob_survives_truncation() {
    let blobs =
        bulkhead_rpmdb::read_header_blobs(DbFormat::Sqlite, &read("rpmdb/rpmdb.sqlite")).unwrap();
    for b in &blobs {
        for cut in (0..b.blob.len()).step_by(7) {
            assert!(bulkhead_rpmdb::parse_header(&b.blob[..cut]).is_err());
        }
        // index count forced to 2^31 and to u32::MAX
        for il in [0x8000_0000u32, u32::MAX] {
            let mut h = b.blob.clone();
            h[..4].copy_from_slice(&il.to_be_bytes());
            assert!(bulkhead_rpmdb::parse_header(&h).is_err());
        }
    }
}
