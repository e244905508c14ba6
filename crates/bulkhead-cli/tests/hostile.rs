//! Hostile inputs against the real binary (issue 19, part 4). Each case
//! builds its input at test time in a private temp dir and runs `bulkhead`
//! on it with HOME, TMPDIR and the cache inside that dir, and checks the
//! contract of `docs/limits.md`:
//!
//! - exit 0 with a warning (a partial result), or exit 2 with a one-line
//!   error; never a panic (exit 101) or an internal error;
//! - peak RSS under 300 MB (the child's `VmHWM` from `/proc/<pid>/status`,
//!   polled every 2 ms, and `getrusage(RUSAGE_CHILDREN)` after it when that
//!   is the child's; the cases run one at a time);
//! - at most 60 s of wall time (the child is killed and the case fails);
//! - no file written outside the temp and cache dirs (the working dir and
//!   HOME stay empty, the input is unchanged, spill files are removed).
//!
//! Each case prints `hostile: <case>: exit N, peak RSS N MB, N.N s` (see
//! them with `--nocapture`); docs/limits.md lists the figures.
//! `BULKHEAD_HOSTILE_BIN=PATH` runs another build of the binary (to measure
//! a release build or an older one).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flate2::Crc;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Peak resident set size allowed for any case.
const MAX_RSS_KB: u64 = 300 * 1024;
/// Wall time after which a case is killed and fails.
const TIMEOUT: Duration = Duration::from_secs(60);
const MIB: u64 = 1024 * 1024;

/// The cases run one at a time: RSS and time are the child's own, and
/// `RUSAGE_CHILDREN` is the maximum over the children run so far.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn bin() -> PathBuf {
    std::env::var_os("BULKHEAD_HOSTILE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_bulkhead")),
        PathBuf::from,
    )
}

/// A private world for one case: input, working dir, HOME, TMPDIR, cache.
struct Sandbox {
    _root: tempfile::TempDir,
    input: PathBuf,
    work: PathBuf,
    home: PathBuf,
    tmp: PathBuf,
    cache: PathBuf,
    out: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::Builder::new()
            .prefix("bulkhead-hostile-")
            .tempdir()
            .unwrap();
        let p = |n: &str| {
            let d = root.path().join(n);
            fs::create_dir_all(&d).unwrap();
            d
        };
        Sandbox {
            input: p("input"),
            work: p("work"),
            home: p("home"),
            tmp: p("tmp"),
            cache: p("cache"),
            out: p("out"),
            _root: root,
        }
    }
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<std::time::SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let Ok(m) = e.path().symlink_metadata() else {
                continue;
            };
            if m.is_dir() {
                stack.push(e.path());
            }
            out.insert(e.path(), (m.len(), m.modified().ok()));
        }
    }
    out
}

/// What a run gave.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `getrusage(RUSAGE_CHILDREN)`'s max RSS (KiB on Linux).
fn children_max_rss_kb() -> u64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map(|u| u64::try_from(u.max_rss()).unwrap_or(0))
        .unwrap_or(0)
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `bulkhead ARGS` in the sandbox, measures it and checks the
/// contract; returns the outcome for case-specific checks.
fn run(case: &str, sb: &Sandbox, args: &[&str]) -> Outcome {
    let before = snapshot(&sb.input);
    let children_before = children_max_rss_kb();
    let stdout_path = sb.out.join("stdout");
    let stderr_path = sb.out.join("stderr");
    let started = Instant::now();
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(&sb.work)
        .env("HOME", &sb.home)
        .env("TMPDIR", &sb.tmp)
        .env("XDG_CACHE_HOME", &sb.cache)
        .env("BULKHEAD_CACHE_DIR", &sb.cache)
        .env("NO_COLOR", "1")
        .env_remove("BULKHEAD_LOG")
        .env_remove("RUST_LOG")
        .env_remove("BULKHEAD_NO_CACHE")
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak_kb = 0;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        // Short runs are sampled without pause, so that they have a figure.
        if started.elapsed() > Duration::from_millis(100) {
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    let secs = started.elapsed().as_secs_f64();
    // The maximum over all children so far: when this run raised it above
    // this process's own high-water mark, it is this child's peak (the
    // polls may miss its last milliseconds). Below that mark it may be
    // ours: a child spawned with a shared address space (vfork) inherits
    // the parent's high-water mark until it execs.
    let children_after = children_max_rss_kb();
    let own = vm_hwm_kb(std::process::id()).unwrap_or(u64::MAX);
    if children_after > children_before && children_after > own {
        peak_kb = peak_kb.max(children_after);
    }
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    let out = Outcome {
        code: status.and_then(|s| s.code()),
        stdout: read(&stdout_path),
        stderr: read(&stderr_path),
    };
    eprintln!(
        "hostile: {case}: exit {}, peak RSS {} MB, {:.1} s",
        out.code
            .map_or_else(|| "none (killed)".to_string(), |c| c.to_string()),
        peak_kb / 1024,
        secs
    );
    let tail: String = out
        .stderr
        .lines()
        .rev()
        .take(5)
        .collect::<Vec<_>>()
        .join("\n  ");
    assert!(
        status.is_some(),
        "{case}: still running after {TIMEOUT:?}, killed"
    );
    assert!(
        peak_kb < MAX_RSS_KB,
        "{case}: peak RSS {} MB (limit {} MB)\n  {tail}",
        peak_kb / 1024,
        MAX_RSS_KB / 1024
    );
    assert!(
        !out.stderr.contains("panicked"),
        "{case}: panic:\n{}",
        out.stderr
    );
    match out.code {
        Some(0) => assert!(
            out.stderr.to_ascii_lowercase().contains("warn"),
            "{case}: exit 0 without a warning:\n{}",
            out.stderr
        ),
        Some(2) => {
            let errors: Vec<&str> = out
                .stderr
                .lines()
                .filter(|l| l.starts_with("error"))
                .collect();
            assert_eq!(
                errors.len(),
                1,
                "{case}: exit 2 needs one error line:\n{}",
                out.stderr
            );
            assert!(
                out.stderr.trim_end().lines().last() == errors.first().copied(),
                "{case}: the error is not the last line:\n{}",
                out.stderr
            );
        }
        other => panic!("{case}: exit {other:?} (want 0 with a warning or 2):\n{tail}"),
    }
    // Nothing written outside the temp and cache dirs.
    assert_eq!(
        snapshot(&sb.work),
        BTreeMap::new(),
        "{case}: wrote into the working dir"
    );
    assert_eq!(
        snapshot(&sb.home),
        BTreeMap::new(),
        "{case}: wrote into HOME"
    );
    assert_eq!(
        snapshot(&sb.tmp),
        BTreeMap::new(),
        "{case}: left files in TMPDIR"
    );
    assert!(snapshot(&sb.input) == before, "{case}: changed its input");
    out
}

fn warned(o: &Outcome, needle: &str) -> bool {
    o.stderr.contains(needle)
}

/// Packages in a JSON report, all results together.
fn package_count(o: &Outcome) -> usize {
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    report["Results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["Packages"].as_array().map_or(0, Vec::len))
        .sum()
}

// ---------------------------------------------------------------------------
// Building inputs
// ---------------------------------------------------------------------------

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// A writer that hashes and counts what passes.
struct HashWrite<W: Write> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> HashWrite<W> {
    fn new(inner: W) -> Self {
        HashWrite {
            inner,
            hash: Sha256::new(),
            len: 0,
        }
    }
    fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            format!("sha256:{}", hex::encode(self.hash.finalize())),
            self.len,
        )
    }
}

