//! dpkg: `/var/lib/dpkg/status`, distroless `/var/lib/dpkg/status.d/*`,
//! and installed-file lists `/var/lib/dpkg/info/*.list`.

use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};

/// Most bytes read of a status file (or `status.d` file, or `info/*.list`);
/// a full Debian desktop's status is ~5 MiB. Of a larger one the stanzas
/// in the first 64 MiB are read and the pipeline warns.
const MAX_STATUS: u64 = 64 * 1024 * 1024;
/// Most files kept from one `info/*.list` (the largest Debian packages
/// list ~100 000).
const MAX_LIST_FILES: usize = 1_000_000;

/// Reads dpkg databases.
pub struct DpkgAnalyzer;

fn is_status_d(path: &str) -> bool {
    path.strip_prefix("var/lib/dpkg/status.d/")
        .is_some_and(|name| !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums"))
}

fn is_info_list(path: &str) -> bool {
    path.strip_prefix("var/lib/dpkg/info/")
        .is_some_and(|name| name.ends_with(".list") && !name.contains('/'))
}

/// Split a control file into stanzas of (field, value) pairs. Continuation
/// lines (starting with a space or tab) extend the previous field.
pub fn stanzas(content: &str) -> Vec<Vec<(String, String)>> {
    Stanzas {
        lines: content.lines(),
    }
    .collect()
}

/// The stanzas of a control file one at a time, so a huge file never has
/// all of them in memory.
struct Stanzas<'a> {
    lines: std::str::Lines<'a>,
}

impl Iterator for Stanzas<'_> {
    type Item = Vec<(String, String)>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut cur: Vec<(String, String)> = Vec::new();
        for line in self.lines.by_ref() {
            if line.trim().is_empty() {
                if !cur.is_empty() {
                    return Some(cur);
                }
                continue;
            }
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some((_, v)) = cur.last_mut() {
                    v.push('\n');
                    v.push_str(line.trim());
                }
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                cur.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        (!cur.is_empty()).then_some(cur)
    }
}

/// Parse a dpkg status document into installed packages.
pub fn parse_status(
    path: &str,
    content: &str,
    require_status: bool,
) -> Result<Vec<Package>, AnalyzeError> {
    let mut pkgs = Vec::new();
    let mut seen = 0usize;
    for st in (Stanzas {
        lines: content.lines(),
    }) {
        seen += 1;
        // One more than the cap tells the pipeline to warn (see MAX_PACKAGES).
        if pkgs.len() > crate::MAX_PACKAGES {
            break;
        }
        let get = |k: &str| {
            st.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        };
        let (Some(name), Some(version)) = (get("Package"), get("Version")) else {
            continue;
        };
        if name.is_empty() || version.is_empty() {
            continue;
        }
        // "want flag status": only the last word says whether it is installed.
        if let Some(status) = get("Status") {
            if status.split_whitespace().last() != Some("installed") {
                continue;
            }
        } else if require_status {
            continue;
        }
        let mut p = Package::new(Ecosystem::Dpkg, name, version);
        p.arch = get("Architecture").unwrap_or("").to_string();
        match get("Source") {
            Some(src) if !src.is_empty() => {
                // "Source: name" or "Source: name (version)"
                match src.split_once('(') {
                    Some((n, v)) => {
                        p.src_name = n.trim().to_string();
                        p.src_version = v.trim_end_matches(')').trim().to_string();
                    }
                    None => {
                        p.src_name = src.trim().to_string();
                        p.src_version = version.to_string();
                    }
                }
            }
            _ => {
                p.src_name = name.to_string();
                p.src_version = version.to_string();
            }
        }
        p.file_path = path.to_string();
        pkgs.push(p);
    }
    if seen == 0 && !content.trim().is_empty() {
        return Err(AnalyzeError::malformed(path, "no package stanzas"));
    }
    Ok(pkgs)
}

