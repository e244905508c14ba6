//! The layer cache: one [`LayerAnalysis`] per layer, stored under
//! `<cache>/layers/` and keyed by sha256 of the layer's `diff_id`, the
//! analyzer versions ([`bulkhead_analyzers::versions_key`]) and the options
//! that change results (limits, the content scanner's key). Rescanning an
//! image, or another image that shares its base layers, skips those layers.
//!
//! Entries are written to a temp file in the same folder and renamed into
//! place, so concurrent runs and crashes never leave a partial entry under a
//! real name. Each entry starts with a header holding the sha256 of its
//! body; an entry that fails the check or does not parse is ignored (and
//! removed), and the layer is analyzed and written again.
//!
//! The cache is storage only: it plugs into the image pipeline of
//! `bulkhead-scan` as a [`LayerStore`] ([`LayerCache::store`]); reading,
//! pairing and checking layers is the pipeline's job, not the cache's.
//!
//! **Invariant**: entries hold only what `LayerAnalysis` holds: file
//! metadata, analyzer results and *redacted* content-scanner findings;
//! never file contents or raw secrets.

use bulkhead_scan::{LayerAnalysis, LayerStore};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// First bytes of every entry; bump the version when the format changes.
const MAGIC: &str = "bulkhead-layer-cache-v1";
/// Entries larger than this are refused on read (a corrupt or hostile file).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// The cache folder of this user: `$XDG_CACHE_HOME/bulkhead`, else
/// `~/.cache/bulkhead`.
pub fn default_root() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x).join("bulkhead"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("bulkhead"))
}

/// How many entries the cache holds and their total size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheInfo {
    pub entries: u64,
    pub bytes: u64,
}

/// The per-layer cache under `<root>/layers/`.
#[derive(Debug, Clone)]
pub struct LayerCache {
    dir: PathBuf,
}

/// The cache seen as a [`LayerStore`] for one set of analyzer versions and
/// options: what [`bulkhead_scan::pipeline`] consults and fills.
#[derive(Debug, Clone)]
pub struct CacheStore {
    cache: LayerCache,
    /// [`bulkhead_analyzers::versions_key`] of the analyzers.
    versions_key: String,
    /// Everything else that changes results (limits, content scanner key).
    options_key: String,
}

impl CacheStore {
    fn key(&self, diff_id: &str) -> String {
        key(diff_id, &self.versions_key, &self.options_key)
    }
}

impl LayerStore for CacheStore {
    fn contains(&self, diff_id: &str) -> bool {
        self.cache.contains(&self.key(diff_id))
    }

    fn get(&self, diff_id: &str) -> Option<LayerAnalysis> {
        self.cache.get(&self.key(diff_id))
    }

    fn put(&self, diff_id: &str, analysis: &LayerAnalysis) {
        if let Err(e) = self.cache.put(&self.key(diff_id), analysis) {
            // A cache that cannot be written slows the next run; it must not fail this one.
            tracing::warn!(
                "cannot write the layer cache in {}: {e}",
                self.cache.dir().display()
            );
        }
    }
}