impl<W: Write> Write for HashWrite<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A layer blob on disk.
struct Blob {
    path: PathBuf,
    digest: String,
    diff_id: String,
    size: u64,
    media_type: &'static str,
}

type LayerTar = tar::Builder<HashWrite<flate2::write::GzEncoder<HashWrite<BufWriter<File>>>>>;

/// Streams a gzip layer to a file: `fill` appends the entries.
fn stream_layer(path: &Path, fill: impl FnOnce(&mut LayerTar)) -> Blob {
    let file = HashWrite::new(BufWriter::with_capacity(
        1 << 20,
        File::create(path).unwrap(),
    ));
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(HashWrite::new(gz));
    fill(&mut tar);
    let (gz, diff_id, _) = tar.into_inner().unwrap().finish();
    let (mut file, digest, size) = gz.finish().unwrap().finish();
    file.flush().unwrap();
    Blob {
        path: path.to_path_buf(),
        digest,
        diff_id,
        size,
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip",
    }
}

/// A layer of small in-memory files.
fn small_layer(path: &Path, files: &[(&str, &[u8])]) -> Blob {
    stream_layer(path, |t| {
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            t.append_data(&mut h, name, *data).unwrap();
        }
    })
}

/// A raw tar header (names are written as given: `..`, absolute paths).
fn raw_header(name: &str, kind: tar::EntryType, size: u64, link: &str) -> tar::Header {
    let mut h = tar::Header::new_old();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(1_700_000_000);
    let old = h.as_old_mut();
    old.name[..name.len()].copy_from_slice(name.as_bytes());
    old.linkname[..link.len()].copy_from_slice(link.as_bytes());
    h.set_cksum();
    h
}

const OS_DEBIAN: &[u8] = b"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
const OS_ALMA: &[u8] =
    b"NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"9.0\"\nPRETTY_NAME=\"AlmaLinux 9.0\"\n";

/// Writes an OCI layout directory of `layers`, moving their blobs in.
/// `diff_ids` overrides what the config says (for the wrong-diff_id case).
fn oci_dir(dir: &Path, layers: &[Blob], diff_ids: Option<Vec<String>>) {
    let blobs = dir.join("blobs/sha256");
    fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| {
        let hex = sha256_hex(bytes);
        fs::write(blobs.join(&hex), bytes).unwrap();
        (format!("sha256:{hex}"), bytes.len())
    };
    for l in layers {
        fs::rename(&l.path, blobs.join(&l.digest["sha256:".len()..])).unwrap();
    }
    let diff_ids =
        diff_ids.unwrap_or_else(|| layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>());
    let config = json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": layers.iter().map(|_| json!({"created_by": "hostile"})).collect::<Vec<_>>(),
    });
    let (config_digest, config_len) = put(&serde_json::to_vec(&config).unwrap());
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_len},
        "layers": layers.iter().map(|l| json!({"mediaType": l.media_type, "digest": l.digest, "size": l.size})).collect::<Vec<_>>(),
    });
    let (manifest_digest, manifest_len) = put(&serde_json::to_vec(&manifest).unwrap());
    let index = json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": manifest_len,
            "platform": {"os": "linux", "architecture": "amd64"},
            "annotations": {"org.opencontainers.image.ref.name": "hostile:latest"},
        }],
    });
    fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

/// An image of one layer of `files` (input/image).
fn image_of(sb: &Sandbox, files: &[(&str, &[u8])]) -> PathBuf {
    let img = sb.input.join("image");
    let blob = small_layer(&sb.out.join("layer"), files);
    oci_dir(&img, &[blob], None);
    img
}

