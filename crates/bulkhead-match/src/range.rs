//! OSV range evaluation (schema "Evaluation" section) with a version scheme.

use bulkhead_osv::{Affected, Event, RangeType};
use bulkhead_types::VulnStatus;
use bulkhead_versions::{Scheme, VersionError, compare};
use std::cmp::Ordering;

/// An affected verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The first fixed version above the installed one, when the data has one.
    pub fixed: Option<String>,
    pub status: VulnStatus,
}

/// The scheme a range is ordered by: SEMVER ranges use SemVer precedence
/// (the ecosystem's own SemVer flavour when it has one).
fn range_scheme(kind: RangeType, scheme: Scheme) -> Scheme {
    match kind {
        RangeType::Semver if !matches!(scheme, Scheme::Npm | Scheme::Cargo | Scheme::Go) => {
            Scheme::Npm
        }
        _ => scheme,
    }
}

fn event_version(e: &Event) -> &str {
    match e {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

/// `-∞` for `introduced: "0"`, `+∞` for `limit: "*"`.
fn is_min(e: &Event) -> bool {
    matches!(e, Event::Introduced(v) if v == "0")
}
fn is_max(e: &Event) -> bool {
    matches!(e, Event::Limit(v) if v == "*")
}

fn cmp_events(scheme: Scheme, a: &Event, b: &Event) -> Ordering {
    match (is_min(a), is_min(b), is_max(a), is_max(b)) {
        (true, true, _, _) | (_, _, true, true) => Ordering::Equal,
        (true, _, _, _) | (_, _, _, true) => Ordering::Less,
        (_, true, _, _) | (_, _, true, _) => Ordering::Greater,
        _ => compare(scheme, event_version(a), event_version(b)).unwrap_or(Ordering::Equal),
    }
}

/// Whether a vendor marked this entry "will not fix" (free-form status
/// fields in `ecosystem_specific`/`database_specific`).
fn will_not_fix(a: &Affected) -> bool {
    let says = |v: &Option<serde_json::Value>| {
        v.as_ref().and_then(|v| v.as_object()).is_some_and(|o| {
            ["status", "fix_status", "fix_state", "state"]
                .iter()
                .any(|k| {
                    o.get(*k).and_then(|s| s.as_str()).is_some_and(|s| {
                        let s = s.to_ascii_lowercase().replace(['-', ' ', '\''], "_");
                        s.contains("will_not_fix")
                            || s.contains("wont_fix")
                            || s.contains("won_t_fix")
                    })
                })
        })
    };
    says(&a.ecosystem_specific) || says(&a.database_specific)
}

/// Evaluate one `affected[]` entry for `installed`.
pub fn affected(
    a: &Affected,
    scheme: Scheme,
    installed: &str,
) -> Result<Option<Verdict>, VersionError> {
    bulkhead_versions::validate(scheme, installed)?;
    let mut hit: Option<Verdict> = None;
    let mut last_err = None;
    for r in &a.ranges {
        if r.kind == RangeType::Git {
            continue; // needs the commit graph; no installed package has one
        }
        let rs = range_scheme(r.kind, scheme);
        if let Err(e) = bulkhead_versions::validate(rs, installed) {
            last_err = Some(e);
            continue;
        }
        // Every event version must parse, or the range cannot be ordered.
        if let Some(e) = r
            .events
            .iter()
            .filter(|e| !is_min(e) && !is_max(e))
            .find_map(|e| bulkhead_versions::validate(rs, event_version(e)).err())
        {
            last_err = Some(e);
            continue;
        }
        let ge = |v: &str| compare(rs, installed, v).is_ok_and(|o| o != Ordering::Less);
        let gt = |v: &str| compare(rs, installed, v).is_ok_and(|o| o == Ordering::Greater);
        let lt = |v: &str| compare(rs, installed, v).is_ok_and(|o| o == Ordering::Less);
        let limits: Vec<&Event> = r
            .events
            .iter()
            .filter(|e| matches!(e, Event::Limit(_)))
            .collect();
        if !limits.is_empty() && !limits.iter().any(|l| is_max(l) || lt(event_version(l))) {
            continue;
        }
        let mut events: Vec<&Event> = r
            .events
            .iter()
            .filter(|e| !matches!(e, Event::Limit(_)))
            .collect();
        events.sort_by(|a, b| cmp_events(rs, a, b));
        let mut vulnerable = false;
        for e in &events {
            match e {
                Event::Introduced(v) if v == "0" || ge(v) => vulnerable = true,
                Event::Fixed(v) if ge(v) => vulnerable = false,
                Event::LastAffected(v) if gt(v) => vulnerable = false,
                _ => {}
            }
        }
        if vulnerable {
            let fixed = events
                .iter()
                .filter_map(|e| match e {
                    Event::Fixed(v) if lt(v) => Some(v.clone()),
                    _ => None,
                })
                .next();
            let status = if fixed.is_some() {
                VulnStatus::Fixed
            } else if will_not_fix(a) {
                VulnStatus::WillNotFix
            } else {
                VulnStatus::Affected
            };
            let better = hit
                .as_ref()
                .is_none_or(|h| h.fixed.is_none() && fixed.is_some());
            if better {
                hit = Some(Verdict { fixed, status });
            }
        }
    }
    if hit.is_none()
        && a.versions.iter().any(|v| {
            v == installed || compare(scheme, v, installed).is_ok_and(|o| o == Ordering::Equal)
        })
    {
        let status = if will_not_fix(a) {
            VulnStatus::WillNotFix
        } else {
            VulnStatus::Affected
        };
        hit = Some(Verdict {
            fixed: None,
            status,
        });
    }
    match (hit, last_err) {
        (None, Some(e)) => Err(e),
        (h, _) => Ok(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_osv::{AffectedPackage, Range};

    fn entry(kind: RangeType, events: Vec<Event>, versions: &[&str]) -> Affected {
        Affected {
            package: Some(AffectedPackage {
                ecosystem: "X".into(),
                name: "p".into(),
                purl: None,
            }),
            ranges: vec![Range {
                kind,
                repo: None,
                events,
            }],
            versions: versions.iter().map(|s| s.to_string()).collect(),
            ..Affected::default()
        }
    }
    use Event::*;

    #[test]
    fn introduced_fixed() {
        let a = entry(
            RangeType::Ecosystem,
            vec![Introduced("0".into()), Fixed("1.1.1k-1+deb11u2".into())],
            &[],
        );
        let v = affected(&a, Scheme::Dpkg, "1.1.1k-1+deb11u1")
            .unwrap()
            .unwrap();
        assert_eq!(v.fixed.as_deref(), Some("1.1.1k-1+deb11u2"));
        assert_eq!(v.status, VulnStatus::Fixed);
        assert_eq!(
            affected(&a, Scheme::Dpkg, "1.1.1k-1+deb11u2").unwrap(),
            None
        );
        assert_eq!(
            affected(&a, Scheme::Dpkg, "1.1.1n-0+deb11u3").unwrap(),
            None
        );
    }

    #[test]
    fn multiple_intervals_and_last_affected() {
        let a = entry(
            RangeType::Semver,
            vec![
                Introduced("1.0.0".into()),
                Fixed("1.2.0".into()),
                Introduced("2.0.0".into()),
                LastAffected("2.3.0".into()),
            ],
            &[],
        );
        assert!(affected(&a, Scheme::Cargo, "0.9.0").unwrap().is_none());
        assert_eq!(
            affected(&a, Scheme::Cargo, "1.1.0")
                .unwrap()
                .unwrap()
                .fixed
                .as_deref(),
            Some("1.2.0")
        );
        assert!(affected(&a, Scheme::Cargo, "1.5.0").unwrap().is_none());
        let v = affected(&a, Scheme::Cargo, "2.3.0").unwrap().unwrap();
        assert_eq!((v.fixed, v.status), (None, VulnStatus::Affected));
        assert!(affected(&a, Scheme::Cargo, "2.3.1").unwrap().is_none());
    }

    #[test]
    fn limits_and_version_lists() {
        let a = entry(
            RangeType::Ecosystem,
            vec![Introduced("0".into()), Limit("2.0".into())],
            &[],
        );
        assert!(affected(&a, Scheme::Pep440, "1.5").unwrap().is_some());
        assert!(affected(&a, Scheme::Pep440, "2.0").unwrap().is_none());
        let l = Affected {
            ranges: vec![],
            ..entry(RangeType::Ecosystem, vec![], &["1.0", "1.1"])
        };
        assert!(affected(&l, Scheme::Pep440, "1.1").unwrap().is_some());
        assert!(
            affected(&l, Scheme::Pep440, "1.1.0").unwrap().is_some(),
            "PEP 440 equality"
        );
        assert!(affected(&l, Scheme::Pep440, "1.2").unwrap().is_none());
    }

    #[test]
    fn pep440_numbers_above_u64_are_matched() {
        let a = entry(
            RangeType::Ecosystem,
            vec![
                Introduced("0".into()),
                Fixed("2.0.post99999999999999999999".into()),
            ],
            &[],
        );
        let v = affected(&a, Scheme::Pep440, "2.0.post99999999999999999998")
            .unwrap()
            .unwrap();
        assert_eq!(v.fixed.as_deref(), Some("2.0.post99999999999999999999"));
        assert!(
            affected(&a, Scheme::Pep440, "2.0.post100000000000000000000")
                .unwrap()
                .is_none()
        );
        assert!(affected(&a, Scheme::Pep440, "3").unwrap().is_none());
    }

    #[test]
    fn rpm_epoch_and_module_releases() {
        let a = entry(
            RangeType::Ecosystem,
            vec![Introduced("0".into()), Fixed("1:3.0.1-41.el9_0".into())],
            &[],
        );
        assert!(
            affected(&a, Scheme::Rpm, "1:3.0.1-23.el9_0")
                .unwrap()
                .is_some()
        );
        assert!(
            affected(&a, Scheme::Rpm, "1:3.0.7-24.el9")
                .unwrap()
                .is_none()
        );
        let m = entry(
            RangeType::Ecosystem,
            vec![
                Introduced("0".into()),
                Fixed("8.0.26-1.module_el8.4.0+2532+b8928c02".into()),
            ],
            &[],
        );
        assert!(
            affected(&m, Scheme::Rpm, "8.0.21-1.module_el8.2.0+493+63b41e36")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn bad_versions_are_errors_not_panics() {
        let a = entry(
            RangeType::Ecosystem,
            vec![Introduced("0".into()), Fixed("1.0".into())],
            &[],
        );
        assert!(affected(&a, Scheme::Pep440, "not a version!").is_err());
    }
}
