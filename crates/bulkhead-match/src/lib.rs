//! Matching installed packages against the OSV advisory database.
//!
//! Pure: reads the database, never the network.
//!
//! * The ecosystem of OS packages comes from the detected OS
//!   ([`distro_ecosystem`]: `Debian:11`, `Alpine:v3.10`, `AlmaLinux:9`, …).
//! * Match keys follow the data: Debian by source package (dpkg `Source:`),
//!   Alpine by origin, RPM distributions by the binary rpm name (their
//!   records list `openssl-libs`), and also by the source rpm name, PyPI by
//!   PEP 503 name. Findings are reported on the installed binary package.
//! * One finding per (package, vulnerability): records are expanded to their
//!   CVE ids (Debian: aliases; Alpine: the id; AlmaLinux: `related`), and
//!   records naming the same CVE are merged (vendor ids, aliases, fix).

pub mod range;
pub mod rate;
pub mod severity;

use bulkhead_osv::{Database, Record};
use bulkhead_types::{Ecosystem, OsInfo, Package, Severity, VulnStatus, Vulnerability};
use bulkhead_versions::Scheme;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// The OSV ecosystem string for a detected OS, e.g. `Debian:11`,
/// `Alpine:v3.10`, `AlmaLinux:9`, `Rocky Linux:9`, `Ubuntu:22.04:LTS`.
/// `None` for families without OSV data.
pub fn distro_ecosystem(os: &OsInfo) -> Option<String> {
    let family = os.family.trim().to_ascii_lowercase();
    let version = os.name.trim();
    let major = version.split('.').next().unwrap_or(version);
    let major_minor = || {
        let mut parts = version.split('.');
        match (parts.next(), parts.next()) {
            (Some(a), Some(b)) => format!("{a}.{b}"),
            (Some(a), None) => a.to_string(),
            _ => version.to_string(),
        }
    };
    if version.is_empty() {
        return None;
    }
    Some(match family.as_str() {
        "debian" => format!("Debian:{major}"),
        "alpine" => format!("Alpine:v{}", major_minor()),
        "almalinux" | "alma" => format!("AlmaLinux:{major}"),
        "rocky" | "rockylinux" => format!("Rocky Linux:{major}"),
        "ubuntu" => {
            let mm = major_minor();
            // LTS releases: even year, April.
            let lts = mm.ends_with(".04") && major.parse::<u32>().is_ok_and(|y| y % 2 == 0);
            if lts {
                format!("Ubuntu:{mm}:LTS")
            } else {
                format!("Ubuntu:{mm}")
            }
        }
        "wolfi" => "Wolfi".to_string(),
        "chainguard" => "Chainguard".to_string(),
        _ => return None,
    })
}

/// The language ecosystem string of a package kind (OS kinds return `None`):
/// the OSV name of the ecosystem table in `bulkhead-types`.
pub fn language_ecosystem(eco: Ecosystem) -> Option<&'static str> {
    eco.facts().osv
}

/// Matching output for one set of packages.
#[derive(Debug, Default)]
pub struct Matches {
    pub vulnerabilities: Vec<Vulnerability>,
    /// Things the user should know (no data for this distro release,
    /// versions that could not be compared, …).
    pub notes: Vec<String>,
}

/// What to match a set of packages against.
#[derive(Debug, Clone)]
pub struct Target {
    /// OSV ecosystem (`Debian:11`, `PyPI`).
    pub ecosystem: String,
    pub scheme: Scheme,
    pub kind: Ecosystem,
}

impl Target {
    /// The target for packages of `kind`; OS packages need the OS.
    pub fn for_packages(kind: Ecosystem, os: Option<&OsInfo>) -> Result<Target, String> {
        let ecosystem = if kind.is_os() {
            let os = os.ok_or_else(|| {
                "no operating system detected, OS packages were not matched (pass --distro family/version)".to_string()
            })?;
            distro_ecosystem(os).ok_or_else(|| {
                format!(
                    "no advisory source for {} {}; its packages were not matched",
                    os.family, os.name
                )
            })?
        } else {
            language_ecosystem(kind)
                .ok_or_else(|| format!("no advisory ecosystem for {kind:?}"))?
                .to_string()
        };
        let scheme = Scheme::for_osv_ecosystem(&ecosystem)
            .ok_or_else(|| format!("no version ordering for {ecosystem}"))?;
        Ok(Target {
            ecosystem,
            scheme,
            kind,
        })
    }
}