/// A raw deflate stream of `mib` MiB of zeros, built in milliseconds: one
/// fully flushed (byte-aligned, history-free) 1 MiB segment repeated, then
/// an empty final block. Returns the stream and the CRC-32 of the data.
fn zeros_deflate(mib: u32) -> (Vec<u8>, u32) {
    let zeros = vec![0u8; MIB as usize];
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut seg = Vec::with_capacity(MIB as usize);
    c.compress_vec(&zeros, &mut seg, flate2::FlushCompress::Full)
        .unwrap();
    assert_eq!(c.total_in(), MIB);
    let mut last = flate2::Compress::new(flate2::Compression::best(), false);
    let mut fin = Vec::with_capacity(64);
    last.compress_vec(&[], &mut fin, flate2::FlushCompress::Finish)
        .unwrap();
    let mut out = Vec::with_capacity(seg.len() * mib as usize + fin.len());
    for _ in 0..mib {
        out.extend_from_slice(&seg);
    }
    out.extend_from_slice(&fin);
    // CRC of `mib` MiB of zeros by doubling.
    let mut one = Crc::new();
    one.update(&zeros);
    let mut acc = Crc::new();
    let mut pow = one;
    let mut n = mib;
    while n > 0 {
        if n & 1 == 1 {
            acc.combine(&pow);
        }
        let mut twice = Crc::new();
        twice.combine(&pow);
        twice.combine(&pow);
        pow = twice;
        n >>= 1;
    }
    (out, acc.sum())
}

/// A hand-written zip: local entries, then central entries (which may
/// point anywhere: overlapping entries), then the end record.
#[derive(Default)]
struct ZipOut {
    bytes: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

struct ZipEntry<'a> {
    name: &'a str,
    method: u16,
    crc: u32,
    csize: u32,
    usize: u32,
}

impl ZipOut {
    fn le16(v: &mut Vec<u8>, x: u16) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    fn le32(v: &mut Vec<u8>, x: u32) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends a local entry with its data; returns its offset.
    fn local(&mut self, e: &ZipEntry, data: &[u8]) -> u32 {
        let at = self.bytes.len() as u32;
        let b = &mut self.bytes;
        Self::le32(b, 0x0403_4b50);
        Self::le16(b, 20);
        Self::le16(b, 0);
        Self::le16(b, e.method);
        Self::le16(b, 0);
        Self::le16(b, 0x21);
        Self::le32(b, e.crc);
        Self::le32(b, e.csize);
        Self::le32(b, e.usize);
        Self::le16(b, e.name.len() as u16);
        Self::le16(b, 0);
        b.extend_from_slice(e.name.as_bytes());
        b.extend_from_slice(data);
        at
    }
    /// A central entry for the local entry at `offset`.
    fn central(&mut self, e: &ZipEntry, offset: u32) {
        let c = &mut self.central;
        Self::le32(c, 0x0201_4b50);
        Self::le16(c, 20);
        Self::le16(c, 20);
        Self::le16(c, 0);
        Self::le16(c, e.method);
        Self::le16(c, 0);
        Self::le16(c, 0x21);
        Self::le32(c, e.crc);
        Self::le32(c, e.csize);
        Self::le32(c, e.usize);
        Self::le16(c, e.name.len() as u16);
        Self::le16(c, 0);
        Self::le16(c, 0);
        Self::le16(c, 0);
        Self::le16(c, 0);
        Self::le32(c, 0);
        Self::le32(c, offset);
        c.extend_from_slice(e.name.as_bytes());
        self.count += 1;
    }
    fn entry(&mut self, e: &ZipEntry, data: &[u8]) {
        let at = self.local(e, data);
        self.central(e, at);
    }
    fn finish(mut self) -> Vec<u8> {
        let cd_at = self.bytes.len() as u32;
        let cd_len = self.central.len() as u32;
        self.bytes.extend_from_slice(&self.central);
        let b = &mut self.bytes;
        Self::le32(b, 0x0605_4b50);
        Self::le16(b, 0);
        Self::le16(b, 0);
        Self::le16(b, self.count);
        Self::le16(b, self.count);
        Self::le32(b, cd_len);
        Self::le32(b, cd_at);
        Self::le16(b, 0);
        self.bytes
    }
}

fn stored<'a>(name: &'a str, data: &[u8]) -> ZipEntry<'a> {
    let mut crc = Crc::new();
    crc.update(data);
    ZipEntry {
        name,
        method: 0,
        crc: crc.sum(),
        csize: data.len() as u32,
        usize: data.len() as u32,
    }
}

const POM: &[u8] = b"groupId=org.example\nartifactId=victim\nversion=1.0\n";

/// A fat jar whose `BOOT-INF/lib/zero.jar` inflates to 4095 MiB of zeros
/// (4 MB deflated), beside a genuine pom.properties.
fn zero_bomb_jar() -> Vec<u8> {
    let (deflated, crc) = zeros_deflate(4095);
    let mut z = ZipOut::default();
    z.entry(
        &stored("META-INF/maven/org.example/victim/pom.properties", POM),
        POM,
    );
    let e = ZipEntry {
        name: "BOOT-INF/lib/zero.jar",
        method: 8,
        crc,
        csize: deflated.len() as u32,
        usize: 4095 * MIB as u32,
    };
    z.entry(&e, &deflated);
    z.finish()
}

/// A zip whose 2000 central entries (`lib/N.jar`) all point at one local
/// entry of 400 MiB deflated zeros (overlapping entries, Fifield's bomb).
fn overlapping_zip() -> Vec<u8> {
    let (deflated, crc) = zeros_deflate(400);
    let mut z = ZipOut::default();
    z.entry(
        &stored("META-INF/maven/org.example/victim/pom.properties", POM),
        POM,
    );
    let e = |name| ZipEntry {
        name,
        method: 8,
        crc,
        csize: deflated.len() as u32,
        usize: 400 * MIB as u32,
    };
    let at = z.local(&e("lib/0.jar"), &deflated);
    let names: Vec<String> = (0..2000).map(|i| format!("lib/{i}.jar")).collect();
    for n in &names {
        z.central(&e(n), at);
    }
    z.finish()
}

