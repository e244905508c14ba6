//! `/etc/passwd`: the image's users, so image-config checks can resolve a
//! `USER name` to its UID (a name mapping to UID 0 is root).
//!
//! Why hand-written: the format is seven `:`-separated fields per line; the
//! crates that read it (`pwd`, `users`) call libc on the host's own
//! database, not on a file from an image.

use crate::{AnalyzeError, Analyzer, FileAnalysis};
/// One line of `/etc/passwd` (plain data of `bulkhead-types`).
pub use bulkhead_types::PasswdEntry;

/// Files larger than this are not a real passwd file.
const MAX_PASSWD: u64 = 4 << 20;

/// Parse passwd text; malformed lines (wrong field count, non-numeric ids)
/// are skipped, as libc's getpwent does.
pub fn parse(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let [name, _pw, uid, gid, _gecos, home, shell] = f.as_slice() else {
                return None;
            };
            if name.is_empty() || name.starts_with(['+', '-']) {
                return None; // NIS compat entries
            }
            Some(PasswdEntry {
                name: (*name).to_string(),
                uid: uid.trim().parse().ok()?,
                gid: gid.trim().parse().ok()?,
                home: (*home).to_string(),
                shell: shell.trim_end_matches('\r').to_string(),
            })
        })
        .collect()
}

/// Reads `etc/passwd`.
pub struct PasswdAnalyzer;

impl Analyzer for PasswdAnalyzer {
    fn name(&self) -> &'static str {
        "passwd"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_PASSWD && path == "etc/passwd"
    }
    fn analyze(&self, _path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(FileAnalysis::Users {
            entries: parse(&String::from_utf8_lossy(content)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_skips_bad_lines() {
        let t = "root:x:0:0:root:/root:/bin/bash\n# comment\n+::::::\nbad line\napp:x:10001:10001::/home/app:/sbin/nologin\r\nx:x:notanumber:1::/:/bin/sh\n";
        let e = parse(t);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "root");
        assert_eq!(e[0].uid, 0);
        assert_eq!(e[1].name, "app");
        assert_eq!(e[1].uid, 10001);
        assert_eq!(e[1].shell, "/sbin/nologin");
    }

    #[test]
    fn analyzer_reads_only_etc_passwd() {
        let a = PasswdAnalyzer;
        assert!(a.required("etc/passwd", 100));
        assert!(!a.required("etc/passwd-", 100));
        assert!(!a.required("etc/passwd", MAX_PASSWD + 1));
        let r = a
            .analyze("etc/passwd", b"root:x:0:0::/root:/bin/sh\n")
            .unwrap();
        assert!(matches!(r, Some(FileAnalysis::Users { entries }) if entries.len() == 1));
    }
}
