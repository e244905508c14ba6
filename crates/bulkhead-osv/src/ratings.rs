//! Rating data for CVEs: CVSS from NVD (CVE API 2.0 documents and the yearly
//! `nvdcve-2.0-YYYY.json.gz` feeds) and from CVE JSON 5 records (the CVE
//! Program's bulk zip, CISA's vulnrichment), FIRST EPSS scores, and the
//! exploitation dates NVD and CISA-ADP copy from KEV.
//!
//! Every reader is tolerant per entry (a malformed CVE is counted and
//! skipped, never the whole feed) and bounded: decompressed bytes, rows and
//! field lengths have caps, so a hostile feed cannot fill memory or disk.
//! The NVD reader streams the document one CVE at a time; a yearly feed is
//! never held in memory whole.

use crate::{Error, Result};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Seek};

/// NVD's id for the CISA Authorized Data Publisher (the `source` of its
/// Secondary metrics).
pub const CISA_ADP_NVD_SOURCE: &str = "134c704f-9b21-4f2e-91b3-4a467353bcc0";
/// Largest decompressed feed accepted (a yearly NVD feed is well under 1 GiB).
pub const MAX_FEED_BYTES: u64 = 4 << 30;
/// Largest single CVE JSON 5 record.
pub const MAX_CVE_RECORD_BYTES: u64 = 4 << 20;
/// Most EPSS rows accepted (FIRST publishes about 300,000).
pub const MAX_EPSS_ROWS: u64 = 10_000_000;
const MAX_VECTOR_LEN: usize = 512;

/// Where a CVSS entry comes from, in the `cvss` table's `source` column.
pub const SRC_NVD: &str = "nvd";
pub const SRC_CNA: &str = "cna";
pub const SRC_CISA_ADP: &str = "cisa-adp";

/// One CVSS metric of one CVE from one source.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssEntry {
    /// `nvd` (NVD Primary), `cna` (the CNA's own, from CVE JSON 5 or NVD
    /// Secondary), `cisa-adp`.
    pub source: String,
    /// `4.0`, `3.1`, `3.0` or `2.0`.
    pub version: String,
    pub vector: String,
    pub score: Option<f64>,
    /// As the source wrote it (`HIGH`), possibly empty.
    pub severity: String,
}

/// A CVE's EPSS score on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct EpssScore {
    pub score: f64,
    pub percentile: f64,
    /// `YYYY-MM-DD` of the file's `score_date`, empty when unknown.
    pub date: String,
}

/// A CVE's entry in CISA's KEV catalogue (or a copy of its date in NVD or
/// CISA-ADP data).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KevInfo {
    pub date_added: Option<String>,
    pub ransomware: bool,
}

/// Everything the database knows to rate one CVE.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CveRating {
    pub cvss: Vec<CvssEntry>,
    pub epss: Option<EpssScore>,
    pub kev: Option<KevInfo>,
}

impl CveRating {
    /// Whether any rating source knows the CVE.
    pub fn is_empty(&self) -> bool {
        self.cvss.is_empty() && self.epss.is_none() && self.kev.is_none()
    }
}

/// Counts of one rating import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingStats {
    /// CVEs that gave at least one row.
    pub cves: u64,
    /// CVSS rows or EPSS rows written.
    pub rows: u64,
    /// Entries refused as malformed.
    pub skipped: u64,
    /// Rejected CVE records (CVE JSON 5 `state: REJECTED`).
    pub rejected: u64,
}

/// What kind of rating file some bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingKind {
    Epss,
    Nvd,
    Cve5,
}

/// Recognise a rating file from its first bytes (decompressed).
pub fn detect(head: &[u8]) -> Option<RatingKind> {
    let text = String::from_utf8_lossy(&head[..head.len().min(8192)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("#model_version") || t.starts_with("#score_date") || t.starts_with("cve,epss")
    {
        return Some(RatingKind::Epss);
    }
    if t.starts_with('{') {
        if text.contains("\"NVD_CVE\"")
            || (text.contains("\"vulnerabilities\"") && text.contains("\"cve\""))
        {
            return Some(RatingKind::Nvd);
        }
        if text.contains("\"CVE_RECORD\"") || text.contains("\"cveMetadata\"") {
            return Some(RatingKind::Cve5);
        }
    }
    None
}

/// A reader over plain or gzip bytes (by magic), capped at [`MAX_FEED_BYTES`].
pub fn open_maybe_gzip<R: Read + 'static>(reader: R) -> Result<Box<dyn BufRead>> {
    let mut r = BufReader::with_capacity(256 * 1024, reader);
    let gz = r
        .fill_buf()
        .map_err(|e| Error::Other(format!("cannot read the feed: {e}")))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::read::MultiGzDecoder::new(r).take(MAX_FEED_BYTES),
        ))
    } else {
        Box::new(BufReader::new(r.take(MAX_FEED_BYTES)))
    })
}

/// Longest EPSS line kept (a real one is about 40 bytes).
const MAX_EPSS_LINE: usize = 4096;