/// A real zip (the zip crate) of (name, content), stored.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (n, c) in entries {
        w.start_file(*n, o).unwrap();
        w.write_all(c).unwrap();
    }
    w.finish().unwrap().into_inner()
}

// ---------------------------------------------------------------------------
// 1. rpmdb.sqlite with a hostile schema
// ---------------------------------------------------------------------------

fn sqlite_bytes(sql: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rpmdb.sqlite");
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch(sql).unwrap();
    drop(c);
    fs::read(&p).unwrap()
}

fn rpmdb_case(case: &str, sql: &str) {
    let _g = serial();
    let sb = Sandbox::new();
    let db = sqlite_bytes(sql);
    let img = image_of(
        &sb,
        &[
            ("etc/os-release", OS_ALMA),
            ("var/lib/rpm/rpmdb.sqlite", &db),
        ],
    );
    let o = run(
        case,
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{case}: {}", o.stderr);
    assert!(warned(&o, "rpmdb.sqlite"), "{case}: {}", o.stderr);
}

#[test]
fn rpmdb_view_over_endless_recursive_cte() {
    rpmdb_case(
        "rpmdb.sqlite: Packages is a VIEW over an endless recursive CTE",
        "CREATE VIEW Packages AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
         SELECT x AS hnum, x'00' AS blob FROM n;",
    );
}

#[test]
fn rpmdb_view_of_huge_zeroblobs() {
    rpmdb_case(
        "rpmdb.sqlite: Packages is a VIEW of 500 MB zeroblobs",
        "CREATE VIEW Packages AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 50) \
         SELECT x AS hnum, zeroblob(500000000) AS blob FROM n;",
    );
}

#[test]
fn rpmdb_table_with_trigger_and_slow_index_expression() {
    // A real table, but with a trigger and an expensive expression index:
    // reading never runs them; a heavy CTE in the schema never runs either.
    rpmdb_case(
        "rpmdb.sqlite: Packages table with triggers and junk rows",
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL);
         CREATE TABLE log (x);
         CREATE TRIGGER t AFTER INSERT ON Packages BEGIN INSERT INTO log VALUES (1); END;
         INSERT INTO Packages VALUES (1, x'0000000000000000'), (2, zeroblob(100000));",
    );
}

// ---------------------------------------------------------------------------
// 2. A 100 MB package-lock.json with 1.4 million entries in a folder
// ---------------------------------------------------------------------------

