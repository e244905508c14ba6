//! `update` and `import`: fetch (conditionally), verify, build a new database
//! file next to the live one, and swap it in with an atomic rename.
//!
//! Crash safety: the live file is never written except for one small
//! SQLite transaction (`checked_at`) when everything is already up to date,
//! which SQLite's rollback journal makes atomic. Everything else happens in
//! `<db dir>/tmp/`; a kill at any moment leaves at worst stale temp files,
//! removed by the next run (which holds `<db dir>/update.lock`).

use crate::import::{self, ImportStats};
use crate::store::{self, Database, SourceInfo, Writer};
use crate::{Error, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The public OSV bucket (layout `ecosystems.txt` + `<Ecosystem>/all.zip`).
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// CISA's KEV feed, used with the default mirror.
pub const CISA_KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// Name of the database file inside the database folder.
pub const DB_FILE: &str = "bulkhead.db";
/// Source name of the KEV catalogue in the `sources` table.
pub const KEV_SOURCE: &str = "kev";
/// FIRST's daily EPSS file.
pub const EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";
/// NVD's yearly CVE 2.0 feeds (`{year}` from 2002 to this year).
pub const NVD_FEED_URL: &str = "https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-{year}.json.gz";
/// CISA's vulnrichment records (CVE JSON 5 with CISA-ADP CVSS and KEV).
pub const VULNRICHMENT_URL: &str =
    "https://github.com/cisagov/vulnrichment/archive/refs/heads/develop.zip";
/// First year of NVD's yearly feeds.
const NVD_FIRST_YEAR: i32 = 2002;

/// Where advisories come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    Http(String),
    Dir(PathBuf),
}

impl Mirror {
    /// `http(s)://…` is a URL, anything else a local folder.
    pub fn parse(s: &str) -> Mirror {
        if s.starts_with("http://") || s.starts_with("https://") {
            Mirror::Http(s.trim_end_matches('/').to_string())
        } else {
            Mirror::Dir(PathBuf::from(s))
        }
    }

    fn describe(&self, rel: &str) -> String {
        match self {
            Mirror::Http(base) => format!("{base}/{}", encode_path(rel)),
            Mirror::Dir(d) => d.join(rel).display().to_string(),
        }
    }
}

impl Default for Mirror {
    fn default() -> Self {
        Mirror::Http(DEFAULT_MIRROR.to_string())
    }
}

/// Percent-encode what ecosystem names contain (`Rocky Linux`).
fn encode_path(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len());
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Progress reported to the caller (the CLI draws bars).
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// Bytes received so far for a file (`total` when the server said).
    Download {
        what: &'a str,
        bytes: u64,
        total: Option<u64>,
    },
    /// Records processed in a zip.
    Build {
        what: &'a str,
        done: u64,
        total: u64,
    },
    /// A message (one step finished).
    Note(&'a str),
}

/// Options of [`update`].
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    pub mirror: Mirror,
    /// Limit to these ecosystems (names as in `ecosystems.txt`).
    pub ecosystems: Option<Vec<String>>,
    /// KEV feed override: URL or file. Default: `<mirror>/kev/known_exploited_vulnerabilities.json`
    /// for a custom mirror, CISA's feed for the default one.
    pub kev: Option<String>,
    /// Where the rating data comes from.
    pub ratings: RatingOptions,
}

/// Locations of the rating data (`docs/ratings.md`). Each is a URL or a
/// file; left empty, the public locations are used with the default mirror
/// and the same layout under a custom one: `<mirror>/epss/epss_scores-current.csv.gz`,
/// `<mirror>/nvd/nvdcve-2.0-YYYY.json.gz`, `<mirror>/cve/vulnrichment.zip`
/// and `<mirror>/cve/cves.zip`.
#[derive(Debug, Clone, Default)]
pub struct RatingOptions {
    /// Fetch no rating data (what was imported before stays).
    pub skip: bool,
    pub epss: Option<String>,
    pub nvd: Vec<String>,
    pub cve: Vec<String>,
}