/// Read one `\n`-terminated line into `buf` (without the newline), keeping
/// at most `max` bytes: the rest of a longer line is read and dropped, so a
/// file without newlines cannot fill memory. `None` at the end of input,
/// `Some(true)` for a line that was cut.
fn read_line_bounded(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut overlong = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(overlong));
        }
        any = true;
        let (part, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (chunk.get(..i).unwrap_or_default(), Some(i + 1)),
            None => (chunk, None),
        };
        let room = max.saturating_sub(buf.len());
        if part.len() > room {
            overlong = true;
        }
        buf.extend_from_slice(part.get(..part.len().min(room)).unwrap_or_default());
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some(overlong));
        }
    }
}

/// Remove the rows an earlier import of `feed` wrote.
pub(crate) fn delete_feed(tx: &Transaction<'_>, feed: &str) -> Result<()> {
    tx.execute("DELETE FROM cvss WHERE feed = ?1", [feed])
        .map_err(Error::Query)?;
    tx.execute("DELETE FROM exploited WHERE feed = ?1", [feed])
        .map_err(Error::Query)?;
    Ok(())
}

fn valid_cve(id: &str) -> Option<String> {
    let id = id.trim().to_ascii_uppercase();
    let rest = id.strip_prefix("CVE-")?;
    let (year, seq) = rest.split_once('-')?;
    let ok = year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (4..=12).contains(&seq.len())
        && seq.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(id)
}

fn valid_score(v: Option<f64>) -> Option<f64> {
    v.filter(|s| s.is_finite() && (0.0..=10.0).contains(s))
}

fn clean_severity(s: Option<&str>) -> String {
    match s.map(|s| s.trim().to_ascii_uppercase()) {
        Some(s) if ["NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(&s.as_str()) => s,
        _ => String::new(),
    }
}

fn clean_date(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    let day = s.get(..10)?;
    let b = day.as_bytes();
    let ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    ok.then(|| day.to_string())
}

struct RowWriter<'t, 'c> {
    cvss: rusqlite::CachedStatement<'c>,
    exploited: rusqlite::CachedStatement<'c>,
    feed: &'t str,
}

impl<'t, 'c> RowWriter<'t, 'c> {
    fn new(tx: &'c Transaction<'_>, feed: &'t str) -> Result<Self> {
        Ok(RowWriter {
            cvss: tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO cvss(cve, source, version, vector, score, severity, feed) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(Error::Query)?,
            exploited: tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO exploited(cve, date_added, feed) VALUES (?1, ?2, ?3)",
                )
                .map_err(Error::Query)?,
            feed,
        })
    }

    fn cvss(&mut self, cve: &str, e: &CvssEntry) -> Result<()> {
        self.cvss
            .execute(params![
                cve, e.source, e.version, e.vector, e.score, e.severity, self.feed
            ])
            .map(|_| ())
            .map_err(Error::Query)
    }

    fn exploited(&mut self, cve: &str, date: &str) -> Result<()> {
        self.exploited
            .execute(params![cve, date, self.feed])
            .map(|_| ())
            .map_err(Error::Query)
    }
}

/// One CVSS object (`cvssData` in NVD, `cvssV3_1` & co in CVE JSON 5).
fn cvss_entry(
    source: &str,
    version: &str,
    data: &Value,
    outer_sev: Option<&str>,
) -> Option<CvssEntry> {
    let vector = data.get("vectorString")?.as_str()?.trim();
    if vector.is_empty() || vector.len() > MAX_VECTOR_LEN || !vector.is_ascii() {
        return None;
    }
    let score = valid_score(data.get("baseScore").and_then(Value::as_f64));
    let version = data
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| ["2.0", "3.0", "3.1", "4.0"].contains(v))
        .unwrap_or(version);
    Some(CvssEntry {
        source: source.to_string(),
        version: version.to_string(),
        vector: vector.to_string(),
        score,
        severity: clean_severity(
            data.get("baseSeverity")
                .and_then(Value::as_str)
                .or(outer_sev),
        ),
    })
}

/// The rows of one NVD 2.0 `cve` object: (id, CVSS entries, KEV date).
pub fn nvd_entries(cve: &Value) -> Option<(String, Vec<CvssEntry>, Option<String>)> {
    let id = valid_cve(cve.get("id")?.as_str()?)?;
    let mut out = Vec::new();
    if let Some(metrics) = cve.get("metrics") {
        for (key, version) in [
            ("cvssMetricV40", "4.0"),
            ("cvssMetricV31", "3.1"),
            ("cvssMetricV30", "3.0"),
            ("cvssMetricV2", "2.0"),
        ] {
            for m in metrics
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = m.get("type").and_then(Value::as_str).unwrap_or("");
                let who = m.get("source").and_then(Value::as_str).unwrap_or("");
                let source = if kind.eq_ignore_ascii_case("primary") {
                    SRC_NVD
                } else if who == CISA_ADP_NVD_SOURCE {
                    SRC_CISA_ADP
                } else {
                    // NVD's Secondary metrics are the CNA's own scores.
                    SRC_CNA
                };
                let Some(data) = m.get("cvssData") else {
                    continue;
                };
                if let Some(e) = cvss_entry(
                    source,
                    version,
                    data,
                    m.get("baseSeverity").and_then(Value::as_str),
                ) {
                    out.push(e);
                }
            }
        }
    }
    let kev = clean_date(cve.get("cisaExploitAdd").and_then(Value::as_str));
    Some((id, out, kev))
}

