//! Java archives: `.jar`, `.war`, `.ear`, `.par`, including nested (fat)
//! jars. Each archive yields the packages of its
//! `META-INF/maven/**/pom.properties`; an archive whose own identity is not
//! among them adds one package from `MANIFEST.MF` fields, or failing that
//! from its file name (`artifact-1.2.3.jar`, reported without a group id).
//!
//! Zip bombs: nesting depth, entry counts and the total number of bytes
//! inflated are capped; hitting a cap makes the archive a warning.

use super::{lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis};
use bulkhead_types::{Ecosystem, Package};
use std::io::{Cursor, Read, Seek};

const MAX_ARCHIVE: u64 = 2 * 1024 * 1024 * 1024;
/// Deepest nesting followed (Spring Boot uses 2).
pub const MAX_DEPTH: usize = 8;
/// Most bytes inflated from one top-level archive (nested jars, metadata).
pub const MAX_INFLATE: u64 = 512 * 1024 * 1024;
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
}

#[derive(Debug)]
enum Limit {
    Depth,
    Inflate,
    Entries,
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

fn read_entry<R: Read>(r: R, cap: u64, budget: &mut Budget) -> Result<Vec<u8>, Limit> {
    let left = MAX_INFLATE.saturating_sub(budget.inflated);
    let lim = cap.min(left);
    let mut v = Vec::new();
    r.take(lim.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(|e| Limit::Zip(e.to_string()))?;
    budget.inflated += v.len() as u64;
    if v.len() as u64 > lim {
        return Err(if lim == left {
            Limit::Inflate
        } else {
            Limit::Zip("entry too large".into())
        });
    }
    Ok(v)
}

fn walk<R: Read + Seek>(
    reader: R,
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
    let mut poms = Vec::new();
    let mut manifest = Vec::new();
    let mut nested = Vec::new();
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index(i) else { continue };
        let n = f.name().to_string();
        if n.starts_with("META-INF/maven/") && n.ends_with("/pom.properties") {
            let data = read_entry(f, MAX_META, budget)?;
            if let Some(gav) = parse_pom_properties(&String::from_utf8_lossy(&data)) {
                poms.push(gav);
            }
        } else if n.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            let data = read_entry(f, MAX_META, budget)?;
            manifest = parse_manifest(&String::from_utf8_lossy(&data));
        } else if is_archive(&n) && !f.is_dir() {
            nested.push(i);
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
    for i in nested {
        let Ok(f) = zip.by_index(i) else { continue };
        let inner_name = super::file_name(f.name()).to_string();
        let data = read_entry(f, MAX_INFLATE, budget)?;
        match walk(Cursor::new(data), &inner_name, path, depth + 1, budget, out) {
            // A nested file named .jar that is not a zip: skip it alone.
            Err(Limit::Zip(_)) => {}
            r => r?,
        }
    }
    Ok(())
}

/// All packages of an archive (nested ones included).
pub fn parse_archive(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let mut budget = Budget {
        inflated: 0,
        entries: 0,
    };
    let mut out = Vec::new();
    walk(
        Cursor::new(content),
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
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_ARCHIVE && is_archive(path)
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(result(
            "jar",
            Ecosystem::Maven,
            parse_archive(path, content)?,
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
}
