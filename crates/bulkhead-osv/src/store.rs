//! SQLite storage. The schema is documented in `docs/db-schema.md`.

use crate::model::{self, Record};
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;

/// Bumped when the schema changes; a database with another version is
/// rebuilt by `update` and refused by [`Database::open`].
pub const SCHEMA_VERSION: &str = "2";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    records INTEGER NOT NULL,
    skipped INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS advisories (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    modified TEXT NOT NULL,
    withdrawn TEXT,
    raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kev (
    cve TEXT PRIMARY KEY,
    date_added TEXT,
    due_date TEXT,
    ransomware TEXT
);
CREATE TABLE IF NOT EXISTS cvss (
    cve TEXT NOT NULL,
    source TEXT NOT NULL,
    version TEXT NOT NULL,
    vector TEXT NOT NULL,
    score REAL,
    severity TEXT NOT NULL,
    feed TEXT NOT NULL,
    PRIMARY KEY (cve, source, version, feed)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epss (
    cve TEXT PRIMARY KEY,
    score REAL NOT NULL,
    percentile REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exploited (
    cve TEXT NOT NULL,
    date_added TEXT NOT NULL,
    feed TEXT NOT NULL,
    PRIMARY KEY (cve, feed)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cvss_feed ON cvss(feed);
CREATE INDEX IF NOT EXISTS exploited_feed ON exploited(feed);
CREATE INDEX IF NOT EXISTS advisories_source ON advisories(source);
CREATE INDEX IF NOT EXISTS affected_lookup ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected(advisory_id);
";

/// The package name as stored and looked up: PEP 503 for PyPI, lower case
/// where the ecosystem's names are case-insensitive (Debian, Ubuntu, Alpine,
/// crates.io, npm, NuGet, Packagist, Hex, Pub), as written elsewhere (RPM
/// names such as `perl-Digest-MD5`, Go module paths, Maven coordinates and
/// RubyGems names are case-sensitive).
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    let base = ecosystem_base(ecosystem);
    match base {
        "PyPI" => pep503(name),
        "Debian" | "Ubuntu" | "Alpine" | "Wolfi" | "Chainguard" | "crates.io" | "npm" | "NuGet"
        | "Packagist" | "Hex" | "Pub" => name.trim().to_ascii_lowercase(),
        _ => name.trim().to_string(),
    }
}

/// PEP 503: lower case, every run of `-`, `_`, `.` becomes one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

/// The ecosystem without its release suffix (`Debian:11` → `Debian`).
pub fn ecosystem_base(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem).trim()
}

pub use bulkhead_types::db::{DbInfo, SourceInfo};

/// A read-only view of a built database.
pub struct Database {
    conn: Connection,
}

impl Database {
    /// Open a database read-only.
    pub fn open(path: &Path) -> Result<Database> {
        if !path.is_file() {
            return Err(Error::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::sqlite(path, e))?;
        let db = Database { conn };
        let version = db
            .meta("schema_version")
            .map_err(|e| Error::sqlite(path, e))?;
        if version.as_deref() != Some(SCHEMA_VERSION) {
            return Err(Error::Schema {
                path: path.to_path_buf(),
                found: version.unwrap_or_else(|| "none".into()),
            });
        }
        Ok(db)
    }

    /// A `meta` value.
    pub fn meta(&self, key: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    /// When the database was last built or confirmed up to date (RFC 3339).
    pub fn freshness(&self) -> Option<String> {
        let built = self.meta("built_at").ok().flatten();
        let checked = self.meta("checked_at").ok().flatten();
        match (built, checked) {
            (Some(b), Some(c)) => Some(if c > b { c } else { b }),
            (b, c) => b.or(c),
        }
    }

    /// How long ago the database was built or confirmed up to date.
    pub fn age(&self) -> Option<std::time::Duration> {
        let when = self.freshness()?;
        let t = time::OffsetDateTime::parse(&when, &time::format_description::well_known::Rfc3339)
            .ok()?;
        let secs = (time::OffsetDateTime::now_utc() - t).whole_seconds();
        Some(std::time::Duration::from_secs(
            u64::try_from(secs).unwrap_or(0),
        ))
    }

    /// Whether any (non-withdrawn) record names this full ecosystem string.
    pub fn has_ecosystem(&self, ecosystem: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM affected WHERE ecosystem = ?1)",
                [ecosystem],
                |r| r.get::<_, bool>(0),
            )
            .map_err(Error::Query)
    }

    /// Raw JSON of the records that list (`ecosystem`, `name`), withdrawn
    /// records excluded. `name` is normalised here.
    pub fn lookup_raw(&self, ecosystem: &str, name: &str) -> Result<Vec<(String, String)>> {
        let norm = normalize_name(ecosystem, name);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT a.id, a.raw FROM affected f JOIN advisories a ON a.id = f.advisory_id \
                 WHERE f.ecosystem = ?1 AND f.name = ?2 AND a.withdrawn IS NULL ORDER BY a.id",
            )
            .map_err(Error::Query)?;
        let rows = stmt
            .query_map(params![ecosystem, norm], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(Error::Query)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Query)
    }

    /// Parsed records for (`ecosystem`, `name`); records whose stored JSON no
    /// longer parses are skipped (they were valid at import).
    pub fn lookup(&self, ecosystem: &str, name: &str) -> Result<Vec<Record>> {
        Ok(self
            .lookup_raw(ecosystem, name)?
            .into_iter()
            .filter_map(|(_, raw)| model::parse_json(raw.as_bytes()).ok())
            .collect())
    }

    /// One record by id (withdrawn included).
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        let raw: Option<String> = self
            .conn
            .query_row("SELECT raw FROM advisories WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(Error::Query)?;
        Ok(raw.and_then(|r| model::parse_json(r.as_bytes()).ok()))
    }

    /// Every normalised package name that has records in `ecosystem`.
    pub fn names(&self, ecosystem: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT name FROM affected WHERE ecosystem = ?1 ORDER BY name")
            .map_err(Error::Query)?;
        let rows = stmt
            .query_map([ecosystem], |r| r.get(0))
            .map_err(Error::Query)?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(Error::Query)
    }

    /// Whether a CVE is in CISA's Known Exploited Vulnerabilities catalogue.
    pub fn is_kev(&self, cve: &str) -> Result<bool> {
        // The same answer as a finding's `KEV`: the catalogue, or NVD's and
        // CISA-ADP's copy of it.
        Ok(self.rating(cve)?.kev.is_some())
    }

    /// What the rating sources (CVSS, EPSS, KEV) say of one CVE.
    pub fn rating(&self, cve: &str) -> Result<crate::ratings::CveRating> {
        let date = self.meta("epss_date").ok().flatten().unwrap_or_default();
        crate::ratings::lookup(&self.conn, cve, &date)
    }

    /// Whether any rating data (CVSS or EPSS) was imported.
    pub fn has_ratings(&self) -> bool {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM cvss) OR EXISTS(SELECT 1 FROM epss)",
                [],
                |r| r.get::<_, bool>(0),
            )
            .unwrap_or(false)
    }

    /// Sources, counts and age.
    pub fn info(&self) -> Result<DbInfo> {
        let q = |e| Error::Query(e);
        let mut info = DbInfo {
            schema_version: self.meta("schema_version").map_err(q)?.unwrap_or_default(),
            built_at: self.meta("built_at").map_err(q)?,
            checked_at: self.meta("checked_at").map_err(q)?,
            ..DbInfo::default()
        };
        info.sources = read_sources(&self.conn)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.ecosystem, COUNT(DISTINCT f.advisory_id) FROM affected f \
                 JOIN advisories a ON a.id = f.advisory_id WHERE a.withdrawn IS NULL GROUP BY f.ecosystem",
            )
            .map_err(q)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(q)?;
        for row in rows {
            let (eco, n) = row.map_err(q)?;
            info.ecosystems.insert(eco, u64::try_from(n).unwrap_or(0));
        }
        let count = |sql: &str| -> Result<u64> {
            let n: i64 = self.conn.query_row(sql, [], |r| r.get(0)).map_err(q)?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        info.advisories = count("SELECT COUNT(*) FROM advisories")?;
        info.withdrawn = count("SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL")?;
        info.kev = count("SELECT COUNT(*) FROM kev")?;
        info.epss_rows = count("SELECT COUNT(*) FROM epss")?;
        info.epss_date = self.meta("epss_date").map_err(q)?.filter(|d| !d.is_empty());
        info.cvss_cves = count("SELECT COUNT(DISTINCT cve) FROM cvss")?;
        let mut stmt = self
            .conn
            .prepare("SELECT source, COUNT(*) FROM cvss GROUP BY source")
            .map_err(q)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(q)?;
        for row in rows {
            let (src, n) = row.map_err(q)?;
            info.cvss_by_source
                .insert(src, u64::try_from(n).unwrap_or(0));
        }
        Ok(info)
    }
}