/// The rows of one CVE JSON 5 record: (id, CVSS entries, KEV date), or
/// `Err(true)` for a rejected record, `Err(false)` for a malformed one.
pub fn cve5_entries(
    rec: &Value,
) -> std::result::Result<(String, Vec<CvssEntry>, Option<String>), bool> {
    let meta = rec.get("cveMetadata").ok_or(false)?;
    let id = meta
        .get("cveId")
        .and_then(Value::as_str)
        .and_then(valid_cve)
        .ok_or(false)?;
    if meta
        .get("state")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("REJECTED"))
    {
        return Err(true);
    }
    let containers = rec.get("containers").ok_or(false)?;
    let mut out = Vec::new();
    let mut kev = None;
    let mut metrics_of = |source: &str, c: &Value, kev: &mut Option<String>| {
        for m in c
            .get("metrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for (key, version) in [
                ("cvssV4_0", "4.0"),
                ("cvssV3_1", "3.1"),
                ("cvssV3_0", "3.0"),
                ("cvssV2_0", "2.0"),
            ] {
                if let Some(data) = m.get(key)
                    && let Some(e) = cvss_entry(source, version, data, None)
                {
                    out.push(e);
                }
            }
            if let Some(other) = m.get("other")
                && other.get("type").and_then(Value::as_str) == Some("kev")
            {
                *kev = kev.take().or_else(|| {
                    clean_date(other.pointer("/content/dateAdded").and_then(Value::as_str))
                });
            }
        }
    };
    if let Some(cna) = containers.get("cna") {
        metrics_of(SRC_CNA, cna, &mut kev);
    }
    for adp in containers
        .get("adp")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let short = adp
            .pointer("/providerMetadata/shortName")
            .and_then(Value::as_str)
            .unwrap_or("");
        if short == "CISA-ADP" {
            metrics_of(SRC_CISA_ADP, adp, &mut kev);
        }
    }
    Ok((id, out, kev))
}

fn write_entries(
    w: &mut RowWriter<'_, '_>,
    stats: &mut RatingStats,
    (id, entries, kev): (String, Vec<CvssEntry>, Option<String>),
) -> Result<()> {
    if entries.is_empty() && kev.is_none() {
        return Ok(());
    }
    stats.cves += 1;
    for e in &entries {
        w.cvss(&id, e)?;
        stats.rows += 1;
    }
    if let Some(d) = kev {
        w.exploited(&id, &d)?;
    }
    Ok(())
}

/// Calls `each` for every element of the top-level `vulnerabilities` array,
/// one at a time (the rest of the document is skipped unparsed).
struct Doc<'f>(&'f mut dyn FnMut(Value));

impl<'de> DeserializeSeed<'de> for Doc<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Doc<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an NVD CVE API 2.0 document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let each = self.0;
        while let Some(key) = map.next_key::<String>()? {
            if key == "vulnerabilities" {
                map.next_value_seed(Items(&mut *each))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// One element of NVD's `vulnerabilities` array, keeping only what rates a
/// CVE: descriptions, references and configurations (the bulk of a record)
/// are skipped by the parser without being stored.
#[derive(serde::Deserialize)]
struct NvdItem {
    #[serde(default)]
    cve: Option<NvdCve>,
}

#[derive(serde::Deserialize)]
struct NvdCve {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    metrics: Option<Value>,
    #[serde(default, rename = "cisaExploitAdd")]
    cisa_exploit_add: Option<Value>,
}

struct Items<'f>(&'f mut dyn FnMut(Value));

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of CVE items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(item) = seq.next_element::<NvdItem>()? {
            let Some(c) = item.cve else {
                (self.0)(Value::Null);
                continue;
            };
            let mut cve = serde_json::Map::new();
            for (k, v) in [
                ("id", c.id),
                ("metrics", c.metrics),
                ("cisaExploitAdd", c.cisa_exploit_add),
            ] {
                if let Some(v) = v {
                    cve.insert(k.to_string(), v);
                }
            }
            let mut wrapped = serde_json::Map::new();
            wrapped.insert("cve".to_string(), Value::Object(cve));
            (self.0)(Value::Object(wrapped));
        }
        Ok(())
    }
}

