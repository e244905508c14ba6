//! Reading OSV records from files, folders and zips, and the CISA KEV
//! catalogue, into a [`Writer`](crate::store::Writer) transaction.

use crate::model::{self, MAX_RECORD_BYTES};
use crate::store;
use crate::{Error, Result};
use std::io::{Read, Seek};
use std::path::Path;

/// How many examples of skipped records a stats object keeps.
const MAX_EXAMPLES: usize = 5;

/// Counts for one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub records: u64,
    pub skipped: u64,
    /// A few `file: reason` lines for skipped records.
    pub examples: Vec<String>,
    pub kev: u64,
    /// Rating rows (CVSS entries, EPSS scores) imported.
    pub rating_rows: u64,
    /// Rating files imported, as `path: what (rows)` lines.
    pub rating_files: Vec<String>,
}

impl ImportStats {
    fn skip(&mut self, what: &str, why: impl std::fmt::Display) {
        self.skipped += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(format!("{what}: {why}"));
        }
    }

    /// Add another source's counts.
    pub fn absorb(&mut self, other: ImportStats) {
        self.records += other.records;
        self.skipped += other.skipped;
        self.kev += other.kev;
        self.rating_rows += other.rating_rows;
        self.rating_files.extend(other.rating_files);
        for e in other.examples {
            if self.examples.len() < MAX_EXAMPLES {
                self.examples.push(e);
            }
        }
    }

    /// A one-line warning when records were skipped.
    pub fn warning(&self, source: &str) -> Option<String> {
        (self.skipped > 0).then(|| {
            format!(
                "{source}: skipped {} malformed advisory record(s) (e.g. {})",
                self.skipped,
                self.examples.join("; ")
            )
        })
    }
}

fn kind_of(name: &str) -> Option<bool> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(true)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(false)
    } else {
        None
    }
}

/// Parse one record's bytes and insert it.
fn add_bytes(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    what: &str,
    json: bool,
    bytes: &[u8],
    stats: &mut ImportStats,
) -> Result<()> {
    let parsed = if json {
        model::parse_json(bytes)
    } else {
        model::parse_yaml(bytes)
    };
    match parsed {
        Ok(record) => {
            // Keep the raw record as JSON (YAML input is stored converted).
            let raw = if json {
                match std::str::from_utf8(bytes) {
                    Ok(s) => s.to_string(),
                    Err(_) => {
                        serde_json::to_string(&record).map_err(|e| Error::Other(e.to_string()))?
                    }
                }
            } else {
                serde_json::to_string(&record).map_err(|e| Error::Other(e.to_string()))?
            };
            store::insert_record(tx, source, &record, &raw)?;
            stats.records += 1;
        }
        Err(e) => stats.skip(what, e),
    }
    Ok(())
}

/// Import every `.json`/`.yaml` member of a zip (an OSV `all.zip`).
pub fn import_zip<R: Read + Seek>(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    reader: R,
    tick: &mut dyn FnMut(u64, u64),
) -> Result<ImportStats> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| Error::BadZip(source.to_string(), e.to_string()))?;
    let mut stats = ImportStats::default();
    let total = zip.len() as u64;
    let mut buf = Vec::new();
    for i in 0..zip.len() {
        tick(i as u64, total);
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                stats.skip(&format!("member {i}"), e);
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let Some(json) = kind_of(&name) else { continue };
        if entry.size() > MAX_RECORD_BYTES as u64 {
            stats.skip(
                &name,
                format!("{} bytes, over the record size limit", entry.size()),
            );
            continue;
        }
        buf.clear();
        // Bounded read: the declared size can lie.
        if let Err(e) = (&mut entry)
            .take(MAX_RECORD_BYTES as u64 + 1)
            .read_to_end(&mut buf)
        {
            stats.skip(&name, e);
            continue;
        }
        add_bytes(tx, source, &name, json, &buf, &mut stats)?;
    }
    tick(total, total);
    Ok(stats)
}

/// Whether bytes look like the CISA KEV catalogue.
pub fn looks_like_kev(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    text.contains("\"vulnerabilities\"")
        && (text.contains("catalogVersion") || text.contains("cveID"))
}