pub(crate) fn read_sources(conn: &Connection) -> Result<Vec<SourceInfo>> {
    let mut stmt = conn
        .prepare(
            "SELECT name, url, etag, last_modified, fetched_at, records, skipped FROM sources ORDER BY name",
        )
        .map_err(Error::Query)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(SourceInfo {
                name: r.get(0)?,
                url: r.get(1)?,
                etag: r.get(2)?,
                last_modified: r.get(3)?,
                fetched_at: r.get(4)?,
                records: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                skipped: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
            })
        })
        .map_err(Error::Query)?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(Error::Query)
}

/// A writable database being built (a temporary file until it is swapped in).
pub struct Writer {
    pub(crate) conn: Connection,
}

impl Writer {
    /// Open (or create) a database file for building. Durability settings
    /// are relaxed: the file is not live until it is fsynced and renamed.
    pub fn open(path: &Path) -> Result<Writer> {
        let conn = Connection::open(path).map_err(|e| Error::sqlite(path, e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
        )
        .map_err(|e| Error::sqlite(path, e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| Error::sqlite(path, e))?;
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)",
            [SCHEMA_VERSION],
        )
        .map_err(|e| Error::sqlite(path, e))?;
        Ok(Writer { conn })
    }

    /// Start a transaction for a batch of inserts.
    pub fn begin(&mut self) -> Result<rusqlite::Transaction<'_>> {
        self.conn.transaction().map_err(Error::Query)
    }

    /// Sources recorded so far.
    pub fn sources(&self) -> Result<Vec<SourceInfo>> {
        read_sources(&self.conn)
    }

    /// Set a `meta` value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(Error::Query)
    }

    /// Close the database, making sure everything is on disk.
    pub fn close(self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA optimize;")
            .map_err(Error::Query)?;
        self.conn.close().map_err(|(_, e)| Error::Query(e))
    }
}