/// Import an NVD CVE API 2.0 document or yearly feed (plain or gzip) as `feed`.
pub fn import_nvd<R: Read + 'static>(
    tx: &Transaction<'_>,
    feed: &str,
    reader: R,
) -> Result<RatingStats> {
    delete_feed(tx, feed)?;
    let input = open_maybe_gzip(reader)?;
    let mut w = RowWriter::new(tx, feed)?;
    let mut stats = RatingStats::default();
    let mut failure: Option<Error> = None;
    let mut each = |item: Value| {
        if failure.is_some() {
            return;
        }
        match item.get("cve").and_then(nvd_entries) {
            Some(rows) => {
                if let Err(e) = write_entries(&mut w, &mut stats, rows) {
                    failure = Some(e);
                }
            }
            None => stats.skipped += 1,
        }
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    Doc(&mut each)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| Error::Other(format!("{feed} is not an NVD CVE API 2.0 document: {e}")))?;
    match failure {
        Some(e) => Err(e),
        None => Ok(stats),
    }
}

/// Import one CVE JSON 5 record (bytes of one file) as part of `feed`.
pub fn import_cve5_record(
    tx: &Transaction<'_>,
    feed: &str,
    bytes: &[u8],
    stats: &mut RatingStats,
) -> Result<()> {
    let mut w = RowWriter::new(tx, feed)?;
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        stats.skipped += 1;
        return Ok(());
    };
    match cve5_entries(&v) {
        Ok(rows) => write_entries(&mut w, stats, rows),
        Err(true) => {
            stats.rejected += 1;
            Ok(())
        }
        Err(false) => {
            stats.skipped += 1;
            Ok(())
        }
    }
}

/// Whether a zip's first JSON member is a CVE JSON 5 record (the CVE
/// Program's bulk zip, vulnrichment) rather than an OSV record.
pub fn zip_is_cve5<R: Read + Seek>(reader: R) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return false;
    };
    for i in 0..zip.len().min(64) {
        let Ok(entry) = zip.by_index(i) else { continue };
        let name = entry.name().to_ascii_lowercase();
        // The CVE Program's release zip holds one `cves.zip` of records.
        if name.ends_with("cves.zip") {
            return true;
        }
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        let mut head = Vec::new();
        if entry.take(8192).read_to_end(&mut head).is_err() {
            return false;
        }
        return detect(&head) == Some(RatingKind::Cve5);
    }
    false
}

/// Import every `.json` member of a zip of CVE JSON 5 records as `feed`
/// (a nested `cves.zip`, as in the CVE Program's release, is read too).
pub fn import_cve5_zip<R: Read + Seek>(
    tx: &Transaction<'_>,
    feed: &str,
    reader: R,
    tick: &mut dyn FnMut(u64, u64),
) -> Result<RatingStats> {
    delete_feed(tx, feed)?;
    let mut stats = RatingStats::default();
    let mut budget = MAX_FEED_BYTES;
    cve5_zip_members(tx, feed, reader, tick, &mut stats, 0, &mut budget)?;
    Ok(stats)
}

/// Most members read from one zip of CVE records (the CVE Program's has
/// about 300,000).
pub const MAX_ZIP_MEMBERS: usize = 2_000_000;

/// Charge `n` decompressed bytes to a feed's budget.
fn spend(budget: &mut u64, n: u64, feed: &str) -> Result<()> {
    *budget = budget.checked_sub(n).ok_or_else(|| {
        Error::Other(format!(
            "{feed} expands to more than {MAX_FEED_BYTES} bytes; refused"
        ))
    })?;
    Ok(())
}

