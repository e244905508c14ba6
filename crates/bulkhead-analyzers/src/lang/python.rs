//! Python: installed distributions (`*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO` as a folder or a plain `*.egg-info` file) and, for
//! `fs` scans, pinned `requirements*.txt`, `poetry.lock`, `Pipfile.lock`,
//! `uv.lock` and `pdm.lock`.

use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};

/// Core metadata headers always come first; a description body can be huge.
const METADATA_LIMIT: u64 = 1024 * 1024;
const MAX_LOCK: u64 = 64 * 1024 * 1024;

/// Installed distributions.
pub struct PythonPkgAnalyzer;

fn is_metadata_path(path: &str) -> bool {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    (dir.ends_with(".dist-info") && file == "METADATA")
        || (dir.ends_with(".egg-info") && (file == "PKG-INFO" || file == "METADATA"))
        || dir.ends_with("/EGG-INFO") && file == "PKG-INFO"
        || file.ends_with(".egg-info")
}

/// Parse core metadata (RFC 822 style headers up to the first blank line).
pub fn parse_metadata(path: &str, content: &str) -> Result<Package, AnalyzeError> {
    let mut name = None;
    let mut version = None;
    let mut license = None;
    let mut expression = None;
    let mut classifiers = Vec::new();
    for line in content.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue; // continuation of a multi-line header (License text)
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v.to_string()),
            "version" => version = Some(v.to_string()),
            "license" if !v.is_empty() && v != "UNKNOWN" => license = Some(v.to_string()),
            "license-expression" if !v.is_empty() => expression = Some(v.to_string()),
            "classifier" => {
                if let Some(rest) = v.strip_prefix("License :: ") {
                    let last = rest.rsplit(" :: ").next().unwrap_or(rest);
                    if last != "OSI Approved" {
                        classifiers.push(last.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    let (Some(name), Some(version)) = (name, version) else {
        return Err(AnalyzeError::malformed(
            path,
            "no Name/Version header in Python package metadata",
        ));
    };
    if name.is_empty() || version.is_empty() {
        return Err(AnalyzeError::malformed(
            path,
            "empty Name or Version in Python package metadata",
        ));
    }
    let mut p = lang_pkg(Ecosystem::Python, &name, &version, path);
    p.licenses = match (expression, license) {
        (Some(e), _) => vec![e],
        (None, Some(l)) if !l.contains('\n') && l.len() <= 100 => vec![l],
        _ => classifiers,
    };
    Ok(p)
}

impl Analyzer for PythonPkgAnalyzer {
    fn name(&self) -> &'static str {
        "lang/python-pkg"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, _size: u64) -> bool {
        is_metadata_path(path)
    }
    fn read_limit(&self) -> u64 {
        METADATA_LIMIT
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let p = parse_metadata(path, &text(content))?;
        Ok(Some(result("python-pkg", Ecosystem::Python, vec![p])))
    }
}

/// Python project lockfiles (`fs` scans).
pub struct PythonLockAnalyzer;

fn lock_kind(path: &str) -> Option<&'static str> {
    let f = file_name(path);
    match f {
        "poetry.lock" => Some("poetry"),
        "Pipfile.lock" => Some("pipenv"),
        "uv.lock" => Some("uv"),
        "pdm.lock" => Some("pdm"),
        _ if f.starts_with("requirements") && f.ends_with(".txt") => Some("pip"),
        _ => None,
    }
}

/// Pinned requirements: `name==version` (extras, markers, hashes and
/// comments ignored; unpinned lines skipped, as they name no version).
pub fn parse_requirements(path: &str, content: &str) -> Vec<Package> {
    let mut out = Vec::new();
    // Join `\` continuations first.
    let joined = content.replace("\\\r\n", " ").replace("\\\n", " ");
    for line in joined.lines() {
        let line = line.split(" #").next().unwrap_or(line).trim();
        if line.is_empty() || line.starts_with(['#', '-']) {
            continue;
        }
        let spec = line.split(';').next().unwrap_or(line);
        let spec = spec.split(" --").next().unwrap_or(spec).trim();
        let Some((name, version)) = spec.split_once("==") else {
            continue;
        };
        let name = name.split('[').next().unwrap_or(name).trim();
        let version = version.trim().trim_start_matches('=');
        if name.is_empty()
            || version.is_empty()
            || version.contains(['*', ',', ' '])
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            continue;
        }
        out.push(lang_pkg(Ecosystem::Python, name, version, path));
    }
    out
}