#[derive(serde::Deserialize)]
struct KevCatalog {
    #[serde(default)]
    vulnerabilities: Vec<KevEntry>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevEntry {
    #[serde(rename = "cveID", default)]
    cve_id: String,
    #[serde(default)]
    date_added: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

/// Replace the KEV table with a catalogue (CISA's JSON feed format).
pub fn import_kev(tx: &rusqlite::Transaction<'_>, bytes: &[u8]) -> Result<u64> {
    let catalog: KevCatalog = serde_json::from_slice(bytes)
        .map_err(|e| Error::Other(format!("the KEV catalogue is not valid JSON: {e}")))?;
    tx.execute("DELETE FROM kev", []).map_err(Error::Query)?;
    let mut stmt = tx
        .prepare_cached("INSERT OR REPLACE INTO kev(cve, date_added, due_date, ransomware) VALUES (?1, ?2, ?3, ?4)")
        .map_err(Error::Query)?;
    let mut n = 0;
    for e in catalog.vulnerabilities {
        let cve = e.cve_id.trim().to_ascii_uppercase();
        if !cve.starts_with("CVE-") {
            continue;
        }
        stmt.execute(rusqlite::params![
            cve,
            e.date_added,
            e.due_date,
            e.known_ransomware_campaign_use
        ])
        .map_err(Error::Query)?;
        n += 1;
    }
    Ok(n)
}

/// Import a file (record, zip or KEV catalogue) or a folder (recursively).
pub fn import_path(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    path: &Path,
    stats: &mut ImportStats,
) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            // Symlinked folders are not followed (no loops).
            let is_link = std::fs::symlink_metadata(&p)
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(true);
            if is_link && p.is_dir() {
                continue;
            }
            let name = p.to_string_lossy().to_string();
            let lower = name.to_ascii_lowercase();
            if p.is_dir()
                || kind_of(&name).is_some()
                || [".zip", ".gz", ".csv"].iter().any(|x| lower.ends_with(x))
            {
                import_path(tx, source, &p, stats)?;
            }
        }
        return Ok(());
    }
    let name = path.to_string_lossy().to_string();
    // Rating data (EPSS, NVD, CVE JSON 5), recognised by content. A JSON or
    // YAML file is an OSV record unless its first bytes say otherwise (no
    // second read of every record); other files are probed.
    let lower = name.to_ascii_lowercase();
    let probe = match kind_of(&name) {
        Some(_) => {
            let mut head = Vec::with_capacity(8192);
            std::fs::File::open(path)
                .and_then(|f| f.take(8192).read_to_end(&mut head))
                .map_err(|e| Error::io(path, e))?;
            crate::ratings::detect(&head).is_some()
        }
        None => true,
    };
    if probe {
        let feed = format!("{source}|{name}");
        if let Some((kind, r)) = crate::ratings::import_file(tx, &feed, path, &mut |_, _| {})? {
            stats.rating_rows += r.rows;
            stats.rating_files.push(format!(
                "{name}: {} ({} row(s), {} skipped)",
                kind.describe(),
                r.rows,
                r.skipped
            ));
            return Ok(());
        }
    }
    if lower.ends_with(".gz") || lower.ends_with(".csv") {
        stats.skip(&name, "not an OSV record, EPSS, NVD or CVE JSON 5 file");
        return Ok(());
    }
    if name.to_ascii_lowercase().ends_with(".zip") {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let s = import_zip(tx, source, std::io::BufReader::new(file), &mut |_, _| {})?;
        stats.absorb(s);
        return Ok(());
    }
    if meta.len() > MAX_RECORD_BYTES as u64 * 8 {
        stats.skip(
            &name,
            format!("{} bytes, over the record size limit", meta.len()),
        );
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if looks_like_kev(&bytes) {
        stats.kev += import_kev(tx, &bytes)?;
        return Ok(());
    }
    // Unknown extensions are tried as JSON (a file named on the command line).
    let json = kind_of(&name).unwrap_or(true);
    add_bytes(tx, source, &name, json, &bytes, stats)
}