fn cve5_zip_members<R: Read + Seek>(
    tx: &Transaction<'_>,
    feed: &str,
    reader: R,
    tick: &mut dyn FnMut(u64, u64),
    stats: &mut RatingStats,
    depth: u32,
    budget: &mut u64,
) -> Result<()> {
    let mut zip =
        zip::ZipArchive::new(reader).map_err(|e| Error::BadZip(feed.to_string(), e.to_string()))?;
    if zip.len() > MAX_ZIP_MEMBERS {
        return Err(Error::Other(format!(
            "{feed} has {} members, more than {MAX_ZIP_MEMBERS}; refused",
            zip.len()
        )));
    }
    let total = zip.len() as u64;
    let mut buf = Vec::new();
    for i in 0..zip.len() {
        tick(i as u64, total);
        let Ok(mut entry) = zip.by_index(i) else {
            stats.skipped += 1;
            continue;
        };
        let name = entry.name().to_ascii_lowercase();
        if entry.is_dir() {
            continue;
        }
        if name.ends_with(".zip") && depth == 0 {
            // The CVE Program's release zip holds one `cves.zip`: spill it to
            // a temp file (bounded) and read that.
            let mut tmp = tempfile_in_tmp()?;
            let n = std::io::copy(&mut (&mut entry).take(budget.saturating_add(1)), &mut tmp)
                .map_err(|e| Error::Other(format!("{feed}: cannot unpack {name}: {e}")))?;
            spend(budget, n, feed)?;
            tmp.rewind()
                .map_err(|e| Error::Other(format!("{feed}: {e}")))?;
            cve5_zip_members(
                tx,
                feed,
                BufReader::new(tmp),
                tick,
                stats,
                depth + 1,
                budget,
            )?;
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        if entry.size() > MAX_CVE_RECORD_BYTES {
            stats.skipped += 1;
            continue;
        }
        buf.clear();
        if (&mut entry)
            .take(MAX_CVE_RECORD_BYTES + 1)
            .read_to_end(&mut buf)
            .is_err()
            || buf.len() as u64 > MAX_CVE_RECORD_BYTES
        {
            stats.skipped += 1;
            continue;
        }
        spend(budget, buf.len() as u64, feed)?;
        import_cve5_record(tx, feed, &buf, stats)?;
    }
    tick(total, total);
    Ok(())
}

fn tempfile_in_tmp() -> Result<std::fs::File> {
    tempfile::tempfile().map_err(|e| Error::Other(format!("cannot create a temp file: {e}")))
}

/// Import FIRST's EPSS file (plain or gzip). EPSS is one daily snapshot, so
/// it replaces every earlier score. Returns the stats and the score date.
pub fn import_epss<R: Read + 'static>(
    tx: &Transaction<'_>,
    reader: R,
) -> Result<(RatingStats, String)> {
    let input = open_maybe_gzip(reader)?;
    tx.execute("DELETE FROM epss", []).map_err(Error::Query)?;
    let mut stmt = tx
        .prepare_cached("INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES (?1, ?2, ?3)")
        .map_err(Error::Query)?;
    let mut stats = RatingStats::default();
    let mut date = String::new();
    let mut model = String::new();
    let mut columns: Option<(usize, usize, usize)> = None;
    let mut input = input;
    let mut line = Vec::with_capacity(256);
    let mut n = 0usize;
    while let Some(overlong) = read_line_bounded(&mut *input, &mut line, MAX_EPSS_LINE)
        .map_err(|e| Error::Other(format!("cannot read the EPSS file: {e}")))?
    {
        n += 1;
        if overlong {
            stats.skipped += 1;
            continue;
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        if let Some(meta) = line.strip_prefix('#') {
            for part in meta.split(',') {
                if let Some((k, v)) = part.split_once(':') {
                    match k.trim() {
                        "score_date" => date = clean_date(Some(v)).unwrap_or_default(),
                        "model_version" => model = v.trim().chars().take(64).collect(),
                        _ => {}
                    }
                }
            }
            continue;
        }
        if columns.is_none() {
            let names: Vec<String> = line
                .split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .collect();
            let at = |want: &str| names.iter().position(|c| c == want);
            match (at("cve"), at("epss"), at("percentile")) {
                (Some(c), Some(e), Some(p)) => {
                    columns = Some((c, e, p));
                    continue;
                }
                _ => {
                    return Err(Error::Other(format!(
                        "the EPSS file has no `cve,epss,percentile` header (line {n}): is it FIRST's epss_scores-current.csv.gz?"
                    )));
                }
            }
        }
        let Some((ci, ei, pi)) = columns else {
            continue;
        };
        if stats.rows >= MAX_EPSS_ROWS {
            return Err(Error::Other(format!(
                "the EPSS file has more than {MAX_EPSS_ROWS} rows; refused"
            )));
        }
        let cells: Vec<&str> = line.split(',').collect();
        let cell = |i: usize| cells.get(i).map(|s| s.trim());
        let cve = cell(ci).and_then(valid_cve);
        let prob = |i: usize| {
            cell(i)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|v| v.is_finite() && (0.0..=1.0).contains(v))
        };
        match (cve, prob(ei), prob(pi)) {
            (Some(cve), Some(e), Some(p)) => {
                stmt.execute(params![cve, e, p]).map_err(Error::Query)?;
                stats.rows += 1;
                stats.cves += 1;
            }
            _ => stats.skipped += 1,
        }
    }
    if columns.is_none() {
        return Err(Error::Other(
            "the EPSS file is empty or has no `cve,epss,percentile` header".into(),
        ));
    }
    for (k, v) in [("epss_date", &date), ("epss_model", &model)] {
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            params![k, v],
        )
        .map_err(Error::Query)?;
    }
    Ok((stats, date))
}

