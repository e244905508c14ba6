//! `rpmdb.sqlite`: rpm ≥ 4.16's SQLite backend. Table
//! `Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`.
//!
//! The bytes are handed to SQLite with `sqlite3_deserialize` into a private
//! read-only in-memory database, so nothing touches disk (no temp copy, no
//! `-wal`/`-shm` files) and the original file is never opened by SQLite.
//!
//! The schema is the file's and hence hostile: `Packages` could be a view
//! over an endless recursive CTE, or yield 500 MB zeroblobs. So the
//! connection is read-only, defensive, with `trusted_schema` off; only a
//! real table named `Packages` with plain `hnum`/`blob` columns is read
//! (no view, virtual table or generated column); at most [`MAX_HEADERS`]
//! rows, each blob's size checked with `length()` before it is read and
//! capped at [`MAX_BLOB`] (also SQLite's own `SQLITE_LIMIT_LENGTH`); and a
//! progress handler stops any statement after [`MAX_VM_STEPS`] virtual
//! machine steps or [`MAX_TIME`].

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, MAIN_DB, OpenFlags, config::DbConfig, limits::Limit, types::ValueRef};

use crate::{HeaderBlob, RpmError};

pub(crate) const MAGIC: &[u8] = b"SQLite format 3\0";

/// Most header rows read from `Packages` (a full RHEL install has ~1500;
/// the scanner keeps fewer still and warns).
pub const MAX_HEADERS: usize = 200_000;
/// Largest header blob read (real ones are a few KiB to a few MiB).
pub const MAX_BLOB: usize = 64 * 1024 * 1024;
/// Most SQLite virtual machine steps one read may take (reading a 1 GiB
/// database of 200 000 rows takes a few million).
pub const MAX_VM_STEPS: u64 = 500_000_000;
/// Longest one read may take, whatever the step count.
pub const MAX_TIME: Duration = Duration::from_secs(30);
/// How often (in VM steps) the progress handler runs.
const STEPS_PER_CHECK: u32 = 10_000;

/// Offsets of the file-format read/write version bytes in the SQLite header
/// (1 = rollback journal, 2 = WAL).
const WRITE_VERSION: usize = 18;
const READ_VERSION: usize = 19;

fn err(e: rusqlite::Error) -> RpmError {
    RpmError::Sqlite(e.to_string())
}

/// Header blobs of `bytes`, after applying the committed frames of `wal`
/// (the `rpmdb.sqlite-wal` file beside it), if given.
pub(crate) fn read_blobs_with_wal(
    bytes: &[u8],
    wal: Option<&[u8]>,
) -> Result<Vec<HeaderBlob>, RpmError> {
    match wal.and_then(|w| apply_wal(bytes, w)) {
        Some(merged) => read_blobs(&merged),
        None => read_blobs(bytes),
    }
}

