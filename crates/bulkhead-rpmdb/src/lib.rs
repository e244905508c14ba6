//! Read the installed-package database of an rpm-based image, without
//! executing anything and without network access.
//!
//! rpm keeps one *header blob* per installed package in one of three
//! database formats; this crate reads all three from bytes and decodes the
//! headers:
//!
//! | format | file in the image | used by |
//! | --- | --- | --- |
//! | [`DbFormat::Sqlite`] | `rpmdb.sqlite` | RHEL/Alma/Rocky 9, Fedora ≥ 33, Amazon Linux 2023 |
//! | [`DbFormat::BerkeleyDb`] | `Packages` (hash) | RHEL/CentOS 7–8, Amazon Linux 2, older SUSE |
//! | [`DbFormat::Ndb`] | `Packages.db` | SUSE ≥ 15 SP3, openSUSE |
//!
//! The format is recognised by content (magic numbers), not by file name.
//!
//! ```no_run
//! # fn main() -> Result<(), bulkhead_rpmdb::RpmError> {
//! let bytes = std::fs::read("var/lib/rpm/rpmdb.sqlite").unwrap_or_default();
//! for pkg in bulkhead_rpmdb::read_rpmdb(&bytes)? {
//!     if !pkg.is_gpg_pubkey() {
//!         println!("{} {} {}", pkg.name, pkg.evr(), pkg.arch);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! All parsers treat their input as hostile: every offset and count is
//! checked against the bytes present, loops in page chains are detected, and
//! allocations are bounded by the input size. Errors never panic.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use std::path::Path;

pub use header::{RpmHeader, parse_header};

/// Paths (relative to an image root) where rpm databases live, in the order
/// a scanner should try them. A directory may hold several formats after a
/// conversion; the first one that exists wins, as with rpm's own detection.
pub const RPMDB_PATHS: &[&str] = &[
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "usr/share/rpm/rpmdb.sqlite",
    "usr/share/rpm/Packages.db",
    "usr/share/rpm/Packages",
];

/// Errors from reading an rpm database or header.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RpmError {
    /// The bytes are none of the three database formats.
    #[error(
        "not an rpm database: no SQLite, BerkeleyDB hash or NDB magic found (expected rpmdb.sqlite, Packages or Packages.db)"
    )]
    UnknownFormat,
    /// A header blob is malformed.
    #[error("malformed rpm header: {0}")]
    BadHeader(String),
    /// A header blob inside a database is malformed; `number` is its header
    /// number (rpm's instance id) so the entry can be found again.
    #[error("rpm header #{number} in the {format:?} database: {source}")]
    BadEntry {
        /// The database format.
        format: DbFormat,
        /// The header number (SQLite `hnum`, BerkeleyDB key, NDB pkgidx).
        number: u32,
        /// What was wrong with it.
        #[source]
        source: Box<RpmError>,
    },
    /// The SQLite database could not be read.
    #[error("rpmdb.sqlite: {0} (is the file complete and a real rpm database?)")]
    Sqlite(String),
    /// The BerkeleyDB file is malformed or uses an unsupported feature.
    #[error("BerkeleyDB Packages: {0}")]
    BerkeleyDb(String),
    /// The NDB file is malformed.
    #[error("NDB Packages.db: {0}")]
    Ndb(String),
    /// Reading a file from disk failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The path that was read.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The three rpm database backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbFormat {
    /// `rpmdb.sqlite`: table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`.
    Sqlite,
    /// BerkeleyDB hash `Packages`: key = 4-byte header number, value = blob.
    BerkeleyDb,
    /// rpm's own "ndb" `Packages.db`: slot pages pointing at checksummed blobs.
    Ndb,
}

/// One raw header blob as stored in a database, with its header number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBlob {
    /// Header number (rpm's database instance): SQLite `hnum`, BerkeleyDB
    /// key, NDB pkgidx.
    pub number: u32,
    /// The header blob; decode it with [`parse_header`].
    pub blob: Vec<u8>,
}

/// Recognises a database format by its magic number.
pub fn detect(bytes: &[u8]) -> Option<DbFormat> {
    if bytes.starts_with(sqlite::MAGIC) {
        Some(DbFormat::Sqlite)
    } else if bytes.starts_with(ndb::MAGIC) {
        Some(DbFormat::Ndb)
    } else if bdb::is_hash_db(bytes) {
        Some(DbFormat::BerkeleyDb)
    } else {
        None
    }
}