/// Import one rating file of any kind, recognised by its content: a zip of
/// CVE JSON 5 records, an NVD 2.0 document or feed, a CVE JSON 5 record, or
/// FIRST's EPSS file (each plain or gzip). `Ok(None)` when it is none of
/// these. Rows of an earlier import of `feed` are replaced.
pub fn import_file(
    tx: &Transaction<'_>,
    feed: &str,
    path: &std::path::Path,
    tick: &mut dyn FnMut(u64, u64),
) -> Result<Option<(RatingKind, RatingStats)>> {
    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, e));
    let mut magic = [0u8; 4];
    let n = open()?.read(&mut magic).map_err(|e| Error::io(path, e))?;
    if magic.get(..n).is_some_and(|m| m.starts_with(b"PK\x03\x04")) {
        if !zip_is_cve5(BufReader::new(open()?)) {
            return Ok(None);
        }
        let stats = import_cve5_zip(tx, feed, BufReader::new(open()?), tick)?;
        return Ok(Some((RatingKind::Cve5, stats)));
    }
    let mut head = Vec::with_capacity(8192);
    open_maybe_gzip(open()?)?
        .take(8192)
        .read_to_end(&mut head)
        .map_err(|e| Error::Other(format!("cannot read {}: {e}", path.display())))?;
    match detect(&head) {
        Some(RatingKind::Epss) => {
            let (stats, _date) = import_epss(tx, open()?)?;
            Ok(Some((RatingKind::Epss, stats)))
        }
        Some(RatingKind::Nvd) => Ok(Some((RatingKind::Nvd, import_nvd(tx, feed, open()?)?))),
        Some(RatingKind::Cve5) => {
            delete_feed(tx, feed)?;
            let mut bytes = Vec::new();
            open_maybe_gzip(open()?)?
                .take(MAX_CVE_RECORD_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::Other(format!("cannot read {}: {e}", path.display())))?;
            let mut stats = RatingStats::default();
            if bytes.len() as u64 > MAX_CVE_RECORD_BYTES {
                stats.skipped += 1;
            } else {
                import_cve5_record(tx, feed, &bytes, &mut stats)?;
            }
            Ok(Some((RatingKind::Cve5, stats)))
        }
        None => Ok(None),
    }
}

impl RatingKind {
    /// What the file is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            RatingKind::Epss => "EPSS scores",
            RatingKind::Nvd => "NVD CVE data",
            RatingKind::Cve5 => "CVE JSON 5 records",
        }
    }
}

/// Look up everything known about one CVE.
pub(crate) fn lookup(conn: &rusqlite::Connection, cve: &str, epss_date: &str) -> Result<CveRating> {
    let mut out = CveRating::default();
    let mut stmt = conn
        .prepare_cached(
            "SELECT source, version, vector, score, severity FROM cvss WHERE cve = ?1 \
             ORDER BY source, version DESC, feed",
        )
        .map_err(Error::Query)?;
    let rows = stmt
        .query_map([cve], |r| {
            Ok(CvssEntry {
                source: r.get(0)?,
                version: r.get(1)?,
                vector: r.get(2)?,
                score: r.get(3)?,
                severity: r.get(4)?,
            })
        })
        .map_err(Error::Query)?;
    for row in rows {
        out.cvss.push(row.map_err(Error::Query)?);
    }
    out.epss = conn
        .prepare_cached("SELECT score, percentile FROM epss WHERE cve = ?1")
        .map_err(Error::Query)?
        .query_row([cve], |r| {
            Ok(EpssScore {
                score: r.get(0)?,
                percentile: r.get(1)?,
                date: epss_date.to_string(),
            })
        })
        .optional()
        .map_err(Error::Query)?;
    out.kev = conn
        .prepare_cached("SELECT date_added, ransomware FROM kev WHERE cve = ?1")
        .map_err(Error::Query)?
        .query_row([cve], |r| {
            let ransomware: Option<String> = r.get(1)?;
            Ok(KevInfo {
                date_added: r.get(0)?,
                ransomware: ransomware.is_some_and(|s| s.trim().eq_ignore_ascii_case("known")),
            })
        })
        .optional()
        .map_err(Error::Query)?;
    if out.kev.is_none() {
        out.kev = conn
            .prepare_cached("SELECT MIN(date_added) FROM exploited WHERE cve = ?1")
            .map_err(Error::Query)?
            .query_row([cve], |r| r.get::<_, Option<String>>(0))
            .optional()
            .map_err(Error::Query)?
            .flatten()
            .map(|d| KevInfo {
                date_added: Some(d),
                ransomware: false,
            });
    }
    Ok(out)
}

/// The fuzz target's checks (`fuzz/fuzz_targets/ratings.rs`), also replayed
/// on the committed seeds by the test suite: every reader takes any bytes
/// without panicking, and what it writes is in range.
pub mod fuzzing {
    use super::*;

