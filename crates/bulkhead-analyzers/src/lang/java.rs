//! Java archives: `.jar`, `.war`, `.ear`, `.par`, including nested (fat)
//! jars. Each archive yields the packages of its
//! `META-INF/maven/**/pom.properties`; an archive whose own identity is not
//! among them adds one package from `MANIFEST.MF` fields, or failing that
//! from its file name (`artifact-1.2.3.jar`, reported without a group id).
//!
//! Zip bombs: nesting depth, entry counts, the bytes inflated per entry
//! and per archive, and the bytes held in memory at once are capped, and
//! archives whose entries overlap (one compressed kernel shared by many
//! entries, Fifield's bomb) are refused; hitting a cap makes the archive a
//! warning. Nested archives stored uncompressed (Spring Boot's fat jars)
//! are read in place, never copied; compressed ones are inflated into
//! memory within [`MAX_NESTED`] and [`MAX_HELD`]. A large top-level archive
//! is read through [`Analyzer::analyze_reader`] from the scanner's spill
//! file, so only the parts read are in memory.

use super::{lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis, ReadSeek};
use bulkhead_types::{Ecosystem, Package};
use std::io::{Cursor, Read, Seek, SeekFrom};

const MAX_ARCHIVE: u64 = 2 * 1024 * 1024 * 1024;
/// Deepest nesting followed (Spring Boot uses 2).
pub const MAX_DEPTH: usize = 8;
/// Most bytes inflated from one top-level archive (nested jars, metadata).
pub const MAX_INFLATE: u64 = 512 * 1024 * 1024;
/// Largest compressed nested archive inflated into memory.
pub const MAX_NESTED: u64 = 64 * 1024 * 1024;
/// Most inflated bytes of nested archives held in memory at once (the
/// chain from the top-level archive down to the one being read).
pub const MAX_HELD: u64 = 128 * 1024 * 1024;
/// Most entries looked at in one top-level archive (all levels).
pub const MAX_ENTRIES: usize = 1_000_000;
const MAX_META: u64 = 1024 * 1024;

/// Java archives.
pub struct JarAnalyzer;

fn is_archive(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    [".jar", ".war", ".ear", ".par"]
        .iter()
        .any(|e| l.ends_with(e))
}

struct Budget {
    inflated: u64,
    entries: usize,
    /// Bytes of inflated nested archives currently in memory.
    held: u64,
}

#[derive(Debug)]
enum Limit {
    Depth,
    Inflate,
    Entries,
    Nested,
    Overlap,
    Zip(String),
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Depth => write!(
                f,
                "archives nested deeper than {MAX_DEPTH} levels (zip bomb?); archive ignored"
            ),
            Limit::Inflate => write!(
                f,
                "more than {} MiB inflated (zip bomb?); archive ignored",
                MAX_INFLATE >> 20
            ),
            Limit::Entries => write!(
                f,
                "more than {MAX_ENTRIES} entries (zip bomb?); archive ignored"
            ),
            Limit::Nested => write!(
                f,
                "a compressed nested archive inflates to more than {} MiB, or nested archives to more than {} MiB at once (zip bomb?); archive ignored",
                MAX_NESTED >> 20,
                MAX_HELD >> 20
            ),
            Limit::Overlap => write!(
                f,
                "entries overlap each other in the file (zip bomb?); archive ignored"
            ),
            Limit::Zip(e) => write!(f, "unreadable zip archive: {e}"),
        }
    }
}

/// `groupId`, `artifactId`, `version` of `pom.properties`.
fn parse_pom_properties(text: &str) -> Option<(String, String, String)> {
    let (mut g, mut a, mut v) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with(['#', '!']) {
            continue;
        }
        let Some((k, val)) = line.split_once(['=', ':']) else {
            continue;
        };
        let val = val.trim().to_string();
        match k.trim() {
            "groupId" => g = Some(val),
            "artifactId" => a = Some(val),
            "version" => v = Some(val),
            _ => {}
        }
    }
    match (g, a, v) {
        (Some(g), Some(a), Some(v)) if !g.is_empty() && !a.is_empty() && !v.is_empty() => {
            Some((g, a, v))
        }
        _ => None,
    }
}