/// All header blobs of a database, ordered by header number, without decoding
/// them. Use this to skip (rather than fail on) a single corrupt header.
pub fn read_header_blobs(format: DbFormat, bytes: &[u8]) -> Result<Vec<HeaderBlob>, RpmError> {
    let mut blobs = match format {
        DbFormat::Sqlite => sqlite::read_blobs(bytes)?,
        DbFormat::BerkeleyDb => bdb::read_blobs(bytes)?,
        DbFormat::Ndb => ndb::read_blobs(bytes)?,
    };
    blobs.sort_by_key(|b| b.number);
    Ok(blobs)
}

/// All packages of a database in the given format, ordered by header number.
/// Fails on the first malformed header (see [`read_header_blobs`] for a
/// lenient loop).
pub fn read_packages(format: DbFormat, bytes: &[u8]) -> Result<Vec<RpmHeader>, RpmError> {
    decode(format, read_header_blobs(format, bytes)?)
}

/// Reads `rpmdb.sqlite` together with its `rpmdb.sqlite-wal` (pass the WAL
/// file's bytes when the image has a non-empty one): committed transactions
/// still in the WAL are applied first, as SQLite would. rpm checkpoints on
/// exit, so the WAL is normally empty; an interrupted build can leave data
/// there. An invalid WAL is ignored, as SQLite ignores it.
pub fn read_sqlite_packages(db: &[u8], wal: Option<&[u8]>) -> Result<Vec<RpmHeader>, RpmError> {
    decode(DbFormat::Sqlite, sqlite::read_blobs_with_wal(db, wal)?)
}

fn decode(format: DbFormat, mut blobs: Vec<HeaderBlob>) -> Result<Vec<RpmHeader>, RpmError> {
    blobs.sort_by_key(|b| b.number);
    blobs
        .into_iter()
        .map(|b| {
            parse_header(&b.blob).map_err(|e| RpmError::BadEntry {
                format,
                number: b.number,
                source: Box::new(e),
            })
        })
        .collect()
}

/// Detects the format of `bytes` and reads all packages.
pub fn read_rpmdb(bytes: &[u8]) -> Result<Vec<RpmHeader>, RpmError> {
    let format = detect(bytes).ok_or(RpmError::UnknownFormat)?;
    read_packages(format, bytes)
}

/// Reads a database file, or a database directory (such as `var/lib/rpm`),
/// in which case the first of `rpmdb.sqlite`, `Packages.db`, `Packages` that
/// exists is read. For SQLite, a non-empty `-wal` file beside the database
/// is applied (see [`read_sqlite_packages`]). Files are only read, never
/// opened by SQLite or BerkeleyDB libraries, so nothing is written beside
/// them.
pub fn read_rpmdb_path(path: &Path) -> Result<Vec<RpmHeader>, RpmError> {
    let io = |p: &Path, source| RpmError::Io {
        path: p.display().to_string(),
        source,
    };
    let file = if path.is_dir() {
        ["rpmdb.sqlite", "Packages.db", "Packages"]
            .iter()
            .map(|n| path.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                io(
                    path,
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no rpmdb.sqlite, Packages.db or Packages in this directory",
                    ),
                )
            })?
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| io(&file, e))?;
    if detect(&bytes) == Some(DbFormat::Sqlite) {
        let mut wal_path = file.clone().into_os_string();
        wal_path.push("-wal");
        let wal_path = std::path::PathBuf::from(wal_path);
        let wal = match std::fs::read(&wal_path) {
            Ok(w) => Some(w),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&wal_path, e)),
        };
        return read_sqlite_packages(&bytes, wal.as_deref());
    }
    read_rpmdb(&bytes)
}

/// Reads a big-endian or little-endian u32 at `at`, `None` past the end.
pub(crate) fn read_u32(b: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(s)
    } else {
        u32::from_le_bytes(s)
    })
}

/// Reads a big-endian or little-endian u16 at `at`, `None` past the end.
pub(crate) fn read_u16(b: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if big_endian {
        u16::from_be_bytes(s)
    } else {
        u16::from_le_bytes(s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_rejects_garbage() {
        assert_eq!(detect(b""), None);
        assert_eq!(detect(b"hello world, this is not a database"), None);
        assert!(matches!(
            read_rpmdb(&[0u8; 4096]),
            Err(RpmError::UnknownFormat)
        ));
    }

    #[test]
    fn missing_dir_entry_is_a_clean_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_rpmdb_path(dir.path()).unwrap_err().to_string();
        assert!(e.contains("no rpmdb.sqlite"), "{e}");
    }
}
