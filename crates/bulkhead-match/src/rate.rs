//! Rating a finding from the database's rating data, by its CVE ids
//! (`docs/ratings.md`).
//!
//! Order of sources for `Severity` / `SeveritySource`:
//! 1. the advisory's own rating (its CVSS vector, GHSA's
//!    `database_specific.severity`, AlmaLinux's `Important:` …): the vendor
//!    that shipped the package knows how it is built and used there, which
//!    is also Trivy's first choice;
//! 2. NVD's Primary metric (`nvd`): one analyst team scoring every CVE the
//!    same way, the reference Trivy and Grype fall back to, so gates agree
//!    with theirs;
//! 3. the CNA's own score (`cna`: CVE JSON 5 `containers.cna`, NVD
//!    Secondary): the product's maintainer, present for recent CVEs that NVD
//!    has not analysed;
//! 4. CISA-ADP (`cisa-adp`): CISA's enrichment of CVEs left unscored.
//!
//! Within a source the newest CVSS version wins (4.0, 3.1, 3.0, 2.0). A
//! finding with several CVE ids takes the highest rating among them; EPSS
//! the highest score; KEV when any of them is listed.

use crate::severity::Rated;
use bulkhead_osv::{CveRating, CvssEntry};
use bulkhead_types::rating::severity_number;
use bulkhead_types::{Cvss, Epss, KevDetail, Severity, Vulnerability};
use std::collections::BTreeMap;

/// CVE rating sources after the advisory's own, in order of preference.
pub const SOURCE_ORDER: [&str; 3] = [
    bulkhead_osv::ratings::SRC_NVD,
    bulkhead_osv::ratings::SRC_CNA,
    bulkhead_osv::ratings::SRC_CISA_ADP,
];

/// Severity of one CVSS entry: from its score (v2 has no CRITICAL), else as
/// the source wrote it.
fn entry_severity(e: &CvssEntry) -> Severity {
    match (e.score, e.version.as_str()) {
        (Some(s), "2.0") if s > 0.0 => Severity::from_cvss_v2_score(s),
        (Some(s), _) if s > 0.0 => Severity::from_cvss_score(s),
        _ => match e.severity.as_str() {
            "CRITICAL" => Severity::Critical,
            "HIGH" => Severity::High,
            "MEDIUM" => Severity::Medium,
            "LOW" => Severity::Low,
            _ => Severity::Unknown,
        },
    }
}

/// One source's view of one CVE: its CVSS (one entry per version) and the
/// severity of its newest version.
struct SourceView {
    cvss: Cvss,
    severity: Severity,
    score: Option<f64>,
}

fn views(r: &CveRating) -> BTreeMap<&str, SourceView> {
    let mut out: BTreeMap<&str, SourceView> = BTreeMap::new();
    // Newest version first, so the first entry of a source rates it.
    let mut entries: Vec<&CvssEntry> = r.cvss.iter().collect();
    entries.sort_by(|a, b| b.version.cmp(&a.version));
    for e in entries {
        let view = out.entry(e.source.as_str()).or_insert_with(|| SourceView {
            cvss: Cvss::default(),
            severity: Severity::Unknown,
            score: None,
        });
        let c = &mut view.cvss;
        let slot = match e.version.as_str() {
            "4.0" => (&mut c.v40_vector, &mut c.v40_score),
            "3.1" | "3.0" => (&mut c.v3_vector, &mut c.v3_score),
            "2.0" => (&mut c.v2_vector, &mut c.v2_score),
            _ => continue,
        };
        if slot.0.is_empty() {
            *slot.0 = e.vector.clone();
            *slot.1 = e.score;
        }
        if view.severity == Severity::Unknown {
            view.severity = entry_severity(e);
            view.score = e.score;
        }
    }
    out
}