/// What an update or import did.
#[derive(Debug, Clone, Default)]
pub struct UpdateReport {
    /// Ecosystems downloaded and rebuilt.
    pub updated: Vec<String>,
    /// Ecosystems the server said were unchanged.
    pub unchanged: Vec<String>,
    /// Bytes downloaded (0 when everything was up to date).
    pub downloaded_bytes: u64,
    pub stats: ImportStats,
    pub warnings: Vec<String>,
    /// Whether a new database file was swapped in.
    pub rebuilt: bool,
    /// Rating files imported, as `name: what (rows)` lines.
    pub ratings_updated: Vec<String>,
    /// Rating files the server said were unchanged.
    pub ratings_unchanged: usize,
}

impl UpdateReport {
    /// The counts its summary line shows.
    pub fn summary(&self) -> bulkhead_types::db::UpdateSummary {
        bulkhead_types::db::UpdateSummary {
            rebuilt: self.rebuilt,
            records: self.stats.records,
            sources: self.updated.len(),
            skipped: self.stats.skipped,
            kev: self.stats.kev,
            rating_rows: self.stats.rating_rows,
            rating_files: self.ratings_updated.len() + self.stats.rating_files.len(),
            downloaded_bytes: self.downloaded_bytes,
            unchanged: self.unchanged.clone(),
            ratings_unchanged: self.ratings_unchanged,
        }
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Test hook: `BULKHEAD_TEST_PAUSE_AT=download|build|ratings|swap` makes the process
/// announce the phase on stderr and sleep, so a test can SIGKILL it there.
fn pause_hook(phase: &str) {
    if std::env::var("BULKHEAD_TEST_PAUSE_AT").is_ok_and(|p| p == phase) {
        eprintln!("BULKHEAD_TEST_PAUSED {phase}");
        std::thread::sleep(Duration::from_secs(120));
    }
}

/// The outcome of one conditional fetch.
enum Fetched {
    NotModified,
    NotFound,
    /// Saved to the given path (or kept in memory for small files).
    Saved {
        bytes: u64,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    fn new() -> Fetcher {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_body(Some(Duration::from_secs(600)))
            .user_agent(concat!("bulkhead/", env!("CARGO_PKG_VERSION")))
            .build();
        Fetcher {
            agent: config.into(),
        }
    }

    /// Fetch `rel` from `mirror` into `dest` unless unchanged since
    /// (`etag`, `last_modified`).
    fn fetch(
        &self,
        mirror: &Mirror,
        rel: &str,
        prev: Option<&SourceInfo>,
        dest: &Path,
        progress: &dyn Fn(Progress<'_>),
    ) -> Result<Fetched> {
        match mirror {
            Mirror::Dir(dir) => {
                let src = dir.join(rel);
                let meta = match std::fs::metadata(&src) {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(Fetched::NotFound);
                    }
                    Err(e) => return Err(Error::io(&src, e)),
                };
                // A local mirror's "ETag": size and modification time.
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                let etag = format!("\"{}-{}\"", meta.len(), mtime);
                if prev.and_then(|p| p.etag.as_deref()) == Some(etag.as_str()) {
                    return Ok(Fetched::NotModified);
                }
                let bytes = std::fs::copy(&src, dest).map_err(|e| Error::io(&src, e))?;
                progress(Progress::Download {
                    what: rel,
                    bytes,
                    total: Some(bytes),
                });
                Ok(Fetched::Saved {
                    bytes,
                    etag: Some(etag),
                    last_modified: None,
                })
            }
            Mirror::Http(_) => {
                let url = mirror.describe(rel);
                let mut req = self.agent.get(&url);
                if let Some(p) = prev {
                    if let Some(e) = &p.etag {
                        req = req.header("If-None-Match", e);
                    }
                    if let Some(lm) = &p.last_modified {
                        req = req.header("If-Modified-Since", lm);
                    }
                }
                let resp = req
                    .call()
                    .map_err(|e| Error::Http(url.clone(), e.to_string()))?;
                let status = resp.status().as_u16();
                match status {
                    304 => return Ok(Fetched::NotModified),
                    404 | 410 => return Ok(Fetched::NotFound),
                    200 => {}
                    other => {
                        return Err(Error::Http(
                            url.clone(),
                            format!("the server answered HTTP {other}"),
                        ));
                    }
                }
                let header = |name: &str| {
                    resp.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let etag = header("etag");
                let last_modified = header("last-modified");
                let total = header("content-length").and_then(|v| v.parse::<u64>().ok());
                let mut body = resp.into_body().into_reader();
                let mut file = std::fs::File::create(dest).map_err(|e| Error::io(dest, e))?;
                let mut buf = vec![0u8; 256 * 1024];
                let mut bytes = 0u64;
                loop {
                    let n = body
                        .read(&mut buf)
                        .map_err(|e| Error::Http(url.clone(), e.to_string()))?;
                    if n == 0 {
                        break;
                    }
                    let chunk = buf.get(..n).unwrap_or_default();
                    file.write_all(chunk).map_err(|e| Error::io(dest, e))?;
                    bytes += n as u64;
                    progress(Progress::Download {
                        what: rel,
                        bytes,
                        total,
                    });
                }
                file.sync_all().map_err(|e| Error::io(dest, e))?;
                if let Some(t) = total
                    && t != bytes
                {
                    return Err(Error::Http(
                        url,
                        format!("download cut short: {bytes} of {t} bytes"),
                    ));
                }
                Ok(Fetched::Saved {
                    bytes,
                    etag,
                    last_modified,
                })
            }
        }
    }
}

/// A verified download waiting to be built.
struct Downloaded {
    eco: String,
    path: PathBuf,
    etag: Option<String>,
    last_modified: Option<String>,
    url: String,
}

/// The database folder's lock and temp area.
struct Workspace {
    tmp: PathBuf,
    _lock: std::fs::File,
}

impl Workspace {
    fn enter(db_path: &Path) -> Result<Workspace> {
        let dir = db_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let lock_path = dir.join("update.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        // Another update in progress: wait for it rather than race it.
        lock.lock().map_err(|e| Error::io(&lock_path, e))?;
        let tmp = dir.join("tmp");
        // Left-overs of a killed run: safe to delete, we hold the lock.
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(Workspace { tmp, _lock: lock })
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

/// Start a new database file in the temp area: a copy of the live one when it
/// has the current schema, else empty.
fn start_build(db_path: &Path, ws: &Workspace) -> Result<(PathBuf, Writer)> {
    let tmp_db = ws.tmp.join(format!("{DB_FILE}.new"));
    let reusable = Database::open(db_path).is_ok();
    if reusable {
        std::fs::copy(db_path, &tmp_db).map_err(|e| Error::io(db_path, e))?;
    }
    let writer = Writer::open(&tmp_db)?;
    Ok((tmp_db, writer))
}

/// Close, fsync and atomically rename the new file over the live one.
fn finish_build(db_path: &Path, tmp_db: &Path, writer: Writer) -> Result<()> {
    writer.set_meta("built_at", &now_rfc3339())?;
    writer.close()?;
    let f = std::fs::File::open(tmp_db).map_err(|e| Error::io(tmp_db, e))?;
    f.sync_all().map_err(|e| Error::io(tmp_db, e))?;
    drop(f);
    // A quick sanity check before the swap: the new file opens and reads.
    Database::open(tmp_db)?.info()?;
    pause_hook("swap");
    std::fs::rename(tmp_db, db_path).map_err(|e| Error::io(db_path, e))?;
    if let Some(dir) = db_path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

fn previous_sources(db_path: &Path) -> Vec<SourceInfo> {
    let Ok(db) = Database::open(db_path) else {
        return Vec::new();
    };
    db.info().map(|i| i.sources).unwrap_or_default()
}

/// Update the database at `db_path` from a mirror.
pub fn update(
    db_path: &Path,
    opts: &UpdateOptions,
    progress: &dyn Fn(Progress<'_>),
) -> Result<UpdateReport> {
    let ws = Workspace::enter(db_path)?;
    let list_path = ws.tmp.join("ecosystems.txt");
    let list_source = "ecosystems.txt";
    let fetcher = Fetcher::new();
    let prev = previous_sources(db_path);
    // Validators are only reused for the same URL (a new mirror refetches).
    let prev_of = |name: &str| {
        let rel = if name == list_source {
            "ecosystems.txt".to_string()
        } else {
            format!("{name}/all.zip")
        };
        let url = opts.mirror.describe(&rel);
        prev.iter()
            .find(|s| s.name == name && (s.url == url || name == KEV_SOURCE))
    };
    let mut report = UpdateReport::default();

    // 1. The ecosystem list (conditional too).
    let mut list_validators = (
        prev_of(list_source).and_then(|s| s.etag.clone()),
        prev_of(list_source).and_then(|s| s.last_modified.clone()),
    );
    let listed: Vec<String> = match fetcher.fetch(
        &opts.mirror,
        "ecosystems.txt",
        prev_of(list_source),
        &list_path,
        progress,
    )? {
        Fetched::Saved {
            etag,
            last_modified,
            ..
        } => {
            list_validators = (etag, last_modified);
            let text = std::fs::read_to_string(&list_path).map_err(|e| Error::io(&list_path, e))?;
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect()
        }
        Fetched::NotModified => Database::open(db_path)
            .ok()
            .and_then(|db| db.meta("mirror_ecosystems").ok().flatten())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
        Fetched::NotFound => {
            return Err(Error::Other(format!(
                "{} not found: is this an OSV mirror (ecosystems.txt plus <Ecosystem>/all.zip)?",
                opts.mirror.describe("ecosystems.txt")
            )));
        }
    };
    let wanted: Vec<String> = match &opts.ecosystems {
        Some(want) => {
            for w in want {
                if !listed.iter().any(|l| l.eq_ignore_ascii_case(w)) {
                    report.warnings.push(format!(
                        "ecosystem {w:?} is not in the mirror's ecosystems.txt; skipped (available: {})",
                        listed.join(", ")
                    ));
                }
            }
            listed
                .iter()
                .filter(|l| want.iter().any(|w| w.eq_ignore_ascii_case(l)))
                .cloned()
                .collect()
        }
        None => listed.clone(),
    };

    // 2. Download changed zips to temp and verify each opens as a zip.
    let mut fresh: Vec<Downloaded> = Vec::new();
    for (i, eco) in wanted.iter().enumerate() {
        let rel = format!("{eco}/all.zip");
        let dest = ws.tmp.join(format!("download-{i}.zip"));
        match fetcher.fetch(&opts.mirror, &rel, prev_of(eco), &dest, progress)? {
            Fetched::NotModified => report.unchanged.push(eco.clone()),
            Fetched::NotFound => report.warnings.push(format!(
                "{} not found on the mirror; skipped",
                opts.mirror.describe(&rel)
            )),
            Fetched::Saved {
                bytes,
                etag,
                last_modified,
            } => {
                report.downloaded_bytes += bytes;
                let f = std::fs::File::open(&dest).map_err(|e| Error::io(&dest, e))?;
                zip::ZipArchive::new(std::io::BufReader::new(f))
                    .map_err(|e| Error::BadZip(opts.mirror.describe(&rel), e.to_string()))?;
                fresh.push(Downloaded {
                    eco: eco.clone(),
                    path: dest,
                    etag,
                    last_modified,
                    url: opts.mirror.describe(&rel),
                });
                pause_hook("download");
            }
        }
    }

    // 3. The KEV catalogue.
    let (kev_mirror, kev_rel) = kev_location(opts);
    let kev_dest = ws.tmp.join("kev.json");
    let mut kev_fresh = None;
    match fetcher.fetch(
        &kev_mirror,
        &kev_rel,
        prev_of(KEV_SOURCE),
        &kev_dest,
        progress,
    ) {
        Ok(Fetched::Saved {
            bytes,
            etag,
            last_modified,
        }) => {
            report.downloaded_bytes += bytes;
            kev_fresh = Some((etag, last_modified, kev_mirror.describe(&kev_rel)));
        }
        Ok(Fetched::NotModified) => {}
        Ok(Fetched::NotFound) => report.warnings.push(format!(
            "no KEV catalogue at {}; known-exploited flags keep their previous state",
            kev_mirror.describe(&kev_rel)
        )),
        Err(e) => report.warnings.push(format!(
            "cannot fetch the KEV catalogue ({e}); known-exploited flags keep their previous state"
        )),
    }

    // 4. Rating data: EPSS, NVD, CVE JSON 5 (each conditional; a failure
    // keeps the previous ratings and says so).
    let mut ratings_fresh: Vec<Downloaded> = Vec::new();
    let mut ratings_missing: Vec<String> = Vec::new();
    let prev_rating = |loc: &RatingLocation| {
        let url = loc.mirror.describe(&loc.rel);
        prev.iter().find(|s| s.name == loc.name && s.url == url)
    };
    for (i, loc) in rating_locations(opts).iter().enumerate() {
        let dest = ws.tmp.join(format!("rating-{i}"));
        let url = loc.mirror.describe(&loc.rel);
        match fetcher.fetch(&loc.mirror, &loc.rel, prev_rating(loc), &dest, progress) {
            Ok(Fetched::Saved {
                bytes,
                etag,
                last_modified,
            }) => {
                report.downloaded_bytes += bytes;
                ratings_fresh.push(Downloaded {
                    eco: loc.name.clone(),
                    path: dest,
                    etag,
                    last_modified,
                    url,
                });
                pause_hook("download");
            }
            Ok(Fetched::NotModified) => report.ratings_unchanged += 1,
            Ok(Fetched::NotFound) if loc.explicit => report
                .warnings
                .push(format!("no rating data at {url}; skipped")),
            Ok(Fetched::NotFound) => ratings_missing.push(url),
            Err(e) => report.warnings.push(format!(
                "cannot fetch rating data {url} ({e}); the ratings from it keep their previous state"
            )),
        }
    }
    let had_ratings = Database::open(db_path).is_ok_and(|d| d.has_ratings());
    if !opts.ratings.skip
        && ratings_fresh.is_empty()
        && report.ratings_unchanged == 0
        && !had_ratings
        && !ratings_missing.is_empty()
    {
        report.warnings.push(format!(
            "no rating data (EPSS, NVD, CVE records) found at {}: findings without a vendor rating stay UNKNOWN; \
             pass --epss, --nvd and --cve (URL or file), or --no-ratings to stop looking",
            opts.mirror.describe("")
        ));
    }

    let live_ok = Database::open(db_path).is_ok();
    if fresh.is_empty() && kev_fresh.is_none() && ratings_fresh.is_empty() && live_ok {
        // Up to date: note when we checked (one atomic transaction).
        let conn = rusqlite::Connection::open(db_path).map_err(|e| Error::sqlite(db_path, e))?;
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('checked_at', ?1)",
            [now_rfc3339()],
        )
        .map_err(Error::Query)?;
        return Ok(report);
    }

    // 4. Build a new file from the live one plus what changed, then swap.
    let (tmp_db, mut writer) = start_build(db_path, &ws)?;
    let now = now_rfc3339();
    for Downloaded {
        eco,
        path,
        etag,
        last_modified,
        url,
    } in &fresh
    {
        let tx = writer.begin()?;
        store::delete_source(&tx, eco)?;
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let stats = import::import_zip(
            &tx,
            eco,
            std::io::BufReader::new(file),
            &mut |done, total| {
                progress(Progress::Build {
                    what: eco,
                    done,
                    total,
                });
            },
        )?;
        store::upsert_source(
            &tx,
            &SourceInfo {
                name: eco.clone(),
                url: url.clone(),
                etag: etag.clone(),
                last_modified: last_modified.clone(),
                fetched_at: now.clone(),
                records: stats.records,
                skipped: stats.skipped,
            },
        )?;
        tx.commit().map_err(Error::Query)?;
        if let Some(w) = stats.warning(eco) {
            report.warnings.push(w);
        }
        report.updated.push(eco.clone());
        report.stats.absorb(stats);
        pause_hook("build");
    }
    {
        let tx = writer.begin()?;
        store::upsert_source(
            &tx,
            &SourceInfo {
                name: list_source.to_string(),
                url: opts.mirror.describe("ecosystems.txt"),
                etag: list_validators.0,
                last_modified: list_validators.1,
                fetched_at: now.clone(),
                records: listed.len() as u64,
                skipped: 0,
            },
        )?;
        if let Some((etag, last_modified, url)) = kev_fresh {
            let bytes = std::fs::read(&kev_dest).map_err(|e| Error::io(&kev_dest, e))?;
            match import::import_kev(&tx, &bytes) {
                Ok(n) => {
                    report.stats.kev += n;
                    store::upsert_source(
                        &tx,
                        &SourceInfo {
                            name: KEV_SOURCE.to_string(),
                            url,
                            etag,
                            last_modified,
                            fetched_at: now.clone(),
                            records: n,
                            skipped: 0,
                        },
                    )?;
                }
                Err(e) => report.warnings.push(format!("KEV catalogue skipped: {e}")),
            }
        }
        tx.commit().map_err(Error::Query)?;
    }
    for d in &ratings_fresh {
        let tx = writer.begin()?;
        let what = d.eco.clone();
        let imported = crate::ratings::import_file(&tx, &d.eco, &d.path, &mut |done, total| {
            progress(Progress::Build {
                what: &what,
                done,
                total,
            });
        });
        match imported {
            Ok(Some((kind, stats))) => {
                store::upsert_source(
                    &tx,
                    &SourceInfo {
                        name: d.eco.clone(),
                        url: d.url.clone(),
                        etag: d.etag.clone(),
                        last_modified: d.last_modified.clone(),
                        fetched_at: now.clone(),
                        records: stats.rows,
                        skipped: stats.skipped,
                    },
                )?;
                tx.commit().map_err(Error::Query)?;
                report.stats.rating_rows += stats.rows;
                report.ratings_updated.push(format!(
                    "{}: {} ({} row(s){})",
                    d.url,
                    kind.describe(),
                    stats.rows,
                    if stats.skipped > 0 {
                        format!(", {} malformed skipped", stats.skipped)
                    } else {
                        String::new()
                    }
                ));
                pause_hook("ratings");
            }
            Ok(None) => report.warnings.push(format!(
                "{} is not EPSS, NVD or CVE JSON 5 data; skipped",
                d.url
            )),
            Err(e) => report
                .warnings
                .push(format!("rating data {} skipped: {e}", d.url)),
        }
    }
    writer.set_meta("mirror_ecosystems", &listed.join("\n"))?;
    finish_build(db_path, &tmp_db, writer)?;
    report.rebuilt = true;
    Ok(report)
}

/// A URL or file named on its own, as the folder/base it sits in and its
/// name, so it is fetched like a mirror file.
fn split_location(s: &str) -> (Mirror, String) {
    match Mirror::parse(s) {
        Mirror::Http(url) => match url.rsplit_once('/') {
            Some((base, file)) => (Mirror::Http(base.to_string()), file.to_string()),
            None => (Mirror::Http(url), String::new()),
        },
        Mirror::Dir(p) => {
            let file = p
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            (Mirror::Dir(dir), file)
        }
    }
}

fn kev_location(opts: &UpdateOptions) -> (Mirror, String) {
    if let Some(k) = &opts.kev {
        return split_location(k);
    }
    match &opts.mirror {
        Mirror::Http(base) if base == DEFAULT_MIRROR => split_location(CISA_KEV_URL),
        m => (
            m.clone(),
            "kev/known_exploited_vulnerabilities.json".to_string(),
        ),
    }
}

/// One rating file to fetch: its source name, where it is, and whether it
/// was named explicitly (a missing explicit file is warned about).
struct RatingLocation {
    name: String,
    mirror: Mirror,
    rel: String,
    explicit: bool,
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

/// The rating files an update fetches.
fn rating_locations(opts: &UpdateOptions) -> Vec<RatingLocation> {
    let r = &opts.ratings;
    if r.skip {
        return Vec::new();
    }
    let public = matches!(&opts.mirror, Mirror::Http(b) if b == DEFAULT_MIRROR);
    let mut out = Vec::new();
    let mut add = |kind: &str, loc: (Mirror, String), explicit: bool| {
        // A default file is named by its file name (`nvd:nvdcve-2.0-2021.json.gz`);
        // a named one by its whole location, so two files of one name differ.
        let name = if explicit {
            loc.0.describe(&loc.1)
        } else {
            loc.1.rsplit('/').next().unwrap_or(&loc.1).to_string()
        };
        out.push(RatingLocation {
            name: format!("{kind}:{name}"),
            mirror: loc.0,
            rel: loc.1,
            explicit,
        });
    };
    let under = |rel: String| (opts.mirror.clone(), rel);
    match &r.epss {
        Some(e) => add("epss", split_location(e), true),
        None if public => add("epss", split_location(EPSS_URL), false),
        None => add(
            "epss",
            under("epss/epss_scores-current.csv.gz".into()),
            false,
        ),
    }
    if r.nvd.is_empty() {
        for year in NVD_FIRST_YEAR..=this_year() {
            let loc = if public {
                split_location(&NVD_FEED_URL.replace("{year}", &year.to_string()))
            } else {
                under(format!("nvd/nvdcve-2.0-{year}.json.gz"))
            };
            add("nvd", loc, false);
        }
    } else {
        for n in &r.nvd {
            add("nvd", split_location(n), true);
        }
    }
    if r.cve.is_empty() {
        if public {
            add("cve", split_location(VULNRICHMENT_URL), false);
        } else {
            add("cve", under("cve/vulnrichment.zip".into()), false);
            add("cve", under("cve/cves.zip".into()), false);
        }
    } else {
        for c in &r.cve {
            add("cve", split_location(c), true);
        }
    }
    out
}

/// Import files, folders and zips into the database at `db_path` (added to
/// what is there; a record with an existing id replaces it).
pub fn import_paths(
    db_path: &Path,
    paths: &[PathBuf],
    progress: &dyn Fn(Progress<'_>),
) -> Result<UpdateReport> {
    let ws = Workspace::enter(db_path)?;
    let (tmp_db, mut writer) = start_build(db_path, &ws)?;
    let mut report = UpdateReport::default();
    let now = now_rfc3339();
    for path in paths {
        let abs = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        let source = format!("import:{}", abs.display());
        progress(Progress::Note(&format!("importing {}", path.display())));
        let tx = writer.begin()?;
        store::delete_source(&tx, &source)?;
        let mut stats = ImportStats::default();
        import::import_path(&tx, &source, &abs, &mut stats)?;
        store::upsert_source(
            &tx,
            &SourceInfo {
                name: source.clone(),
                url: abs.display().to_string(),
                etag: None,
                last_modified: None,
                fetched_at: now.clone(),
                records: stats.records,
                skipped: stats.skipped,
            },
        )?;
        tx.commit().map_err(Error::Query)?;
        if let Some(w) = stats.warning(&path.display().to_string()) {
            report.warnings.push(w);
        }
        report.updated.push(path.display().to_string());
        report.stats.absorb(stats);
        pause_hook("build");
    }
    finish_build(db_path, &tmp_db, writer)?;
    report.rebuilt = true;
    Ok(report)
}
