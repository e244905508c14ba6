//! The offline advisory database as `bulkhead db` and any other program
//! manage it: where it lives, update from a mirror, import of files, and
//! what it holds. Progress goes through [`Progress`]; rendering is
//! `bulkhead_report::db`'s.

use crate::Progress;
use crate::error::{Context, Result};
use bulkhead_osv::{Database, UpdateOptions, UpdateReport};
use bulkhead_types::db::DbInfo;
use std::path::{Path, PathBuf};

/// The cache folder: `explicit` (`--cache-dir`, `$BULKHEAD_CACHE_DIR`),
/// else `$XDG_CACHE_HOME/bulkhead`, else `~/.cache/bulkhead`, else a folder
/// in the temporary directory.
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(d) = explicit {
        return d.to_path_buf();
    }
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("bulkhead");
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h).join(".cache").join("bulkhead"),
        None => std::env::temp_dir().join("bulkhead-cache"),
    }
}

/// The advisory database file in a cache folder.
pub fn db_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("db").join(bulkhead_osv::DB_FILE)
}

/// Update the database at `path` as `opts` says, with progress.
pub fn update(path: &Path, opts: &UpdateOptions, progress: &dyn Progress) -> Result<UpdateReport> {
    progress.start("updating advisories", Some(0));
    let report =
        bulkhead_osv::update(path, opts, &|p| progress.db_update(&p)).with_context(|| {
            format!(
                "cannot update the vulnerability database {}",
                path.display()
            )
        })?;
    progress.finish();
    Ok(report)
}

/// Import OSV records (and the rating and KEV files it recognises) from
/// files, folders and zips into the database at `path`; progress shows its
/// notes.
pub fn import(path: &Path, paths: &[PathBuf], progress: &dyn Progress) -> Result<UpdateReport> {
    progress.start("importing advisories", None);
    let report = bulkhead_osv::import_paths(path, paths, &|p| {
        if let bulkhead_osv::Progress::Note(_) = p {
            progress.db_update(&p);
        }
    })
    .with_context(|| format!("cannot import into {}", path.display()))?;
    progress.finish();
    Ok(report)
}

/// What the database at `path` holds, and its age in days when known.
pub fn info(path: &Path) -> Result<(DbInfo, Option<u64>)> {
    let db = Database::open(path)?;
    let info = db.info().context("cannot read the database")?;
    Ok((info, db.age().map(|a| a.as_secs() / 86_400)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders() {
        let given = Path::new("/somewhere/cache");
        assert_eq!(cache_dir(Some(given)), given);
        assert_eq!(db_path(given), given.join("db").join(bulkhead_osv::DB_FILE));
        let e = info(&given.join("none.db")).unwrap_err();
        assert!(e.to_string().contains("bulkhead db update"), "{e}");
    }
}