/// Rate `v` from its advisory's rating and its CVEs' rating data. Returns
/// why it stays UNKNOWN, when it does.
pub fn apply(v: &mut Vulnerability, record: &Rated, cves: &[(&str, &CveRating)]) -> Option<String> {
    v.cvss = record.cvss.clone();
    v.vendor_severity.clear();
    v.severity = Severity::Unknown;
    v.severity_source.clear();
    if record.severity != Severity::Unknown {
        v.vendor_severity
            .insert(record.source.clone(), severity_number(record.severity));
        v.severity = record.severity;
        v.severity_source = record.source.clone();
    }
    // The best candidate among the CVEs: (severity, score, source, index).
    let mut best: Option<(Severity, f64, &str, usize)> = None;
    let all: Vec<BTreeMap<&str, SourceView>> = cves.iter().map(|(_, r)| views(r)).collect();
    for (i, views) in all.iter().enumerate() {
        for (src, view) in views {
            let n = severity_number(view.severity);
            let slot = v.vendor_severity.entry((*src).to_string()).or_insert(n);
            *slot = (*slot).max(n);
        }
        let pick = SOURCE_ORDER.iter().find_map(|s| {
            views
                .get(s)
                .filter(|v| v.severity != Severity::Unknown)
                .map(|v| (*s, v))
        });
        if let Some((src, view)) = pick {
            let cand = (view.severity, view.score.unwrap_or(0.0), src, i);
            if best.is_none_or(|b| (cand.0, cand.1) > (b.0, b.1)) {
                best = Some(cand);
            }
        }
    }
    v.vendor_severity.retain(|_, n| *n > 0);
    // CVSS per source: the chosen CVE's first, then the others' where a
    // source has none yet.
    let chosen = best.map(|b| b.3);
    let order = chosen
        .into_iter()
        .chain((0..all.len()).filter(|i| Some(*i) != chosen));
    for i in order {
        if let Some(views) = all.get(i) {
            for (src, view) in views {
                if !view.cvss.is_empty() {
                    v.cvss
                        .entry((*src).to_string())
                        .or_insert_with(|| view.cvss.clone());
                }
            }
        }
    }
    if v.severity == Severity::Unknown
        && let Some((sev, _, src, _)) = best
    {
        v.severity = sev;
        v.severity_source = src.to_string();
    }
    // EPSS: the highest; KEV: any, with the earliest date.
    v.epss = cves
        .iter()
        .filter_map(|(_, r)| r.epss.as_ref())
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .map(|e| Epss {
            score: e.score,
            percentile: e.percentile,
            date: e.date.clone(),
        });
    let kevs: Vec<_> = cves.iter().filter_map(|(_, r)| r.kev.as_ref()).collect();
    v.kev = !kevs.is_empty();
    v.kev_detail = (!kevs.is_empty()).then(|| KevDetail {
        date_added: kevs
            .iter()
            .filter_map(|k| k.date_added.clone())
            .min()
            .unwrap_or_default(),
        ransomware: kevs.iter().any(|k| k.ransomware),
    });
    v.set_risk();
    if v.severity != Severity::Unknown {
        return None;
    }
    Some(if cves.is_empty() {
        "no CVE alias to rate it by".to_string()
    } else if cves.iter().all(|(_, r)| r.cvss.is_empty()) {
        let ids: Vec<&str> = cves.iter().map(|(id, _)| *id).collect();
        format!("no CVSS data for {} in the database", ids.join(", "))
    } else {
        "its CVSS data has no usable score or severity".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_osv::{EpssScore, KevInfo};

    fn e(source: &str, version: &str, score: f64) -> CvssEntry {
        CvssEntry {
            source: source.into(),
            version: version.into(),
            vector: format!("CVSS:{version}/X"),
            score: Some(score),
            severity: String::new(),
        }
    }

    #[test]
    fn order_vendor_then_nvd_then_cna_then_adp() {
        let r = CveRating {
            cvss: vec![
                e("cisa-adp", "3.1", 9.8),
                e("cna", "3.1", 5.0),
                e("nvd", "3.1", 7.8),
                e("nvd", "2.0", 7.2),
            ],
            epss: Some(EpssScore {
                score: 0.99,
                percentile: 0.999,
                date: "2026-08-16".into(),
            }),
            kev: Some(KevInfo {
                date_added: Some("2022-04-06".into()),
                ransomware: false,
            }),
        };
        let mut v = Vulnerability::default();
        assert_eq!(apply(&mut v, &Rated::default(), &[("CVE-1", &r)]), None);
        assert_eq!(
            (v.severity, v.severity_source.as_str()),
            (Severity::High, "nvd")
        );
        assert_eq!(v.cvss["nvd"].v3_score, Some(7.8));
        assert_eq!(v.cvss["nvd"].v2_score, Some(7.2));
        assert_eq!(v.vendor_severity["cisa-adp"], 4);
        assert_eq!(v.vendor_severity["cna"], 2);
        assert!(v.kev);
        assert_eq!(
            v.kev_detail.as_ref().map(|k| k.date_added.as_str()),
            Some("2022-04-06")
        );
        assert_eq!(v.epss.as_ref().map(|e| e.score), Some(0.99));
        // The advisory's own rating comes first.
        let vendor = Rated {
            severity: Severity::Medium,
            source: "alma".into(),
            cvss: BTreeMap::new(),
        };
        apply(&mut v, &vendor, &[("CVE-1", &r)]);
        assert_eq!(
            (v.severity, v.severity_source.as_str()),
            (Severity::Medium, "alma")
        );
        assert_eq!(v.vendor_severity["alma"], 2);
        // Without NVD: the CNA, then CISA-ADP.
        let cna_only = CveRating {
            cvss: vec![e("cisa-adp", "3.1", 9.8), e("cna", "4.0", 6.0)],
            ..CveRating::default()
        };
        apply(&mut v, &Rated::default(), &[("CVE-1", &cna_only)]);
        assert_eq!(
            (v.severity, v.severity_source.as_str()),
            (Severity::Medium, "cna")
        );
        assert_eq!(v.cvss["cna"].v40_score, Some(6.0));
    }

    #[test]
    fn several_cves_take_the_highest_and_unrated_says_why() {
        let low = CveRating {
            cvss: vec![e("nvd", "3.1", 3.1)],
            ..CveRating::default()
        };
        let high = CveRating {
            cvss: vec![e("cna", "3.1", 8.1)],
            ..CveRating::default()
        };
        let mut v = Vulnerability::default();
        apply(
            &mut v,
            &Rated::default(),
            &[("CVE-1", &low), ("CVE-2", &high)],
        );
        assert_eq!(
            (v.severity, v.severity_source.as_str()),
            (Severity::High, "cna")
        );
        assert_eq!(v.cvss["nvd"].v3_score, Some(3.1));
        let none = CveRating::default();
        let why = apply(&mut v, &Rated::default(), &[("CVE-9", &none)]);
        assert_eq!(
            why.as_deref(),
            Some("no CVSS data for CVE-9 in the database")
        );
        assert_eq!(v.severity, Severity::Unknown);
        assert!(v.cvss.is_empty() && !v.kev && v.epss.is_none());
        let why = apply(&mut v, &Rated::default(), &[]);
        assert_eq!(why.as_deref(), Some("no CVE alias to rate it by"));
        // A v2-only score of 10 is HIGH (v2 has no CRITICAL).
        let v2 = CveRating {
            cvss: vec![e("nvd", "2.0", 10.0)],
            ..CveRating::default()
        };
        apply(&mut v, &Rated::default(), &[("CVE-3", &v2)]);
        assert_eq!(v.severity, Severity::High);
    }
}