/// Main attributes of `MANIFEST.MF` (72-byte lines continued with a space).
fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break; // end of the main section
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// group, artifact, version from the manifest, when all three are known.
fn manifest_identity(attrs: &[(String, String)]) -> Option<(String, String, String)> {
    let get = |k: &str| {
        attrs
            .iter()
            .find(|(n, v)| n.eq_ignore_ascii_case(k) && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let artifact = get("Implementation-Title").or_else(|| get("Specification-Title"))?;
    let version = get("Implementation-Version").or_else(|| get("Specification-Version"))?;
    let group = get("Implementation-Vendor-Id").or_else(|| {
        get("Bundle-SymbolicName").and_then(|b| {
            let b = b.split(';').next().unwrap_or(&b).to_string();
            b.rsplit_once('.').map(|(g, _)| g.to_string())
        })
    })?;
    if artifact.contains(' ') || group.contains(' ') {
        return None;
    }
    Some((group, artifact, version))
}

/// `commons-lang3-3.12.0.jar` → (`commons-lang3`, `3.12.0`).
fn name_from_file(file: &str) -> Option<(String, String)> {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let bytes = stem.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w.first() == Some(&b'-') && w.get(1).is_some_and(u8::is_ascii_digit) {
            let (a, v) = (stem.get(..i)?, stem.get(i + 1..)?);
            if !a.is_empty() {
                return Some((a.to_string(), v.to_string()));
            }
        }
    }
    None
}

/// Inflates one entry: at most `cap` bytes, within the archive's budget.
fn read_entry<R: Read>(
    r: R,
    size: u64,
    cap: u64,
    budget: &mut Budget,
    too_big: fn() -> Limit,
) -> Result<Vec<u8>, Limit> {
    let left = MAX_INFLATE.saturating_sub(budget.inflated);
    let lim = cap.min(left);
    // The announced size is only a hint (it may lie), never above the cap.
    let mut v = Vec::with_capacity(usize::try_from(size.min(lim)).unwrap_or(0));
    r.take(lim.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(|e| Limit::Zip(e.to_string()))?;
    budget.inflated += v.len() as u64;
    if v.len() as u64 > lim {
        return Err(if lim == left {
            Limit::Inflate
        } else {
            too_big()
        });
    }
    Ok(v)
}

/// What an archive's entry is to the walker.
enum Role {
    Pom,
    Manifest,
    Nested,
}

/// A nested archive: where its bytes lie in the parent and how they are
/// stored.
struct NestedEntry {
    name: String,
    stored: bool,
    start: u64,
    len: u64,
    size: u64,
}

/// A window `[start, start + len)` of a seekable reader, itself seekable:
/// a nested archive stored uncompressed, read in place.
struct Window<'a> {
    inner: &'a mut dyn ReadSeek,
    start: u64,
    len: u64,
    pos: u64,
}

impl Read for Window<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        self.inner.seek(SeekFrom::Start(self.start + self.pos))?;
        let n = self.inner.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Window<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let to = match pos {
            SeekFrom::Start(o) => Some(o),
            SeekFrom::End(o) => self.len.checked_add_signed(o),
            SeekFrom::Current(o) => self.pos.checked_add_signed(o),
        };
        let to = to.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek out of range")
        })?;
        self.pos = to.min(self.len);
        Ok(self.pos)
    }
}

