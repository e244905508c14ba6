//! Severity of a record: CVSS v4.0 or v3.x vector (base score computed with
//! the `cvss` crate), else `database_specific.severity` (GHSA style), else a
//! vendor rating in the summary (AlmaLinux `Important: …`), else UNKNOWN.

use bulkhead_osv::Record;
use bulkhead_types::{Cvss, Severity};
use std::collections::BTreeMap;
use std::str::FromStr;

/// A severity with where it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rated {
    pub severity: Severity,
    /// e.g. `ghsa`, `alma`, `rustsec` (see [`crate::source_id`]); empty for UNKNOWN.
    pub source: String,
    pub cvss: BTreeMap<String, Cvss>,
}

/// Base score of a CVSS v3.0/v3.1 vector.
pub fn cvss3_score(vector: &str) -> Option<f64> {
    cvss::v3::Vector::from_str(vector.trim())
        .ok()
        .map(|v| v.score().value())
}

/// Base score of a CVSS v4.0 vector.
pub fn cvss4_score(vector: &str) -> Option<f64> {
    cvss::v4::Vector::from_str(vector.trim())
        .ok()
        .map(|v| v.score().value())
}

/// AlmaLinux/Rocky/Red Hat summaries start with the impact: `Moderate: openssl …`.
fn summary_rating(summary: &str) -> Option<Severity> {
    let (word, _) = summary.split_once(':')?;
    match word.trim().to_ascii_lowercase().as_str() {
        "low" => Some(Severity::Low),
        "moderate" => Some(Severity::Medium),
        "important" => Some(Severity::High),
        "critical" => Some(Severity::Critical),
        _ => None,
    }
}

/// Rate a record.
pub fn rate(rec: &Record) -> Rated {
    let source = crate::source_id(&rec.id).to_string();
    let entries = rec
        .severity
        .iter()
        .chain(rec.affected.iter().flat_map(|a| a.severity.iter()));
    let mut cvss = Cvss::default();
    for e in entries {
        match e.kind.as_str() {
            "CVSS_V4" if cvss.v40_vector.is_empty() => {
                if let Some(s) = cvss4_score(&e.score) {
                    cvss.v40_vector = e.score.clone();
                    cvss.v40_score = Some(s);
                }
            }
            "CVSS_V3" if cvss.v3_vector.is_empty() => {
                if let Some(s) = cvss3_score(&e.score) {
                    cvss.v3_vector = e.score.clone();
                    cvss.v3_score = Some(s);
                }
            }
            _ => {}
        }
    }
    let mut map = BTreeMap::new();
    let from_vector = cvss
        .v40_score
        .or(cvss.v3_score)
        .map(Severity::from_cvss_score);
    if cvss.v40_score.is_some() || cvss.v3_score.is_some() {
        map.insert(source.clone(), cvss);
    }
    if let Some(s) = from_vector
        && s != Severity::Unknown
    {
        return Rated {
            severity: s,
            source,
            cvss: map,
        };
    }
    let db_sev = rec
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .and_then(|s| s.parse::<Severity>().ok())
        .filter(|s| *s != Severity::Unknown);
    if let Some(s) = db_sev {
        return Rated {
            severity: s,
            source,
            cvss: map,
        };
    }
    // Ubuntu-style priority words in severity[].
    if let Some(s) = rec
        .severity
        .iter()
        .filter(|e| e.kind == "Ubuntu")
        .find_map(|e| e.score.parse::<Severity>().ok())
    {
        return Rated {
            severity: s,
            source,
            cvss: map,
        };
    }
    if let Some(s) = summary_rating(&rec.summary) {
        return Rated {
            severity: s,
            source,
            cvss: map,
        };
    }
    Rated {
        severity: Severity::Unknown,
        source: String::new(),
        cvss: map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_scores_match_published_values() {
        // Published NVD/FIRST base scores.
        // CVE-2021-44228 (Log4Shell): 10.0.
        assert_eq!(
            cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Some(10.0)
        );
        // CVE-2014-0160 (Heartbleed, NVD v3.1): 7.5.
        assert_eq!(
            cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
            Some(7.5)
        );
        // CVE-2016-8752 (v3.0 vector, as in PYSEC-2017-105): 7.5.
        assert_eq!(
            cvss3_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
            Some(7.5)
        );
        // FIRST CVSS v4.0 calculator examples.
        assert_eq!(
            cvss4_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(9.3)
        );
        assert_eq!(
            cvss4_score("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(8.5)
        );
        assert_eq!(
            cvss4_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"),
            Some(0.0)
        );
        assert_eq!(cvss3_score("garbage"), None);
    }

    #[test]
    fn rating_sources() {
        let mut r = Record {
            id: "ALSA-2022:6224".into(),
            summary: "Moderate: openssl security update".into(),
            ..Record::default()
        };
        assert_eq!(rate(&r).severity, Severity::Medium);
        assert_eq!(rate(&r).source, "alma");
        r.summary = "openssl - security update".into();
        assert_eq!(rate(&r).severity, Severity::Unknown);
        let g = Record {
            id: "GHSA-xxxx-yyyy-zzzz".into(),
            database_specific: Some(serde_json::json!({"severity": "MODERATE"})),
            ..Record::default()
        };
        assert_eq!(rate(&g).severity, Severity::Medium);
        let c: Record = serde_json::from_str(
            r#"{"id":"PYSEC-1","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}]}"#,
        )
        .unwrap();
        let rc = rate(&c);
        assert_eq!(
            (rc.severity, rc.source.as_str()),
            (Severity::Critical, "pysec")
        );
        assert_eq!(rc.cvss["pysec"].v3_score, Some(10.0));
    }
}