/// The names to look a package up by, as the data keys it.
fn lookup_names(kind: Ecosystem, p: &Package) -> Vec<String> {
    let src = (!p.src_name.is_empty()).then(|| p.src_name.clone());
    match kind {
        // Debian and Alpine data name SOURCE packages (dpkg Source:, apk origin).
        Ecosystem::Dpkg | Ecosystem::Apk => vec![src.unwrap_or_else(|| p.name.clone())],
        // RPM distributions list binary rpm names (`openssl-libs`), and the
        // source name is usually one of them too: try both.
        Ecosystem::Rpm => {
            let mut v = vec![p.name.clone()];
            if let Some(s) = src
                && s != p.name
            {
                v.push(s);
            }
            v
        }
        _ => vec![p.name.clone()],
    }
}

/// The installed version compared with advisories: the source version for
/// Debian (advisories give source versions; binNMUs add `+bN` to the binary
/// only), the package version elsewhere.
fn compared_version(kind: Ecosystem, p: &Package) -> &str {
    match kind {
        Ecosystem::Dpkg if !p.src_version.is_empty() => &p.src_version,
        _ => &p.version,
    }
}

/// Short source id of a record, for `SeveritySource` and the CVSS map.
pub fn source_id(record_id: &str) -> &'static str {
    bulkhead_types::rating::advisory_source(record_id)
}

/// One record's contribution to a finding, before merging.
struct Hit {
    key: String,
    record_id: String,
    ids: BTreeSet<String>,
    fixed: Option<String>,
    status: VulnStatus,
    severity: severity::Rated,
    title: String,
    description: String,
    references: Vec<String>,
}

/// A read cache over the database for one scan, or for one whole fleet
/// re-match: it keeps every package's advisories and every rating it has
/// read, so it grows with the distinct packages seen (all ecosystems), not
/// with the number of images.
pub struct Matcher<'db> {
    db: &'db Database,
    records: HashMap<(String, String), Rc<Vec<Record>>>,
    ratings: HashMap<String, Rc<bulkhead_osv::CveRating>>,
}

impl<'db> Matcher<'db> {
    pub fn new(db: &'db Database) -> Self {
        Matcher {
            db,
            records: HashMap::new(),
            ratings: HashMap::new(),
        }
    }

    fn records(&mut self, ecosystem: &str, name: &str) -> Result<Rc<Vec<Record>>, String> {
        let key = (ecosystem.to_string(), name.to_string());
        if let Some(r) = self.records.get(&key) {
            return Ok(Rc::clone(r));
        }
        let recs = Rc::new(self.db.lookup(ecosystem, name).map_err(|e| e.to_string())?);
        self.records.insert(key, Rc::clone(&recs));
        Ok(recs)
    }

    /// What the rating data says of a CVE (cached for the scan; a failed
    /// look-up rates nothing and is said in the notes).
    fn rating(&mut self, cve: &str, notes: &mut Vec<String>) -> Rc<bulkhead_osv::CveRating> {
        if let Some(r) = self.ratings.get(cve) {
            return Rc::clone(r);
        }
        let r = Rc::new(self.db.rating(cve).unwrap_or_else(|e| {
            notes.push(format!("rating look-up failed for {cve}: {e}"));
            bulkhead_osv::CveRating::default()
        }));
        self.ratings.insert(cve.to_string(), Rc::clone(&r));
        r
    }

    /// Match `packages` (all of one kind) against `target`.
    pub fn match_packages(&mut self, target: &Target, packages: &[Package]) -> Matches {
        let mut out = Matches::default();
        match self.db.has_ecosystem(&target.ecosystem) {
            Ok(true) => {}
            Ok(false) => {
                out.notes.push(no_data_note(&target.ecosystem));
                return out;
            }
            Err(e) => {
                out.notes.push(format!("advisory lookup failed: {e}"));
                return out;
            }
        }
        let mut bad_versions = 0usize;
        for p in packages {
            let installed = compared_version(target.kind, p);
            let mut hits: Vec<Hit> = Vec::new();
            for name in lookup_names(target.kind, p) {
                let recs = match self.records(&target.ecosystem, &name) {
                    Ok(r) => r,
                    Err(e) => {
                        out.notes
                            .push(format!("advisory lookup failed for {name}: {e}"));
                        continue;
                    }
                };
                for rec in recs.iter() {
                    match evaluate(rec, &target.ecosystem, &name, target.scheme, installed) {
                        Ok(Some(v)) => hits.extend(expand(rec, v)),
                        Ok(None) => {}
                        Err(_) => bad_versions += 1,
                    }
                }
            }
            let found = self.merge(p, target.scheme, hits, &mut out.notes);
            out.vulnerabilities.extend(found);
        }
        if bad_versions > 0 {
            out.notes.push(format!(
                "{bad_versions} advisory check(s) in {} were skipped because a version could not be compared",
                target.ecosystem
            ));
        }
        out.vulnerabilities.sort_by(|a, b| {
            (&a.pkg_name, &a.installed_version, &a.vulnerability_id).cmp(&(
                &b.pkg_name,
                &b.installed_version,
                &b.vulnerability_id,
            ))
        });
        out
    }