fn walk(
    reader: &mut dyn ReadSeek,
    name: &str,
    path: &str,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Package>,
) -> Result<(), Limit> {
    if depth > MAX_DEPTH {
        return Err(Limit::Depth);
    }
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| Limit::Zip(e.to_string()))?;
    budget.entries += zip.len();
    if budget.entries > MAX_ENTRIES {
        return Err(Limit::Entries);
    }
    // One pass over the raw entries: where each lies in the file (to refuse
    // overlapping ones before inflating anything) and which to read.
    let mut spans: Vec<(u64, u64)> = Vec::with_capacity(zip.len());
    let mut wanted: Vec<(usize, Role)> = Vec::new();
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else { continue };
        spans.push((
            f.header_start(),
            f.data_start().saturating_add(f.compressed_size()),
        ));
        let n = f.name();
        let role = if n.starts_with("META-INF/maven/") && n.ends_with("/pom.properties") {
            Role::Pom
        } else if n.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            Role::Manifest
        } else if is_archive(n) && !f.is_dir() {
            Role::Nested
        } else {
            continue;
        };
        wanted.push((i, role));
    }
    spans.sort_unstable();
    if spans.windows(2).any(|w| matches!(w, [a, b] if a.1 > b.0)) {
        return Err(Limit::Overlap);
    }
    let mut poms = Vec::new();
    let mut manifest = Vec::new();
    let mut nested = Vec::new();
    for (i, role) in wanted {
        match role {
            Role::Nested => {
                let Ok(f) = zip.by_index_raw(i) else { continue };
                let method = f.compression();
                if !matches!(
                    method,
                    zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
                ) {
                    continue;
                }
                nested.push(NestedEntry {
                    name: super::file_name(f.name()).to_string(),
                    stored: method == zip::CompressionMethod::Stored,
                    start: f.data_start(),
                    len: f.compressed_size(),
                    size: f.size(),
                });
            }
            Role::Pom | Role::Manifest => {
                let Ok(f) = zip.by_index(i) else { continue };
                let size = f.size();
                let data = read_entry(f, size, MAX_META, budget, || {
                    Limit::Zip("metadata entry too large".into())
                })?;
                let text = String::from_utf8_lossy(&data);
                if matches!(role, Role::Pom) {
                    if let Some(gav) = parse_pom_properties(&text) {
                        poms.push(gav);
                    }
                } else {
                    manifest = parse_manifest(&text);
                }
            }
        }
    }
    let own = name_from_file(name);
    let own_listed = poms
        .iter()
        .any(|(_, a, v)| own.as_ref().is_none_or(|(oa, ov)| oa == a && ov == v));
    for (g, a, v) in &poms {
        out.push(lang_pkg(Ecosystem::Maven, &format!("{g}:{a}"), v, path));
    }
    if !own_listed {
        if let Some((g, a, v)) = manifest_identity(&manifest) {
            out.push(lang_pkg(Ecosystem::Maven, &format!("{g}:{a}"), &v, path));
        } else if poms.is_empty()
            && let Some((a, v)) = own
        {
            out.push(lang_pkg(Ecosystem::Maven, &a, &v, path));
        }
    }
    // The nested archives, read from the parent's bytes directly.
    let reader = zip.into_inner();
    for n in nested {
        let window = Window {
            inner: &mut *reader,
            start: n.start,
            len: n.len,
            pos: 0,
        };
        let r = if n.stored {
            // In place: nothing copied.
            let mut window = std::io::BufReader::new(window);
            walk(&mut window, &n.name, path, depth + 1, budget, out)
        } else {
            let cap = MAX_NESTED.min(MAX_HELD.saturating_sub(budget.held));
            // Refused on its announced size before anything is inflated
            // (a size that lies is caught by the cap while reading).
            if n.size > cap {
                return Err(Limit::Nested);
            }
            let inflate = flate2::read::DeflateDecoder::new(std::io::BufReader::new(window));
            let data = read_entry(inflate, n.size, cap, budget, || Limit::Nested)?;
            let len = data.len() as u64;
            budget.held += len;
            let r = walk(
                &mut Cursor::new(data),
                &n.name,
                path,
                depth + 1,
                budget,
                out,
            );
            budget.held -= len;
            r
        };
        match r {
            // A nested file named .jar that is not a zip: skip it alone.
            Err(Limit::Zip(_)) => {}
            r => r?,
        }
    }
    Ok(())
}

/// All packages of an archive (nested ones included).
pub fn parse_archive(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    parse_archive_reader(path, &mut Cursor::new(content))
}

/// [`parse_archive`] over a seekable reader (a file): only the central
/// directories, the metadata entries and nested archives are read.
pub fn parse_archive_reader(
    path: &str,
    reader: &mut dyn ReadSeek,
) -> Result<Vec<Package>, AnalyzeError> {
    let mut budget = Budget {
        inflated: 0,
        entries: 0,
        held: 0,
    };
    let mut out = Vec::new();
    walk(
        reader,
        super::file_name(path),
        path,
        0,
        &mut budget,
        &mut out,
    )
    .map_err(|e| AnalyzeError::malformed(path, e.to_string()))?;
    Ok(out)
}

