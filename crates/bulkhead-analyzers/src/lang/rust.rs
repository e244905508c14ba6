//! Rust: `Cargo.lock` (images too, like Trivy) and binaries built with
//! cargo-auditable (ELF section `.dep-v0`: zlib-compressed JSON).

use super::elf::{ELF_MAGIC, executable_candidate, readable_elf};
use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};
use std::io::Read;

const MAX_LOCK: u64 = 64 * 1024 * 1024;
/// Most bytes the `.dep-v0` JSON may inflate to (cargo-auditable caps at 8 MiB).
const MAX_DEP_JSON: u64 = 8 * 1024 * 1024;

/// `Cargo.lock`.
pub struct CargoLockAnalyzer;

/// Parse `Cargo.lock` (`[[package]]` with name and version; v1–v4).
pub fn parse_cargo_lock(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    let doc: toml::Table = content.parse().map_err(|e: toml::de::Error| {
        AnalyzeError::malformed(path, format!("invalid TOML: {}", e.message()))
    })?;
    let mut out = Vec::new();
    for p in doc
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        let name = p.get("name").and_then(|v| v.as_str()).unwrap_or_default();
        let version = p
            .get("version")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if !name.is_empty() && !version.is_empty() {
            out.push(lang_pkg(Ecosystem::Cargo, name, version, path));
        }
    }
    Ok(out)
}

impl Analyzer for CargoLockAnalyzer {
    fn name(&self) -> &'static str {
        "lang/cargo-lock"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_LOCK && file_name(path) == "Cargo.lock"
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let pkgs = parse_cargo_lock(path, &text(content))?;
        Ok(Some(result("cargo", Ecosystem::Cargo, pkgs)))
    }
}

/// Binaries with cargo-auditable's dependency list.
pub struct AuditableAnalyzer;

/// Read the `.dep-v0` section of an ELF file; `Ok(None)` when the binary
/// has none.
pub fn parse_auditable(path: &str, content: &[u8]) -> Result<Option<Vec<Package>>, AnalyzeError> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("unreadable executable: {e}")))?;
    let Some(section) = file.section_by_name(".dep-v0") else {
        return Ok(None);
    };
    let data = section
        .data()
        .map_err(|e| AnalyzeError::malformed(path, format!("unreadable .dep-v0 section: {e}")))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(MAX_DEP_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| AnalyzeError::malformed(path, format!("bad zlib data in .dep-v0: {e}")))?;
    if json.len() as u64 > MAX_DEP_JSON {
        return Err(AnalyzeError::malformed(
            path,
            ".dep-v0 inflates beyond 8 MiB; ignored",
        ));
    }
    let doc: serde_json::Value = serde_json::from_slice(&json)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON in .dep-v0: {e}")))?;
    let mut out = Vec::new();
    for p in doc
        .get("packages")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        let get = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        // Build-time dependencies are not in the binary.
        if get("kind") == "build" {
            continue;
        }
        let (name, version) = (get("name"), get("version"));
        if !name.is_empty() && !version.is_empty() {
            out.push(lang_pkg(Ecosystem::Cargo, name, version, path));
        }
    }
    Ok(Some(out))
}

impl Analyzer for AuditableAnalyzer {
    fn name(&self) -> &'static str {
        "lang/rustbinary"
    }
    fn version(&self) -> u32 {
        // 2: truncated ELF files give a warning (cached layer results of
        // version 1 had none). This analyzer is the one that warns; see
        // lang/elf.rs.
        2
    }
    fn required(&self, _path: &str, _size: u64) -> bool {
        false
    }
    fn required_file(&self, _path: &str, size: u64, mode: u32) -> bool {
        executable_candidate(size, mode)
    }
    fn sniff_len(&self) -> usize {
        ELF_MAGIC.len()
    }
    fn accepts(&self, head: &[u8]) -> bool {
        head == ELF_MAGIC
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        if !readable_elf(path, content)? {
            return Ok(None);
        }
        Ok(parse_auditable(path, content)?.map(|p| result("rustbinary", Ecosystem::Cargo, p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lock() {
        let l = "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let p = parse_cargo_lock("Cargo.lock", l).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].identifier.purl, "pkg:cargo/smallvec@1.6.0");
        assert!(parse_cargo_lock("Cargo.lock", "[[package]\n").is_err());
    }
}
