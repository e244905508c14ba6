//! What a vulnerability's rating means in numbers: the score a finding is
//! sorted and gated by, the risk score, the SARIF `security-severity` and
//! Harbor's `preferred_cvss`. Computed here, from the report fields alone,
//! so every format and command agrees (`docs/ratings.md`).

use crate::{Severity, Vulnerability};
use serde::{Deserialize, Serialize};

/// A CVE's FIRST EPSS score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Epss {
    /// Probability of exploitation activity in the next 30 days (0–1).
    pub score: f64,
    /// Share of all scored CVEs with a lower or equal score (0–1).
    pub percentile: f64,
    /// `YYYY-MM-DD` of the scores, empty when the file did not say.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
}

/// A CVE's entry in CISA's Known Exploited Vulnerabilities catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KevDetail {
    /// `YYYY-MM-DD`, empty when unknown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date_added: String,
    /// `knownRansomwareCampaignUse` is `Known`.
    #[serde(default)]
    pub ransomware: bool,
}

/// Harbor's `preferred_cvss`: the v4.0, v3 and v2 scores and vectors of the
/// source that gave the finding its severity. Computed here once, for the
/// Harbor scanner adapter's report (`Vulnerability::preferred_cvss`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PreferredCvss {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_v4: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_v3: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_v2: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vector_v4: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vector_v3: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vector_v2: String,
}