/// The database image with the WAL's committed transactions applied, or
/// `None` when the WAL is empty, invalid or holds nothing committed (SQLite
/// ignores such a WAL too).
///
/// Hand-written because the in-memory database SQLite offers for
/// deserialized bytes has no WAL support. Format (all fields big-endian): a
/// 32-byte header (magic `0x377f0682`/`0x377f0683`, version, page size,
/// checkpoint sequence, two salts, two checksum words) and frames of a
/// 24-byte header (page number, database size in pages for a commit frame
/// else 0, the two salts, cumulative checksum) plus one page. Frames are
/// valid while salts and the running checksum match; only frames up to the
/// last valid commit count.
fn apply_wal(db: &[u8], wal: &[u8]) -> Option<Vec<u8>> {
    const WAL_HEADER: usize = 32;
    const FRAME_HEADER: usize = 24;
    let be32 = |b: &[u8], at: usize| crate::read_u32(b, at, true);
    let magic = be32(wal, 0)?;
    if magic & !1 != 0x377f_0682 {
        return None;
    }
    // Checksum words are read in the byte order the magic names.
    let big = magic & 1 == 1;
    let page_size = be32(wal, 8)? as usize;
    let db_page_size = match crate::read_u16(db, 16, true)? {
        1 => 65_536,
        n => usize::from(n),
    };
    if page_size != db_page_size || !(512..=65_536).contains(&page_size) {
        return None;
    }
    let checksum = |mut s: (u32, u32), data: &[u8]| {
        for pair in data.chunks_exact(8) {
            let x0 = crate::read_u32(pair, 0, big).unwrap_or(0);
            let x1 = crate::read_u32(pair, 4, big).unwrap_or(0);
            s.0 = s.0.wrapping_add(x0).wrapping_add(s.1);
            s.1 = s.1.wrapping_add(x1).wrapping_add(s.0);
        }
        s
    };
    let header = wal.get(..WAL_HEADER)?;
    let mut sum = checksum((0, 0), header.get(..24)?);
    if (Some(sum.0), Some(sum.1)) != (be32(header, 24), be32(header, 28)) {
        return None;
    }
    let salts = header.get(16..24)?;
    let frame_len = FRAME_HEADER + page_size;
    let nframes = (wal.len() - WAL_HEADER) / frame_len;
    // Pages a commit may reference: those in the file plus one per frame.
    let max_pages = db.len() / page_size + nframes;
    let mut image = db.to_vec();
    let mut pending: Vec<(usize, &[u8])> = Vec::new();
    let mut committed = false;
    for f in 0..nframes {
        let at = WAL_HEADER + f * frame_len;
        let frame = wal.get(at..at + frame_len)?;
        let (head, page) = frame.split_at(FRAME_HEADER);
        if head.get(8..16) != Some(salts) {
            break;
        }
        sum = checksum(sum, head.get(..8)?);
        sum = checksum(sum, page);
        if (Some(sum.0), Some(sum.1)) != (be32(head, 16), be32(head, 20)) {
            break;
        }
        let pgno = be32(head, 0)? as usize;
        if pgno == 0 || pgno > max_pages {
            break;
        }
        pending.push((pgno, page));
        let commit_size = be32(head, 4)? as usize;
        if commit_size != 0 {
            if commit_size > max_pages {
                break;
            }
            for (pgno, page) in pending.drain(..) {
                let start = (pgno - 1) * page_size;
                if image.len() < start + page_size {
                    image.resize(start + page_size, 0);
                }
                image
                    .get_mut(start..start + page_size)?
                    .copy_from_slice(page);
            }
            image.resize(commit_size * page_size, 0);
            committed = true;
        }
    }
    committed.then_some(image)
}

pub(crate) fn read_blobs(bytes: &[u8]) -> Result<Vec<HeaderBlob>, RpmError> {
    if !bytes.starts_with(MAGIC) || bytes.len() < 100 {
        return Err(RpmError::Sqlite(
            "file is shorter than a SQLite header or lacks its magic".into(),
        ));
    }
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    // Defensive mode: no writable schema, no shadow-table or
    // `PRAGMA writable_schema` tricks from a hostile file.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(err)?;
    // Functions named in the schema (views, triggers, defaults) may not
    // have side effects; the PRAGMA below says the same.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
        .map_err(err)?;
    // rpm runs its database in WAL mode (header bytes 18/19 = 2). The memory
    // VFS cannot do WAL, so the copy SQLite gets says "rollback journal"
    // instead; the page data is identical. (Uncheckpointed changes in a
    // `-wal` file were merged by `read_blobs_with_wal` before this point.)
    let head = bytes.get(..WRITE_VERSION).unwrap_or_default();
    let versions: &[u8] = match (bytes.get(WRITE_VERSION), bytes.get(READ_VERSION)) {
        (Some(2), Some(2)) => &[1, 1],
        _ => bytes
            .get(WRITE_VERSION..READ_VERSION + 1)
            .unwrap_or_default(),
    };
    let tail = bytes.get(READ_VERSION + 1..).unwrap_or_default();
    conn.deserialize_read_exact(MAIN_DB, head.chain(versions).chain(tail), bytes.len(), true)
        .map_err(err)?;
    // The schema comes from the (untrusted) file: do not run functions
    // named in it, and refuse any write.
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
        .map_err(err)?;
    let stopped = bound_work(&conn, MAX_VM_STEPS)?;
    let out = read_packages_table(&conn, MAX_BLOB, MAX_HEADERS);
    if stopped.load(Ordering::Relaxed) {
        return Err(RpmError::Sqlite(format!(
            "reading took more than {MAX_VM_STEPS} SQLite steps or {} s (a hostile schema?); refusing",
            MAX_TIME.as_secs()
        )));
    }
    out
}