    fn merge(
        &mut self,
        p: &Package,
        scheme: Scheme,
        hits: Vec<Hit>,
        notes: &mut Vec<String>,
    ) -> Vec<Vulnerability> {
        let mut by_key: BTreeMap<String, Vec<Hit>> = BTreeMap::new();
        for h in hits {
            by_key.entry(h.key.clone()).or_default().push(h);
        }
        let mut out = Vec::new();
        for (key, group) in by_key {
            let mut vendor_ids: BTreeSet<String> = BTreeSet::new();
            let mut aliases: BTreeSet<String> = BTreeSet::new();
            let mut fixed: Option<String> = None;
            let mut status = VulnStatus::Affected;
            let mut rated = severity::Rated::default();
            let mut title = String::new();
            let mut description = String::new();
            let mut references: Vec<String> = Vec::new();
            for h in &group {
                vendor_ids.insert(h.record_id.clone());
                aliases.extend(h.ids.iter().cloned());
                if let Some(f) = &h.fixed {
                    // The highest fix among the records: all of them must be applied.
                    let higher = match &fixed {
                        None => true,
                        Some(cur) => bulkhead_versions::compare(scheme, f, cur)
                            .is_ok_and(|o| o == std::cmp::Ordering::Greater),
                    };
                    if higher {
                        fixed = Some(f.clone());
                    }
                }
                if h.status == VulnStatus::WillNotFix && fixed.is_none() {
                    status = VulnStatus::WillNotFix;
                }
                if h.severity.severity > rated.severity {
                    rated = h.severity.clone();
                } else if rated.cvss.is_empty() && !h.severity.cvss.is_empty() {
                    rated.cvss = h.severity.cvss.clone();
                }
                if title.is_empty() {
                    title = h.title.clone();
                }
                if description.is_empty() {
                    description = h.description.clone();
                }
                for r in &h.references {
                    if !references.contains(r) {
                        references.push(r.clone());
                    }
                }
            }
            if fixed.is_some() {
                status = VulnStatus::Fixed;
            }
            vendor_ids.remove(&key);
            aliases.remove(&key);
            for v in &vendor_ids {
                aliases.remove(v);
            }
            let cves: Vec<String> = std::iter::once(key.clone())
                .chain(aliases.iter().cloned())
                .filter(|i| i.starts_with("CVE-"))
                .collect();
            let ratings: Vec<(String, Rc<bulkhead_osv::CveRating>)> = cves
                .iter()
                .map(|c| (c.clone(), self.rating(c, notes)))
                .collect();
            let mut v = Vulnerability {
                vulnerability_id: key,
                vendor_ids: vendor_ids.into_iter().collect(),
                aliases: aliases.into_iter().collect(),
                pkg_id: p.id.clone(),
                pkg_name: p.name.clone(),
                pkg_identifier: p.identifier.clone(),
                installed_version: p.version.clone(),
                fixed_version: fixed.unwrap_or_default(),
                status,
                title,
                description,
                references,
                layer: p.layer.clone(),
                ..Vulnerability::default()
            };
            let by_cve: Vec<(&str, &bulkhead_osv::CveRating)> =
                ratings.iter().map(|(c, r)| (c.as_str(), &**r)).collect();
            if let Some(why) = rate::apply(&mut v, &rated, &by_cve) {
                tracing::info!(
                    "{} in {} {} stays UNKNOWN: {why}",
                    v.vulnerability_id,
                    v.pkg_name,
                    v.installed_version
                );
            }
            out.push(v);
        }
        out
    }
}

/// The note for an ecosystem the database has no records for, e.g.
/// "no advisories for debian 12 in the database".
pub fn no_data_note(ecosystem: &str) -> String {
    let mut parts = ecosystem.split(':');
    let base = parts.next().unwrap_or(ecosystem).to_ascii_lowercase();
    let release = parts.next().unwrap_or("").trim_start_matches('v');
    if release.is_empty() {
        format!("no advisories for {base} in the database")
    } else {
        format!("no advisories for {base} {release} in the database")
    }
}

