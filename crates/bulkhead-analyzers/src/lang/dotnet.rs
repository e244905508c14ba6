//! .NET: `*.deps.json` (runtime dependency manifests) and
//! `packages.lock.json` (NuGet lockfiles). Both are read in images too.

use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis};
use bulkhead_types::{Ecosystem, Package};
use serde_json::Value;

const MAX_FILE: u64 = 64 * 1024 * 1024;

/// `*.deps.json`: the `libraries` map (`Name/Version`), `type: package` only.
pub fn parse_deps_json(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let doc: Value = serde_json::from_slice(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON: {e}")))?;
    let mut out = Vec::new();
    for (key, lib) in doc
        .get("libraries")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if lib.get("type").and_then(Value::as_str) != Some("package") {
            continue;
        }
        if let Some((n, v)) = key.split_once('/')
            && !n.is_empty()
            && !v.is_empty()
        {
            out.push(lang_pkg(Ecosystem::NuGet, n, v, path));
        }
    }
    Ok(out)
}

/// `packages.lock.json`: every target framework's dependencies (`resolved`
/// version), project references skipped.
pub fn parse_packages_lock(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let doc: Value = serde_json::from_slice(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON: {e}")))?;
    let mut out = Vec::new();
    for (_, deps) in doc
        .get("dependencies")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (name, d) in deps.as_object().into_iter().flatten() {
            if d.get("type").and_then(Value::as_str) == Some("Project") {
                continue;
            }
            if let Some(v) = d.get("resolved").and_then(Value::as_str) {
                out.push(lang_pkg(Ecosystem::NuGet, name, v, path));
            }
        }
    }
    Ok(out)
}

/// `*.deps.json` and `packages.lock.json`.
pub struct DotnetAnalyzer;

impl Analyzer for DotnetAnalyzer {
    fn name(&self) -> &'static str {
        "lang/dotnet"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        let f = file_name(path);
        size <= MAX_FILE && (f.ends_with(".deps.json") || f == "packages.lock.json")
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        if file_name(path) == "packages.lock.json" {
            Ok(Some(result(
                "nuget",
                Ecosystem::NuGet,
                parse_packages_lock(path, content)?,
            )))
        } else {
            Ok(Some(result(
                "dotnet-core",
                Ecosystem::NuGet,
                parse_deps_json(path, content)?,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deps_json() {
        let d = br#"{"libraries":{"app/1.0.0":{"type":"project"},"Newtonsoft.Json/12.0.1":{"type":"package"}}}"#;
        let p = parse_deps_json("app/app.deps.json", d).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].identifier.purl, "pkg:nuget/Newtonsoft.Json@12.0.1");
        assert!(parse_deps_json("x", b"nope").is_err());
    }

    #[test]
    fn packages_lock() {
        let l = br#"{"version":1,"dependencies":{"net6.0":{"Newtonsoft.Json":{"type":"Direct","requested":"[12.0.1, )","resolved":"12.0.1"},"lib":{"type":"Project"}}}}"#;
        let ids: Vec<_> = parse_packages_lock("packages.lock.json", l)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec!["Newtonsoft.Json@12.0.1"]);
    }
}
