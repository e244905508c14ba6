//! rpm: `rpmdb.sqlite`, BerkeleyDB `Packages`, NDB `Packages.db`, parsed by
//! `bulkhead-rpmdb` (header blobs, all three storage formats).

use crate::{AnalyzeError, Analyzer, FileAnalysis};
use bulkhead_rpmdb::RPMDB_PATHS;
use bulkhead_types::{Ecosystem, Package};

/// Largest rpm database read (a full RHEL install is ~100 MiB as BerkeleyDB).
const MAX_DB: u64 = 1024 * 1024 * 1024;

/// Reads rpm databases.
pub struct RpmAnalyzer;

impl Analyzer for RpmAnalyzer {
    fn name(&self) -> &'static str {
        "os/rpm"
    }
    fn version(&self) -> u32 {
        // 2: bounded (package cap, size cap as a warning, hostile-input limits).
        2
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_DB && RPMDB_PATHS.contains(&path)
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        if content.is_empty() {
            return Ok(None);
        }
        let headers = bulkhead_rpmdb::read_rpmdb(content)
            .map_err(|e| AnalyzeError::malformed(path, e.to_string()))?;
        let mut packages = Vec::new();
        for h in headers {
            // Imported signing keys are stored as pseudo-packages.
            if h.is_gpg_pubkey() || h.name.is_empty() || h.version.is_empty() {
                continue;
            }
            let mut p = Package::new(Ecosystem::Rpm, h.name.clone(), h.evr());
            p.arch = h.arch.clone();
            if let Some((src_name, src_ver, src_rel)) = h.source_nvr() {
                p.src_name = src_name.to_string();
                p.src_version = match h.epoch {
                    Some(e) if e > 0 => format!("{e}:{src_ver}-{src_rel}"),
                    _ => format!("{src_ver}-{src_rel}"),
                };
            }
            if !h.license.is_empty() {
                p.licenses = vec![h.license.clone()];
            }
            p.installed_files = h.files.clone();
            p.file_path = path.to_string();
            packages.push(p);
        }
        Ok(Some(FileAnalysis::Packages {
            kind: "rpm".into(),
            ecosystem: Ecosystem::Rpm,
            packages,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(
            RpmAnalyzer
                .analyze("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\0garbage")
                .is_err()
        );
        assert!(
            RpmAnalyzer
                .analyze("var/lib/rpm/Packages", &[0u8; 100])
                .is_err()
        );
        assert!(RpmAnalyzer.required("var/lib/rpm/Packages", 10));
        assert!(!RpmAnalyzer.required("var/lib/rpm/Packages.bak", 10));
    }
}