/// `[[package]]` tables with `name` and `version` (poetry, uv, pdm). uv's
/// editable/virtual project entries (the project itself) are skipped.
pub fn parse_toml_lock(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    let doc: toml::Table = content.parse().map_err(|e: toml::de::Error| {
        AnalyzeError::malformed(path, format!("invalid TOML: {}", e.message()))
    })?;
    let mut out = Vec::new();
    let Some(pkgs) = doc.get("package").and_then(|p| p.as_array()) else {
        return Ok(out);
    };
    for p in pkgs {
        let name = p.get("name").and_then(|v| v.as_str()).unwrap_or_default();
        let version = p
            .get("version")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if name.is_empty() || version.is_empty() {
            continue;
        }
        if let Some(src) = p.get("source").and_then(|s| s.as_table())
            && (src.contains_key("editable") || src.contains_key("virtual"))
        {
            continue;
        }
        out.push(lang_pkg(Ecosystem::Python, name, version, path));
    }
    Ok(out)
}

/// `Pipfile.lock`: the `default` section (development packages are left
/// out, like Trivy without `--include-dev-deps`).
pub fn parse_pipfile_lock(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let doc: serde_json::Value = serde_json::from_slice(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON: {e}")))?;
    let mut out = Vec::new();
    if let Some(deps) = doc.get("default").and_then(|d| d.as_object()) {
        for (name, spec) in deps {
            let Some(v) = spec.get("version").and_then(|v| v.as_str()) else {
                continue;
            };
            let v = v.trim_start_matches("==");
            out.push(lang_pkg(Ecosystem::Python, name, v, path));
        }
    }
    Ok(out)
}

impl Analyzer for PythonLockAnalyzer {
    fn name(&self) -> &'static str {
        "lang/python-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_LOCK && lock_kind(path).is_some()
    }
    fn fs_only(&self) -> bool {
        true
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let Some(kind) = lock_kind(path) else {
            return Ok(None);
        };
        let pkgs = match kind {
            "pip" => parse_requirements(path, &text(content)),
            "pipenv" => parse_pipfile_lock(path, content)?,
            _ => parse_toml_lock(path, &text(content))?,
        };
        Ok(Some(result(kind, Ecosystem::Python, pkgs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_paths() {
        assert!(is_metadata_path(
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA"
        ));
        assert!(is_metadata_path("site-packages/foo.egg-info/PKG-INFO"));
        assert!(is_metadata_path(
            "usr/lib/python3/dist-packages/foo-1.0.egg-info"
        ));
        assert!(!is_metadata_path("site-packages/foo.dist-info/RECORD"));
        assert!(!is_metadata_path("METADATA"));
    }

    #[test]
    fn metadata() {
        let m = "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10.1\nLicense: BSD\nClassifier: License :: OSI Approved :: BSD License\n\nName: ignored body\n";
        let p = parse_metadata("a.dist-info/METADATA", m).unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("Jinja2", "2.10.1"));
        assert_eq!(p.licenses, vec!["BSD"]);
        assert_eq!(p.identifier.purl, "pkg:pypi/jinja2@2.10.1");
        let m = "Name: x\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n";
        assert_eq!(
            parse_metadata("p", m).unwrap().licenses,
            vec!["MIT License"]
        );
        assert!(parse_metadata("p", "garbage").is_err());
        assert!(parse_metadata("p", "\nName: x\nVersion: 1\n").is_err());
    }

    #[test]
    fn requirements() {
        let r = "# c\nflask==0.12.2  # pinned\nRequests[security]==2.19.0 ; python_version > '3'\nsix>=1.0\n-r other.txt\nurllib3==1.24.1 \\\n    --hash=sha256:abc\nbad name==1\n";
        let got: Vec<_> = parse_requirements("requirements.txt", r)
            .into_iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            got,
            vec!["flask@0.12.2", "Requests@2.19.0", "urllib3@1.24.1"]
        );
    }

    #[test]
    fn hostile_locks() {
        assert!(parse_toml_lock("poetry.lock", "[[package]\nname=").is_err());
        assert!(parse_pipfile_lock("Pipfile.lock", b"{\"default\": [").is_err());
        assert!(
            parse_toml_lock("uv.lock", "package = 3")
                .unwrap()
                .is_empty()
        );
    }
}