/// Trivy's vendor-severity number: 0 UNKNOWN, 1 LOW … 4 CRITICAL.
pub fn severity_number(sev: Severity) -> u8 {
    match sev {
        Severity::Unknown => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The inverse of [`severity_number`] (anything above 4 is CRITICAL).
pub fn severity_of_number(n: u8) -> Severity {
    match n {
        0 => Severity::Unknown,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        _ => Severity::Critical,
    }
}

/// The score standing for a severity when no CVSS score is known: the
/// middle of the severity's CVSS band (UNKNOWN counts as MEDIUM's middle, so
/// an unrated finding is neither ignored nor put first).
pub fn severity_midpoint(sev: Severity) -> f64 {
    match sev {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Unknown => 5.0,
    }
}

/// Short name of the source of an advisory id, for `SeveritySource`,
/// `VendorSeverity` and the `CVSS` map: `DSA-…` → `debian`, `GHSA-…` →
/// `ghsa`, `CVE-…` → `nvd`, unknown prefixes → `osv`.
pub fn advisory_source(id: &str) -> &'static str {
    let prefix = id.split('-').next().unwrap_or(id);
    match prefix {
        "DSA" | "DLA" | "DTSA" => "debian",
        "ALPINE" => "alpine",
        "ALSA" | "ALBA" | "ALEA" => "alma",
        "RLSA" => "rocky",
        "GHSA" => "ghsa",
        "PYSEC" => "pysec",
        "RUSTSEC" => "rustsec",
        "GO" => "go",
        "USN" | "UBUNTU" => "ubuntu",
        "CVE" => "nvd",
        _ => "osv",
    }
}

/// SARIF `security-severity` for a severity without a score: the middle of
/// its band, 0 for UNKNOWN.
pub fn severity_security_score(sev: Severity) -> f64 {
    if sev == Severity::Unknown {
        0.0
    } else {
        severity_midpoint(sev)
    }
}

impl Vulnerability {
    /// The CVSS base score of the rating the finding's severity came from
    /// (`SeveritySource`). A severity from a source without a score (a
    /// vendor's word) has none: its band middle stands for it elsewhere.
    /// An UNKNOWN finding takes the highest score any source gave.
    pub fn cvss_score(&self) -> Option<f64> {
        if let Some(s) = self
            .cvss
            .get(&self.severity_source)
            .and_then(|c| c.best_score())
        {
            return Some(s);
        }
        if self.severity != Severity::Unknown {
            return None;
        }
        self.cvss
            .values()
            .filter_map(|c| c.best_score())
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
    }

    /// The EPSS probability, 0 when unknown.
    pub fn epss_score(&self) -> f64 {
        self.epss.as_ref().map_or(0.0, |e| e.score)
    }

    /// The number code-scanning UIs sort by (SARIF `security-severity`):
    /// the CVSS score of the rating, else the severity's midpoint; 0 for an
    /// UNKNOWN finding without a score.
    pub fn security_severity(&self) -> f64 {
        self.cvss_score()
            .unwrap_or_else(|| severity_security_score(self.severity))
    }

    /// Harbor's `preferred_cvss`, from the source of the severity (else the
    /// first source with a v3 score, then v4.0, then v2).
    pub fn preferred_cvss(&self) -> Option<PreferredCvss> {
        let c = self
            .cvss
            .get(&self.severity_source)
            .filter(|c| c.best_score().is_some())
            .or_else(|| self.cvss.values().find(|c| c.v3_score.is_some()))
            .or_else(|| self.cvss.values().find(|c| c.v40_score.is_some()))
            .or_else(|| self.cvss.values().find(|c| c.v2_score.is_some()))?;
        Some(PreferredCvss {
            score_v4: c.v40_score,
            vector_v4: c.v40_vector.clone(),
            score_v3: c.v3_score,
            score_v2: c.v2_score,
            vector_v3: c.v3_vector.clone(),
            vector_v2: c.v2_vector.clone(),
        })
    }

    /// Compute and store [`risk`].
    pub fn set_risk(&mut self) {
        self.risk = Some(risk(self));
    }

    /// The stored risk, or computed when absent.
    pub fn risk_score(&self) -> f64 {
        self.risk.unwrap_or_else(|| risk(self))
    }
}

/// Risk score, 0–100, one decimal:
///
/// `risk = 100 × impact × threat`, where
/// - `impact` = the CVSS base score of the rating / 10, else the severity's
///   midpoint / 10 ([`severity_midpoint`]);
/// - `threat` = the EPSS probability (at least 0.01, so findings without an
///   EPSS score still order by impact); for a known-exploited CVE (KEV) at
///   least 0.95, and 1.0 when ransomware campaigns are known to use it.
///
/// Like Grype's, exploitation likelihood scales impact, and KEV lifts a
/// finding to the top of its impact band: a HIGH CVE under active
/// exploitation outranks a CRITICAL one nobody exploits.
pub fn risk(v: &Vulnerability) -> f64 {
    let impact = v
        .cvss_score()
        .unwrap_or_else(|| severity_midpoint(v.severity))
        .clamp(0.0, 10.0)
        / 10.0;
    let mut threat = v.epss_score().clamp(0.01, 1.0);
    if v.kev {
        let ransomware = v.kev_detail.as_ref().is_some_and(|k| k.ransomware);
        threat = if ransomware { 1.0 } else { threat.max(0.95) };
    }
    (1000.0 * impact * threat).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cvss;

    fn v(sev: Severity, score: Option<f64>, epss: Option<f64>, kev: bool) -> Vulnerability {
        let mut v = Vulnerability {
            severity: sev,
            severity_source: "nvd".into(),
            kev,
            ..Vulnerability::default()
        };
        if let Some(s) = score {
            v.cvss.insert(
                "nvd".into(),
                Cvss {
                    v3_score: Some(s),
                    v3_vector: "CVSS:3.1/AV:N".into(),
                    ..Cvss::default()
                },
            );
        }
        v.epss = epss.map(|score| Epss {
            score,
            percentile: 0.5,
            date: String::new(),
        });
        v
    }

    #[test]
    fn risk_formula() {
        // 100 × 0.78 × 0.99295 = 77.45 → 77.5 (CVE-2021-3156, not KEV here).
        assert_eq!(
            risk(&v(Severity::High, Some(7.8), Some(0.99295), false)),
            77.5
        );
        // KEV lifts the threat to 0.95.
        assert_eq!(risk(&v(Severity::High, Some(7.8), Some(0.1), true)), 74.1);
        // No EPSS: the floor, so impact still orders.
        assert_eq!(risk(&v(Severity::Critical, Some(9.8), None, false)), 1.0);
        assert_eq!(risk(&v(Severity::Low, None, None, false)), 0.2);
        // Unknown severity without a score: MEDIUM's middle band.
        assert_eq!(risk(&v(Severity::Unknown, None, Some(0.5), false)), 25.0);
        let mut r = v(Severity::High, Some(8.0), Some(0.2), true);
        r.kev_detail = Some(KevDetail {
            date_added: "2022-01-01".into(),
            ransomware: true,
        });
        assert_eq!(risk(&r), 80.0);
    }

    #[test]
    fn security_severity_and_preferred_cvss() {
        let a = v(Severity::High, Some(7.5), None, false);
        assert_eq!(a.security_severity(), 7.5);
        assert_eq!(a.preferred_cvss().map(|p| p.score_v3), Some(Some(7.5)));
        // A vendor's word without a score: the band middle, not another
        // source's score.
        let mut w = v(Severity::Medium, None, None, false);
        w.severity_source = "alma".into();
        w.cvss.insert(
            "nvd".into(),
            Cvss {
                v3_score: Some(9.8),
                ..Cvss::default()
            },
        );
        assert_eq!(w.cvss_score(), None);
        assert_eq!(w.security_severity(), 5.5);
        w.severity = Severity::Unknown;
        assert_eq!(w.cvss_score(), Some(9.8));
        let b = v(Severity::Critical, None, None, false);
        assert_eq!(b.security_severity(), 9.5);
        assert!(b.preferred_cvss().is_none());
        // A source that rates with CVSS 4.0 only gives the v4 fields.
        let mut f = v(Severity::High, None, None, false);
        f.severity_source = "ghsa".into();
        f.cvss.insert(
            "ghsa".into(),
            Cvss {
                v40_score: Some(8.7),
                v40_vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"
                    .into(),
                ..Cvss::default()
            },
        );
        let p = f.preferred_cvss().unwrap();
        assert_eq!(
            (p.score_v4, p.score_v3, p.score_v2),
            (Some(8.7), None, None)
        );
        assert!(p.vector_v4.starts_with("CVSS:4.0/"));
        assert_eq!(
            v(Severity::Unknown, None, None, false).security_severity(),
            0.0
        );
        for s in Severity::ALL {
            assert_eq!(severity_of_number(severity_number(s)), s);
        }
    }
}