/// Caps what any statement on `conn` may cost: SQLite's own length and
/// depth limits, and a progress handler that interrupts a statement after
/// `max_steps` steps ([`MAX_VM_STEPS`]) or [`MAX_TIME`]; the flag it
/// returns tells that this happened.
fn bound_work(conn: &Connection, max_steps: u64) -> Result<Arc<AtomicBool>, RpmError> {
    let max_blob = i32::try_from(MAX_BLOB).unwrap_or(i32::MAX);
    for (limit, value) in [
        (Limit::SQLITE_LIMIT_LENGTH, max_blob),
        (Limit::SQLITE_LIMIT_SQL_LENGTH, 1_000_000),
        (Limit::SQLITE_LIMIT_EXPR_DEPTH, 100),
        (Limit::SQLITE_LIMIT_COMPOUND_SELECT, 50),
        (Limit::SQLITE_LIMIT_FUNCTION_ARG, 16),
        (Limit::SQLITE_LIMIT_ATTACHED, 0),
        (Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1_000),
        (Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 1),
    ] {
        conn.set_limit(limit, value).map_err(err)?;
    }
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stopped);
    let started = Instant::now();
    let mut steps: u64 = 0;
    conn.progress_handler(
        i32::try_from(STEPS_PER_CHECK).unwrap_or(i32::MAX),
        Some(move || {
            steps += u64::from(STEPS_PER_CHECK);
            let stop = steps > max_steps || started.elapsed() > MAX_TIME;
            if stop {
                flag.store(true, Ordering::Relaxed);
            }
            stop
        }),
    );
    Ok(stopped)
}