/// The key of a layer's entry.
pub fn key(diff_id: &str, versions_key: &str, options_key: &str) -> String {
    let mut h = Sha256::new();
    for part in [MAGIC, diff_id, versions_key, options_key] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

impl LayerCache {
    /// The cache in `root` (`<root>/layers`, created when missing).
    pub fn open(root: &Path) -> io::Result<LayerCache> {
        let dir = root.join("layers");
        std::fs::create_dir_all(&dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot create the cache folder {}: {e}", dir.display()),
            )
        })?;
        Ok(LayerCache { dir })
    }

    /// The cache in `root` if it exists, without creating it.
    pub fn existing(root: &Path) -> LayerCache {
        LayerCache {
            dir: root.join("layers"),
        }
    }

    /// Folder of the entries.
    /// This cache as the [`LayerStore`] of scans with these analyzer
    /// versions ([`bulkhead_analyzers::versions_key`]) and options (limits,
    /// content scanner key: anything else that changes an analysis).
    pub fn store(&self, versions_key: &str, options_key: &str) -> CacheStore {
        CacheStore {
            cache: self.clone(),
            versions_key: versions_key.to_string(),
            options_key: options_key.to_string(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Whether an entry exists (not checked for corruption).
    pub fn contains(&self, key: &str) -> bool {
        self.path(key).is_file()
    }

    /// Read an entry. Missing, corrupt or unreadable entries give `None`
    /// (corrupt ones are removed so the next write replaces them).
    pub fn get(&self, key: &str) -> Option<LayerAnalysis> {
        let path = self.path(key);
        let meta = std::fs::metadata(&path).ok()?;
        if meta.len() > MAX_ENTRY_BYTES {
            tracing::warn!(
                "layer cache entry {} is too large; ignoring it",
                path.display()
            );
            let _ = std::fs::remove_file(&path);
            return None;
        }
        // An ordinary entry (a few MB at most) is read whole and parsed from
        // memory, several times faster than streaming; only an entry larger
        // than that (a layer of a million files) is parsed as it streams.
        let decoded = if meta.len() <= IN_MEMORY_ENTRY_BYTES {
            decode_slice(&std::fs::read(&path).ok()?)
        } else {
            let file = std::fs::File::open(&path).ok()?;
            decode(io::BufReader::with_capacity(256 * 1024, file))
        };
        match decoded {
            Some(a) => Some(a),
            None => {
                tracing::warn!(
                    "layer cache entry {} is corrupt; it will be rewritten",
                    path.display()
                );
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Write an entry atomically (temp file in the same folder, then rename).
    ///
    /// The body streams to the file while it is hashed (a layer of a
    /// million entries is never held as one JSON string); the header, whose
    /// length is fixed, is written last over a placeholder.
    pub fn put(&self, key: &str, analysis: &LayerAnalysis) -> io::Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .suffix(".part")
            .tempfile_in(&self.dir)?;
        {
            let placeholder = header_line(&[0; 32]);
            let file = tmp.as_file_mut();
            file.write_all(placeholder.as_bytes())?;
            // Buffer before hashing: serde writes many small pieces, the
            // hash and the file see 256 KiB chunks.
            let mut w = io::BufWriter::with_capacity(
                256 * 1024,
                HashingWriter {
                    inner: file,
                    hash: Sha256::new(),
                },
            );
            serde_json::to_writer(&mut w, analysis).map_err(io::Error::other)?;
            let hashing = w.into_inner().map_err(|e| e.into_error())?;
            let sum = hashing.hash.finalize();
            let file = hashing.inner;
            file.seek(io::SeekFrom::Start(0))?;
            file.write_all(header_line(&sum).as_bytes())?;
            file.sync_data()?;
        }
        tmp.persist(self.path(key)).map_err(|e| e.error)?;
        Ok(())
    }

    /// Count entries and bytes (temp files of running writers excluded).
    pub fn info(&self) -> io::Result<CacheInfo> {
        let mut info = CacheInfo::default();
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(info),
            Err(e) => return Err(e),
        };
        for e in rd {
            let e = e?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".json") && !name.starts_with('.') {
                info.entries += 1;
                info.bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
        Ok(info)
    }

    /// Remove every entry (and stale temp files); returns what was removed.
    /// Runs in progress keep working: they rewrite what they need.
    pub fn clean(&self) -> io::Result<CacheInfo> {
        let mut removed = CacheInfo::default();
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(removed),
            Err(e) => return Err(e),
        };
        for e in rd {
            let e = e?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            let entry = name.ends_with(".json") && !name.starts_with('.');
            let temp = name.starts_with(".tmp-") && name.ends_with(".part");
            if !(entry || temp) {
                continue;
            }
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            match std::fs::remove_file(e.path()) {
                Ok(()) if entry => {
                    removed.entries += 1;
                    removed.bytes += len;
                }
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
        Ok(removed)
    }
}

/// The first line of an entry: magic and the sha256 of the body.
fn header_line(sum: &[u8]) -> String {
    format!("{MAGIC} {}\n", hex::encode(sum))
}

/// Hashes what it writes.
struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes what it reads.
struct HashingReader<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Largest entry read whole into memory before parsing.
const IN_MEMORY_ENTRY_BYTES: u64 = 64 << 20;

/// Parses an entry held in memory; `None` unless the body's sha256 matches
/// the header and it parses.
fn decode_slice(bytes: &[u8]) -> Option<LayerAnalysis> {
    let nl = bytes.iter().position(|b| *b == b'\n')?;
    let header = std::str::from_utf8(bytes.get(..nl)?).ok()?;
    let body = bytes.get(nl + 1..)?;
    let (magic, sum) = header.split_once(' ')?;
    if magic != MAGIC || sum != hex::encode(Sha256::digest(body)) {
        return None;
    }
    let mut a: LayerAnalysis = serde_json::from_slice(body).ok()?;
    restore_skipped(&mut a);
    Some(a)
}

/// Parses an entry as it streams; `None` unless the body parses and its
/// sha256 matches the header (checked once the whole body was read).
fn decode(mut r: impl BufRead) -> Option<LayerAnalysis> {
    let mut header = Vec::new();
    (&mut r)
        .take(MAGIC.len() as u64 + 80)
        .read_until(b'\n', &mut header)
        .ok()?;
    let header = std::str::from_utf8(header.strip_suffix(b"\n")?).ok()?;
    let (magic, sum) = header.split_once(' ')?;
    if magic != MAGIC {
        return None;
    }
    let mut body = HashingReader {
        inner: r,
        hash: Sha256::new(),
    };
    // `from_reader` reads to the end (only whitespace may follow); the
    // buffer keeps it from hashing byte by byte.
    let mut a: LayerAnalysis =
        serde_json::from_reader(io::BufReader::with_capacity(256 * 1024, &mut body)).ok()?;
    io::copy(&mut body, &mut io::sink()).ok()?;
    if sum != hex::encode(body.hash.finalize()) {
        return None;
    }
    restore_skipped(&mut a);
    Some(a)
}

/// Put back what the JSON form skips: `Package::ecosystem` is not
/// serialized (it is not part of the report), but the inventory needs it
/// (purls, matching); every package of a `Packages` result has its ecosystem.
fn restore_skipped(a: &mut LayerAnalysis) {
    for results in a.files.values_mut() {
        for r in results {
            if let bulkhead_analyzers::FileAnalysis::Packages {
                ecosystem,
                packages,
                ..
            } = r
            {
                for p in packages.iter_mut().filter(|p| p.ecosystem.is_none()) {
                    p.ecosystem = Some(*ecosystem);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LayerAnalysis {
        let mut a = LayerAnalysis::default();
        a.index.diff_id = "sha256:abc".into();
        a.warnings.push("w".into());
        a
    }

    #[test]
    fn streamed_and_in_memory_decoding_agree() {
        let dir = tempfile::tempdir().unwrap();
        let c = LayerCache::open(dir.path()).unwrap();
        c.put("k", &sample()).unwrap();
        let bytes = std::fs::read(c.path("k")).unwrap();
        let a = decode_slice(&bytes).unwrap();
        let b = decode(io::BufReader::new(bytes.as_slice())).unwrap();
        assert_eq!(a.index.diff_id, b.index.diff_id);
        assert_eq!(a.warnings, b.warnings);
        // A flipped byte in the body fails both.
        let mut bad = bytes.clone();
        if let Some(last) = bad.iter_mut().rev().find(|b| **b == b'w') {
            *last = b'x';
        }
        assert!(decode_slice(&bad).is_none());
        assert!(decode(io::BufReader::new(bad.as_slice())).is_none());
    }

    #[test]
    fn roundtrip_info_clean() {
        let d = tempfile::tempdir().unwrap();
        let c = LayerCache::open(d.path()).unwrap();
        let k = key("sha256:abc", "dpkg@1", "");
        assert_ne!(k, key("sha256:abc", "dpkg@2", ""));
        assert_ne!(k, key("sha256:abc", "dpkg@1", "x"));
        assert!(c.get(&k).is_none());
        c.put(&k, &sample()).unwrap();
        assert_eq!(c.get(&k).unwrap().index.diff_id, "sha256:abc");
        let info = c.info().unwrap();
        assert_eq!(info.entries, 1);
        assert!(info.bytes > 0);
        assert_eq!(c.clean().unwrap().entries, 1);
        assert_eq!(c.info().unwrap(), CacheInfo::default());
    }

    #[test]
    fn corrupt_entries_are_ignored_and_removed() {
        let d = tempfile::tempdir().unwrap();
        let c = LayerCache::open(d.path()).unwrap();
        let k = key("sha256:abc", "", "");
        c.put(&k, &sample()).unwrap();
        let p = c.path(&k);
        let mut bytes = std::fs::read(&p).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&p, &bytes).unwrap();
        assert!(c.get(&k).is_none());
        assert!(!p.exists());
        std::fs::write(&p, b"garbage").unwrap();
        assert!(c.get(&k).is_none());
        std::fs::write(&p, b"").unwrap();
        assert!(c.get(&k).is_none());
        c.put(&k, &sample()).unwrap();
        assert!(c.get(&k).is_some());
    }

    #[test]
    fn concurrent_writers_never_expose_partial_entries() {
        let d = tempfile::tempdir().unwrap();
        let c = LayerCache::open(d.path()).unwrap();
        let k = key("sha256:abc", "", "");
        let mut big = sample();
        big.warnings = (0..20_000).map(|i| format!("warning {i}")).collect();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10 {
                        c.put(&k, &big).unwrap();
                    }
                });
            }
            s.spawn(|| {
                for _ in 0..200 {
                    if let Some(a) = c.get(&k) {
                        assert_eq!(a.warnings.len(), 20_000);
                    }
                }
            });
        });
        assert_eq!(c.info().unwrap().entries, 1);
    }
}