/// Remove every record of `source` (before re-importing it).
pub(crate) fn delete_source(tx: &rusqlite::Transaction<'_>, source: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM affected WHERE advisory_id IN (SELECT id FROM advisories WHERE source = ?1)",
        [source],
    )
    .map_err(Error::Query)?;
    tx.execute("DELETE FROM advisories WHERE source = ?1", [source])
        .map_err(Error::Query)?;
    // Rating rows an import of this source wrote: their feed is
    // `<source>|<file>` and every file's path starts with the imported
    // path, so the prefix `<source>|<path>` is exact (an index range).
    if let Some(path) = source.strip_prefix("import:") {
        let prefix = format!("{source}|{path}");
        for table in ["cvss", "exploited"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE feed BETWEEN ?1 AND ?1 || char(1114111)"),
                [&prefix],
            )
            .map_err(Error::Query)?;
        }
    }
    Ok(())
}

/// Insert (or replace) one record.
pub(crate) fn insert_record(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    record: &Record,
    raw: &str,
) -> Result<()> {
    let mut del = tx
        .prepare_cached("DELETE FROM affected WHERE advisory_id = ?1")
        .map_err(Error::Query)?;
    del.execute([&record.id]).map_err(Error::Query)?;
    let mut ins = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO advisories(id, source, modified, withdrawn, raw) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(Error::Query)?;
    ins.execute(params![
        record.id,
        source,
        record.modified,
        record.withdrawn,
        raw
    ])
    .map_err(Error::Query)?;
    let mut aff = tx
        .prepare_cached("INSERT INTO affected(advisory_id, ecosystem, name) VALUES (?1, ?2, ?3)")
        .map_err(Error::Query)?;
    let mut seen: Vec<(String, String)> = Vec::new();
    for a in &record.affected {
        let Some(p) = &a.package else { continue };
        let eco = p.ecosystem.trim().to_string();
        let name = normalize_name(&eco, &p.name);
        if seen.iter().any(|(e, n)| *e == eco && *n == name) {
            continue;
        }
        aff.execute(params![record.id, eco, name])
            .map_err(Error::Query)?;
        seen.push((eco, name));
    }
    Ok(())
}

/// Record a source's fetch facts.
pub(crate) fn upsert_source(tx: &rusqlite::Transaction<'_>, s: &SourceInfo) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO sources(name, url, etag, last_modified, fetched_at, records, skipped) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            s.name,
            s.url,
            s.etag,
            s.last_modified,
            s.fetched_at,
            i64::try_from(s.records).unwrap_or(i64::MAX),
            i64::try_from(s.skipped).unwrap_or(i64::MAX)
        ],
    )
    .map(|_| ())
    .map_err(Error::Query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(
            normalize_name("PyPI", "Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(normalize_name("PyPI", "a--_b"), "a-b");
        assert_eq!(normalize_name("Debian:11", "LibFoo"), "libfoo");
        assert_eq!(
            normalize_name("AlmaLinux:9", "perl-Digest-MD5"),
            "perl-Digest-MD5"
        );
        assert_eq!(
            normalize_name("Go", "github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
        assert_eq!(ecosystem_base("Alpine:v3.10"), "Alpine");
    }
}
