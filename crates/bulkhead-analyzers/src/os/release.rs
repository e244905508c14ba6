//! OS detection from release files.

use crate::{AnalyzeError, Analyzer, FileAnalysis, OsFacts, text};
use bulkhead_types::OsInfo;

/// Release files, most authoritative first.
pub const RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/lsb-release",
    "etc/almalinux-release",
    "etc/rocky-release",
    "etc/centos-release",
    "etc/fedora-release",
    "etc/oracle-release",
    "etc/redhat-release",
    "etc/system-release",
    "etc/SuSE-release",
];

/// Largest release file read; real ones are under 1 KiB.
const MAX_RELEASE_FILE: u64 = 64 * 1024;

/// Reads release files.
pub struct ReleaseAnalyzer;

fn unquote(v: &str) -> String {
    let v = v.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    v.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// Parse a `KEY=value` file (os-release, lsb-release).
fn key_values(content: &str) -> Vec<(String, String)> {
    content
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.starts_with('#') {
                return None;
            }
            let (k, v) = l.split_once('=')?;
            Some((k.trim().to_string(), unquote(v)))
        })
        .collect()
}

/// Family name from an os-release `ID`.
fn family_from_id(id: &str) -> String {
    match id {
        "rhel" => "redhat".into(),
        "amzn" => "amazon".into(),
        "ol" => "oracle".into(),
        "sles" | "sles_sap" => "sles".into(),
        "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => id.into(),
        "rocky" => "rocky".into(),
        "almalinux" => "almalinux".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// Parse `NAME release X.Y (Codename)` lines of the Red Hat family.
fn parse_redhat_release(line: &str) -> Option<OsFacts> {
    let lower = line.to_ascii_lowercase();
    let family = if lower.starts_with("almalinux") {
        "almalinux"
    } else if lower.starts_with("rocky") {
        "rocky"
    } else if lower.starts_with("centos") {
        "centos"
    } else if lower.starts_with("fedora") {
        "fedora"
    } else if lower.starts_with("oracle") {
        "oracle"
    } else if lower.starts_with("amazon") {
        "amazon"
    } else if lower.starts_with("red hat") {
        "redhat"
    } else {
        return None;
    };
    let version = line
        .split_whitespace()
        .skip_while(|w| !w.eq_ignore_ascii_case("release"))
        .nth(1)
        .unwrap_or("")
        .to_string();
    let codename = line
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(c, _)| c.trim().to_string())
        .unwrap_or_default();
    Some(OsFacts {
        family: family.into(),
        version,
        codename,
        pretty_name: line.trim().into(),
        id_like: vec![],
    })
}

impl Analyzer for ReleaseAnalyzer {
    fn name(&self) -> &'static str {
        "os/release"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_RELEASE_FILE && RELEASE_FILES.contains(&path)
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let content = text(content);
        let facts = match path {
            "etc/os-release" | "usr/lib/os-release" => {
                let kv = key_values(&content);
                let get = |k: &str| {
                    kv.iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let id = get("ID");
                if id.is_empty() {
                    return Err(AnalyzeError::malformed(path, "no ID= line"));
                }
                OsFacts {
                    family: family_from_id(&id),
                    version: get("VERSION_ID"),
                    codename: get("VERSION_CODENAME"),
                    pretty_name: get("PRETTY_NAME"),
                    id_like: get("ID_LIKE")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect(),
                }
            }
            "etc/alpine-release" => OsFacts {
                family: "alpine".into(),
                version: content.trim().to_string(),
                ..Default::default()
            },
            "etc/debian_version" => OsFacts {
                family: "debian".into(),
                version: content.trim().to_string(),
                ..Default::default()
            },
            "etc/lsb-release" => {
                let kv = key_values(&content);
                let get = |k: &str| {
                    kv.iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let id = get("DISTRIB_ID");
                if id.is_empty() {
                    return Ok(None);
                }
                OsFacts {
                    family: id.to_ascii_lowercase(),
                    version: get("DISTRIB_RELEASE"),
                    codename: get("DISTRIB_CODENAME"),
                    pretty_name: get("DISTRIB_DESCRIPTION"),
                    id_like: vec![],
                }
            }
            "etc/SuSE-release" => {
                let first = content.lines().next().unwrap_or("");
                let version = content
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("VERSION = "))
                    .unwrap_or("")
                    .to_string();
                let family = if first.to_ascii_lowercase().contains("opensuse") {
                    "opensuse-leap"
                } else {
                    "sles"
                };
                OsFacts {
                    family: family.into(),
                    version,
                    pretty_name: first.into(),
                    ..Default::default()
                }
            }
            _ => match content.lines().next().and_then(parse_redhat_release) {
                Some(f) => f,
                None => return Ok(None),
            },
        };
        Ok(Some(FileAnalysis::Os {
            source: path.to_string(),
            facts,
        }))
    }
}

/// Combine release facts (by source path) into the image's OS.
///
/// os-release decides the family; Debian's `debian_version` and Alpine's
/// `alpine-release` refine the version (`12.5` rather than `12`), as the
/// advisory data is keyed by those.
pub fn detect(found: &[(String, OsFacts)]) -> Option<OsInfo> {
    let get = |p: &str| found.iter().find(|(s, _)| s == p).map(|(_, f)| f);
    let primary = RELEASE_FILES.iter().find_map(|p| get(p))?;
    let mut info = OsInfo {
        family: primary.family.clone(),
        name: primary.version.clone(),
        codename: primary.codename.clone(),
        pretty_name: primary.pretty_name.clone(),
        distroless: false,
    };
    match info.family.as_str() {
        "debian" => {
            if let Some(dv) = get("etc/debian_version")
                && dv
                    .version
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            {
                info.name = dv.version.clone();
            }
        }
        "alpine" => {
            if let Some(ar) = get("etc/alpine-release") {
                info.name = ar.version.clone();
            }
        }
        _ => {}
    }
    if info.pretty_name.is_empty() {
        info.pretty_name = format!("{} {}", info.family, info.name);
    }
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(path: &str, body: &str) -> OsFacts {
        match ReleaseAnalyzer.analyze(path, body.as_bytes()).unwrap() {
            Some(FileAnalysis::Os { facts, .. }) => facts,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn debian_bookworm() {
        let osr = facts(
            "usr/lib/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        );
        let dv = facts("etc/debian_version", "12.5\n");
        let os = detect(&[
            ("usr/lib/os-release".into(), osr),
            ("etc/debian_version".into(), dv),
        ])
        .unwrap();
        assert_eq!(
            (os.family.as_str(), os.name.as_str(), os.codename.as_str()),
            ("debian", "12.5", "bookworm")
        );
    }

    #[test]
    fn alma_and_alpine() {
        let f = facts(
            "etc/redhat-release",
            "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n",
        );
        assert_eq!(
            (f.family.as_str(), f.version.as_str()),
            ("almalinux", "9.3")
        );
        let f = facts("etc/alpine-release", "3.10.2\n");
        assert_eq!(f.version, "3.10.2");
        let os = detect(&[("etc/alpine-release".into(), f)]).unwrap();
        assert_eq!(os.family, "alpine");
    }

    #[test]
    fn hostile_release_files() {
        assert!(
            ReleaseAnalyzer
                .analyze("etc/os-release", b"\xff\xfe garbage")
                .is_err()
        );
        assert!(
            ReleaseAnalyzer
                .analyze("etc/redhat-release", b"")
                .unwrap()
                .is_none()
        );
        assert!(!ReleaseAnalyzer.required("etc/os-release", 10 * 1024 * 1024));
    }
}