/// The rows of a real `Packages` table: at most `max_rows`, none with a
/// blob over `max_blob` bytes (see the module comment).
fn read_packages_table(
    conn: &Connection,
    max_blob: usize,
    max_rows: usize,
) -> Result<Vec<HeaderBlob>, RpmError> {
    // A real table only: a view or a virtual table would run the file's SQL.
    let kind: Option<(String, String)> = conn
        .query_row(
            "SELECT type, coalesce(sql, '') FROM sqlite_schema WHERE name = 'Packages' COLLATE NOCASE",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(err(e)),
        })?;
    match kind {
        None => {
            return Err(RpmError::Sqlite(
                "no Packages table (not an rpm database)".into(),
            ));
        }
        Some((t, sql))
            if t != "table"
                || sql
                    .trim_start()
                    .get(..14)
                    .is_some_and(|p| p.eq_ignore_ascii_case("CREATE VIRTUAL")) =>
        {
            return Err(RpmError::Sqlite(format!(
                "Packages is a {}, not a plain table (a hostile schema?); refusing to read it",
                if t == "table" {
                    "virtual table"
                } else {
                    t.as_str()
                }
            )));
        }
        Some(_) => {}
    }
    // Plain stored columns only: a generated column computes its value
    // from an expression in the file.
    let mut cols = conn
        .prepare("SELECT name, hidden FROM pragma_table_xinfo('Packages')")
        .map_err(err)?;
    let cols: Vec<(String, i64)> = cols
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    for want in ["hnum", "blob"] {
        match cols.iter().find(|(n, _)| n.eq_ignore_ascii_case(want)) {
            None => {
                return Err(RpmError::Sqlite(format!(
                    "the Packages table has no {want} column"
                )));
            }
            Some((_, 0)) => {}
            Some(_) => {
                return Err(RpmError::Sqlite(format!(
                    "Packages.{want} is a generated or hidden column (a hostile schema?); refusing to read it"
                )));
            }
        }
    }
    // Sizes first: a blob over the cap is never read.
    let mut stmt = conn
        .prepare(
            "SELECT hnum, typeof(blob), length(blob), \
             CASE WHEN typeof(blob) = 'blob' AND length(blob) <= ?1 THEN blob END \
             FROM Packages ORDER BY hnum LIMIT ?2",
        )
        .map_err(err)?;
    let limits = [
        i64::try_from(max_blob).unwrap_or(i64::MAX),
        i64::try_from(max_rows).unwrap_or(i64::MAX),
    ];
    let mut rows = stmt.query(limits).map_err(err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let hnum: i64 = row.get(0).map_err(err)?;
        let number = u32::try_from(hnum)
            .map_err(|_| RpmError::Sqlite(format!("header number {hnum} is out of rpm's range")))?;
        let kind: String = row.get(1).map_err(err)?;
        let len: i64 = row.get(2).map_err(err)?;
        if kind != "blob" {
            return Err(RpmError::Sqlite(format!(
                "header #{number} is stored as {kind}, not a blob"
            )));
        }
        let blob = match row.get_ref(3).map_err(err)? {
            ValueRef::Blob(b) => b.to_vec(),
            _ => {
                return Err(RpmError::Sqlite(format!(
                    "header #{number} is {len} bytes, more than the {max_blob}-byte limit"
                )));
            }
        };
        out.push(HeaderBlob { number, blob });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_db(sql: &str) -> Vec<u8> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        conn.serialize(MAIN_DB).unwrap().to_vec()
    }

    #[test]
    fn reads_blobs_in_order() {
        let db = make_db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
             INSERT INTO Packages VALUES (7, x'0102'), (3, x'0304');",
        );
        let blobs = read_blobs(&db).unwrap();
        assert_eq!(blobs.len(), 2);
        assert_eq!(blobs[0].number, 3);
        assert_eq!(blobs[0].blob, [3, 4]);
    }

    /// A database in WAL mode whose last transaction is still only in the
    /// WAL: returns (main file, wal file) as they would sit in an image.
    fn db_with_pending_wal() -> (Vec<u8>, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rpmdb.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL);
             INSERT INTO Packages VALUES (1, x'01');
             PRAGMA wal_checkpoint(TRUNCATE);
             INSERT INTO Packages VALUES (2, zeroblob(9000));
             INSERT INTO Packages VALUES (3, x'03');",
        )
        .unwrap();
        let db = std::fs::read(&path).unwrap();
        let wal = std::fs::read(dir.path().join("rpmdb.sqlite-wal")).unwrap();
        drop(conn);
        (db, wal)
    }

    #[test]
    fn committed_wal_frames_are_applied() {
        let (db, wal) = db_with_pending_wal();
        assert!(!wal.is_empty());
        let nums = |b: Vec<HeaderBlob>| b.iter().map(|b| b.number).collect::<Vec<_>>();
        assert_eq!(nums(read_blobs_with_wal(&db, None).unwrap()), [1]);
        assert_eq!(
            nums(read_blobs_with_wal(&db, Some(&wal)).unwrap()),
            [1, 2, 3]
        );
        // an empty or foreign WAL is ignored, as SQLite does
        assert_eq!(nums(read_blobs_with_wal(&db, Some(&[])).unwrap()), [1]);
        assert_eq!(
            nums(read_blobs_with_wal(&db, Some(&[7; 100])).unwrap()),
            [1]
        );
        // a corrupt last frame drops the transactions from it onwards
        let mut bad = wal.clone();
        let last = bad.len() - 10;
        bad[last] ^= 0xff;
        let got = nums(read_blobs_with_wal(&db, Some(&bad)).unwrap());
        assert!(got.len() < 3 && got[0] == 1, "{got:?}");
        // truncated or mutated WALs never panic
        for cut in (0..wal.len()).step_by(131) {
            let _ = read_blobs_with_wal(&db, Some(&wal[..cut]));
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            let mut m = wal.clone();
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // bias towards the headers, where the interesting fields are
                let at = if x & 1 == 0 {
                    (x >> 8) as usize % 64
                } else {
                    (x >> 8) as usize % m.len()
                };
                m[at] = (x >> 40) as u8;
            }
            let _ = read_blobs_with_wal(&db, Some(&m));
        }
    }

    #[test]
    fn wal_mode_header_is_accepted() {
        let mut db = make_db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);");
        db[WRITE_VERSION] = 2;
        db[READ_VERSION] = 2;
        assert!(read_blobs(&db).unwrap().is_empty());
    }

    #[test]
    fn wrong_schema_and_types_are_errors() {
        let db = make_db("CREATE TABLE Other (x);");
        assert!(
            read_blobs(&db)
                .unwrap_err()
                .to_string()
                .contains("Packages")
        );
        let db = make_db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); INSERT INTO Packages VALUES (1, 'text');",
        );
        assert!(
            read_blobs(&db)
                .unwrap_err()
                .to_string()
                .contains("not a blob")
        );
        let db = make_db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); INSERT INTO Packages VALUES (-1, x'00');",
        );
        assert!(read_blobs(&db).unwrap_err().to_string().contains("range"));
    }

    #[test]
    fn hostile_schemas_are_refused_quickly() {
        let started = std::time::Instant::now();
        for (sql, want) in [
            (
                "CREATE VIEW Packages AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x AS hnum, x'00' AS blob FROM n;",
                "view",
            ),
            (
                "CREATE VIEW Packages AS SELECT 1 AS hnum, zeroblob(500000000) AS blob;",
                "view",
            ),
            (
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, n, blob BLOB AS (zeroblob(500000000))); INSERT INTO Packages (hnum, n) VALUES (1, 1);",
                "generated",
            ),
            (
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL); CREATE TABLE log (x); \
                 CREATE TRIGGER t AFTER INSERT ON Packages BEGIN INSERT INTO log VALUES (1); END; \
                 CREATE VIEW packages2 AS SELECT 1; INSERT INTO Packages VALUES (1, x'01');",
                "",
            ),
            (
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY);",
                "no blob column",
            ),
        ] {
            let got = read_blobs(&make_db(sql));
            match (want, got) {
                ("", Ok(b)) => assert_eq!(b.len(), 1),
                (want, Err(e)) if !want.is_empty() => {
                    assert!(e.to_string().contains(want), "{sql}: {e}");
                }
                (_, other) => panic!("{sql}: {other:?}"),
            }
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn rows_blob_sizes_and_steps_are_bounded() {
        let db = make_db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);
             INSERT INTO Packages VALUES (1, x'01'), (2, x'02'), (3, zeroblob(100));",
        );
        let mut conn = Connection::open_in_memory().unwrap();
        conn.deserialize_read_exact(MAIN_DB, db.as_slice(), db.len(), true)
            .unwrap();
        assert_eq!(read_packages_table(&conn, 1000, 2).unwrap().len(), 2);
        let e = read_packages_table(&conn, 10, 10).unwrap_err().to_string();
        assert!(e.contains("#3 is 100 bytes"), "{e}");
        // An endless query stops after the step budget.
        let stopped = bound_work(&conn, 100_000).unwrap();
        let r: Result<i64, _> = conn.query_row(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
            [],
            |r| r.get(0),
        );
        assert!(r.is_err());
        assert!(stopped.load(Ordering::Relaxed));
    }

    #[test]
    fn truncated_databases_error_cleanly() {
        let db = make_db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);
             INSERT INTO Packages VALUES (1, zeroblob(10000)), (2, zeroblob(9000));",
        );
        for cut in (0..db.len()).step_by(97) {
            // may succeed with fewer rows only if the cut keeps whole pages;
            // it must never panic
            let _ = read_blobs(&db[..cut]);
        }
        assert!(read_blobs(&db[..50]).is_err());
    }
}