impl Analyzer for JarAnalyzer {
    fn name(&self) -> &'static str {
        "lang/jar"
    }
    fn version(&self) -> u32 {
        // 2: bounded (package cap, size cap as a warning, hostile-input limits).
        2
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_ARCHIVE && is_archive(path)
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        self.analyze_reader(path, &mut Cursor::new(content))
    }
    fn seekable(&self) -> bool {
        true
    }
    fn analyze_reader(
        &self,
        path: &str,
        reader: &mut dyn ReadSeek,
    ) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(result(
            "jar",
            Ecosystem::Maven,
            parse_archive_reader(path, reader)?,
        )))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A zip with the given (name, content) entries, deflated.
    pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        for (n, c) in entries {
            w.start_file(*n, o).unwrap();
            w.write_all(c).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn file_names() {
        assert_eq!(
            name_from_file("commons-lang3-3.12.0.jar"),
            Some(("commons-lang3".into(), "3.12.0".into()))
        );
        assert_eq!(name_from_file("app.jar"), None);
    }

    #[test]
    fn manifest_fields() {
        let m = "Manifest-Version: 1.0\nImplementation-Title: foo\nImplementation-Version: 1.2\nBundle-SymbolicName: org.example.foo;singleton:=true\n\nName: x\n";
        assert_eq!(
            manifest_identity(&parse_manifest(m)),
            Some(("org.example".into(), "foo".into(), "1.2".into()))
        );
    }

    #[test]
    fn nested_and_fallbacks() {
        let inner = zip_of(&[(
            "META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"groupId=org.yaml\nartifactId=snakeyaml\nversion=1.30\n",
        )]);
        let plain = zip_of(&[("a.class", b"x")]);
        let outer = zip_of(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            ("BOOT-INF/lib/snakeyaml-1.30.jar", &inner),
            ("BOOT-INF/lib/guava-31.1-jre.jar", &plain),
        ]);
        let ids: Vec<_> = parse_archive("app/app.jar", &outer)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec!["org.yaml:snakeyaml:1.30", "guava:31.1-jre"]);
    }

    #[test]
    fn nested_too_deep() {
        let mut z = zip_of(&[(
            "META-INF/maven/g/a/pom.properties",
            b"groupId=g\nartifactId=a\nversion=1\n",
        )]);
        for _ in 0..50 {
            z = zip_of(&[("lib/x.jar", &z)]);
        }
        let err = parse_archive("deep.jar", &z).unwrap_err().to_string();
        assert!(err.contains("nested deeper"), "{err}");
    }

    #[test]
    fn bomb() {
        let zeros = vec![0u8; 64 * 1024 * 1024];
        let one = zip_of(&[("lib/z.jar", &zeros)]);
        let many: Vec<(String, Vec<u8>)> = (0..10)
            .map(|i| (format!("lib/{i}.jar"), one.clone()))
            .collect();
        let refs: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_slice()))
            .collect();
        let z = zip_of(&refs);
        assert!(z.len() < 8 * 1024 * 1024);
        let err = parse_archive("bomb.jar", &z).unwrap_err().to_string();
        assert!(
            err.contains("inflated") || err.contains("unreadable"),
            "{err}"
        );
        assert!(parse_archive("x.jar", b"PK\x03\x04junk").is_err());
    }

    #[test]
    fn compressed_nested_archive_over_the_cap() {
        // A deflated nested "jar" of 65 MiB of zeros: refused after
        // MAX_NESTED bytes, never held whole.
        let zeros = vec![0u8; (MAX_NESTED + (1 << 20)) as usize];
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("lib/zero.jar", o).unwrap();
        w.write_all(&zeros).unwrap();
        let z = w.finish().unwrap().into_inner();
        let err = parse_archive("bomb.jar", &z).unwrap_err().to_string();
        assert!(err.contains("nested archive inflates"), "{err}");
    }

    #[test]
    fn overlapping_entries_are_refused() {
        // Two central entries naming the same local entry.
        let z = zip_of(&[("lib/a.jar", b"0123456789")]);
        let eocd = z.len() - 22;
        let cd_len = u32::from_le_bytes(z[eocd + 12..eocd + 16].try_into().unwrap()) as usize;
        let cd_at = u32::from_le_bytes(z[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
        let cd = z[cd_at..cd_at + cd_len].to_vec();
        let mut bomb = z[..cd_at].to_vec();
        // zip keys entries by name: the second copy names lib/b.jar
        let mut cd2 = cd.clone();
        let at = cd2.windows(9).position(|w| w == b"lib/a.jar").unwrap();
        cd2[at + 4] = b'b';
        bomb.extend_from_slice(&cd);
        bomb.extend_from_slice(&cd2);
        let mut end = z[eocd..].to_vec();
        end[8..10].copy_from_slice(&2u16.to_le_bytes());
        end[10..12].copy_from_slice(&2u16.to_le_bytes());
        end[12..16].copy_from_slice(&((2 * cd_len) as u32).to_le_bytes());
        bomb.extend_from_slice(&end);
        let err = parse_archive("x.jar", &bomb).unwrap_err().to_string();
        assert!(err.contains("overlap"), "{err}");
    }

    #[test]
    fn stored_nested_jars_are_read_in_place() {
        let inner = zip_of(&[(
            "META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"groupId=org.yaml\nartifactId=snakeyaml\nversion=1.30\n",
        )]);
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("BOOT-INF/lib/snakeyaml-1.30.jar", o).unwrap();
        w.write_all(&inner).unwrap();
        let z = w.finish().unwrap().into_inner();
        let ids: Vec<_> = parse_archive("app.jar", &z)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec!["org.yaml:snakeyaml:1.30"]);
    }
}
