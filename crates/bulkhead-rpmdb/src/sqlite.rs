//! `rpmdb.sqlite`: rpm ≥ 4.16's SQLite backend. Table
//! `Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`.
//!
//! The bytes are handed to SQLite with `sqlite3_deserialize` into a private
//! read-only in-memory database, so nothing touches disk (no temp copy, no
//! `-wal`/`-shm` files) and the original file is never opened by SQLite.

use std::io::Read;

use rusqlite::{Connection, MAIN_DB, OpenFlags, config::DbConfig, types::ValueRef};

use crate::{HeaderBlob, RpmError};

pub(crate) const MAGIC: &[u8] = b"SQLite format 3\0";

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
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let hnum: i64 = row.get(0).map_err(err)?;
        let number = u32::try_from(hnum)
            .map_err(|_| RpmError::Sqlite(format!("header number {hnum} is out of rpm's range")))?;
        let blob = match row.get_ref(1).map_err(err)? {
            ValueRef::Blob(b) => b.to_vec(),
            other => {
                return Err(RpmError::Sqlite(format!(
                    "header #{number} is stored as {:?}, not a blob",
                    other.data_type()
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