    /// Import `data` as every kind of rating file into a scratch database;
    /// panics when a written row breaks an invariant (the fuzzer's signal).
    #[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
    pub fn check(data: &[u8]) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut w = crate::store::Writer::open(&dir.path().join("f.db")).expect("scratch db");
        let tx = w.begin().expect("transaction");
        let file = dir.path().join("input");
        std::fs::write(&file, data).expect("write input");
        let _ = import_file(&tx, "fuzz", &file, &mut |_, _| {});
        let _ = import_epss(&tx, std::io::Cursor::new(data.to_vec()));
        let _ = import_nvd(&tx, "fuzz-nvd", std::io::Cursor::new(data.to_vec()));
        let mut stats = RatingStats::default();
        let _ = import_cve5_record(&tx, "fuzz-cve", data, &mut stats);
        let _ = import_cve5_zip(
            &tx,
            "fuzz-zip",
            std::io::Cursor::new(data.to_vec()),
            &mut |_, _| {},
        );
        let mut q = tx
            .prepare("SELECT cve, score, vector FROM cvss")
            .expect("query");
        let rows = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<f64>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .expect("rows");
        for row in rows {
            let (cve, score, vector) = row.expect("row");
            assert!(
                valid_cve(&cve).as_deref() == Some(cve.as_str()),
                "bad CVE id {cve:?}"
            );
            assert!(
                score.is_none_or(|s| (0.0..=10.0).contains(&s)),
                "score {score:?}"
            );
            assert!(
                !vector.is_empty() && vector.len() <= MAX_VECTOR_LEN,
                "vector {vector:?}"
            );
        }
        let mut q = tx
            .prepare("SELECT cve, score, percentile FROM epss")
            .expect("query");
        let rows = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, f64>(2)?,
                ))
            })
            .expect("rows");
        for row in rows {
            let (cve, e, p) = row.expect("row");
            assert!(valid_cve(&cve).is_some(), "bad CVE id {cve:?}");
            assert!(
                (0.0..=1.0).contains(&e) && (0.0..=1.0).contains(&p),
                "{e} {p}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nvd_metrics_by_type_and_source() {
        let cve = json!({"id": "CVE-2021-3156", "metrics": {
            "cvssMetricV31": [
                {"source": "nvd@nist.gov", "type": "Primary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "baseScore": 7.8, "baseSeverity": "HIGH"}},
                {"source": CISA_ADP_NVD_SOURCE, "type": "Secondary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "baseScore": 7.8}},
                {"source": "secalert@redhat.com", "type": "Secondary", "cvssData": {"vectorString": "CVSS:3.1/AV:N", "baseScore": 99.0}}
            ],
            "cvssMetricV2": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {"version": "2.0", "vectorString": "AV:L/AC:L/Au:N/C:C/I:C/A:C", "baseScore": 7.2}, "baseSeverity": "HIGH"}]
        }, "cisaExploitAdd": "2022-04-06"});
        let (id, rows, kev) = nvd_entries(&cve).unwrap();
        assert_eq!(id, "CVE-2021-3156");
        assert_eq!(kev.as_deref(), Some("2022-04-06"));
        let got: Vec<(&str, &str, Option<f64>, &str)> = rows
            .iter()
            .map(|e| {
                (
                    e.source.as_str(),
                    e.version.as_str(),
                    e.score,
                    e.severity.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("nvd", "3.1", Some(7.8), "HIGH"),
                ("cisa-adp", "3.1", Some(7.8), ""),
                // An out-of-range score is dropped, the vector kept.
                ("cna", "3.1", None, ""),
                ("nvd", "2.0", Some(7.2), "HIGH"),
            ]
        );
        assert!(nvd_entries(&json!({"id": "not-a-cve"})).is_none());
        assert!(nvd_entries(&json!({"id": "CVE-2021-1"})).is_none());
    }

    #[test]
    fn cve5_cna_adp_and_rejected() {
        let rec = json!({"dataType": "CVE_RECORD", "cveMetadata": {"cveId": "CVE-2024-0001", "state": "PUBLISHED"},
        "containers": {
            "cna": {"metrics": [{"cvssV4_0": {"version": "4.0", "vectorString": "CVSS:4.0/AV:N", "baseScore": 9.3, "baseSeverity": "CRITICAL"}}]},
            "adp": [
                {"providerMetadata": {"shortName": "CVE"}, "metrics": [{"cvssV3_1": {"vectorString": "X", "baseScore": 1.0}}]},
                {"providerMetadata": {"shortName": "CISA-ADP"}, "metrics": [
                    {"cvssV3_1": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N", "baseScore": 8.1, "baseSeverity": "HIGH"}},
                    {"other": {"type": "kev", "content": {"dateAdded": "2024-02-03", "reference": "x"}}}
                ]}
            ]
        }});
        let (id, rows, kev) = cve5_entries(&rec).unwrap();
        assert_eq!(id, "CVE-2024-0001");
        assert_eq!(kev.as_deref(), Some("2024-02-03"));
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].source.as_str(), rows[0].score), ("cna", Some(9.3)));
        assert_eq!(
            (rows[1].source.as_str(), rows[1].score),
            ("cisa-adp", Some(8.1))
        );
        let rejected = json!({"cveMetadata": {"cveId": "CVE-2024-0002", "state": "REJECTED"}, "containers": {}});
        assert_eq!(cve5_entries(&rejected), Err(true));
        assert_eq!(cve5_entries(&json!({"x": 1})), Err(false));
    }

    #[test]
    fn detection() {
        assert_eq!(
            detect(b"#model_version:v2025.03.14,score_date:2026-08-16T00:00:00+0000\ncve,epss,percentile\n"),
            Some(RatingKind::Epss)
        );
        assert_eq!(
            detect(br#"{"resultsPerPage":6,"format":"NVD_CVE","vulnerabilities":[{"cve":{}}]}"#),
            Some(RatingKind::Nvd)
        );
        assert_eq!(
            detect(br#"{"dataType":"CVE_RECORD","cveMetadata":{}}"#),
            Some(RatingKind::Cve5)
        );
        assert_eq!(detect(br#"{"id":"GHSA-1","affected":[]}"#), None);
        assert_eq!(
            clean_date(Some("2026-08-16T00:00:00+0000")).as_deref(),
            Some("2026-08-16")
        );
        assert_eq!(clean_date(Some("16/08/2026")), None);
    }

    fn scratch() -> (tempfile::TempDir, crate::store::Writer) {
        let dir = tempfile::tempdir().unwrap();
        let w = crate::store::Writer::open(&dir.path().join("t.db")).unwrap();
        (dir, w)
    }

    #[test]
    fn hostile_feeds_are_refused_or_bounded() {
        let (_d, mut w) = scratch();
        let tx = w.begin().unwrap();
        // Truncated NVD JSON: an error naming the feed, nothing half-kept.
        let doc = br#"{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2021-3156","metrics":{}}},{"cve""#;
        let e = import_nvd(&tx, "nvd:x", std::io::Cursor::new(doc.to_vec())).unwrap_err();
        assert!(e.to_string().contains("nvd:x"), "{e}");
        // A gzip header with garbage after it.
        assert!(
            import_epss(
                &tx,
                std::io::Cursor::new(b"\x1f\x8b\x08\x00garbage".to_vec())
            )
            .is_err()
        );
        // EPSS without the header, or with bad rows: refused / skipped.
        assert!(
            import_epss(
                &tx,
                std::io::Cursor::new(b"CVE-2021-3156,0.5,0.5\n".to_vec())
            )
            .is_err()
        );
        let csv = b"#score_date:2026-08-16T00:00:00+0000\ncve,epss,percentile\nCVE-2021-3156,0.9,0.99\nCVE-2021-3157,NaN,0.1\nCVE-2021-3158,1.5,0.1\nx,0.1,0.1\n";
        let (stats, date) = import_epss(&tx, std::io::Cursor::new(csv.to_vec())).unwrap();
        assert_eq!(
            (stats.rows, stats.skipped, date.as_str()),
            (1, 3, "2026-08-16")
        );
        // A CVE JSON 5 record over the size cap inside a zip is skipped.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("big/CVE-2024-0001.json", opts).unwrap();
        let big = format!(
            r#"{{"dataType":"CVE_RECORD","cveMetadata":{{"cveId":"CVE-2024-0001"}},"containers":{{"cna":{{"x":"{}"}}}}}}"#,
            "a".repeat(MAX_CVE_RECORD_BYTES as usize)
        );
        std::io::Write::write_all(&mut zip, big.as_bytes()).unwrap();
        zip.start_file("../../escape/CVE-2024-0002.json", opts)
            .unwrap();
        std::io::Write::write_all(
            &mut zip,
            br#"{"cveMetadata":{"cveId":"CVE-2024-0002"},"containers":{"cna":{"metrics":[{"cvssV3_1":{"vectorString":"CVSS:3.1/AV:N","baseScore":5.0}}]}}}"#,
        )
        .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let stats =
            import_cve5_zip(&tx, "cve:z", std::io::Cursor::new(bytes), &mut |_, _| {}).unwrap();
        // The member named with `..` is only read, never written anywhere.
        assert_eq!((stats.cves, stats.skipped), (1, 1));
        let r = lookup(&tx, "CVE-2024-0002", "").unwrap();
        assert_eq!(r.cvss.len(), 1);
        assert!(lookup(&tx, "CVE-2024-0001", "").unwrap().is_empty());
    }

    #[test]
    fn nested_cves_zip_and_endless_epss_line() {
        let record = br#"{"dataType":"CVE_RECORD","cveMetadata":{"cveId":"CVE-2024-0003","state":"PUBLISHED"},"containers":{"cna":{"metrics":[{"cvssV3_1":{"version":"3.1","vectorString":"CVSS:3.1/AV:N","baseScore":7.5}}]}}}"#;
        let zip_of = |name: &str, bytes: &[u8]| {
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            z.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut z, bytes).unwrap();
            z.finish().unwrap().into_inner()
        };
        let inner = zip_of("cves/2024/0xxx/CVE-2024-0003.json", record);
        let outer = zip_of("cves.zip", &inner);
        assert!(zip_is_cve5(std::io::Cursor::new(outer.clone())));
        let (_d, mut w) = scratch();
        let tx = w.begin().unwrap();
        let stats = import_cve5_zip(
            &tx,
            "cve:release",
            std::io::Cursor::new(outer),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(stats.cves, 1);
        assert_eq!(lookup(&tx, "CVE-2024-0003", "").unwrap().cvss.len(), 1);
        // 8 MiB without a newline after the header: cut, counted, not kept.
        let mut csv = b"cve,epss,percentile\n".to_vec();
        csv.extend(std::iter::repeat_n(b'x', 8 << 20));
        csv.extend(b"\nCVE-2024-0003,0.5,0.9\n");
        let (stats, _) = import_epss(&tx, std::io::Cursor::new(csv)).unwrap();
        assert_eq!((stats.rows, stats.skipped), (1, 1));
    }
}
