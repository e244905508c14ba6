//! apk: `/lib/apk/db/installed`.

use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};

/// Most bytes read of the installed database (Alpine with everything is
/// ~10 MiB); of a larger one the stanzas in the first 64 MiB are read and
/// the pipeline warns.
const MAX_DB: u64 = 64 * 1024 * 1024;
/// Most installed files kept per package (the largest Alpine packages list
/// tens of thousands).
const MAX_FILES: usize = 1_000_000;

/// Reads Alpine's installed database.
pub struct ApkAnalyzer;

/// Parse the installed database: stanzas of `K:value` lines separated by
/// blank lines. `P` name, `V` version, `A` arch, `o` origin (source
/// package), `L` license, `F` directory, `R` file in the last `F`.
pub fn parse_installed(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    let mut pkgs = Vec::new();
    let mut cur: Option<Package> = None;
    let mut dir = String::new();
    let mut saw_field = false;
    let finish = |cur: &mut Option<Package>, pkgs: &mut Vec<Package>| {
        if let Some(mut p) = cur.take()
            && !p.name.is_empty()
            && !p.version.is_empty()
        {
            p.id = format!("{}@{}", p.name, p.version);
            if p.src_name.is_empty() {
                p.src_name = p.name.clone();
            }
            p.src_version = p.version.clone();
            p.file_path = path.to_string();
            pkgs.push(p);
        }
    };
    for line in content.lines() {
        if line.trim().is_empty() {
            finish(&mut cur, &mut pkgs);
            dir.clear();
            // One more than the cap tells the pipeline to warn.
            if pkgs.len() > crate::MAX_PACKAGES {
                break;
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.len() != 1 {
            continue;
        }
        saw_field = true;
        let p = cur.get_or_insert_with(|| Package::new(Ecosystem::Apk, "", ""));
        match k {
            "P" => p.name = v.to_string(),
            "V" => p.version = v.to_string(),
            "A" => p.arch = v.to_string(),
            "o" => p.src_name = v.to_string(),
            "L" if !v.is_empty() => p.licenses = vec![v.to_string()],
            "F" => dir = v.to_string(),
            "R" if p.installed_files.len() < MAX_FILES => {
                let f = if dir.is_empty() {
                    v.to_string()
                } else {
                    format!("{dir}/{v}")
                };
                p.installed_files.push(f);
            }
            _ => {}
        }
    }
    finish(&mut cur, &mut pkgs);
    if !saw_field && !content.trim().is_empty() {
        return Err(AnalyzeError::malformed(
            path,
            "not an apk installed database",
        ));
    }
    Ok(pkgs)
}

impl Analyzer for ApkAnalyzer {
    fn name(&self) -> &'static str {
        "os/apk"
    }
    fn version(&self) -> u32 {
        // 2: bounded (package cap, size cap as a warning, hostile-input limits).
        2
    }
    fn read_limit(&self) -> u64 {
        MAX_DB
    }
    fn required(&self, path: &str, _size: u64) -> bool {
        path == "lib/apk/db/installed"
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let content = crate::whole_stanzas(content, MAX_DB);
        let packages = parse_installed(path, &text(content))?;
        Ok(Some(FileAnalysis::Packages {
            kind: "alpine".into(),
            ecosystem: Ecosystem::Apk,
            packages,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_installed() {
        let db = "C:Q1abc=\nP:libcrypto1.1\nV:1.1.1c-r0\nA:x86_64\nS:1\nI:2\nT:Crypto library from openssl\nU:https://www.openssl.org\nL:OpenSSL\no:openssl\nm:Timo Teras\nt:1559566443\nc:abc\nD:so:libc.musl-x86_64.so.1\nF:lib\nR:libcrypto.so.1.1\nF:usr/lib\nR:libcrypto.so.1.1\n\nP:musl\nV:1.1.22-r3\nA:x86_64\nL:MIT\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\n";
        let pkgs = parse_installed("lib/apk/db/installed", db).unwrap();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[0].name, "libcrypto1.1");
        assert_eq!(pkgs[0].src_name, "openssl");
        assert_eq!(pkgs[0].licenses, vec!["OpenSSL".to_string()]);
        assert_eq!(
            pkgs[0].installed_files,
            vec!["lib/libcrypto.so.1.1", "usr/lib/libcrypto.so.1.1"]
        );
        assert_eq!(pkgs[1].src_name, "musl");
    }

    #[test]
    fn hostile() {
        assert!(parse_installed("x", "no fields at all here").is_err());
        assert!(parse_installed("x", "P:onlyname\n").unwrap().is_empty());
    }
}
