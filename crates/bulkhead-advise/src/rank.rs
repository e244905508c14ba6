//! Ranking candidate base images, and what each would fix or introduce.
//!
//! Order (best first): fewest CRITICAL findings, then fewest HIGH, then
//! fewest findings in total, then the smallest size (sum of the stored layer
//! sizes), then the closest to the current base: same repository first,
//! then the version-like tag nearest the current tag, then the most layers
//! shared with the current image, then the name.
//!
//! The counts are the candidate's own findings: rebuilding on it leaves the
//! image's own layers as they are, so the difference between candidates is
//! exactly the difference between their findings.

use crate::base::shared_prefix;
use crate::summary::{Counts, UrgentFinding};
use bulkhead_types::{Report, Severity};
use serde::Serialize;
use std::cmp::Ordering;

/// A scanned candidate base image.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// As the user or the registry named it (a name or a path).
    pub name: String,
    /// Its vulnerability scan.
    pub report: Report,
    /// Sum of its stored layer sizes, in bytes (unknown for images in the
    /// Docker daemon).
    pub size: Option<u64>,
    /// Its `rootfs.diff_ids`.
    pub diff_ids: Vec<String>,
}

/// What the candidates are compared with.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    /// The current base image's name, when known.
    pub base_name: Option<&'a str>,
    /// The findings the current base brings (the image's findings in its
    /// base layers, or the base image's own scan).
    pub base_findings: &'a Report,
    /// The current image's `rootfs.diff_ids`.
    pub diff_ids: &'a [String],
}

/// How close a candidate is to the current base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Closeness {
    /// Same repository as the current base.
    pub same_repository: bool,
    /// Per version part, how far the tag is from the current tag (both
    /// version-like, same suffix); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_distance: Option<Vec<u64>>,
    /// Leading layers shared with the current image.
    pub shared_layers: usize,
}

/// One ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Recommendation {
    /// 1 = best.
    pub rank: usize,
    pub name: String,
    /// This is the current base image.
    pub current: bool,
    /// The candidate's own findings.
    pub vulnerabilities: Counts,
    /// Sum of its stored layer sizes, in bytes, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    pub closeness: Closeness,
    /// Findings of the current base that this candidate does not have.
    pub would_fix: Vec<UrgentFinding>,
    /// Findings of this candidate that the current base does not have.
    pub would_introduce: Vec<UrgentFinding>,
}

/// A name split into repository and tag (`@digest` dropped). Docker Hub's
/// implied `docker.io/` and `library/` are removed so `debian:12` and
/// `docker.io/library/debian:12` compare equal, and a name with neither tag
/// nor digest has Docker's implied tag `latest`.
pub fn split_name(name: &str) -> (String, Option<String>) {
    let name = name.trim();
    let (name, digest) = match name.split_once('@') {
        Some((n, _)) => (n, true),
        None => (name, false),
    };
    let (repo, tag) = match name.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') && !t.is_empty() => (r, Some(t.to_string())),
        _ if !digest => (name, Some("latest".to_string())),
        _ => (name, None),
    };
    let mut repo = repo;
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(r) = repo.strip_prefix(prefix) {
            repo = r;
        }
    }
    if let Some(r) = repo.strip_prefix("library/")
        && !r.contains('/')
    {
        repo = r;
    }
    (repo.to_string(), tag)
}

/// Whether two names name the same repository and tag.
pub fn same_name(a: &str, b: &str) -> bool {
    split_name(a) == split_name(b)
}

/// A version-like tag: numbers separated by dots (`12`, `12.1`, `v3.19.1`),
/// optionally followed by a suffix (`-slim`, `-alpine3.20`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagVersion {
    pub parts: Vec<u64>,
    pub suffix: String,
}

/// The most version parts considered (tags are untrusted registry data).
const MAX_PARTS: usize = 8;

