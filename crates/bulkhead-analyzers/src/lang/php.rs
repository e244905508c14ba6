//! PHP: Composer's `vendor/composer/installed.json` (images and `fs`) and
//! `composer.lock` (`fs` scans).

use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis};
use bulkhead_types::{Ecosystem, Package};
use serde_json::Value;

const MAX_FILE: u64 = 64 * 1024 * 1024;

fn packages_of(path: &str, list: &[Value]) -> Vec<Package> {
    let mut out = Vec::new();
    for p in list {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let version = p.get("version").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let mut pkg = lang_pkg(Ecosystem::Composer, name, version, path);
        pkg.licenses = p
            .get("license")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        out.push(pkg);
    }
    out
}

/// `installed.json`: Composer 2 (`{"packages": [...]}`) or 1 (`[...]`).
pub fn parse_installed(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let doc: Value = serde_json::from_slice(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON: {e}")))?;
    let list = match &doc {
        Value::Array(a) => a.as_slice(),
        _ => doc
            .get("packages")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
    };
    Ok(packages_of(path, list))
}

/// `composer.lock`: `packages` (not `packages-dev`).
pub fn parse_lock(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let doc: Value = serde_json::from_slice(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON: {e}")))?;
    let list = doc
        .get("packages")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    Ok(packages_of(path, list))
}

/// `vendor/composer/installed.json`.
pub struct ComposerInstalledAnalyzer;

impl Analyzer for ComposerInstalledAnalyzer {
    fn name(&self) -> &'static str {
        "lang/composer-vendor"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_FILE
            && (path == "vendor/composer/installed.json"
                || path.ends_with("/vendor/composer/installed.json"))
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(result(
            "composer-vendor",
            Ecosystem::Composer,
            parse_installed(path, content)?,
        )))
    }
}

/// `composer.lock` (`fs` scans).
pub struct ComposerLockAnalyzer;

impl Analyzer for ComposerLockAnalyzer {
    fn name(&self) -> &'static str {
        "lang/composer"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_FILE && file_name(path) == "composer.lock" && !path.contains("vendor/")
    }
    fn fs_only(&self) -> bool {
        true
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(result(
            "composer",
            Ecosystem::Composer,
            parse_lock(path, content)?,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_both_versions() {
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"2.3.5","license":["MIT"]}],"dev":true}"#;
        let v1 = br#"[{"name":"monolog/monolog","version":"1.0.0"}]"#;
        let p = parse_installed("vendor/composer/installed.json", v2).unwrap();
        assert_eq!(p[0].identifier.purl, "pkg:composer/monolog/monolog@2.3.5");
        assert_eq!(p[0].licenses, vec!["MIT"]);
        assert_eq!(parse_installed("x", v1).unwrap()[0].version, "1.0.0");
        assert!(parse_installed("x", b"{").is_err());
    }

    #[test]
    fn lock_skips_dev() {
        let l = br#"{"packages":[{"name":"a/b","version":"v1.0.0"}],"packages-dev":[{"name":"c/d","version":"2.0.0"}]}"#;
        let ids: Vec<_> = parse_lock("composer.lock", l)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec!["a/b@v1.0.0"]);
    }
}