/// `package-lock.json` (v3) of `n` packages, about 72 bytes each.
fn write_package_lock(path: &Path, n: usize) {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    w.write_all(br#"{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","version":"1.0.0"}"#).unwrap();
    for i in 0..n {
        write!(
            w,
            ",\"node_modules/pkg-{i:07}\":{{\"version\":\"1.0.{}\",\"license\":\"Apache-2.0\"}}",
            i % 97
        )
        .unwrap();
    }
    w.write_all(b"}}").unwrap();
    w.flush().unwrap();
}

#[test]
fn package_lock_of_100_mb_in_a_folder() {
    let _g = serial();
    let sb = Sandbox::new();
    let dir = sb.input.join("project");
    fs::create_dir_all(&dir).unwrap();
    write_package_lock(&dir.join("package-lock.json"), 1_400_000);
    let len = fs::metadata(dir.join("package-lock.json")).unwrap().len();
    assert!(len > 90 * MIB, "{len}");
    let d = dir.to_str().unwrap();
    let o = run(
        "sbom DIR: 100 MB package-lock.json, 1.4 million packages",
        &sb,
        &["sbom", "--format", "json", d],
    );
    assert_eq!(o.code, Some(0));
    assert!(warned(&o, "package-lock.json"), "{}", o.stderr);
    // A partial result: the first 100 000 packages (MAX_PACKAGES).
    assert_eq!(package_count(&o), 100_000);
    let o = run(
        "fs DIR: 100 MB package-lock.json, 1.4 million packages",
        &sb,
        &["fs", "--scanners", "secret", "--format", "json", d],
    );
    assert_eq!(o.code, Some(0));
}

// ---------------------------------------------------------------------------
// 3. Millions of tiny tar entries; a dpkg status of a million packages
// ---------------------------------------------------------------------------

#[test]
fn layer_of_5_million_tiny_entries() {
    let _g = serial();
    let sb = Sandbox::new();
    let blob = stream_layer(&sb.out.join("layer"), |t| {
        let mut h = tar::Header::new_gnu();
        h.set_size(OS_DEBIAN.len() as u64);
        h.set_mode(0o644);
        t.append_data(&mut h, "etc/os-release", OS_DEBIAN).unwrap();
        let mut h = tar::Header::new_old();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(0);
        h.set_mode(0o644);
        for i in 0..5_000_000u32 {
            let name = format!("d/{:03}/{i:07}", i % 1000);
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            t.append(&h, io::empty()).unwrap();
        }
    });
    let img = sb.input.join("image");
    oci_dir(&img, &[blob], None);
    let o = run(
        "layer of 5 million tiny tar entries",
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        warned(
            &o,
            "more than 500000 entries: the metadata of 4500001 more is not kept"
        ),
        "{}",
        o.stderr
    );
    // The OS release file came first and is still read.
    assert!(o.stdout.contains("debian"), "{}", o.stdout);
}

#[test]
fn dpkg_status_of_a_million_packages() {
    let _g = serial();
    let sb = Sandbox::new();
    let mut status = String::with_capacity(60 << 20);
    for i in 0..1_000_000 {
        status.push_str(&format!(
            "Package: p{i}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.{i}\n\n"
        ));
    }
    let img = image_of(
        &sb,
        &[
            ("etc/os-release", OS_DEBIAN),
            ("var/lib/dpkg/status", status.as_bytes()),
        ],
    );
    drop(status);
    let o = run(
        "dpkg status of 1 million packages",
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(warned(&o, "var/lib/dpkg/status"), "{}", o.stderr);
    assert_eq!(package_count(&o), 100_000);
}

#[test]
fn dpkg_status_of_one_200_mb_line_and_garbage_databases() {
    let _g = serial();
    let sb = Sandbox::new();
    let head = b"Package: x\nStatus: install ok installed\nVersion: 1\nDescription: ";
    let line = 200 * MIB;
    let mut garbage_rpm = b"SQLite format 3\0".to_vec();
    garbage_rpm.extend((0..4 * MIB).map(|i| (i * 7919 % 251) as u8));
    let blob = stream_layer(&sb.out.join("layer"), |t| {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(OS_DEBIAN.len() as u64);
        t.append_data(&mut h, "etc/os-release", OS_DEBIAN).unwrap();
        h.set_size(head.len() as u64 + line);
        let body = io::Read::chain(&head[..], io::Read::take(io::repeat(b'a'), line));
        t.append_data(&mut h, "var/lib/dpkg/status", body).unwrap();
        h.set_size(garbage_rpm.len() as u64);
        t.append_data(&mut h, "var/lib/rpm/rpmdb.sqlite", garbage_rpm.as_slice())
            .unwrap();
        let apk = b"\x00\x01garbage\nP\nV:\n\n::::\n";
        h.set_size(apk.len() as u64);
        t.append_data(&mut h, "lib/apk/db/installed", &apk[..])
            .unwrap();
    });
    let img = sb.input.join("image");
    oci_dir(&img, &[blob], None);
    let o = run(
        "dpkg status of one 200 MB line, garbage rpm and apk databases",
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        warned(
            &o,
            "var/lib/dpkg/status: 209715264 bytes, only the first 67108864 read"
        ),
        "{}",
        o.stderr
    );
    assert!(warned(&o, "rpmdb.sqlite"), "{}", o.stderr);
}

// ---------------------------------------------------------------------------
// 4. Zip bombs in jars
// ---------------------------------------------------------------------------

fn jar_case(case: &str, jar: &[u8], expect: &str) {
    let _g = serial();
    let sb = Sandbox::new();
    // The same bytes as a folder and inside an image layer.
    let dir = sb.input.join("app");
    fs::create_dir_all(dir.join("lib")).unwrap();
    fs::write(dir.join("lib/app.jar"), jar).unwrap();
    let o = run(
        &format!("{case} (sbom DIR)"),
        &sb,
        &["sbom", "--format", "json", dir.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(warned(&o, expect), "{case}: {}", o.stderr);
    let img = image_of(&sb, &[("app/lib/app.jar", jar)]);
    let o = run(
        &format!("{case} (image layer)"),
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(warned(&o, expect), "{case}: {}", o.stderr);
}

#[test]
fn jar_with_a_4_gb_zero_entry() {
    jar_case("jar with a 4 GB zero entry", &zero_bomb_jar(), "app.jar");
}

#[test]
fn zip_with_overlapping_entries() {
    jar_case(
        "jar with 2000 overlapping entries",
        &overlapping_zip(),
        "overlap",
    );
}

#[test]
fn jars_nested_20_deep() {
    let mut z = zip_of(&[("META-INF/maven/g/a/pom.properties", POM)]);
    for _ in 0..20 {
        z = zip_of(&[("lib/inner.jar", &z)]);
    }
    jar_case("jars nested 20 deep", &z, "nested deeper");
}

// ---------------------------------------------------------------------------
// 5. Cheaper cases: names, links, bombs, broken layers, lint inputs
// ---------------------------------------------------------------------------

#[test]
fn dotdot_and_absolute_names_and_outside_links() {
    let _g = serial();
    let sb = Sandbox::new();
    let status = b"Package: real\nStatus: install ok installed\nVersion: 1\n\n";
    let blob = stream_layer(&sb.out.join("layer"), |t| {
        for (name, kind, link, data) in [
            ("../../../escape", tar::EntryType::Regular, "", &b"x"[..]),
            ("/abs/file", tar::EntryType::Regular, "", b"y"),
            ("a/../../up", tar::EntryType::Regular, "", b"z"),
            // symlinks out of the root on the files the scanner trusts
            (
                "etc/os-release",
                tar::EntryType::Symlink,
                "/../../../../etc/os-release",
                b"",
            ),
            (
                "var/lib/dpkg/status",
                tar::EntryType::Symlink,
                "../../../../../../etc/shadow",
                b"",
            ),
            ("etc/hard", tar::EntryType::Link, "../../etc/passwd", b""),
            ("etc/hard2", tar::EntryType::Link, "/etc/passwd", b""),
            (
                "var/lib/dpkg/status.d/x",
                tar::EntryType::Regular,
                "",
                status,
            ),
        ] {
            let h = raw_header(name, kind, data.len() as u64, link);
            t.append(&h, data).unwrap();
        }
    });
    let img = sb.input.join("image");
    oci_dir(&img, &[blob], None);
    let o = run(
        "'..' and absolute names, links out of the root",
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(warned(&o, "climbs above"), "{}", o.stderr);
    assert!(!o.stdout.contains("root:"), "host files read");
}

#[test]
fn symlink_loops_on_os_release_and_dpkg_status() {
    let _g = serial();
    let sb = Sandbox::new();
    let blob = stream_layer(&sb.out.join("layer"), |t| {
        for (name, link) in [
            ("etc/os-release", "os-release2"),
            ("etc/os-release2", "../etc/os-release"),
            ("usr/lib/os-release", "/etc/os-release"),
            ("var/lib/dpkg/status", "status"),
            ("var/lib/dpkg/status.d", "../dpkg"),
            ("loop", "loop/loop"),
        ] {
            let h = raw_header(name, tar::EntryType::Symlink, 0, link);
            t.append(&h, io::empty()).unwrap();
        }
        // a deep chain of 100 links
        for i in 0..100 {
            let h = raw_header(
                &format!("c/{i}"),
                tar::EntryType::Symlink,
                0,
                &format!("{}", i + 1),
            );
            t.append(&h, io::empty()).unwrap();
        }
    });
    let img = sb.input.join("image");
    oci_dir(&img, &[blob], None);
    let o = run(
        "symlink loops on etc/os-release and the dpkg status",
        &sb,
        &["sbom", "--format", "json", "--input", img.to_str().unwrap()],
    );
    // Nothing readable: no OS, no packages, and a warning for each.
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        warned(&o, "etc/os-release is a symlink that does not resolve"),
        "{}",
        o.stderr
    );
    assert!(
        warned(&o, "var/lib/dpkg/status is a symlink"),
        "{}",
        o.stderr
    );
}

/// A gzip member of a tar with one file of `mib` MiB of zeros.
fn gzip_bomb_layer(path: &Path, mib: u32) -> Blob {
    let tar_head = zero_file_header(mib);
    // gzip: header, deflate(tar header), zero segments, end-of-archive
    // zeros are more zeros; trailer CRC/ISIZE are not checked before the
    // size cap stops the read.
    let mut c = flate2::Compress::new(flate2::Compression::fast(), false);
    let mut head = Vec::with_capacity(4096);
    c.compress_vec(tar_head.as_bytes(), &mut head, flate2::FlushCompress::Full)
        .unwrap();
    let (zeros, _) = zeros_deflate(mib + 1);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    gz.extend_from_slice(&head);
    gz.extend_from_slice(&zeros);
    gz.extend_from_slice(&[0; 8]);
    bomb_blob(path, &gz, "application/vnd.oci.image.layer.v1.tar+gzip")
}

/// The tar header of one file `zero` of `mib` MiB.
fn zero_file_header(mib: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_path("zero").unwrap();
    h.set_size(u64::from(mib) * MIB);
    h.set_mode(0o644);
    h.set_cksum();
    h
}

/// A bomb layer written to `path` (its diff_id is never reached: the size
/// cap stops the read first).
fn bomb_blob(path: &Path, bytes: &[u8], media_type: &'static str) -> Blob {
    fs::write(path, bytes).unwrap();
    Blob {
        path: path.to_path_buf(),
        digest: format!("sha256:{}", sha256_hex(bytes)),
        diff_id: format!("sha256:{}", "0".repeat(64)),
        size: bytes.len() as u64,
        media_type,
    }
}

/// `sbom --max-layer-size 1G` on an image of the one bomb layer: exit 2,
/// "decompression bomb".
fn bomb_case(case: &str, sb: &Sandbox, blob: Blob) {
    let img = sb.input.join("image");
    oci_dir(&img, &[blob], None);
    let o = run(
        case,
        sb,
        &[
            "sbom",
            "--max-layer-size",
            "1G",
            "--input",
            img.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("decompression bomb"), "{}", o.stderr);
}

#[test]
fn gzip_bomb_layer_refused_by_the_size_cap() {
    let _g = serial();
    let sb = Sandbox::new();
    let blob = gzip_bomb_layer(&sb.out.join("layer"), 10 * 1024);
    bomb_case(
        "gzip bomb: 10 GB of zeros in a 10 MB layer (--max-layer-size 1G)",
        &sb,
        blob,
    );
}

/// A good small image, for the broken-blob cases.
fn good_image(sb: &Sandbox) -> (PathBuf, Blob) {
    let blob = small_layer(
        &sb.out.join("layer"),
        &[
            ("etc/os-release", OS_DEBIAN),
            (
                "var/lib/dpkg/status",
                b"Package: a\nStatus: install ok installed\nVersion: 1\n\n",
            ),
        ],
    );
    (sb.input.join("image"), blob)
}

#[test]
fn truncated_layer() {
    let _g = serial();
    let sb = Sandbox::new();
    let (img, blob) = good_image(&sb);
    let bytes = fs::read(&blob.path).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    fs::write(&blob.path, cut).unwrap();
    // The manifest tells the truth about the cut blob's digest and size.
    let blob = Blob {
        digest: format!("sha256:{}", sha256_hex(cut)),
        size: cut.len() as u64,
        ..blob
    };
    oci_dir(&img, &[blob], None);
    let o = run(
        "truncated layer",
        &sb,
        &["sbom", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

#[test]
fn wrong_diff_id() {
    let _g = serial();
    let sb = Sandbox::new();
    let (img, blob) = good_image(&sb);
    oci_dir(
        &img,
        &[blob],
        Some(vec![format!("sha256:{}", "1".repeat(64))]),
    );
    let o = run(
        "wrong diff_id in the config",
        &sb,
        &["sbom", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("diff_id"), "{}", o.stderr);
}

#[test]
fn compose_yaml_alias_bomb() {
    let _g = serial();
    let sb = Sandbox::new();
    let mut y = String::from(
        "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='k' {
        y.push_str(&format!(
            "x-{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    y.push_str("services:\n  web:\n    image: nginx\n    labels: *k\n");
    let f = sb.input.join("compose.yaml");
    fs::write(&f, y).unwrap();
    let o = run(
        "Compose file with a YAML alias bomb (9^11 nodes)",
        &sb,
        &["config", f.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

/// Kubernetes manifests: an alias bomb whose anchors sit in one document
/// and whose object is in the next, 4 MiB of tiny documents (each within
/// every cap, together past the stream's node budget) and deep nesting;
/// each named on the command line, so each is exit 2.
#[test]
fn kubernetes_manifest_bombs() {
    let _g = serial();
    let sb = Sandbox::new();
    let mut y = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='k' {
        y.push_str(&format!(
            "  {c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    y.push_str("---\napiVersion: v1\nkind: Pod\nspec: {containers: *k}\n");
    let bomb = sb.input.join("bomb.yaml");
    fs::write(&bomb, y).unwrap();
    let o = run(
        "Kubernetes manifest with a YAML alias bomb (9^11 nodes)",
        &sb,
        &["config", bomb.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("alias"), "{}", o.stderr);

    let doc = "---\napiVersion: v1\nkind: Pod\nx: 1\n";
    let many = sb.input.join("many.yaml");
    fs::write(&many, doc.repeat((4 << 20) / doc.len() - 1)).unwrap();
    let o = run(
        "Kubernetes manifest of 4 MiB of tiny documents",
        &sb,
        &["config", many.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("more than 200000 nodes"), "{}", o.stderr);

    let deep = sb.input.join("deep.yaml");
    fs::write(
        &deep,
        format!("apiVersion: v1\nkind: Pod\nspec: {}\n", "[".repeat(1 << 20)),
    )
    .unwrap();
    let o = run(
        "Kubernetes manifest nested a million levels deep",
        &sb,
        &["config", deep.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

#[test]
fn fifo_and_dev_zero_as_dockerfile() {
    let _g = serial();
    let sb = Sandbox::new();
    let fifo = sb.input.join("Dockerfile");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let o = run(
        "a FIFO as Dockerfile",
        &sb,
        &["config", fifo.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    let o = run("/dev/zero as Dockerfile", &sb, &["config", "/dev/zero"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

/// A zstd frame of a tar with one file of `mib` MiB of zeros, built by hand
/// in milliseconds: a raw block holding the tar header, then RLE blocks of
/// 128 KiB zeros (4 bytes each), no content size, no checksum.
fn zstd_bomb_layer(path: &Path, mib: u32) -> Blob {
    let tar_head = zero_file_header(mib);
    const BLOCK: u32 = 128 * 1024;
    let block_header = |last: bool, kind: u32, size: u32| {
        let v = u32::from(last) | (kind << 1) | (size << 3);
        [v as u8, (v >> 8) as u8, (v >> 16) as u8]
    };
    // Magic, frame header descriptor 0 (window descriptor follows), window
    // log 17 (128 KiB).
    let mut z = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    z.extend_from_slice(&block_header(false, 0, 512));
    z.extend_from_slice(tar_head.as_bytes());
    // The data, then two zero blocks ending the tar archive: all zeros.
    let blocks = (u64::from(mib) * MIB + 1024).div_ceil(u64::from(BLOCK));
    for i in 0..blocks {
        z.extend_from_slice(&block_header(i + 1 == blocks, 1, BLOCK));
        z.push(0);
    }
    bomb_blob(path, &z, "application/vnd.oci.image.layer.v1.tar+zstd")
}

#[test]
fn zstd_bomb_layer_refused_by_the_size_cap() {
    let _g = serial();
    let sb = Sandbox::new();
    let blob = zstd_bomb_layer(&sb.out.join("layer"), 10 * 1024);
    assert!(blob.size < 400_000, "the bomb is small: {}", blob.size);
    bomb_case(
        "zstd bomb: 10 GB of zeros in a 320 KB layer (--max-layer-size 1G)",
        &sb,
        blob,
    );
}

#[test]
fn missing_blob_and_non_json_config() {
    let _g = serial();
    let sb = Sandbox::new();
    let (img, blob) = good_image(&sb);
    let digest = blob.digest.clone();
    oci_dir(&img, &[blob], None);
    let blob_path = img.join("blobs/sha256").join(&digest["sha256:".len()..]);
    fs::rename(&blob_path, sb.out.join("moved")).unwrap();
    let o = run(
        "a layer blob missing from the layout",
        &sb,
        &["sbom", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains(&digest[7..19]), "{}", o.stderr);

    // The config blob replaced by something that is not JSON, with the
    // manifest pointing at it by its true digest.
    let sb = Sandbox::new();
    let (img, blob) = good_image(&sb);
    oci_dir(&img, &[blob], None);
    rewrite_config(&img, b"\x00\x01not json at all\xff");
    let o = run(
        "a config that is not JSON",
        &sb,
        &["sbom", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

/// Replaces the config blob of the single-manifest layout at `img` and
/// rewrites the manifest and index digests to match.
fn rewrite_config(img: &Path, config: &[u8]) {
    let blobs = img.join("blobs/sha256");
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(img.join("index.json")).unwrap()).unwrap();
    let m_digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(blobs.join(&m_digest[7..])).unwrap()).unwrap();
    let c_hex = sha256_hex(config);
    fs::write(blobs.join(&c_hex), config).unwrap();
    manifest["config"]["digest"] = json!(format!("sha256:{c_hex}"));
    manifest["config"]["size"] = json!(config.len());
    write_manifest(img, &manifest);
}

/// Writes `manifest` as the layout's one manifest (index updated).
fn write_manifest(img: &Path, manifest: &serde_json::Value) {
    write_manifest_bytes(img, &serde_json::to_vec(manifest).unwrap());
}

fn write_manifest_bytes(img: &Path, bytes: &[u8]) {
    let blobs = img.join("blobs/sha256");
    let m_hex = sha256_hex(bytes);
    fs::write(blobs.join(&m_hex), bytes).unwrap();
    let mut index: serde_json::Value =
        serde_json::from_slice(&fs::read(img.join("index.json")).unwrap()).unwrap();
    index["manifests"][0]["digest"] = json!(format!("sha256:{m_hex}"));
    index["manifests"][0]["size"] = json!(bytes.len());
    fs::write(img.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

#[test]
fn manifest_of_50_mb_and_deeply_nested_json() {
    let _g = serial();
    // 50 MB of nested arrays as the manifest.
    let sb = Sandbox::new();
    let (img, blob) = good_image(&sb);
    oci_dir(&img, &[blob], None);
    let depth = 25 * 1024 * 1024;
    let mut nested = vec![b'['; depth];
    nested.extend(std::iter::repeat_n(b']', depth));
    write_manifest_bytes(&img, &nested);
    let o = run(
        "a 50 MB manifest of nested arrays",
        &sb,
        &["sbom", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);

    // Small but 100 000 levels deep: the JSON parser's depth limit.
    let sb = Sandbox::new();
    let (img, blob) = good_image(&sb);
    oci_dir(&img, &[blob], None);
    let depth = 100_000;
    let mut nested = b"{\"schemaVersion\":2,\"x\":".to_vec();
    nested.extend(std::iter::repeat_n(b'[', depth));
    nested.extend(std::iter::repeat_n(b']', depth));
    nested.push(b'}');
    write_manifest_bytes(&img, &nested);
    let o = run(
        "a manifest nested 100 000 deep",
        &sb,
        &["sbom", "--input", img.to_str().unwrap()],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

const OSV_RECORD: &str = r#"{"schema_version":"1.6.0","id":"DSA-0000-1","modified":"2024-01-01T00:00:00Z","published":"2024-01-01T00:00:00Z","aliases":["CVE-2024-0001"],"summary":"test","affected":[{"package":{"ecosystem":"Debian:12","name":"zlib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:1.3"}]}]}]}"#;

/// An OSV mirror at `dir` (ecosystems.txt, Debian/all.zip) whose zip holds
/// a good record, members named to climb out (`../`, absolute) and a
/// 100 MB record.
fn hostile_osv_mirror(dir: &Path) {
    let eco = dir.join("Debian");
    fs::create_dir_all(&eco).unwrap();
    fs::write(dir.join("ecosystems.txt"), "Debian\n").unwrap();
    let climb = OSV_RECORD.replace("DSA-0000-1", "DSA-0000-2");
    let abs = OSV_RECORD.replace("DSA-0000-1", "DSA-0000-3");
    let mut big = OSV_RECORD.replace("\"test\"", "\"").into_bytes();
    let at = big.len() - 1;
    let pad = vec![b'a'; 100 * MIB as usize];
    let mut huge = big[..at].to_vec();
    huge.extend_from_slice(&pad);
    huge.extend_from_slice(b"\"}");
    big.clear();
    let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [
        ("DSA-0000-1.json", OSV_RECORD.as_bytes()),
        ("../../../../tmp/bulkhead-escape.json", climb.as_bytes()),
        ("/tmp/bulkhead-escape-abs.json", abs.as_bytes()),
        ("DSA-0000-4.json", &huge[..]),
    ] {
        w.start_file(name, o).unwrap();
        w.write_all(data).unwrap();
    }
    fs::write(eco.join("all.zip"), w.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn osv_zip_with_climbing_members_and_a_100_mb_record() {
    let _g = serial();
    let sb = Sandbox::new();
    let mirror = sb.out.join("mirror");
    hostile_osv_mirror(&mirror);
    let o = run(
        "OSV mirror zip: `../` and absolute member names, a 100 MB record",
        &sb,
        &[
            "db",
            "update",
            "--mirror",
            mirror.to_str().unwrap(),
            "--no-ratings",
        ],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stderr.contains("DSA-0000-4"), "{}", o.stderr);
    assert!(!Path::new("/tmp/bulkhead-escape.json").exists());
    assert!(!Path::new("/tmp/bulkhead-escape-abs.json").exists());
    // The members are records, whatever their names: three imported.
    let info: serde_json::Value =
        serde_json::from_str(&run_plain(&sb, &["db", "info", "--format", "json"])).unwrap();
    assert_eq!(info["Advisories"], 3, "{info}");
}

/// `bulkhead` in the sandbox (working dir, HOME, TMPDIR, cache), unmeasured.
fn plain_command(sb: &Sandbox) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(&sb.work)
        .env("HOME", &sb.home)
        .env("TMPDIR", &sb.tmp)
        .env("BULKHEAD_CACHE_DIR", &sb.cache);
    c
}

/// Runs bulkhead in the sandbox without the contract checks (for reading
/// state back); returns stdout.
fn run_plain(sb: &Sandbox, args: &[&str]) -> String {
    let out = plain_command(sb).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn two_concurrent_db_updates_into_one_cache() {
    let _g = serial();
    let sb = Sandbox::new();
    let mirror = sb.out.join("mirror");
    fs::create_dir_all(mirror.join("Debian")).unwrap();
    fs::write(mirror.join("ecosystems.txt"), "Debian\n").unwrap();
    let records: Vec<(String, String)> = (0..2000)
        .map(|i| {
            let id = format!("DSA-{i:04}-1");
            (format!("{id}.json"), OSV_RECORD.replace("DSA-0000-1", &id))
        })
        .collect();
    let entries: Vec<(&str, &[u8])> = records
        .iter()
        .map(|(n, r)| (n.as_str(), r.as_bytes()))
        .collect();
    fs::write(mirror.join("Debian/all.zip"), zip_of(&entries)).unwrap();
    let spawn = || {
        plain_command(&sb)
            .args(["db", "update", "--no-ratings", "--mirror"])
            .arg(&mirror)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let started = Instant::now();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    eprintln!(
        "hostile: two concurrent `db update` into one cache: exit {:?} and {:?}, {:.1} s",
        a.status.code(),
        b.status.code(),
        started.elapsed().as_secs_f64()
    );
    for o in [&a, &b] {
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let info: serde_json::Value =
        serde_json::from_str(&run_plain(&sb, &["db", "info", "--format", "json"])).unwrap();
    assert_eq!(info["Advisories"], 2000, "one whole database: {info}");
    assert_eq!(snapshot(&sb.tmp), BTreeMap::new(), "left files in TMPDIR");
}
