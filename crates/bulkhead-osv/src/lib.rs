//! Bulkhead's offline advisory database.
//!
//! * [`model`]: the OSV record model, parsed tolerantly (unknown fields
//!   ignored; malformed records refused one by one, never the whole import).
//! * [`store`]: SQLite storage (schema in `docs/db-schema.md`), lookup by
//!   (ecosystem, normalised package name), the raw JSON of every record, and
//!   the CISA KEV catalogue.
//! * [`update`]: `update` from an OSV mirror (HTTP or a local folder laid out
//!   as `ecosystems.txt` + `<Ecosystem>/all.zip`) with conditional requests,
//!   and `import` of files, folders and zips; both build a new database file
//!   and swap it in with an atomic rename.

pub mod import;
pub mod model;
pub mod ratings;
pub mod store;
pub mod update;

pub use import::ImportStats;
pub use model::{Affected, AffectedPackage, Event, ParseError, Range, RangeType, Record};
pub use ratings::{CveRating, CvssEntry, EpssScore, KevInfo};
pub use store::{Database, DbInfo, SourceInfo, normalize_name, pep503};
pub use update::{
    DB_FILE, DEFAULT_MIRROR, Mirror, Progress, RatingOptions, UpdateOptions, UpdateReport,
    import_paths, update,
};

use std::path::{Path, PathBuf};

/// Errors of the database layer. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "no vulnerability database at {0}: run `bulkhead db update` (or `bulkhead db import PATH`) first"
    )]
    Missing(PathBuf),
    #[error(
        "the vulnerability database {path} has schema version {found}, this bulkhead needs {}: run `bulkhead db update` to rebuild it",
        store::SCHEMA_VERSION
    )]
    Schema { path: PathBuf, found: String },
    #[error(
        "cannot use the database {path}: {source} (delete it and run `bulkhead db update` if it is damaged)"
    )]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database query failed: {0}")]
    Query(#[source] rusqlite::Error),
    #[error("{0}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    #[error("cannot download {0}: {1} (check the URL or pass --mirror DIR with a local copy)")]
    Http(String, String),
    #[error("{0} is not a valid zip: {1} (the download may be damaged; run the update again)")]
    BadZip(String, String),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Error {
        Error::Io(path.to_path_buf(), e)
    }
    pub(crate) fn sqlite(path: &Path, e: rusqlite::Error) -> Error {
        Error::Sqlite {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