impl TagVersion {
    /// Parse a tag; `None` when it does not start with a number.
    pub fn parse(tag: &str) -> Option<TagVersion> {
        let t = tag.strip_prefix('v').unwrap_or(tag);
        let mut parts = Vec::new();
        let mut rest = t;
        loop {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            let (num, after) = rest.split_at(end);
            parts.push(num.parse::<u64>().ok()?);
            rest = after;
            if parts.len() >= MAX_PARTS {
                break;
            }
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
                _ => break,
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(TagVersion {
            parts,
            suffix: rest.to_string(),
        })
    }

    /// Per-part distance to another version with the same suffix.
    pub fn distance(&self, other: &TagVersion) -> Option<Vec<u64>> {
        if self.suffix != other.suffix {
            return None;
        }
        let n = self.parts.len().max(other.parts.len());
        Some(
            (0..n)
                .map(|i| {
                    let a = self.parts.get(i).copied().unwrap_or(0);
                    let b = other.parts.get(i).copied().unwrap_or(0);
                    a.abs_diff(b)
                })
                .collect(),
        )
    }
}

fn tag_distance(current: Option<&str>, tag: Option<&str>) -> Option<Vec<u64>> {
    let a = TagVersion::parse(current?)?;
    let b = TagVersion::parse(tag?)?;
    a.distance(&b)
}

/// Distances compare part by part; a missing distance is the farthest.
fn cmp_distance(a: &Option<Vec<u64>>, b: &Option<Vec<u64>>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Tags that name signatures, attestations or referrers, not images.
fn is_artifact_tag(tag: &str) -> bool {
    tag.starts_with("sha256-") || [".sig", ".att", ".sbom"].iter().any(|s| tag.ends_with(s))
}

/// The tags worth scanning, closest to `current` first, at most `max`
/// (the current tag always kept); returns them and how many were left out.
pub fn nearest_tags(current: Option<&str>, tags: &[String], max: usize) -> (Vec<String>, usize) {
    let mut keep: Vec<&String> = tags.iter().filter(|t| !is_artifact_tag(t)).collect();
    keep.sort();
    keep.dedup();
    keep.sort_by(|a, b| {
        let is_a = Some(a.as_str()) == current;
        let is_b = Some(b.as_str()) == current;
        is_b.cmp(&is_a)
            .then_with(|| {
                cmp_distance(
                    &tag_distance(current, Some(a)),
                    &tag_distance(current, Some(b)),
                )
            })
            .then_with(|| a.cmp(b))
    });
    let total = keep.len();
    let chosen: Vec<String> = keep.into_iter().take(max.max(1)).cloned().collect();
    let left = total - chosen.len();
    (chosen, left)
}

fn brief(v: &[bulkhead_types::Vulnerability]) -> Vec<UrgentFinding> {
    let mut v: Vec<&bulkhead_types::Vulnerability> = v.iter().collect();
    v.sort_by(|a, b| crate::summary::urgency(a, b));
    v.into_iter().map(UrgentFinding::of).collect()
}

/// Rank the candidates (see the module docs for the order).
pub fn rank(current: &Current<'_>, candidates: Vec<Candidate>) -> Vec<Recommendation> {
    let (base_repo, base_tag) = match current.base_name {
        Some(n) => {
            let (r, t) = split_name(n);
            (Some(r), t)
        }
        None => (None, None),
    };
    let mut out: Vec<Recommendation> = candidates
        .into_iter()
        .map(|c| {
            let (repo, tag) = split_name(&c.name);
            let same_repository = base_repo.as_deref() == Some(repo.as_str());
            let delta = bulkhead_diff::vuln_delta(current.base_findings, &c.report);
            Recommendation {
                rank: 0,
                current: same_repository && base_tag.is_some() && tag == base_tag,
                vulnerabilities: Counts::of(&c.report),
                size: c.size,
                closeness: Closeness {
                    same_repository,
                    tag_distance: if same_repository {
                        tag_distance(base_tag.as_deref(), tag.as_deref())
                    } else {
                        None
                    },
                    shared_layers: shared_prefix(current.diff_ids, &c.diff_ids),
                },
                would_fix: brief(&delta.fixed),
                would_introduce: brief(&delta.introduced),
                name: c.name,
            }
        })
        .collect();
    out.sort_by(order);
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    out
}

fn order(a: &Recommendation, b: &Recommendation) -> Ordering {
    let (va, vb) = (&a.vulnerabilities, &b.vulnerabilities);
    va.at(Severity::Critical)
        .cmp(&vb.at(Severity::Critical))
        .then_with(|| va.at(Severity::High).cmp(&vb.at(Severity::High)))
        .then_with(|| va.total.cmp(&vb.total))
        .then_with(|| match (a.size, b.size) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| {
            b.closeness
                .same_repository
                .cmp(&a.closeness.same_repository)
        })
        .then_with(|| cmp_distance(&a.closeness.tag_distance, &b.closeness.tag_distance))
        .then_with(|| b.closeness.shared_layers.cmp(&a.closeness.shared_layers))
        .then_with(|| a.name.cmp(&b.name))
}

/// Where the current base's findings (the "before" of every "would fix"
/// list) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseFindingsSource {
    /// The current image's findings in the layers it shares with its base.
    BaseLayers,
    /// A scan of the current base image (its layers are not in the image,
    /// e.g. the image was squashed or the base re-pushed).
    BaseScan,
    /// The base is unknown: the current image's OS-package findings stand
    /// in for it.
    OsPackages,
}

/// Everything `--recommend` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Advice {
    pub artifact_name: String,
    /// The current base image, when identified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_image: Option<crate::base::BaseImage>,
    /// Where the current base's findings came from.
    pub base_findings_from: BaseFindingsSource,
    /// The current base's findings.
    pub base_findings: Counts,
    /// Best first.
    pub candidates: Vec<Recommendation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The findings of `report` brought by its first `layers` layers (a
/// finding without a layer cannot be placed and is left out).
pub fn findings_in_layers(report: &Report, layers: usize) -> Report {
    let mut out = report.clone();
    for r in &mut out.results {
        r.vulnerabilities
            .retain(|v| v.layer.as_ref().is_some_and(|l| l.index < layers));
        r.secrets.clear();
        r.misconfigurations.clear();
    }
    out
}

/// The OS-package findings of `report` only.
pub fn os_findings(report: &Report) -> Report {
    let mut out = report.clone();
    out.results
        .retain(|r| r.class == bulkhead_types::Class::OsPkgs);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::testutil::{report_with, vuln};
    use bulkhead_types::VulnStatus;

    fn cand(name: &str, size: u64, vulns: Vec<bulkhead_types::Vulnerability>) -> Candidate {
        Candidate {
            name: name.into(),
            report: report_with(vulns),
            size: Some(size),
            diff_ids: vec!["sha256:base".into()],
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            split_name("docker.io/library/debian:12"),
            ("debian".into(), Some("12".into()))
        );
        assert_eq!(
            split_name("debian"),
            ("debian".into(), Some("latest".into()))
        );
        assert_eq!(split_name("debian@sha256:ab"), ("debian".into(), None));
        assert!(same_name("debian", "docker.io/library/debian:latest"));
        assert!(same_name("debian:12", "docker.io/library/debian:12"));
        assert!(!same_name("debian:12", "debian:12.1"));
        assert_eq!(
            split_name("127.0.0.1:5000/base:12.1@sha256:ab"),
            ("127.0.0.1:5000/base".into(), Some("12.1".into()))
        );
        assert_eq!(
            split_name("127.0.0.1:5000/base"),
            ("127.0.0.1:5000/base".into(), Some("latest".into()))
        );
        assert_eq!(
            split_name("docker.io/library/x/y:1"),
            ("library/x/y".into(), Some("1".into()))
        );
    }

    #[test]
    fn tag_versions() {
        let t = TagVersion::parse("v3.19.1-slim").unwrap();
        assert_eq!(t.parts, [3, 19, 1]);
        assert_eq!(t.suffix, "-slim");
        assert_eq!(TagVersion::parse("latest"), None);
        assert_eq!(TagVersion::parse("12.").unwrap().suffix, ".");
        assert_eq!(TagVersion::parse("99999999999999999999999"), None);
        assert_eq!(
            TagVersion::parse(&"1.".repeat(100)).unwrap().parts.len(),
            MAX_PARTS
        );
        let d = |a: &str, b: &str| tag_distance(Some(a), Some(b));
        assert_eq!(d("12.1", "12.3"), Some(vec![0, 2]));
        assert_eq!(d("12.1", "13"), Some(vec![1, 1]));
        assert_eq!(d("12.1", "12.1-slim"), None);
        assert!(d("12.1", "12.2") < d("12.1", "13.0"));
    }

    #[test]
    fn nearest_tags_keep_current_and_closest() {
        let tags: Vec<String> = [
            "latest",
            "11.9",
            "12.0",
            "12.1",
            "12.2",
            "13.1",
            "sha256-abc.sig",
            "12.2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (chosen, left) = nearest_tags(Some("12.1"), &tags, 3);
        assert_eq!(chosen, ["12.1", "12.0", "12.2"]);
        assert_eq!(left, 3);
        let (chosen, left) = nearest_tags(None, &tags, 100);
        assert_eq!(chosen.len(), 6);
        assert_eq!(left, 0);
    }

    #[test]
    fn ranking_and_fix_lists() {
        let base = report_with(vec![
            vuln("CVE-1", "openssl", Severity::Critical, VulnStatus::Fixed),
            vuln("CVE-2", "zlib", Severity::High, VulnStatus::Fixed),
            vuln("CVE-3", "tiff", Severity::Low, VulnStatus::Affected),
        ]);
        let ids = vec!["sha256:base".to_string(), "sha256:app".to_string()];
        let current = Current {
            base_name: Some("reg.example/base:12.1"),
            base_findings: &base,
            diff_ids: &ids,
        };
        let candidates = vec![
            cand(
                "reg.example/base:12.1",
                100,
                base.results[0].vulnerabilities.clone(),
            ),
            cand(
                "reg.example/base:12.3",
                200,
                vec![
                    vuln("CVE-3", "tiff", Severity::Low, VulnStatus::Affected),
                    vuln("CVE-9", "curl", Severity::Medium, VulnStatus::Fixed),
                ],
            ),
            cand(
                "reg.example/base:12.2",
                200,
                vec![
                    vuln("CVE-3", "tiff", Severity::Low, VulnStatus::Affected),
                    vuln("CVE-8", "curl", Severity::Low, VulnStatus::Fixed),
                ],
            ),
            cand(
                "other/img:1",
                200,
                vec![
                    vuln("CVE-3", "tiff", Severity::Low, VulnStatus::Affected),
                    vuln("CVE-7", "x", Severity::Low, VulnStatus::Fixed),
                ],
            ),
            cand(
                "small/img:1",
                50,
                vec![vuln("CVE-6", "y", Severity::High, VulnStatus::Fixed)],
            ),
        ];
        let ranked = rank(&current, candidates);
        let names: Vec<&str> = ranked.iter().map(|r| r.name.as_str()).collect();
        // 12.2 and 12.3 tie on counts and size: the nearer tag wins; the
        // other repository ties too but is not the same repository.
        assert_eq!(
            names,
            [
                "reg.example/base:12.2",
                "reg.example/base:12.3",
                "other/img:1",
                "small/img:1",
                "reg.example/base:12.1"
            ]
        );
        assert_eq!(ranked[0].rank, 1);
        assert_eq!(ranked[0].closeness.tag_distance, Some(vec![0, 1]));
        let fixed: Vec<&str> = ranked[0]
            .would_fix
            .iter()
            .map(|f| f.vulnerability_id.as_str())
            .collect();
        assert_eq!(fixed, ["CVE-1", "CVE-2"]);
        assert_eq!(ranked[0].would_introduce.len(), 1);
        assert_eq!(ranked[0].would_introduce[0].vulnerability_id, "CVE-8");
        assert!(ranked[4].current);
        assert!(ranked[4].would_fix.is_empty() && ranked[4].would_introduce.is_empty());
        assert!(!ranked[2].closeness.same_repository);
        assert_eq!(ranked[2].closeness.tag_distance, None);
        assert_eq!(ranked[2].closeness.shared_layers, 1);
    }
}