impl Analyzer for DpkgAnalyzer {
    fn name(&self) -> &'static str {
        "os/dpkg"
    }
    fn version(&self) -> u32 {
        // 2: bounded (package cap, size cap as a warning, hostile-input limits).
        2
    }
    fn required(&self, path: &str, _size: u64) -> bool {
        path == "var/lib/dpkg/status" || is_status_d(path) || is_info_list(path)
    }
    fn read_limit(&self) -> u64 {
        MAX_STATUS
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let content = crate::whole_stanzas(content, MAX_STATUS);
        let content = text(content);
        if is_info_list(path) {
            let name = path
                .trim_start_matches("var/lib/dpkg/info/")
                .trim_end_matches(".list")
                .to_string();
            let files = content
                .lines()
                .map(|l| l.trim_start_matches('/'))
                .filter(|l| !l.is_empty() && *l != ".")
                .take(MAX_LIST_FILES)
                .map(str::to_string)
                .collect();
            return Ok(Some(FileAnalysis::FileList {
                package: name,
                files,
            }));
        }
        // status.d stanzas (distroless) carry no Status field.
        let packages = parse_status(path, &content, path == "var/lib/dpkg/status")?;
        Ok(Some(FileAnalysis::Packages {
            kind: "debian".into(),
            ecosystem: Ecosystem::Dpkg,
            packages,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\nDescription: GNU C Library\n multi-line\n\nPackage: gcc-12-base\nStatus: install ok installed\nArchitecture: amd64\nSource: gcc-12 (12.2.0-14)\nVersion: 12.2.0-14\n\nPackage: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\n";

    #[test]
    fn parses_status() {
        let pkgs = parse_status("var/lib/dpkg/status", STATUS, true).unwrap();
        let got: Vec<_> = pkgs
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.src_name.as_str(),
                    p.src_version.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4"),
                ("gcc-12-base", "12.2.0-14", "gcc-12", "12.2.0-14"),
                ("bash", "5.2.15-2+b2", "bash", "5.2.15-2+b2"),
            ]
        );
    }

    #[test]
    fn distroless_and_lists() {
        assert!(DpkgAnalyzer.required("var/lib/dpkg/status.d/base", 10));
        assert!(!DpkgAnalyzer.required("var/lib/dpkg/status.d/base.md5sums", 10));
        let r = DpkgAnalyzer
            .analyze(
                "var/lib/dpkg/status.d/tzdata",
                b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n",
            )
            .unwrap();
        match r {
            Some(FileAnalysis::Packages { packages, .. }) => assert_eq!(packages.len(), 1),
            other => panic!("{other:?}"),
        }
        let r = DpkgAnalyzer
            .analyze("var/lib/dpkg/info/bash.list", b"/.\n/bin\n/bin/bash\n")
            .unwrap();
        assert_eq!(
            r,
            Some(FileAnalysis::FileList {
                package: "bash".into(),
                files: vec!["bin".into(), "bin/bash".into()]
            })
        );
    }

    #[test]
    fn hostile_status() {
        assert!(parse_status("s", "\u{0}\u{1}garbage without colon", true).is_err());
        assert!(
            parse_status("s", "Package: x\nVersion:\n", true)
                .unwrap()
                .is_empty()
        );
        assert!(parse_status("s", "", true).unwrap().is_empty());
    }

    #[test]
    fn a_cut_status_keeps_whole_stanzas() {
        let s = b"A: 1\n\nB: 2";
        assert_eq!(crate::whole_stanzas(s, 10), b"A: 1\n\n");
        assert_eq!(crate::whole_stanzas(s, 11), s);
        assert_eq!(crate::whole_stanzas(b"no blank line", 5), b"no blank line");
    }

    #[test]
    fn package_count_is_capped_one_past_the_limit() {
        let mut s = String::new();
        for i in 0..crate::MAX_PACKAGES + 50 {
            s.push_str(&format!(
                "Package: p{i}\nStatus: install ok installed\nVersion: 1\n\n"
            ));
        }
        let pkgs = parse_status("var/lib/dpkg/status", &s, true).unwrap();
        assert_eq!(pkgs.len(), crate::MAX_PACKAGES + 1);
    }
}
