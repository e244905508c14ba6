//! `rpmdb.sqlite`: rpm ≥ 4.16's SQLite backend. Table
//! `Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`.
//!
//! The bytes are handed to SQLite with `sqlite3_deserialize` into a private
//! read-only in-memory database, so nothing touches disk (no temp copy, no
//! `-wal`/`-shm` files) and the original file is never opened by SQLite.

use std::io::Read;

use rusqlite::{Connection, MAIN_DB, OpenFlags, types::ValueRef};

use crate::{HeaderBlob, RpmError};

pub(crate) const MAGIC: &[u8] = b"SQLite format 3\0";

/// Offsets of the file-format read/write version bytes in the SQLite header
/// (1 = rollback journal, 2 = WAL).
const WRITE_VERSION: usize = 18;
const READ_VERSION: usize = 19;

fn err(e: rusqlite::Error) -> RpmError {
    RpmError::Sqlite(e.to_string())
}

pub(crate) fn read_blobs(bytes: &[u8]) -> Result<Vec<HeaderBlob>, RpmError> {
    if !bytes.starts_with(MAGIC) || bytes.len() < 100 {
        return Err(RpmError::Sqlite(
            "file is shorter than a SQLite header or lacks its magic".into(),
        ));
    }
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    // rpm runs its database in WAL mode (header bytes 18/19 = 2). The memory
    // VFS cannot do WAL, so the copy SQLite gets says "rollback journal"
    // instead; the page data is identical. A `-wal` file beside the database
    // in an image would hold uncheckpointed changes; rpm checkpoints on
    // close, so images built normally have none.
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