/// Whether `installed` is affected by `rec` for (`ecosystem`, `name`).
/// `Ok(Some(fix))` when affected (`fix` = the first fixed version above it).
fn evaluate(
    rec: &Record,
    ecosystem: &str,
    name: &str,
    scheme: Scheme,
    installed: &str,
) -> Result<Option<range::Verdict>, bulkhead_versions::VersionError> {
    if rec.withdrawn.is_some() {
        return Ok(None);
    }
    let norm = bulkhead_osv::normalize_name(ecosystem, name);
    let mut best: Option<range::Verdict> = None;
    let mut error = None;
    for a in &rec.affected {
        let Some(pkg) = &a.package else { continue };
        if pkg.ecosystem.trim() != ecosystem
            || bulkhead_osv::normalize_name(ecosystem, &pkg.name) != norm
        {
            continue;
        }
        match range::affected(a, scheme, installed) {
            Ok(Some(v)) => {
                // Prefer a verdict that names a fix.
                if best
                    .as_ref()
                    .is_none_or(|b| b.fixed.is_none() && v.fixed.is_some())
                {
                    best = Some(v);
                }
            }
            Ok(None) => {}
            Err(e) => error = Some(e),
        }
    }
    match (best, error) {
        (Some(b), _) => Ok(Some(b)),
        (None, Some(e)) => Err(e),
        (None, None) => Ok(None),
    }
}

/// One hit per CVE the record names (or one under the record's own id).
fn expand(rec: &Record, verdict: range::Verdict) -> Vec<Hit> {
    // AlmaLinux (and Rocky) list their CVEs under `related`.
    let related_are_cves = matches!(source_id(&rec.id), "alma" | "rocky");
    let cves = rec.cve_ids(related_are_cves);
    let rated = severity::rate(rec);
    // Other names of the same vulnerability: the record id and its non-CVE
    // aliases (GHSA…). A record bundling several CVEs (a DSA) does not make
    // those CVEs aliases of each other.
    let mut ids: BTreeSet<String> = BTreeSet::new();
    ids.insert(rec.id.clone());
    ids.extend(
        rec.aliases
            .iter()
            .filter(|a| !a.starts_with("CVE-"))
            .cloned(),
    );
    if cves.len() == 1 {
        ids.extend(cves.iter().cloned());
    }
    let keys: Vec<String> = if cves.is_empty() {
        // No CVE: the record id, or the smallest alias so records aliasing
        // each other (PYSEC ↔ GHSA) meet under one key.
        vec![ids.iter().next().cloned().unwrap_or_else(|| rec.id.clone())]
    } else {
        cves
    };
    let references: Vec<String> = rec
        .references
        .iter()
        .map(|r| r.url.clone())
        .filter(|u| !u.is_empty())
        .collect();
    let title = if rec.summary.is_empty() {
        rec.details
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect()
    } else {
        rec.summary.clone()
    };
    keys.into_iter()
        .map(|key| Hit {
            ids: ids.iter().filter(|i| **i != key).cloned().collect(),
            key,
            record_id: rec.id.clone(),
            fixed: verdict.fixed.clone(),
            status: verdict.status,
            severity: rated.clone(),
            title: title.clone(),
            description: rec.details.clone(),
            references: references.clone(),
        })
        .collect()
}

/// Convenience: the severity of a finding list's worst entry.
pub fn worst(v: &[Vulnerability]) -> Severity {
    v.iter().map(|x| x.severity).max().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(family: &str, name: &str) -> OsInfo {
        OsInfo {
            family: family.into(),
            name: name.into(),
            ..OsInfo::default()
        }
    }

    #[test]
    fn distro_ecosystems() {
        assert_eq!(
            distro_ecosystem(&os("debian", "11.6")).as_deref(),
            Some("Debian:11")
        );
        assert_eq!(
            distro_ecosystem(&os("debian", "12")).as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            distro_ecosystem(&os("alpine", "3.10.2")).as_deref(),
            Some("Alpine:v3.10")
        );
        assert_eq!(
            distro_ecosystem(&os("almalinux", "9.3")).as_deref(),
            Some("AlmaLinux:9")
        );
        assert_eq!(
            distro_ecosystem(&os("rocky", "8.9")).as_deref(),
            Some("Rocky Linux:8")
        );
        assert_eq!(
            distro_ecosystem(&os("ubuntu", "22.04")).as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        assert_eq!(
            distro_ecosystem(&os("ubuntu", "23.10")).as_deref(),
            Some("Ubuntu:23.10")
        );
        assert_eq!(distro_ecosystem(&os("plan9", "4")), None);
        assert_eq!(
            no_data_note("Debian:12"),
            "no advisories for debian 12 in the database"
        );
        assert_eq!(
            no_data_note("Alpine:v3.19"),
            "no advisories for alpine 3.19 in the database"
        );
    }

    #[test]
    fn source_ids() {
        assert_eq!(source_id("DSA-5103-1"), "debian");
        assert_eq!(source_id("ALSA-2022:6224"), "alma");
        assert_eq!(source_id("ALPINE-v3.10-CVE-2019-1547"), "alpine");
        assert_eq!(source_id("PYSEC-2021-62"), "pysec");
    }
}
