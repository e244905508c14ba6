//! Test helpers for advisory and rating mirrors: the shared test data
//! (`<repo>/../shared` through `bulkhead_testkit::require::shared`: skipped
//! loudly when missing, failing under `CI=true`) and a tiny HTTP server with
//! ETag support on 127.0.0.1.
//! Included with `#[path]` by the test files that need it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// `<repo>/../shared` when `rel` exists in it. Otherwise says so loudly and
/// returns `None`, or panics when `CI=true` (a skip is a failure there).
#[track_caller]
pub fn shared(rel: &str) -> Option<PathBuf> {
    bulkhead_testkit::require::shared(rel)
}

/// Counters of what the server sent.
#[derive(Default)]
pub struct Served {
    pub ok: AtomicU64,
    pub not_modified: AtomicU64,
    pub not_found: AtomicU64,
    pub body_bytes: AtomicU64,
}

/// Serve `root` on 127.0.0.1; returns the base URL. ETag = size + mtime.
pub fn serve(root: PathBuf) -> (String, Arc<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(Served::default());
    let s2 = Arc::clone(&served);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let root = root.clone();
            let s = Arc::clone(&s2);
            std::thread::spawn(move || handle(conn, &root, &s));
        }
    });
    (url, served)
}

fn handle(mut conn: TcpStream, root: &Path, served: &Served) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .replace("%20", " ");
    let mut if_none_match = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.trim().eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(v.trim().to_string());
        }
    }
    let file = root.join(path.trim_start_matches('/'));
    let resp = match std::fs::metadata(&file) {
        Ok(m) if m.is_file() && !path.contains("..") => {
            let mtime = m
                .modified()
                .unwrap()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let etag = format!("\"{}-{mtime}\"", m.len());
            if if_none_match.as_deref() == Some(etag.as_str()) {
                served.not_modified.fetch_add(1, Ordering::SeqCst);
                format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")
                    .into_bytes()
            } else {
                let body = std::fs::read(&file).unwrap();
                served.ok.fetch_add(1, Ordering::SeqCst);
                served
                    .body_bytes
                    .fetch_add(body.len() as u64, Ordering::SeqCst);
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend(body);
                r
            }
        }
        _ => {
            served.not_found.fetch_add(1, Ordering::SeqCst);
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = conn.write_all(&resp);
}

/// Run `bulkhead ARGS` with the cache `cache`, paused at `phase` by the
/// `BULKHEAD_TEST_PAUSE_AT` hook, and SIGKILL it there.
pub fn kill_at(cache: &Path, args: &[&str], phase: &str) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bulkhead"))
        .args(args)
        .env("BULKHEAD_CACHE_DIR", cache)
        .env("BULKHEAD_TEST_PAUSE_AT", phase)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut l = String::new();
        if err.read_line(&mut l).unwrap() == 0 {
            panic!("{phase}: the command ended before pausing: {seen}");
        }
        seen.push_str(&l);
        if l.contains("BULKHEAD_TEST_PAUSED") {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

/// A mirror laid out as `db update` expects it: the shared OSV mirror, and
/// the rating data under `epss/`, `nvd/` (the NVD sample as a gzip feed
/// named like a yearly one) and `cve/`.
pub fn rated_mirror(shared: &Path, dir: &Path) -> PathBuf {
    let m = dir.join("mirror");
    std::fs::create_dir_all(&m).unwrap();
    for entry in std::fs::read_dir(shared.join("osv")).unwrap() {
        let entry = entry.unwrap();
        std::os::unix::fs::symlink(entry.path(), m.join(entry.file_name())).unwrap();
    }
    for d in ["epss", "nvd", "cve"] {
        std::fs::create_dir_all(m.join(d)).unwrap();
    }
    std::os::unix::fs::symlink(
        shared.join("epss/epss_scores-current.csv.gz"),
        m.join("epss/epss_scores-current.csv.gz"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        shared.join("cve/vulnrichment.zip"),
        m.join("cve/vulnrichment.zip"),
    )
    .unwrap();
    let nvd = std::fs::read(shared.join("cve/nvd-sample/nvd-api2-6cves.json")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(m.join("nvd/nvdcve-2.0-2021.json.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(&nvd).unwrap();
    gz.finish().unwrap();
    m
}
